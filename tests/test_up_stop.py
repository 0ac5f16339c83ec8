"""`zaitun up` stops promptly and completely on Ctrl-C and SIGTERM, whatever is open or running: a browser's
connections, half-sent requests, a flow run under way, an approval just made, a Prefect server that ignores
SIGTERM, a second Ctrl-C, a first pass under way. Each test runs the real command as a subprocess and checks
that it and every process it started (the Prefect server, the flows, their runs) are gone within a bound."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, write_doc
from review_support import quick_user
from test_up import start_up, wait_for_line

from zaitun.project import Project
from zaitun.publish.output import versions_dir
from zaitun.review import actions
from zaitun.scaffold import init_project
from zaitun.state.segments import segment_states
from zaitun.state.store import Store

STOPPED_WITHIN = 30.0  # seconds from Ctrl-C to exit when every part answers (it takes 1 to 5 s)
KILLED_WITHIN = 60.0  # when the Prefect server ignores SIGTERM: 10 s for the flows, 10 for it, then SIGKILL
WAITING = "night-market"
WAITING_FRONT = "title: 泉州夜市指南\ndate: 2026-11-01"
WAITING_BODY = "## 夜市位置\n\n西街夜市每天晚上开放。\n\n游客可以品尝当地小吃。\n"


def processes() -> dict[int, tuple[int, int, str, str]]:
    """Every running process: pid -> (parent, session, state, command line)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[int(stat.parent.name)] = (int(fields[1]), int(fields[4]), fields[0], cmdline)
    return found


def started_by(pid: int) -> dict[int, str]:
    """The processes `pid` started, and theirs (pid -> command line)."""
    table, tree, todo = processes(), {}, [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _sid, _state, cmdline) in table.items():
            if ppid == parent and child not in tree:
                tree[child] = cmdline
                todo.append(child)
    return tree


def still_running(pids: dict[int, str]) -> dict[int, str]:
    """Of `pids` and of every process in their sessions (runs started later), those still alive."""
    sessions = set(pids)  # each child of zaitun up leads its own session
    return {pid: cmdline for pid, (_ppid, sid, state, cmdline) in processes().items()
            if state != "Z" and (pids.get(pid) == cmdline or sid in sessions)}


@pytest.fixture
def leftovers():
    """Processes a failing test would leave behind (zaitun up and its children): killed at teardown."""
    started: dict[int, str] = {}
    yield started
    for pid in still_running(started):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def approve_waiting(root: Path) -> Project:
    """A reviewer (ops) edits and approves every segment of the WAITING document, through the store."""
    project = Project(root)
    store = Store.open(project.database_url)
    quick_user(store, "ops", "reviewer")
    for state in segment_states(store, WAITING):
        actions.edit(project, store, WAITING, state.seg_id, f"English of {state.source}", "ops", approve_now=True,
                     based_on=state.version)
    store.close()
    return project


def running_stack(root: Path, leftovers: dict[int, str], extra_env: dict[str, str] | None = None
                  ) -> tuple[subprocess.Popen, dict[str, int], dict[int, str]]:
    proc, ports = start_up(root, extra_env)
    leftovers[proc.pid] = processes()[proc.pid][3]
    wait_for_line(proc, "Press Ctrl-C to stop.", 240)
    children = started_by(proc.pid)
    leftovers.update(children)
    assert any("prefect server start" in cmd for cmd in children.values()), children
    assert any("zaitun.flows.serve" in cmd for cmd in children.values()), children
    return proc, ports, children


def drop_until_a_flow_run(root: Path, pid: int, timeout: float) -> dict[int, str]:
    """Drop a Chinese file into content/ once (up has said it is running: its flows take events); the flow
    runs under way once one has started."""
    write_doc(root, f"guides/{WAITING}.md", WAITING_FRONT, WAITING_BODY)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = {child: cmd for child, cmd in started_by(pid).items() if "prefect.engine" in cmd}
        if runs:
            return runs
        time.sleep(0.1)
    raise AssertionError(f"no flow run started within {timeout:.0f} s")


def stop(proc: subprocess.Popen, signum: int, within: float) -> tuple[str, float]:
    """Send signum to the command's process group, as a terminal's Ctrl-C does; its output and how long it took."""
    started = time.monotonic()
    os.killpg(proc.pid, signum)
    try:
        out, _ = proc.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise AssertionError(f"still running {within:.0f} s after {signal.Signals(signum).name}:\n{out}") from None
    return out, time.monotonic() - started


def assert_all_gone(children: dict[int, str], ports: dict[str, int], out: str) -> None:
    assert still_running(children) == {}, out
    for name, port in ports.items():
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"{name} port {port} still answers\n{out}"


def test_ctrl_c_stops_everything_while_a_browser_and_clients_hold_connections_open(tmp_path, leftovers):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    root = tmp_path / "site"
    init_project(root)
    proc, ports, children = running_stack(root, leftovers)
    site, review = f"http://127.0.0.1:{ports['preview']}", f"http://127.0.0.1:{ports['review']}"
    with sync_api.sync_playwright() as pw, contextlib.ExitStack() as held:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        held.callback(browser.close)
        page = browser.new_page()
        page.goto(f"{site}/en/guides/240-hour-visa-free-transit/")
        page.goto(f"{site}/en/feed.xml")
        ui = browser.new_page()
        ui.goto(f"{review}/login")  # the browser keeps both servers' connections open
        keep_alive = http.client.HTTPConnection("127.0.0.1", ports["review"], timeout=10)
        held.callback(keep_alive.close)
        keep_alive.request("GET", "/login")
        assert keep_alive.getresponse().read() and keep_alive.sock is not None
        for name in ("preview", "review"):
            half_sent = held.enter_context(socket.create_connection(("127.0.0.1", ports[name])))
            half_sent.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            held.enter_context(socket.create_connection(("127.0.0.1", ports[name])))  # never a byte
        flow_runs = drop_until_a_flow_run(root, proc.pid, 180)
        children.update(flow_runs)
        leftovers.update(flow_runs)
        out, took = stop(proc, signal.SIGINT, STOPPED_WITHIN)
    assert proc.returncode == 0 and out.rstrip().endswith("stopped"), out
    assert ("stopping the content watcher, the review UI, the site preview, the rebuild of publish/, the flows, "
            "the Prefect server") in out
    assert "killed" not in out and "not stopped in time" not in out, out
    assert_all_gone(children, ports, out)
    print(f"\nstopped {took:.1f} s after Ctrl-C")


def test_an_approval_made_just_before_the_terminal_closes_is_online_after_the_stop(tmp_path, leftovers):
    root = tmp_path / "site"
    init_project(root)
    write_doc(root, f"guides/{WAITING}.md", WAITING_FRONT, WAITING_BODY)
    proc, ports, children = running_stack(root, leftovers)
    project = approve_waiting(root)
    out, _ = stop(proc, signal.SIGHUP, STOPPED_WITHIN)  # at once: the rebuild has not necessarily seen it
    assert proc.returncode == 0 and out.rstrip().endswith("stopped"), out
    english = project.publish_dir / "en" / "guides" / WAITING / "index.html"
    assert english.is_file() and "English of 西街夜市每天晚上开放。" in english.read_text(encoding="utf-8"), out
    assert_all_gone(children, ports, out)


def first_pass(root: Path) -> tuple[Project, Store]:
    """A project holding the WAITING document, after a first pass as `zaitun up`'s (drafts, no English yet)."""
    from zaitun.pipeline import run_once

    init_project(root, with_sample=False)
    write_doc(root, f"guides/{WAITING}.md", WAITING_FRONT, WAITING_BODY)
    project = Project(root)
    store = Store.open(project.database_url)
    run_once(project, store)
    return project, store


def last_look(project: Project, since: int) -> None:
    """What the rebuild of `zaitun up` does once stopped: one last look at the events after `since`."""
    from zaitun.up import rebuild_on_approval

    stopped = threading.Event()
    stopped.set()
    rebuild_on_approval(project, stopped, since, every=0)


def test_an_approval_made_while_the_rebuild_starts_is_online_after_the_stop(tmp_path):
    """The rebuild of publish/ looks at events after the last one up saw before its banner, not after the last
    one its thread saw when it began: a reviewer quick off the mark is not taken as already built."""
    project, store = first_pass(tmp_path / "site")
    since = store.last_event_id()  # what up reads before it prints the banner
    store.close()
    approve_waiting(project.root)  # before the rebuild's thread has had its first look
    last_look(project, since)
    english = project.publish_dir / "en" / "guides" / WAITING / "index.html"
    assert "English of 西街夜市每天晚上开放。" in english.read_text(encoding="utf-8")


def test_english_rejected_just_before_the_stop_is_offline_after_it(tmp_path):
    """A rejection of English that is online rebuilds at once, as an approval does, and the stop's last look
    sees one made just before it: the publish run it started in the flows is ended by the same stop."""
    from zaitun.pipeline import build

    project, store = first_pass(tmp_path / "site")
    approve_waiting(project.root)
    build(project, store)
    english = project.publish_dir / "en" / "guides" / WAITING / "index.html"
    assert "English of 西街夜市每天晚上开放。" in english.read_text(encoding="utf-8")
    since = store.last_event_id()
    wrong = next(s for s in segment_states(store, WAITING) if s.source == "西街夜市每天晚上开放。")
    actions.reject(store, WAITING, wrong.seg_id, "ops", "the market opens on weekends only", wrong.version)
    store.close()
    last_look(project, since)
    assert not english.exists()
    assert (project.publish_dir / "zh" / "guides" / WAITING / "index.html").is_file()


def test_english_rejected_just_before_the_stop_is_deleted_from_the_s3_site_too(tmp_path, s3, s3_endpoint):
    """With publish.s3_target set, the rebuild that takes rejected English off publish/ deploys as well: the
    bucket does not keep it until a publish run, which the stop would end."""
    from zaitun.pipeline import publish

    client, bucket = s3
    project, store = first_pass(tmp_path / "site")
    config = project.root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('s3_target = ""', f's3_target = "s3://{bucket}/www"')
                      .replace('s3_endpoint_url = ""', f's3_endpoint_url = "{s3_endpoint}"'), encoding="utf-8")
    project = Project(project.root)
    approve_waiting(project.root)
    publish(project, store)
    key = f"www/en/guides/{WAITING}/index.html"
    assert b"English of" in client.get_object(Bucket=bucket, Key=key)["Body"].read()
    since = store.last_event_id()
    wrong = next(s for s in segment_states(store, WAITING) if s.source == "西街夜市每天晚上开放。")
    actions.reject(store, WAITING, wrong.seg_id, "ops", "the market opens on weekends only", wrong.version)
    store.close()
    last_look(project, since)
    online = {o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix="www/").get("Contents", [])}
    assert key not in online
    assert f"www/zh/guides/{WAITING}/index.html" in online


def _paused_prefect_server(children: dict[int, str]) -> int:
    """Stop (SIGSTOP) the Prefect server: a server that answers neither requests nor SIGTERM."""
    server = next(pid for pid, cmd in children.items() if "prefect server start" in cmd)
    os.kill(server, signal.SIGSTOP)
    return server


def test_a_prefect_server_ignoring_sigterm_is_killed_and_named(tmp_path, leftovers):
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, children = running_stack(root, leftovers)
    _paused_prefect_server(children)
    out, took = stop(proc, signal.SIGINT, KILLED_WITHIN)
    assert proc.returncode == 0 and out.rstrip().endswith("stopped"), out
    assert "killed the Prefect server (1 process(es)): still running 10 s after SIGTERM" in out
    assert_all_gone(children, ports, out)
    print(f"\nstopped {took:.1f} s after Ctrl-C, the Prefect server killed")


def test_killing_zaitun_up_outright_ends_the_prefect_server_and_the_flows_too(tmp_path, leftovers):
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, children = running_stack(root, leftovers)
    os.kill(proc.pid, signal.SIGKILL)  # no handler runs: the OOM killer, `kill -9`
    proc.communicate(timeout=30)
    deadline = time.monotonic() + STOPPED_WITHIN
    while still_running(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert_all_gone(children, ports, "zaitun up was killed with SIGKILL")


def test_a_second_ctrl_c_while_stopping_kills_everything_at_once(tmp_path, leftovers):
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, children = running_stack(root, leftovers)
    _paused_prefect_server(children)  # so the first stop takes its time
    os.killpg(proc.pid, signal.SIGINT)
    wait_for_line(proc, "Ctrl-C again kills them at once", 30)
    time.sleep(1)
    out, took = stop(proc, signal.SIGINT, 15)
    assert proc.returncode == 130, out
    assert "SIGINT while stopping: killed " in out and "the Prefect server" in out
    assert not (root / ".zaitun" / "up.json").exists()
    assert_all_gone(children, ports, out)


def test_sigterm_during_the_first_pass_leaves_the_previous_site_online_and_nothing_running(tmp_path, leftovers):
    root = tmp_path / "site"
    init_project(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), "run"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    project = Project(root)
    online = os.path.realpath(project.publish_dir)
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "changed.txt").write_text("every page is built again", encoding="utf-8")
    proc, ports = start_up(root)
    leftovers[proc.pid] = processes()[proc.pid][3]
    wait_for_line(proc, "first pass:", 150)
    children = started_by(proc.pid)
    leftovers.update(children)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.name.endswith(".building")
                                                  for p in versions_dir(project.publish_dir).iterdir()):
        time.sleep(0.02)  # a build under way, when the machine is not too quick to catch one
    out, _ = stop(proc, signal.SIGTERM, STOPPED_WITHIN)
    assert proc.returncode == 0 and out.rstrip().endswith("stopped"), out
    shown = os.path.realpath(project.publish_dir)
    assert shown == online or not shown.endswith(".building"), out  # the previous build, or the new one whole
    assert (Path(shown) / "index.html").is_file()
    assert_all_gone(children, ports, out)


HANGING_EXIT = """
import subprocess, threading, time
from zaitun import shutdown
child = subprocess.Popen(["sleep", "600"], start_new_session=True)
print(child.pid, flush=True)
shutdown.Forcing([("a sleeping child", child)], print, lambda: None).after(2)
threading._register_atexit(lambda: time.sleep(600))  # as Prefect waits at exit for events to a server gone
"""


def test_an_exit_that_hangs_after_stopping_is_ended_with_its_children(leftovers):
    proc = subprocess.Popen([sys.executable, "-c", HANGING_EXIT], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    child = int(proc.stdout.readline())
    leftovers[child] = processes()[child][3]
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert out == "still not stopped after 2 s: killed a sleeping child; exiting\n"
    assert still_running({child: leftovers[child]}) == {}
