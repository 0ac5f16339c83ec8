"""One build at a time per project: a flow and a person may start one together, the second waits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from zaitun import locks
from zaitun.project import Project


@contextmanager
def build_lock(project: Project) -> Iterator[None]:
    """Held while a build decides, writes and switches publish/, or while a rollback switches it."""
    with locks.held(_path(project)):
        yield


def take(project: Project) -> IO:
    """The build lock, held until `free`: a warm build hands it on to what it leaves to do after it returns."""
    return locks.take(_path(project))


free = locks.free


def _path(project: Project):
    return project.state_dir / "publish.lock"
