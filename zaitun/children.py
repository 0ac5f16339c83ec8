"""Child processes that end with the process that started them, even when it is killed outright."""

from __future__ import annotations

import ctypes
import signal

PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent dies


def end_with_parent(signum: int = signal.SIGTERM) -> None:
    """In a child, before it runs (subprocess's preexec_fn): the kernel sends it `signum` when the thread
    that started it ends, even by SIGKILL (the OOM killer, `kill -9`), so it never outlives us unseen."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signum)
