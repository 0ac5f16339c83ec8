"""The project's state: documents, segments, every translation version, memory, users, audit.

SQLite by default (WAL, so several reviewers and the pipeline can work at once), through
SQLAlchemy so `review.database_url` can point at PostgreSQL. Nothing is ever deleted:
superseded and rejected translations stay as rows; the audit log records every action. (Only the
login throttle's `login_checks` are pruned past its window: the audit log keeps each failure.)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    literal_column,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DatabaseError, OperationalError

from zaitun.errors import StoreError, damaged_store, machine_trouble
from zaitun.state.changes import WINDOW, history_digest
from zaitun.state.digest import memory_key, sha

metadata = MetaData()

documents = Table(
    "documents", metadata,
    Column("slug", String(200), primary_key=True),
    Column("section", String(200), nullable=False),
    Column("path", Text, nullable=False),
    Column("raw", Text, nullable=False),  # the whole file, so any stage can re-read it
    Column("raw_hash", String(64), nullable=False),
    Column("status", String(20), nullable=False, default="active"),  # active | withdrawn
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

segments = Table(
    "segments", metadata,
    Column("slug", String(200), primary_key=True),
    Column("seg_id", String(40), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("source", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("prev_seg_id", String(40)),  # the segment this one replaced when the Chinese changed
    ForeignKeyConstraint(["slug"], ["documents.slug"]),
)

translations = Table(
    "translations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("slug", String(200), nullable=False),
    Column("seg_id", String(40), nullable=False),
    Column("source_hash", String(64), nullable=False),
    Column("target", Text, nullable=False),
    Column("target_hash", String(64), nullable=False),
    Column("origin", String(20), nullable=False),  # memory | engine | none | human
    Column("state", String(20), nullable=False),  # draft | approved | rejected | superseded
    Column("issues", Text, nullable=False, default="[]"),  # JSON list of {check, message}
    Column("engine", String(100), nullable=False, default=""),
    Column("glossary_version", String(64), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False, default="zaitun"),
    Column("reviewed_by", String(100)),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("comment", Text),
)

memory = Table(
    "memory", metadata,
    Column("source_hash", String(64), primary_key=True),
    Column("source", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("origin", String(40), nullable=False),  # review | tmx
    Column("approved_by", String(100), nullable=False, default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

memory_rejected = Table(  # pairs a reviewer rejected: a memory file holding one again does not bring it back
    "memory_rejected", metadata,
    Column("source_hash", String(64), primary_key=True),  # memory_key of the Chinese
    Column("target_hash", String(64), primary_key=True),
    Column("rejected_by", String(100), nullable=False),
    Column("rejected_at", DateTime(timezone=True), nullable=False),
)

memory_contested = Table(  # Chinese reviewers approved other English for elsewhere: context decides, not memory
    "memory_contested", metadata,
    Column("source_hash", String(64), primary_key=True),  # memory_key of the Chinese
    Column("other", Text, nullable=False),  # the English the newest approval replaced in memory
    Column("at", DateTime(timezone=True), nullable=False),
)

releases = Table(
    "releases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("slug", String(200), nullable=False),
    Column("lang", String(10), nullable=False),
    Column("raw_hash", String(64), nullable=False),  # the Chinese this English was approved for
    Column("payload", Text, nullable=False),  # JSON: meta, body, provenance
    Column("created_at", DateTime(timezone=True), nullable=False),
    # set when a reviewer rejects English this release holds: a document whose newest release is retracted
    # has no English online until a corrected translation is approved (a new release)
    Column("retracted_at", DateTime(timezone=True)),
    Column("retracted_by", String(100)),
    Column("retraction", Text),  # why, as a person reads it: "NAME rejected segment N: COMMENT"
)
RELEASE_HEAD = ("id", "slug", "lang", "raw_hash", "created_at")  # a release without its payload (release_heads)
# each document's newest release found in the index: without it, asking for one document's reads every
# release's row, payloads included (the whole table, for a one-document rebuild)
NEWEST_RELEASES = "CREATE INDEX IF NOT EXISTS releases_newest ON releases (lang, slug, id)"
# one segment's translations found in the index: storing a draft reads and supersedes the segment's current one,
# and without it each of a pass's thousands of drafts read the whole table twice
# the retracted releases, few, found without reading the others (whose payloads come before that column)
RETRACTED_RELEASES = ("CREATE INDEX IF NOT EXISTS releases_retracted ON releases (retracted_at) "
                      "WHERE retracted_at IS NOT NULL")
# the withdrawn documents, few, found without reading every document's row (a build asks which left since the
# build online: Store.withdrawn_since); the query names the literal status, so both databases use this partial index
WITHDRAWN_DOCUMENTS = ("CREATE INDEX IF NOT EXISTS documents_withdrawn ON documents (updated_at) "
                       "WHERE status = 'withdrawn'")
SEGMENT_TRANSLATIONS = "CREATE INDEX IF NOT EXISTS translations_segment ON translations (slug, seg_id)"
# the translations taken from memory with one English text, found without reading the others (a rejection looks
# for them: Store.memory_uses); the query names the literal origin, so both databases use this partial index
MEMORY_TARGETS = ("CREATE INDEX IF NOT EXISTS translations_memory_target ON translations (target_hash) "
                  "WHERE origin = 'memory'")
UNUSED_INDEXES = ("DROP INDEX IF EXISTS translations_memory",)  # by the Chinese's exact hash: memory_key replaced it

users = Table(
    "users", metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # added later: nullable, so older stores gain them in place (see _add_missing_columns)
    Column("must_change_password", Boolean),  # the first-run account chooses its own at first login
    Column("disabled_at", DateTime(timezone=True)),  # accounts are disabled, never deleted
    Column("token_hash", String(64)),  # SHA-256 of the command-line API token
)

sessions = Table(  # review UI sessions; the cookie holds only the id, the row says whether it still counts
    "sessions", metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the session id
    Column("user_name", String(100), nullable=False),
    Column("address", String(100), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("end_reason", String(40)),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("slug", String(200)),
    Column("seg_id", String(40)),
    Column("before", Text),
    Column("after", Text),
    Column("note", Text),
)

events = Table(  # an outbox of things that happened, for notifications and status
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("name", String(100), nullable=False),
    Column("slug", String(200)),
    Column("payload", Text, nullable=False, default="{}"),
)

login_checks = Table(  # the login throttle's count: failed password checks and those under way, within its window
    "login_checks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("name", String(100)),  # None once the account logged in: counts for the address only
    Column("address", Text, nullable=False),
)
# a login counts its name's and its address's checks, and prunes by time: each in an index, whatever the rows
LOGIN_CHECK_INDEXES = ("CREATE INDEX IF NOT EXISTS login_checks_name ON login_checks (name, at)",
                       "CREATE INDEX IF NOT EXISTS login_checks_address ON login_checks (address, at)",
                       "CREATE INDEX IF NOT EXISTS login_checks_at ON login_checks (at)")

failures = Table(  # files a pass held back or quarantined, until they are fixed (see zaitun.failures)
    "failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("stage", String(20), nullable=False),  # intake | translate | build | deploy
    Column("source", Text, nullable=False),  # the file as staff know it
    Column("slug", String(200)),
    Column("state", String(20), nullable=False),  # quarantined (never online) | held back (last good online)
    Column("message", Text, nullable=False),  # path:line: message
    Column("kept", Text, nullable=False, default=""),  # where a quarantined file was moved
    Column("at", DateTime(timezone=True), nullable=False),
)


changes = Table(  # one row per write that can change a page, so a build asks what changed, not reads all
    "changes", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("slug", String(200), nullable=False),
    sqlite_autoincrement=True,  # a sequence number is never handed out twice
)

store_identity = Table(  # a random token made with the store: a store made anew is told from the one before
    "store_identity", metadata,
    Column("token", String(32), primary_key=True),
)

store_changes = Table(  # the changes made to an older store's rows, each once (see _rekey_memory)
    "store_changes", metadata,
    Column("name", String(100), primary_key=True),
)
MEMORY_KEYED = "memory keyed by memory_key"

WRITE_LOCK = 0x7A61_6974  # "zait": the PostgreSQL advisory lock that serialises writing transactions


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _private_sqlite_file(url: str, create: bool = True) -> bool:
    """Create a SQLite database file readable by its owner only: it holds password hashes.
    SQLite gives its -wal and -shm files the same mode. False for a database in memory or named by a URI.
    With `create` false, a missing file is a StoreError instead: the store is expected to be there."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return False
    if not os.path.exists(path):
        if not create:
            raise StoreError(f"the store {path} does not exist")
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return True


def _never_create(_dialect, _record, cargs: list, cparams: dict) -> None:
    """Each connection of an open Store to the file it was opened on, never a new one made in its place: a
    store removed under a long-running process (`zaitun up`'s rebuild thread, the review UI) is an error to it,
    not a new, empty store that a flow run or the next build would then take for the project's."""
    cargs[0] = f"file:{quote(os.path.abspath(cargs[0]))}?mode=rw"
    cparams["uri"] = True


def _reachable(engine: Engine) -> None:
    """Connect once: a server that is down or refuses the credentials is told in a line, not a traceback."""
    try:
        with engine.connect():
            pass
    except DatabaseError as exc:  # an OperationalError, or a file that is not (or no longer) a database
        engine.dispose()
        if engine.dialect.name == "sqlite" and (damaged := damaged_store(exc, engine.url.database or "")):
            raise damaged from None
        if not isinstance(exc, OperationalError):
            raise
        trouble = machine_trouble(exc) if engine.dialect.name == "sqlite" else None  # the disk full, not the URL
        if trouble is not None:
            raise trouble from None
        reason = " ".join(str(exc.orig or exc).split())
        raise StoreError(f"cannot open the store {engine.url.render_as_string(hide_password=True)} ({reason}): "
                         "check review.database_url in zaitun.toml (or ZAITUN_DATABASE_URL)") from None


def _add_missing_columns(engine: Engine) -> None:
    """Older stores gain the nullable columns added since they were made (nothing else changes)."""
    found = inspect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if not found.has_table(table.name):
                continue
            have = {c["name"] for c in found.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and column.nullable:
                    kind = column.type.compile(engine.dialect)
                    once = " IF NOT EXISTS" if engine.dialect.name == "postgresql" else ""  # two starting at once
                    conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN{once} {column.name} {kind}")


_WATCHED = (("documents", "INSERT", "NEW"), ("documents", "UPDATE", "NEW"), ("documents", "DELETE", "OLD"),
            ("releases", "INSERT", "NEW"), ("releases", "UPDATE", "NEW"), ("releases", "DELETE", "OLD"))


def _indexes(engine: Engine) -> None:
    """Indexes added since a store was made (metadata.create_all makes none on a table that exists)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")  # two starting at once
        conn.exec_driver_sql(NEWEST_RELEASES)
        conn.exec_driver_sql(RETRACTED_RELEASES)
        conn.exec_driver_sql(WITHDRAWN_DOCUMENTS)
        conn.exec_driver_sql(SEGMENT_TRANSLATIONS)
        conn.exec_driver_sql(MEMORY_TARGETS)
        for index in UNUSED_INDEXES:
            conn.exec_driver_sql(index)
        for index in LOGIN_CHECK_INDEXES:
            conn.exec_driver_sql(index)


def _change_triggers(engine: Engine) -> None:
    """Database triggers number every write to documents and releases in `changes`: in the writing
    transaction itself, whichever code (or person with a SQL prompt) writes."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")  # two starting at once
            if conn.exec_driver_sql("SELECT 1 FROM pg_trigger WHERE tgname = 'zaitun_change_documents_insert'").first():
                return
            conn.exec_driver_sql("CREATE OR REPLACE FUNCTION zaitun_change() RETURNS trigger AS $$ BEGIN "
                                 "INSERT INTO changes (slug) VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.slug "
                                 "ELSE NEW.slug END); RETURN NULL; END $$ LANGUAGE plpgsql")
        for table, op, row in _WATCHED:
            name = f"zaitun_change_{table}_{op.lower()}"
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"CREATE TRIGGER {name} AFTER {op} ON {table} FOR EACH ROW "
                                     "EXECUTE FUNCTION zaitun_change()")
            else:
                conn.exec_driver_sql(f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {op} ON {table} "
                                     f"BEGIN INSERT INTO changes (slug) VALUES ({row}.slug); END")


def _identify(engine: Engine) -> None:
    """Give a new store its token (two opening it at once may each add one: the least is its identity)."""
    with engine.begin() as conn:
        if conn.execute(select(store_identity.c.token).limit(1)).first() is None:
            conn.execute(insert(store_identity).values(token=secrets.token_hex(16)))


def _rekey_memory(engine: Engine) -> None:
    """Key an older store's memory entries by memory_key (they were keyed by their exact Chinese), once; of
    entries that now share a key, the one approved last stays."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")  # two starting at once
        if conn.execute(select(store_changes.c.name).where(store_changes.c.name == MEMORY_KEYED)).first():
            return
        rows = conn.execute(select(memory).order_by(memory.c.updated_at)).mappings().all()
        newest = {memory_key(row["source"]): dict(row) for row in rows}  # the last approved of each key
        if any(row["source_hash"] != memory_key(row["source"]) for row in rows):
            conn.execute(delete(memory))
            conn.execute(insert(memory), [row | {"source_hash": key} for key, row in newest.items()])
        conn.execute(insert(store_changes).values(name=MEMORY_KEYED))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@dataclass
class Store:
    """Thin access layer over the tables; stage logic lives in the stage packages."""

    engine: Engine

    @classmethod
    def open(cls, url: str, create: bool = True) -> Store:
        """The store at `url`, made when it is a SQLite file not there yet, unless `create` is false (a flow run
        of `zaitun up`: a store removed under it is an error, not a new, empty one)."""
        engine = create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            if _private_sqlite_file(url, create):
                event.listen(engine, "do_connect", _never_create)
            event.listen(engine, "connect", _sqlite_pragmas)
        _reachable(engine)
        metadata.create_all(engine)
        _add_missing_columns(engine)
        _indexes(engine)
        _change_triggers(engine)
        _identify(engine)
        _rekey_memory(engine)
        return cls(engine)

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        """One writing transaction at a time, taken at its start: SQLite's write lock (BEGIN IMMEDIATE)
        or, on PostgreSQL, a transaction-level advisory lock. The gate relies on it: two reviewers
        approving a document's last two segments must not each miss the other's approval."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.begin()
                if self.engine.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            try:
                yield conn
                conn.commit()
            except BaseException:
                conn.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()

    @property
    def database(self) -> str:
        """The database read (its URL, password hidden): what a process keeps the rows it read under."""
        return str(self.engine.url)

    def forked(self) -> None:
        """In a forked process: its own connections from now on, the parent's left to the parent."""
        self.engine.dispose(close=False)

    # -- reads ---------------------------------------------------------------
    # those a build makes (change_seq, identity, changed_since, document_heads, release_heads, raws, payloads,
    # failure_rows) are read by the same SQL in reads.py, from a plain SQLite file without SQLAlchemy: change
    # them together (tests/test_reads.py compares the two)
    def document(self, slug: str) -> dict | None:
        with self.engine.connect() as c:
            row = c.execute(select(documents).where(documents.c.slug == slug)).mappings().first()
            return dict(row) if row else None

    def documents(self, status: str | None = "active") -> list[dict]:
        q = select(documents).order_by(documents.c.slug)
        if status:
            q = q.where(documents.c.status == status)
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(q).mappings()]

    def segments(self, slug: str, active: bool | None = True) -> list[dict]:
        q = select(segments).where(segments.c.slug == slug).order_by(segments.c.position)
        if active is not None:
            q = q.where(segments.c.active == active)
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(q).mappings()]

    def segment(self, slug: str, seg_id: str, conn: Connection | None = None) -> dict | None:
        """The document's segment `seg_id`, current or one its Chinese once had; None when it never had it."""
        rows = self._rows(select(segments).where(segments.c.slug == slug, segments.c.seg_id == seg_id), conn)
        return dict(rows[0]) if rows else None

    def current_translations(self, slug: str, conn: Connection | None = None) -> dict[str, dict]:
        """The newest non-superseded translation of each segment of a document."""
        q = (select(translations).where(translations.c.slug == slug,
                                        translations.c.state != "superseded")
             .order_by(translations.c.id))
        return {r["seg_id"]: _translation(r) for r in self._rows(q, conn)}

    def translation_states(self) -> dict[tuple[str, str], tuple[str, str, bool]]:
        """Of every document's current translations (`current_translations`), in one query, what a segment's
        state and flag are read from: (slug, seg_id) -> its state, source_hash and whether it has issues."""
        flagged = translations.c.issues.not_in(("", "[]"))  # (an empty list, as json.dumps writes it)
        q = (select(translations.c.slug, translations.c.seg_id, translations.c.state, translations.c.source_hash,
                    flagged).where(translations.c.state != "superseded").order_by(translations.c.id))
        with self.engine.connect() as c:
            return {(slug, seg_id): (state, source_hash, bool(issues))
                    for slug, seg_id, state, source_hash, issues in c.execute(q)}

    def active_segment_rows(self) -> list[tuple[str, str, str]]:
        """(slug, seg_id, source) of every document's active segments, by document and position."""
        q = (select(segments.c.slug, segments.c.seg_id, segments.c.source)
             .where(segments.c.active == True).order_by(segments.c.slug, segments.c.position))  # noqa: E712
        with self.engine.connect() as c:
            return [tuple(row) for row in c.execute(q)]

    def newest_releases(self, lang: str = "en") -> dict[str, dict]:
        """`latest_release` of every document that has one, in one query: retracted or not, its payload parsed."""
        rows = self._rows(select(releases).where(releases.c.id.in_(_newest(lang))))
        return {r["slug"]: dict(r) | {"payload": json.loads(r["payload"])} for r in rows}

    def history(self, slug: str, seg_id: str) -> list[dict]:
        q = (select(translations).where(translations.c.slug == slug, translations.c.seg_id == seg_id)
             .order_by(translations.c.id))
        return [_translation(r) for r in self._rows(q)]

    def memory_lookup(self, sources: list[str]) -> dict[str, str]:
        """The memory's English of each of these Chinese texts it holds (by memory_key: as a reader sees it)."""
        return self._by_memory_key(memory.c.source_hash, memory.c.target, sources)

    def memory_contested(self, sources: list[str]) -> dict[str, str]:
        """Of these Chinese texts, those reviewers approved other English for too (a short cell, 否, reads one way in
        one table and another way in the next), with the English the memory's newest approval replaced."""
        return self._by_memory_key(memory_contested.c.source_hash, memory_contested.c.other, sources)

    def _by_memory_key(self, key_column, value_column, sources: list[str]) -> dict[str, str]:
        """source -> the value of the row keyed by its memory_key, for each of `sources` a row has."""
        hashes: dict[str, list[str]] = {}
        for source in sources:
            hashes.setdefault(memory_key(source), []).append(source)
        out: dict[str, str] = {}
        keys = list(hashes)
        with self.engine.connect() as c:
            for i in range(0, len(keys), 500):
                for h, value in c.execute(select(key_column, value_column).where(key_column.in_(keys[i:i + 500]))):
                    out.update(dict.fromkeys(hashes[h], value))
        return out

    def memory_approvers(self, sources: list[str], conn: Connection | None = None) -> list[str]:
        """Who vouched for the memory entries of these Chinese texts (reviewer, importer or project file)."""
        return sorted(set().union(*self.memory_vouchers(sources, conn).values()))

    def memory_vouchers(self, sources: list[str], conn: Connection | None = None) -> dict[str, set[str]]:
        """Each of these Chinese texts -> who vouched for its memory entries, in one query."""
        keys: dict[str, list[str]] = {}  # (texts however spaced share a key)
        for source in sources:
            keys.setdefault(memory_key(source), []).append(source)
        found: dict[str, set[str]] = {}
        for row in self._rows(select(memory.c.source_hash, memory.c.approved_by)
                              .where(memory.c.source_hash.in_(keys)), conn):
            for source in keys[row["source_hash"]] if row["approved_by"] else ():
                found.setdefault(source, set()).add(row["approved_by"])
        return found

    def memory_uses(self, source: str, target: str, conn: Connection | None = None) -> list[str]:
        """The active documents holding a draft or an approval taken from memory with this English for this
        Chinese, however spaced (its memory_key; current or not: see zaitun.review.gate.reject), in slug order."""
        query = (select(translations.c.slug, segments.c.source)
                 .join(documents, documents.c.slug == translations.c.slug)
                 .join(segments, and_(segments.c.slug == translations.c.slug,
                                      segments.c.seg_id == translations.c.seg_id))
                 .where(translations.c.target_hash == sha(target),
                        translations.c.origin == literal_column("'memory'"),  # as the index: MEMORY_TARGETS
                        translations.c.state.in_(("draft", "approved")),
                        documents.c.status == "active"))
        key = memory_key(source)
        return sorted({r["slug"] for r in self._rows(query, conn) if memory_key(r["source"]) == key})

    def memory_approvals(self, slug: str, source: str, target: str, approver: str,
                         conn: Connection | None = None) -> list[dict]:
        """The document's translations of this Chinese (however spaced) approved from memory (by `approver`) with
        this English, current or not: a release may hold one whose sentence changed since (see
        zaitun.review.gate.reject)."""
        query = (select(translations, segments.c.source.label("segment_source"))
                 .join(segments, and_(segments.c.slug == translations.c.slug,
                                      segments.c.seg_id == translations.c.seg_id))
                 .where(translations.c.target_hash == sha(target),
                        translations.c.origin == literal_column("'memory'"),  # as the index: MEMORY_TARGETS
                        translations.c.slug == slug, translations.c.reviewed_by == approver)
                 .order_by(translations.c.id))
        key = memory_key(source)
        return [_translation({k: v for k, v in r.items() if k != "segment_source"}) for r in self._rows(query, conn)
                if memory_key(r["segment_source"]) == key]

    def tmx_vouchers(self) -> set[str]:
        """Who the TMX imports in memory were put there in the name of (`tmx:NAME` for a project memory file)."""
        query = select(memory.c.approved_by).where(memory.c.origin == "tmx").distinct()
        return {r["approved_by"] for r in self._rows(query)}

    def memory_entries(self) -> list[dict]:
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(select(memory).order_by(memory.c.source)).mappings()]

    def latest_release(self, slug: str, lang: str = "en", conn: Connection | None = None) -> dict | None:
        """The document's newest release, retracted or not (see `retracted_at`), its payload parsed."""
        q = (select(releases).where(releases.c.slug == slug, releases.c.lang == lang)
             .order_by(releases.c.id.desc()).limit(1))
        rows = self._rows(q, conn)
        if not rows:
            return None
        row = dict(rows[0])
        row["payload"] = json.loads(row["payload"])
        return row

    def audit_log(self, slug: str | None = None) -> list[dict]:
        q = select(audit).order_by(audit.c.id)
        if slug:
            q = q.where(audit.c.slug == slug)
        return [dict(r) for r in self._rows(q)]

    def login_checks(self, since: dt.datetime, name: str | None = None, address: str | None = None,
                     conn: Connection | None = None) -> list[dt.datetime]:
        """When the login checks kept since a time began, oldest first: of one account name, of one
        client address (whatever the name), or all."""
        query = select(login_checks.c.at).where(login_checks.c.at >= since)
        if name is not None:
            query = query.where(login_checks.c.name == name)
        if address is not None:
            query = query.where(login_checks.c.address == address)
        return [_utc(row["at"]) for row in self._rows(query.order_by(login_checks.c.at), conn)]

    def user(self, name: str) -> dict | None:
        rows = self._rows(select(users).where(users.c.name == name))
        return dict(rows[0]) if rows else None

    def users(self) -> list[dict]:
        return [dict(r) for r in self._rows(select(users).order_by(users.c.name))]

    def user_by_token(self, token_hash: str) -> dict | None:
        rows = self._rows(select(users).where(users.c.token_hash == token_hash))
        return dict(rows[0]) if rows else None

    def session(self, id_hash: str) -> dict | None:
        rows = self._rows(select(sessions).where(sessions.c.id_hash == id_hash))
        return {k: _utc(v) if isinstance(v, dt.datetime) else v for k, v in rows[0].items()} if rows else None

    def has_users(self) -> bool:
        return bool(self._rows(select(users.c.name).limit(1)))

    def has_admin(self) -> bool:
        return bool(self._rows(select(users.c.name).where(users.c.role == "admin").limit(1)))

    def events_since(self, after_id: int = 0) -> list[dict]:
        q = select(events).where(events.c.id > after_id).order_by(events.c.id)
        return [dict(r) | {"payload": json.loads(r["payload"])} for r in self._rows(q)]

    def last_event_id(self, before: dt.datetime | None = None) -> int:
        """The last event's id (0: none), or the last recorded before the instant `before`."""
        q = select(func.max(events.c.id))
        if before is not None:
            q = q.where(events.c.at < before)
        with self.engine.connect() as c:
            return c.execute(q).scalar() or 0

    def change_seq(self) -> int:
        """The number of the last write that can change a page (0 before any)."""
        with self.engine.connect() as c:
            return c.execute(select(func.max(changes.c.seq))).scalar() or 0

    def identity(self) -> str:
        """The store's token: another one is another store, whatever its change numbers."""
        with self.engine.connect() as c:
            return c.execute(select(func.min(store_identity.c.token))).scalar() or ""

    def writes_digest(self, seq: int) -> str:
        """A digest of the last writes up to change number `seq` (zaitun.state.changes.history_digest)."""
        return history_digest([(r["seq"], r["slug"]) for r in self._rows(
            select(changes.c.seq, changes.c.slug).where(changes.c.seq > seq - WINDOW, changes.c.seq <= seq)
            .order_by(changes.c.seq))])

    def changed_since(self, seq: int) -> set[str]:
        """Slugs of the documents written (content, release, withdrawal) after change number `seq`."""
        return {r["slug"] for r in self._rows(select(changes.c.slug).where(changes.c.seq > seq).distinct())}

    def last_changes(self, seq: int) -> dict[str, int]:
        """Slug -> the number of its last write, of the documents written after change number `seq`."""
        query = select(changes.c.slug, func.max(changes.c.seq)).where(changes.c.seq > seq).group_by(changes.c.slug)
        with self.engine.connect() as c:
            return dict(c.execute(query).all())

    def latest_releases(self, lang: str = "en") -> dict[str, dict]:
        """The newest release of every document in one query (a per-slug query is too slow at 1,000 docs),
        but for documents whose newest release is retracted: they have no English to show."""
        return {r["slug"]: dict(r) for r in self._rows(select(releases).where(
            releases.c.id.in_(_newest(lang)), releases.c.retracted_at.is_(None)))}

    def retractions(self, lang: str = "en") -> dict[str, str]:
        """slug -> why, of the documents whose newest release is retracted (their English is offline): found
        from the retracted ones (in their index), never reading the others."""
        newest = select(func.max(releases.c.id)).where(releases.c.lang == lang, releases.c.slug == _retracted.c.slug)
        query = (select(_retracted.c.slug, _retracted.c.retraction)
                 .where(_retracted.c.retracted_at.is_not(None), _retracted.c.id == newest.scalar_subquery())
                 .order_by(_retracted.c.slug))
        return {r["slug"]: r["retraction"] for r in self._rows(query)}

    def retraction_times(self, since: dt.datetime, lang: str = "en") -> dict[str, dt.datetime]:
        """slug -> when, of the documents whose newest release was retracted after `since`: when their English
        went offline (found from the retracted releases, in their index)."""
        newest = select(func.max(releases.c.id)).where(releases.c.lang == lang, releases.c.slug == _retracted.c.slug)
        query = (select(_retracted.c.slug, _retracted.c.retracted_at)
                 .where(_retracted.c.retracted_at.is_not(None), _retracted.c.retracted_at > since,
                        _retracted.c.id == newest.scalar_subquery())
                 .order_by(_retracted.c.slug))
        return {r["slug"]: r["retracted_at"] for r in self._rows(query)}

    def withdrawn_since(self, since: dt.datetime) -> list[dict]:
        """The slug, path and time of withdrawal of each document withdrawn after `since`, in slug order: what
        left the site since then, read without reading every document's head."""
        query = (select(documents.c.slug, documents.c.path, documents.c.updated_at)
                 .where(documents.c.status == literal_column("'withdrawn'"),  # as the index: WITHDRAWN_DOCUMENTS
                        documents.c.updated_at > since))  # ordered here: by the slugs' index, SQLite reads every row
        return sorted((dict(r) for r in self._rows(query)), key=operator.itemgetter("slug"))

    def release_stamps(self, ids: list[int]) -> list[dict]:
        """The id, raw_hash and created_at of those of these releases the store holds."""
        return [dict(r) for part in _batches(ids) for r in self._rows(
            select(releases.c.id, releases.c.raw_hash, releases.c.created_at).where(releases.c.id.in_(part)))]

    def retracted(self, ids: list[int]) -> set[int]:
        """Those of these releases that are retracted."""
        return {r["id"] for part in _batches(ids) for r in self._rows(
            select(releases.c.id).where(releases.c.id.in_(part), releases.c.retracted_at.is_not(None)))}

    def document_heads(self, status: str | None = "active", slugs: list[str] | None = None) -> list[dict]:
        """Every document of a status (None: of any; or those of `slugs`) as `documents` gives it, in slug order,
        but without its file (`raw`): the build reads a file only when it changed since the last build (see
        `raws`), intake not at all."""
        columns = [c for c in documents.c if c.name != "raw"]
        query = select(*columns).order_by(documents.c.slug)
        if status is not None:
            query = query.where(documents.c.status == status)
        if slugs is None:
            return [dict(r) for r in self._rows(query)]
        rows = [dict(r) for part in _batches(slugs) for r in self._rows(query.where(documents.c.slug.in_(part)))]
        return sorted(rows, key=lambda row: row["slug"])

    def raws(self, slugs: list[str]) -> dict[str, str]:
        """The stored files of some documents, by slug (in batches: a bound list has a limit)."""
        return {r["slug"]: r["raw"] for part in _batches(slugs)
                for r in self._rows(select(documents.c.slug, documents.c.raw).where(documents.c.slug.in_(part)))}

    def release_heads(self, lang: str = "en", slugs: list[str] | None = None) -> dict[str, dict]:
        """`latest_releases` without the payloads (see `payloads`), of every document or of `slugs`."""
        query = select(*(releases.c[name] for name in RELEASE_HEAD)).where(releases.c.retracted_at.is_(None))
        if slugs is None:
            return {r["slug"]: dict(r) for r in self._rows(query.where(releases.c.id.in_(_newest(lang))))}
        return {r["slug"]: dict(r) for part in _batches(slugs) for r in self._rows(
            query.where(releases.c.id.in_(_newest(lang, part))))}

    def payloads(self, ids: list[int]) -> dict[int, str]:
        """The payloads of some releases, by release id."""
        return {r["id"]: r["payload"] for part in _batches(ids)
                for r in self._rows(select(releases.c.id, releases.c.payload).where(releases.c.id.in_(part)))}

    def active_uses(self, sources: list[str]) -> list[dict]:
        """The current segments of active documents whose Chinese is one of `sources`, with their
        document's section, path and raw text, in document order."""
        query = (select(segments.c.slug, segments.c.seg_id, segments.c.source, documents.c.section,
                        documents.c.path, documents.c.raw)
                 .join(documents, documents.c.slug == segments.c.slug)
                 .where(segments.c.source.in_(sources), segments.c.active.is_(True),
                        documents.c.status == "active")
                 .order_by(segments.c.slug, segments.c.position))
        return [dict(r) for r in self._rows(query)]

    def memory_changes(self, since: dt.datetime | None = None) -> list:
        """Memory pairs (source, target, updated_at) in the order they changed, all or those since a time."""
        query = select(memory.c.source, memory.c.target, memory.c.updated_at).order_by(memory.c.updated_at)
        if since is not None:
            query = query.where(memory.c.updated_at >= since)
        with self.engine.connect() as conn:
            return list(conn.execute(query))

    def audit_notes(self, *actions: str) -> list[tuple[str, str]]:
        """(action, note) of every audit entry of these actions, oldest first (TMX imports name the file versions
        they took, and memory the files whose pairs it forgot)."""
        query = select(audit.c.action, audit.c.note).where(audit.c.action.in_(actions)).order_by(audit.c.id)
        with self.engine.connect() as conn:
            return [(row[0], row[1]) for row in conn.execute(query) if row[1]]

    def failure_rows(self) -> list[dict]:
        """Every failure still standing, oldest first."""
        return [dict(r) for r in self._rows(select(failures).order_by(failures.c.id))]

    def _rows(self, query, conn: Connection | None = None) -> list[dict]:
        if conn is not None:
            return _dicts(conn.execute(query))
        with self.engine.connect() as c:
            return _dicts(c.execute(query))

    # -- writes (each takes an open transaction) --------------------------------
    def log(self, conn: Connection, actor: str, action: str, slug: str | None = None,
            seg_id: str | None = None, before: str | None = None, after: str | None = None,
            note: str | None = None) -> None:
        conn.execute(insert(audit).values(at=now(), actor=actor, action=action, slug=slug, seg_id=seg_id,
                                          before=before, after=after, note=note))

    def add_login_check(self, conn: Connection, name: str, address: str) -> int:
        return conn.execute(insert(login_checks).values(at=now(), name=name, address=address)).inserted_primary_key[0]

    def drop_login_check(self, conn: Connection, check_id: int) -> None:
        conn.execute(delete(login_checks).where(login_checks.c.id == check_id))

    def clear_login_checks(self, conn: Connection, name: str) -> None:
        """The account logged in: its name's checks stop counting for it (they still count for their address)."""
        conn.execute(update(login_checks).where(login_checks.c.name == name).values(name=None))

    def prune_login_checks(self, conn: Connection, before: dt.datetime) -> None:
        conn.execute(delete(login_checks).where(login_checks.c.at < before))

    def record_event(self, conn: Connection, name: str, slug: str | None = None, **payload) -> None:
        conn.execute(insert(events).values(at=now(), name=name, slug=slug,
                                           payload=json.dumps(payload, ensure_ascii=False, default=str)))

    def add_translation(self, conn: Connection, slug: str, seg_id: str, source: str, target: str,
                        origin: str, *, replaces: dict | None, state: str = "draft", issues: list | None = None,
                        engine: str = "", glossary_version: str = "", created_by: str = "zaitun",
                        reviewed_by: str | None = None, comment: str | None = None) -> int | None:
        """Supersede the segment's current translation and add a new one; return its id. `replaces` is the
        current translation as the caller read it (None: it had none): when another has been stored since, or it
        was approved or rejected since, nothing is written and None is returned. So a draft made from what
        was read never replaces a reviewer's later work, nor is a segment drafted twice by passes that read it
        together (checked in the writing transaction, which one process at a time holds: see `tx`)."""
        if self._current(conn, slug, seg_id) != ((replaces["id"], replaces["state"]) if replaces else None):
            return None
        conn.execute(update(translations)
                     .where(translations.c.slug == slug, translations.c.seg_id == seg_id,
                            translations.c.state.in_(("draft", "rejected")))
                     .values(state="superseded"))
        stamp = now()
        result = conn.execute(insert(translations).values(
            slug=slug, seg_id=seg_id, source_hash=sha(source), target=target, target_hash=sha(target),
            origin=origin, state=state, issues=json.dumps(issues or [], ensure_ascii=False), engine=engine,
            glossary_version=glossary_version, created_at=stamp, created_by=created_by,
            reviewed_by=reviewed_by, reviewed_at=stamp if reviewed_by else None, comment=comment))
        return result.inserted_primary_key[0]

    def _current(self, conn: Connection, slug: str, seg_id: str) -> tuple[int, str] | None:
        """The id and state of the segment's current translation (the newest not superseded), as stored now."""
        row = conn.execute(select(translations.c.id, translations.c.state)
                           .where(translations.c.slug == slug, translations.c.seg_id == seg_id,
                                  translations.c.state != "superseded")
                           .order_by(translations.c.id.desc()).limit(1)).first()
        return (row.id, row.state) if row else None

    def reinstate(self, conn: Connection, slug: str, seg_id: str, draft_id: int, approval_id: int) -> bool:
        """Set the segment's current draft `draft_id` aside, so that the approval it was drafted over, `approval_id`,
        is its current translation again. False, writing nothing, when those two are not (any more) the segment's
        newest translations not superseded, in that order: a reviewer's work since is never set aside."""
        rows = conn.execute(select(translations.c.id, translations.c.state)
                            .where(translations.c.slug == slug, translations.c.seg_id == seg_id,
                                   translations.c.state != "superseded")
                            .order_by(translations.c.id.desc()).limit(2)).all()
        if [tuple(row) for row in rows] != [(draft_id, "draft"), (approval_id, "approved")]:
            return False
        conn.execute(update(translations).where(translations.c.id == draft_id).values(state="superseded"))
        return True

    def recheck(self, conn: Connection, translation: dict, issues: list[dict], glossary_version: str) -> bool:
        """New QA issues for a translation checked again under another glossary; its text is unchanged.
        False when its state changed since it was read (approved, rejected or replaced): nothing is changed."""
        result = conn.execute(update(translations)
                              .where(translations.c.id == translation["id"],
                                     translations.c.state == translation["state"])
                              .values(issues=json.dumps(issues, ensure_ascii=False), glossary_version=glossary_version))
        return result.rowcount == 1

    def remember(self, conn: Connection, source: str, target: str, origin: str, approved_by: str = "") -> None:
        """Put an approved pair into the translation memory (the newest approval wins); a reviewer approving a
        pair once rejected takes the rejection back."""
        key = memory_key(source)
        if origin == "review":
            conn.execute(delete(memory_rejected).where(memory_rejected.c.source_hash == key,
                                                       memory_rejected.c.target_hash == sha(target)))
        exists = conn.execute(select(memory.c.target).where(memory.c.source_hash == key)).first()
        values = dict(source=source, target=target, origin=origin, approved_by=approved_by, updated_at=now())
        if exists and origin == "review" and exists[0] != target:  # two reviewers' English for one Chinese
            conn.execute(delete(memory_contested).where(memory_contested.c.source_hash == key))
            conn.execute(insert(memory_contested).values(source_hash=key, other=exists[0], at=now()))
        if exists:
            conn.execute(update(memory).where(memory.c.source_hash == key).values(**values))
        else:
            conn.execute(insert(memory).values(source_hash=key, **values))

    def forget(self, conn: Connection, source: str, target: str) -> bool:
        """Take a pair out of the translation memory, if memory holds this English for this Chinese (a reviewer
        rejected it): whether it did."""
        return conn.execute(delete(memory).where(memory.c.source_hash == memory_key(source),
                                                 memory.c.target == target)).rowcount == 1

    def refuse_memory(self, conn: Connection, source: str, target: str, actor: str) -> None:
        """Record that `actor` rejected this English for this Chinese, so no memory file brings the pair back."""
        key, target_hash = memory_key(source), sha(target)
        conn.execute(delete(memory_rejected).where(memory_rejected.c.source_hash == key,
                                                   memory_rejected.c.target_hash == target_hash))
        conn.execute(insert(memory_rejected).values(source_hash=key, target_hash=target_hash, rejected_by=actor,
                                                    rejected_at=now()))

    def memory_rejections(self) -> dict[tuple[str, str], dict]:
        """The rejected pairs, by (memory_key of the Chinese, hash of the English): who rejected each and when."""
        with self.engine.connect() as c:
            return {(r.source_hash, r.target_hash): dict(r._mapping) for r in c.execute(select(memory_rejected))}

    def forget_vouched(self, conn: Connection, approved_by: str) -> int:
        """Take out of the translation memory every pair a TMX import put there in the name of `approved_by` (a
        project memory file no longer in tm/): how many."""
        query = delete(memory).where(memory.c.origin == "tmx", memory.c.approved_by == approved_by)
        return conn.execute(query).rowcount

    def remembers(self, conn: Connection, source: str, target: str) -> bool:
        """Whether the translation memory holds this English for this Chinese now (in the writing transaction)."""
        return conn.execute(select(memory.c.source_hash).where(memory.c.source_hash == memory_key(source),
                                                               memory.c.target == target)).first() is not None

    def memory_count(self) -> int:
        with self.engine.connect() as c:
            return c.execute(select(func.count()).select_from(memory)).scalar() or 0

    def memory_signature(self) -> tuple[dt.datetime | None, int]:
        """The memory's newest change and its size: every write stamps its entry with the time, so the two stay
        the same exactly while the memory does (zaitun.translate.tried)."""
        with self.engine.connect() as c:
            newest, size = c.execute(select(func.max(memory.c.updated_at), func.count()).select_from(memory)).one()
        return newest, size or 0

    def approve_translation(self, conn: Connection, translation_id: int, actor: str, source: str) -> None:
        """Mark one translation approved by `actor`, bound to the Chinese it was approved for."""
        conn.execute(update(translations).where(translations.c.id == translation_id)
                     .values(state="approved", reviewed_by=actor, reviewed_at=now(), source_hash=sha(source)))

    def reject_translation(self, conn: Connection, translation_id: int, actor: str, comment: str) -> None:
        conn.execute(update(translations).where(translations.c.id == translation_id)
                     .values(state="rejected", reviewed_by=actor, reviewed_at=now(), comment=comment))

    def save_document(self, conn: Connection, slug: str, section: str, path: str, raw: str) -> None:
        """Add a document or replace its text; either way it is active again."""
        values = dict(section=section, path=path, raw=raw, raw_hash=sha(raw), status="active", updated_at=now())
        if conn.execute(select(documents.c.slug).where(documents.c.slug == slug)).first():
            conn.execute(update(documents).where(documents.c.slug == slug).values(**values))
        else:
            conn.execute(insert(documents).values(slug=slug, **values))

    def start_anew(self, conn: Connection, slug: str, actor: str, why: str) -> int:
        """The slug now names another document (zaitun.content.identity): the English releases of the one before
        are retracted (`why`), its translations set aside and its segments no longer name the ones they replaced,
        so the newcomer is reviewed as any new document (approved memory still serves it); how many releases
        were retracted. Its rows stay, for the audit."""
        conn.execute(update(translations).where(translations.c.slug == slug, translations.c.state != "superseded")
                     .values(state="superseded"))
        conn.execute(update(segments).where(segments.c.slug == slug).values(prev_seg_id=None))
        return conn.execute(update(releases).where(releases.c.slug == slug, releases.c.retracted_at.is_(None))
                            .values(retracted_at=now(), retracted_by=actor, retraction=why)).rowcount

    def withdraw_document(self, conn: Connection, slug: str) -> None:
        conn.execute(update(documents).where(documents.c.slug == slug).values(status="withdrawn", updated_at=now()))

    def set_segments(self, conn: Connection, slug: str, current: list[tuple[str, str, str]],
                     predecessors: dict[str, str]) -> None:
        """Make `current` (seg_id, kind, source) the document's active segments, in that order: known ones
        come back with their translations, new ones are added naming the segment each replaced."""
        known = {r.seg_id for r in conn.execute(select(segments.c.seg_id).where(segments.c.slug == slug))}
        conn.execute(update(segments).where(segments.c.slug == slug).values(active=False))
        for position, (seg_id, kind, source) in enumerate(current):
            if seg_id in known:
                conn.execute(update(segments).where(segments.c.slug == slug, segments.c.seg_id == seg_id)
                             .values(active=True, position=position, kind=kind))
            else:
                conn.execute(insert(segments).values(slug=slug, seg_id=seg_id, position=position, kind=kind,
                                                     source=source, active=True,
                                                     prev_seg_id=predecessors.get(seg_id)))

    def replace_failures(self, conn: Connection, stage: str, rows: list[dict]) -> None:
        """The stage's standing failures become `rows` (stage, source, slug, state, message, kept)."""
        conn.execute(delete(failures).where(failures.c.stage == stage))
        for row in rows:
            conn.execute(insert(failures).values(**row, at=now()))

    def add_release(self, conn: Connection, slug: str, lang: str, raw_hash: str, payload: dict) -> None:
        conn.execute(insert(releases).values(slug=slug, lang=lang, raw_hash=raw_hash, created_at=now(),
                                             payload=json.dumps(payload, ensure_ascii=False, default=str)))

    def carry_release(self, conn: Connection, old: str, new: str) -> tuple[int, int] | None:
        """Give document `new`, `old` renamed as its Chinese was edited (zaitun.content.identity.renamed), the English
        release online of `old` until its own is approved: its payload, approvals and provenance, for the Chinese it
        was approved for (so its page says an update is under review), and the English it holds for each Chinese
        (`carried`: rejecting that English retracts it, see release_holds). The ids of that release and of the one
        added; None, adding none, when `old` has no English online (its newest release retracted: rejected English
        never comes back) or its release does not record the translations it holds (made before releases did)."""
        release = self.latest_release(old, conn=conn)
        if release is None or release["retracted_at"] or not release["payload"].get("translations"):
            return None
        ids = list(release["payload"]["translations"].values())
        english = sorted({(r["source_hash"], r["target_hash"]) for part in _batches(ids) for r in self._rows(
            select(translations.c.source_hash, translations.c.target_hash).where(translations.c.id.in_(part)), conn)})
        payload = release["payload"] | {"carried": {"from": old, "release": release["id"], "english": english}}
        added = conn.execute(insert(releases).values(
            slug=new, lang="en", raw_hash=release["raw_hash"], created_at=release["created_at"],
            payload=json.dumps(payload, ensure_ascii=False, default=str))).inserted_primary_key[0]
        return release["id"], added

    def carrying(self, conn: Connection, translation: dict) -> list[str]:
        """The documents with a release online carried from a renamed document (`carry_release`) that shows this
        translation's Chinese and English: few (one a document renamed as it was edited, until its own English is
        approved), found by their payload's mark."""
        rows = self._rows(select(releases.c.slug, releases.c.payload).where(
            releases.c.lang == "en", releases.c.retracted_at.is_(None), releases.c.payload.like('%"carried": {%')),
            conn)
        return sorted({row["slug"] for row in rows if release_holds(row, translation)})

    def retract_releases(self, conn: Connection, slug: str, translation: dict, actor: str, why: str) -> int:
        """Retract the document's English releases holding `translation` (English now rejected) that are not
        retracted yet; how many were. Each release names the translations it holds (see `release_holds`)."""
        found = conn.execute(select(releases.c.id, releases.c.payload, releases.c.created_at)
                             .where(releases.c.slug == slug, releases.c.lang == "en",
                                    releases.c.retracted_at.is_(None))).mappings()
        held = [row["id"] for row in found if release_holds(row, translation)]
        if not held:
            return 0
        return conn.execute(update(releases).where(releases.c.id.in_(held))
                            .values(retracted_at=now(), retracted_by=actor, retraction=why)).rowcount

    def add_user(self, conn: Connection, name: str, role: str, password_hash: str) -> None:
        conn.execute(insert(users).values(name=name, role=role, password_hash=password_hash, created_at=now()))


    def update_user(self, conn: Connection, name: str, **values) -> None:
        conn.execute(update(users).where(users.c.name == name).values(**values))

    def add_session(self, conn: Connection, id_hash: str, user_name: str, address: str) -> None:
        stamp = now()
        conn.execute(insert(sessions).values(id_hash=id_hash, user_name=user_name, address=address,
                                             created_at=stamp, seen_at=stamp))

    def touch_session(self, conn: Connection, id_hash: str) -> None:
        conn.execute(update(sessions).where(sessions.c.id_hash == id_hash).values(seen_at=now()))

    def end_sessions(self, conn: Connection, reason: str, id_hash: str | None = None,
                     user_name: str | None = None) -> int:
        """End one session, or every open session of an account; returns how many ended."""
        which = sessions.c.id_hash == id_hash if id_hash is not None else sessions.c.user_name == user_name
        result = conn.execute(update(sessions).where(which, sessions.c.ended_at.is_(None))
                              .values(ended_at=now(), end_reason=reason))
        return result.rowcount


def _utc(at: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; every time zaitun stores is UTC."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at


def earlier(at: dt.datetime, than: dt.datetime) -> bool:
    """Whether one stored time is before another (SQLite gives them back naive, PostgreSQL aware)."""
    return _utc(at) < _utc(than)


def release_holds(release, translation: dict) -> bool:
    """Whether a release (its row, the payload parsed or not) holds this translation, as the release records it
    (payload `translations`: seg_id -> id). One made before releases recorded them is judged by time: it holds
    the translations approved before it was made, as far as the clocks that stamped both can tell. One carried from
    a renamed document (`Store.carry_release`) holds too any translation of the Chinese and English it shows."""
    payload = release["payload"]
    data = json.loads(payload) if isinstance(payload, str) else payload
    held, carried = data.get("translations"), data.get("carried")
    if carried is not None and [translation["source_hash"], translation["target_hash"]] in carried["english"]:
        return True
    if held is not None:
        return translation["id"] in held.values()
    approved = translation["reviewed_at"]
    return approved is not None and _utc(approved) <= _utc(release["created_at"])


def _dicts(result) -> list[dict]:
    """A result's rows as dicts, its column names read once (a row's mapping made into a dict reads them again
    for each row: a quarter of reading 5,000 documents' heads)."""
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def _translation(row) -> dict:
    out = dict(row)
    out["issues"] = json.loads(out["issues"] or "[]")
    return out


def _newest(lang: str, slugs: list[str] | None = None):
    """The id of every document's (or these documents') newest release in a language, as a subquery."""
    query = select(func.max(releases.c.id)).where(releases.c.lang == lang)
    if slugs is not None:
        query = query.where(releases.c.slug.in_(slugs))
    return query.group_by(releases.c.slug).scalar_subquery()


_retracted = releases.alias("retracted")


def _batches(values: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
