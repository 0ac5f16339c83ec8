"""`zaitun build` ends its process without taking its heap apart (zaitun.leaving), and loses nothing by it:
its threads finish, its exit handlers run, all it printed arrives, its status is its own."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from publish_helpers import age, standard_project
from test_startup import SUMMARY

from zaitun.publish import bodies, snapshot
from zaitun.publish.output import SNAPSHOT, current, load_summary
from zaitun.stamps import code_digest
from zaitun.state.reads import SqliteReads

ENDING = textwrap.dedent("""
    import atexit, sys, threading, time
    from pathlib import Path
    from zaitun import leaving

    here = Path(sys.argv[1])
    def late():
        time.sleep(0.3)
        (here / "thread").write_text("done")
    threading.Thread(target=late).start()
    atexit.register(lambda: (here / "handler").write_text("ran"))
    for _ in range(20000):  # more than a pipe holds, the last of it still in the stream's buffer
        sys.stdout.write("said ")
    leaving.without_teardown()
    leaving.end({code})
""")


BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a user's shell runs it


def end_in_a_process(folder: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", ENDING.format(code=code), str(folder)], capture_output=True,
                          text=True, timeout=60, env=BUFFERED)


def test_a_process_ended_without_teardown_waits_for_its_threads_runs_its_handlers_and_flushes_what_it_said(
        tmp_path):
    done = end_in_a_process(tmp_path, "3")
    assert done.returncode == 3
    assert done.stdout == "said " * 20000
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "handler").read_text() == "ran"


def test_an_exit_with_a_message_says_it_and_ends_with_status_one(tmp_path):
    done = end_in_a_process(tmp_path, "'no such thing'")
    assert (done.returncode, done.stderr.strip()) == (1, "no such thing")
    assert (tmp_path / "handler").read_text() == "ran"


def test_zaitun_build_in_its_own_process_prints_its_report_and_leaves_a_whole_snapshot_and_body_cache(tmp_path):
    fx = standard_project(tmp_path / "proj")
    age(fx.project.root)
    done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(fx.project.root), "build"],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, env=BUFFERED)
    assert done.returncode == 0, done.stderr
    assert SUMMARY.search(done.stdout) and done.stdout.rstrip().splitlines()[-1].startswith("search index:")
    online = current(fx.out)
    store = SqliteReads.of(fx.project.database_url)
    assert (online / SNAPSHOT).exists()
    assert snapshot.adopt(online, store, load_summary(online), code_digest()) is not None
    cache = fx.project.state_dir / bodies.FILE
    assert cache.exists() and not cache.with_name(f"{bodies.FILE}-wal").exists()  # its log moved in, closed


def test_zaitun_build_ending_without_waiting_for_its_search_indexer_leaves_no_indexer_running(tmp_path):
    fx = standard_project(tmp_path / "proj")
    age(fx.project.root)
    build = subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(fx.project.root), "build"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=BUFFERED,
                             start_new_session=True)  # its session: the build's pid, its children's too
    out, err = build.communicate(timeout=300)
    assert build.returncode == 0, err
    assert b"search index:" in out  # the indexer ran, and was told to end, not waited for
    deadline = time.monotonic() + 5
    while (left := _in_session(build.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == []


def _in_session(session: int) -> list[str]:
    """The commands of the processes still in this session (zombies reaped by init count as gone)."""
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while listed
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            left.append((stat.parent / "cmdline").read_bytes().decode(errors="replace"))
    return left


def test_a_process_that_ran_a_build_command_in_it_still_waits_for_its_indexer_when_it_ends_it(tmp_path, monkeypatch):
    """Asking to end without teardown (the build command does, run in-process by a test or a service) is not
    ending: the indexer ended at exit, or when the next build needs another, is waited for, as ever."""
    from zaitun import leaving
    from zaitun.publish import indexer

    monkeypatch.setattr(leaving, "_ASKED", [])
    fx = standard_project(tmp_path / "proj")
    fx.build()
    leaving.without_teardown()
    service = indexer._warm["indexer"]._process
    assert service is not None and not leaving.ending()
    indexer.end_warm()
    assert service.returncode is not None and indexer._warm["indexer"] is None  # waited for, then let go
