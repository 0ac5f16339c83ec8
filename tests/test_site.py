"""The static site: structure, links, HTML validity, bilingual rules, incremental and atomic builds."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import html5lib
import pytest
from publish_helpers import NOTICE, NOTICE_BODY, TRANSIT, TRANSIT_BODY, leftovers, standard_project

from zaitun import failures
from zaitun.errors import PublishError
from zaitun.publish import layout, lint, output, site, workers


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    fx = standard_project(tmp_path_factory.mktemp("site") / "proj")
    report = fx.build()
    return fx, report


@pytest.fixture
def fx(tmp_path):
    return standard_project(tmp_path / "proj")


NOT_RENDERED = {"social", "pagefind"}  # the outbox, and the search index (written by its indexer)

def html_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if layout.SOCIAL_DIR not in p.parts)


def read(out: Path, path: str) -> str:
    return (out / layout.file_of(path)).read_text(encoding="utf-8")


def parse(text: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def target_exists(out: Path, href: str, page_url: str) -> bool:
    url = urljoin(page_url, href)
    parts = urlsplit(url)
    if parts.netloc != "example.org":
        return True
    path = unquote(parts.path).lstrip("/")
    return (out / layout.file_of(path)).is_file() or (out / path / "index.html").is_file()


def test_site_has_home_section_document_programme_tag_root_and_404_pages(built):
    fx, _ = built
    for path in ["", "404.html", "zh/", "en/", "zh/guides/", "zh/policies/", "en/guides/", "zh/guides/transit/",
                 "en/guides/transit/", "zh/programmes/240-hour-transit/", "en/programmes/240-hour-transit/",
                 "zh/tags/visa-free/", "zh/tags/出入境/", "zh/feed.xml", "en/atom.xml",
                 "zh/programmes/240-hour-transit/feed.xml", "sitemap.xml", "robots.txt", "provenance.json"]:
        assert (fx.out / layout.file_of(path)).is_file(), path
    assert len(list((fx.out / "assets").glob("style.*.css"))) == 1


def test_every_page_links_the_site_icon_so_browsers_ask_for_no_missing_favicon(built):
    fx, _ = built
    pages = [p for p in html_files(fx.out) if "zaitun-redirect" not in p.read_text(encoding="utf-8")]
    icons = set()
    for path in pages:
        links = [el for el in parse(path.read_text(encoding="utf-8")).iter("link") if el.get("rel") == "icon"]
        assert len(links) == 1 and links[0].get("type") == "image/svg+xml", path
        icons.add(links[0].get("href"))
    assert len(pages) > 20 and len(icons) == 1
    (href,) = icons
    assert re.fullmatch(r"/assets/icon\.[0-9a-f]{10}\.svg", href)
    assert (fx.out / href.lstrip("/")).read_bytes().startswith(b"<svg ")


def test_section_tag_and_search_pages_offer_their_languages_feeds_where_readers_subscribe(built):
    fx, _ = built
    for lang in ("zh", "en"):
        for path in (f"{lang}/policies/", f"{lang}/guides/", f"{lang}/tags/visa-free/", f"{lang}/search/"):
            text = read(fx.out, path)
            for feed in ("feed.xml", "atom.xml"):
                assert f'href="https://example.org/{lang}/{feed}">' in text, (path, feed)  # found by feed readers
                assert f'<a href="/{lang}/{feed}">' in text.split('<footer class="site">', 1)[1], (path, feed)
    for path in html_files(fx.out):
        assert '<p class="feeds"></p>' not in path.read_text(encoding="utf-8"), path


def test_every_page_parses_as_strict_html5(built):
    fx, _ = built
    for path in html_files(fx.out):
        parse(path.read_text(encoding="utf-8"))  # raises on any parse error


def test_every_internal_link_and_hreflang_target_exists(built):
    fx, _ = built
    for path in html_files(fx.out):
        page_url = "https://example.org/" + path.relative_to(fx.out).as_posix().removesuffix("index.html")
        tree = parse(path.read_text(encoding="utf-8"))
        for el in tree.iter():
            href = el.get("href") or el.get("src")
            if href and not href.startswith("#"):
                assert target_exists(fx.out, href, page_url), f"{path}: {href}"


def test_pages_load_no_external_resources(built):
    fx, _ = built
    for path in html_files(fx.out):
        tree = parse(path.read_text(encoding="utf-8"))
        for el in tree.iter():
            loaded = el.get("src") if el.tag in ("img", "script", "iframe") else (
                el.get("href") if el.tag == "link" and el.get("rel") in ("stylesheet", "icon", "preload") else None)
            assert loaded is None or loaded.startswith("/"), f"{path}: {el.tag} loads {loaded}"
            if el.tag == "script" and el.get("type") != "application/ld+json":  # only search runs a script,
                assert path.parent.name == "search", f"{path}: script"  # the site's own, under its CSP
                assert el.get("src").startswith("/assets/search.") and not (el.text or "").strip()


def test_hreflang_alternates_are_reciprocal_and_name_only_existing_pages(built):
    fx, _ = built
    zh = parse(read(fx.out, "zh/guides/transit/"))
    alternates = {e.get("hreflang"): e.get("href") for e in zh.iter("link") if e.get("hreflang")}
    assert alternates == {"zh-Hans": "https://example.org/zh/guides/transit/",
                          "en": "https://example.org/en/guides/transit/",
                          "x-default": "https://example.org/zh/guides/transit/"}
    en = parse(read(fx.out, "en/guides/transit/"))
    assert {e.get("hreflang"): e.get("href") for e in en.iter("link") if e.get("hreflang")} == alternates
    paying = parse(read(fx.out, "zh/guides/paying/"))
    assert {e.get("hreflang") for e in paying.iter("link") if e.get("hreflang")} == {"zh-Hans", "x-default"}


def test_pages_are_accessible_lang_one_h1_landmarks_and_skip_link(built):
    fx, _ = built
    for path, lang in [("zh/guides/transit/", "zh-Hans"), ("en/guides/transit/", "en"), ("en/", "en")]:
        tree = parse(read(fx.out, path))
        assert tree.get("lang") == lang
        assert len(list(tree.iter("h1"))) == 1
        assert [e.tag for e in tree.iter() if e.tag in ("header", "nav", "main", "footer")] == \
            ["header", "nav", "main", "footer"]
        skip = next(tree.iter("a"))
        assert skip.get("href") == "#main" and tree.find(".//main").get("id") == "main"


def test_language_switcher_links_the_same_document_in_the_other_language(built):
    fx, _ = built
    assert 'class="switch" href="/en/guides/transit/"' in read(fx.out, "zh/guides/transit/")
    assert 'class="switch" href="/zh/guides/transit/"' in read(fx.out, "en/guides/transit/")
    assert 'class="switch"' not in read(fx.out, "zh/guides/paying/")


def test_pages_carry_canonical_open_graph_json_ld_and_feed_autodiscovery(built):
    fx, _ = built
    text = read(fx.out, "en/policies/notice-2023-1/")
    assert '<link rel="canonical" href="https://example.org/en/policies/notice-2023-1/">' in text
    assert 'property="og:title"' in text and 'name="twitter:card"' in text
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', text).group(1))
    assert data["@type"] == "Article" and data["inLanguage"] == "en"
    assert 'type="application/rss+xml"' in text and 'type="application/atom+xml"' in text
    guide = read(fx.out, "zh/guides/transit/")
    assert '"@type": "GovernmentService"' in guide


def test_never_approved_document_has_no_english_page_nor_feed_entry(built):
    fx, report = built
    assert (fx.out / "zh/guides/paying/index.html").is_file()
    assert not (fx.out / "en/guides/paying").exists()
    assert "paying" not in (fx.out / "en/feed.xml").read_text(encoding="utf-8")
    assert "paying" not in (fx.out / "en/atom.xml").read_text(encoding="utf-8")
    assert "paying" not in (fx.out / "en/guides/index.html").read_text(encoding="utf-8")
    assert "paying (en): no approved English yet" in report.skipped


def test_policy_page_shows_number_issuer_dates_and_expired_mark(built):
    fx, _ = built
    for path, word in [("zh/policies/notice-2023-1/", "已失效"), ("en/policies/notice-2023-1/", "Expired")]:
        text = read(fx.out, path)
        assert "泉政办规〔2023〕1号" in text and "泉州市人民政府办公室" in text
        assert '<time datetime="2024-12-31">' in text
        assert 'class="note expired"' in text and word in text
    assert 'class="note expired"' not in read(fx.out, "zh/guides/transit/")


def test_provenance_records_engine_glossary_version_and_approver(built):
    fx, _ = built
    data = json.loads((fx.out / "provenance.json").read_text(encoding="utf-8"))
    record = data["pages"]["https://example.org/en/guides/transit/"]
    assert record["approved_by"] == ["rita"] and record["engines"] == ["fixture-mt"]
    assert record["glossary_versions"] == ["g1"] and record["approved_at"]
    assert 'name="zaitun:provenance"' in read(fx.out, "en/guides/transit/")


def test_provenance_gives_the_approval_and_release_times_with_their_utc_offset(built):
    """A reader of provenance.json or of a page's provenance meta cannot tell which zone a time without offset
    is in (the site's days are Quanzhou's, the store keeps UTC): both times carry their offset."""
    fx, _ = built
    page = re.search(r"name=\"zaitun:provenance\" content='([^']*)'", read(fx.out, "en/guides/transit/")).group(1)
    records = [json.loads((fx.out / "provenance.json").read_text(encoding="utf-8"))["pages"][
        "https://example.org/en/guides/transit/"], json.loads(page.replace("&#34;", '"'))]
    for record in records:
        approved, released = (dt.datetime.fromisoformat(record[key]) for key in ("approved_at", "released_at"))
        assert approved.utcoffset() == released.utcoffset() == dt.timedelta(0), record
        assert dt.timedelta(0) <= released - approved < dt.timedelta(minutes=5)


def test_sitemap_lists_every_page_with_its_alternates(built):
    fx, _ = built
    sitemap = lint.sitemap_facts((fx.out / "sitemap.xml").read_bytes())
    assert sitemap["https://example.org/en/guides/transit/"] == (
        ("en", "https://example.org/en/guides/transit/"), ("x-default", "https://example.org/zh/guides/transit/"),
        ("zh-Hans", "https://example.org/zh/guides/transit/"))
    assert "https://example.org/404.html" not in sitemap
    assert "Sitemap: https://example.org/sitemap.xml" in (fx.out / "robots.txt").read_text()


def test_script_tags_and_javascript_links_in_content_are_inert(fx):
    front = "title: 恶意<script>alert(1)</script>\ndate: 2025-01-01\nsummary: '\"><script>x()</script>'"
    fx.write("guides", "evil", front,
             "<script>alert('x')</script>\n\n[点我](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n")
    fx.ingest()
    fx.build()
    text = read(fx.out, "zh/guides/evil/")
    assert "<script>alert" not in text and "<img src=x" not in text and "<script>x()" not in text
    assert 'href="javascript:' not in text
    assert "&lt;script&gt;alert" in text
    parse(text)


def test_changed_chinese_keeps_last_english_with_an_update_under_review_note(fx):
    fx.build()
    assert "under review" not in read(fx.out, "en/guides/transit/")
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n新增一句说明。\n")
    fx.ingest()
    report = fx.build()
    text = read(fx.out, "en/guides/transit/")
    assert 'class="note review"' in text and "under review" in text
    assert "新增一句说明" in read(fx.out, "zh/guides/transit/") and "新增一句说明" not in text
    assert report.under_review == ["transit"]
    fx.translate_and_approve("transit")
    fx.build()
    assert 'class="note review"' not in read(fx.out, "en/guides/transit/")


def test_english_lists_mark_a_document_whose_update_is_under_review(fx):
    fx.build()
    lists = ("en/", "en/guides/")
    assert all("Update under review" not in read(fx.out, path) for path in lists)
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n新增一句说明。\n")
    fx.ingest()
    fx.build()
    for path in lists:  # the summary shown is the last approved English, said so as the page says it
        card = re.search(r'<li class="card">\s*<h\d><a href="[^"]*/en/guides/transit/">.*?</li>', read(fx.out, path),
                         re.S).group(0)
        assert 'class="badge review">Update under review<' in card, path
    assert "badge review" not in read(fx.out, "zh/") + read(fx.out, "zh/guides/")
    fx.translate_and_approve("transit")
    fx.build()
    assert all("Update under review" not in read(fx.out, path) for path in lists)


def test_withdrawn_and_draft_documents_are_removed_from_the_site(fx):
    fx.build()
    (fx.project.content_dir / "policies" / "notice-2023-1.md").unlink()
    fx.write("guides", "paying", "title: 草稿\ndate: 2025-01-01\ndraft: true", "草稿正文。")
    fx.ingest()
    report = fx.build()
    assert not (fx.out / "zh/policies").exists() and not (fx.out / "en/policies").exists()
    assert not (fx.out / "zh/guides/paying").exists()
    assert "zh/policies/notice-2023-1/" in report.removed
    assert "notice-2023-1" not in (fx.out / "sitemap.xml").read_text()


def test_rebuild_after_one_change_renders_only_that_document(fx):
    fx.build()
    front = "title: 境外银行卡支付指南\ndate: 2025-05-01\nsummary: 在泉州使用境外银行卡。\ntags: [payments]"
    fx.write("guides", "paying", front,
             "## 刷卡\n\n大型商场和酒店均可使用境外银行卡。\n")
    fx.ingest()
    report = fx.build()
    pages = [p for p in report.rendered if p.endswith("/")]
    assert pages == ["zh/guides/paying/"]  # its list pages show only the summary, which did not change
    assert not [p for p in report.rendered if p.startswith(("en/", "assets/"))]
    assert "zh/guides/transit/" in report.reused and "en/guides/transit/" in report.reused
    assert "大型商场和酒店" in read(fx.out, "zh/guides/paying/")
    again = fx.build()
    assert [p for p in again.rendered if p.endswith("/")] == []


def test_an_edit_failing_the_lint_is_held_back_and_its_pages_online_stay(fx):
    fx.build()
    before = {p: read(fx.out, p) for p in ("zh/guides/transit/", "en/guides/transit/", "zh/guides/paying/")}
    path = fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n[另见](/zh/guides/nowhere/)\n")
    fx.ingest()  # stored without intake's link check, as a link that broke after intake would be
    report = fx.build()
    line = path.read_text(encoding="utf-8").split("\n").index("[另见](/zh/guides/nowhere/)") + 1
    assert report.problems == [f"{path}:{line}: zh page held back, its last good version stays online: "
                               "broken internal link /zh/guides/nowhere/"]
    assert {p: read(fx.out, p) for p in before} == before
    assert "/zh/guides/transit/" in read(fx.out, "zh/guides/")  # still listed where readers find it
    assert leftovers(fx.out) == []


def test_a_broken_link_on_a_page_indexed_before_the_lists_were_made_is_still_caught_once(fx, monkeypatch):
    """A rebuild writes its document's pages and starts their search index before its other files are known:
    their links are checked across once they are, and the edit is held back as any other."""
    fx.build()
    started = []
    real = site._search_index
    monkeypatch.setattr(site, "_search_index", lambda *args: started.append(args[2]) or real(*args))
    path = fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n[另见](/zh/guides/nowhere/)\n")
    fx.ingest()
    report = fx.build()
    assert sorted(started[0]) == ["en/guides/transit/", "zh/guides/transit/"]  # its pages alone written yet
    line = path.read_text(encoding="utf-8").split("\n").index("[另见](/zh/guides/nowhere/)") + 1
    assert report.problems == [f"{path}:{line}: zh page held back, its last good version stays online: "
                               "broken internal link /zh/guides/nowhere/"]
    assert "nowhere" not in read(fx.out, "zh/guides/transit/")
    assert leftovers(fx.out) == []


def test_a_lint_problem_no_document_explains_leaves_the_previous_site(fx, monkeypatch):
    fx.build()
    snapshot = {p: p.read_bytes() for p in fx.out.rglob("*") if p.is_file()}
    fx.write("guides", "transit", TRANSIT.replace("过境", "过境新"), TRANSIT_BODY)
    fx.ingest()
    real = lint.lint_site
    monkeypatch.setattr(lint, "lint_site", lambda *args: [*real(*args), "zh/index.html: has 2 h1 elements"])
    with pytest.raises(PublishError, match="zh/index.html: has 2 h1 elements"):
        fx.build()
    assert {p: p.read_bytes() for p in fx.out.rglob("*") if p.is_file()} == snapshot
    assert leftovers(fx.out) == []


def test_a_build_interrupted_midway_leaves_the_previous_site_intact(fx, monkeypatch):
    fx.build()
    snapshot = {p: p.read_bytes() for p in fx.out.rglob("*") if p.is_file()}
    fx.write("policies", "notice-2023-1", NOTICE.replace("若干措施", "若干新措施"), NOTICE_BODY)
    fx.ingest()
    written = []
    original = workers.write_file

    def crash_after_two(target: Path, data: bytes) -> None:
        if len(written) == 2:
            raise KeyboardInterrupt  # as if the process were stopped in the middle of writing
        written.append(target)
        original(target, data)

    monkeypatch.setattr(workers, "write_file", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        fx.build()
    assert {p: p.read_bytes() for p in fx.out.rglob("*") if p.is_file()} == snapshot
    monkeypatch.undo()
    fx.build()
    assert "若干新措施" in read(fx.out, "zh/policies/notice-2023-1/")


def test_a_build_stopped_before_its_switch_leaves_the_previous_site_then_the_next_build_goes_online(
        fx, monkeypatch):
    fx.build()
    fx.write("policies", "notice-2023-1", NOTICE.replace("若干措施", "若干新措施"), NOTICE_BODY)
    fx.ingest()

    def stopped(out, version):
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "switch", stopped)
    with pytest.raises(KeyboardInterrupt):
        fx.build()
    assert "若干新措施" not in read(fx.out, "zh/policies/notice-2023-1/")  # complete, but never switched to
    monkeypatch.undo()
    fx.build()
    assert "若干新措施" in read(fx.out, "zh/policies/notice-2023-1/")
    assert leftovers(fx.out) == []


def test_parallel_rendering_writes_the_same_site(fx, tmp_path, monkeypatch):
    fx.build()
    serial = {p.relative_to(fx.out): p.read_bytes() for p in fx.out.rglob("*.*") if not NOT_RENDERED & set(p.parts)}
    fx.out.unlink()
    shutil.rmtree(output.versions_dir(fx.out))
    monkeypatch.setattr(workers, "PARALLEL_MIN", 0)
    report = fx.build()
    assert report.workers > 1 or threading.active_count() > 1 or (os.cpu_count() or 1) < 2
    parallel = {p.relative_to(fx.out): p.read_bytes() for p in fx.out.rglob("*.*") if not NOT_RENDERED & set(p.parts)}
    assert parallel == serial


def test_a_stored_document_that_no_longer_reads_is_left_out_and_reported(fx):
    from sqlalchemy import update

    from zaitun.state.store import documents

    with fx.store.tx() as conn:
        conn.execute(update(documents).where(documents.c.slug == "paying").values(raw="no front matter", raw_hash="x"))
    report = fx.build()
    assert [p for p in report.problems if "paying.md:1: left out of the site: missing front matter" in p]
    assert not (fx.out / "zh/guides/paying").exists() and (fx.out / "zh/guides/transit/index.html").is_file()


@pytest.mark.parametrize("section", ["tags", "programmes", "search", "page"])
def test_a_section_named_like_a_folder_of_the_sites_own_pages_is_refused_and_the_rest_published(fx, section):
    path = fx.write(section, "2", "title: 冲突\ndate: 2025-01-01\ntags: [x]", "正文。")
    report = fx.ingest()
    assert [str(e) for e in report.errors] == [f"{path}:1: the section name {section!r} is taken by the site's "
                                              "own pages: move the file into another folder"]
    fx.translate_and_approve("paying")
    assert not fx.build().problems
    assert (fx.out / "en/guides/paying/index.html").is_file()
    assert not (fx.out / f"zh/{section}/2").exists()


def test_every_folder_of_a_language_the_sites_own_pages_are_in_is_a_reserved_section():
    from zaitun.content.model import RESERVED_SECTIONS

    own = [layout.tag("zh", "x"), layout.programme("zh", "x"), layout.search("zh"),
           layout.paged(layout.home("zh"), 2), layout.feed("zh", "rss", "x")]
    assert {path.split("/")[1] for path in own} == set(RESERVED_SECTIONS)


def test_a_document_stored_in_a_section_reserved_since_is_left_out_named_and_the_rest_published(fx):
    """A store from before a section's name was reserved: its document never writes over the site's page, and
    every other document's approved English still goes online."""
    from sqlalchemy import update

    from zaitun.state.store import documents

    with fx.store.tx() as conn:
        conn.execute(update(documents).where(documents.c.slug == "transit").values(section="search",
                                                                                    path="content/search/transit.md"))
    fx.translate_and_approve("paying")
    report = fx.build()
    assert [p for p in report.problems if "transit.md:1: left out of the site: the section name 'search' is "
            "taken by the site's own pages: move the file into another folder" in p]
    assert (fx.out / "en/guides/paying/index.html").is_file()
    assert '<div id="search" class="search"' in (fx.out / "zh/search/index.html").read_text(encoding="utf-8")
    assert not (fx.out / "zh/search/transit").exists()


def test_a_tag_label_holding_a_forbidden_rendering_is_not_shown_and_is_named_with_its_line(fx):
    from zaitun.check import check_project

    with open(fx.project.glossary_dir / "terms.csv", "a", encoding="utf-8") as terms:
        terms.write("宣传部,Publicity Department,Propaganda Department,\n")
    labels = fx.project.glossary_dir / "tags.yaml"
    labels.write_text("出入境: {zh: 出入境, en: Entry and exit}\n"
                      "visa-free: {zh: 宣传部免签, en: Propaganda Department visa-free}\n", encoding="utf-8")
    told = (f"{labels}:2: visa-free: its English label is not shown: \"Propaganda Department\" is a forbidden "
            "rendering of 宣传部; write \"Publicity Department\"")
    report = fx.build()
    assert told in report.problems
    english = read(fx.out, "en/guides/transit/")
    assert "Propaganda" not in english and "#visa free<" in english and "#Entry and exit<" in english
    assert not [p for p in fx.out.rglob("*") if p.suffix in (".html", ".xml", ".json")
                and "Propaganda" in p.read_text(encoding="utf-8")]
    assert told in [str(problem) for problem in check_project(fx.project)]
    assert (told, "left out") in [(f.message, f.state) for f in failures.current(fx.store)]  # status, the queue
    labels.write_text("出入境: {zh: 出入境, en: Entry and exit}\n", encoding="utf-8")
    fx.build()
    assert told not in [f.message for f in failures.current(fx.store)]


def test_expiry_follows_the_build_date(fx):
    fx.build(today=dt.date(2024, 6, 1))
    assert 'class="note expired"' not in read(fx.out, "zh/policies/notice-2023-1/")
    assert 'class="badge expiring"' not in read(fx.out, "zh/policies/notice-2023-1/")
    fx.build(today=dt.date(2024, 12, 1))  # valid until 2024-12-31: within the 60-day warning
    assert 'class="badge expiring">即将到期<' in read(fx.out, "zh/policies/notice-2023-1/")
    fx.build(today=dt.date(2025, 6, 1))
    assert 'class="note expired"' in read(fx.out, "zh/policies/notice-2023-1/")
    assert 'class="badge expiring"' not in read(fx.out, "zh/policies/notice-2023-1/")


def test_lists_mark_a_rule_not_yet_in_force_as_they_mark_an_expired_one(fx):
    """A reader scanning the home page or a section sees that a new rule does not apply yet, not only once
    they open it."""
    fx.redate("policies/notice-2023-1.md", "2023-01-05", "2023-01-03")  # issued before it takes effect
    fx.build(today=dt.date(2023, 1, 4))  # the notice is in force from 2023-01-05
    for page in ("zh/", "zh/policies/"):
        assert 'class="badge">尚未生效<' in read(fx.out, page)
    fx.build(today=dt.date(2023, 1, 5))
    assert "尚未生效" not in read(fx.out, "zh/policies/")


# -- the lint itself, on hand-made pages and facts -------------------------------------------
URLS = layout.Urls("https://example.org")
ZH = ["zh-Hans", "https://example.org/zh/a/"]
EN = ["en", "https://example.org/en/a/"]
XD = ["x-default", "https://example.org/zh/a/"]
SCOPE = lint.Scope(URLS, frozenset({"zh/a/index.html", "en/a/index.html", "assets/style.css"}))


def _page(alternates: list[list[str]], links=()) -> dict:
    """A page's record as the manifest keeps it: its internal links and its alternates."""
    return {"kind": "page", "facts": {"links": list(links), "alternates": alternates}}


def _pair(zh_alts, en_alts) -> dict:
    return {"zh/a/": _page(zh_alts), "en/a/": _page(en_alts)}


def _sitemap(files):
    return {URLS.absolute(p): f["facts"]["alternates"] for p, f in files.items()}


def _html(lang="zh-Hans", alternates=(ZH, EN, XD), body="<h1>A</h1>") -> str:
    head = "".join(f'<link rel="alternate" hreflang="{code}" href="{href}">' for code, href in alternates)
    return f'<!doctype html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


def test_lint_accepts_a_consistent_pair():
    files = _pair([ZH, EN, XD], [ZH, EN, XD])
    assert lint.lint_site(files, URLS, _sitemap(files)) == []
    assert lint.check_page("zh/a/", _html(), SCOPE)[0] == []


@pytest.mark.parametrize("files, message", [
    (_pair([ZH, EN, XD], [EN, XD]), "is not reciprocal"),
    ({"zh/a/": _page([ZH, ["en", "https://example.org/en/gone/"], XD])}, "points at a missing page"),
    ({"zh/a/": _page([], links=["/zh/missing/"])}, "broken internal link /zh/missing/"),
])
def test_lint_reports_mistakes_across_pages(files, message):
    problems = lint.lint_site(files, URLS, _sitemap(files))
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize("html, message", [
    (_html(alternates=(ZH, EN)), "zh/a/index.html: hreflang alternates without x-default"),
    (_html(alternates=(["zh-CN", ZH[1]], EN, XD)), "zh/a/index.html: wrong hreflang code 'zh-CN'"),
    (_html(alternates=(EN, XD)), "zh/a/index.html: hreflang alternates do not include the page itself"),
    (_html(lang="zh"), "zh/a/index.html: html lang 'zh'"),
    (_html(body="<h1>A</h1><h1>B</h1>"), "zh/a/index.html: has 2 h1 elements"),
    (_html(body='<h1>A</h1><a href="/zh/missing/">x</a>'), "zh/a/index.html: broken internal link /zh/missing/"),
    (_html(body='<h1>A</h1><a href="../b/">x</a>'), "zh/a/index.html: broken internal link ../b/"),
    (_html(body='<h1>A</h1><a href="java%09script:alert(8)">x</a>'),
     "zh/a/index.html: broken internal link java%09script:alert(8)"),  # no scheme: a relative link to nowhere
    (_html(body='<h1>A</h1><a href="&amp;#0;javascript:alert(9)">x</a>'),
     "zh/a/index.html: broken internal link &#0;javascript:alert(9)"),
    (_html(body='<h1 id="t">A</h1><a href="#nowhere">x</a>'), "zh/a/index.html: link to missing fragment #nowhere"),
    (_html(body='<h1>A</h1><img src="/assets/p.png">'), "zh/a/index.html: image /assets/p.png has no alt text"),
])
def test_a_page_written_is_checked_on_its_own(html, message):
    problems, _ = lint.check_page("zh/a/", html, SCOPE)
    assert any(p.startswith(message) for p in problems), problems


def test_a_page_keeps_only_its_internal_links_once_each_and_its_alternates_sorted():
    body = ('<h1 id="t">A</h1><a href="/en/a/">en</a><a href="https://example.com/x">out</a><a href="#t">top</a>'
            '<a href="https://example.org/zh/a/">self</a><a href="/en/a/">again</a><a href="mailto:a@b.c">m</a>')
    problems, facts = lint.check_page("zh/a/", _html(alternates=(XD, ZH, EN), body=body), SCOPE)
    assert problems == []
    assert facts == {"links": ("/en/a/", "https://example.org/zh/a/"), "alternates": (tuple(EN), tuple(XD), tuple(ZH))}


def test_a_link_found_broken_as_its_page_was_written_is_reported_once():
    files = {"zh/a/": _page([], links=["/zh/missing/"])}
    assert len(lint.lint_site(files, URLS, {})) == 1
    assert lint.lint_site(files, URLS, {}, fresh={"zh/a/"}) == []  # the page's own check reported it


def test_lint_reports_a_sitemap_that_disagrees_with_the_pages():
    files = _pair([ZH, EN, XD], [ZH, EN, XD])
    sitemap = _sitemap(files) | {"https://example.org/en/a/": [EN, XD]}
    assert any("alternates of https://example.org/en/a/ disagree" in p for p in lint.lint_site(files, URLS, sitemap))


def test_lint_reports_two_feeds_sharing_an_id():
    files = {"zh/feed.xml": {"kind": "feed", "facts": {"id": "https://example.org/zh/feed.xml", "entries": []}},
             "en/feed.xml": {"kind": "feed", "facts": {"id": "https://example.org/zh/feed.xml", "entries": []}}}
    assert any("is also the id of" in p for p in lint.lint_site(files, URLS, {}))
