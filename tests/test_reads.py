"""The store's reads a build makes, asked of a SQLite file with sqlite3 (zaitun.state.reads), give exactly
what the Store gives; a store it cannot read that way is read through the Store; the file is never made or
changed by reading it."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat

import pytest

from zaitun.state.lazy import LazyStore
from zaitun.state.reads import BATCH, SqliteReads
from zaitun.state.store import Store

SINCE = [dt.datetime(2000, 1, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))), dt.datetime(2100, 1, 1, tzinfo=dt.UTC)]
SLUGS = [f"doc-{n:04d}" for n in range(BATCH + 20)] + ["政策-一", "zz-ümlaut", "A-upper", "政策-二"]


def _filled(url: str) -> Store:
    """A store with documents (unicode, withdrawn, rewritten), several English and French releases per
    document (some retracted: the newest, an older one), and failures with and without a slug."""
    store = Store.open(url)
    with store.tx() as conn:
        for n, slug in enumerate(SLUGS):
            store.save_document(conn, slug, "guides" if n % 3 else "政策", f"guides/{slug}.md",
                                f"---\ntitle: 标题 {n}\n---\n\n正文「{n}」。\n")
            for version in range(n % 4):  # none, one or several releases
                store.add_release(conn, slug, "en", f"hash{version}", {"body": f"Body {version} “{slug}”",
                                                                     "meta": {"title": None}})
            if n % 7 == 0:
                store.add_release(conn, slug, "fr", "h", {"body": "Corps"})
    with store.tx() as conn:
        store.withdraw_document(conn, "doc-0005")
        store.withdraw_document(conn, "政策-二")
        store.save_document(conn, "doc-0002", "guides", "guides/doc-0002.md", "---\ntitle: 改\n---\n\n新。\n")
        long_approved = {"id": 0, "reviewed_at": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)}  # held by every release
        for slug in ("doc-0003", "doc-0006", "zz-ümlaut"):  # all their releases: the newest is retracted
            store.retract_releases(conn, slug, long_approved, "vera", f"“{slug}” 错")
        store.replace_failures(conn, "build", [
            dict(stage="build", source="content/guides/doc-0001.md", slug="doc-0001", state="held back",
                 message="content/guides/doc-0001.md:3: 坏", kept=""),
            dict(stage="build", source="content/x.txt", slug=None, state="quarantined", message="x.txt:1: bad",
                 kept="/tmp/q/x.txt")])
    return store


def _reads(store: Store, reads, seq: int) -> list:
    """Every read a build makes, each of every document and of subsets (some slugs unknown, some empty)."""
    subsets = [SLUGS, SLUGS[::-1], ["doc-0003", "政策-一", "nobody"], ["doc-0005"], []]
    ids = sorted({row["id"] for row in store.latest_releases("en").values()} | {10_000})
    return [
        reads.change_seq(), reads.identity(), reads.changed_since(0), reads.changed_since(seq),
        reads.changed_since(10 ** 9), reads.failure_rows(),
        *[reads.document_heads(status, slugs) for status in ("active", "withdrawn") for slugs in [None, *subsets]],
        *[reads.release_heads(lang, slugs) for lang in ("en", "fr", "de") for slugs in [None, *subsets]],
        *[reads.raws(slugs) for slugs in subsets], reads.payloads(ids), reads.payloads(ids[:3]), reads.payloads([]),
        *[reads.retraction_times(since, lang) for lang in ("en", "fr", "de") for since in SINCE],
        *[reads.withdrawn_since(since) for since in SINCE],
        *[reads.retractions(lang) for lang in ("en", "fr", "de")],
    ]


def _typed(value):
    """A read with each value's type beside it, dicts' keys in their order: equal only if exactly the same (but
    for a column's name: SQLAlchemy's is a str subclass, its quoted_name, that equals and hashes as its str)."""
    if isinstance(value, dict):
        return [("dict", _typed(str(k) if isinstance(k, str) else k), _typed(v)) for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [type(value).__name__, [_typed(v) for v in value]]
    if isinstance(value, set):
        return ["set", sorted(_typed(v) for v in value)]
    return repr((type(value).__name__, value, getattr(value, "tzinfo", None)))


def test_every_read_a_build_makes_gives_what_the_store_gives(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = _filled(url)
    seq = store.change_seq()
    with store.tx() as conn:  # written after `seq`: changed_since(seq) names them
        store.add_release(conn, "doc-0003", "en", "later", {"body": "Later"})
        store.withdraw_document(conn, "doc-0004")
    reads = SqliteReads.of(url)
    assert reads is not None and reads.database == store.database
    through_store, through_sqlite = _reads(store, store, seq), _reads(store, reads, seq)
    assert _typed(through_sqlite) == _typed(through_store)
    assert through_store[3] == {"doc-0003", "doc-0004"} and len(through_store[5]) == 2  # the reads read something
    assert {row["slug"] for row in through_store[6]} == set(SLUGS) - {"doc-0004", "doc-0005", "政策-二"}
    assert through_store[-3] == {"doc-0006": "“doc-0006” 错", "zz-ümlaut": "“zz-ümlaut” 错"}  # doc-0003: released since
    assert "doc-0006" not in through_store[18] and "doc-0003" in through_store[18]  # release_heads("en")
    assert "doc-0004" in {row["slug"] for row in through_store[-5]} and through_store[-4] == []  # withdrawn_since
    assert set(through_store[-11]) == {"doc-0006", "zz-ümlaut"} and through_store[-10] == {}  # retraction_times
    digests = [store.writes_digest(n) for n in (0, seq, store.change_seq(), 10 ** 9)]
    assert [reads.writes_digest(n) for n in (0, seq, store.change_seq(), 10 ** 9)] == digests
    assert len(set(digests[:3])) == 3 and digests[3] == digests[0]  # of the writes up to each number: none
    store.close()


def test_a_store_not_made_whole_or_not_a_sqlite_file_is_not_read_with_sqlite3(tmp_path):
    missing = tmp_path / "none.db"
    assert SqliteReads.of(f"sqlite:///{missing}") is None and not missing.exists()  # nor made by asking
    assert SqliteReads.of("sqlite://") is None and SqliteReads.of("postgresql+psycopg://z@127.0.0.1:1/z") is None
    older = tmp_path / "older.db"
    Store.open(f"sqlite:///{older}").close()
    conn = sqlite3.connect(older)
    conn.execute("DROP INDEX releases_newest")  # as a store made before it: Store.open makes it again
    conn.close()
    assert SqliteReads.of(f"sqlite:///{older}") is None
    before = tmp_path / "before-retractions.db"
    Store.open(f"sqlite:///{before}").close()
    conn = sqlite3.connect(before)
    conn.execute("DROP INDEX releases_retracted")  # a store made before releases could be retracted
    conn.execute("ALTER TABLE releases DROP COLUMN retracted_at")
    conn.close()
    assert SqliteReads.of(f"sqlite:///{before}") is None
    Store.open(f"sqlite:///{before}").close()  # completed in place
    assert SqliteReads.of(f"sqlite:///{before}") is not None


def test_a_lazy_store_reads_a_sqlite_file_without_opening_the_store_until_it_writes(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    made = _filled(url)
    opened: list[Store] = []
    lazy = LazyStore(url, lambda: opened.append(Store.open(url)) or opened[-1])
    assert lazy.document_heads("active", ["doc-0001"]) == made.document_heads("active", ["doc-0001"])
    assert lazy.failure_rows() == made.failure_rows() and lazy.identity() == made.identity()
    assert opened == []
    with lazy.tx() as conn:
        lazy.replace_failures(conn, "build", [])
    assert len(opened) == 1 and made.failure_rows() == [] == lazy.failure_rows()
    for store in (made, *opened):
        store.close()


def test_a_lazy_store_of_a_store_not_made_yet_opens_the_store_which_makes_it_private(tmp_path):
    path = tmp_path / "state.db"
    opened: list[Store] = []
    lazy = LazyStore(f"sqlite:///{path}", lambda: opened.append(Store.open(f"sqlite:///{path}")) or opened[-1])
    assert lazy.change_seq() == 0 and len(opened) == 1
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    opened[0].close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_lazy_store_of_postgresql_reads_through_the_store(database_url):
    made = _filled(database_url)
    try:
        lazy = LazyStore(database_url, lambda: made)
        assert lazy.reads is made and lazy.database == made.database
        assert _reads(made, lazy, 0) == _reads(made, made, 0)  # PostgreSQL may list a dict's rows in any order
    finally:
        made.close()


def test_reads_see_committed_rows_only_and_do_not_wait_for_a_writer(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = _filled(url)
    reads = SqliteReads.of(url)
    seq, heads = reads.change_seq(), reads.document_heads()
    with store.tx() as conn:  # a writer holds the write lock, its rows not committed yet
        store.save_document(conn, "doc-new", "guides", "guides/doc-new.md", "---\ntitle: 新\n---\n")
        store.replace_failures(conn, "build", [])
        assert (reads.change_seq(), reads.document_heads()) == (seq, heads)
        assert reads.raws(["doc-new"]) == {} and len(reads.failure_rows()) == 2
    assert reads.change_seq() > seq and reads.raws(["doc-new"]) and reads.failure_rows() == []
    store.close()


def test_the_documents_withdrawn_since_a_build_are_found_in_an_index_not_by_reading_every_document(tmp_path):
    """A build asks which documents left since the build online: without the index, SQLite read each of the
    site's documents' rows (10 ms warm at 5,000 documents, 200 ms from a cold disk cache) to find none."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = _filled(url)
    since = SINCE[0]
    assert [row["slug"] for row in SqliteReads.of(url).withdrawn_since(since)] == ["doc-0005", "政策-二"]
    conn = sqlite3.connect(tmp_path / "state.db")
    plan = " ".join(row[-1] for row in conn.execute(
        "EXPLAIN QUERY PLAN SELECT slug, path, updated_at FROM documents WHERE status = 'withdrawn' "
        "AND updated_at > ?", ("2000-01-01",)))
    assert "documents_withdrawn" in plan, plan
    conn.execute("DROP INDEX documents_withdrawn")  # a store made before it: read through the Store, which makes it
    conn.commit()
    conn.close()
    assert SqliteReads.of(url) is None
    store.close()
    Store.open(url).close()
    assert SqliteReads.of(url) is not None


def test_an_open_store_whose_file_was_removed_errs_instead_of_making_a_new_empty_one(tmp_path):
    """`zaitun up`'s rebuild thread kept a Store open: once .zaitun/ was removed, its next connection made a new,
    empty state.db there, which a flow run or the next build would have taken for the project's store."""
    path = tmp_path / "state.db"
    store = _filled(f"sqlite:///{path}")
    store.engine.dispose()  # (its pooled connections: a later read connects anew)
    for side in ("", "-wal", "-shm"):
        (tmp_path / f"state.db{side}").unlink(missing_ok=True)
    with pytest.raises(Exception, match="unable to open database file"):
        store.change_seq()
    assert not path.exists()
    store.close()
    Store.open(f"sqlite:///{path}").close()  # opened anew on purpose: made, private
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
