"""Ending a command that built a large heap without taking it apart: a 5,000-document `zaitun build` holds
some 100 MB of objects, and the interpreter's teardown frees them one by one (30-50 ms) for nothing, since
the process ends. Only the command line's entry point acts on it (zaitun.cli.main): a command run inside
another process (tests, `zaitun up`) ends as any call returns."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

_ASKED: list[bool] = []


def without_teardown() -> None:
    """Let this command's process end without freeing its objects (see `end`)."""
    _ASKED.append(True)


def asked() -> bool:
    return bool(_ASKED)


def ending() -> bool:
    """Whether this process is ending now, without its teardown (`end` is running its exit handlers): what
    they leave running, told to stop, ends with it."""
    return bool(_ENDING)


_ENDING: list[bool] = []


def end(code: object) -> NoReturn:
    """Do what the interpreter does before its teardown, in its order, then end: wait for the threads that
    are not daemons (a build's snapshot being saved), run the exit handlers (the search indexer stopped,
    worker pools ended, logs flushed), flush the standard streams; the kernel frees the rest."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    _ENDING.append(True)
    atexit._run_exitfuncs()  # the handlers the interpreter would run, in its order (no public name)
    if code is not None and not isinstance(code, int):  # sys.exit("message"): said on stderr, status 1
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said on it
            pass
    os._exit(code or 0)
