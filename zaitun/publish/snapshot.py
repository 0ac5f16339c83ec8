"""What a new process needs to start as a warm one does: the heads the build online read, and more.

A process that builds again (`zaitun up`) keeps the store's heads (zaitun.state.heads): every active
document's row and its newest English release's, and reads again only the documents the change numbers say
were written since. A new process (`zaitun build`) would read them all from the store, which means reading
most of the store's pages (the rows hold the files). So each build saves the heads it read beside its
version (output.SNAPSHOT), and a new process adopts them before it reads: `heads.read` then reads again,
by change number, every document written since (content, approval, withdrawal). What is approved is thus
always read from the store; the snapshot spares only reading the rows no write touched since. It keeps as
well the build's pages as planned (pages.plan_saved) and its provenance.json's records (extras.Seed): a new
process then plans and marks again only the documents changed since, each part taken only when it agrees with
what the process read (the entries; provenance.json's key in the manifest of the version online).

Adopted only whole and for this very build: the version online, the store's identity and change number
its summary records, zaitun's code (`stamps.code_digest`) and this Python's marshal format. A file that
is missing, truncated or corrupt (its checksum), or anything else, means reading everything, as before.
Marshal of plain tuples, its parts one after another, each after its size: faster to load than pickle or JSON
of the same, and it runs no code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import marshal
import os
import sys
import zlib
from collections import deque
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from zaitun.publish.memo import ByIdentity
from zaitun.publish.output import SNAPSHOT
from zaitun.state import heads

if TYPE_CHECKING:
    from zaitun.state.reads import Reads

FORMAT = 4  # 2: and the pages of provenance.json; 3: and the plan; 4: its parts one after another, sized
MAGIC = b"zaitun snapshot\n"
SIZE = 8  # bytes of the size before each part
ROW = ("slug", "section", "path", "raw_hash", "status", "updated_at")  # a document's head (Store.document_heads)
RELEASE = ("id", "slug", "lang", "raw_hash", "created_at")  # its newest release's (Store.release_heads)


def save(version: Path, store: Reads, code: str, provenance: tuple | None = None, plan: tuple | None = None) -> None:
    """Save beside `version`, just put online, the heads this process read for it (and `provenance`, the pages
    of its provenance.json: extras.Seed; `plan`, its pages as planned: pages.plan_saved). Never fails the
    build: a snapshot not written is removed (the next process reads the store)."""
    write(version, prepare(version.name, store, code, provenance, plan))


@dataclass(frozen=True)
class Prepared:
    """A snapshot encoded for the version to be named `name`, not yet written: a new process encodes it while
    its search index is made (the build waits for that anyway), and writes it once the version is online."""

    name: str
    parts: list[bytes]  # each part's size, then its marshal
    checksum: int


def prepare(name: str, store: Reads, code: str, provenance: tuple | None = None,
            plan: tuple | None = None) -> Prepared | None:
    """The snapshot of the version to be named `name` (see save); None if it cannot be made."""
    kept = heads.kept(store)
    try:
        if kept is None:
            raise ValueError("no heads read")
        documents = _plain(kept.documents.values(), ROW)
        releases = _plain(kept.releases.values(), RELEASE)
        _PLAIN.keep_only([*kept.documents.values(), *kept.releases.values()])
        header = (FORMAT, marshal.version, sys.hexversion, name, kept.identity, kept.seq, code)
        parts, checksum = [], 0
        for part, known in ((header, None), (documents, None), (releases, None), (provenance, None),
                            (plan, _as_adopted(plan))):
            data = known or marshal.dumps(part)
            size = len(data).to_bytes(SIZE, "big")
            checksum = zlib.crc32(data, zlib.crc32(size, checksum))
            parts += (size, data)
    except (ValueError, TypeError):
        return None
    finally:
        _ADOPTED.clear()  # saved once a process (a warm one saves no plan)
    return Prepared(name, parts, checksum)


def write(version: Path, prepared: Prepared | None) -> None:
    """Write a snapshot prepared for this version beside it; else remove the one there."""
    path, temporary = version / SNAPSHOT, version / f".{SNAPSHOT}.new"
    try:
        if prepared is None or prepared.name != version.name:
            raise ValueError("no snapshot of this version")
        with open(temporary, "wb") as file:
            file.write(MAGIC + prepared.checksum.to_bytes(4, "big"))
            file.writelines(prepared.parts)
        os.replace(temporary, path)
    except (OSError, ValueError):
        for left in (temporary, path):
            with contextlib.suppress(OSError):
                left.unlink()


def _as_adopted(plan: tuple | None) -> bytes | None:
    """The adopted plan's bytes, when `plan` is equal to it: a plan seldom changes (a page's documents, their
    dates, a title or a tag), and being made of what was adopted (pages.plan_of) it is compared in no time."""
    adopted = _ADOPTED.get("plan")
    if plan is None or adopted is None or not (adopted[0] is plan or adopted[0] == plan):
        return None
    return adopted[1]


_ADOPTED: dict[str, tuple[tuple, bytes]] = {}  # "plan" -> the plan adopted, and its bytes as read


@dataclass(frozen=True)
class Adopted:
    """What else the build online saved: its provenance.json's pages (extras.Seed checks them against it) and
    its pages as planned (pages.plan_of checks them against the entries)."""

    provenance: tuple | None
    plan: tuple | None


def adopt(online: Path | None, store: Reads, summary: dict, code: str) -> Adopted | None:
    """Adopt the heads saved by the build online (`summary`: its summary) as those this process read last;
    None, adopting nothing, when they do not match or read whole."""
    if online is None or not summary:
        return None
    try:
        kept, plain, provenance, plan, plan_bytes = _decode((online / SNAPSHOT).read_bytes(), online.name, summary,
                                                            code)
    except (OSError, ValueError, TypeError, KeyError, IndexError, EOFError):
        return None
    if kept.identity != store.identity():  # the summary's store is not the one open
        return None
    heads.adopt(store, kept)
    _PLAIN.clear()
    for rows, values in plain:
        _PLAIN.put_all(rows, values)
    _ADOPTED["plan"] = plan, plan_bytes
    return Adopted(provenance, plan)


_PLAIN: ByIdentity[dict, tuple] = ByIdentity()  # a row -> its values as saved or adopted: a process that
# builds again converts only the rows read since


def _plain(rows, keys: tuple[str, ...]) -> list[tuple]:
    """Rows as tuples of their values, the last one (a datetime) as ISO text."""
    return _PLAIN.get_all(list(rows), lambda row: _values(row, keys))


def _values(row: dict, keys: tuple[str, ...]) -> tuple:
    if tuple(row) != keys:
        raise ValueError(f"a row of other columns than {keys}")
    values = tuple(row.values())
    return values[:-1] + (values[-1].isoformat(),)


def _decode(data: bytes, name: str, summary: dict, code: str) -> tuple[heads.Heads, list[tuple[list, list]], tuple,
                                                                 tuple, bytes]:
    """The heads saved, their rows with their values as saved (documents', then releases'), the pages of
    provenance.json and the plan (and its bytes)."""
    start = len(MAGIC) + 4
    with memoryview(data) as view:  # the payload read in place, not copied
        if data[:len(MAGIC)] != MAGIC or zlib.crc32(view[start:]) != int.from_bytes(data[len(MAGIC):start], "big"):
            raise ValueError("not a whole snapshot")
        spans = _spans(view, start)
        header, documents, releases, provenance, plan = (marshal.loads(span) for span in spans)
        plan_bytes = bytes(spans[-1])
        del spans  # before the view they are of is released
    expected = (FORMAT, marshal.version, sys.hexversion, name, summary.get("store"), summary.get("seq"), code)
    if tuple(header) != expected:
        raise ValueError("a snapshot of another build, store, code or Python")
    plain: list[tuple[list, list]] = []
    kept = heads.Heads(header[4], header[5], _rows(documents, ROW, plain), _rows(releases, RELEASE, plain))
    return kept, plain, provenance, plan, plan_bytes


def _spans(view: memoryview, start: int) -> list[memoryview]:
    """Each part's marshal, in `view` (the snapshot's parts, each its size then its marshal)."""
    spans = []
    while start < len(view):
        size = int.from_bytes(view[start:start + SIZE], "big")
        start += SIZE
        if start + size > len(view):
            raise ValueError("a part cut short")
        spans.append(view[start:start + size])
        start += size
    return spans


def _rows(saved: list[tuple], keys: tuple[str, ...], plain: list[tuple[list, list]]) -> dict[str, dict]:
    """Slug -> its row, of rows saved as tuples of `keys`' values, the last a datetime as ISO text; the rows, and
    the values they were made of, put in `plain`. Made in passes in C: 10,000 rows at 5,000 documents."""
    if saved and set(map(len, saved)) != {len(keys)}:
        raise ValueError(f"a row of other than {len(keys)} values")
    rows = list(map(dict, map(zip, repeat(keys), saved)))
    times = list(map(dt.datetime.fromisoformat, map(itemgetter(-1), saved)))
    deque(map(dict.__setitem__, rows, repeat(keys[-1]), times), maxlen=0)  # each row's last value a datetime
    plain.append((rows, saved))
    return dict(zip(map(itemgetter(keys.index("slug")), saved), rows, strict=True))
