"""Child processes that end with the process that started them, even when it is killed outright."""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time

PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent dies


def end_with_parent(signum: int = signal.SIGTERM) -> None:
    """In a child, before it runs (subprocess's preexec_fn): the kernel sends it `signum` when the thread
    that started it ends, even by SIGKILL (the OOM killer, `kill -9`), so it never outlives us unseen."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signum)


def end_group_when_orphaned(every: float = 0.5) -> None:
    """In a child of `zaitun up` (the flows): once `up` is gone without stopping it (killed outright), kill
    this process's group at once, its flow runs included. The parent-death SIGTERM alone starts Prefect's
    graceful stop, which against a Prefect server gone too retries for minutes, holding the stack lock the
    next `zaitun up` waits for, and then pauses the deployments, on that next stack's server if it is up."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, daemon=True, name="end with zaitun up").start()
