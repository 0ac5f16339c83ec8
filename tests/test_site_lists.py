"""List pages: sections, programmes and tags cut into pages, and tags shown in the reader's language."""

from __future__ import annotations

import re
import subprocess
import sys

import html5lib
import pytest
from hypothesis import given
from hypothesis import strategies as st
from publish_helpers import make_fixture

from zaitun.check import check_project
from zaitun.content.model import load_documents
from zaitun.content.tags import load_tag_labels, same_tags
from zaitun.errors import GlossaryError
from zaitun.project import Project
from zaitun.publish import layout, social
from zaitun.publish.inputs import collect
from zaitun.publish.pagelinks import site_files


def titles_on(out, path: str) -> list[str]:
    text = (out / layout.file_of(path)).read_text(encoding="utf-8")
    return re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', text)


@pytest.fixture
def many(tmp_path):
    """Seven guides (three approved in English) with a page size of three."""
    fx = make_fixture(tmp_path / "proj")
    (fx.project.root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org"\npage_size = 3\n',
                                                 encoding="utf-8")
    fx.project = Project(fx.project.root)  # read the new settings
    for i in range(7):
        fx.write("guides", f"g{i}", f"title: 指南{i}\ndate: 2025-06-{10 + i}\ntags: [visa-free]", f"第{i}篇指南。")
    fx.ingest()
    for i in range(3):
        fx.translate_and_approve(f"g{i}", lambda source, i=i: f"Guide {i}." if "篇" in source else f"Guide {i}")
    return fx


def test_a_long_section_is_cut_into_pages_newest_first_each_document_once(many):
    many.build()
    out = many.out
    pages = ["zh/guides/", "zh/guides/page/2/", "zh/guides/page/3/"]
    listed = [title for page in pages for title in titles_on(out, page)]
    assert listed == [f"指南{i}" for i in range(6, -1, -1)]
    assert not (out / "zh/guides/page/4/index.html").exists()
    assert not (out / "zh/guides/page/1/index.html").exists()  # page one is the section itself


def test_pages_link_previous_and_next_and_say_where_the_reader_is(many):
    many.build()
    middle = (many.out / "zh/guides/page/2/index.html").read_text(encoding="utf-8")
    assert 'rel="prev" href="/zh/guides/"' in middle
    assert 'rel="next" href="/zh/guides/page/3/"' in middle
    assert "第 2 页，共 3 页" in middle
    assert "<title>办事指南（第 2 页）" in middle
    first = (many.out / "zh/guides/index.html").read_text(encoding="utf-8")
    assert 'rel="prev"' not in first and 'rel="next" href="/zh/guides/page/2/"' in first


def test_english_pages_follow_the_approved_documents_only(many):
    many.build()
    assert titles_on(many.out, "en/guides/") == ["Guide 2", "Guide 1", "Guide 0"]
    assert not (many.out / "en/guides/page/2/index.html").exists()
    second = (many.out / "zh/guides/page/2/index.html").read_text(encoding="utf-8")
    assert 'hreflang="en"' not in second  # no English page 2 exists to pair with
    assert 'hreflang="x-default" href="https://example.org/zh/guides/page/2/"' in second


def test_navigation_links_each_section_once_at_its_first_page(many):
    many.build()
    page = (many.out / "zh/guides/page/3/index.html").read_text(encoding="utf-8")
    nav = page[page.index("<nav"):page.index("</nav>")]
    assert nav.count('href="/zh/guides/') == 1 and 'href="/zh/guides/"' in nav


def test_every_list_page_parses_as_strict_html5_and_the_lint_accepts_the_site(many):
    report = many.build()  # the build lints its own output (hreflang, links, sitemap) and raises on a mistake
    pages = [p for p in many.out.rglob("*.html") if "page" in p.parts]
    assert len(pages) >= 4 and report.problems == []
    for path in pages:
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_text(encoding="utf-8"))


def test_tag_pages_are_paginated_too(many):
    many.build()
    assert titles_on(many.out, "zh/tags/visa-free/page/3/") == ["指南0"]


def built_in_a_new_process(project: Project) -> None:
    """A build as `zaitun build` makes it, on the fixture's day: from what the build online saved (snapshot.py)."""
    built = subprocess.run([sys.executable, "-c", "import datetime as dt\nfrom zaitun.project import Project\n"
                            "from zaitun.publish.site import build_site\nfrom zaitun.state.store import Store\n"
                            f"project = Project({str(project.root)!r})\n"
                            f"build_site(project, Store.open(project.database_url), today=dt.date(2025, 7, 1))\n"],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr


def tags_on_home(out, lang: str) -> list[tuple[str, int]]:
    """The tags a language's home page lists, in order, each with the number of documents it says it has: as
    the page listing every tag lists them."""
    listed = []
    for path in (layout.home(lang), layout.tags(lang)):
        text = (out / layout.file_of(path)).read_text(encoding="utf-8")
        found = re.findall(rf'<a href="/{lang}/tags/([^/]+)/">[^<]*<span class="count">[(（](\d+)[)）]</span>', text)
        listed.append([(tag, int(count)) for tag, count in found])
    assert listed[0] == listed[1]
    return listed[0]


def test_the_home_and_tags_pages_list_every_tag_most_used_first_as_documents_are_tagged_by_warm_and_new_processes(
        tmp_path):
    """Readers found a tag's page only from a document showing the tag (and /en/tags/ was not found): the home
    page and the tags page list them all, with how many documents each lists, in the reader's language (English
    from the approved tags), kept true by a warm rebuild (`zaitun up`) and by a new process's (`zaitun build`)
    of documents older than those the home page lists (a change to one of those plans the home page anyway)."""
    fx = make_fixture(tmp_path / "proj")

    def guide(i: int, tags: str) -> None:
        fx.write("guides", f"g{i}", f"title: 指南{i}\ndate: 2025-05-{1 + i:02d}\ntags: [{tags}]", f"第{i}篇指南。")

    for i in range(22):
        guide(i, "visa-free")
    fx.ingest()
    for i in range(2):
        fx.translate_and_approve(f"g{i}", lambda source, i=i: f"Guide {i}." if "篇" in source else f"Guide {i}")
    fx.build()
    assert tags_on_home(fx.out, "zh") == [("visa-free", 22)]
    assert tags_on_home(fx.out, "en") == [("visa-free", 2)]
    tag_page = (fx.out / "en/tags/visa-free/index.html").read_text(encoding="utf-8")
    assert '<a href="/en/tags/">All tags</a>' in tag_page  # up from a tag's page to every tag
    guide(0, "visa-free, transit")  # a new tag: its label is looked up, every list planned again
    fx.ingest()
    fx.build()
    assert tags_on_home(fx.out, "zh") == [("visa-free", 22), ("transit", 1)]
    guide(1, "visa-free, transit")
    fx.ingest()
    fx.build()  # this process built last: warm
    assert tags_on_home(fx.out, "zh") == [("visa-free", 22), ("transit", 2)]
    for i in (0, 1):
        guide(i, "transit")
    fx.ingest()
    built_in_a_new_process(fx.project)
    assert tags_on_home(fx.out, "zh") == [("visa-free", 20), ("transit", 2)]
    assert tags_on_home(fx.out, "en") == [("visa-free", 2)]  # their English waits for review with its tags


def test_the_programmes_page_lists_every_programme_as_documents_join_and_leave_them(tmp_path):
    """/en/programmes/ was not found: it lists every programme of the language, each programme's page links
    to it, and a programme an old document joins or leaves (one the home page does not list) is there or gone
    after a warm rebuild and a new process's alike."""
    fx = make_fixture(tmp_path / "proj")

    def guide(i: int, programme: str | None) -> None:
        fx.write("guides", f"g{i}", f"title: 指南{i}\ndate: 2025-05-{1 + i:02d}"
                 + (f"\nprogramme: {programme}" if programme else ""), f"第{i}篇指南。")

    def programmes(lang: str) -> list[str]:
        text = (fx.out / layout.file_of(layout.programmes(lang))).read_text(encoding="utf-8")
        return re.findall(rf'<li><a href="/{lang}/programmes/([^/]+)/">', text)

    for i in range(22):
        guide(i, "240-hour-transit" if i > 10 else None)
    fx.ingest()
    fx.build()
    assert programmes("zh") == ["240-hour-transit"] and programmes("en") == []
    page = (fx.out / "zh/programmes/240-hour-transit/index.html").read_text(encoding="utf-8")
    assert '<a href="/zh/programmes/">全部专题</a>' in page
    guide(0, "payments")
    fx.ingest()
    fx.build()  # warm
    assert programmes("zh") == ["240-hour-transit", "payments"]
    guide(0, None)
    fx.ingest()
    built_in_a_new_process(fx.project)
    assert programmes("zh") == ["240-hour-transit"]


def test_a_list_that_fits_on_one_page_has_no_pager(tmp_path):
    fx = make_fixture(tmp_path / "proj")
    fx.write("guides", "only", "title: 唯一\ndate: 2025-06-01", "内容。")
    fx.ingest()
    fx.build()
    assert 'class="pager"' not in (fx.out / "zh/guides/index.html").read_text(encoding="utf-8")


def test_a_page_size_below_one_is_refused_with_its_line(tmp_path):
    fx = make_fixture(tmp_path / "proj")
    (fx.project.root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org"\npage_size = 0\n',
                                                 encoding="utf-8")
    problems = [str(p) for p in check_project(fx.project)]
    assert any("zaitun.toml:3" in p and "page_size" in p for p in problems), problems


# -- tags in the reader's language ---------------------------------------------------------------
def tagged(tmp_path, labels: str | None, shown: str = "tags: [visa-free, 泉州晋江国际机场, 签证]"):
    """The guide transit approved in English, with what it is `shown` under (its tags, or a programme), and
    tags.yaml holding `labels`."""
    fx = make_fixture(tmp_path / "proj")
    if labels is not None:
        (fx.project.glossary_dir / "tags.yaml").write_text(labels, encoding="utf-8")
    fx.write("guides", "transit", f"title: 过境免签\ndate: 2025-06-01\n{shown}", "过境免签。")
    fx.ingest()
    fx.translate_and_approve("transit", lambda source: "Visa-free transit.")
    return fx


def test_tags_are_shown_with_the_label_of_each_language_on_the_same_tag_page(tmp_path):
    fx = tagged(tmp_path, "visa-free: {zh: 免签, en: Visa-free travel}\n签证: {en: Visas}\n")
    report = fx.build()
    zh = (fx.out / "zh/guides/transit/index.html").read_text(encoding="utf-8")
    en = (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
    assert '<a href="/zh/tags/visa-free/">#免签</a>' in zh
    assert '<a href="/en/tags/visa-free/">#Visa-free travel</a>' in en
    assert "#Visas</a>" in en and "#签证</a>" in zh
    # a Chinese tag that is a glossary term takes the approved English
    assert "#Quanzhou Jinjiang International Airport</a>" in en
    tag_page = (fx.out / "en/tags/visa-free/index.html").read_text(encoding="utf-8")
    assert "<h1>Tag: Visa-free travel</h1>" in tag_page
    assert 'hreflang="zh-Hans" href="https://example.org/zh/tags/visa-free/"' in tag_page
    assert report.unlabelled_tags == []


def test_a_tag_without_a_label_is_shown_as_written_and_reported(tmp_path):
    fx = tagged(tmp_path, None)
    report = fx.build()
    en = (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
    assert "#签证</a>" in en  # no label anywhere: shown as written rather than dropped
    assert "#visa free</a>" in en  # a slug reads as English
    assert report.unlabelled_tags == ["visa-free (zh)", "签证 (en)"]


def test_a_tag_written_twice_or_in_other_letter_case_is_one_tag_shown_once(tmp_path):
    fx = tagged(tmp_path, None, "tags: [visa-free, 签证, Visa-Free, 签证, visa free]")
    fx.build()
    for lang in ("zh", "en"):
        page = (fx.out / f"{lang}/guides/transit/index.html").read_text(encoding="utf-8")
        assert page.count(f'href="/{lang}/tags/visa-free/"') == 1 and page.count("#签证</a>") == 1
        listed = (fx.out / f"{lang}/tags/visa-free/index.html").read_text(encoding="utf-8")
        assert listed.count(f'href="/{lang}/guides/transit/"') == 1


def test_a_tag_written_as_another_tags_chinese_label_is_that_tag_on_one_page(tmp_path):
    """tags.yaml says 免签 is visa-free's Chinese: a guide tagged 免签 is on the visa-free page with the one tagged
    visa-free, and no page of its own shows the same words; `zaitun check` expects the same pages."""
    fx = tagged(tmp_path, "visa-free: {zh: 免签, en: Visa-free}\n")
    fx.write("guides", "ferry", "title: 渡轮\ndate: 2025-06-02\ntags: [免签, visa-free]", "渡轮。")
    fx.ingest()
    fx.build()
    listed = (fx.out / "zh/tags/visa-free/index.html").read_text(encoding="utf-8")
    assert 'href="/zh/guides/transit/"' in listed and listed.count('href="/zh/guides/ferry/"') == 1
    assert not (fx.out / layout.file_of(layout.tag("zh", "免签"))).exists()
    ferry = (fx.out / "zh/guides/ferry/index.html").read_text(encoding="utf-8")
    assert ferry.count('<a href="/zh/tags/visa-free/">#免签</a>') == 1
    assert not [str(p) for p in check_project(fx.project) if "tags" in str(p)]
    predicted = site_files(load_documents(fx.project.content_dir).documents, fx.project.static_dir, 20,
                           same_tags(load_tag_labels(fx.project.glossary_dir)))
    assert layout.file_of(layout.tag("zh", "visa-free")) in predicted
    assert layout.file_of(layout.tag("zh", "免签")) not in predicted


def test_a_tag_whose_english_holds_a_forbidden_rendering_is_shown_with_the_approved_one_and_named(tmp_path):
    """Staff write tags and no reviewer reads them: a slug tag shown as written, or a label of tags.yaml, holding a
    rendering the glossary forbids never reaches the English site, whatever the Chinese it labels."""
    fx = tagged(tmp_path, "events: {zh: 活动, en: Propaganda Dept events}\n",
                "tags: [propaganda-department, events, 签证]")
    with (fx.project.glossary_dir / "terms.csv").open("a", encoding="utf-8") as terms:
        terms.write("宣传部,Publicity Department,Propaganda Department|Propaganda Dept,\n")
    report = fx.build()
    en = (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
    assert "Propaganda" not in en
    assert '<a href="/en/tags/propaganda-department/">#Publicity Department</a>' in en
    assert '<a href="/en/tags/events/">#活动</a>' in en  # its Chinese label: no English nobody approved
    assert "Propaganda" not in (fx.out / "en/tags/propaganda-department/index.html").read_text(encoding="utf-8")
    named = [p for p in report.problems if "propaganda-department" in p or "'events'" in p]
    assert len(named) == 2 and all("tags.yaml" in p and "forbidden rendering of 宣传部" in p for p in named)
    assert sorted(str(p) for p in check_project(fx.project) if "宣传部" in str(p)) == sorted(named)  # check agrees
    (fx.project.state_dir / "tags-screened.json").write_text('{"key": 1, "refused": [[1]]}', encoding="utf-8")
    fx.write("guides", "other", "title: 其他\ndate: 2025-06-02\ntags: [propaganda-department]", "其他。")
    fx.ingest()
    again = fx.build()  # screened as before (its outcome kept): said again, shown the same
    assert len([p for p in again.problems if "forbidden rendering of 宣传部" in p]) == 2
    assert "Propaganda" not in (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
    assert "Propaganda" not in (fx.out / "zh/guides/other/index.html").read_text(encoding="utf-8")


def test_a_programme_or_section_whose_english_holds_a_forbidden_rendering_shows_the_approved_one(tmp_path):
    fx = tagged(tmp_path, None, "programme: propaganda-department")
    with (fx.project.glossary_dir / "terms.csv").open("a", encoding="utf-8") as terms:
        terms.write("宣传部,Publicity Department,Propaganda Department|Propaganda Office,\n")
    fx.write("propaganda-office", "hours", "title: 开放时间\ndate: 2025-06-02", "开放时间。")
    fx.ingest()
    fx.translate_and_approve("hours", lambda source: "Opening hours")
    report = fx.build()
    pages = [fx.out / "en/guides/transit/index.html", fx.out / "en/propaganda-office/hours/index.html",
             fx.out / "en/programmes/propaganda-department/index.html", fx.out / "en/propaganda-office/index.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "Propaganda" not in text and "Publicity Department" in text, page
    assert {p.split("'")[0] for p in report.problems if "forbidden rendering of 宣传部" in p} >= {
        f"{fx.project.glossary_dir / 'tags.yaml'}: programme ", f"{fx.project.glossary_dir / 'tags.yaml'}: section "}
    transit = next(e for e in collect(fx.store, {}) if e.slug == "transit" and e.lang == "en")
    assert social.hashtags(transit) == ["PropagandaDepartment"]
    assert social.hashtags(transit, {"propaganda-department"}) == []  # the posts carry no such hashtag


def test_a_new_label_re_renders_the_pages_that_show_the_tag(tmp_path):
    fx = tagged(tmp_path, None)
    fx.build()
    (fx.project.glossary_dir / "tags.yaml").write_text("签证: {en: Visas}\n", encoding="utf-8")
    report = fx.build()
    assert "en/guides/transit/" in report.rendered
    assert "#Visas</a>" in (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")


def programme_guide(tmp_path, labels: str | None):
    return tagged(tmp_path, labels, "programme: 240-hour-transit")


def test_a_programme_is_shown_with_its_label_of_each_language_on_its_pages_and_feeds(tmp_path):
    """A Chinese page named its programme by its slug, in English ("专题: 240-hour transit")."""
    fx = programme_guide(tmp_path, "240-hour-transit: {zh: 240小时过境免签, en: 240-hour visa-free transit}\n")
    report = fx.build()
    zh_page = (fx.out / "zh/programmes/240-hour-transit/index.html").read_text(encoding="utf-8")
    assert "<h1>专题：240小时过境免签</h1>" in zh_page and "240-hour" not in zh_page.split("<h1>")[1].split("</h1>")[0]
    assert "<h1>Programme: 240-hour visa-free transit</h1>" in (
        fx.out / "en/programmes/240-hour-transit/index.html").read_text(encoding="utf-8")
    assert '<a class="programme" href="/zh/programmes/240-hour-transit/">专题：240小时过境免签</a>' in (
        fx.out / "zh/guides/transit/index.html").read_text(encoding="utf-8")
    assert "<title>泉州市政府信息（双语） – 专题：240小时过境免签</title>" in (
        fx.out / "zh/programmes/240-hour-transit/feed.xml").read_text(encoding="utf-8")
    assert "240小时过境免签" in (fx.out / "zh/index.html").read_text(encoding="utf-8")  # the home's programmes
    assert report.unlabelled_tags == []


def test_a_programme_without_a_chinese_label_is_reported_and_its_title_punctuated_in_chinese(tmp_path):
    fx = programme_guide(tmp_path, None)
    report = fx.build()
    assert "<h1>专题：240-hour transit</h1>" in (
        fx.out / "zh/programmes/240-hour-transit/index.html").read_text(encoding="utf-8")
    assert report.unlabelled_tags == ["240-hour-transit (zh)"]


@pytest.mark.parametrize(("text", "line", "message"), [
    ("visa-free: [免签]\n", 1, "expected labels"),
    ("ok: {zh: 好}\nvisa-free: {fr: Visa}\n", 2, "unknown language 'fr'"),
    ("visa-free: {zh: ''}\n", 1, "empty zh label"),
    ("visa-free: {zh: [\n", 2, "not valid YAML"),
])
def test_a_broken_tags_file_is_reported_with_its_line(tmp_path, text, line, message):
    fx = make_fixture(tmp_path / "proj")
    path = fx.project.glossary_dir / "tags.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        load_tag_labels(fx.project.glossary_dir)
    assert caught.value.line == line and message in str(caught.value)
    assert any(f"tags.yaml:{line}" in str(p) for p in check_project(fx.project))


def test_a_tags_file_saved_in_gbk_is_named_at_its_line_and_one_with_a_byte_order_mark_is_read(tmp_path):
    """Notepad on Chinese Windows saves "ANSI", that is GBK: check and every pass stopped with a traceback."""
    fx = make_fixture(tmp_path / "proj")
    path = fx.project.glossary_dir / "tags.yaml"
    path.write_bytes("ok: {zh: 好, en: Good}\nvisa-free: {zh: 免签, en: Visa-free}\n".encode("gbk"))
    with pytest.raises(GlossaryError) as caught:
        load_tag_labels(fx.project.glossary_dir)
    assert caught.value.line == 1
    assert "not UTF-8 text: byte 0xba is not UTF-8; save the file as UTF-8" in str(caught.value)
    assert any("tags.yaml:1: not UTF-8" in str(p) for p in check_project(fx.project))
    path.write_bytes(b"\xef\xbb\xbf" + "visa-free: {zh: 免签, en: Visa-free}\n".encode())
    assert load_tag_labels(fx.project.glossary_dir) == {"visa-free": {"zh": "免签", "en": "Visa-free"}}


def test_a_broken_tags_file_stops_no_build_and_is_named(tmp_path):
    """The site goes on with its tags shown by their names; the build names the file and line till it is mended."""
    fx = tagged(tmp_path, "visa-free: {zh: [\n")
    fx.write("guides", "ferry", "title: 渡轮\ndate: 2025-06-02\ntags: [visa-free]", "渡轮。")
    fx.ingest()
    report = fx.build()
    assert (fx.out / "zh/guides/ferry/index.html").is_file()
    assert "#visa free</a>" in (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
    assert any("tags.yaml:2" in p and "not valid YAML" in p for p in report.problems), report.problems


@given(st.text(max_size=20))
def test_a_tag_page_is_always_one_folder_under_tags_whatever_the_tag(tag):
    key = layout.tag_key(tag)
    assert layout.tag("zh", tag) == f"zh/tags/{key}/"
    assert key not in ("", ".", "..") and "/" not in key and "\\" not in key
    assert not any(ord(c) < 32 or c == "\x7f" for c in key)


def events_section(tmp_path, labels: str | None):
    """A section folder staff added (content/events/), its one document approved in English."""
    fx = make_fixture(tmp_path / "proj")
    if labels is not None:
        (fx.project.glossary_dir / "tags.yaml").write_text(labels, encoding="utf-8")
    fx.write("events", "fair", "title: 泉州国际车展\ndate: 2025-06-20", "车展在晋江举行。")
    fx.ingest()
    fx.translate_and_approve("fair")
    return fx


def shown_text(page: str) -> str:
    """What a reader sees of a page: the text of its body."""
    return "".join(html5lib.parse(page, namespaceHTMLElements=False).find("body").itertext())


def zaitun_build(fx) -> str:
    """`zaitun build` as staff run it: its output."""
    done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(fx.project.root), "build"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_section_staff_added_is_named_by_its_chinese_label_on_chinese_pages(tmp_path):
    fx = events_section(tmp_path, "events: {zh: 活动, en: Events and fairs}\n")
    said = zaitun_build(fx)
    section = (fx.out / "zh/events/index.html").read_text(encoding="utf-8")
    document = (fx.out / "zh/events/fair/index.html").read_text(encoding="utf-8")
    home = (fx.out / "zh/index.html").read_text(encoding="utf-8")
    assert "<h1>活动</h1>" in section  # the section page's title
    assert '<a href="/zh/events/">活动</a></p>' in document  # the breadcrumbs
    assert "<span>活动</span>" in home  # the document's line in a list
    assert '<a href="/zh/events/"' in home and ">活动</a>" in home.split('<a href="/zh/events/"')[1][:40]  # the nav
    assert not any(re.search(r"\bevents\b", shown_text(page), re.IGNORECASE) for page in (section, document, home))
    assert "<h1>Events and fairs</h1>" in (fx.out / "en/events/index.html").read_text(encoding="utf-8")
    assert "no label" not in said


def test_a_section_without_a_chinese_label_is_named_by_its_folder_and_the_build_says_so(tmp_path):
    fx = events_section(tmp_path, None)
    said = zaitun_build(fx)
    assert "<h1>events</h1>" in (fx.out / "zh/events/index.html").read_text(encoding="utf-8")
    assert "<h1>Events</h1>" in (fx.out / "en/events/index.html").read_text(encoding="utf-8")
    assert re.search(r"no label in tags\.yaml: .*\bevents \(zh\)", said)
