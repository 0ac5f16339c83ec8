"""The sitemap of a rebuild: a document's first change of a day moves its <lastmod>, so the sitemap of every
page is written again. A process that builds again makes again only the elements of pages that changed, reads
back only those, and checks across only the URLs listed otherwise than online; what it writes and refuses is
what a build of everything would."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from lxml import etree
from publish_helpers import PAYING, TODAY, aged_project
from test_site_cold import BUILD, _full_build_of_a_copy
from test_site_warm import _in_another_process

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
    (lambda rows, gone: [r for r in rows if gone not in r], "page https://example.org/zh/guides/transit/ is missing"),
    (lambda rows, gone: [r.replace("/en/guides/transit/", "/en/guides/elsewhere/") for r in rows],
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
    """`zaitun build` in a new interpreter, as a person runs it; the paths whose sitemap elements it made."""
    log = tmp_path / "made.json"
    _in_another_process(fx, "from zaitun.publish import extras\nmade, real = [], extras._url\n"
                        "extras._url = lambda path, *rest: made.append(path) or real(path, *rest)\n"
                        f"{BUILD}\nimport json\nopen({str(log)!r}, 'w').write(json.dumps(made))")
    return json.loads(log.read_text())


def _online_sitemap(fx) -> bytes:
    return (output.current(fx.out) / output.SITE / layout.SITEMAP).read_bytes()


def test_a_new_process_takes_the_elements_of_unchanged_documents_from_the_sitemap_online(fx, tmp_path):
    _in_another_process(fx, BUILD)  # the build online is another process's: its plan and sitemap are on disk
    _pay(fx, "第一次修改。")
    made = _made_in_new_process(fx, tmp_path)
    assert layout.document("zh", "guides", "paying") in made
    assert not {layout.document(lang, slug_section[1], slug_section[0]) for lang in layout.LANGS
                for slug_section in (("transit", "guides"), ("notice-2023-1", "policies"))} & set(made)
    full = _full_build_of_a_copy(fx, tmp_path / "full")
    assert (full.publish_dir / layout.SITEMAP).read_bytes() == (fx.out / layout.SITEMAP).read_bytes()


def test_a_sitemap_online_changed_by_hand_is_not_taken_by_a_new_process(fx, tmp_path):
    _in_another_process(fx, BUILD)
    online = output.current(fx.out) / output.SITE / layout.SITEMAP
    spoiled = _online_sitemap(fx).replace(b"/en/guides/transit/", b"/en/guides/elsewhere/")
    online.unlink()  # its version's file, shared with no other (a hard link would carry the change along)
    online.write_bytes(spoiled)
    _pay(fx, "第一次修改。")
    made = _made_in_new_process(fx, tmp_path)
    assert layout.document("zh", "guides", "transit") in made  # made again: the file is not the one its key names
    full = _full_build_of_a_copy(fx, tmp_path / "full")
    assert (full.publish_dir / layout.SITEMAP).read_bytes() == (fx.out / layout.SITEMAP).read_bytes()


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
