"""`zaitun up`: the whole local stack on embedded defaults, stopped cleanly with Ctrl-C.

A local Prefect server (unless PREFECT_API_URL points at one), the deployments of the
project's prefect.yaml served from the installed package (`zaitun.flows`) with their
triggers, the content watcher, the review UI and a preview server for publish/. The first
pass runs before anything waits for events, so a fresh clone shows a complete site at once; the
watcher starts before it and holds what it sees until the flows have registered their triggers
(an event before that starts nothing), so a file dropped at any moment of the start is taken in.
One per project (`.zaitun/up.lock`); while it runs, it stops if its store is removed, reads
zaitun.toml again when it changes (`Watch`), and starts its Prefect server or flows again when one is
killed (`StartAgain`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zaitun import children, events, shutdown
from zaitun.errors import PassFailed, ZaitunError
from zaitun.logfiles import Rotation
from zaitun.project import Project, still_writing
from zaitun.stack import (
    FLOWS_READY_ENV,
    STACK_FILE,
    STORE_ENV,
    StackLock,
    file_identity,
    record_stack,
    replaced,
    store_removed,
)
from zaitun.state.changes import REPLACED, missing_store_file, sqlite_path, store_token

if TYPE_CHECKING:
    from collections.abc import Callable

    from zaitun.context import Context
    from zaitun.flows.recovery import Crashes
    from zaitun.state.store import Store
    from zaitun.watch import ContentWatcher, HeldBatches


def prefect_env(project: Project) -> dict[str, str]:
    """Prefect keeps its state in the project and attempts no telemetry (there is no network); its server deletes
    flow runs `prefect.keep_runs_days` after they ended, or its database grows by every run for ever (about
    30 KB a run; the hourly runs alone make 17,500 a year), unless the operator's environment says otherwise."""
    env = {
        "PREFECT_HOME": str(project.root / ".prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",  # runs start ~2 s after their event, not ~10 s
        "ZAITUN_PROJECT": str(project.root),
    }
    if days := project.config.get("prefect.keep_runs_days"):  # (events are deleted after 7 days by Prefect itself)
        vacuum = {VACUUM: "events,flow_runs", VACUUM_AFTER: str(days * 86400)}
        env |= {name: value for name, value in vacuum.items() if name not in os.environ}
    return env


VACUUM = "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED"
VACUUM_AFTER = "PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD"  # seconds after a run ended


def check_ports_free(project: Project, own_prefect: bool) -> None:
    """Refuse to start, naming the setting to change, when a port we need is taken."""
    cfg = project.config
    wanted = [("review.port", cfg.get("review.host")), ("publish.preview_port", "127.0.0.1")]
    if own_prefect:
        wanted.append(("prefect.port", "127.0.0.1"))
    for setting, host in wanted:
        port = cfg.get(setting)
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                raise ZaitunError(f"port {port} on {host} is in use (another `zaitun up`?): stop that, or set "
                                  f"{setting} in zaitun.toml") from None


def wait_healthy(url: str, timeout: float = 90.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2.0).status_code == 200:
                return
        time.sleep(0.5)
    raise ZaitunError(f"the Prefect server at {url} did not answer within {timeout:.0f} s")


ENDED_WITHIN = 3.0  # seconds from SIGTERM to SIGKILL for a child ended to be started again: its work is redone


@dataclass
class Stack:
    """What `zaitun up` started: child processes (each in its own session) and parts running in this process."""

    project: Project
    processes: list[tuple[str, subprocess.Popen]] = field(default_factory=list)
    logs: dict[str, str] = field(default_factory=dict)  # each child's log, as its name
    parts: list[shutdown.Part] = field(default_factory=list)
    stack_file: Path | None = None  # up.json, once written: removed last, or by a forced stop
    holds: tuple[int, ...] = ()  # file descriptors every child holds too: the stack lock
    rotation: Rotation = field(default_factory=Rotation)

    def spawn(self, name: str, args: list[str], env: dict[str, str], log_name: str) -> subprocess.Popen:
        with (open(self.project.state_dir / f"{log_name}.log", "ab") as log,  # the child writes to its own copy
              shutdown.signals_deferred()):  # the child is on the list before a Ctrl-C, or it would outlive us
            proc = subprocess.Popen(args, cwd=self.project.root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True,  # its own session: the terminal's Ctrl-C is ours
                                    preexec_fn=children.end_with_parent,  # and ends if we are killed
                                    pass_fds=self.holds)
            self.processes.append((name, proc))
        self.logs[name] = f"{self.project.state_dir.name}/{log_name}.log"
        return proc

    def keep_logs_small(self) -> None:
        """Move aside the children's logs grown past `prefect.log_max_mb` (zaitun.logfiles)."""
        limit = self.project.config.get("prefect.log_max_mb") * 1_000_000
        self.rotation.look([self.project.root / log for log in self.logs.values()], limit)

    def ended(self) -> str | None:
        """What a child that ended by itself was and how it ended, with where to read why."""
        child = self.ended_child()
        return child and child[1]

    def ended_child(self) -> tuple[str, str] | None:
        """The name of a child that ended by itself, and `ended`'s words for it."""
        for name, proc in self.processes:
            code = proc.poll()
            if code is not None:
                how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
                return name, f"{name} stopped ({how}); see {self.logs[name]}"
        return None

    def end(self, name: str) -> None:
        """End a child and what is left of its group (its flow runs, if it is the flows), to start it again."""
        for entry in [entry for entry in self.processes if entry[0] == name]:
            shutdown.end_process(entry[1], ENDED_WITHIN)
            self.processes.remove(entry)

    def forcing(self, echo) -> shutdown.Forcing:
        return shutdown.Forcing(self.processes, echo, self.forget)

    def stop(self, echo) -> None:
        """Stop everything within a bound, saying what is stopped and what had to be killed."""
        force, echo = self.forcing(echo), shutdown.quiet(echo)
        force.on_signals()
        force.after()
        names = [part.name for part in self.parts] + [name for name, _ in reversed(self.processes)]
        echo(f"\nstopping {', '.join(names) or 'nothing yet'} (Ctrl-C again kills them at once) ...")
        for name in shutdown.stop_parts(self.parts):
            echo(f"  {name}: not stopped in time, ends with this process")
        events.flush()
        for name, proc in reversed(self.processes):  # the flows first, while the server still answers them
            killed = shutdown.end_process(proc)
            if killed:
                echo(f"  killed {name} ({killed} process(es)): "
                     f"still running {shutdown.PROCESS_WITHIN:.0f} s after SIGTERM")
        self.forget()

    def forget(self) -> None:
        if self.stack_file:
            self.stack_file.unlink(missing_ok=True)


PREFECT_SERVER, FLOWS = "the Prefect server", "the flows"  # the children of `zaitun up`, as it names them


def start_prefect(stack: Stack, env: dict[str, str]) -> str:
    port = stack.project.config.get("prefect.port")
    stack.spawn(PREFECT_SERVER, [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                       "--port", str(port)], env, "prefect-server")
    return f"http://127.0.0.1:{port}/api"


# What the rebuild puts online (or takes offline) at once: what a person waits to see in the preview, and English
# a reviewer rejected or a document deleted, which must not wait for Prefect's round trip, nor be left online by
# a stop that ended the publish run it started.
TAKEN_OFFLINE = (events.DOCUMENT_RETRACTED, events.DOCUMENT_WITHDRAWN)
PUBLISH_AT_ONCE = (events.DOCUMENT_APPROVED, *TAKEN_OFFLINE)


def rebuild_on_approval(project: Project, stop: threading.Event, since: int, every: float = 0.3) -> None:
    """Rebuild publish/ as soon as the store records an approved document (from the review UI or a
    reviewer's command line), so the preview shows the English in a second or two instead of after
    Prefect's event round trip, and as soon as it records English rejected online or a document withdrawn, so
    either goes offline as quickly; the publish flow still runs for the deploy and hooks. When publish/ is the
    public site, this build is the one that puts the pages online, so it tells notify.published.
    It looks at events after `since`, the store's last when up started it (read by the thread itself, an
    approval made while it started would be taken as seen). Once stopped it looks a last time, so an approval
    made just before Ctrl-C is online too; a last look that cannot read the store rebuilds anyway. Approvals from
    memory are left to the publish run their translate pass starts once it has told them, all at once.
    A glossary file written, added or removed rebuilds too: English holding a rendering it now forbids goes
    offline in seconds, not at the hourly publish run. With publish.s3_target set, what goes offline (English
    rejected, a document withdrawn, a glossary change) is deployed by this rebuild too: the public site must not
    keep it until a publish run that a stop may end."""
    from zaitun.state.segments import MEMORY_APPROVER
    from zaitun.state.store import Store

    project = Project(project.root)  # its own: its settings are read again between builds, never during one
    store = Store.open(project.database_url)
    seen, failed = since, ""
    glossary = Look(project.glossary_dir, GLOSSARY_LOOK)
    stopping = False
    while not stopping:
        stopping = stop.wait(every)
        if glossary.changed():
            _rebuild(project, store, takes_offline=True, why="after a glossary change")
        try:
            fresh = store.events_since(seen)
        except Exception as exc:  # the store removed under it (up stops, saying so: Watch.gone), or busy: said once
            if str(exc) != failed:
                failed = str(exc)
                logging.getLogger(__name__).warning("the rebuild after approvals could not read the store: %s", exc)
            if stopping and not missing_store_file(project.database_url):  # no look after this one: what it
                _rebuild(project, store, takes_offline=True, why="at the stop")  # could not see is built (unless
                # the store is gone)
            continue
        failed = ""
        seen = fresh[-1]["id"] if fresh else seen
        if any(e["name"] in PUBLISH_AT_ONCE and e["payload"].get("approved_by") != MEMORY_APPROVER for e in fresh):
            offline = any(e["name"] in TAKEN_OFFLINE for e in fresh)
            _rebuild(project, store, takes_offline=offline,
                     why="after English was taken offline" if offline else "after an approval")
    store.close()


GLOSSARY_LOOK = MEMORY_LOOK = 1.0  # seconds between two looks at glossary/, and at tm/


class Look:
    """Whether the files below `folder` were written, added or removed since it last looked (at most once in
    `every` seconds). One written within project.QUIET_NS may be half-written (an editor saving in place truncates,
    then writes; a large TMX is written piece by piece): read then, a glossary would lose its forbidden
    renderings and let English they hold back online, a memory would forget approved pairs. Such a change is
    told at a later look, once the files are quiet."""

    def __init__(self, folder: Path, every: float) -> None:
        self.folder, self.every = folder, every
        self.last, self.then = files_stamp(folder), time.monotonic()

    def changed(self) -> bool:
        if time.monotonic() - self.then < self.every:
            return False
        now, self.then = files_stamp(self.folder), time.monotonic()
        if now == self.last or still_writing(max((mtime for _path, _size, mtime in now), default=0)):
            return False
        self.last = now
        return True


def files_stamp(folder: Path) -> tuple:
    """Each file below `folder` with its size and time of change: what tells one written, added or removed
    without reading it (empty when the folder cannot be read)."""
    found = []
    try:
        paths = list(folder.rglob("*"))
    except OSError:
        return ()
    for path in paths:
        with contextlib.suppress(OSError):  # (one removed meanwhile is not there)
            info = path.stat()
            if stat.S_ISREG(info.st_mode):
                found.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(sorted(found))


def _rebuild(project: Project, store, takes_offline: bool = False, why: str = "after an approval") -> None:
    """One build with zaitun.toml as it is now, as the publish flow (a new process each run) builds: the
    preview never goes back to the settings `zaitun up` started with. With zaitun.toml invalid, nothing
    is built (up says what is wrong; the publish flow fails on it too, and the site online stays).
    When it `takes_offline` what the public site holds and that site is publish.s3_target, it deploys too,
    deleting there what the build removed (what it adds goes with it; the publish run then finds nothing to do).
    `why`: what it rebuilds after, as a failure is logged."""
    from zaitun.errors import ConfigError
    from zaitun.pipeline import build, publish, tell_published

    doing = "rebuilding publish/"
    try:
        if project.config_changed():
            project.reload_config()
        target = takes_offline and project.config.get("publish.s3_target")
        doing += f" and deploying it to {target}" if target else ""
        tell_published(project, store, (publish if target else build)(project, store))
    except ConfigError:
        pass
    except ZaitunError as exc:  # a build refused: the publish flow records it; here one line, no traceback
        logging.getLogger(__name__).error("%s %s failed: %s", doing, why, exc)
    except Exception:  # the publish flow reports build failures; this only makes the preview quick
        logging.getLogger(__name__).exception("%s %s failed", doing, why)


REVIEW_GRACE = 3  # seconds a request in flight (an approval) has to finish once the review UI stops
REBUILD_WITHIN = 30.0  # a rebuild in flight finishes, or the exit ends it and the previous site stays online


def start_threads(stack: Stack, context: Context) -> tuple[str, str]:
    """The review UI and the preview server, in this process; the rebuild stops after them."""
    import uvicorn

    from zaitun.publish.preview import serve_folder
    from zaitun.review.web import create_app

    cfg = stack.project.config
    server = uvicorn.Server(uvicorn.Config(create_app(context), host=cfg.get("review.host"),
                                           port=cfg.get("review.port"), log_level="warning",
                                           timeout_graceful_shutdown=REVIEW_GRACE,
                                           proxy_headers=False))  # review.trusted_proxies decides
    review = _daemon(server.run, "review-ui")
    stack.parts.append(shutdown.Part("the review UI", lambda: _stop_uvicorn(server, review), REVIEW_GRACE + 3))
    _until_serving(server, review)  # the banner names its address: a browser opened then must find it
    httpd = serve_folder(stack.project.publish_dir, "127.0.0.1", cfg.get("publish.preview_port"),
                         cfg.get("site.base_url"))
    stack.parts.append(shutdown.Part("the site preview", lambda: (httpd.shutdown(), httpd.server_close())))
    stop = threading.Event()
    since = context.store.last_event_id()  # before the banner: an approval made once it is printed is after it
    rebuild = _daemon(rebuild_on_approval, "rebuild", stack.project, stop, since)
    stack.parts.append(shutdown.Part("the rebuild of publish/", lambda: (stop.set(), rebuild.join()), REBUILD_WITHIN,
                            after_others=True))  # approvals the review UI finishes while stopping go online
    return review_address(stack.project), f"http://127.0.0.1:{cfg.get('publish.preview_port')}/"


def start_content_watcher(stack: Stack) -> tuple[HeldBatches, ContentWatcher]:
    """Watch content/ from now on, holding what it sees until `release()`: until the flows are ready."""
    from zaitun.watch import ContentWatcher, HeldBatches, emit_content_changed

    held = HeldBatches(emit_content_changed)
    watcher = ContentWatcher(stack.project.content_dir, held)
    stack.parts.append(shutdown.Part("the content watcher", watcher.stop))
    return held, watcher


FLOWS_READY_WITHIN = 300.0  # seconds for the flows to register their deployments (about 3 on an idle machine)


def start_flows(stack: Stack, env: dict[str, str], echo) -> None:
    """Serve the deployments, and return once their triggers are registered: an event before starts nothing."""
    ready = stack.project.state_dir / "flows-ready"
    ready.unlink(missing_ok=True)
    stack.spawn(FLOWS, [sys.executable, "-m", "zaitun.flows.serve"], {**env, FLOWS_READY_ENV: str(ready)},
                "prefect-serve")
    started = time.monotonic()
    told = False
    while not ready.exists():
        if why := stack.ended():
            raise ZaitunError(why)
        waited = time.monotonic() - started
        if waited > FLOWS_READY_WITHIN:
            raise ZaitunError(f"the flows did not register their deployments within {FLOWS_READY_WITHIN:.0f} s; "
                              f"see {stack.logs[FLOWS]}")
        if waited > 30 and not told:
            echo(f"waiting for the flows to register their deployments ({stack.logs[FLOWS]}) ...")
            told = True
        time.sleep(0.1)
    ready.unlink(missing_ok=True)


def review_address(project: Project) -> str:
    return f"http://{project.config.get('review.host')}:{project.config.get('review.port')}/"


REVIEW_READY_WITHIN = 60.0  # seconds for the review UI to listen (well under one on an idle machine)


def _until_serving(server, thread: threading.Thread) -> None:
    """Return once uvicorn `server` listens; a loaded machine took seconds, and the banner printed before then
    named an address that refused a browser."""
    deadline = time.monotonic() + REVIEW_READY_WITHIN
    while not server.started:
        if not thread.is_alive():
            raise ZaitunError("the review UI stopped as it started: see the lines above")
        if time.monotonic() > deadline:
            raise ZaitunError(f"the review UI did not listen within {REVIEW_READY_WITHIN:.0f} s")
        time.sleep(0.02)


def _daemon(target, name: str, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True, name=name)
    thread.start()
    return thread


def _stop_uvicorn(server, thread: threading.Thread) -> None:
    """Open keep-alive connections are closed at once; a request in flight gets `REVIEW_GRACE` seconds."""
    server.should_exit = True
    thread.join(REVIEW_GRACE + 1)
    server.force_exit = True
    thread.join(1)


LOST_WAIT = 0.5  # seconds: a state folder being removed whole (rm -r) has time to lose its store too
RESTART_SETTINGS = ("review.host", "review.port", "review.database_url", "review.secret_key",
                    "review.trusted_proxies", "review.session_idle_minutes", "review.session_lifetime_hours",
                    "publish.output_dir", "publish.preview_port", "prefect.port",
                    "prefect.keep_runs_days")  # bound when `up` starts


class Watch:
    """What `zaitun up` keeps an eye on while it runs: its store and state folder (gone: the stack stops
    before a flow run makes a new, empty store), zaitun.toml (read again for the review UI), and tm/."""

    def __init__(self, project: Project, lock: StackLock) -> None:
        self.project, self.lock, self.told = project, lock, ""
        self.mended = False  # zaitun.toml reads again after it did not: what failed meanwhile is to be done
        self.content: ContentWatcher | None = None  # the watcher of content/, once started
        self.memory = Look(project.tm_dir, MEMORY_LOOK)
        self.store = Path(found) if (found := sqlite_path(project.database_url)) else None
        self.store_id = file_identity(self.store) if self.store else None
        token = store_token(self.store) if self.store else None
        self.token = token if token != REPLACED else None  # (a store made before tokens were)

    def env(self) -> dict[str, str]:
        """For the flows: which store their runs may open (zaitun.stack.check_stack_store)."""
        return {STORE_ENV: json.dumps({"url": self.project.database_url, "file": self.store and str(self.store),
                                       "id": self.store_id, "token": self.token})}

    def gone(self) -> str | None:
        """Why the stack cannot go on, if its store or its state folder was removed."""
        if self.store and replaced(self.store, self.store_id, self.token):
            return store_removed(self.store)
        if self.lock.gone():
            time.sleep(LOST_WAIT)  # a folder removed whole loses its files one at a time: the store may be next,
            if self.store and replaced(self.store, self.store_id, self.token):  # and its loss is the one to tell
                return store_removed(self.store)
            return (f"the state folder {self.lock.path.parent} was removed while zaitun up was running (its "
                    f"{self.lock.path.name} is gone): start zaitun up again")
        return None

    def content_replaced(self) -> str | None:
        """What to say when content/ became another folder (a share mounted over it, a folder or link put in its
        place): its watcher now watches that one, and a pass is to take in what it holds (no event told of it)."""
        if self.content is None or not self.content.replaced():
            return None
        return (f"{self.project.content_dir} is another folder now (a share mounted over it, or a folder or link "
                "put in its place): watching it")

    def memory_changed(self) -> bool:
        """Whether a file under tm/ was added, changed or removed since the last look: a translate run is to read
        it (approved work there reused at once, the pairs of a file removed forgotten, not at the hourly run)."""
        return self.memory.changed()

    def settings(self) -> list[str]:
        """zaitun.toml read again when it changed (the review UI reads this project's settings); what it says."""
        from zaitun.errors import ConfigError

        if not self.project.config_changed():
            return []
        before = self.project.config
        try:
            after = self.project.reload_config()
        except ConfigError as exc:
            told, self.told = self.told, str(exc)
            return [] if told == self.told else [f"zaitun.toml changed but is invalid, {exc}: the flows fail until "
                                                 "it is fixed; the review UI keeps the settings read before"]
        self.mended, self.told = bool(self.told), ""
        bound = [name for name in RESTART_SETTINGS if before.get(name) != after.get(name)]
        lines = ["zaitun.toml changed: the review UI, the next rebuild and the next flow runs use the new settings"]
        if bound:
            lines.append(f"  but {', '.join(bound)} take(s) effect only when zaitun up is restarted (Ctrl-C, then "
                         "zaitun up)" + ("; until then the flows refuse to run" if "review.database_url" in bound
                                         else ""))
        return lines


def _note_outdated_flows(project: Project, echo) -> None:
    """Say so when prefect.yaml would run other flows than this zaitun's (a project made by an older one):
    they run as it says, without what this zaitun's do since."""
    import zaitun
    from zaitun.scaffold import flows_outdated

    outdated = flows_outdated(project.root)
    if outdated:
        echo(f"note: this project's flows are not zaitun {zaitun.__version__}'s ({len(outdated)} difference(s), "
             f"e.g. {outdated[0]}); they run as prefect.yaml says: `zaitun init --upgrade` lists what to change")


def up(context: Context, echo=print) -> None:
    """Start everything, print the URLs, and wait for Ctrl-C (or SIGTERM, or SIGHUP)."""
    from zaitun.review.firstrun import create_first_admin

    project = context.project

    ours = prefect_env(project)
    env = {**os.environ, **ours}
    os.environ.update(ours)
    events.stay_connected()  # an approval, a file dropped: one event each, for months
    if not (project.root / "prefect.yaml").is_file():
        raise ZaitunError(f"{project.root / 'prefect.yaml'} is missing: `zaitun init --upgrade` writes it")
    _note_outdated_flows(project, echo)
    lock = StackLock(project, review_address(project), echo)  # a second `zaitun up` here stops at this line
    own_prefect = not os.environ.get("PREFECT_API_URL")
    check_ports_free(project, own_prefect)
    from zaitun.content.intake import content_missing

    if missing := content_missing(project, context.store):  # the watcher would make it anew, empty
        raise missing
    stack = Stack(project, holds=(lock.fd,))
    shutdown.stop_on_signals(stack.forcing(echo))  # before any child exists: none may outlive a stop
    try:
        api = start_prefect(stack, env) if own_prefect else os.environ["PREFECT_API_URL"]
        env["PREFECT_API_URL"] = os.environ["PREFECT_API_URL"] = api
        store = context.store
        watch = Watch(project, lock)
        env.update(watch.env())
        wait_healthy(api)  # before the first pass, whose events (document.failed, ...) go to this server
        if own_prefect:  # only ours: on a shared server, other machines' runs may well be running
            from zaitun.flows.recovery import crash_runs_left_running

            for line in crash_runs_left_running():
                echo(line)
        watcher, watch.content = start_content_watcher(stack)  # a file dropped in the first pass may not be in it
        echo("first pass: intake -> translate -> publish ...")
        summary = a_pass(project, store, echo)
        password_file = create_first_admin(project, store)
        start_flows(stack, env, echo)
        watcher.release()
        review_url, site_url = start_threads(stack, context)
        stack.stack_file = project.state_dir / STACK_FILE
        record_stack(project, api)
        _print_banner(echo, api, review_url, site_url, password_file, summary)
        crashed = crashes(own_prefect)
        again = StartAgain(stack, env, api, watcher, store, crashed, echo)
        mend = functools.partial(catch_up, project, store, echo)
        raise ZaitunError(watch_until_stopped(stack, watch, echo, crashed, again, mend))
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop(echo)
        lock.release()
    shutdown.quiet(echo)("stopped")


AFTER_A_PART_ENDED = ("zaitun up stopped the rest: start it again (`zaitun up`); its first pass takes in what "
                      "changed meanwhile")
RESTARTS = 3  # times the Prefect server or the flows, ended by themselves (the OOM killer), are started again ...
RESTARTS_WITHIN = 600.0  # ... within this many seconds; one that keeps ending has a cause a restart will not mend


class Restarts:
    """The bound on starting again: the times of the restarts within the last `within` seconds."""

    def __init__(self, most: int = RESTARTS, within: float = RESTARTS_WITHIN) -> None:
        self.most, self.within, self.times = most, within, []

    def take(self, now: float | None = None) -> int | None:
        """The number of this restart within the bound, or None when the bound is reached."""
        now = time.monotonic() if now is None else now
        self.times = [t for t in self.times if now - t < self.within]
        if len(self.times) >= self.most:
            return None
        self.times.append(now)
        return len(self.times)


@dataclass
class StartAgain:
    """Start the Prefect server or the flows again when one ends by itself (killed by the OOM killer), as at the
    start: the flows always (they serve the server's deployments), runs left running marked crashed, then a pass
    like the first, which takes in what changed while they were down (events sent meanwhile went nowhere). The
    review UI and the preview go on meanwhile; the watcher holds what it sees until the flows are back."""

    stack: Stack
    env: dict[str, str]
    api: str
    watcher: HeldBatches
    store: Store
    crashed: Crashes | None  # on zaitun up's own Prefect server; None on a shared one
    echo: Callable[[str], None]
    restarts: Restarts = field(default_factory=Restarts)

    def __call__(self, name: str, why: str) -> bool:
        """Started again (True), or not: the bound is reached, or it is a server zaitun up did not start."""
        number = self.restarts.take()
        if number is None:
            self.echo(f"{why}; it is not started again: it stopped {self.restarts.most + 1} times within "
                      f"{self.restarts.within / 60:.0f} minutes")
            return False
        self.echo(f"{why}; starting it again ({number} of {self.restarts.most} times within "
                  f"{self.restarts.within / 60:.0f} minutes); the review UI and the preview go on")
        self.watcher.hold()
        try:
            self.stack.end(FLOWS)
            if name == PREFECT_SERVER:
                self.stack.end(PREFECT_SERVER)
                start_prefect(self.stack, self.env)
                wait_healthy(self.api)
            if self.crashed is not None:  # zaitun up's own server: no run on it is alive now
                from zaitun.flows.recovery import crash_runs_left_running

                for line in crash_runs_left_running():
                    self.echo(line)
                self.crashed.since_now()  # the pass below does their work
            self.echo("catching up: intake -> translate -> publish ...")
            summary = a_pass(self.stack.project, self.store, self.echo)
            start_flows(self.stack, self.env, self.echo)
        finally:
            self.watcher.release()
        self.echo(f"{name} started again; {len(summary.get('intake', {}).get('ingested', []))} document(s) taken "
                  "in meanwhile; "
                  f"{summary.get('publish', {}).get('summary', '')}")
        return True


def a_pass(project: Project, store: Store, echo) -> dict:
    """A pass like `zaitun run`'s, started by zaitun up (its first, after a restart): what it did. One that stopped
    as a whole (the deploy target down, no credentials for it, publish/ not writable) is told, and zaitun up goes
    on all the same: the failure is recorded for `zaitun status` and told to notify.failure, and the next event or
    the hourly runs try again (an S3 store down at boot kept the review UI, the watcher and the preview down)."""
    from zaitun.pipeline import run_once

    try:
        return run_once(project, store)
    except PassFailed as exc:
        echo(f"  the pass stopped: {exc}")
        echo("  zaitun goes on: the next event or the hourly runs try again (`zaitun status` says what waits)")
        return exc.summary


def crashes(own_prefect: bool):
    """What puts right the flow runs that crash while the stack runs: only on its own Prefect server (on a shared
    one, other machines' runs are theirs to run again)."""
    from zaitun.flows.recovery import Crashes

    return Crashes() if own_prefect else None


def catch_up(project: Project, store: Store, echo, what: str = "what waited for zaitun.toml") -> None:
    """A pass like the first, once zaitun.toml reads again (the flow runs started while it did not, a file dropped,
    an approval, failed on it, and no event would start them again), or once content/ is another folder."""
    from zaitun.pipeline import held_back, run_once

    echo(f"catching up on {what}: intake -> translate -> publish ...")
    try:
        summary = run_once(project, store)
    except ZaitunError as exc:  # the next event or the hourly runs try again
        echo(f"  catching up failed: {exc}")
        return
    echo(f"  {len(summary['intake']['ingested'])} document(s) taken in meanwhile; "
         f"{summary.get('publish', {}).get('summary', '')}")
    for line in held_back(summary):
        echo(f"  needs fixing: {line}")


def watch_until_stopped(stack: Stack, watch: Watch, echo, crashed=None, start_again=None, catch_up=None) -> str:
    """Run until a signal (KeyboardInterrupt), or until the stack cannot go on: then why. Flow runs that crash
    meanwhile are run again (`crashed`: zaitun.flows.recovery.Crashes), a child that ends is started again
    (`start_again`: StartAgain) within its bound, and what waited for a zaitun.toml that did not read is done
    once it reads, and what a content/ put in place of the watched one holds is taken in (`catch_up`)."""
    while True:
        if ended := stack.ended_child():
            if start_again is None or not start_again(*ended):
                return f"{ended[1]}; {AFTER_A_PART_ENDED}"
            continue
        if why := watch.gone():
            return why
        if replaced := watch.content_replaced():
            echo(replaced)
            if catch_up is not None:
                catch_up(what="the content folder now there")
        for line in [*watch.settings(), *(crashed.lines() if crashed else [])]:
            echo(line)
        if watch.memory_changed():
            echo("translation memory (tm/) changed: a translate run reads it again")
            events.emit(events.MEMORY_CHANGED)
        if watch.mended:
            watch.mended = False
            if catch_up is not None:
                catch_up()
        stack.keep_logs_small()
        time.sleep(0.5)


def _print_banner(echo, api: str, review_url: str, site_url: str, password_file: Path | None,
                  summary: dict) -> None:
    from zaitun.pipeline import held_back

    pub = summary.get("publish", {})
    echo("")
    echo("zaitun is running. Drop Chinese content into content/<section>/ and watch it flow.")
    echo(f"  site (preview) {site_url}")
    echo(f"  review UI      {review_url}")
    echo(f"  Prefect UI     {api.removesuffix('/api')}")
    if password_file:
        echo(f"  first-run admin account: admin, its password is in {password_file} (readable by you only);")
        echo("    log in, choose your own password, then add reviewers: zaitun user add NAME --role reviewer")
    echo(f"  documents: {len(summary.get('intake', {}).get('ingested', []))} taken in; {pub.get('summary', '')}")
    for line in held_back(summary):  # the rest is online; these wait for a fix (see `zaitun status`)
        echo(f"  needs fixing: {line}")
    for line in summary.get("intake", {}).get("unread", []) + summary.get("intake", {}).get("same_notice", []):
        echo(f"  needs attention: {line}")
    echo("Press Ctrl-C to stop.")


