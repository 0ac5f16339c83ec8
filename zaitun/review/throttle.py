"""Login throttling: failed logins per account name (from any address) and per client address
(for any name), counted in the store's audit log, so every review process and machine sharing the
database sees the same count and each failure stays on record.

A password is checked only in a turn (`Throttle.turn`), and checks under way count as failures until
they end: attempts sent all at once cannot each pass the limit before the first failure is kept. Turns
are counted in this process; other processes sharing the store see its failures once kept."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from zaitun.state.store import Store, now

PER_NAME, PER_ADDRESS, WINDOW = 5, 20, 300.0  # failures allowed within WINDOW seconds
NAME_COLUMN = 100  # the audit log's actor column


@dataclass
class Throttle:
    store: Store
    per_name: int = PER_NAME
    per_address: int = PER_ADDRESS
    window: float = WINDOW
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _checking: Counter = field(default_factory=Counter, init=False, repr=False)  # (kind, key) -> checks under way

    def wait(self, name: str, address: str) -> int:
        """Seconds before this name may try again from this address (0: now)."""
        since, name = now() - dt.timedelta(seconds=self.window), name[:NAME_COLUMN]
        waits = [self._wait(self.store.failed_logins(since, name=name), self.per_name, self._checking["name", name]),
                 self._wait(self.store.failed_logins(since, address=address), self.per_address,
                            self._checking["address", address])]
        return max(waits)

    def _wait(self, failures: list[dt.datetime], limit: int, checking: int) -> int:
        failures = failures + [now()] * checking  # a check under way may yet fail
        if len(failures) < limit:
            return 0
        frees_at = failures[len(failures) - limit] + dt.timedelta(seconds=self.window)  # one drops out of the window
        return max(1, math.ceil((frees_at - now()).total_seconds()))

    @contextmanager
    def turn(self, name: str, address: str) -> Iterator[int]:
        """Yields 0 when a password may be checked now (the check counts as a failure until the turn
        ends: record the outcome, `fail` or `succeed`, inside it), else the seconds to wait."""
        keys = Counter({("name", name[:NAME_COLUMN]): 1, ("address", address): 1})
        with self._lock:
            wait = self.wait(name, address)
            if not wait:
                self._checking += keys
        try:
            yield wait
        finally:
            if not wait:
                with self._lock:
                    self._checking -= keys

    def fail(self, name: str, address: str) -> None:
        with self.store.tx() as conn:
            self.store.log(conn, name[:NAME_COLUMN], "login-failed", note=address)

    def succeed(self, name: str, address: str) -> None:
        """A login: the name's earlier failures no longer count (the address's still do)."""
        with self.store.tx() as conn:
            self.store.log(conn, name, "login", note=address)


def wait_text(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{seconds} seconds" if seconds < 90 else f"{minutes} minutes"
