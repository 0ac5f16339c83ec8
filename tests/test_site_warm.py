"""A long-running process (`zaitun up`) remembers its last build (warm.py): the memory must never serve a
stale site. Another process's build or rollback, and every write to the store, are seen by the next build."""

from __future__ import annotations

import filecmp
import gc
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from publish_helpers import NOTICE, PAYING, TODAY, aged_project, edit_stored_file

from zaitun.project import Project
from zaitun.publish import layout, output, warm
from zaitun.publish.site import build_site
from zaitun.state.store import Store

NEW_TITLE = "泉州市营商环境若干措施（修订）"


@pytest.fixture
def fx(tmp_path):
    with aged_project(tmp_path / "proj") as fx:
        yield fx


def _retitle_notice(fx, title: str) -> None:
    fx.write("policies", "notice-2023-1", NOTICE.replace("泉州市营商环境若干措施", title),
             "## 通知\n\n本通知已修订。\n")
    assert fx.ingest().ingested == ["notice-2023-1"]


def _pay(fx, text: str) -> None:
    fx.write("guides", "paying", PAYING, f"## 刷卡\n\n{text}\n")
    assert fx.ingest().ingested == ["paying"]


def _page(fx, path: str) -> str:
    return (fx.out / layout.file_of(path)).read_text(encoding="utf-8")


def _in_another_process(fx, code: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `code` in a new interpreter, with `project` and `store` of the same project (a second build or a
    rollback, as a person running `zaitun build` beside `zaitun up` would)."""
    script = ("import datetime as dt\nfrom zaitun.project import Project\nfrom zaitun.state.store import Store\n"
              "from zaitun.publish.site import build_site, rollback\n"
              f"project = Project({str(fx.project.root)!r}); store = Store.open(project.database_url)\n{code}\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert not check or done.returncode == 0, done.stderr
    return done


def _same_site(a: Path, b: Path) -> list[str]:
    """Files that differ or exist in one site only (search index and social outbox aside)."""
    def files(site: Path) -> set[str]:
        return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()
                and p.relative_to(site).parts[0] not in (layout.SEARCH_DIR, layout.SOCIAL_DIR)}

    names = files(a) | files(b)
    return sorted(n for n in names if not ((a / n).is_file() and (b / n).is_file()
                                           and filecmp.cmp(a / n, b / n, shallow=False)))


def test_warm_rebuilds_write_the_same_site_as_a_cold_build_of_the_same_store(fx, tmp_path):
    fx.build()
    _pay(fx, "第一次修改。")
    fx.build()
    _retitle_notice(fx, NEW_TITLE)
    fx.build()
    fx.translate_and_approve("notice-2023-1")
    fx.build()
    _pay(fx, "第二次修改。")
    warm_report = fx.build()
    assert warm_report.rendered  # the last build did work, with the memory of the one before
    project = _built_afresh(fx, tmp_path / "cold")
    assert _same_site(fx.out.resolve(), project.publish_dir.resolve()) == []
    online = output.current(fx.out)  # its manifest, written in part and linked in part, is the one kept
    kept = orjson.loads(orjson.dumps(warm.recall(fx.out, online).manifest))  # as JSON: its facts' tuples are lists
    assert output.read_manifest(online)[0] == kept
    assert output.read_manifest(online)[0] == output.read_manifest(output.current(project.publish_dir))[0]


def test_a_rollback_by_another_process_between_two_warm_builds_is_seen(fx):
    fx.build()
    _retitle_notice(fx, NEW_TITLE)
    fx.build()  # remembered: the lists showing the notice under its new title
    _in_another_process(fx, "rollback(project)")  # the first build is online again, old title and all
    assert "（修订）" not in _page(fx, layout.section("zh", "policies"))
    _pay(fx, "又改了一次。")
    fx.build()
    assert "（修订）" in _page(fx, layout.section("zh", "policies"))
    assert "又改了一次" in _page(fx, layout.document("zh", "guides", "paying"))


def test_a_build_by_another_process_between_two_warm_builds_is_seen(fx):
    fx.build()
    _pay(fx, "本进程的修改。")
    fx.build()
    _retitle_notice(fx, NEW_TITLE)
    _in_another_process(fx, f"build_site(project, store, today=dt.date.fromisoformat({TODAY.isoformat()!r}))")
    _pay(fx, "本进程的第二次修改。")
    report = fx.build()
    assert "zh/guides/paying/" in report.rendered and "zh/policies/notice-2023-1/" not in report.rendered
    assert "（修订）" in _page(fx, layout.section("zh", "policies"))
    assert "（修订）" in _page(fx, layout.document("zh", "policies", "notice-2023-1"))
    assert "本进程的第二次修改" in _page(fx, layout.document("zh", "guides", "paying"))


def test_a_store_write_outside_zaitun_between_two_warm_builds_is_seen(fx):
    fx.build()
    _pay(fx, "第一次修改。")
    fx.build()
    edit_stored_file(fx.project, "paying", "第一次修改", "库里改的")
    report = fx.build()
    assert "zh/guides/paying/" in report.rendered
    assert "库里改的" in _page(fx, layout.document("zh", "guides", "paying"))



def _inodes(version: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in (version / output.PARTS).iterdir()}


def test_a_warm_rebuild_places_only_the_records_that_changed_in_the_manifest_parts(fx, tmp_path):
    fx.build()
    _pay(fx, "第一次修改。")
    fx.build()
    memory = warm._KEPT[str(fx.out)]
    untouched = next(name for name, records in memory.parts.items()
                     if name.startswith("files.") and "zh/guides/paying/" not in records and records)
    memory.parts[untouched]["a record no build makes"] = {}  # kept only by a part taken as it was
    first = output.current(fx.out)
    _pay(fx, "第二次修改。")
    fx.build()
    online = output.current(fx.out)
    assert "a record no build makes" in warm._KEPT[str(fx.out)].parts[untouched]  # not placed again
    before, after = output.read_manifest(first)[0], output.read_manifest(online)[0]
    changed = {output.part_of(kind, key) for kind in output.KINDS for key in before[kind].keys() | after[kind].keys()
               if before[kind].get(key) != after[kind].get(key)}
    old = _inodes(first)
    assert {name for name, inode in _inodes(online).items() if old.get(name) != inode} == {
        f"{name}.json" for name in changed} | {f"{name}{output.FACTS}" for name in changed if name.startswith("files.")}
    project = _built_afresh(fx, tmp_path / "cold")
    assert after == output.read_manifest(output.current(project.publish_dir))[0]


def _built_afresh(fx, folder: Path) -> Project:
    """A copy of the project without its site, built by this process as a first build: what a warm build's
    site and manifest must equal."""
    shutil.copytree(fx.project.root, folder, ignore=shutil.ignore_patterns("publish*", ".publish*"))
    project = Project(folder)
    store = Store.open(project.database_url)
    build_site(project, store, today=TODAY)
    store.close()
    return project


def test_a_warm_build_turns_the_collector_back_on_once_its_leftover_work_is_done(fx):
    """A process that builds again leaves its snapshot to a thread once the version is online; that thread turns
    the cycle collector back on after it, so the build returns before the collector's first walk over what it
    made, and no later code runs with the collector off."""
    from zaitun.publish import site

    assert gc.isenabled()
    build_site(fx.project, fx.store)
    _pay(fx, "第一次。")
    build_site(fx.project, fx.store)  # the build online is this process's: it leaves its snapshot to a thread
    _pay(fx, "第二次。")
    build_site(fx.project, fx.store)
    site.settled()
    assert gc.isenabled()
    gc.disable()  # a build started with the collector off leaves it off, whatever it left to do
    try:
        _pay(fx, "第三次。")
        build_site(fx.project, fx.store)
        site.settled()
        assert not gc.isenabled()
    finally:
        gc.enable()
