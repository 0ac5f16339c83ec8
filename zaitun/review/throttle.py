"""Login throttling: failed logins per account name (from any address) and per client address
(for any name), counted in the store's `login_checks`, so every review process and machine sharing
the database, and a restarted one, sees the same count; the audit log keeps each failure on record.

A password is checked only in a turn (`Throttle.turn`). Taking one is a writing transaction that
counts and, within the limits, keeps the check as a failure from its start, so attempts sent all at
once, to one process or several, cannot each pass the limit before the first failure is kept; a login
undoes it. Checks past the window are pruned then, so the table holds one window's checks: at most
`per_address` for each address. (Argon2's memory bound, `passwords.AT_ONCE`, is per process.)"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from zaitun.state.store import Connection, Store, now

PER_NAME, PER_ADDRESS, WINDOW = 5, 20, 300.0  # failures allowed within WINDOW seconds
NAME_COLUMN = 100  # the name column's length


@dataclass
class Throttle:
    store: Store
    per_name: int = PER_NAME
    per_address: int = PER_ADDRESS
    window: float = WINDOW
    _turn: threading.local = field(default_factory=threading.local, init=False, repr=False)  # this thread's check

    def wait(self, name: str, address: str) -> int:
        """Seconds before this name may try again from this address (0: now)."""
        return self._wait(name[:NAME_COLUMN], address)

    def _wait(self, name: str, address: str, conn: Connection | None = None) -> int:
        since = now() - dt.timedelta(seconds=self.window)
        return max(self._frees_in(self.store.login_checks(since, name=name, conn=conn), self.per_name),
                   self._frees_in(self.store.login_checks(since, address=address, conn=conn), self.per_address))

    def _frees_in(self, checks: list[dt.datetime], limit: int) -> int:
        if len(checks) < limit:
            return 0
        frees_at = checks[len(checks) - limit] + dt.timedelta(seconds=self.window)  # one drops out of the window
        return max(1, math.ceil((frees_at - now()).total_seconds()))

    @contextmanager
    def turn(self, name: str, address: str) -> Iterator[int]:
        """Yields 0 when a password may be checked now (the check counts as a failure until `succeed`
        says otherwise inside the turn; `fail` records it), else the seconds to wait."""
        name = name[:NAME_COLUMN]
        with self.store.tx() as conn:
            self.store.prune_login_checks(conn, now() - dt.timedelta(seconds=self.window))
            wait = self._wait(name, address, conn)
            self._turn.check = None if wait else self.store.add_login_check(conn, name, address)
        try:
            yield wait
        finally:
            check, self._turn.check = self._turn.check, None
            if check is not None:  # neither failed nor succeeded (an error in between): it does not count
                with self.store.tx() as conn:
                    self.store.drop_login_check(conn, check)

    def fail(self, name: str, address: str) -> None:
        """The turn's check failed: it keeps counting, and the audit log records it."""
        self._ours()
        self._turn.check = None
        with self.store.tx() as conn:
            self.store.log(conn, name[:NAME_COLUMN], "login-failed", note=address)

    def succeed(self, name: str, address: str) -> None:
        """A login: the turn's check was no failure, and the name's earlier failures no longer count
        (the address's still do)."""
        check, self._turn.check = self._ours(), None
        with self.store.tx() as conn:
            self.store.drop_login_check(conn, check)
            logged_in(self.store, conn, name, note=address)

    def _ours(self) -> int:
        check = getattr(self._turn, "check", None)
        if check is None:
            raise RuntimeError("a login's outcome is recorded inside its turn (Throttle.turn), once")
        return check


def logged_in(store: Store, conn: Connection, name: str, note: str) -> None:
    """Record a login (web or command line): the name's failures no longer count (the address's still do)."""
    store.clear_login_checks(conn, name[:NAME_COLUMN])
    store.log(conn, name, "login", note=note)


def wait_text(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{seconds} seconds" if seconds < 90 else f"{minutes} minutes"
