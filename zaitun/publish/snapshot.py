"""What a new process needs to build as a warm one does: the heads and entries the build online collected.

A process that builds again (`zaitun up`) keeps the store's heads (zaitun.state.heads) and the entries it
made of them (inputs.collect), and reads again only what the change numbers say changed. A new process
(`zaitun build`) would read the whole store and make every entry again; so each build saves both beside
its version (output.SNAPSHOT), and a new process adopts them before it reads the heads. `heads.read` then
reads again, by change number, every document written since (content, approval, withdrawal), and
`collect` makes again the entries of any document whose row, release or cached front matter is not the
one they were made of: what is approved is always read from the store, the snapshot spares only reading
what did not change.

Adopted only whole and for this very build: the version online, the store's identity and change number
its summary records, zaitun's code (`delta.code_digest`) and this Python's marshal format. A file that
is missing, truncated or corrupt (its checksum), or anything else, means reading everything, as before.
Marshal of plain values: five times faster to load than pickle of the same, and it runs no code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import marshal
import os
import sys
import zlib
from itertools import chain
from pathlib import Path

from zaitun.publish import inputs
from zaitun.publish.inputs import Entry
from zaitun.publish.output import SNAPSHOT
from zaitun.state import heads
from zaitun.state.store import Store

FORMAT = 1
MAGIC = b"zaitun snapshot\n"
DATED = ("updated_at", "created_at")  # the rows' datetimes (a document's, a release's), saved as ISO text

_BLOBS: dict[str, tuple] = {}  # slug -> the row, release and made record it was encoded from, and its bytes:
# a process that builds again encodes only the documents that changed


def save(version: Path, store: Store, code: str, docs: dict) -> None:
    """Save beside `version`, just put online, the heads this process read and the entries it made of them
    (made of `docs`, the manifest's records). Never fails the build: a snapshot not written is removed."""
    path = version / SNAPSHOT
    kept = heads.kept(store)
    try:
        if kept is None:
            raise ValueError("no heads read")
        temporary = version / f".{SNAPSHOT}.new"
        payload = _encode(kept, version.name, code, docs)
        with open(temporary, "wb") as file:  # in three writes: the payload is not copied once more
            file.writelines((MAGIC, zlib.crc32(payload).to_bytes(4, "big"), payload))
        os.replace(temporary, path)
    except (OSError, ValueError, TypeError):
        with contextlib.suppress(OSError):
            path.unlink()


def adopt(online: Path | None, store: Store, summary: dict, code: str, docs: dict) -> bool:
    """Adopt the snapshot of the build online (`summary`: its summary, `docs`: its manifest's records) as
    what this process read and made last; False, adopting nothing, when it does not match or read whole."""
    if online is None or not summary:
        return False
    try:
        kept, known, blobs = _decode((online / SNAPSHOT).read_bytes(), online.name, summary, code, docs)
    except (OSError, ValueError, TypeError, KeyError, IndexError, EOFError, AttributeError):
        return False
    if kept.identity != store.identity():  # the summary's store is not the one open
        return False
    heads.adopt(store, kept)
    inputs.adopt(known)
    _BLOBS.clear()
    _BLOBS.update(blobs)
    return True


# -- encoding -------------------------------------------------------------------------------------
def _encode(kept: heads.Heads, name: str, code: str, docs: dict) -> bytes:
    made, blobs = inputs.made(), []
    slugs = list(chain(kept.documents, sorted(kept.releases.keys() - kept.documents.keys())))
    for slug in slugs:
        row, release, known = kept.documents.get(slug), kept.releases.get(slug), made.get(slug)
        cached = docs.get(slug)
        if known is not None and not (known[0] is row and known[1] is release and known[2] is cached):
            known = None  # made of another row or record than those saved (a held document's): made again
        found = _BLOBS.get(slug)
        if found is None or found[0] is not row or found[1] is not release or found[2] is not known:
            found = _BLOBS[slug] = (row, release, known, marshal.dumps(
                (slug, _plain(row), _plain(release), _made(known[3], cached) if known else None)))
        blobs.append(found[3])
    if len(_BLOBS) > len(slugs):
        for gone in _BLOBS.keys() - set(slugs):
            del _BLOBS[gone]
    header = (FORMAT, marshal.version, sys.hexversion, name, kept.identity, kept.seq, code)
    return marshal.dumps((header, blobs))


def _plain(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {str(k): v.isoformat() if k in DATED else v for k, v in row.items()}  # SQLAlchemy's names subclass str


def _made(entries: list[Entry], cached: dict) -> tuple:
    """A document's entries, and the cached record they were made of as far as it can change with the same
    code: its file's hash and its English release's stamp (inputs._meta_of, inputs._en_stale)."""
    return (cached["raw_hash"], (cached.get("en") or {}).get("stamp"), tuple(_entry(e, cached) for e in entries))


def _entry(e: Entry, cached: dict) -> tuple:
    if type(e.date) is not dt.date or e._body is not None or e._html is not None:
        raise ValueError(f"{e.slug} ({e.lang}) is not an entry as collect makes it")
    return (e.lang, e.title, e.summary, e.social, e.date.isoformat(), e.updated.isoformat(),
            None if e.meta is cached["meta"] else e.meta, e.source_hash, e.provenance, e.under_review, e.source,
            e.refs, e.release_id, e.file)


# -- decoding -------------------------------------------------------------------------------------
def _decode(data: bytes, name: str, summary: dict, code: str, docs: dict) -> tuple[heads.Heads, dict, dict]:
    start = len(MAGIC) + 4
    with memoryview(data) as view:  # the payload read in place, not copied
        if data[:len(MAGIC)] != MAGIC or zlib.crc32(view[start:]) != int.from_bytes(data[len(MAGIC):start], "big"):
            raise ValueError("not a whole snapshot")
        header, blobs = marshal.loads(view[start:])
    expected = (FORMAT, marshal.version, sys.hexversion, name, summary.get("store"), summary.get("seq"), code)
    if tuple(header) != expected:
        raise ValueError("a snapshot of another build, store, code or Python")
    documents, releases, known, kept = {}, {}, {}, {}
    for blob in blobs:
        slug, row, release, made = marshal.loads(blob)
        row, release = _dated(row), _dated(release)
        if row is not None:
            documents[slug] = row
        if release is not None:
            releases[slug] = release
        cached = docs.get(slug)
        if row is not None and made is not None and _same_record(cached, made):
            known[slug] = (row, release, cached, [_made_entry(t, row, cached) for t in made[2]])
        kept[slug] = (row, release, known.get(slug), blob)
    return heads.Heads(header[4], header[5], documents, releases), known, kept


def _dated(row: dict | None) -> dict | None:
    if row is not None:
        for key in DATED:
            if key in row:
                row[key] = dt.datetime.fromisoformat(row[key])
    return row


def _same_record(cached: dict | None, made: tuple) -> bool:
    return (cached is not None and "refs" in cached and cached.get("raw_hash") == made[0]
            and (cached.get("en") or {}).get("stamp") == made[1])


def _made_entry(saved: tuple, row: dict, cached: dict) -> Entry:
    lang, title, summary, social, date, updated, meta, source_hash, provenance, review, source, refs, release, file \
        = saved
    return Entry(slug=row["slug"], section=row["section"], lang=lang, title=title, summary=summary, social=social,
                 date=dt.date.fromisoformat(date), updated=dt.datetime.fromisoformat(updated),
                 meta=cached["meta"] if meta is None else meta, source_hash=source_hash, provenance=provenance,
                 under_review=review, source=source, refs=refs, release_id=release, file=file)
