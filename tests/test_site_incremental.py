"""Rebuilds that cost what changed: the store numbers its writes, a build asks what changed since the
build online, and does nothing, or only the pages a change touches."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from publish_helpers import (
    NOTICE,
    PAYING,
    TODAY,
    TRANSIT,
    age,
    edit_manifest_record,
    edit_stored_file,
    leftovers,
    search_index_whole,
    standard_project,
)
from sqlalchemy import update

from zaitun.errors import PublishError
from zaitun.publish import feeds, layout, lint, output, search, warm
from zaitun.publish.memo import not_the_same
from zaitun.publish.pages import STREAMED, key_of
from zaitun.publish.site import build_site
from zaitun.state.store import Store, documents


def versions(fx) -> list[str]:
    return [v.name for v in output.complete_versions(fx.out)]


@pytest.fixture
def fx(tmp_path):
    fx = standard_project(tmp_path / "proj")
    age(fx.project.root)
    return fx


def test_every_write_to_documents_and_releases_gets_a_change_number(database_url):
    store = Store.open(database_url)
    start = store.change_seq()
    with store.tx() as conn:
        conn.execute(documents.insert().values(slug="a", section="guides", path="a.md", raw="x", raw_hash="h",
                                               status="active", updated_at=dt.datetime.now(dt.UTC)))
        conn.execute(update(documents).where(documents.c.slug == "a").values(status="withdrawn"))
        store.add_release(conn, "b", "en", "h", {"body": ""})
    assert store.change_seq() == start + 3
    assert store.changed_since(start) == {"a", "b"}
    assert store.changed_since(start + 2) == {"b"}
    again = Store.open(database_url)  # opening again keeps the triggers, once each
    with again.tx() as conn:
        store.add_release(conn, "b", "en", "h2", {"body": ""})
    assert again.change_seq() == start + 4
    again.close()
    store.close()


def test_a_build_with_nothing_changed_writes_no_new_version_and_reports_every_file_unchanged(fx):
    first = fx.build()
    again = fx.build()
    assert again.rendered == [] and sorted(again.reused) == sorted(first.rendered)
    assert versions(fx) == ["000001"]


def test_a_write_made_outside_zaitun_is_seen_by_the_next_build(fx):
    fx.build()
    edit_stored_file(fx.project, "paying", "大型商场均可", "所有商场均可")
    report = fx.build()
    assert [p for p in report.rendered if p.endswith("/")] == ["zh/guides/paying/"]
    assert "所有商场均可" in (fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")


def test_a_changed_static_file_or_setting_is_seen_though_the_store_did_not_change(fx):
    fx.build()
    static = fx.project.root / "static"
    static.mkdir()
    (static / "note.txt").write_text("hello", encoding="utf-8")
    assert "static/note.txt" in fx.build().rendered  # written just now: not trusted, and seen
    age(fx.project.root)
    fx.build()
    (fx.project.root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org"\npage_size = 1\n',
                                                 encoding="utf-8")
    fx.project.__dict__.pop("config", None)
    assert "zh/guides/page/2/" in fx.build().rendered


def test_a_new_day_rebuilds_what_depends_on_the_date(fx):
    fx.build(today=dt.date(2024, 6, 1))
    assert fx.build(today=dt.date(2024, 6, 1)).rendered == []
    later = fx.build(today=dt.date(2024, 12, 1))  # the notice's validity ends within the warning window
    assert {"zh/policies/notice-2023-1/", "en/policies/notice-2023-1/"} <= set(later.rendered)


def _tamper(fx, page: str, link: str) -> None:
    """Give a page of the build online a broken link in its recorded facts, as if it had one."""
    edit_manifest_record(fx.out, page, lambda record: record["facts"]["links"].append(link))


def test_one_change_lints_the_pages_written_not_every_page(fx):
    fx.build()
    _tamper(fx, "zh/guides/transit/", "/zh/guides/nowhere/")
    fx.write("guides", "paying", PAYING, "## 刷卡\n\n所有商场均可。\n")
    fx.ingest()
    report = fx.build()  # transit's page was not written: its (tampered) facts are not linted again
    assert "zh/guides/paying/" in report.rendered and not report.problems


def test_a_rebuild_writing_no_feed_leaves_the_feeds_of_the_build_online_unchecked(fx, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_LIMIT", 1)  # the newest document alone: the notice is in no feed
    fx.build()
    edit_manifest_record(fx.out, "en/feed.xml", lambda record: record["facts"]["entries"].append(
        record["facts"]["entries"][0]))  # as if it listed an entry twice
    fx.write("policies", "notice-2023-1", NOTICE, "## 通知\n\n本通知已修订。\n")
    fx.ingest()
    report = fx.build()  # no feed written: their (tampered) facts are not checked again
    assert "zh/policies/notice-2023-1/" in report.rendered and not report.problems
    assert not [path for path in report.rendered if path.endswith(".xml")]
    fx.write("guides", "ferry", TRANSIT.replace("2025-06-20", "2025-06-25"), "## 渡轮\n\n新的一篇。\n")  # the newest
    fx.ingest()  # now: the Chinese feeds are written, the English ones (tampered) are not
    with pytest.raises(PublishError, match="en/feed.xml: two entries share an id"):  # and all feeds checked across
        fx.build()


def test_a_removed_page_lints_every_page_that_could_link_to_it(fx):
    fx.build()
    _tamper(fx, "zh/guides/transit/", "/zh/guides/paying/")
    (fx.project.content_dir / "guides" / "paying.md").unlink()
    fx.ingest()  # paying is withdrawn: its pages go, and a page linking it would now be broken
    report = fx.build()
    assert "zh/guides/paying/" in report.removed
    assert any("transit" in problem and "/zh/guides/paying/" in problem for problem in report.problems)


def test_a_manifest_of_an_earlier_format_means_every_file_is_rendered_and_linted_again(fx):
    fx.build()
    files = output.read_manifest(output.current(fx.out))[0]["files"]
    manifest = output.current(fx.out) / output.MANIFEST
    state = json.loads(manifest.read_text(encoding="utf-8"))
    state["version"] = f"4-{state['version'].split('-', 1)[1]}"
    manifest.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    fx.write("guides", "paying", PAYING, "## 刷卡\n\n所有商场均可。\n")
    fx.ingest()
    report = fx.build()
    assert report.reused == [] and not report.problems
    assert set(report.rendered) == set(files)
    again = output.read_manifest(output.current(fx.out))[0]
    assert again["version"] == output.manifest_version()
    assert set(again["files"]["zh/guides/paying/"]["facts"]) == {"links", "alternates"}


def test_an_english_approval_renders_the_english_page_and_keeps_the_chinese_one(fx):
    fx.build()
    fx.write("guides", "transit", "title: 240小时过境免签政策指南\ndate: 2025-06-20\nsummary: 过境免签。",
             "## 政策概况\n\n停留时间延长为240小时。\n")
    fx.ingest()
    fx.build()
    fx.translate_and_approve("transit")
    report = fx.build()
    assert "en/guides/transit/" in report.rendered and "zh/guides/transit/" in report.reused
    assert "停留时间延长为240小时" in (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")


def _pay(fx, text: str) -> None:
    fx.write("guides", "paying", PAYING, f"## 刷卡\n\n{text}\n")
    fx.ingest()


def _files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*")
            if p.relative_to(site).parts[0] not in (layout.SEARCH_DIR, layout.SOCIAL_DIR) and not p.is_dir()}


def test_a_rebuild_reuses_the_oldest_kept_version_and_every_version_stays_whole(fx):
    fx.build()
    oldest = output.complete_versions(fx.out)[0] / output.SITE
    folder_id = oldest.stat().st_ino
    for text in ("甲", "乙", "丙"):
        _pay(fx, text)
        fx.build()
    (fx.project.content_dir / "policies" / "notice-2023-1.md").unlink()
    _pay(fx, "丁")  # withdraws the notice too
    report = fx.build()  # the fifth build: the first is reused, with keep_versions = 3
    assert "zh/policies/notice-2023-1/" in report.removed
    online = output.current(fx.out) / output.SITE
    assert online.stat().st_ino == folder_id
    assert versions(fx) == ["000002", "000003", "000004", "000005"]
    for version, text in zip(output.complete_versions(fx.out), ("甲", "乙", "丙", "丁"), strict=True):
        site = version / output.SITE
        manifest = output.read_manifest(version)[0]
        assert _files(site) == {layout.file_of(path) for path in manifest["files"]}, version.name
        assert text in (site / "zh/guides/paying/index.html").read_text(encoding="utf-8"), version.name
    assert not (online / "zh/policies/notice-2023-1").exists()  # not even an empty folder
    assert search_index_whole(online)


def _index(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in (site / layout.SEARCH_DIR).rglob("*")
            if p.is_file()}


def test_a_reused_version_replaces_only_the_search_bundles_changed_since_it(fx, monkeypatch):
    monkeypatch.setattr(search, "MAX_PAGES", 1)  # a bundle a document: a change leaves the others' as they are
    fx.build()
    oldest = (output.complete_versions(fx.out)[0] / output.SITE).stat().st_ino
    for text in ("甲", "乙", "丙"):  # the payments guide's bundle changes three times
        _pay(fx, text)
        fx.build()
    before = _index(fx.out.resolve())
    fx.write("guides", "transit", TRANSIT, "## 过境\n\n改了一句。\n")
    fx.ingest()
    fx.build()  # into the first version, whose payments bundle is three builds old
    online = output.current(fx.out)
    assert (online / output.SITE).stat().st_ino == oldest
    touched = output.load_summary(online)["touched"]
    changed = [name for name in touched if name.startswith(output.SEARCH_DIRTY)]
    assert output.SEARCH_DIRTY not in changed and any(name.endswith("/") for name in changed)

    def untouched(index: dict[str, int]) -> dict[str, int]:
        return {n: i for n, i in index.items()
                if not any(n == c or c.endswith("/") and n.startswith(c) for c in changed)}

    after = _index(online / output.SITE)
    assert untouched(after) == untouched(before)  # the very files of the version before, the payments bundle too
    assert len(after) < 2 * len(untouched(after))
    assert search_index_whole(online / output.SITE)
    assert not [p for p in (online / output.SITE).rglob("*") if p.name.endswith(output.DELETING)]


def _under(name: str, files: set[str]) -> set[str]:
    """The files a name in a summary's `touched` stands for: itself, or those in it (a folder)."""
    return {file for file in files if file == name or name.endswith("/") and file.startswith(name)}


def test_what_a_build_records_of_its_search_index_is_all_that_differs_from_the_version_before(fx, monkeypatch):
    """The indexer tells what it wrote, linked or removed (search.IndexReport.changed) instead of the build
    comparing every file of the index with the version online: through splits, recent and older bundles,
    folds, hidden copies and a withdrawal, it names every file that differs, and only those."""
    monkeypatch.setattr(search, "MAX_PAGES", 1)  # a bundle a document
    monkeypatch.setattr(search, "RECENT_PAGES", 1)  # the older bundle, and folds, after a few changes
    monkeypatch.setattr(search, "OLDER_PAGES", 2)
    fx.build()
    changes = [lambda: _pay(fx, "甲"), lambda: fx.translate_and_approve("paying"), lambda: _pay(fx, "乙"),
               lambda: fx.write("guides", "transit", TRANSIT, "## 过境\n\n改了一句。\n") and fx.ingest(),
               lambda: fx.translate_and_approve("transit"), lambda: _pay(fx, "丙"),
               lambda: (fx.project.content_dir / "policies" / "notice-2023-1.md").unlink() or fx.ingest()]
    for change in changes:
        before = output.current(fx.out)
        change()
        fx.build()
        online = output.current(fx.out)
        told = {name for name in output.load_summary(online)["touched"] if name.startswith(output.SEARCH_DIRTY)}
        files = {name for name, _ in _index(before / output.SITE).items() ^ _index(online / output.SITE).items()}
        assert files == set().union(*(_under(name, files) for name in told))  # each file that differs is told
        # and each one told differs (but the interface's files, told whenever Pagefind writes them)
        assert all(_under(name, files) for name in told if not name.startswith(f"{layout.SEARCH_DIR}/{search.UI}/"))
        assert search_index_whole(online / output.SITE)


def _doomed(fx) -> set[str]:
    return {p.name for p in output.versions_dir(fx.out).iterdir() if p.name.endswith(output.DELETING)}


def test_the_bundles_a_reused_version_replaces_are_removed_a_few_builds_at_a_time(fx):
    """Renamed for deletion as the version is reused, and removed by a process of their own once several
    have gathered, not one process a build."""
    fx.build()
    seen: set[str] = set()
    for n in range(20):  # from the fifth build on, each reuses a version (publish.keep_versions = 3)
        _pay(fx, f"第{n}次。")
        fx.build()
        doomed = _doomed(fx)
        assert len(doomed) < output.REMOVE_TOGETHER + 4  # never more than a build's worth past the batch
        seen |= doomed
        if len(doomed) >= output.REMOVE_TOGETHER:
            break
    assert len(seen) >= output.REMOVE_TOGETHER  # gathered, the build's own still there when it ended
    _pay(fx, "再一次。")
    fx.build()  # its recover removes them, in the background
    deadline = time.monotonic() + 60
    while seen & _doomed(fx) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not seen & _doomed(fx)
    assert search_index_whole(output.current(fx.out) / output.SITE)


def test_a_manifest_whose_facts_no_longer_read_makes_every_page_again_and_says_so(fx):
    """The facts of a part are read only when a build needs them (output._PartFacts), after the manifest was
    taken as readable: one that does not read then (a disk error, a hand edit) starts the build again without
    the manifest, as a manifest unreadable from the start makes it, instead of failing it."""
    fx.build()
    for facts in (output.current(fx.out) / output.PARTS).glob(f"*{output.FACTS}"):
        facts.unlink()  # (a new file: the old one may be shared with other versions)
        facts.write_bytes(b'{"cut short')
    warm.forget(fx.out)  # as a new process: the manifest is read from disk
    _pay(fx, "只有这一处改了。")
    report = fx.build()
    assert any(f"{output.FACTS} does not read" in note for note in report.notes), report.notes
    assert "zh/guides/paying/" in report.rendered and len(report.rendered) == len(output.read_manifest(
        output.current(fx.out))[0]["files"]), "every file made again"
    assert "只有这一处改了" in (fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")
    files = output.read_manifest(output.current(fx.out))[0]["files"]  # the facts it wrote read, and agree
    assert lint.lint_site(files, layout.Urls("https://example.org"), files[layout.SITEMAP]["facts"]) == []
    assert leftovers(fx.out) == []
    _pay(fx, "再改一处。")  # the manifest it wrote reads: the next build is a rebuild again
    again = fx.build()
    assert not again.notes and 0 < len(again.rendered) < len(report.rendered)


def test_a_rebuild_in_a_new_process_writes_only_the_manifest_parts_that_changed(fx):
    fx.build()
    first = output.current(fx.out)
    _pay(fx, "甲")
    warm.forget(fx.out)  # as a new process: the manifest is read from disk
    fx.build()
    online = output.current(fx.out)
    parts = sorted(p.name for p in (online / output.PARTS).iterdir())
    written = [n for n in parts if (online / output.PARTS / n).stat().st_ino
               != (first / output.PARTS / n).stat().st_ino]
    assert 0 < len(written) < len(parts) / 8
    before, after = output.read_manifest(first)[0], output.read_manifest(online)[0]
    assert after["docs"]["paying"]["raw_hash"] != before["docs"]["paying"]["raw_hash"]
    assert after["docs"]["transit"] == before["docs"]["transit"]
    changed = {path for path, record in after["files"].items() if record != before["files"].get(path)}
    in_written = {path for n in written if n.startswith("files.")
                  for path in json.loads((online / output.PARTS / n).read_text(encoding="utf-8"))}
    assert "zh/guides/paying/" in changed and changed <= in_written


def test_a_build_whose_posts_were_not_queued_is_not_taken_as_done(fx):
    build_site(fx.project, fx.store, today=TODAY, social=False)  # as if stopped between switch and outbox
    queued = build_site(fx.project, fx.store, today=TODAY)
    assert queued.social and queued.rendered == []
    assert versions(fx) == ["000001", "000002"]
    again = build_site(fx.project, fx.store, today=TODAY)
    assert again.social == [] and versions(fx) == ["000001", "000002"]


def test_a_long_list_or_dict_is_keyed_as_the_hash_of_its_whole_repr():
    """The sitemap's rows and provenance are hashed an item at a time (to spare a repr of every page at once):
    the key must stay the one a short input gets, so a rebuild after this change reuses what it can."""
    rows = [(f"zh/guides/doc-{i}/", [{"hreflang": "zh", "href": f"https://example.org/概/{i}/"}],
             None if i % 3 else dt.date(2024, 1, 1 + i % 28)) for i in range(STREAMED + 5)]
    pages = {f"https://example.org/{i}/": {"lang": "en", "release_id": i} for i in range(STREAMED + 1)}
    for parts in [(rows,), (pages,), (rows, pages), ("design", rows), (list(range(STREAMED + 1)),)]:
        assert key_of(*parts) == hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:24]


def test_a_rebuild_that_adds_or_removes_no_file_takes_its_list_of_files_from_the_build_online(fx):
    fx.build()
    online = output.current(fx.out)
    summary = output.load_summary(online)
    (online / output.SUMMARY).write_bytes(json.dumps(summary | {"paths": [*summary["paths"], "no/such/"]}).encode())
    _pay(fx, "甲")
    fx.build()  # the same files, one written anew
    assert "no/such/" in output.load_summary(output.current(fx.out))["paths"]  # taken as it was, not listed again
    (fx.project.content_dir / "policies" / "notice-2023-1.md").unlink()
    fx.ingest()
    fx.build()  # files removed: listed again
    online = output.current(fx.out)
    assert output.load_summary(online)["paths"] == sorted(output.read_manifest(online)[0]["files"])


RECORDS = [{"key": str(n)} for n in range(3)]  # records are compared as the very objects, not by what they hold
KEYED = st.dictionaries(st.sampled_from("abcdefg"), st.sampled_from(range(len(RECORDS))))


@settings(max_examples=600, deadline=None)
@given(KEYED, KEYED)
def test_the_manifest_records_placed_again_are_those_changed_added_or_gone(now, then):
    now, then = ({key: RECORDS[n] for key, n in held.items()} for held in (now, then))
    expected = [key for key, record in now.items() if then.get(key) is not record] + list(then.keys() - now)
    found = not_the_same(now, then)
    assert sorted(found) == sorted(expected) and len(found) == len(expected)
