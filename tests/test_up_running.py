"""`zaitun up` and what happens around it: a `kill -9` in the middle of a flow run, a second `zaitun up` in
the same project, its state folder deleted, zaitun.toml edited while it runs. The real command runs as a
subprocess, on its own ports, with its own Prefect server."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import free_port, write_doc
from test_up import start_up, wait_for_line
from test_up_stop import (  # noqa: F401 - leftovers: the fixture
    KILLED_WITHIN,
    WAITING,
    WAITING_BODY,
    WAITING_FRONT,
    approve_waiting,
    drop_until_a_flow_run,
    leftovers,
    processes,
    running_stack,
    started_by,
    still_running,
    stop,
)

from zaitun.errors import ZaitunError
from zaitun.pipeline import open_project
from zaitun.project import Project
from zaitun.scaffold import init_project
from zaitun.stack import STORE_ENV, StackLock, adopt_running_stack, file_identity
from zaitun.state.changes import store_token
from zaitun.state.store import Store
from zaitun.up import FLOWS, Restarts, Stack, StartAgain, Watch, watch_until_stopped
from zaitun.watch import HeldBatches

UP_ENV = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


def up_again(root: Path) -> subprocess.Popen:
    """`zaitun up` on the ports already in the project's zaitun.toml."""
    return subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(root), "up"], env=UP_ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def flow_runs(prefect_port: int, state: str) -> list[dict]:
    return httpx.post(f"http://127.0.0.1:{prefect_port}/api/flow_runs/filter", timeout=10,
                      json={"flow_runs": {"state": {"type": {"any_": [state]}}}}).json()


def wait_for_page(url: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = httpx.get(url, timeout=10)
        if page.status_code == 200:
            return page.text
        time.sleep(0.2)
    raise AssertionError(f"{url} not online within {timeout:.0f} s")


def ended(proc: subprocess.Popen, within: float) -> str:
    try:
        return proc.communicate(timeout=within)[0]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)
        out = proc.communicate(timeout=60)[0]
        raise AssertionError(f"still running {within:.0f} s on:\n{out}") from None


def test_content_is_taken_in_again_after_up_was_killed_during_a_flow_run(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, _children = running_stack(root, leftovers)
    # a notice still being copied in: the intake run waits up to 3 s for its writer (content/writing.py), so it
    # is surely under way when up is killed (a run of one small file could end before the kill reached it)
    copying = root / "content" / "guides" / "copying.md"
    copying.parent.mkdir(parents=True, exist_ok=True)
    with copying.open("w", encoding="utf-8") as writer:
        writer.write("---\ntitle: 复制中\n")
        writer.flush()
        write_doc(root, "guides/night-market.md", WAITING_FRONT, WAITING_BODY)
        deadline = time.monotonic() + 120
        while not (running := flow_runs(ports["prefect"], "RUNNING")):
            assert time.monotonic() < deadline, "no flow run started"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # `kill -9`: the run is left "Running", its deployment's slot taken
        proc.communicate(timeout=30)
    copying.unlink()
    again = up_again(root)  # at once: it waits for the killed stack's flows and server to end
    leftovers[again.pid] = processes()[again.pid][3]
    try:
        printed = "".join(wait_for_line(again, "Press Ctrl-C to stop.", 240))
        leftovers.update(started_by(again.pid))
        write_doc(root, "guides/harbour.md", "title: 泉州港\ndate: 2026-11-02", "泉州港是海上丝绸之路的起点。\n")
        try:
            wait_for_page(f"http://127.0.0.1:{ports['preview']}/zh/guides/harbour/", 120)
        except AssertionError as exc:  # what the server holds, to tell a stall from a slow machine
            runs = [(r["name"], r["state_type"], r["state_name"], r["created"])
                    for state in ("SCHEDULED", "PENDING", "RUNNING", "CRASHED", "COMPLETED")
                    for r in flow_runs(ports["prefect"], state)]
            raise AssertionError(f"{exc}; runs: {runs}; up printed: {printed}") from None
        crashed = {r["id"] for r in flow_runs(ports["prefect"], "CRASHED")}
    finally:
        os.killpg(again.pid, signal.SIGINT)
        out = again.communicate(timeout=60)[0]
    # the killed run holds no slot: marked crashed by this up, or reported crashed by its runner as the parent
    # death signal stopped it (which of the two comes first depends on the machine's load)
    assert {r["id"] for r in running} <= crashed, (running, printed)
    assert again.returncode == 0, printed + out


def test_a_second_up_in_the_same_project_refuses_and_leaves_the_first_running(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    first, ports, _children = running_stack(root, leftovers)
    config = root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      .replace(f"port = {ports['review']}", f"port = {free_port()}")
                      .replace(f"preview_port = {ports['preview']}", f"preview_port = {free_port()}")
                      .replace(f"port = {ports['prefect']}", f"port = {free_port()}"), encoding="utf-8")
    second = up_again(root)
    out = ended(second, 60)
    assert second.returncode == 1, out
    assert (f"zaitun up is already running in this project (pid {first.pid}, review UI "
            f"http://127.0.0.1:{ports['review']}/); stop it first") in out
    assert "Traceback" not in out and "stopping" not in out
    assert first.poll() is None
    assert json.loads((root / ".zaitun" / "up.json").read_text(encoding="utf-8"))["pid"] == first.pid
    os.killpg(first.pid, signal.SIGINT)
    assert first.communicate(timeout=60)[0].rstrip().endswith("stopped")


def test_deleting_the_state_folder_stops_up_before_a_flow_makes_a_new_empty_store(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, children = running_stack(root, leftovers)
    shutil.rmtree(root / ".zaitun")
    write_doc(root, "guides/harbour.md", "title: 泉州港\ndate: 2026-11-02", "泉州港是海上丝绸之路的起点。\n")
    out = ended(proc, 30)
    assert proc.returncode == 1, out
    assert (f"zaitun: error: the store {root / '.zaitun' / 'state.db'} was removed while zaitun up was running; "
            "restore it from a backup, or start zaitun up again for a new, empty one") in out
    time.sleep(3)  # a flow run would have made one by now
    assert not (root / ".zaitun" / "state.db").exists()
    assert still_running(children) == {}
    for port in ports.values():
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, port


def test_a_flow_run_of_up_refuses_a_store_removed_since_up_started(tmp_path, monkeypatch):
    project = Project(tmp_path)
    Store.open(project.database_url).close()
    started = tmp_path / ".zaitun" / "state.db"
    monkeypatch.setenv(STORE_ENV, json.dumps({"url": project.database_url, "file": str(started),
                                              "id": file_identity(started)}))
    open_project(tmp_path)[1].close()  # the stack's own store: opened
    shutil.rmtree(tmp_path / ".zaitun")
    with pytest.raises(ZaitunError, match="was removed while zaitun up was running"):
        open_project(tmp_path)
    assert not (tmp_path / ".zaitun").exists()


def test_a_flow_run_of_up_opens_its_store_without_making_one_so_a_removal_after_its_check_makes_none(tmp_path):
    """The check of a flow run of up and its opening of the store are two steps: a store removed between them
    (rm -r .zaitun under a busy machine) was once made anew, empty, by the opening."""
    from zaitun.errors import StoreError

    project = Project(tmp_path)
    Store.open(project.database_url).close()
    shutil.rmtree(tmp_path / ".zaitun")
    (tmp_path / ".zaitun").mkdir()
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(project.database_url, create=False)
    assert list((tmp_path / ".zaitun").iterdir()) == []


def test_a_store_made_anew_in_the_same_inode_is_refused_as_removed(tmp_path, monkeypatch):
    """A freed inode's number is handed out again at once: a store made anew where the old one was can have the
    old one's (device, inode), and was once taken for it (a flow run of up went on with an empty store)."""
    project = Project(tmp_path)
    Store.open(project.database_url).close()
    started = tmp_path / ".zaitun" / "state.db"
    monkeypatch.setenv(STORE_ENV, json.dumps({"url": project.database_url, "file": str(started),
                                              "id": file_identity(started), "token": store_token(started)}))
    open_project(tmp_path)[1].close()  # the very store up started on: taken
    for side in ("-wal", "-shm"):
        (tmp_path / ".zaitun" / f"state.db{side}").unlink(missing_ok=True)
    os.truncate(started, 0)  # the same inode, made anew: no store in it yet
    same = file_identity(started)
    Store.open(project.database_url).close()
    assert file_identity(started) == same
    with pytest.raises(ZaitunError, match="was removed while zaitun up was running"):
        open_project(tmp_path)


def test_after_zaitun_toml_changes_an_approval_shows_the_new_site_title_and_a_port_waits_for_a_restart(
        tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    write_doc(root, f"guides/{WAITING}.md", WAITING_FRONT, WAITING_BODY)
    proc, ports, _children = running_stack(root, leftovers)
    site = f"http://127.0.0.1:{ports['preview']}"
    assert "Quanzhou Government Information" in httpx.get(f"{site}/en/", timeout=10).text
    config = root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      .replace('title.en = "Quanzhou Government Information"', 'title.en = "Quanzhou in English"')
                      .replace(f"port = {ports['review']}", f"port = {free_port()}"), encoding="utf-8")
    approve_waiting(root)
    english = wait_for_page(f"{site}/en/guides/{WAITING}/", 60)  # built by up's rebuild, no flow run
    home = httpx.get(f"{site}/en/", timeout=10).text
    assert "Quanzhou in English" in english and "Quanzhou in English" in home
    assert "Quanzhou Government Information" not in english + home
    printed = "".join(wait_for_line(proc, "take(s) effect only when zaitun up is restarted", 30))
    assert "zaitun.toml changed" in printed and "but review.port take(s) effect" in printed
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.communicate(timeout=60)[0].rstrip().endswith("stopped")


def test_a_part_of_up_that_ends_is_named_with_its_exit_code_and_log(tmp_path):
    stack = Stack(Project(tmp_path))
    child = stack.spawn("the flows", [sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ), "prefect-serve")
    child.wait(30)
    assert stack.ended() == "the flows stopped (exit code 3); see .zaitun/prefect-serve.log"


def test_a_file_dropped_the_moment_up_says_it_is_running_is_taken_in(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, _children = running_stack(root, leftovers)  # a first start: the flows' triggers are new
    try:
        write_doc(root, "guides/harbour.md", "title: 泉州港\ndate: 2026-11-02", "泉州港是海上丝绸之路的起点。\n")
        wait_for_page(f"http://127.0.0.1:{ports['preview']}/zh/guides/harbour/", 60)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)


def test_up_starts_when_the_deploy_of_its_first_pass_fails_and_says_what_waits(tmp_path, leftovers):  # noqa: F811
    """An S3 store down (or no credentials for it) at boot stopped the first pass, and zaitun up with it: no review
    UI, watcher or preview. It starts; the deploy is recorded for status and tried again by the next pass."""
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    write_doc(root, "guides/harbour.md", "title: 泉州港\ndate: 2026-11-02", "泉州港是海上丝绸之路的起点。\n")
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    config = root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('s3_target = ""', 's3_target = "s3://site/www"')
                      .replace('s3_endpoint_url = ""', f's3_endpoint_url = "{down}"'), encoding="utf-8")
    keys = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    proc, ports = start_up(root, keys)
    leftovers[proc.pid] = processes()[proc.pid][3]
    try:
        printed = "".join(wait_for_line(proc, "Press Ctrl-C to stop.", 240))
        leftovers.update(started_by(proc.pid))
        assert f"  the pass stopped: s3://site/www: could not connect to {down}" in printed, printed
        assert "zaitun goes on: the next event or the hourly runs try again" in printed
        assert "泉州港" in wait_for_page(f"http://127.0.0.1:{ports['preview']}/zh/guides/harbour/", 30)
        assert httpx.get(f"http://127.0.0.1:{ports['review']}/login", timeout=10).status_code == 200
        status = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), "status"], env=UP_ENV,
                                capture_output=True, text=True, timeout=120).stdout
        assert f"s3://site/www: could not connect to {down}" in status, status
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)


def test_a_file_dropped_while_the_first_pass_runs_is_taken_in(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root)  # the sample content: a first pass of some seconds
    proc, ports = start_up(root)
    leftovers[proc.pid] = processes()[proc.pid][3]
    try:
        wait_for_line(proc, "first pass:", 240)
        store = root / ".zaitun" / "state.db"
        deadline = time.monotonic() + 120
        while not _taken_in(store):  # the first pass has read content/: a file dropped now is not in it
            assert time.monotonic() < deadline, "the first pass took nothing in"
            time.sleep(0.05)
        write_doc(root, "guides/harbour.md", "title: 泉州港\ndate: 2026-11-02", "泉州港是海上丝绸之路的起点。\n")
        wait_for_line(proc, "Press Ctrl-C to stop.", 240)
        leftovers.update(started_by(proc.pid))
        wait_for_page(f"http://127.0.0.1:{ports['preview']}/zh/guides/harbour/", 60)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)


def test_a_notice_still_being_copied_when_another_file_is_taken_in_is_taken_in_whole_once_copied(
        tmp_path, leftovers):  # noqa: F811
    """A flow run started by one file dropped reads all of content/: a notice another program is still copying in
    is left for the run its close starts, not converted from its first lines nor quarantined as broken."""
    from conftest import FIXTURES

    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, _children = running_stack(root, leftovers)
    preview = f"http://127.0.0.1:{ports['preview']}"
    seed = (FIXTURES / "seed-notice.txt").read_bytes()
    (root / "content" / "policies").mkdir(exist_ok=True)
    copy = (root / "content" / "policies" / "measures.txt").open("wb")
    try:
        copy.write(seed[:300])
        copy.flush()
        write_doc(root, "guides/harbour.md", "title: 泉州港\ndate: 2026-11-02", "泉州港是海上丝绸之路的起点。\n")
        wait_for_page(f"{preview}/zh/guides/harbour/", 30)  # not held for the copy
        assert not (root / ".zaitun" / "quarantine").exists()
        copy.write(seed[300:])
        copy.close()
        page = wait_for_page(f"{preview}/zh/policies/measures/", 60)
        assert "泉政办规〔2024〕11号" in page and "本措施自印发之日起施行" in page  # its number and last lines
        assert not (root / ".zaitun" / "quarantine").exists()
    finally:
        copy.close()
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)


def _taken_in(store: Path) -> bool:
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1)) as db:
            return db.execute("select count(*) from documents").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def hold_lock_as_a_killed_up_left_it(root: Path, pid: int) -> subprocess.Popen:
    """A leftover process of a `zaitun up` that was killed: it holds .zaitun/up.lock, whose content names
    `pid` as the up that took it (as it would after that up's pid was given to another process, which started
    at another time)."""
    lock = root / ".zaitun" / "up.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    code = ("import fcntl, json, os, sys, time\n"
            f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT, 0o600)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "os.ftruncate(fd, 0)\n"
            f"os.pwrite(fd, json.dumps({{'pid': {pid}, 'started': 1, 'review': 'x'}}).encode(), 0)\n"
            "print('held', flush=True); time.sleep(120)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_up_waits_for_a_killed_ups_leftovers_when_its_pid_now_belongs_to_another_process(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    unrelated = subprocess.Popen(["sleep", "120"])  # the reused pid: alive, but no zaitun up
    holder = hold_lock_as_a_killed_up_left_it(root, unrelated.pid)
    try:
        proc, _ports = start_up(root)
        leftovers[proc.pid] = processes()[proc.pid][3]
        printed = "".join(wait_for_line(proc, "to end ...", 60))
        assert f"waiting for the processes of a zaitun up that was killed (pid {unrelated.pid})" in printed
        holder.kill()  # the leftovers end: this up starts
        holder.wait(10)
        printed += "".join(wait_for_line(proc, "Press Ctrl-C to stop.", 240))
        leftovers.update(started_by(proc.pid))
        stack = json.loads((root / ".zaitun" / "up.json").read_text(encoding="utf-8"))
        assert stack["pid"] == proc.pid
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.communicate(timeout=60)[0].rstrip().endswith("stopped")
        assert "already running" not in printed
    finally:
        for leftover in (holder, unrelated):
            leftover.kill()
            leftover.wait(10)
        holder.stdout.close()


def test_a_command_does_not_join_a_stack_whose_pid_now_belongs_to_another_process(tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    project = Project(tmp_path)
    project.state_dir.mkdir(parents=True, exist_ok=True)
    unrelated = subprocess.Popen(["sleep", "120"])  # `up` was killed; its pid went to this process
    try:
        (project.state_dir / "up.json").write_text(json.dumps({"pid": unrelated.pid, "started": 1,
                                                                "api": f"http://127.0.0.1:{free_port()}/api"}))
        adopt_running_stack(project)
        assert "PREFECT_API_URL" not in os.environ
        shown = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(tmp_path), "status"], env=UP_ENV,
                               capture_output=True, text=True, timeout=60).stdout
        assert "zaitun up is running" not in shown and "Prefect server" not in shown, shown
    finally:
        unrelated.kill()
        unrelated.wait(10)


def status_of(root: Path, within: float) -> tuple[str, float]:
    """`zaitun status` as staff run it beside a running stack (its Prefect API found in up.json)."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), "status"], env=UP_ENV,
                            capture_output=True, text=True, timeout=within)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
    return result.stdout, time.monotonic() - started


def made_run(url: str, tries: int = 5) -> dict:
    """A flow run created through Prefect's API; an answer other than the run (a busy server's 500) is asked
    again, a few times, and shown if it never is."""
    for _ in range(tries):
        answer = httpx.post(url, json={}, timeout=10)
        if answer.is_success and "id" in answer.json():
            return answer.json()
        time.sleep(1)
    raise AssertionError(f"no flow run made: {answer.status_code} {answer.text[:500]}")


def taken(url: str, tries: int = 5) -> None:
    """The concurrency slot at `url` taken; a busy server's 5xx (its database locked) is asked again."""
    for _ in range(tries):
        answer = httpx.patch(url, json={"active_slots": 1}, timeout=10)
        if answer.status_code < 500:
            answer.raise_for_status()
            return
        time.sleep(1)
    answer.raise_for_status()


def test_status_shows_a_run_waiting_for_its_slot_and_says_when_the_prefect_server_does_not_answer(
        tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, children = running_stack(root, leftovers)
    api = f"http://127.0.0.1:{ports['prefect']}/api"
    try:
        shown, _took = status_of(root, 60)
        assert f"zaitun up is running (pid {proc.pid}, Prefect {api}): no flow run running or waiting" in shown
        publish = httpx.get(f"{api}/deployments/name/zaitun-publish/publish", timeout=10).json()
        slot = publish["global_concurrency_limit"]["name"]  # taken, as by a publish run under way
        taken(f"{api}/v2/concurrency_limits/{slot}")
        run = made_run(f"{api}/deployments/{publish['id']}/create_flow_run")
        deadline = time.monotonic() + 60
        while httpx.get(f"{api}/flow_runs/{run['id']}", timeout=10).json()["state_name"] != "AwaitingConcurrencySlot":
            assert time.monotonic() < deadline, "the run never waited for its slot"
            time.sleep(0.2)
        time.sleep(1)
        shown, _took = status_of(root, 60)
        assert f"  waiting  publish ({run['name']}), for " in shown, shown
        assert ": AwaitingConcurrencySlot (its deployment runs one at a time)" in shown, shown
        server = next(pid for pid, cmd in children.items() if "prefect server start" in cmd)
        os.kill(server, signal.SIGSTOP)  # a server that takes connections and answers nothing
        try:
            shown, took = status_of(root, 60)
        finally:
            os.kill(server, signal.SIGCONT)
        assert (f"  the Prefect server of zaitun up ({api}) did not answer within 3 s: flow runs unknown; "
                "see .zaitun/prefect-server.log") in shown, shown
        assert took < 15, took  # the bound, with zaitun's own start-up
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)


PORTS = {"一": "One", "二": "Two", "三": "Three"}


def test_under_up_one_memory_pass_tells_approved_once_naming_each_document_then_online(tmp_path, leftovers):  # noqa: F811
    from test_notify import Receiver
    from translate_support import tu, write_tmx

    root = tmp_path / "site"
    init_project(root, with_sample=False)
    receiver_port = free_port()
    hook = f'"json://127.0.0.1:{receiver_port}/hook"'
    config = root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("approved = []", f"approved = [{hook}]")
                      .replace("published = []", f"published = [{hook}]"), encoding="utf-8")
    write_tmx(root / "tm" / "ports.tmx", "".join(
        tu(f"泉州港{zh}号", f"Quanzhou Port No. {en}")
        + tu(f"泉州港{zh}号是海上丝绸之路的起点。", f"Quanzhou Port No. {en} is where the Maritime Silk Road began.")
        for zh, en in PORTS.items()))
    receiver = Receiver(receiver_port)
    proc, ports, _children = running_stack(root, leftovers)
    try:
        staged = tmp_path / "downloads"  # written beside, then moved in as one folder: one intake, one pass
        for n, zh in enumerate(PORTS, 1):
            write_doc(staged, f"guides/port-{n}.md", f"title: 泉州港{zh}号\ndate: 2026-11-02",
                      f"泉州港{zh}号是海上丝绸之路的起点。\n")
        (staged / "content" / "guides").rename(root / "content" / "guides")
        for n in range(1, len(PORTS) + 1):
            wait_for_page(f"http://127.0.0.1:{ports['preview']}/en/guides/port-{n}/", 180)
        deadline = time.monotonic() + 60
        while sum(f"/en/guides/port-{n}/" in m["message"] for m in receiver.messages for n in (1, 2, 3)) < 3:
            assert time.monotonic() < deadline, [m["title"] for m in receiver.messages]
            time.sleep(0.2)
        time.sleep(3)  # any later message would be here by now
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)
        receiver.close()
    titles = [m["title"] for m in receiver.messages]
    approved = [m for m in receiver.messages if "approved" in m["title"].lower()]
    assert [m["title"] for m in approved] == ["3 documents approved"], titles
    for n in (1, 2, 3):
        assert f"(port-{n}, content/guides/port-{n}.md)" in approved[0]["message"]
    english_online = [i for i, m in enumerate(receiver.messages) if "/en/guides/port-" in m["message"]]
    assert english_online and min(english_online) > titles.index("3 documents approved"), titles


def test_a_flow_run_killed_outright_is_run_again_and_the_dropped_file_goes_online(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, _children = running_stack(root, leftovers)
    runs = drop_until_a_flow_run(root, proc.pid, 120)  # the intake run of the dropped file
    for pid in runs:
        os.kill(pid, signal.SIGKILL)  # the OOM killer: the run's work undone, and nothing else would run it
    try:
        wait_for_page(f"http://127.0.0.1:{ports['preview']}/zh/guides/{WAITING}/", 90)
    finally:
        out, _took = stop(proc, signal.SIGINT, KILLED_WITHIN)
    assert "crashed (Process exited with status code: -9): running it again, then translate and publish" in out, out
    assert proc.returncode == 0, out


def children_named(pid: int, part: str) -> dict[int, str]:
    return {child: cmd for child, cmd in started_by(pid).items() if part in cmd}


def wait_for_output(proc: subprocess.Popen, line: str, timeout: float) -> str:
    return "".join(wait_for_line(proc, line, timeout))


def test_a_killed_prefect_server_is_started_again_and_a_file_dropped_meanwhile_goes_online(
        tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, children = running_stack(root, leftovers)
    os.kill(next(pid for pid, cmd in children.items() if "prefect server start" in cmd), signal.SIGKILL)
    write_doc(root, "guides/harbour.md", "title: 泉州港\ndate: 2026-11-02", "泉州港是海上丝绸之路的起点。\n")
    try:
        printed = wait_for_output(proc, "the Prefect server started again", 240)
        leftovers.update(started_by(proc.pid))
        review = httpx.get(f"http://127.0.0.1:{ports['review']}/login", timeout=10)  # reviewers went on meanwhile
        wait_for_page(f"http://127.0.0.1:{ports['preview']}/zh/guides/harbour/", 60)
        write_doc(root, f"guides/{WAITING}.md", WAITING_FRONT, WAITING_BODY)  # the flows serve events again
        wait_for_page(f"http://127.0.0.1:{ports['preview']}/zh/guides/{WAITING}/", 120)
        after = started_by(proc.pid)
        leftovers.update(after)
    finally:
        out, _took = stop(proc, signal.SIGINT, KILLED_WITHIN)
    printed += out
    assert ("the Prefect server stopped (killed by SIGKILL); see .zaitun/prefect-server.log; starting it again "
            "(1 of 3 times within 10 minutes); the review UI and the preview go on") in printed, printed
    assert "catching up: intake -> translate -> publish ..." in printed, printed
    assert "the Prefect server started again; 1 document(s) taken in meanwhile" in printed, printed
    assert review.status_code == 200
    assert proc.returncode == 0, printed
    assert still_running({**children, **after}) == {}, printed


def test_killed_flows_are_started_again_and_serve_the_next_dropped_file(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, children = running_stack(root, leftovers)
    server = children_named(proc.pid, "prefect server start")
    os.killpg(next(iter(children_named(proc.pid, "zaitun.flows.serve"))), signal.SIGKILL)
    try:
        printed = wait_for_output(proc, "the flows started again", 240)
        leftovers.update(started_by(proc.pid))
        write_doc(root, f"guides/{WAITING}.md", WAITING_FRONT, WAITING_BODY)
        wait_for_page(f"http://127.0.0.1:{ports['preview']}/zh/guides/{WAITING}/", 120)
        assert children_named(proc.pid, "prefect server start") == server  # the server was left running
    finally:
        out, _took = stop(proc, signal.SIGINT, KILLED_WITHIN)
    printed += out
    assert "the flows stopped (killed by SIGKILL); see .zaitun/prefect-serve.log; starting it again" in printed, printed
    assert proc.returncode == 0, printed


def test_restarts_are_bounded_within_their_window():
    restarts = Restarts(most=3, within=600)
    assert [restarts.take(now=t) for t in (0, 10, 20, 30)] == [1, 2, 3, None]
    assert restarts.take(now=601) == 3  # the first has left the window: one more is allowed


def test_a_child_ending_past_the_bound_stops_up_and_says_why(tmp_path):
    init_project(tmp_path / "site", with_sample=False)
    project = Project(tmp_path / "site")
    stack = Stack(project)
    child = stack.spawn(FLOWS, [sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ), "prefect-serve")
    child.wait(30)
    lines: list[str] = []
    again = StartAgain(stack, {}, "", HeldBatches(lambda paths: None), None, None, lines.append,
                       Restarts(most=1, within=600))
    again.restarts.take()  # it was started again once already
    watch = Watch(project, StackLock(project, "", lines.append))
    why = watch_until_stopped(stack, watch, lines.append, None, again)
    assert why == ("the flows stopped (exit code 3); see .zaitun/prefect-serve.log; zaitun up stopped the rest: "
                   "start it again (`zaitun up`); its first pass takes in what changed meanwhile")
    assert lines == ["the flows stopped (exit code 3); see .zaitun/prefect-serve.log; it is not started again: "
                     "it stopped 2 times within 10 minutes"]


def test_under_up_english_holding_a_rendering_the_glossary_now_forbids_goes_offline_in_seconds(
        tmp_path, leftovers):  # noqa: F811
    """Not at the hourly publish run: glossary/ written while up runs rebuilds publish/ as an approval does,
    and the build holds back the English holding the rendering; allowed again, the page comes back."""
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    write_doc(root, f"guides/{WAITING}.md", WAITING_FRONT, WAITING_BODY)
    proc, ports, _children = running_stack(root, leftovers)
    try:
        page = f"http://127.0.0.1:{ports['preview']}/en/guides/{WAITING}/"
        approve_waiting(root)
        wait_for_page(page, 60)
        terms = root / "glossary" / "forbidden.csv"
        terms.write_text("zh,en,forbidden,note\n夜市,night market,English of,\n", encoding="utf-8")
        deadline = time.monotonic() + 20
        while httpx.get(page, timeout=10).status_code == 200:
            assert time.monotonic() < deadline, "the English page is still online"
            time.sleep(0.2)
        terms.unlink()
        wait_for_page(page, 20)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)


def test_under_up_a_memory_file_dropped_into_tm_is_reused_and_one_removed_forgotten_without_the_hourly_run(
        tmp_path, leftovers):  # noqa: F811
    from translate_support import tu, write_tmx

    from zaitun.state.segments import segment_states

    root = tmp_path / "site"
    init_project(root, with_sample=False)
    write_doc(root, "guides/port-1.md", "title: 泉州港一号\ndate: 2026-11-02", "泉州港一号是海上丝绸之路的起点。\n")
    proc, ports, _children = running_stack(root, leftovers)
    page = f"http://127.0.0.1:{ports['preview']}/en/guides/port-1/"
    try:
        assert httpx.get(page, timeout=10).status_code == 404  # offline: nothing translated it
        began = "Quanzhou Port No. 1 is where the Maritime Silk Road began."
        units = tu("泉州港一号", "Quanzhou Port No. 1") + tu("泉州港一号是海上丝绸之路的起点。", began)
        write_tmx(root / "tm" / "ports.tmx", units)
        assert "Maritime Silk Road began" in wait_for_page(page, 120)
        (root / "tm" / "ports.tmx").unlink()  # what it approved, with no reviewer, comes back to review
        store, deadline = Store.open(Project(root).database_url), time.monotonic() + 120
        try:
            while {s.state for s in segment_states(store, "port-1")} != {"draft"}:
                assert time.monotonic() < deadline, [s.state for s in segment_states(store, "port-1")]
                time.sleep(0.5)
        finally:
            store.close()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        out = proc.communicate(timeout=60)[0]
    assert "translation memory (tm/) changed: a translate run reads it again" in out
