"""Login throttling: failed logins per account name (from any address) and per client address
(for any name), counted in the store's audit log, so every review process and machine sharing the
database sees the same count and each failure stays on record."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from zaitun.state.store import Store, now

PER_NAME, PER_ADDRESS, WINDOW = 5, 20, 300.0  # failures allowed within WINDOW seconds
NAME_COLUMN = 100  # the audit log's actor column


@dataclass
class Throttle:
    store: Store
    per_name: int = PER_NAME
    per_address: int = PER_ADDRESS
    window: float = WINDOW

    def wait(self, name: str, address: str) -> int:
        """Seconds before this name may try again from this address (0: now)."""
        since = now() - dt.timedelta(seconds=self.window)
        waits = [self._wait(self.store.failed_logins(since, name=name[:NAME_COLUMN]), self.per_name),
                 self._wait(self.store.failed_logins(since, address=address), self.per_address)]
        return max(waits)

    def _wait(self, failures: list[dt.datetime], limit: int) -> int:
        if len(failures) < limit:
            return 0
        frees_at = failures[len(failures) - limit] + dt.timedelta(seconds=self.window)  # one drops out of the window
        return max(1, math.ceil((frees_at - now()).total_seconds()))

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
