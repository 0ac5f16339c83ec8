"""The machine refusing, against the real command line: a full disk (a real tmpfs), a store another process
keeps locked. The operator reads one line saying what happened and what to do, no file is blamed, the site
online stays as it was, and the next pass after the trouble ends does the work by itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port
from test_fault_isolation import GOOD, OTHER, ZAITUN, env, online, write, zaitun
from test_up import start_up, wait_for_line
from test_up_stop import processes, started_by

NEW = "---\ntitle: 外国人租房\ndate: 2025-03-01\n---\n\n## 租房\n\n外国人租房后应当办理住宿登记。\n"
HOLD = """import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(120)"""


@pytest.fixture
def disk(tmp_path: Path):
    """A real 8 MB tmpfs, unmounted after the test (skipped where mounting is not permitted)."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"a full disk needs a tmpfs, and mounting one is not permitted here ({mounted.stderr.strip()})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def fill(disk: Path) -> Path:
    """Take every free byte of the disk; the file returned gives them back when removed."""
    filler = disk / "filler"
    with open(filler, "wb") as out:
        stat = os.statvfs(disk)
        os.posix_fallocate(out.fileno(), 0, stat.f_bavail * stat.f_frsize)
    return filler


def new_project(root: Path) -> Path:
    subprocess.run([*ZAITUN, "init", str(root), "--no-sample"], check=True, capture_output=True, env=env())
    write(root, "guides/good.md", GOOD)
    write(root, "guides/other.md", OTHER)
    assert zaitun(root, "run").returncode == 0
    return root


def needing_fixes(root: Path) -> list[str]:
    return [line for line in zaitun(root, "status").stdout.splitlines() if line.startswith("needs fixing")]


def test_a_full_disk_is_one_line_saying_so_and_the_next_pass_after_freeing_space_does_the_work(disk):
    root = new_project(disk / "p")
    before, link = online(root, "en/guides/good"), os.readlink(root / "publish")
    write(root, "guides/rent.md", NEW)
    filler = fill(disk)
    for command in ("intake", "run", "build"):
        done = zaitun(root, command)  # (no traceback: zaitun() checks)
        assert done.returncode == 1
        said = done.stderr.strip()
        assert said.startswith("zaitun: error: ") and "\n" not in said, said
        assert "disk" in said and "free some space" in said, said
        assert "database_url" not in said and "rent.md" not in said, said  # neither the settings nor the file
        assert os.readlink(root / "publish") == link and online(root, "en/guides/good") == before
    filler.unlink()
    assert zaitun(root, "run").returncode == 0
    assert "外国人租房" in online(root, "zh/guides/rent")
    assert not needing_fixes(root)
    assert not [p for p in (root / ".publish.versions").iterdir() if p.name.endswith(".building")]



def test_a_site_that_fills_the_disk_names_the_file_under_publish_as_the_operator_knows_it(disk, tmp_path):
    """The store and caches on another disk (.zaitun/ a link there), the site's on the full one: the line named
    `zh/feed.xml`, a path relative to a version folder the operator never sees."""
    state = tmp_path / "state"
    state.mkdir()
    root = disk / "p"
    subprocess.run([*ZAITUN, "init", str(root), "--no-sample"], check=True, capture_output=True, env=env())
    (root / ".zaitun").symlink_to(state)
    write(root, "guides/good.md", GOOD)
    assert zaitun(root, "run").returncode == 0
    link = os.readlink(root / "publish")
    write(root, "guides/rent.md", NEW)
    assert zaitun(root, "intake").returncode == 0
    filler = fill(disk)
    done = zaitun(root, "build")
    assert done.returncode == 1
    said = done.stderr.strip()
    assert said.startswith(f"zaitun: error: {root / 'publish'}/") and " could not be written: no space left on the " \
        "disk: free some space" in said and said.endswith("the previous site was kept"), said
    assert os.readlink(root / "publish") == link
    filler.unlink()
    assert zaitun(root, "build").returncode == 0
    assert "外国人租房" in online(root, "zh/guides/rent")

def test_a_store_locked_by_another_process_stops_the_pass_naming_the_lock_not_the_file(tmp_path):
    root = new_project(tmp_path / "p")
    write(root, "guides/rent.md", NEW)
    with subprocess.Popen([sys.executable, "-c", HOLD, str(root / ".zaitun" / "state.db")],
                          stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout.readline().strip() == "locked"
            done = zaitun(root, "intake")  # waits out the store's 30 s, then gives up
        finally:
            holder.kill()
    assert done.returncode == 1
    said = done.stderr.strip()
    assert said.startswith("zaitun: error: ") and "\n" not in said, said
    assert "locked by another process" in said and "rent.md" not in said, said
    assert not needing_fixes(root)  # staff were not told to fix a file that is fine
    assert zaitun(root, "run").returncode == 0
    assert "外国人租房" in online(root, "zh/guides/rent")


def test_a_notification_outbox_not_written_for_a_full_disk_says_in_a_line_what_is_not_kept(disk, tmp_path):
    root = new_project(tmp_path / "p")
    full = disk / "full"
    full.touch()
    fill(disk)
    temp = root / ".zaitun" / "notify-outbox.tmp"  # where the outbox is written first: on the full disk
    temp.touch()
    subprocess.run(["mount", "--bind", str(full), str(temp)], check=True)
    try:
        write(root, "guides/bad.md", "---\ntitel: 坏\ndate: 2025-01-01\n---\n\n坏文件。\n")
        done = zaitun(root, "intake", ZAITUN_NOTIFY_FAILURE=f"json://127.0.0.1:{free_port()}/")  # nobody there
    finally:
        subprocess.run(["umount", str(temp)], check=True)
    assert done.returncode == 1
    said = [line for line in done.stderr.splitlines() if "notify-outbox.json" in line]
    assert len(said) == 1 and "No space left on device" in said[0], done.stderr
    assert "not kept for the next pass: 1 file(s) need fixing" in said[0], said
    assert "bad.md:2: unknown front-matter key 'titel'" in done.stderr  # the pass itself went on



def test_publish_not_writable_in_a_whole_pass_says_the_steps_done_then_one_line_naming_it(tmp_path):
    root = new_project(tmp_path / "p")
    versions = root / ".publish.versions"  # where each build is written, publish/ linking the last one
    if subprocess.run(["chattr", "+i", str(versions)], capture_output=True).returncode != 0:
        pytest.skip("a folder even root cannot write needs chattr +i, not permitted here")
    try:
        before = online(root, "en/guides/good")
        write(root, "guides/rent.md", NEW)
        done = zaitun(root, "run")  # (no traceback: zaitun() checks)
        after = online(root, "en/guides/good")
    finally:
        subprocess.run(["chattr", "-i", str(versions)], check=True)
    assert done.returncode == 1
    assert "intake: 1 taken in, 0 withdrawn, 0 with errors" in done.stdout, done.stdout
    assert "translate: " in done.stdout and "publish: failed, see the error below" in done.stdout, done.stdout
    said = done.stderr.strip()
    assert said.startswith(f"zaitun: error: {versions}") and "\n" not in said, said
    assert "permission denied: run zaitun as the user who owns the project" in said, said
    assert after == before
    assert zaitun(root, "run").returncode == 0  # writable again: the next pass publishes
    assert "外国人租房" in online(root, "zh/guides/rent")


def test_under_up_an_intake_that_fails_on_a_full_disk_is_said_on_its_console(disk, tmp_path):
    """The intake flow run failed on a full .zaitun/ and said so only in a log file: the operator saw nothing,
    and nothing ran it again (the hourly intake now does; the next change did already)."""
    root = tmp_path / "p"
    subprocess.run([*ZAITUN, "init", str(root), "--no-sample"], check=True, capture_output=True, env=env())
    (disk / "state").mkdir()
    (root / ".zaitun").symlink_to(disk / "state")
    write(root, "guides/good.md", GOOD)
    proc, _ports = start_up(root)
    children = {}
    try:
        wait_for_line(proc, "Press Ctrl-C to stop.", 240)
        children = started_by(proc.pid)
        filler = fill(disk)
        write(root, "guides/rent.md", NEW)
        said = "".join(wait_for_line(proc, "flow run intake/", 120))
        assert "failed:" in said and "disk" in said and "the next change or the hourly run tries again" in said, said
        filler.unlink()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)
        for pid in children:
            if pid in processes():
                os.kill(pid, signal.SIGKILL)
