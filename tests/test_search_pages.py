"""The search indexer reads only the document pages, in shards, and indexes each page as a run over the
whole site would."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess

import pytest
from publish_helpers import NOTICE, make_fixture, search_index_whole, searchable_pages, standard_project

from zaitun.errors import PublishError
from zaitun.publish import indexer, layout, search, site


def fragments_of(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("fragment/*")) if p.is_file()}


def test_the_shards_hold_each_document_page_as_an_index_of_the_whole_site_would(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    site = fx.out.resolve()
    whole = tmp_path / "whole"
    subprocess.run([indexer.executable(), "--site", str(site), "--output-path", str(whole), "--silent"],
                   check=True, timeout=120, capture_output=True)
    built = fragments_of(site / layout.SEARCH_DIR)
    assert len(built) == 5  # 3 Chinese and 2 English documents
    assert built == fragments_of(whole)


def test_after_a_change_the_bundles_serve_each_page_as_an_index_of_the_whole_site_would(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    page = next(p for p in fx.project.content_dir.rglob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\n轮渡每天八点开。\n", encoding="utf-8")
    fx.ingest()
    report = fx.build()
    assert f"zh/{search.RECENT}" in report.search.shards
    assert all(k.endswith(f"/{search.RECENT}") for k in report.search.shards)  # the shards are kept
    site = fx.out.resolve()
    whole = tmp_path / "whole"
    subprocess.run([indexer.executable(), "--site", str(site), "--output-path", str(whole), "--silent"],
                   check=True, timeout=120, capture_output=True)
    assert fragments_of(site / layout.SEARCH_DIR) == fragments_of(whole)  # the page's old fragment is gone


def languages_of_entries(site) -> dict[str, list[str]]:
    """Each language's bundles, as each bundle's own `pagefind-entry.json` says, in the order of their names."""
    index = site / layout.SEARCH_DIR
    found: dict[str, list[str]] = {}
    interface = (search.UI, search.VISIBLE)
    for folder in sorted(p for p in index.glob("*/*") if p.is_dir() and p.parent.name not in interface):
        for lang in sorted(json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"]):
            found.setdefault(lang, []).append(f"{folder.parent.name}/{folder.name}/")
    return found


def test_a_rebuild_lists_each_bundle_under_the_languages_its_own_entry_names(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "MAX_PAGES", 1)  # a shard a document: several bundles a language
    fx = standard_project(tmp_path / "proj")
    fx.build()
    fx.write("guides", "ferry", "title: 轮渡时刻\ndate: 2025-06-02\nsummary: 泉州轮渡。", "轮渡每天八点开。")
    fx.ingest()
    for step in ("Chinese", "English"):  # the languages of the bundles not written are those listed before
        if step == "English":
            fx.translate_and_approve("ferry")
        report = fx.build()
        site = fx.out.resolve()
        listed = json.loads((site / layout.SEARCH_DIR / search.LIST).read_text(encoding="utf-8"))["languages"]
        assert report.search.shards and listed == languages_of_entries(site) and min(map(len, listed.values())) >= 2


def test_an_english_page_written_again_for_its_review_note_alone_is_not_indexed_again(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    change(fx, "transit", "地铁每天六点开。")  # its approved English now shows that a revision is under review
    report = fx.build()
    assert "en/guides/transit/" in report.rendered and 'class="note review"' in (
        fx.out / "en" / "guides" / "transit" / "index.html").read_text(encoding="utf-8")
    assert report.search.shards == ["zh/r"]  # what Pagefind is sent of the English page is as it was
    assert serves_what_an_index_of_the_whole_site_would(fx, tmp_path)
    served = b"".join(gzip.decompress(data) for data in fragments_of(fx.out / layout.SEARCH_DIR).values())
    assert b"under review" not in served  # the note is never a search result's text


def test_a_change_indexed_into_the_recent_bundles_alone_never_lists_the_sites_pages(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    site = fx.out.resolve()
    listed: list[str] = []

    def pages():  # the site's pages at a document's place, as the build gives them, noted as they are taken
        for path in ("zh/guides/paying/", "zh/guides/transit/"):
            listed.append(path)
            yield path + "index.html"

    report = search.index_site(site, {f"zh/{search.RECENT}"}, ["zh/guides/paying/"], pages())
    assert report.shards == [f"zh/{search.RECENT}"] and listed == []
    assert search_index_whole(site)


def serves_what_an_index_of_the_whole_site_would(fx, tmp_path) -> bool:
    """The fragments (the text of results) the version online serves are those of an index of its whole
    site; none is of a result hidden."""
    site = fx.out.resolve()
    whole = tmp_path / f"whole-{site.parent.name}"
    subprocess.run([indexer.executable(), "--site", str(site), "--output-path", str(whole), "--silent"],
                   check=True, timeout=120, capture_output=True)
    served = fragments_of(site / layout.SEARCH_DIR)
    hidden = {f"{id_}.pf_fragment" for ids in search.read_list(fx.out)["hidden"].values() for id_ in ids}
    return served == fragments_of(whole) and not hidden & set(served)


def change(fx, slug: str, text: str) -> None:
    page = next(fx.project.content_dir.rglob(f"{slug}.md"))
    page.write_text(page.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
    fx.ingest()


def test_pages_moving_through_the_recent_and_older_bundles_are_served_once_as_they_are_now(tmp_path, monkeypatch):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    monkeypatch.setattr(search, "RECENT_PAGES", 1)
    monkeypatch.setattr(search, "MIDDLE_PAGES", 0)  # past the recent bundle, straight into the older one
    transit = (fx.project.content_dir / "guides" / "transit.md").read_text(encoding="utf-8")
    change(fx, "transit", "地铁每天六点开。")  # its English page, written again for its note alone, is not
    assert fx.build().search.shards == ["zh/r"]
    assert search.read_list(fx.out)["recent"]["zh"] == ["zh/guides/transit/index.html"]
    assert serves_what_an_index_of_the_whole_site_would(fx, tmp_path)
    change(fx, "paying", "支付宝也可以。")  # two pages in the recent bundle: one too many
    assert "zh/o" in fx.build().search.shards
    listed = search.read_list(fx.out)
    assert listed["older"]["zh"] == ["zh/guides/paying/index.html", "zh/guides/transit/index.html"]
    assert "zh" not in listed["recent"] and serves_what_an_index_of_the_whole_site_would(fx, tmp_path)
    change(fx, "transit", "公交每天五点开。")  # in the recent bundle, and an earlier copy in the older one
    fx.build()
    assert search.read_list(fx.out)["recent"]["zh"] == ["zh/guides/transit/index.html"]
    assert serves_what_an_index_of_the_whole_site_would(fx, tmp_path)
    (fx.project.content_dir / "guides" / "transit.md").write_text(transit, encoding="utf-8")  # as its shard has it
    fx.ingest()
    fx.build()
    assert "zh" not in search.read_list(fx.out)["recent"]  # its shard shows it
    assert serves_what_an_index_of_the_whole_site_would(fx, tmp_path)
    (fx.project.content_dir / "guides" / "paying.md").unlink()  # in the older bundle: indexed again without it
    fx.ingest()
    report = fx.build()
    assert "zh/guides/paying/" in report.removed and "zh/guides/paying/index.html" not in json.dumps(
        search.read_list(fx.out)) and serves_what_an_index_of_the_whole_site_would(fx, tmp_path)
    assert not [p for p in (fx.out / layout.SEARCH_DIR).rglob("*.pf_fragment")
                if "支付宝" in gzip.decompress(p.read_bytes()).decode()]


def tiers_of(fx, lang: str = "zh") -> dict[str, list[str]]:
    """The pages each bundle of the tiers lists (by its folder), and those it holds, as `bundles.json` and its
    own pages say."""
    listed = search.read_list(fx.out)
    return {tier: [listed[key].get(lang, []), sorted(search._pages_of(fx.out / layout.SEARCH_DIR / lang / tier))]
            for tier, key in search.TIERS.items()}


def test_pages_moving_through_the_recent_middle_and_older_bundles_are_served_once_as_they_are_now(
        tmp_path, monkeypatch):
    monkeypatch.setattr(search, "MAX_PAGES", 1)  # a shard a page: a withdrawal indexes its own alone
    fx = standard_project(tmp_path / "proj")
    fx.write("guides", "ferry", "title: 轮渡时刻\ndate: 2025-06-02\nsummary: 泉州轮渡。", "轮渡每天八点开。")
    fx.ingest()
    fx.build()
    for name, pages in (("RECENT_PAGES", 1), ("MIDDLE_PAGES", 2), ("OLDER_PAGES", 4)):
        monkeypatch.setattr(search, name, pages)
    t, p, n, f = (f"zh/{section}/{slug}/index.html" for section, slug in (
        ("guides", "transit"), ("guides", "paying"), ("policies", "notice-2023-1"), ("guides", "ferry")))
    steps = [  # the page changed, the bundles written (a tier left empty is none), what each tier lists and holds
        ("transit", ["zh/r"], {"r": [[t], [t]], "m": [[], []], "o": [[], []]}),
        ("paying", ["zh/m"], {"r": [[], []], "m": [[p, t], [p, t]], "o": [[], []]}),  # 2 > 1: into the middle
        ("notice-2023-1", ["zh/r"], {"r": [[n], [n]], "m": [[p, t], [p, t]], "o": [[], []]}),
        ("ferry", ["zh/o"], {"r": [[], []], "m": [[], []], "o": [[f, p, t, n], [f, p, t, n]]}),
        ("transit", ["zh/r"], {"r": [[t], [t]], "m": [[], []], "o": [[f, p, n], [f, p, t, n]]}),  # shown once, newest
        ("paying", ["zh/m"], {"r": [[], []], "m": [[p, t], [p, t]], "o": [[f, n], [f, p, t, n]]}),
    ]
    for number, (slug, indexed, tiers) in enumerate(steps):
        change(fx, slug, f"第{number}次修改。")
        assert fx.build().search.shards == indexed
        assert tiers_of(fx) == tiers and serves_what_an_index_of_the_whole_site_would(fx, tmp_path)
    hidden = search.read_list(fx.out)["hidden"]["zh"]
    assert len(hidden) == 6  # paying's and transit's copies in the older bundle, and each page's in its shard
    (fx.project.content_dir / "guides" / "transit.md").unlink()  # in the middle and older bundles
    fx.ingest()
    report = fx.build()
    assert report.search.shards == ["zh/o"] and tiers_of(fx) == {"r": [[], []], "m": [[], []], "o": [[f, p, n]] * 2}
    assert serves_what_an_index_of_the_whole_site_would(fx, tmp_path)
    for name, pages in (("RECENT_PAGES", 0), ("MIDDLE_PAGES", 0), ("OLDER_PAGES", 2)):
        monkeypatch.setattr(search, name, pages)
    change(fx, "notice-2023-1", "再改一次。")  # the older bundle would pass its limit: all into their shards
    assert all("/h" in bundle for bundle in fx.build().search.shards)
    assert tiers_of(fx) == {tier: [[], []] for tier in search.TIERS}
    assert search.read_list(fx.out)["hidden"] == {} and serves_what_an_index_of_the_whole_site_would(fx, tmp_path)


def test_a_withdrawn_page_an_older_bundle_still_holds_unlisted_is_indexed_out_of_it(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "MAX_PAGES", 1)  # a shard a page: the others stay in the older bundle
    fx = standard_project(tmp_path / "proj")
    fx.build()
    monkeypatch.setattr(search, "RECENT_PAGES", 1)
    monkeypatch.setattr(search, "MIDDLE_PAGES", 0)
    transit = (fx.project.content_dir / "guides" / "transit.md").read_text(encoding="utf-8")
    change(fx, "transit", "地铁每天六点开。")
    fx.build()
    change(fx, "paying", "支付宝也可以。")
    fx.build()  # both into the older bundle
    (fx.project.content_dir / "guides" / "transit.md").write_text(transit, encoding="utf-8")
    fx.ingest()
    fx.build()  # shown from the recent bundle, as its shard has it
    monkeypatch.setattr(search, "RECENT_PAGES", 2)
    change(fx, "notice-2023-1", "公告已更新。")
    fx.build()  # the recent bundle indexed again: transit, the same as in its shard, leaves its list
    listed = search.read_list(fx.out)
    held = search._pages_of(fx.out / layout.SEARCH_DIR / "zh" / search.OLDER)
    assert "zh/guides/transit/index.html" in held and "transit" not in json.dumps(listed["older"] | listed["recent"])
    (fx.project.content_dir / "guides" / "transit.md").unlink()
    fx.ingest()
    report = fx.build()
    assert "zh/guides/transit/" in report.removed and "zh/o" in report.search.shards
    assert "zh/guides/transit/index.html" not in search._pages_of(fx.out / layout.SEARCH_DIR / "zh" / search.OLDER)
    assert serves_what_an_index_of_the_whole_site_would(fx, tmp_path)


def test_builds_into_a_reused_version_serve_the_index_of_their_own_site(tmp_path):
    fx = standard_project(tmp_path / "proj")
    with (fx.project.root / "zaitun.toml").open("a", encoding="utf-8") as settings:
        settings.write("[publish]\nkeep_versions = 1\n")
    fx.project.__dict__.pop("config", None)
    fx.build()
    folders = []
    for text in ("地铁每天六点开。", "公交每天五点开。", "轮渡每天八点开。"):
        change(fx, "transit", text)
        fx.build()
        folders.append(fx.out.resolve().stat().st_ino)
        assert serves_what_an_index_of_the_whole_site_would(fx, tmp_path)
    assert folders[2] == folders[0]  # the third build's version is the first's, reused


def test_a_site_without_documents_has_no_shard_to_search(tmp_path):
    fx = make_fixture(tmp_path / "proj")
    report = fx.build()
    index = fx.out / layout.SEARCH_DIR
    assert report.search is not None and report.search.pages == 0
    assert json.loads((index / search.LIST).read_text(encoding="utf-8")) == {
        "languages": {}, "shards": {}, "pagefind": None, "recent": {}, "middle": {}, "older": {}, "hidden": {}}
    assert not [p for p in index.iterdir() if p.name not in (search.LIST, search.VISIBLE)]


def entry_pages(folder) -> int:
    """Pages in a bundle, as its entry says."""
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(lang["page_count"] for lang in entry["languages"].values())


def test_a_shard_grown_past_its_size_splits_and_the_other_language_is_kept(tmp_path, monkeypatch):
    fx = standard_project(tmp_path / "proj")  # 3 Chinese, 2 English documents: one shard each
    fx.build()
    index = fx.out / layout.SEARCH_DIR
    assert search.read_leaves(fx.out) == {"en": [""], "zh": [""]}
    english = {p: p.stat().st_ino for p in (index / "en").rglob("*") if p.is_file()}
    monkeypatch.setattr(search, "MAX_PAGES", 2)
    monkeypatch.setattr(search, "RECENT_PAGES", 0)  # the new page goes into its shard at once
    monkeypatch.setattr(search, "OLDER_PAGES", 0)
    fx.write("guides", "ferry", "title: 轮渡时刻\ndate: 2025-06-02\nsummary: 泉州轮渡。", "轮渡每天八点开。")
    fx.ingest()
    report = fx.build()
    zh = search.read_leaves(fx.out)["zh"]
    assert len(zh) > 1 and search.read_leaves(fx.out)["en"] == [""]
    assert report.search.shards and all(k.startswith("zh/h") and k != "zh/h" for k in report.search.shards)
    assert not (index / "zh" / "h").exists()  # the shard split is gone
    counts = [entry_pages(index / "zh" / f"h{bits}") for bits in zh if (index / "zh" / f"h{bits}").is_dir()]
    assert sum(counts) == 4 and max(counts) <= 2
    assert english == {p: p.stat().st_ino for p in (index / "en").rglob("*") if p.is_file()}  # linked over


def test_an_index_of_the_earlier_layout_is_replaced_whole_by_the_next_build(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    index = fx.out.resolve() / layout.SEARCH_DIR
    for item in index.iterdir():  # the layout of zaitun 0.x: numbered shards and shards.json
        shutil.rmtree(item) if item.is_dir() else item.unlink()
    (index / "3").mkdir()
    (index / "3" / "pagefind-entry.json").write_text('{"languages": {"en": {}}}', encoding="utf-8")
    (index / "shards.json").write_text('{"en": ["3/"]}', encoding="utf-8")
    fx.write("guides", "ferry", "title: 轮渡时刻\ndate: 2025-06-02\nsummary: 泉州轮渡。", "轮渡每天八点开。")
    fx.ingest()
    report = fx.build()
    fresh = fx.out / layout.SEARCH_DIR
    assert sorted(p.name for p in fresh.iterdir()) == [search.LIST, "en", search.UI, search.VISIBLE, "zh"]
    assert report.search.pages == 6 and search_index_whole(fx.out)


def test_an_index_without_recent_bundles_is_indexed_again_whole(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    listed = fx.out.resolve() / layout.SEARCH_DIR / search.LIST
    earlier = {k: v for k, v in json.loads(listed.read_text(encoding="utf-8")).items()
               if k not in ("recent", "older", "hidden")}
    listed.unlink()  # a new file, as a build writes it, not one written into
    listed.write_text(json.dumps(earlier), encoding="utf-8")
    fx.write("guides", "ferry", "title: 轮渡时刻\ndate: 2025-06-02\nsummary: 泉州轮渡。", "轮渡每天八点开。")
    fx.ingest()
    report = fx.build()
    assert report.search.pages == 6 and search_index_whole(fx.out)  # its shards' pages were not listed
    assert search.read_list(fx.out)["recent"] == {}


def test_builds_in_one_process_use_one_warm_indexer(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    first = indexer._warm["indexer"]._process.pid
    fx.write("guides", "ferry", "title: 轮渡时刻\ndate: 2025-06-02\nsummary: 泉州轮渡。", "轮渡每天八点开。")
    fx.ingest()
    assert fx.build().search.pages == 1  # the Chinese recent bundle: the new document
    assert indexer._warm["indexer"]._process.pid == first


def test_an_indexer_that_fails_fails_the_build_and_keeps_the_site_online(tmp_path, monkeypatch):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    online = fx.out.resolve()
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'out of disk space' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    indexer.end_warm()  # else the build's own service, still running, indexes
    fx.write("guides", "ferry", "title: 轮渡时刻\ndate: 2025-06-02\nsummary: 泉州轮渡。", "轮渡每天八点开。")
    fx.ingest()
    with pytest.raises(PublishError, match="search indexer failed.*out of disk space"):
        fx.build()
    assert fx.out.resolve() == online and search_index_whole(fx.out)


def test_an_index_by_another_version_of_pagefind_is_indexed_again_whole(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    listed = fx.out.resolve() / layout.SEARCH_DIR / search.LIST
    earlier = json.loads(listed.read_text(encoding="utf-8")) | {"pagefind": "0.12.0"}
    listed.unlink()  # a new file, as a build writes it, not one written into
    listed.write_text(json.dumps(earlier), encoding="utf-8")
    fx.write("guides", "ferry", "title: 轮渡时刻\ndate: 2025-06-02\nsummary: 泉州轮渡。", "轮渡每天八点开。")
    fx.ingest()
    report = fx.build()
    assert report.search.pages == 6 and search_index_whole(fx.out)
    assert json.loads((fx.out / layout.SEARCH_DIR / search.LIST).read_text(encoding="utf-8"))["pagefind"] != "0.12.0"


def test_a_bundle_taken_from_the_service_a_file_at_a_time_has_each_file_whole(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    site = fx.out.resolve()
    names = searchable_pages(site, "zh")
    with indexer.Indexer() as service:
        taken = service.index(site, names)
        first = next(taken)  # decoded as it is taken
        files = dict([first, *taken])
    whole = tmp_path / "whole"
    subprocess.run([indexer.executable(), "--site", str(site), "--output-path", str(whole), "--silent"],
                   check=True, timeout=120, capture_output=True)
    fragments = {name.removeprefix("fragment/"): data for name, data in files.items() if name.startswith("fragment/")}
    assert len(fragments) == 3  # the Chinese documents
    assert fragments.items() <= fragments_of(whole).items()
    assert files["pagefind-ui.js"] == (whole / "pagefind-ui.js").read_bytes()


def test_a_rebuild_indexes_its_document_pages_before_writing_its_lists_and_serves_them_all(tmp_path, monkeypatch):
    """The index of a one-document rebuild starts once that document's pages are written and the unchanged ones
    linked, beside the list pages and site-wide files still to write; the site comes out whole all the same."""
    fx = standard_project(tmp_path / "proj")
    fx.build()
    seen = {}
    started = site._search_index

    def watched(online, stage, rendered, removed, planned, files):
        seen["documents"] = sorted(path for path in rendered if search.placed(path))
        seen["page"] = (stage / "zh/policies/notice-2023-1/index.html").read_text(encoding="utf-8")
        seen["linked"] = (stage / "zh/guides/paying/index.html").is_file()
        list_page = stage / "zh/policies/index.html"
        seen["list"] = list_page.read_text(encoding="utf-8") if list_page.is_file() else ""
        return started(online, stage, rendered, removed, planned, files)

    monkeypatch.setattr(site, "_search_index", watched)
    fx.write("policies", "notice-2023-1", NOTICE.replace("泉州市营商环境若干措施", "泉州市营商环境若干措施（修订）"),
             "## 通知\n\n本通知已修订。\n")
    assert fx.ingest().ingested == ["notice-2023-1"]
    report = fx.build()
    assert seen["documents"] == ["en/policies/notice-2023-1/", "zh/policies/notice-2023-1/"]  # (its English: a note)
    assert "（修订）" in seen["page"] and seen["linked"]
    assert "（修订）" not in seen["list"]  # not yet written when the index started
    assert "（修订）" in (fx.out / "zh/policies/index.html").read_text(encoding="utf-8")
    assert f"zh/{search.RECENT}" in report.search.shards
    assert serves_what_an_index_of_the_whole_site_would(fx, tmp_path)
