"""The store's change number (`Store.change_seq`) read with the standard library's sqlite3.

`zaitun build` with nothing to do only compares this number (and the store's identity: a store made anew
at the same place may reach the same number) with those the build online recorded:
asked this way it need not load SQLAlchemy, most of that command's start-up. Only a plain SQLite file
is read here; any other database (PostgreSQL), or a store not made yet, is asked through the Store.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from urllib.parse import quote, unquote

_SQLITE = ("sqlite:///", "sqlite+pysqlite:///")
CHANGE_SEQ = "SELECT max(seq) FROM changes"  # as Store.change_seq (reads.py asks the same)
IDENTITY = "SELECT min(token) FROM store_identity"  # as Store.identity
HISTORY = "SELECT seq, slug FROM changes WHERE seq > ? AND seq <= ? ORDER BY seq"  # as Store.writes_digest
WINDOW = 32  # the writes up to a change number that `history_digest` digests


def history_digest(rows: list[tuple[int, str]]) -> str:
    """A digest of the last writes up to a change number (`HISTORY`'s rows): a store restored from an older
    backup and written since reaches the same numbers with other writes, and so is told from the one a build
    read (a change number and identity alone would match)."""
    return hashlib.sha256("\n".join(f"{seq}:{slug}" for seq, slug in rows).encode()).hexdigest()[:16]


def sqlite_file(url: str) -> str | None:
    """The file a `sqlite:///PATH` URL names, as SQLAlchemy reads it; None for any other URL (another
    database, in memory, or with query options this reader does not apply)."""
    return None if "?" in url else sqlite_path(url)


def sqlite_path(url: str) -> str | None:
    """The file a `sqlite:///PATH` URL names, as SQLAlchemy reads it, whatever query options follow it;
    None for another database or one in memory. (`zaitun up` watches that file: options change no file.)"""
    prefix = next((p for p in _SQLITE if url.startswith(p)), None)
    if prefix is None:
        return None
    path = unquote(url[len(prefix):].partition("?")[0])
    return None if path in ("", ":memory:") or path.startswith("file:") else path


def missing_store_file(url: str) -> str | None:
    """The store's file when the URL names one that is not there (removed under a running process), else None."""
    path = sqlite_path(url)
    return path if path and not Path(path).exists() else None


def connect(path: str) -> sqlite3.Connection:
    """A connection to the store's file that never creates it (mode=rw: the Store creates it readable by its
    owner only), waiting for a writer as the Store does (busy_timeout)."""
    return sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=30)


def change_state(url: str) -> tuple[int, str, str] | None:
    """The number of the last write that can change a page, the store's identity token and the digest of its
    last writes, as `Store.change_seq`, `Store.identity` and `Store.writes_digest` give them; None when they
    cannot be read this way: not a SQLite file, no such file yet, or no `changes` table in it (the Store makes
    them when it opens)."""
    path = sqlite_file(url)
    if path is None:
        return None
    try:
        conn = connect(path)
    except sqlite3.Error:
        return None
    try:
        seq = conn.execute(CHANGE_SEQ).fetchone()[0] or 0
        rows = conn.execute(HISTORY, (seq - WINDOW, seq)).fetchall()
        return seq, conn.execute(IDENTITY).fetchone()[0] or "", history_digest(rows)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


REPLACED = "(none)"  # store_token of a file that is no store zaitun made


def store_token(path: Path) -> str | None:
    """The token a store file was made with (state.store.store_identity), read without creating or writing
    anything. The file's (device, inode) alone cannot tell a store made anew at its place: a freed inode's
    number is handed out again at once. REPLACED: the file holds no such token (an empty new file); None: it
    could not be read just now (busy), which tells nothing."""
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return REPLACED
    try:
        row = conn.execute(IDENTITY).fetchone()
    except sqlite3.DatabaseError as exc:
        return None if "locked" in str(exc) or "busy" in str(exc) else REPLACED
    finally:
        conn.close()
    return row[0] if row and row[0] else REPLACED
