"""The store as a `zaitun build` asks it: read without SQLAlchemy when it can be, opened when it must be.

A build reads a few rows and, most times, writes nothing. Of a plain SQLite file the Store made whole, its
reads (`Reads`) are asked with sqlite3 (reads.py); the Store itself (SQLAlchemy, a tenth of a second to load)
is opened only when first needed: a write (a build's failures, recorded or cleared), a read a build makes
only then (documents held back), or any read of another database (PostgreSQL) or of a store not made whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from zaitun.state.reads import Reads, SqliteReads

if TYPE_CHECKING:
    import datetime as dt

    from zaitun.state.store import Connection, Store


class LazyStore:
    """The Store's methods a build uses; `opener` opens the Store when first needed."""

    def __init__(self, url: str, opener: Callable[[], Store]) -> None:
        self._opener, self._store = opener, None
        self._sqlite = SqliteReads.of(url)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = self._opener()
        return self._store

    @property
    def reads(self) -> Reads:
        return self._sqlite or self.store

    @property
    def database(self) -> str:
        return self.reads.database

    def change_seq(self) -> int:
        return self.reads.change_seq()

    def identity(self) -> str:
        return self.reads.identity()

    def writes_digest(self, seq: int) -> str:
        return self.reads.writes_digest(seq)

    def changed_since(self, seq: int) -> set[str]:
        return self.reads.changed_since(seq)

    def document_heads(self, status: str = "active", slugs: list[str] | None = None) -> list[dict]:
        return self.reads.document_heads(status, slugs)

    def release_heads(self, lang: str = "en", slugs: list[str] | None = None) -> dict[str, dict]:
        return self.reads.release_heads(lang, slugs)

    def retractions(self, lang: str = "en") -> dict[str, str]:
        return self.reads.retractions(lang)

    def retraction_times(self, since: dt.datetime, lang: str = "en") -> dict[str, dt.datetime]:
        return self.reads.retraction_times(since, lang)

    def withdrawn_since(self, since: dt.datetime) -> list[dict]:
        return self.reads.withdrawn_since(since)

    def raws(self, slugs: list[str]) -> dict[str, str]:
        return self.reads.raws(slugs)

    def payloads(self, ids: list[int]) -> dict[int, str]:
        return self.reads.payloads(ids)

    def failure_rows(self) -> list[dict]:
        return self.reads.failure_rows()

    def forked(self) -> None:
        if self._store is not None:
            self._store.forked()

    # -- through the Store, opened for them ----------------------------------------------------------
    def documents(self, status: str | None = "active") -> list[dict]:
        return self.store.documents(status)

    def latest_releases(self, lang: str = "en") -> dict[str, dict]:
        return self.store.latest_releases(lang)

    def release_stamps(self, ids: list[int]) -> list[dict]:
        return self.store.release_stamps(ids)

    def retracted(self, ids: list[int]) -> set[int]:
        return self.store.retracted(ids)

    def document(self, slug: str) -> dict | None:
        return self.store.document(slug)

    def events_since(self, after_id: int = 0) -> list[dict]:
        return self.store.events_since(after_id)

    def last_event_id(self, before: dt.datetime | None = None) -> int:
        return self.store.last_event_id(before)

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        with self.store.tx() as conn:
            yield conn

    def replace_failures(self, conn: Connection, stage: str, rows: list[dict]) -> None:
        self.store.replace_failures(conn, stage, rows)

    def segments(self, slug: str, active: bool | None = True) -> list[dict]:
        return self.store.segments(slug, active)

    def current_translations(self, slug: str, conn: Connection | None = None) -> dict[str, dict]:
        return self.store.current_translations(slug, conn)

    def add_translation(self, conn: Connection, slug: str, seg_id: str, source: str, target: str,
                        **kw) -> int | None:
        return self.store.add_translation(conn, slug, seg_id, source, target, **kw)

    def log(self, conn: Connection, actor: str, action: str, slug: str | None = None, seg_id: str | None = None,
            **kw) -> None:
        self.store.log(conn, actor, action, slug, seg_id, **kw)
