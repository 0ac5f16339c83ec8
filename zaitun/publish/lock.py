"""One build at a time per project: a flow and a person may start one together, the second waits."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from zaitun.project import Project


@contextmanager
def build_lock(project: Project) -> Iterator[None]:
    """Held while a build decides, writes and switches publish/, or while a rollback switches it."""
    with open(project.state_dir / "publish.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
