"""A process that builds again keeps the documents' and releases' heads and reads again only those written
since (zaitun.state.heads): what it gives must always be what a fresh read of the store gives."""

from __future__ import annotations

from sqlalchemy import delete, update

from zaitun.state import heads
from zaitun.state.store import Store, documents, releases


def _fresh(store: Store) -> tuple[list[dict], dict[str, dict]]:
    return store.document_heads("active"), store.release_heads("en")


def _write(store: Store, change) -> None:
    with store.tx() as conn:
        change(conn)


def test_kept_heads_are_a_fresh_read_after_every_kind_of_write(database_url):
    store = Store.open(database_url)
    heads.forget(store)
    for slug in ("b", "d", "f"):
        _write(store, lambda conn, slug=slug: store.save_document(conn, slug, "guides", f"{slug}.md", f"# {slug}"))
    _write(store, lambda conn: store.add_release(conn, "d", "en", "h", {"body": "D"}))
    writes = [
        lambda conn: store.save_document(conn, "a", "guides", "a.md", "# a"),  # new, first in slug order
        lambda conn: store.save_document(conn, "e", "policies", "e.md", "# e"),  # new, in the middle
        lambda conn: store.save_document(conn, "b", "guides", "b.md", "# b, changed"),
        lambda conn: store.add_release(conn, "b", "en", "h2", {"body": "B"}),
        lambda conn: store.withdraw_document(conn, "f"),
        lambda conn: conn.execute(delete(releases).where(releases.c.slug == "b")),  # by hand, outside zaitun
        lambda conn: conn.execute(update(documents).where(documents.c.slug == "d").values(raw_hash="x")),
        lambda conn: store.save_document(conn, "f", "guides", "f.md", "# f, again"),
    ]
    assert heads.read(store, store.change_seq()) == _fresh(store)
    for write in writes:
        _write(store, write)
        got = heads.read(store, store.change_seq())
        assert got == _fresh(store)
        assert [row["slug"] for row in got[0]] == sorted(row["slug"] for row in got[0])
    store.close()


def test_a_store_made_anew_at_the_same_place_is_read_whole_whatever_its_change_number(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"

    def fill(store: Store, body: str, more: int) -> None:
        _write(store, lambda conn: store.save_document(conn, "a", "guides", "a.md", "a"))
        _write(store, lambda conn: store.add_release(conn, "a", "en", "h", {"body": body}))
        for i in range(more):  # later writes to another document only
            _write(store, lambda conn, i=i: store.save_document(conn, "b", "guides", "b.md", f"b{i}"))

    store = Store.open(url)
    fill(store, "old", 3)
    old = heads.read(store, store.change_seq())
    store.close()
    (tmp_path / "state.db").unlink()
    store = Store.open(url)
    fill(store, "new", 5)  # its release of `a` numbered below the change number kept, its last above it
    assert heads.read(store, store.change_seq()) == _fresh(store) != old
    store.close()
    heads.forget(store)


def test_a_store_made_anew_with_a_lower_change_number_is_read_whole(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = Store.open(url)
    for slug in ("a", "b", "c"):
        _write(store, lambda conn, slug=slug: store.save_document(conn, slug, "guides", f"{slug}.md", slug))
    heads.read(store, store.change_seq())
    store.close()
    (tmp_path / "state.db").unlink()
    store = Store.open(url)
    _write(store, lambda conn: store.save_document(conn, "z", "guides", "z.md", "z"))
    assert [row["slug"] for row in heads.read(store, store.change_seq())[0]] == ["z"]
    store.close()
    heads.forget(store)
