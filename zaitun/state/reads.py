"""The store's reads a build makes, asked of a plain SQLite file with the standard library's sqlite3.

A build with work reads a few rows (zaitun.state.heads, zaitun.publish.inputs): asked this way, a
`zaitun build` need not load SQLAlchemy, a tenth of a second of its start-up. Each method gives exactly the
rows of the `Store` method of its name (same keys, order, types: a DateTime column as a naive datetime, as
SQLAlchemy gives it from SQLite) by the same SQL; change one only with the other (tests/test_reads.py
compares them). `Reads` is what a build asks: the Store and `SqliteReads` both offer it.
"""

from __future__ import annotations

import datetime as dt
import operator
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from typing import Protocol

from zaitun.state.changes import CHANGE_SEQ, HISTORY, IDENTITY, WINDOW, connect, history_digest, sqlite_file

DATES = frozenset({"updated_at", "created_at", "at"})  # DateTime columns of the rows read here
# what Store.open makes that these reads rely on: a store lacking one is opened (and completed) by the Store
MADE = frozenset({"documents", "releases", "changes", "store_identity", "failures", "releases_newest",
                  "releases_retracted", "documents_withdrawn"}
                 | {f"zaitun_change_{table}_{op}" for table in ("documents", "releases")
                    for op in ("insert", "update", "delete")})
BATCH = 500  # as the Store's batches: a bound list has a limit

_HEADS = "SELECT slug, section, path, raw_hash, status, updated_at FROM documents WHERE status = ?"
_RELEASES = ("SELECT id, slug, lang, raw_hash, created_at FROM releases WHERE retracted_at IS NULL AND id IN "
             "(SELECT max(id) AS max_1 FROM releases WHERE lang = ?{} GROUP BY slug)")
_RETRACTIONS = ("SELECT retracted.slug, retracted.retraction FROM releases AS retracted "
                "WHERE retracted.retracted_at IS NOT NULL AND retracted.id = "
                "(SELECT max(releases.id) FROM releases WHERE releases.lang = ? AND releases.slug = retracted.slug) "
                "ORDER BY retracted.slug")
_RETRACTED_AT = ("SELECT retracted.slug, retracted.retracted_at AS at FROM releases AS retracted "
                 "WHERE retracted.retracted_at IS NOT NULL AND retracted.retracted_at > ? AND retracted.id = "
                 "(SELECT max(releases.id) FROM releases WHERE releases.lang = ? AND releases.slug = retracted.slug) "
                 "ORDER BY retracted.slug")
_WITHDRAWN = "SELECT slug, path, updated_at FROM documents WHERE status = 'withdrawn' AND updated_at > ?"  # (no ORDER
# BY: SQLite would walk the slugs' index, every document's row, to give the few in order: Store.withdrawn_since)
OFFLINE = "English taken offline: {}; approve a corrected translation to put it back"  # why (Store.retractions)


class Reads(Protocol):
    """What a build reads of the store (see the `Store` methods of these names)."""

    @property
    def database(self) -> str: ...
    def change_seq(self) -> int: ...
    def identity(self) -> str: ...
    def writes_digest(self, seq: int) -> str: ...
    def changed_since(self, seq: int) -> set[str]: ...
    def document_heads(self, status: str = "active", slugs: list[str] | None = None) -> list[dict]: ...
    def release_heads(self, lang: str = "en", slugs: list[str] | None = None) -> dict[str, dict]: ...
    def retractions(self, lang: str = "en") -> dict[str, str]: ...
    def retraction_times(self, since: dt.datetime, lang: str = "en") -> dict[str, dt.datetime]: ...
    def withdrawn_since(self, since: dt.datetime) -> list[dict]: ...
    def raws(self, slugs: list[str]) -> dict[str, str]: ...
    def payloads(self, ids: list[int]) -> dict[int, str]: ...
    def failure_rows(self) -> list[dict]: ...
    def forked(self) -> None: ...


class SqliteReads:
    """`Reads` of a SQLite file. Each call opens its own connection and reads committed rows only, so a
    forked render worker never shares one with its parent; it never creates or changes the file."""

    def __init__(self, url: str, path: str) -> None:
        self.database, self.path = url, path

    @classmethod
    def of(cls, url: str) -> SqliteReads | None:
        """The reads of `url` when it is a plain SQLite file the Store made whole (its tables, triggers, index
        and identity); None otherwise (another database, no such file, an older store: ask the Store)."""
        path = sqlite_file(url)
        if path is None:
            return None
        try:
            with closing(connect(path)) as conn:
                names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
                if not MADE <= names or conn.execute(IDENTITY).fetchone()[0] is None:
                    return None
        except sqlite3.Error:
            return None
        return cls(url, path)

    def change_seq(self) -> int:
        return self._rows(CHANGE_SEQ)[0][0] or 0

    def identity(self) -> str:
        return self._rows(IDENTITY)[0][0] or ""

    def writes_digest(self, seq: int) -> str:
        return history_digest([tuple(row) for row in self._rows(HISTORY, (seq - WINDOW, seq))])

    def changed_since(self, seq: int) -> set[str]:
        return {slug for (slug,) in self._rows("SELECT DISTINCT changes.slug FROM changes WHERE changes.seq > ?",
                                               (seq,))}

    def document_heads(self, status: str = "active", slugs: list[str] | None = None) -> list[dict]:
        if slugs is None:
            return self._dicts(f"{_HEADS} ORDER BY slug", (status,))
        rows = [row for part in _batches(slugs) for row in self._dicts(
            f"{_HEADS} AND slug IN ({_marks(part)}) ORDER BY slug", (status, *part))]
        return sorted(rows, key=lambda row: row["slug"])

    def release_heads(self, lang: str = "en", slugs: list[str] | None = None) -> dict[str, dict]:
        if slugs is None:
            return {row["slug"]: row for row in self._dicts(_RELEASES.format(""), (lang,))}
        return {row["slug"]: row for part in _batches(slugs) for row in self._dicts(
            _RELEASES.format(f" AND slug IN ({_marks(part)})"), (lang, *part))}

    def retractions(self, lang: str = "en") -> dict[str, str]:
        return dict(self._rows(_RETRACTIONS, (lang,)))

    def retraction_times(self, since: dt.datetime, lang: str = "en") -> dict[str, dt.datetime]:
        return {row["slug"]: row["at"] for row in self._dicts(_RETRACTED_AT, (_stored(since), lang))}

    def withdrawn_since(self, since: dt.datetime) -> list[dict]:
        return sorted(self._dicts(_WITHDRAWN, (_stored(since),)), key=operator.itemgetter("slug"))

    def raws(self, slugs: list[str]) -> dict[str, str]:
        return {slug: raw for part in _batches(slugs) for slug, raw in self._rows(
            f"SELECT slug, raw FROM documents WHERE slug IN ({_marks(part)})", part)}

    def payloads(self, ids: list[int]) -> dict[int, str]:
        return {id_: payload for part in _batches(ids) for id_, payload in self._rows(
            f"SELECT id, payload FROM releases WHERE id IN ({_marks(part)})", part)}

    def failure_rows(self) -> list[dict]:
        return self._dicts("SELECT id, stage, source, slug, state, message, kept, at FROM failures ORDER BY id")

    def forked(self) -> None:
        """Nothing to do: no connection outlives a call."""

    def _rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with closing(connect(self.path)) as conn:
            return conn.execute(sql, params).fetchall()

    def _dicts(self, sql: str, params: tuple | list = ()) -> list[dict]:
        with closing(connect(self.path)) as conn:
            cursor = conn.execute(sql, params)
            keys = [column[0] for column in cursor.description]
            dates = [i for i, key in enumerate(keys) if key in DATES]
            rows = []
            for values in cursor:
                row = dict(zip(keys, values, strict=True))
                for i in dates:
                    if values[i] is not None:
                        row[keys[i]] = dt.datetime.fromisoformat(values[i])
                rows.append(row)
            return rows


def _stored(at: dt.datetime) -> str:
    """A time as SQLAlchemy stores a DateTime in SQLite (UTC, no offset), so the two compare as text."""
    at = at.astimezone(dt.UTC) if at.tzinfo else at
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def _marks(values: list) -> str:
    return ", ".join("?" * len(values))


def _batches(values: list) -> Iterator[list]:
    for start in range(0, len(values), BATCH):
        yield values[start:start + BATCH]
