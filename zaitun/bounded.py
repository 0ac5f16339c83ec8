"""A call given up after a time, whatever it waits on.

A socket timeout bounds each read, not a server sending a byte at a time, a name lookup or headers
that never end; so a call to a receiver or an engine runs in a daemon thread that is waited for no
longer than its time, and left to end by itself (with its connection) after that.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Overdue(TimeoutError):
    """The call did not return within its time (it may still be running, in its own thread)."""


def call_within(seconds: float, fn: Callable[[], T], name: str) -> T:
    """fn's result, or what it raised, if it ends within `seconds`; Overdue if it does not."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # for the caller to raise, if it still waits
            outcome["error"] = exc

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    thread.join(seconds)
    if "error" in outcome:
        raise outcome["error"]
    if "value" not in outcome:
        raise Overdue(f"no answer within {seconds:g} s")
    return outcome["value"]
