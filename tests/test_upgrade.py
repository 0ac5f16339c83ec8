"""An operator upgrades zaitun and carries on with the same project folder: its store, its state files and its
builds were written by the release before. Nothing approved goes back to review, nobody is told again what
they were told, and what the older release left running or wrote is read for what it is."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import free_port
from review_support import PASSWORD, real_user, review_project, run
from test_notify import Receiver, configure

import zaitun
from zaitun.project import Project
from zaitun.scaffold import init_project
from zaitun.stack import running_stack

UP_ENV = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


def run_an_older_up(root: Path) -> subprocess.Popen:
    """A `zaitun up` of a release before start times were recorded (09ba191 and older), still running in the
    project while zaitun is upgraded: it holds .zaitun/up.lock and names itself by its pid alone, in up.lock
    and in up.json, as those releases wrote them."""
    state = root / ".zaitun"
    state.mkdir(parents=True, exist_ok=True)
    code = ("import fcntl, json, os, time\n"
            f"fd = os.open({str(state / 'up.lock')!r}, os.O_RDWR | os.O_CREAT, 0o600)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "os.pwrite(fd, json.dumps({'pid': os.getpid(), 'review': 'http://127.0.0.1:8400/'}).encode(), 0)\n"
            f"open({str(state / 'up.json')!r}, 'w').write(json.dumps({{'pid': os.getpid(), "
            "'api': 'http://127.0.0.1:4200/api'}))\n"
            "print('running', flush=True); time.sleep(120)\n")
    older = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert older.stdout.readline().strip() == "running"
    return older


def test_up_after_upgrading_names_the_older_up_still_running_instead_of_waiting_for_it(tmp_path):
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    older = run_an_older_up(root)
    try:
        began = time.monotonic()
        try:
            second = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), "up"], env=UP_ENV,
                                    capture_output=True, text=True, timeout=45)
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"zaitun up waited for a running up as if it had been killed: {exc.stdout}")
        assert second.returncode == 1 and time.monotonic() - began < 30
        assert (f"zaitun up is already running in this project (pid {older.pid}, review UI "
                "http://127.0.0.1:8400/); stop it first") in second.stderr, second.stdout + second.stderr
        assert "was killed" not in second.stdout + second.stderr
        stack = running_stack(Project(root))  # a reviewer's command line finds its Prefect API
        assert stack and stack["api"] == "http://127.0.0.1:4200/api"
    finally:
        older.kill()
        older.wait(10)
        older.stdout.close()


def upgraded(tmp_path: Path) -> dict[str, str]:
    """The environment of a newer zaitun whose page design changed (its renderer did), though none of this
    project's pages read differently: each of its commands runs that copy."""
    folder = tmp_path / "upgraded"
    shutil.copytree(Path(zaitun.__file__).parent, folder / "zaitun", ignore=shutil.ignore_patterns("__pycache__"))
    with (folder / "zaitun" / "publish" / "render.py").open("a", encoding="utf-8") as renderer:
        renderer.write("# changed in a newer release\n")
    return {**UP_ENV, "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")])}


def test_the_first_run_after_upgrading_tells_notify_published_only_of_pages_that_read_differently(tmp_path):
    receiver, port = Receiver(free_port()), None
    try:
        port = receiver.server.server_address[1]
        project, store = review_project(tmp_path / "site")
        store.close()
        project = configure(project, published=[f"json://127.0.0.1:{port}/published"])
        assert run(project, "run").exit_code == 0
        assert [m["title"] for m in receiver.messages] == ["Online: 过境免签指南 (Chinese)"]
        after = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(project.root), "run"],
                               env=upgraded(tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert after.returncode == 0, after.stdout + after.stderr
        assert re.search(r"rendered [1-9]", after.stdout), after.stdout  # every page written anew ...
        assert [m["title"] for m in receiver.messages] == ["Online: 过境免签指南 (Chinese)"]  # ... none changed
    finally:
        receiver.close()


def test_a_project_an_older_release_gave_reviewers_only_gets_its_first_admin_from_the_operator(tmp_path):
    project, store = review_project(tmp_path)
    real_user(store, "rev")  # as `zaitun user add` of a release before admins were asked (3ae8237) left it
    if os.geteuid() == 0:  # root may touch every file, yet owning .zaitun/ is the proof
        os.chown(project.state_dir, 12345, 12345)
        refused = run(project, "user", "add", "boss", "--role", "admin", "--password-stdin", input=f"{PASSWORD}\n")
        assert "belongs to uid 12345, not to you" in str(refused.exception) and store.user("boss") is None
        os.chown(project.state_dir, os.getuid(), os.getgid())
    added = run(project, "user", "add", "boss", "--role", "admin", "--password-stdin", input=f"{PASSWORD}\n")
    assert added.exit_code == 0 and "added admin boss" in added.output, added.output
    again = run(project, "user", "add", "eve", "--role", "admin", "--password-stdin", input=f"{PASSWORD}\n")
    assert again.exit_code == 1 and store.user("eve") is None  # from now on, only an admin adds accounts
    store.close()


def test_rollback_lists_the_build_an_older_release_left_in_a_plain_publish_folder_when_it_was_built(tmp_path):
    project, store = review_project(tmp_path)
    store.close()
    site = project.root / "publish"  # as releases before versioned builds (3ae8237) left it: a plain folder
    (site / "social").mkdir()
    (site / "index.html").write_text("<!doctype html><title>泉州</title>\n", encoding="utf-8")
    (site / "social" / "visa.zh.mastodon.0123456789ab.json").write_text("{}", encoding="utf-8")
    built = dt.datetime(2026, 3, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()  # the project's zone
    os.utime(site, (built, built))
    assert run(project, "build").exit_code == 0  # the first build after upgrading keeps it as build 1
    listed = run(project, "rollback", "--list")
    first = listed.output.splitlines()[0]
    assert listed.exit_code == 0 and first.split()[:4] == ["1", "built", "2026-03-01", "09:30:00"]
    assert "the build recorded no day" in first
