"""One build at a time per project: a flow and a person may start one together, the second waits."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from zaitun.project import Project


@contextmanager
def build_lock(project: Project) -> Iterator[None]:
    """Held while a build decides, writes and switches publish/, or while a rollback switches it."""
    handle = take(project)
    try:
        yield
    finally:
        free(handle)


def take(project: Project) -> IO:
    """The build lock, held until `free`: a warm build hands it on to what it leaves to do after it returns."""
    handle = open(project.state_dir / "publish.lock", "w")  # freed by `free`, maybe by another thread
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
    except BaseException:
        handle.close()
        raise
    return handle


def free(handle: IO) -> None:
    try:
        fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
