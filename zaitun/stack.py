"""Where a running `zaitun up` is: the files it writes, and how every other command finds it.

Kept apart from zaitun.up and the stack's process machinery it loads: every command reads this file
before it runs (zaitun.cli), which should cost it no more than reading one small file.

`up.lock` is held (flock) by a running `zaitun up` and its processes for their whole life, so a second
one in the same project refuses to start instead of joining it; the kernel lets go of it however they end.
`up.json` tells other commands (a reviewer's CLI) where that stack's Prefect API is.
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

if TYPE_CHECKING:
    from zaitun.project import Project

STACK_FILE = "up.json"
LOCK_FILE = "up.lock"
STORE_ENV = "ZAITUN_UP_STORE"  # the store a stack started on (URL, file), for its flow runs (check_stack_store)
FLOWS_READY_ENV = "ZAITUN_FLOWS_READY"  # a file the flows write once their deployments and triggers are registered


def record_stack(project: Project, api: str) -> None:
    """Tell other zaitun commands (a reviewer's CLI) where this stack's Prefect API is."""
    (project.state_dir / STACK_FILE).write_text(json.dumps({"pid": os.getpid(), "api": api}), encoding="utf-8")


def adopt_running_stack(project: Project) -> None:
    """Point this process's events at a running `zaitun up`, unless PREFECT_API_URL is set."""
    path = project.root / ".zaitun" / STACK_FILE
    if os.environ.get("PREFECT_API_URL") or not path.is_file():
        return
    try:
        stack = json.loads(path.read_text(encoding="utf-8"))
        os.kill(stack["pid"], 0)
    except (OSError, ValueError, KeyError):
        return  # stale: that stack is gone
    os.environ["PREFECT_API_URL"] = stack["api"]


STALE_WITHIN = 90.0  # seconds the processes of a killed stack get to end (its Prefect server takes a few)


class StackLock:
    """The project's `up.lock`, held by this process and the processes it starts until the last ends: one
    `zaitun up` per project, and none while the flows of one killed outright are still winding down (they
    would pause the new stack's deployments)."""

    def __init__(self, project: Project, review_url: str, echo=print) -> None:
        self.path = project.state_dir / LOCK_FILE
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # children get it only when given (pass_fds)
        waited_since = None
        while not self._taken():
            holder = _holder(self.fd)
            if _running(holder.get("pid")):
                os.close(self.fd)
                raise ZaitunError(f"zaitun up is already running in this project (pid {holder['pid']}, "
                                  f"review UI {holder.get('review', '?')}); stop it first")
            if waited_since is None:
                waited_since = time.monotonic()
                echo(f"waiting for the processes of a zaitun up that was killed (pid {holder.get('pid', '?')}) "
                     "to end ...")
            elif time.monotonic() - waited_since > STALE_WITHIN:
                os.close(self.fd)
                raise ZaitunError(f"processes of a zaitun up that was killed still hold {self.path} after "
                                  f"{STALE_WITHIN:.0f} s: end them (`ps -ef | grep zaitun`), then start again")
            time.sleep(0.5)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps({"pid": os.getpid(), "review": review_url}).encode(), 0)

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


def _running(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (TypeError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _holder(fd: int) -> dict:
    with contextlib.suppress(OSError, ValueError):
        return json.loads(os.pread(fd, 4096, 0) or b"{}")
    return {}  # written as we read it


def _identity(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_dev, stat.st_ino


def file_identity(path: Path) -> tuple[int, int] | None:
    """Which file is at `path` (device, inode): a file removed, or replaced by another, is told apart."""
    try:
        return _identity(os.stat(path))
    except OSError:
        return None


def store_removed(path: Path) -> str:
    return (f"the store {path} was removed while zaitun up was running; restore it from a backup, "
            "or start zaitun up again for a new, empty one")


def check_stack_store(project: Project) -> None:
    """In a flow run of `zaitun up`: refuse to go on once the store file the stack started on is removed or
    replaced, instead of opening a new, empty one there (the site would be rebuilt from it, approvals gone),
    or once zaitun.toml names another store than the one the review UI works on."""
    started = os.environ.get(STORE_ENV)
    if not started:
        return
    store = json.loads(started)
    if store["file"] and file_identity(Path(store["file"])) != tuple(store["id"]):
        raise ZaitunError(store_removed(Path(store["file"])))  # checked first: database_url makes .zaitun/
    if project.database_url != store["url"]:
        raise ZaitunError("review.database_url in zaitun.toml changed while zaitun up was running: restart "
                          "zaitun up to use the new store (the flows keep to the one the review UI works on)")
