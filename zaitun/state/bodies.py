"""The body cache's table: rendered body HTML by key, in its own SQLite file in the project's state folder.

A cache, not a record: every method answers "nothing" instead of raising when the file cannot be used
(read-only, broken), and the caller renders the body as if it had never been kept.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_SCHEMA = "CREATE TABLE IF NOT EXISTS body (key TEXT PRIMARY KEY, html TEXT NOT NULL)"


class BodyCache:
    """One process's connection (a forked render worker opens its own)."""

    def __init__(self, path: Path) -> None:
        self.conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")  # render workers write their chunks side by side
            conn.execute("PRAGMA synchronous=NORMAL")  # a cache: losing the last writes to a power cut is harmless
            conn.execute(_SCHEMA)
        except sqlite3.Error:
            return
        self.conn = conn

    def get(self, key: str) -> str | None:
        try:
            row = self.conn.execute("SELECT html FROM body WHERE key = ?", (key,)).fetchone() if self.conn else None
        except sqlite3.Error:
            self.conn = None
            return None
        return row[0] if row else None

    def put(self, items: list[tuple[str, str]]) -> None:
        self._write(lambda conn: conn.executemany("INSERT OR REPLACE INTO body (key, html) VALUES (?, ?)", items))

    def keep_only(self, keys: set[str]) -> None:
        """Forget every body whose key is not in `keys`."""
        def forget(conn: sqlite3.Connection) -> None:  # a rebuild forgets a body or two: read the keys, not write them
            gone = [(key,) for (key,) in conn.execute("SELECT key FROM body") if key not in keys]
            conn.executemany("DELETE FROM body WHERE key = ?", gone)
        self._write(forget)

    def forget(self, keys: set[str]) -> None:
        """Forget the bodies of these keys."""
        self._write(lambda conn: conn.executemany("DELETE FROM body WHERE key = ?", ((k,) for k in keys)))

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _write(self, change) -> None:
        if self.conn is None:
            return
        try:
            with self.conn:
                change(self.conn)
        except sqlite3.Error:
            self.conn = None
