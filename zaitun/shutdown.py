"""Stopping `zaitun up` within a bound, whatever a part is doing: nothing is waited for without a limit.

In-process parts (the review UI, the preview, the watcher, the rebuild) are stopped side by side, each
given a few seconds; child processes (the flows, the Prefect server) get SIGTERM, then SIGKILL with the
rest of their process group. A closed terminal (SIGHUP) stops it like Ctrl-C and SIGTERM, rather than
leaving the children running. A second such signal, or a stop still unfinished after `STOP_WITHIN`
seconds, kills every child at once and exits. What had to be killed or was left behind is said.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

PROCESS_WITHIN = 10.0  # seconds from SIGTERM to SIGKILL for a child process and its group
KILLED_WITHIN = 5.0  # seconds for the kernel to end a killed group
STOP_WITHIN = 90.0  # the whole stop, exit included: past it every child is killed and the process exits
FORCED_EXIT = 130  # as a shell reports a command ended by Ctrl-C
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # Ctrl-C, a service manager, a closed terminal


@dataclass
class Part:
    """A part of the stack running in this process: `stop()` returns once it has stopped."""

    name: str
    stop: Callable[[], None]
    within: float = 5.0
    after_others: bool = False  # stopped once the others have (or have had their time)


def stop_parts(parts: list[Part]) -> list[str]:
    """Stop parts side by side, then those that wait for them; the names of those not stopped within their
    bound (they end with the process)."""
    first = [part for part in parts if not part.after_others]
    return _side_by_side(first) + _side_by_side([part for part in parts if part.after_others])


def _side_by_side(parts: list[Part]) -> list[str]:
    threads = [(part, threading.Thread(target=_quietly, args=(part.stop,), daemon=True, name=f"stop {part.name}"))
               for part in parts]
    for _, thread in threads:
        thread.start()
    started = time.monotonic()
    for part, thread in threads:
        thread.join(max(0.0, started + part.within - time.monotonic()))
    return [part.name for part, thread in threads if thread.is_alive()]


def _quietly(stop: Callable[[], None]) -> None:
    with contextlib.suppress(Exception):  # a part that fails to stop is stopped by the exit
        stop()


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Stop signals take effect when the block ends (a blocked signal mask would pass to children)."""
    caught: list[int] = []
    previous = {signum: signal.signal(signum, lambda num, _frame: caught.append(num)) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if caught and callable(previous[caught[0]]):
        previous[caught[0]](caught[0], None)
    elif caught:
        raise KeyboardInterrupt


def live_members(group: int) -> list[int]:
    """The processes of a process group still running (not zombies), from Linux's /proc ([] elsewhere)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            state, _ppid, pgrp = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()[:3]
            if state != "Z" and int(pgrp) == group:
                members.append(int(stat.parent.name))
    return members


def _alive(proc: subprocess.Popen) -> bool:
    """A child, or anything left in its process group, is still running."""
    return proc.poll() is None or bool(live_members(proc.pid))


def signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signum)


def end_process(proc: subprocess.Popen, within: float = PROCESS_WITHIN) -> int:
    """SIGTERM a child started in its own session and everything in its group; SIGKILL what is left after
    `within` seconds. Returns how many processes had to be killed."""
    signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + within
    while _alive(proc) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = set(live_members(proc.pid)) | ({proc.pid} if proc.poll() is None else set())
    if left:
        signal_group(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(KILLED_WITHIN)
    return len(left)


def kill_all(processes: list[tuple[str, subprocess.Popen]]) -> list[str]:
    """SIGKILL every child's group at once; the names of those that were still running."""
    running = [name for name, proc in processes if _alive(proc)]
    for _, proc in processes:
        signal_group(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + KILLED_WITHIN  # gone, ports released, when we say so
    while any(_alive(proc) for _, proc in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    return running


def quiet(echo: Callable[[str], None]) -> Callable[[str], None]:
    """echo that cannot fail: after SIGHUP the terminal is gone, and the stop must go on without it."""
    def say(text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            echo(text)
    return say


class Forcing:
    """Cutting a stop short: every child's group killed, `cleanup` run, what was killed said, exit at once."""

    def __init__(self, processes: list[tuple[str, subprocess.Popen]], echo, cleanup: Callable[[], None]):
        self.processes, self.say, self.cleanup = processes, quiet(echo), cleanup

    def __call__(self, why: str) -> None:
        killed = kill_all(self.processes)
        with contextlib.suppress(Exception):
            self.cleanup()
        self.say(f"{why}: killed {', '.join(killed) or 'nothing (no child was running)'}; exiting")
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os._exit(FORCED_EXIT)

    def on_signals(self) -> None:
        """From now on Ctrl-C, SIGTERM or SIGHUP forces."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, lambda num, _frame: self(f"{signal.Signals(num).name} while stopping"))

    def after(self, within: float = STOP_WITHIN) -> None:
        """Force if this process is still here `within` seconds from now (a stop or an exit that hangs)."""
        timer = threading.Timer(within, self, args=(f"still not stopped after {within:.0f} s",))
        timer.daemon = True  # it must not keep the process alive, only end it
        timer.start()


def stop_on_signals(force: Forcing) -> None:
    """The first Ctrl-C, SIGTERM or SIGHUP raises KeyboardInterrupt (the stack stops); any later one forces.
    The handler changes at the first signal itself, so a quick double Ctrl-C cannot cut the stop short."""
    def first(_num, _frame) -> None:
        force.on_signals()
        raise KeyboardInterrupt

    for signum in STOP_SIGNALS:
        signal.signal(signum, first)
