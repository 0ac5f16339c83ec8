"""The sitemap of a rebuild: a document's first change of a day moves its <lastmod>. A process that builds
again makes again only the elements of pages that changed, reads back only those, and checks across only the
URLs listed otherwise than online; a large site's sitemap is an index of shards, and a rebuild writes again only
the shards whose pages changed, in a new process too. What it writes and refuses is what a build of everything
would."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from lxml import etree
from publish_helpers import PAYING, TODAY, aged_project
from test_site_cold import BUILD, _full_build_of_a_copy
from test_site_warm import _in_another_process

from zaitun import check
from zaitun.content.model import load_documents
from zaitun.errors import PublishError
from zaitun.project import Project
from zaitun.publish import extras, layout, lint, output
from zaitun.publish.site import build_site
from zaitun.state.store import Store

URLS = layout.Urls("https://example.org/")
EARLIER = "2025-06-02 02:00:00"  # the day every document of the fixture was last changed (UTC, as stored)


@pytest.fixture
def fx(tmp_path):
    with aged_project(tmp_path / "proj") as fx:
        _changed_on(fx.project, EARLIER)
        fx.build()
        yield fx


def _changed_on(project: Project, at: str) -> None:
    """Every stored document and release as if last written at `at`."""
    db = sqlite3.connect(project.state_dir / "state.db")
    with db:
        db.execute("UPDATE documents SET updated_at = ?", (at,))
        db.execute("UPDATE releases SET created_at = ?", (at,))
    db.close()


def _pay(fx, text: str) -> None:
    fx.write("guides", "paying", PAYING, f"## 刷卡\n\n{text}\n")
    assert fx.ingest().ingested == ["paying"]


def _elements_made(monkeypatch) -> list[str]:
    """The paths whose sitemap elements the builds of this test make."""
    made, real = [], extras._url
    monkeypatch.setattr(extras, "_url", lambda path, *rest: made.append(path) or real(path, *rest))
    return made


def _sitemap(fx) -> str:
    return (fx.out / layout.SITEMAP).read_text(encoding="utf-8")


def test_a_documents_first_change_of_a_day_makes_again_only_its_own_sitemap_elements(fx, tmp_path, monkeypatch):
    assert "<lastmod>2025-06-02</lastmod>" in _sitemap(fx)
    made = _elements_made(monkeypatch)
    _pay(fx, "第一次修改。")  # stored today: its pages' <lastmod> moves
    report = fx.build()
    assert layout.SITEMAP in report.rendered and layout.document("zh", "guides", "paying") in made
    assert not {layout.document(lang, "guides", "transit") for lang in layout.LANGS} & set(made)
    assert not {layout.document(lang, "policies", "notice-2023-1") for lang in layout.LANGS} & set(made)
    cold = tmp_path / "cold"
    shutil.copytree(fx.project.root, cold, ignore=shutil.ignore_patterns("publish*", ".publish*"))
    store = Store.open(Project(cold).database_url)
    build_site(Project(cold), store, today=TODAY)
    store.close()
    assert (cold / "publish" / layout.SITEMAP).read_bytes() == (fx.out / layout.SITEMAP).read_bytes()


@pytest.mark.parametrize("spoil, message", [
    (lambda rows, gone: ["" if r and gone in r else r for r in rows],
     "page https://example.org/zh/guides/transit/ is missing"),
    (lambda rows, gone: [r and r.replace("/en/guides/transit/", "/en/guides/elsewhere/") for r in rows],
     "alternates of https://example.org/zh/guides/transit/ disagree with the page"),
], ids=["an-unchanged-page-left-out", "an-unchanged-page-given-other-alternates"])
def test_a_rebuilds_sitemap_spoiled_for_a_page_it_did_not_write_is_refused(fx, monkeypatch, spoil, message):
    before = _sitemap(fx)
    real = extras.sitemap_rows
    monkeypatch.setattr(extras, "sitemap_rows", lambda *args: spoil(real(*args), "/zh/guides/transit/<"))
    _pay(fx, "第一次修改。")
    with pytest.raises(PublishError, match=message):
        fx.build()
    assert _sitemap(fx) == before


def _made_in_new_process(fx, tmp_path) -> list[str]:
    """`zaitun build` in a new interpreter, as a person runs it, its sitemap sharded past SHARDED URLs; the paths
    whose sitemap elements it made."""
    log = tmp_path / "made.json"
    _in_another_process(fx, f"{SHARDING}"
                        "made, real = [], extras._url\n"
                        "extras._url = lambda path, *rest: made.append(path) or real(path, *rest)\n"
                        f"{BUILD}\nimport json\nopen({str(log)!r}, 'w').write(json.dumps(made))")
    return json.loads(log.read_text())


# -- a large site's sitemap: an index of shards ----------------------------------------------------------------------
SHARDED = 3  # URLs a sitemap file lists at most in these tests (extras.SHARD_URLS), and pages a shard lists about
# (SHARD_PAGES): the fixture's site is sharded
SHARDING = f"from zaitun.publish import extras\nextras.SHARD_URLS = extras.SHARD_PAGES = {SHARDED}\n"  # in a process


@pytest.fixture
def large(tmp_path, monkeypatch):
    monkeypatch.setattr(extras, "SHARD_URLS", SHARDED)
    monkeypatch.setattr(extras, "SHARD_PAGES", SHARDED)
    with aged_project(tmp_path / "proj") as fx:
        _changed_on(fx.project, EARLIER)
        fx.build()
        yield fx


def _shards(site) -> dict[str, bytes]:
    """The sitemap files of a built site that sitemap.xml lists, by name."""
    index = etree.fromstring((site / layout.SITEMAP).read_bytes())
    assert index.tag == f"{{{lint.NS['s']}}}sitemapindex"
    names = [url.rsplit("/", 1)[1] for url in index.xpath("//s:loc/text()", namespaces=lint.NS)]
    return {name: (site / name).read_bytes() for name in names}


def _elements(data: bytes) -> list[bytes]:
    return [e + lint.URL_END.encode() for e in data.removeprefix(lint.SITEMAP_HEAD).removesuffix(
        lint.SITEMAP_TAIL).split(lint.URL_END.encode())[:-1]]


def _shard_of(site, slug: str) -> str:
    return next(name for name, data in _shards(site).items() if f"/{slug}/</loc>".encode() in data)


def _others(site, slug: str) -> list[str]:
    """The documents whose pages are in other shards than `slug`'s."""
    mine = _shard_of(site, slug)
    return sorted({loc.split("/")[-2] for name, data in _shards(site).items() if name not in (mine, "sitemap-lists.xml")
                   for loc in etree.fromstring(data).xpath("//s:loc/text()", namespaces=lint.NS)})


def test_a_large_sites_sitemap_is_an_index_of_shards_listing_each_url_as_one_sitemap_does(large, tmp_path, monkeypatch):
    shards = _shards(large.out)
    assert list(shards) == ["sitemap-lists.xml", *(f"sitemap-{n}.xml" for n in range(1, len(shards)))]
    assert len(shards) > 2
    for data in shards.values():  # each a <urlset> of about SHARD_PAGES documents' pages
        assert etree.fromstring(data).tag == f"{{{lint.NS['s']}}}urlset"
    for lang in layout.LANGS:  # a document's pages in both languages are in one shard
        assert f"/{lang}/guides/transit/</loc>".encode() in shards[_shard_of(large.out, "transit")]
    monkeypatch.setattr(extras, "SHARD_URLS", 1000)
    one = _full_build_of_a_copy(large, tmp_path / "one").publish_dir / layout.SITEMAP
    assert sorted(e for data in shards.values() for e in _elements(data)) == sorted(_elements(one.read_bytes()))
    assert "Sitemap: https://example.org/sitemap.xml" in (large.out / layout.ROBOTS).read_text()


def test_a_documents_first_change_of_a_day_writes_again_only_its_shard_of_the_sitemap(large, tmp_path, monkeypatch):
    shard = _shard_of(large.out, "paying")
    made = _elements_made(monkeypatch)
    _pay(large, "第一次修改。")
    report = large.build()
    assert [p for p in report.rendered if p.startswith("sitemap")] == [shard]
    assert not {path for slug in _others(large.out, "paying") for path in made if f"/{slug}/" in path}
    full = _full_build_of_a_copy(large, tmp_path / "full").publish_dir
    assert _shards(large.out) == _shards(full)


def test_a_new_process_makes_the_elements_of_the_changed_documents_shard_alone(large, tmp_path):
    _in_another_process(large, f"{SHARDING}{BUILD}")
    others = _others(large.out, "paying")
    _pay(large, "第一次修改。")
    made = _made_in_new_process(large, tmp_path)
    assert layout.document("zh", "guides", "paying") in made
    assert others and not {path for slug in others for path in made if f"/{slug}/" in path}
    full = _full_build_of_a_copy(large, tmp_path / "full").publish_dir
    assert _shards(large.out) == _shards(full)


def test_a_document_withdrawn_leaves_its_shard_in_a_new_process(large, tmp_path):
    _in_another_process(large, f"{SHARDING}{BUILD}")
    shard = _shard_of(large.out, "notice-2023-1")
    (large.project.content_dir / "policies" / "notice-2023-1.md").unlink()
    large.ingest()
    _made_in_new_process(large, tmp_path)
    assert b"/notice-2023-1/" not in (large.out / shard).read_bytes() and shard in _shards(large.out)
    full = _full_build_of_a_copy(large, tmp_path / "full").publish_dir
    assert _shards(large.out) == _shards(full)


def test_a_new_list_page_writes_the_shard_of_lists_again_in_a_new_process(large, tmp_path):
    _in_another_process(large, f"{SHARDING}{BUILD}")
    large.write("guides", "paying", PAYING.replace("[payments]", "[payments, cards]"), "## 刷卡\n\n新标签。\n")
    assert large.ingest().ingested == ["paying"]
    _made_in_new_process(large, tmp_path)
    assert b"/zh/tags/cards/</loc>" in (large.out / "sitemap-lists.xml").read_bytes()
    full = _full_build_of_a_copy(large, tmp_path / "full").publish_dir
    assert _shards(large.out) == _shards(full)


def test_a_shard_changed_by_hand_online_is_made_again_whole_when_its_document_changes(large, tmp_path):
    shard = output.current(large.out) / output.SITE / _shard_of(large.out, "paying")
    spoiled = shard.read_bytes().replace(b"<lastmod>", b"<lastmod>1")
    shard.unlink()  # its version's file, shared with no other (a hard link would carry the change along)
    shard.write_bytes(spoiled)
    _pay(large, "第一次修改。")
    _made_in_new_process(large, tmp_path)
    full = _full_build_of_a_copy(large, tmp_path / "full").publish_dir
    assert _shards(large.out) == _shards(full)


def test_a_shard_known_unchanged_whose_file_online_is_gone_is_made_again(large, tmp_path):
    gone = _shard_of(large.out, _others(large.out, "paying")[0])
    (output.current(large.out) / output.SITE / gone).unlink()
    _pay(large, "第一次修改。")
    _made_in_new_process(large, tmp_path)
    full = _full_build_of_a_copy(large, tmp_path / "full").publish_dir
    assert _shards(large.out) == _shards(full)


NOTICE = "/zh/policies/notice-2023-1/<"  # the notice's Chinese page, in the shard it shares with paying: left out
SPOIL = ("real = extras.sitemap_rows\n"
         f"extras.sitemap_rows = lambda *a: [row for row in real(*a) if {NOTICE!r} not in row]\n")


@pytest.mark.parametrize("process", ["same", "new"])
def test_a_rebuilds_shard_spoiled_for_a_page_it_did_not_write_is_refused(large, monkeypatch, process):
    assert _shard_of(large.out, "paying") == _shard_of(large.out, "notice-2023-1")  # the one shard written
    before = _shards(large.out)
    _pay(large, "第一次修改。")
    missing = "page https://example.org/zh/policies/notice-2023-1/ is missing"
    if process == "same":
        real = extras.sitemap_rows
        monkeypatch.setattr(extras, "sitemap_rows", lambda *a: [row for row in real(*a) if NOTICE not in row])
        with pytest.raises(PublishError, match=missing):
            large.build()
    else:
        done = _in_another_process(large, f"{SHARDING}{SPOIL}{BUILD}", check=False)
        assert done.returncode != 0 and missing in done.stderr
    assert _shards(large.out) == before


def test_a_sitemap_index_leaving_out_a_shard_or_listing_another_is_refused():
    files = _files() | {"sitemap-1.xml": {"kind": "sitemap", "facts": _listed(_files())},
                        layout.SITEMAP: {"kind": "sitemapindex", "facts": {"sitemaps": [
                            "https://example.org/sitemap-9.xml"]}}}
    assert lint.lint_site(files, URLS, _listed(_files()), None, set(), None, ["sitemap-1.xml"]) == [
        f"{layout.SITEMAP}: lists https://example.org/sitemap-9.xml, which is not a sitemap of the site",
        f"{layout.SITEMAP}: sitemap https://example.org/sitemap-1.xml is missing"]


# -- across the pages, given the sitemap online --------------------------------------------------------------------
ZH, EN, XD = (["zh-Hans", "https://example.org/zh/a/"], ["en", "https://example.org/en/a/"],
              ["x-default", "https://example.org/zh/a/"])
B = [["zh-Hans", "https://example.org/zh/b/"], ["x-default", "https://example.org/zh/b/"]]


def _files() -> dict:
    page = lambda alternates: {"kind": "page", "facts": {"links": [], "alternates": alternates}}  # noqa: E731
    return {"zh/a/": page([ZH, EN, XD]), "en/a/": page([ZH, EN, XD]), "zh/b/": page(B),
            layout.SITEMAP: {"kind": "sitemap", "facts": {}}}


def _listed(files: dict) -> dict:
    return {URLS.absolute(p): f["facts"]["alternates"] for p, f in files.items() if f["kind"] == "page"}


def _lint(sitemap: dict, before: dict, written: set[str]) -> list[str]:
    return lint.lint_site(_files(), URLS, sitemap, written | {layout.SITEMAP}, set(written), before)


def test_a_rebuilds_sitemap_listing_a_page_otherwise_than_online_is_checked_against_it():
    online = _listed(_files())
    wrong = online | {"https://example.org/zh/b/": [B[0]]}
    assert _lint(wrong, online, {"zh/a/"}) == [
        f"{layout.SITEMAP}: alternates of https://example.org/zh/b/ disagree with the page"]


def test_a_rebuilds_sitemap_leaving_out_a_page_it_listed_online_is_refused():
    online = _listed(_files())
    left_out = {url: links for url, links in online.items() if "/zh/b/" not in url}
    assert _lint(left_out, online, {"zh/a/"}) == [f"{layout.SITEMAP}: page https://example.org/zh/b/ is missing"]


def test_a_page_written_is_sought_in_the_sitemap_even_where_it_lists_what_it_did_online():
    online = _listed(_files())
    without_a = {url: links for url, links in online.items() if "/zh/a/" not in url}
    assert _lint(without_a, without_a, {"zh/a/"}) == [f"{layout.SITEMAP}: page https://example.org/zh/a/ is missing"]


def test_a_url_listed_as_online_whose_page_was_not_written_is_not_checked_again():
    """It agreed with its page when the build online was checked, and neither changed since."""
    online = _listed(_files()) | {"https://example.org/zh/b/": [B[0]]}
    assert _lint(online, online, {"zh/a/"}) == []
    assert lint.lint_site(_files(), URLS, online) != []  # a check of everything would say it


# -- reading a sitemap by its elements -------------------------------------------------------------------------------
def _element(n: int, lastmod: str = "2025-06-02") -> bytes:
    return (f"  <url>\n    <loc>https://example.org/zh/d{n}/</loc>\n    <lastmod>{lastmod}</lastmod>\n"
            f'    <xhtml:link rel="alternate" hreflang="zh-Hans" href="https://example.org/zh/d{n}/"/>\n'
            f'    <xhtml:link rel="alternate" hreflang="x-default" href="https://example.org/zh/d{n}/"/>\n'
            "  </url>\n").encode()


def _as_read_afresh(data: bytes) -> dict:
    lint._URLS_READ.clear()
    lint._LAST.clear()
    return lint.sitemap_facts(data)


def _whole(*elements: bytes, between: bytes = b"") -> bytes:
    return lint.SITEMAP_HEAD + between.join(elements) + lint.SITEMAP_TAIL


def test_a_sitemap_read_by_its_elements_gives_what_reading_it_whole_does(monkeypatch):
    first = _whole(*(_element(n) for n in range(10)))
    assert lint.sitemap_facts(first) == _as_read_afresh(first)
    read, real = [], lint._read_url
    monkeypatch.setattr(lint, "_read_url", lambda text: read.append(text) or real(text))
    changed = _whole(*(_element(n, "2025-06-03" if n == 4 else "2025-06-02") for n in range(11)))
    facts = lint.sitemap_facts(changed)
    assert len(read) == 2  # the element changed and the one added; the others as read before
    assert facts == _as_read_afresh(changed) and len(facts) == 11


def test_each_file_of_a_sitemap_is_read_by_its_elements_on_its_own(monkeypatch):
    shard = _whole(*(_element(n) for n in range(10)))
    lint.sitemap_facts(shard, "sitemap-1.xml")
    lint.sitemap_facts(_whole(*(_element(n) for n in range(20, 30))), "sitemap-2.xml")  # another shard between
    read, real = [], lint._read_url
    monkeypatch.setattr(lint, "_read_url", lambda text: read.append(text) or real(text))
    changed = _whole(*(_element(n, "2025-06-03" if n == 4 else "2025-06-02") for n in range(10)))
    assert lint.sitemap_facts(changed, "sitemap-1.xml") == _as_read_afresh(changed)
    assert len(read) == 1  # the element changed; the others as read before, the other shard read since


@pytest.mark.parametrize("between", [b"  <!-- a note -->\n", b"  <url><loc>https://example.org/x/</loc></url>\n",
                                     b"stray text\n"])
def test_a_sitemap_with_something_between_its_elements_is_read_whole(between):
    elements = [_element(n) for n in range(10)]
    lint.sitemap_facts(_whole(*elements))
    data = _whole(*elements, between=between)
    assert lint.sitemap_facts(data) == _as_read_afresh(data)


def test_a_sitemap_element_cut_short_fails_as_the_whole_file_would():
    elements = [_element(n) for n in range(10)]
    lint.sitemap_facts(_whole(*elements))
    elements[3] = elements[3].replace(b"</loc>", b"")
    with pytest.raises(etree.XMLSyntaxError):
        lint.sitemap_facts(_whole(*elements))


def test_zaitun_check_expects_the_sitemap_files_a_large_site_writes(large):
    """A link to a shard of the sitemap is to a page that will exist: the check's files are the build's."""
    documents = load_documents(large.project.content_dir).documents
    expected = {name for name in check._site_files(large.project, documents) if name.startswith("sitemap")}
    assert expected == {path.name for path in large.out.glob("sitemap*.xml")}
    assert len(expected) > 3


def _partitions(monkeypatch) -> list[int]:
    """Each time the builds of this test spread the pages over the sitemap's shards: its number of pages."""
    spread, real = [], extras._partition
    monkeypatch.setattr(extras, "_partition", lambda specs, shards: spread.append(len(specs)) or real(specs, shards))
    return spread


def _full_build_laid_out_anew(fx, tmp_path, monkeypatch):
    monkeypatch.setattr(extras, "_LAYOUT", [])  # (else this process's last layout: what is tested)
    return _full_build_of_a_copy(fx, tmp_path / "full").publish_dir


def test_a_rebuild_in_the_same_process_keeps_the_sitemaps_layout_while_each_page_keeps_its_place(
        large, tmp_path, monkeypatch):
    spread = _partitions(monkeypatch)
    _pay(large, "第一次修改。")  # its pages planned anew, at their places
    assert _shard_of(large.out, "paying") in large.build().rendered
    assert spread == []
    assert _shards(large.out) == _shards(_full_build_laid_out_anew(large, tmp_path, monkeypatch))


@pytest.mark.parametrize("change", [
    lambda fx: fx.write("guides", "paying", PAYING.replace("[payments]", "[payments, cards]"), "## 刷卡\n\n新标签。\n"),
    lambda fx: fx.write("guides", "ferry", "title: 渡轮\ndate: 2025-06-02", "渡轮。"),
    lambda fx: (fx.project.content_dir / "policies" / "notice-2023-1.md").unlink(),
], ids=["a new list page", "a new document", "a document withdrawn"])
def test_a_rebuild_in_the_same_process_lays_out_the_sitemap_again_when_pages_move(large, tmp_path, monkeypatch,
                                                                                   change):
    spread = _partitions(monkeypatch)
    change(large)
    large.ingest()
    large.build()
    assert len(spread) == 1
    assert _shards(large.out) == _shards(_full_build_laid_out_anew(large, tmp_path, monkeypatch))


def test_a_site_past_shard_urls_has_a_power_of_two_of_shards_of_about_shard_pages_pages():
    assert extras.sitemap_paths(extras.SHARD_URLS - 1, extras.SHARD_URLS - 100) == (layout.SITEMAP,)
    documents = 10_000  # 5,000 documents' pages in two languages
    paths = extras.sitemap_paths(documents + 1_853, documents)
    shards = len(paths) - 2  # (the index and the lists' shard)
    assert shards & (shards - 1) == 0 and extras.SHARD_PAGES / 2 < documents / shards <= extras.SHARD_PAGES
    assert paths[:3] == (layout.SITEMAP, "sitemap-lists.xml", "sitemap-1.xml")
