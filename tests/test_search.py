"""Search in both languages: the build writes a Pagefind index; a real Chromium searches each language."""

from __future__ import annotations

import functools
import gzip
import json
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from publish_helpers import make_fixture

from zaitun.publish import layout
from zaitun.publish import search as index
from zaitun.publish.site import rollback

RESIDENCE = """\
    title: 外国人居留许可办理指南
    date: 2025-06-01
    summary: 在泉州工作的外国人如何申请居留许可。
"""
RESIDENCE_BODY = """\
    ## 申请材料

    申请居留许可须提交护照、照片和工作许可证明。
"""
RESIDENCE_EN = {"外国人居留许可办理指南": "Residence permits for foreign nationals",
                "在泉州工作的外国人如何申请居留许可。":
                "How foreign nationals working in Quanzhou apply for a residence permit.",
                "申请材料": "Documents", "申请居留许可须提交护照、照片和工作许可证明。":
                "To apply for a residence permit, bring your passport, a photo and proof of your work permit."}
TEA = """\
    title: 安溪铁观音茶文化
    date: 2025-05-01
    summary: 安溪是铁观音的故乡。
"""
TEA_BODY = """\
    ## 茶园

    游客可以在泉州安溪参观茶园，品尝铁观音。
"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Shards of one page each, so that two documents are two shards."""
    with pytest.MonkeyPatch.context() as settings:
        settings.setattr(index, "MAX_PAGES", 1)
        fx = make_fixture(tmp_path_factory.mktemp("search") / "proj")
        fx.write("guides", "residence", RESIDENCE, RESIDENCE_BODY)
        fx.write("guides", "tea", TEA, TEA_BODY)
        fx.ingest()
        fx.translate_and_approve("residence", english=lambda source: RESIDENCE_EN[source])
        report = fx.build()
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(fx.out)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield fx, report, f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()
        server.server_close()


def shard(fx, path: str) -> str:
    return index.shard_of(path, index.read_leaves(fx.out))


def bundles(fx) -> dict[str, list[str]]:
    return json.loads((fx.out / layout.SEARCH_DIR / index.LIST).read_text(encoding="utf-8"))["languages"]


def test_build_writes_a_search_index_of_the_document_pages_in_each_language(site):
    fx, report, _ = site
    listed = bundles(fx)
    assert set(listed) == {"zh-hans", "en"}
    assert listed["en"] == [f"{shard(fx, 'en/guides/residence/')}/"]  # the one English page's shard
    assert report.search.shards == sorted([shard(fx, "zh/guides/residence/"), shard(fx, "zh/guides/tea/"),
                                           shard(fx, "en/guides/residence/")])
    assert report.search.pages == 3  # residence (zh, en) and tea (zh): documents only, no list pages
    assert "3 of 3 bundles (3 while its pages were written), 3 pages" in report.search.summary()  # a first build
    assert (fx.out / "zh" / "search" / "index.html").is_file() and (fx.out / "en" / "search" / "index.html").is_file()


def test_the_search_code_is_written_once_and_only_the_first_bundle_of_a_language_links_it(site):
    fx, _, _ = site
    folder = fx.out / layout.SEARCH_DIR
    assert sorted(p.name for p in (folder / index.UI).iterdir()) == [
        "pagefind-ui.css", "pagefind-ui.js", "pagefind-worker.js", "pagefind.js", "wasm.en.pagefind",
        "wasm.unknown.pagefind"]  # Chinese has no stemmer: its WebAssembly is Pagefind's `unknown`
    code = set(index.UNUSED) | set(index.UI_FILES) | set(index.CORE)
    for lang, wasm in (("zh-hans", "wasm.unknown.pagefind"), ("en", "wasm.en.pagefind")):
        first, *others = bundles(fx)[lang]
        linked = {p.name for p in (folder / first).iterdir() if p.name in code or p.name.startswith("wasm.")}
        assert linked == {"pagefind.js", "pagefind-worker.js", wasm}
        assert (folder / first / "pagefind.js").stat().st_ino == (folder / index.UI / "pagefind.js").stat().st_ino
        assert not [p for name in others for p in (folder / name).iterdir()
                    if p.name in code or p.name.startswith("wasm.")]


def test_a_rebuild_with_no_page_changed_keeps_the_index_without_indexing_again(site):
    fx, _, _ = site
    assert fx.build().search is None
    assert (fx.out / layout.SEARCH_DIR / index.LIST).is_file()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=shutil.which(str(CHROMIUM)) or str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def search(browser, url: str) -> tuple[list[str], list[str]]:
    """Result links shown for a search page URL, and any console error (a CSP refusal would be one)."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # the browser's own guess, not ours
    page.goto(url)
    page.wait_for_selector(".pagefind-ui__result-link, .pagefind-ui__message", timeout=30_000)
    # done when the message says how many results, not "Searching for …", and every result has come in
    page.wait_for_function("""() => { const m = document.querySelector('.pagefind-ui__message');
        return m && m.textContent.trim() && !/\\.\\.\\.|…/.test(m.textContent)
            && !document.querySelector('.pagefind-ui__loading'); }""", timeout=30_000)  # each result's text loaded
    links = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
    page.close()
    return links, problems


def test_chinese_search_finds_the_chinese_page(site, browser):
    _, _, base = site
    links, problems = search(browser, f"{base}/zh/search/?q=居留许可")
    assert links == ["/zh/guides/residence/"] and problems == []


def test_english_search_finds_the_english_page_only(site, browser):
    _, _, base = site
    links, problems = search(browser, f"{base}/en/search/?q=residence%20permit")
    assert links == ["/en/guides/residence/"] and problems == []
    links, _ = search(browser, f"{base}/en/search/?q=铁观音")  # a Chinese-only document: not in English results
    assert links == []


@pytest.mark.parametrize("typed", ["居留许可", 'permit "><script>alert(1)</script>&q=x#top'])
def test_switching_language_on_the_search_page_runs_the_typed_query_in_the_other_language(site, browser, typed):
    _, _, base = site
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("dialog", lambda dialog: problems.append(dialog.message) or dialog.dismiss())
    page.goto(f"{base}/zh/search/")
    page.fill(".pagefind-ui__search-input", typed)
    page.click("a.switch")
    page.wait_for_url("**/en/search/?q=*")
    assert page.evaluate("new URLSearchParams(location.search).getAll('q')") == [typed]
    assert page.locator(".pagefind-ui__search-input").input_value() == typed  # run again in English
    assert problems == []  # the query stays text: nothing of it runs
    page.close()


def test_every_page_links_the_search_page_of_its_language(site):
    fx, _, _ = site
    assert 'class="search-link" href="/zh/search/"' in (fx.out / "zh" / "guides" / "tea" / "index.html").read_text()
    assert 'class="search-link" href="/en/search/"' in (fx.out / "en" / "index.html").read_text()


def test_a_search_across_shards_finds_the_pages_of_each(site, browser):
    fx, _, base = site
    assert shard(fx, "zh/guides/residence/") != shard(fx, "zh/guides/tea/")
    links, problems = search(browser, f"{base}/zh/search/?q=泉州")
    assert sorted(links) == ["/zh/guides/residence/", "/zh/guides/tea/"] and problems == []


def _index_files(out) -> dict[str, tuple[int, int]]:
    """Each file of the index online: its inode and modification time."""
    folder = out / layout.SEARCH_DIR
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def fragment_texts(out) -> list[str]:
    """The text of every fragment the index online serves (what a search result shows)."""
    return [gzip.decompress(p.read_bytes()).decode() for p in (out / layout.SEARCH_DIR).rglob("fragment/*")]


def test_a_result_shows_each_fact_of_a_document_apart_from_its_name(site):
    """Pagefind joins the text of adjacent elements: a fact's name and value must be apart in the page."""
    fx, _, _ = site
    english = [text for text in fragment_texts(fx.out) if "Residence permits for foreign nationals" in text]
    assert len(english) == 1
    assert "Published 2025-06-01" in english[0] and "Published2025" not in english[0]


NEW_TEA_BODY = TEA_BODY.replace("品尝铁观音", "购买乌龙茶")


def test_a_changed_page_is_indexed_alone_and_found_by_its_new_words_not_its_old_ones(site, browser):
    fx, _, base = site
    assert search(browser, f"{base}/zh/search/?q=品尝")[0] == ["/zh/guides/tea/"]
    before, tea = _index_files(fx.out), shard(fx, "zh/guides/tea/")
    fx.write("guides", "tea", TEA, NEW_TEA_BODY)
    fx.ingest()
    report = fx.build()
    assert report.search.shards == [f"zh/{index.RECENT}"] and report.search.pages == 1  # its shard is kept
    listed = index.read_list(fx.out)
    assert listed["recent"] == {"zh": ["zh/guides/tea/index.html"]} and len(listed["hidden"]["zh"]) == 1
    after = _index_files(fx.out)
    old = f"{tea}/fragment/{listed['hidden']['zh'][0]}.pf_fragment"
    assert old in before and old not in after  # the earlier text is no longer served
    assert all(after[name] == before[name] for name in before if name != old and not name.startswith(index.LIST))
    assert not [text for text in fragment_texts(fx.out) if "品尝" in text]
    assert search(browser, f"{base}/zh/search/?q=乌龙茶") == (["/zh/guides/tea/"], [])
    assert search(browser, f"{base}/zh/search/?q=品尝") == ([], [])  # its shard still has the word: hidden
    links, problems = search(browser, f"{base}/zh/search/?q=泉州")  # in both versions of the page: once
    assert sorted(links) == ["/zh/guides/residence/", "/zh/guides/tea/"] and problems == []


def test_a_first_search_fetches_only_the_index_of_its_language_a_few_files_a_bundle(site, browser):
    fx, _, base = site
    page = browser.new_page()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url.removeprefix(base)))
    page.goto(f"{base}/zh/search/?q=泉州")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('.pagefind-ui__loading')", timeout=30_000)
    page.close()
    index_files = [url.removeprefix("/pagefind/") for url in fetched if url.startswith("/pagefind/")]
    zh = bundles(fx)["zh-hans"]
    assert f"zh/{index.RECENT}/" in zh  # tea, changed, is in the recent bundle
    assert all(name.startswith((*zh, "ui/", f"{index.VISIBLE}/", index.LIST)) for name in index_files)
    # the list, the interface (2), Pagefind (3: its code, worker and WebAssembly) and the page hiding results;
    # then of each bundle its entry, its metadata and the part of its index with the word; a fragment a result
    results = [name for name in index_files if "/fragment/" in name]
    assert len(index_files) - len(results) <= 7 + 3 * len(zh) and len(results) == 2


def test_a_page_changed_back_is_served_by_its_shard_again(site, browser):
    fx, _, base = site
    fx.write("guides", "tea", TEA, TEA_BODY)
    fx.ingest()
    assert fx.build().search.shards == [f"zh/{index.RECENT}"]
    listed = index.read_list(fx.out)
    assert listed["recent"] == {} and listed["hidden"] == {}  # its shard holds it as it is now
    assert search(browser, f"{base}/zh/search/?q=品尝") == (["/zh/guides/tea/"], [])  # in two bundles: once
    fx.write("guides", "tea", TEA, NEW_TEA_BODY)
    fx.ingest()
    assert fx.build().search.shards == [f"zh/{index.RECENT}"]
    assert search(browser, f"{base}/zh/search/?q=品尝") == ([], [])


def test_recent_pages_past_their_limit_move_to_the_older_bundle(site, browser, monkeypatch):
    fx, _, base = site
    monkeypatch.setattr(index, "RECENT_PAGES", 0)  # tea, written again, is one page too many
    monkeypatch.setattr(index, "MIDDLE_PAGES", 0)  # for the middle bundle too
    fx.write("guides", "tea", TEA, NEW_TEA_BODY + "\n    茶园四月开放。\n")
    fx.ingest()
    assert fx.build().search.shards == [f"zh/{index.OLDER}"]  # the recent bundle left empty: none
    listed = index.read_list(fx.out)
    assert listed["older"] == {"zh": ["zh/guides/tea/index.html"]} and listed["recent"] == {}
    assert not (fx.out / layout.SEARCH_DIR / "zh" / index.RECENT).exists()
    assert search(browser, f"{base}/zh/search/?q=四月") == (["/zh/guides/tea/"], [])
    assert search(browser, f"{base}/zh/search/?q=品尝") == ([], [])
    assert not [text for text in fragment_texts(fx.out) if "品尝" in text]


def test_older_pages_past_their_limit_are_folded_into_their_shards(site, browser, monkeypatch):
    fx, _, base = site
    tea = shard(fx, "zh/guides/tea/")
    monkeypatch.setattr(index, "RECENT_PAGES", 0)
    monkeypatch.setattr(index, "OLDER_PAGES", 0)
    fx.write("guides", "tea", TEA, NEW_TEA_BODY + "\n    茶园五月开放。\n")
    fx.ingest()
    assert fx.build().search.shards == [tea]  # its shard is indexed again, and neither recent nor older bundle
    listed = index.read_list(fx.out)
    assert listed["recent"] == {} and listed["older"] == {} and listed["hidden"] == {}
    assert not [p for p in (fx.out / layout.SEARCH_DIR / "zh").iterdir() if p.name in (index.RECENT, index.OLDER)]
    assert not [name for name in bundles(fx)["zh-hans"] if not name.startswith("zh/h")]
    assert search(browser, f"{base}/zh/search/?q=五月") == (["/zh/guides/tea/"], [])
    assert search(browser, f"{base}/zh/search/?q=四月") == ([], [])
    assert not [text for text in fragment_texts(fx.out) if "品尝" in text or "四月" in text]


def test_a_rollback_brings_back_the_index_of_its_version(site, browser):
    fx, _, base = site
    rollback(fx.project)  # to the version before the fold: tea in the older bundle, hidden in its shard
    assert index.read_list(fx.out)["hidden"]
    assert search(browser, f"{base}/zh/search/?q=四月") == (["/zh/guides/tea/"], [])
    assert search(browser, f"{base}/zh/search/?q=五月") == ([], [])
    assert search(browser, f"{base}/zh/search/?q=品尝") == ([], [])


def test_a_withdrawn_document_is_no_longer_found(site, browser):
    fx, _, base = site
    (fx.project.content_dir / "guides" / "tea.md").unlink()
    tea = shard(fx, "zh/guides/tea/")
    fx.ingest()
    report = fx.build()  # from the version rolled back to: tea in the older bundle, and hidden in its shard
    assert "zh/guides/tea/" in report.removed and report.search.shards == []  # its shard held only it
    assert f"{tea}/" not in bundles(fx)["zh-hans"] and not (fx.out / layout.SEARCH_DIR / tea).exists()
    listed = index.read_list(fx.out)
    assert listed["recent"] == listed["older"] == listed["hidden"] == {}
    assert not [p for p in (fx.out / layout.SEARCH_DIR / "zh").iterdir() if p.name in (index.RECENT, index.OLDER)]
    assert not [text for text in fragment_texts(fx.out) if "茶园" in text]
    links, problems = search(browser, f"{base}/zh/search/?q=泉州")
    assert links == ["/zh/guides/residence/"] and problems == []


def guide(title: str, sentence: str) -> tuple[str, str]:
    return f"title: {title}\ndate: 2025-06-02\nsummary: 泉州{title}。", f"## 说明\n\n{sentence}\n"


def test_a_search_serves_pages_from_the_recent_middle_and_older_bundles_together(site, browser, monkeypatch):
    fx, _, base = site
    for name, pages in (("RECENT_PAGES", 0), ("MIDDLE_PAGES", 0)):
        monkeypatch.setattr(index, name, pages)
    fx.write("guides", "ferry", *guide("轮渡", "渡轮从石湖码头出发。"))
    fx.write("guides", "museum", *guide("博物馆", "海交馆周一闭馆。"))
    fx.ingest()
    fx.build()  # both new pages past the recent and middle bundles: into the older one
    monkeypatch.setattr(index, "MIDDLE_PAGES", 5)
    fx.write("guides", "museum", *guide("博物馆", "海交馆周二闭馆。"))
    fx.ingest()
    fx.build()  # into the middle bundle; its older copy hidden
    monkeypatch.setattr(index, "RECENT_PAGES", 5)
    fx.write("guides", "garden", *guide("花园", "花园种满刺桐。"))
    fx.ingest()
    fx.build()  # into the recent bundle
    listed = index.read_list(fx.out)
    assert [listed[key]["zh"] for key in ("recent", "middle", "older")] == [
        ["zh/guides/garden/index.html"], ["zh/guides/museum/index.html"], ["zh/guides/ferry/index.html"]]
    assert [name for name in bundles(fx)["zh-hans"] if not name.startswith("zh/h")] == ["zh/m/", "zh/o/", "zh/r/"]
    assert search(browser, f"{base}/zh/search/?q=石湖") == (["/zh/guides/ferry/"], [])
    assert search(browser, f"{base}/zh/search/?q=周二") == (["/zh/guides/museum/"], [])
    assert search(browser, f"{base}/zh/search/?q=周一") == ([], [])  # the older copy: hidden, its text gone
    assert search(browser, f"{base}/zh/search/?q=刺桐") == (["/zh/guides/garden/"], [])
    links, problems = search(browser, f"{base}/zh/search/?q=泉州")  # in every bundle: each page once
    assert sorted(links) == [f"/zh/guides/{slug}/" for slug in ("ferry", "garden", "museum", "residence")]
    assert problems == [] and not [text for text in fragment_texts(fx.out) if "周一" in text]
