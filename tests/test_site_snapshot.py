"""A new process (`zaitun build`) adopts the heads the build online saved (snapshot.py) and reads from the store
only the documents written since. Never a stale or wrong page: after every kind of change it writes the site a
full build writes, and any snapshot that does not match, or does not read whole, means reading everything."""

from __future__ import annotations

import fcntl
import json
import marshal
import shutil
import threading
import zlib

import orjson
import pytest
from publish_helpers import NOTICE, PAYING, TODAY, aged_project, copy_store
from sqlalchemy import delete
from test_site_cold import BUILD, _full_build_of_a_copy
from test_site_warm import _in_another_process, _same_site

from zaitun.project import Project
from zaitun.publish import layout, output, site, snapshot, warm
from zaitun.publish.delta import settled_build
from zaitun.publish.site import build_site
from zaitun.state import heads
from zaitun.state.store import Store, releases


@pytest.fixture
def fx(tmp_path):
    with aged_project(tmp_path / "proj") as fx:
        yield fx


def _build_in_new_process(fx, tmp_path, before: str = "") -> list[str]:
    """`zaitun build` in a new interpreter (after `before`, code run there first); the SQL it sent the store."""
    log = tmp_path / "statements.json"
    _in_another_process(fx, f"{before}\nfrom sqlalchemy import event\nseen = []\n"
                        "event.listen(store.engine, 'before_cursor_execute', lambda *a: seen.append(a[2]))\n"
                        f"{BUILD}\nimport json\nopen({str(log)!r}, 'w').write(json.dumps(seen))")
    return json.loads(log.read_text())


def _heads_read(statements: list[str]) -> str:
    """Which documents' heads the build read from the store: "all", "some" (those written since) or "none"."""
    found = [s for s in statements if "FROM documents" in s and "documents.raw_hash" in s and "documents.raw," not in s]
    if any("documents.slug IN" not in s for s in found):
        return "all"
    return "some" if found else "none"


def _snapshot(fx):
    return output.current(fx.out) / output.SNAPSHOT


def _check_same_as_full_build(fx, tmp_path, name: str) -> None:
    full = _full_build_of_a_copy(fx, tmp_path / name)
    assert _same_site(fx.out.resolve(), full.publish_dir.resolve()) == [], name


def _edit(fx, section: str, slug: str, front: str, body: str) -> None:
    fx.write(section, slug, front, body)
    assert fx.ingest().ingested == [slug]


def _withdraw_paying(fx) -> None:
    (fx.project.content_dir / "guides" / "paying.md").unlink()
    fx.ingest()


def _fail_intake(fx) -> None:
    fx.write("policies", "notice-2023-1", NOTICE.replace("date: 2023-01-05", "date: 五月"), "## 通知\n\n改了。\n")
    assert fx.ingest().ingested == []


def _page_size(fx) -> None:
    (fx.project.root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org"\npage_size = 1\n',
                                                 encoding="utf-8")


def test_new_process_rebuilds_read_only_what_changed_and_write_the_same_site_as_a_full_build(fx, tmp_path):
    assert _heads_read(_build_in_new_process(fx, tmp_path)) == "all"  # no build online yet
    assert _snapshot(fx).is_file()
    changes = {
        "a Chinese body": lambda: _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n"),
        "an English approval": lambda: fx.translate_and_approve("paying"),
        "a new document": lambda: _edit(fx, "guides", "cash", PAYING.replace("境外银行卡", "现金"), "现金可用。"),
        "a withdrawal": lambda: _withdraw_paying(fx),
        "a document whose intake fails": lambda: _fail_intake(fx),
        "the settings": lambda: _page_size(fx),
    }
    for name, change in changes.items():
        change()
        statements = _build_in_new_process(fx, tmp_path)
        assert _heads_read(statements) == ("none" if name in ("a document whose intake fails", "the settings")
                                           else "some"), name
        _check_same_as_full_build(fx, tmp_path, name)
    assert "境外银行卡" not in (fx.out / "en" / "index.html").read_text(encoding="utf-8")  # withdrawn, gone


def test_a_withdrawn_document_adopted_from_the_snapshot_is_read_again_and_goes(fx, tmp_path):
    _build_in_new_process(fx, tmp_path)
    transit = layout.file_of(layout.document("en", "guides", "transit"))
    assert (fx.out / transit).is_file()
    (fx.project.content_dir / "guides" / "transit.md").unlink()
    fx.ingest()
    assert _heads_read(_build_in_new_process(fx, tmp_path)) == "some"
    assert not (fx.out / transit).exists()
    assert "240小时" not in (fx.out / "zh" / "index.html").read_text(encoding="utf-8")


def _corrupt(path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _checksummed(*parts) -> bytes:
    data = b"".join(len(part).to_bytes(snapshot.SIZE, "big") + part for part in map(marshal.dumps, parts))
    return snapshot.MAGIC + zlib.crc32(data).to_bytes(4, "big") + data


def _saved(fx) -> list:
    """The parts of the snapshot of the build online: its header, heads, provenance.json's pages, plan."""
    with memoryview(_snapshot(fx).read_bytes()) as view:
        return [marshal.loads(span) for span in snapshot._spans(view, len(snapshot.MAGIC) + 4)]


def _as_folder(path) -> None:
    path.unlink()
    path.mkdir()


def _other_version_snapshot(fx) -> None:
    versions = output.complete_versions(fx.out)
    shutil.copyfile(versions[-2] / output.SNAPSHOT, versions[-1] / output.SNAPSHOT)


def _older_summary(fx) -> None:
    path = output.current(fx.out) / output.SUMMARY
    path.write_bytes(orjson.dumps(orjson.loads(path.read_bytes()) | {"version": "5-old"}))


@pytest.mark.parametrize("spoil", [
    lambda fx: _snapshot(fx).unlink(),  # missing
    lambda fx: _snapshot(fx).write_bytes(_snapshot(fx).read_bytes()[:1000]),  # truncated
    lambda fx: _corrupt(_snapshot(fx)),  # a byte changed
    lambda fx: _snapshot(fx).write_bytes(_checksummed("not a snapshot")),  # whole, but not one
    lambda fx: _snapshot(fx).write_bytes(_checksummed(  # the right header, rows that are not
        _saved(fx)[0], [("a", 1)], [], None, None)),
    lambda fx: _as_folder(_snapshot(fx)),  # not a file
    _other_version_snapshot,  # of the version before
    _older_summary,  # the build online's summary of an older format
], ids=["missing", "truncated", "corrupt", "not-a-snapshot", "bad-rows", "a-folder", "other-version", "old-summary"])
def test_a_snapshot_that_does_not_match_or_read_whole_means_reading_everything(fx, tmp_path, spoil):
    _build_in_new_process(fx, tmp_path)
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")
    _build_in_new_process(fx, tmp_path)
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第二次修改。\n")
    spoil(fx)
    assert _heads_read(_build_in_new_process(fx, tmp_path)) == "all"
    assert "第二次修改" in (fx.out / layout.file_of(layout.document("zh", "guides", "paying"))).read_text(
        encoding="utf-8")
    _check_same_as_full_build(fx, tmp_path, "full")
    assert _snapshot(fx).is_file()  # the build saved a good one again


def test_a_snapshot_made_by_other_code_is_not_adopted(fx, tmp_path):
    _build_in_new_process(fx, tmp_path)
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")
    other = tmp_path / "code"  # the same files elsewhere: another digest of zaitun's code
    shutil.copytree(output.Path(snapshot.__file__).parent.parent, other / "zaitun")
    before = f"from zaitun import stamps\nstamps.CODE = stamps.Path({str(other / 'zaitun')!r})"
    assert _heads_read(_build_in_new_process(fx, tmp_path, before)) == "all"
    _check_same_as_full_build(fx, tmp_path, "full")


def test_a_snapshot_of_another_store_at_the_same_place_is_not_adopted(fx, tmp_path):
    _build_in_new_process(fx, tmp_path)
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")
    _replace_store(fx)
    assert _heads_read(_build_in_new_process(fx, tmp_path)) == "all"
    _check_same_as_full_build(fx, tmp_path, "full")


def _replace_store(fx) -> None:
    """A store made anew at the same path from the same content/ (its own identity), its change number made the
    one the build online recorded."""
    seq = output.load_summary(output.current(fx.out))["seq"]
    path = fx.project.state_dir / "state.db"
    fx.store.close()
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    fx.store = Store.open(fx.project.database_url)
    fx.ingest()
    assert fx.store.change_seq() <= seq
    with fx.store.tx() as conn:
        for _ in range(seq - fx.store.change_seq()):
            conn.exec_driver_sql("INSERT INTO changes (slug) VALUES ('padding')")
    assert fx.store.change_seq() == seq


def test_a_store_replaced_by_another_with_the_same_change_number_gets_a_full_build(fx, tmp_path):
    """The build online's change number alone would say nothing changed; the store's identity says otherwise."""
    fx.build()
    fx.write("guides", "paying", PAYING, "## 刷卡\n\n新库里的文字。\n")
    _replace_store(fx)
    page = fx.out / layout.file_of(layout.document("zh", "guides", "paying"))
    assert "新库里的文字" not in page.read_text(encoding="utf-8")
    assert settled_build(fx.project, TODAY) is None  # `zaitun build` does not stop at "nothing to do"
    report = fx.build()
    assert report.rendered and "新库里的文字" in page.read_text(encoding="utf-8")
    assert output.load_summary(output.current(fx.out))["store"] == fx.store.identity()
    assert settled_build(fx.project, TODAY) is not None  # and now there is nothing to do


def test_the_snapshot_is_taken_by_a_process_whose_own_memory_is_of_another_build(fx, tmp_path):
    """A warm process whose last build is no longer online (another process built since) adopts the snapshot
    of the build online, and still reads again what was written since."""
    fx.build()
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")
    _build_in_new_process(fx, tmp_path)
    fx.translate_and_approve("paying")
    fx.build()
    _check_same_as_full_build(fx, tmp_path, "full")
    assert "EN[" in (fx.out / layout.file_of(layout.document("en", "guides", "paying"))).read_text(encoding="utf-8")


def test_a_snapshot_never_fails_a_build_of_a_store_copied_elsewhere(fx, tmp_path):
    """A project copied with its store keeps its identity: the copy's build may adopt the snapshot and is
    still the copy's own site."""
    _build_in_new_process(fx, tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(fx.project.root, copy, symlinks=True, ignore=shutil.ignore_patterns("state.db*"))
    copy_store(fx.project, copy)
    project = Project(copy)
    store = Store.open(project.database_url)
    try:
        build_site(project, store, today=TODAY)
    finally:
        heads.forget(store)
        warm.forget(project.publish_dir)
        store.close()
    assert _same_site(fx.out.resolve(), project.publish_dir.resolve()) == []


def test_adopted_heads_and_what_was_written_since_are_a_fresh_read_after_every_kind_of_write(database_url, tmp_path):
    """Saved by one process, adopted by the next after a write: the heads it reads are the store's, on SQLite
    and PostgreSQL (whose datetimes carry their zone)."""
    store = Store.open(database_url)
    version = tmp_path / "000007"
    version.mkdir()
    writes = [
        lambda conn: store.save_document(conn, "b", "guides", "b.md", "# b"),
        lambda conn: store.save_document(conn, "d", "guides", "d.md", "# d"),
        lambda conn: store.add_release(conn, "d", "en", "h", {"body": "D"}),
        lambda conn: store.save_document(conn, "a", "guides", "a.md", "# a"),  # new, first in slug order
        lambda conn: store.save_document(conn, "b", "guides", "b.md", "# b, changed"),
        lambda conn: store.add_release(conn, "b", "en", "h2", {"body": "B"}),
        lambda conn: store.withdraw_document(conn, "d"),  # its release stays, its document goes
        lambda conn: conn.execute(delete(releases).where(releases.c.slug == "b")),  # by hand, outside zaitun
    ]
    try:
        for write in writes:
            seq = store.change_seq()
            heads.read(store, seq)  # as a build reads them, then saves them
            snapshot.save(version, store, "code")
            heads.forget(store)  # the next process knows nothing
            with store.tx() as conn:
                write(conn)
            assert snapshot.adopt(version, store, {"store": store.identity(), "seq": seq}, "code")
            assert heads.read(store, store.change_seq()) == (store.document_heads("active"), store.release_heads("en"))
    finally:
        heads.forget(store)
        store.close()


def test_a_snapshot_prepared_before_its_version_went_online_is_written_only_beside_that_version(tmp_path):
    """A new process encodes its snapshot while its search index is made, for the version its build folder
    becomes: written beside that version it is adopted; beside another (or not made) none is left there."""
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        with store.tx() as conn:
            store.save_document(conn, "b", "guides", "b.md", "# b")
        seq = store.change_seq()
        heads.read(store, seq)
        prepared = snapshot.prepare("000008", store, "code")
        other, mine = tmp_path / "000007", tmp_path / "000008"
        for version in (other, mine):
            version.mkdir()
            (version / output.SNAPSHOT).write_bytes(b"left by the version's earlier life")
            snapshot.write(version, prepared)
        heads.forget(store)
        summary = {"store": store.identity(), "seq": seq}
        assert not (other / output.SNAPSHOT).exists()
        assert snapshot.adopt(mine, store, summary, "code")
        snapshot.write(mine, None)  # none could be made: none is left to adopt
        assert not (mine / output.SNAPSHOT).exists() and not list(mine.iterdir())
    finally:
        heads.forget(store)
        store.close()


def _resave(fx, provenance=None, plan=None, keep: str = "plan") -> None:
    """The snapshot saved again with other provenance.json pages (or another plan, `keep` the pages)."""
    header, documents, releases, *rest = _saved(fx)
    if keep == "plan":
        rest[0] = provenance
    else:
        rest[1] = plan
    _snapshot(fx).write_bytes(_checksummed(header, documents, releases, *rest))


TRANSIT = "https://example.org/zh/guides/transit/"


def _online_provenance(fx):
    return output.current(fx.out) / output.SITE / layout.PROVENANCE


def _mark_transit_online(fx, edit=lambda text: text) -> None:
    """The build online's provenance.json, transit's record marked (its length kept) so no encoding writes it."""
    path = _online_provenance(fx)
    text = path.read_text(encoding="utf-8")
    start = text.index(f'"{TRANSIT}"')
    end = text.index("}", start)
    marked = edit(text[:start] + text[start:end].replace('"raw_hash"', '"raw_HASH"') + text[end:])
    path.unlink()  # a new file: the old one is shared with the versions before it (hard links)
    path.write_text(marked, encoding="utf-8")


def _provenance(fx) -> dict:
    return json.loads((fx.out / layout.PROVENANCE).read_text(encoding="utf-8"))["pages"]


def test_a_new_process_takes_the_unchanged_pages_provenance_from_the_build_online_and_marks_only_the_changed(
        fx, tmp_path):
    _build_in_new_process(fx, tmp_path)
    _mark_transit_online(fx)
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")
    _build_in_new_process(fx, tmp_path)
    pages = _provenance(fx)
    assert "raw_HASH" in pages[TRANSIT]  # its lines as online: neither marked nor encoded
    paying = pages["https://example.org/zh/guides/paying/"]["raw_hash"]  # changed: encoded anew
    assert paying == fx.store.document("paying")["raw_hash"]
    urls, marks, places, lengths = _saved(fx)[3]  # and saved again, for the next process
    assert len(urls) == len(marks) == len(places) == len(lengths) == len(pages)


def _saved_edit(edit):
    def spoil(fx) -> None:
        urls, marks, places, lengths = _saved(fx)[3]
        _resave(fx, edit(list(urls), list(marks), list(places), list(lengths)))
    return spoil


def _a_mark_changed(urls, marks, places, lengths):
    marks[0] = "0" * 32  # then not the pages of the build online's provenance.json (its key)
    return urls, marks, places, lengths


def _a_length_changed(urls, marks, places, lengths):
    lengths[0] += 1
    return urls, marks, places, lengths


@pytest.mark.parametrize("spoil", [
    _saved_edit(_a_mark_changed),
    _saved_edit(_a_length_changed),
    _saved_edit(lambda urls, marks, places, lengths: (urls, marks, places[:-1], lengths)),  # a place missing
    _saved_edit(lambda urls, marks, places, lengths: None),  # none saved
    _saved_edit(lambda urls, marks, places, lengths: "pages"),  # not pages
    lambda fx: _mark_transit_online(fx, lambda text: text[:-1] + " }"),  # the file online is not of those lines
    lambda fx: _online_provenance(fx).unlink(),  # no file online
], ids=["a-mark-changed", "a-length-changed", "a-place-missing", "none", "not-pages", "another-file", "no-file"])
def test_provenance_pages_saved_that_are_not_those_of_the_build_online_are_never_taken(fx, tmp_path, spoil):
    _build_in_new_process(fx, tmp_path)
    _mark_transit_online(fx)
    spoil(fx)
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")
    assert _heads_read(_build_in_new_process(fx, tmp_path)) == "some"  # the rest of the snapshot is taken
    assert "raw_HASH" not in _provenance(fx)[TRANSIT]
    _check_same_as_full_build(fx, tmp_path, "full")


def _planned_in_new_process(fx, tmp_path) -> dict[str, int]:
    """`zaitun build` in a new interpreter: how many lists of a kind it grouped from every document (a plan of
    everything), and whether it listed every page for the sitemap."""
    return _counted_in_new_process(fx, tmp_path, "from zaitun.publish import extras, pages\n"
                                   "counts = {'grouped': 0, 'sitemap': 0}\n"
                                   "grouped, rows = pages._grouped, extras.sitemap_rows\n"
                                   "def count(name, made):\n    counts[name] += 1\n    return made\n"
                                   "pages._grouped = lambda *a: count('grouped', grouped(*a))\n"
                                   "extras.sitemap_rows = lambda *a: count('sitemap', rows(*a))\n", "counts")


def _counted_in_new_process(fx, tmp_path, counting: str, counted: str):
    """`zaitun build` in a new interpreter after the code `counting`; the value of `counted` after it."""
    log = tmp_path / "counted.json"
    _in_another_process(fx, f"{counting}{BUILD}\nimport json\nopen({str(log)!r}, 'w').write(json.dumps({counted}))")
    return json.loads(log.read_text())


def test_a_new_process_plans_again_only_what_changed_from_the_plan_the_build_online_saved(fx, tmp_path):
    assert _planned_in_new_process(fx, tmp_path)["grouped"] > 0  # no build online: everything is planned
    changes = {
        "a Chinese body": (lambda: _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n"), 0),
        "an English approval": (lambda: fx.translate_and_approve("paying"), 1),  # its first: a page comes
        "a title": (lambda: _edit(fx, "policies", "notice-2023-1", NOTICE.replace("泉州市营商环境若干措施", "新标题"),
                                  "## 通知\n\n修订。\n"), 0),
        "a new document": (lambda: _edit(fx, "guides", "cash", PAYING.replace("境外银行卡", "现金"), "现金可用。"), 1),
    }
    for name, (change, sitemap) in changes.items():
        change()
        assert _planned_in_new_process(fx, tmp_path) == {"grouped": 0, "sitemap": sitemap}, name
        _check_same_as_full_build(fx, tmp_path, name)


def _plan_bytes(fx) -> bytes:
    """The plan's part of the snapshot of the build online, as written."""
    with memoryview(_snapshot(fx).read_bytes()) as view:
        spans = snapshot._spans(view, len(snapshot.MAGIC) + 4)
        plan = bytes(spans[-1])
        del spans
    return plan


def _marshalled_in_new_process(fx, tmp_path) -> int:
    """`zaitun build` in a new interpreter: how many of its snapshot's parts it marshalled."""
    return _counted_in_new_process(fx, tmp_path, "import marshal\nfrom zaitun.publish import snapshot\n"
                                   "count = [0]\n"
                                   "class Counted:\n    version, loads = marshal.version, staticmethod(marshal.loads)\n"
                                   "    @staticmethod\n    def dumps(value):\n        count[0] += 1\n"
                                   "        return marshal.dumps(value)\n"
                                   "snapshot.marshal = Counted\n", "count[0]")


def test_a_new_process_whose_plan_did_not_change_saves_the_plan_it_adopted_as_it_read_it(fx, tmp_path):
    assert _marshalled_in_new_process(fx, tmp_path) == 5  # header, heads (2), provenance.json's pages, plan
    first = _plan_bytes(fx)
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")  # what a plan compares is the same
    assert _marshalled_in_new_process(fx, tmp_path) == 4
    assert _plan_bytes(fx) == first
    _edit(fx, "guides", "cash", PAYING.replace("境外银行卡", "现金"), "现金可用。")  # a new document: a new plan
    assert _marshalled_in_new_process(fx, tmp_path) == 5
    assert _plan_bytes(fx) != first and "cash" in _saved(fx)[4][1][0][5]
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第二次修改。\n")
    assert _planned_in_new_process(fx, tmp_path) == {"grouped": 0, "sitemap": 0}  # the plan saved is taken
    _check_same_as_full_build(fx, tmp_path, "full")


def _plan_of(fx, edit):
    settings, langs = _saved(fx)[4]
    return edit(settings, [list(lang) for lang in langs])


def _a_date_moved(settings, langs):
    docs = dict(langs[0][5])
    date, *rest = docs["transit"]
    docs["transit"] = (date + 1, *rest)  # a document not written since, on another day than it is
    langs[0][5] = docs
    return settings, langs


@pytest.mark.parametrize("edit", [
    _a_date_moved,
    lambda settings, langs: (settings.replace("20", "21"), langs),  # other settings
    lambda settings, langs: (settings, langs[:1]),  # a language missing
    lambda settings, langs: None,  # none saved
    lambda settings, langs: "plan",  # not a plan
], ids=["a-date-moved", "other-settings", "a-language-missing", "none", "not-a-plan"])
def test_a_saved_plan_that_does_not_agree_with_what_was_read_means_planning_everything(fx, tmp_path, edit):
    _build_in_new_process(fx, tmp_path)
    _resave(fx, plan=_plan_of(fx, edit), keep="provenance")
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")
    assert _planned_in_new_process(fx, tmp_path)["grouped"] > 0
    _check_same_as_full_build(fx, tmp_path, "full")


def test_a_warm_build_saves_only_the_heads_and_a_new_process_after_it_plans_everything(fx, tmp_path):
    """A warm process (`zaitun up`) has its plan and provenance.json's pages in memory; saving them would cost
    it a tenth of a warm build. A new process after it plans and marks every page, and writes the same site."""
    fx.build()
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")
    fx.build()  # warm: it remembers the build before
    site.settled()  # its snapshot saved once it returned
    assert _saved(fx)[3:] == [None, None] and _saved(fx)[1]
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第二次修改。\n")
    assert _planned_in_new_process(fx, tmp_path)["grouped"] > 0
    _check_same_as_full_build(fx, tmp_path, "full")


def test_after_a_rollback_a_new_process_starts_from_the_plan_of_the_build_put_back_online(fx, tmp_path):
    """The version put back online keeps its own snapshot: what was written since it was built is planned and
    marked again, the changes rolled back among them."""
    _build_in_new_process(fx, tmp_path)
    _edit(fx, "policies", "notice-2023-1", NOTICE.replace("泉州市营商环境若干措施", "新标题"), "## 通知\n\n修订。\n")
    _build_in_new_process(fx, tmp_path)
    _in_another_process(fx, "rollback(project)")
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")
    assert _planned_in_new_process(fx, tmp_path)["grouped"] == 0
    _check_same_as_full_build(fx, tmp_path, "full")
    assert "新标题" in (fx.out / "zh" / "index.html").read_text(encoding="utf-8")


def test_a_warm_build_returns_before_its_snapshot_is_saved_and_holds_the_build_lock_until_it_is(
        fx, tmp_path, monkeypatch):
    """A warm process saves its build's heads once the build returned (site._afterwards): until then the build
    lock stays taken, so no build, in this process or another, starts before the snapshot is whole; a new
    process then adopts it."""
    fx.build()
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n")
    fx.build()  # warm: its snapshot saved after it returned
    site.settled()
    assert _snapshot(fx).is_file()
    go, save = threading.Event(), snapshot.save
    monkeypatch.setattr(snapshot, "save", lambda *args: (go.wait(20), save(*args)))
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第二次修改。\n")
    try:
        assert fx.build().rendered
        assert not _snapshot(fx).exists()  # the build returned, the version online, its snapshot not yet saved
        with open(fx.project.state_dir / "publish.lock", "w") as handle, pytest.raises(BlockingIOError):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by the thread saving it
    finally:
        go.set()
        site.settled()
    assert _snapshot(fx).is_file()
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第三次修改。\n")
    assert _heads_read(_build_in_new_process(fx, tmp_path)) == "some"  # adopted
    _check_same_as_full_build(fx, tmp_path, "full")
