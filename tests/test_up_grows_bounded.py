"""`zaitun up` runs for months: its memory, its Prefect server's database and the logs in .zaitun/ must not grow
for ever. Each approval's event once kept a Prefect events worker alive (0.9 MB); flow runs past
`prefect.keep_runs_days` are deleted by the real Prefect server's vacuum, and a log past `prefect.log_max_mb` is
moved aside while the child writing it goes on writing."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import write_doc
from review_support import PASSWORD, login, page_form, real_user
from test_up_stop import WAITING, WAITING_BODY, WAITING_FRONT, leftovers, running_stack, stop  # noqa: F401

from zaitun.config import load_config
from zaitun.errors import ConfigError
from zaitun.logfiles import RETRY_AFTER, Rotation
from zaitun.project import Project
from zaitun.scaffold import init_project
from zaitun.state.store import Store
from zaitun.up import VACUUM, VACUUM_AFTER, prefect_env


def test_a_log_past_its_limit_is_moved_aside_and_its_writer_goes_on_at_its_start(tmp_path):
    log = tmp_path / "prefect-serve.log"
    with open(log, "ab") as out:  # as `zaitun up` opens a child's log
        writer = subprocess.Popen([sys.executable, "-c", "import sys, time\n"
                                   "sys.stdout.write('x' * 3000 + '\\n'); sys.stdout.flush()\n"
                                   "sys.stdin.readline()\nsys.stdout.write('after\\n'); sys.stdout.flush()"],
                                  stdout=out, stdin=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while log.stat().st_size < 3001:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        rotation = Rotation()
        assert rotation.look([log], 4000) == []  # under the limit: left as it is
        assert rotation.look([log, tmp_path / "not-written-yet.log"], 2000) == [log]
        assert (tmp_path / "prefect-serve.log.1").read_text() == "x" * 3000 + "\n"
        assert log.stat().st_size == 0
        writer.communicate("go\n", timeout=10)
    finally:
        writer.kill()
    assert log.read_bytes() == b"after\n"  # at its start, not after a hole of the old length
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prefect-serve.log", "prefect-serve.log.1"]


def test_a_log_that_cannot_be_moved_aside_is_kept_whole_and_tried_again_a_minute_later(tmp_path):
    log = tmp_path / "prefect-server.log"
    log.write_text("y" * 5000, encoding="utf-8")
    (tmp_path / "prefect-server.log.1").mkdir()  # in the way of the copy
    rotation = Rotation()
    assert rotation.look([log], 1000, now=100.0) == []
    assert log.read_text(encoding="utf-8") == "y" * 5000
    assert not (tmp_path / "prefect-server.log.1.part").exists()
    (tmp_path / "prefect-server.log.1").rmdir()
    assert rotation.look([log], 1000, now=100.0 + RETRY_AFTER - 1) == []  # not every half second meanwhile
    assert rotation.look([log], 1000, now=100.0 + RETRY_AFTER) == [log]
    assert (tmp_path / "prefect-server.log.1").read_text(encoding="utf-8") == "y" * 5000


def test_no_limit_moves_no_log(tmp_path):
    log = tmp_path / "prefect-serve.log"
    log.write_text("z" * 5000, encoding="utf-8")
    assert Rotation().look([log], 0) == []
    assert log.stat().st_size == 5000


def test_up_s_prefect_server_is_told_to_delete_runs_after_keep_runs_days_unless_the_environment_says(
        tmp_path, monkeypatch):
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    monkeypatch.delenv(VACUUM, raising=False)
    monkeypatch.delenv(VACUUM_AFTER, raising=False)
    env = prefect_env(Project(root))
    assert env[VACUUM] == "events,flow_runs" and env[VACUUM_AFTER] == str(30 * 86400)
    monkeypatch.setenv(VACUUM_AFTER, "7200")  # the operator's own: kept
    env = prefect_env(Project(root))
    assert env[VACUUM] == "events,flow_runs" and VACUUM_AFTER not in env
    monkeypatch.delenv(VACUUM_AFTER)
    config = root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("keep_runs_days = 30", "keep_runs_days = 0"),
                      encoding="utf-8")
    assert VACUUM not in prefect_env(Project(root)) and VACUUM_AFTER not in prefect_env(Project(root))


@pytest.mark.parametrize("name", ["keep_runs_days", "log_max_mb"])
def test_a_negative_keep_runs_days_or_log_limit_is_named_at_its_line(tmp_path, name):
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    config = root / "zaitun.toml"
    text = config.read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith(f"{name} ="))
    config.write_text("\n".join(f"{name} = -1" if i == line else row
                                for i, row in enumerate(text.splitlines(), 1)) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert str(raised.value) == f"{config}:{line}: 'prefect.{name}' must not be negative"


def completed_runs(db: Path) -> list[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return [row[0] for row in con.execute("SELECT id FROM flow_run WHERE end_time IS NOT NULL")]


def test_under_up_runs_older_than_keep_runs_days_are_deleted_and_a_large_log_is_moved_aside(
        tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    config = root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("log_max_mb = 10", "log_max_mb = 1"),
                      encoding="utf-8")
    # the vacuum looks every second (hourly otherwise)
    proc, ports, _children = running_stack(root, leftovers, {"PREFECT_SERVER_SERVICES_DB_VACUUM_LOOP_SECONDS": "1"})
    db, log = root / ".prefect" / "prefect.db", root / ".zaitun" / "prefect-serve.log"
    try:
        settings = httpx.get(f"http://127.0.0.1:{ports['prefect']}/api/admin/settings", timeout=10).json()
        vacuum = settings["server"]["services"]["db_vacuum"]
        assert set(vacuum["enabled"]) == {"events", "flow_runs"} and vacuum["retention_period"] == "P30D", vacuum
        write_doc(root, f"guides/{WAITING}.md", WAITING_FRONT, WAITING_BODY)  # intake, translate, publish runs
        deadline = time.monotonic() + 120
        while len(runs := completed_runs(db)) < 2:
            assert time.monotonic() < deadline, f"no runs ended within 120 s: {runs}"
            time.sleep(0.5)
        old, recent = runs[0], runs[1:]
        with sqlite3.connect(db, timeout=30) as con:  # as if it had ended 31 days ago
            con.execute("UPDATE flow_run SET end_time = datetime(end_time, '-31 days') WHERE id = ?", (old,))
        deadline = time.monotonic() + 60
        while old in (runs := completed_runs(db)):
            assert time.monotonic() < deadline, "a run ended 31 days ago is still kept after 60 s"
            time.sleep(0.5)
        assert set(recent) <= set(runs)  # those of this month are kept

        with open(log, "ab") as written:  # a month of the flows' lines
            written.write(b"an old line\n" * 100_000)
        aside = log.with_name(log.name + ".1")
        deadline = time.monotonic() + 30
        while not aside.exists():
            assert time.monotonic() < deadline, "a 1.2 MB log was not moved aside within 30 s"
            time.sleep(0.2)
        # the month's lines whole, with what the flows wrote before or after them until the move
        assert b"an old line\n" * 100_000 in aside.read_bytes()
        write_doc(root, "guides/second.md", "title: 第二篇\ndate: 2026-11-02", "## 地点\n\n开元寺。\n")
        deadline = time.monotonic() + 120
        while b"for flow 'zaitun-intake'" not in log.read_bytes():
            assert time.monotonic() < deadline, "the flows wrote nothing more into their log"
            time.sleep(0.5)
        assert not log.read_bytes().startswith(b"\0") and log.stat().st_size < 1_000_000
    finally:
        stop(proc, signal.SIGINT, 60)


def resident_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def approved_events(prefect_port: int) -> int:
    answer = httpx.post(f"http://127.0.0.1:{prefect_port}/api/events/filter", timeout=10, json={
        "filter": {"event": {"name": ["zaitun.document.approved"]}, "occurred": {"since": "2000-01-01T00:00:00Z"}},
        "limit": 1}).json()
    return answer["total"]


def test_under_up_approvals_one_after_another_reach_prefect_and_up_does_not_grow_by_each(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root)  # its sample documents are approved from memory
    store = Store.open(Project(root).database_url)
    real_user(store, "alice")
    store.close()
    proc, ports, _children = running_stack(root, leftovers)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{ports['review']}", timeout=30) as reviewer:
            assert login(reviewer, "alice", PASSWORD).status_code == 303

            def approve(number: int) -> None:  # the title of "about" edited and approved: the document is approved
                page = reviewer.get("/doc/about").text
                form = page_form(page, "/doc/about/edit")
                answer = reviewer.post("/doc/about/edit", data=form | {"target": f"About this site ({number})",
                                                                       "approve": "1"})
                assert answer.status_code == 303, answer.text

            for number in range(5):  # its caches warm
                approve(number)
            time.sleep(2)
            before = resident_mb(proc.pid)
            for number in range(5, 45):
                approve(number)
            time.sleep(2)
            grown = resident_mb(proc.pid) - before
            assert grown < 12, f"zaitun up grew by {grown:.1f} MB over 40 approvals"  # by 35 MB when each kept a worker
            deadline = time.monotonic() + 60
            while (told := approved_events(ports["prefect"])) < 45:
                assert time.monotonic() < deadline, f"{told} of 45 approvals reached the Prefect server"
                time.sleep(0.5)
    finally:
        stop(proc, signal.SIGINT, 60)
