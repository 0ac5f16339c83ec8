"""Locks on a project's work: one process at a time does it, whoever starts it (a flow, cron, a person).

A lock is a file under .zaitun/ held with flock: the kernel lets go of it however its holder ends, and two
threads of one process, each with the file open, wait for each other as two processes do. The holder writes
its pid into the file, so one that waits can say for whom.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from zaitun.errors import Busy

POLL_SECONDS = 0.1  # how often one waiting with a bound tries again (flock itself has no timeout)


@contextmanager
def held(path: Path, on_wait: Callable[[int | None], None] | None = None,
         at_most: float | None = None) -> Iterator[None]:
    """Hold the lock at `path` for the block (see `take`)."""
    handle = take(path, on_wait, at_most)
    try:
        yield
    finally:
        free(handle)


def take(path: Path, on_wait: Callable[[int | None], None] | None = None, at_most: float | None = None) -> IO:
    """The lock at `path`, held until `free` (maybe by another thread). One finding it held calls `on_wait` once
    with the holder's pid (None if unknown) and, with `at_most`, gives up after that many seconds (Busy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # not "w": emptying the file would lose the holder's pid
    try:
        _wait(handle, on_wait, at_most)
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
    except BaseException:
        handle.close()
        raise
    return handle


def free(handle: IO) -> None:
    try:
        handle.truncate(0)  # no pid left behind for the next holder to be taken for
        fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _wait(handle: IO, on_wait: Callable[[int | None], None] | None, at_most: float | None) -> None:
    if on_wait is None and at_most is None:
        fcntl.flock(handle, fcntl.LOCK_EX)
        return
    started, told = time.monotonic(), False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _holder(handle)
        if on_wait is not None and not told:
            on_wait(holder)
            told = True
        if at_most is not None and time.monotonic() - started >= at_most:
            raise Busy(f"{handle.name} is held by another process{f' (pid {holder})' if holder else ''} "
                       f"for over {at_most:g} s", holder)
        time.sleep(POLL_SECONDS)


def _holder(handle: IO) -> int | None:
    """The pid the holder wrote (None between its taking the lock and writing it)."""
    try:
        return int(os.pread(handle.fileno(), 32, 0)) or None
    except (OSError, ValueError):
        return None
