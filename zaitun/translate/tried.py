"""What a translate pass already did: it looks again only where something changed since.

Offline, what nothing translates stays an empty draft for a person, and every pass looked again at every
document: its drafts checked again, and, for each empty draft, a near match in memory looked for to repair
(nearmatch.py). At 1,000 documents (30,000 empty drafts) a pass with nothing changed took 12 s, and a minute
at 5,000. What a pass does to a document changes only with its inputs: the document (its Chinese, its
releases: the store's change numbers), the memory, the glossary, the fuzzy threshold and zaitun's code. So
each document's last whole pass is kept (in the project's state folder) with the memory as that pass began
(its newest change and its size), the store's change number and history then, and a digest of the other
inputs. When the other inputs are the same:
- a whole offline pass (`zaitun run`, `zaitun translate`) leaves out a document no write touched since, with
  the memory as it was (`untouched`): it would find nothing to do;
- a pass that does take a document looks again for near matches (`of`) for none of its empty drafts when the
  memory is as it was; for only those an entry added or changed since is near when entries were added or
  changed (the others' near matches are the ones they had, which repaired nothing); for all when the memory
  has fewer entries (an entry gone may leave room for another).
A draft made under another glossary version than the pass's is looked at again in any case. A store made
anew or restored from a backup (another identity, or other writes up to that change number) is read whole.
A cache: a record that cannot be read is as if empty, and a document without one is done whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from zaitun.stamps import code_digest
from zaitun.state.segments import SegmentState
from zaitun.state.store import Store
from zaitun.statefiles import keep_cache
from zaitun.translate.fuzzy import Entry, MemoryIndex

FILE = "translate-passes.json"
FORMAT = 1

Looked = Callable[[SegmentState], bool]  # whether an empty draft's repair is to be tried again


@dataclass
class Tried:
    """The documents' last whole passes, and the inputs of this one as it began."""

    file: Path | None
    inputs: str  # digest of zaitun's code, the glossary version and the fuzzy threshold
    memory: tuple[str | None, int]  # the memory's newest change (ISO) and its size
    seq: int  # the store's change number
    history: str  # the store's identity and its writes up to `seq`
    glossary: str
    threshold: float
    store: Store
    docs: dict[str, list] = field(default_factory=dict)  # slug -> [inputs, newest change, size, seq, history]
    _recent: dict[str | None, MemoryIndex] = field(default_factory=dict)  # since -> the entries changed since
    _histories: dict[int, str] = field(default_factory=dict)  # change number -> the store's history up to it
    _written: dict[str, int] | None = None  # slug -> its last change number, of those written since the oldest
    _changed: bool = False

    @classmethod
    def read(cls, state_dir: Path | None, store: Store, glossary: str, threshold: float) -> Tried:
        newest, size = store.memory_signature()
        seq = store.change_seq()
        inputs = hashlib.sha256(f"{code_digest()}\n{glossary}\n{threshold!r}".encode()).hexdigest()[:24]
        tried = cls(state_dir / FILE if state_dir else None, inputs, (newest.isoformat() if newest else None, size),
                    seq, _history(store, seq), glossary, threshold, store)
        tried._histories[seq] = tried.history
        with contextlib.suppress(OSError, orjson.JSONDecodeError, AttributeError, TypeError):
            kept = orjson.loads(tried.file.read_bytes())
            if kept.get("format") == FORMAT and isinstance(kept.get("docs"), dict):
                tried.docs = {slug: known for slug, known in kept["docs"].items() if _whole(known)}
        return tried

    def untouched(self, slug: str) -> bool:
        """Whether the document's last whole pass had this one's inputs and no write touched it since."""
        known = self.docs.get(slug)
        if known is None or known[0] != self.inputs or known[1:3] != list(self.memory) or known[3] > self.seq:
            return False
        if known[4] != self._history_at(known[3]):
            return False
        if self._written is None:
            self._written = self.store.last_changes(min(k[3] for k in self.docs.values()))
        return self._written.get(slug, 0) <= known[3]

    def of(self, slug: str) -> Looked:
        """Which of the document's empty drafts to look again for a near match to repair."""
        known = self.docs.get(slug)
        if known is None or known[0] != self.inputs or known[2] > self.memory[1]:
            return _every
        if known[1:3] == list(self.memory):
            return self._other_glossary
        recent = self._since(known[1])
        return lambda seg: self._other_glossary(seg) or bool(recent.lookup(seg.source, self.threshold, 1))

    def done(self, slug: str) -> None:
        """The document's pass went through (or had nothing to do: `untouched`), as of this pass's inputs."""
        record = [self.inputs, *self.memory, self.seq, self.history]
        if self.docs.get(slug) != record:
            self.docs[slug] = record
            self._changed = True

    def forget(self, slug: str) -> None:
        """The document's pass failed: the next one does it whole."""
        if self.docs.pop(slug, None) is not None:
            self._changed = True

    def save(self) -> None:
        if self._changed and self.file is not None:
            keep_cache(self.file, orjson.dumps({"format": FORMAT, "docs": self.docs}))

    def _other_glossary(self, seg: SegmentState) -> bool:
        return seg.translation["glossary_version"] != self.glossary

    def _since(self, newest: str | None) -> MemoryIndex:
        """The memory entries changed since `newest` (all, when the memory was empty), indexed once a pass."""
        if newest not in self._recent:
            since = dt.datetime.fromisoformat(newest) if newest else None
            self._recent[newest] = MemoryIndex([Entry(r.source, r.target) for r in self.store.memory_changes(since)])
        return self._recent[newest]

    def _history_at(self, seq: int) -> str:
        if seq not in self._histories:
            self._histories[seq] = _history(self.store, seq)
        return self._histories[seq]


def _history(store: Store, seq: int) -> str:
    """The store's identity and its last writes up to `seq`: a store made anew, or restored from an older
    backup and written since, is told from the one a record was made of."""
    return f"{store.identity()} {store.writes_digest(seq)}"


def _whole(known) -> bool:
    return (isinstance(known, list) and len(known) == 5 and isinstance(known[0], str)
            and isinstance(known[1], str | None) and isinstance(known[2], int) and isinstance(known[3], int)
            and isinstance(known[4], str))


def _every(seg: SegmentState) -> bool:
    return True
