"""Where a running `zaitun up` is: the files it writes, and how every other command finds it.

Kept apart from zaitun.up and the stack's process machinery it loads: every command reads this file
before it runs (zaitun.cli), which should cost it no more than reading one small file.

`up.lock` is held (flock) by a running `zaitun up` and its processes for their whole life, so a second
one in the same project refuses to start instead of joining it; the kernel lets go of it however they end.
`up.json` tells other commands (a reviewer's CLI) where that stack's Prefect API is.

A pid alone names no process for long: after `zaitun up` is killed outright, its pid may go to any other
process. So both files name the `up` by its pid and its start time (`started`), and a stack counts as
running only while its lock is held and that very process is alive (`running_stack`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from zaitun.errors import ZaitunError
from zaitun.state.changes import store_token

if TYPE_CHECKING:
    from zaitun.project import Project

STACK_FILE = "up.json"
LOCK_FILE = "up.lock"
STORE_ENV = "ZAITUN_UP_STORE"  # the store a stack started on (URL, file), for its flow runs (check_stack_store)
FLOWS_READY_ENV = "ZAITUN_FLOWS_READY"  # a file the flows write once their deployments and triggers are registered


def record_stack(project: Project, api: str) -> None:
    """Tell other zaitun commands (a reviewer's CLI) where this stack's Prefect API is."""
    (project.state_dir / STACK_FILE).write_text(json.dumps({**this_process(), "api": api}), encoding="utf-8")


def running_stack(project: Project) -> dict | None:
    """What up.json says (pid, started, api) when the `zaitun up` that wrote it runs: its lock is held and
    it is that process, not one given its pid since it was killed. None otherwise, cheaply."""
    state = project.root / ".zaitun"
    try:
        stack = json.loads((state / STACK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stack, dict) or not is_alive(stack) or not lock_held(state / LOCK_FILE):
        return None  # stale: that stack is gone (a copied .zaitun/ names another project's `up`)
    return stack


def adopt_running_stack(project: Project) -> None:
    """Point this process's events at a running `zaitun up`, unless PREFECT_API_URL is set."""
    if os.environ.get("PREFECT_API_URL"):
        return
    stack = running_stack(project)
    if stack and isinstance(stack.get("api"), str):
        os.environ["PREFECT_API_URL"] = stack["api"]


def this_process() -> dict:
    """This process as up.json and up.lock name it: its pid and its start time."""
    return {"pid": os.getpid(), "started": started(os.getpid())}


def started(pid: int) -> int | None:
    """When process `pid` started (clock ticks after boot): another process given the same pid differs."""
    try:
        stat = Path(f"/proc/{int(pid)}/stat").read_text(encoding="utf-8")
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError, TypeError):
        return None


def is_alive(process: dict) -> bool:
    """The process named (pid, started) still runs: alive, and not another one given its pid since. An `up` of a
    release that named itself by its pid alone (still running while zaitun was upgraded) is taken to be that pid."""
    if "started" not in process:
        return started(process.get("pid")) is not None
    when = process.get("started")
    return when is not None and started(process.get("pid")) == when


def lock_held(path: Path) -> bool:
    """Some process holds the lock (a `zaitun up`, or the processes of one killed, still ending)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # a shared lock taken is let go with it
    return False


STALE_WITHIN = 90.0  # seconds the processes of a killed stack get to end (its Prefect server takes a few)


class StackLock:
    """The project's `up.lock`, held by this process and the processes it starts until the last ends: one
    `zaitun up` per project, and none while the flows of one killed outright are still winding down (they
    would pause the new stack's deployments)."""

    def __init__(self, project: Project, review_url: str, echo=print) -> None:
        self.path = project.state_dir / LOCK_FILE
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # children get it only when given (pass_fds)
        waited_since, told = None, False
        while not self._taken():
            holder = _holder(self.fd)
            if is_alive(holder):
                os.close(self.fd)
                raise ZaitunError(f"zaitun up is already running in this project (pid {holder['pid']}, "
                                  f"review UI {holder.get('review', '?')}); stop it first")
            waited_since = waited_since or time.monotonic()
            if not told and time.monotonic() - waited_since > 1:  # not while another command looks at it
                told = True
                echo(f"waiting for the processes of a zaitun up that was killed (pid {holder.get('pid', '?')}) "
                     "to end ...")
            elif time.monotonic() - waited_since > STALE_WITHIN:
                os.close(self.fd)
                raise ZaitunError(f"processes of a zaitun up that was killed still hold {self.path} after "
                                  f"{STALE_WITHIN:.0f} s: end them (`ps -ef | grep zaitun`), then start again")
            time.sleep(0.5)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps({**this_process(), "review": review_url}).encode(), 0)

    def _taken(self) -> bool:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def gone(self) -> bool:
        """The lock file was removed (with .zaitun/, say): a second stack could start beside this one."""
        return file_identity(self.path) != _identity(os.fstat(self.fd))

    def release(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def _holder(fd: int) -> dict:
    with contextlib.suppress(OSError, ValueError):
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return holder if isinstance(holder, dict) else {}
    return {}  # written as we read it


def _identity(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_dev, stat.st_ino


def file_identity(path: Path) -> tuple[int, int] | None:
    """Which file is at `path` (device, inode): a file removed, or replaced by another, is told apart."""
    try:
        return _identity(os.stat(path))
    except OSError:
        return None




def replaced(path: Path, identity: tuple[int, int] | None, token: str | None) -> bool:
    """Whether the store file at `path` is not the one of this (device, inode) and token (None: not known)."""
    if file_identity(path) != identity:
        return True
    return token is not None and store_token(path) not in (token, None)


def store_removed(path: Path) -> str:
    return (f"the store {path} was removed while zaitun up was running; restore it from a backup, "
            "or start zaitun up again for a new, empty one")


def check_stack_store(project: Project) -> bool:
    """In a flow run of `zaitun up`: refuse to go on once the store file the stack started on is removed or
    replaced, instead of opening a new, empty one there (the site would be rebuilt from it, approvals gone),
    or once zaitun.toml names another store than the one the review UI works on. True in such a run: the
    store is then opened without making one, as it may be removed between this check and the opening."""
    started = os.environ.get(STORE_ENV)
    if not started:
        return False
    store = json.loads(started)
    if store["file"] and replaced(Path(store["file"]), tuple(store["id"]), store.get("token")):
        raise ZaitunError(store_removed(Path(store["file"])))  # checked first: database_url makes .zaitun/
    if project.database_url != store["url"]:
        raise ZaitunError("review.database_url in zaitun.toml changed while zaitun up was running: restart "
                          "zaitun up to use the new store (the flows keep to the one the review UI works on)")
    return True
