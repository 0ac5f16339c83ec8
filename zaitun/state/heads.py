"""The rows a build reads first, kept by a process that builds again (`zaitun up`).

A build starts from every active document's head and every newest English release's (`Store.document_heads`,
`Store.release_heads`): 10,000 rows at 5,000 documents. A process that builds again keeps them with the
store's change number they were read at, and reads again only the documents written since
(`Store.changed_since`: the database's triggers number every write, whoever makes it). A new process
(`zaitun build`) adopts the heads the build online kept (zaitun.publish.snapshot) and does the same. Another
store at the same address (made anew: its own `Store.identity`) or a change number lower than the one kept
reads everything again. A document whose newest release a reviewer retracted (zaitun.review.gate.reject) has no
release head: the retraction is a write like any other, so its kept release is dropped when it is read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the Store or a plain SQLite file's reads (zaitun.state.reads): SQLAlchemy need not load
    from zaitun.state.reads import Reads


@dataclass
class Heads:
    identity: str  # of the store read
    seq: int  # read at this change number or after it
    documents: dict[str, dict]  # slug -> head, in slug order
    releases: dict[str, dict]  # slug -> its newest English release's head


_KEPT: dict[str, Heads] = {}  # database -> the heads this process read last


def read(store: Reads, seq: int) -> tuple[list[dict], dict[str, dict]]:
    """Every active document's head in slug order, and each one's newest English release's, as of change
    number `seq` or later (read `seq` first: a write made meanwhile is read again next time)."""
    database, identity = store.database, store.identity()
    kept = _KEPT.pop(database, None)  # put back once read whole: a read that fails leaves nothing
    if kept is None or kept.identity != identity or kept.seq > seq:
        kept = Heads(identity, seq, {row["slug"]: row for row in store.document_heads("active")},
                     store.release_heads("en"))
    else:
        _refresh(store, kept, sorted(store.changed_since(kept.seq)))
        kept.seq = seq
    _KEPT[database] = kept
    return list(kept.documents.values()), kept.releases


def _refresh(store: Reads, kept: Heads, changed: list[str]) -> None:
    """Read again the heads of the documents written since (a new one is put in its place, in slug order)."""
    if not changed:
        return
    rows = {row["slug"]: row for row in store.document_heads("active", changed)}
    new = rows.keys() - kept.documents.keys()
    for slug in changed:
        if slug in rows:
            kept.documents[slug] = rows[slug]  # in its place, but a new document
        else:
            kept.documents.pop(slug, None)  # withdrawn or deleted
        kept.releases.pop(slug, None)
    kept.releases.update(store.release_heads("en", changed))
    if new:
        kept.documents = dict(sorted(kept.documents.items()))


def kept(store: Reads) -> Heads | None:
    """The heads this process read last from this store (as of `Heads.seq`)."""
    return _KEPT.get(store.database)


def adopt(store: Reads, heads: Heads) -> None:
    """Take heads a build read before (saved by another process): `read` uses them only for the same store
    identity and change number `heads.seq` or a later one, and reads again the documents written since."""
    _KEPT[store.database] = heads


def forget(store: Reads) -> None:
    _KEPT.pop(store.database, None)
