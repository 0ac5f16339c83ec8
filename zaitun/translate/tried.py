"""Near-match repairs already tried: a pass asks the memory again only where a change since could repair.

With the offline engine, what nothing translates stays an empty draft for a person, and every pass looked
again, for each of them, for a near match in memory to repair (nearmatch.py): 30,000 such drafts at 1,000
documents made a pass with nothing changed take 5 s of lookups, and 25 s at 5,000. A lookup's answer
changes only with its inputs: the memory, the glossary, the fuzzy threshold and zaitun's code. So each
document's last whole pass is kept (in the project's state folder) with the memory as it was when that
pass began (its newest change and its size) and a digest of the other inputs. The next pass of that
document, when the other inputs are the same:
- with the memory as it was, looks again at none of its empty drafts;
- with entries added or changed since, looks again (with the whole memory, as before) only at the drafts
  one of those entries is near: the others' near matches are the ones they had, which repaired nothing;
- with fewer entries than then, looks again at all of them (an entry gone may leave room for another).
A draft made under another glossary version than the pass's is looked at again in any case.
A cache: a record that cannot be read is as if empty, and a document without one is looked at whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from zaitun.stamps import code_digest
from zaitun.state.segments import SegmentState
from zaitun.state.store import Store
from zaitun.translate.fuzzy import Entry, MemoryIndex

FILE = "repairs-tried.json"
FORMAT = 1

Looked = Callable[[SegmentState], bool]  # whether an empty draft's repair is to be tried again


@dataclass
class Tried:
    """The documents' last whole passes, and the memory and other inputs of this one."""

    file: Path | None
    inputs: str  # digest of zaitun's code, the glossary version and the fuzzy threshold
    memory: tuple[str | None, int]  # the memory's newest change (ISO) and its size, as this pass began
    glossary: str
    threshold: float
    store: Store
    docs: dict[str, list] = field(default_factory=dict)  # slug -> [inputs, newest change, size]
    _recent: dict[str | None, MemoryIndex] = field(default_factory=dict)  # since -> the entries changed since
    _changed: bool = False

    @classmethod
    def read(cls, state_dir: Path | None, store: Store, glossary: str, threshold: float) -> Tried:
        newest, size = store.memory_signature()
        inputs = hashlib.sha256(f"{code_digest()}\n{glossary}\n{threshold!r}".encode()).hexdigest()[:24]
        tried = cls(state_dir / FILE if state_dir else None, inputs, (newest.isoformat() if newest else None, size),
                    glossary, threshold, store)
        with contextlib.suppress(OSError, orjson.JSONDecodeError, AttributeError, TypeError):
            kept = orjson.loads(tried.file.read_bytes())
            if kept.get("format") == FORMAT and isinstance(kept.get("docs"), dict):
                tried.docs = kept["docs"]
        return tried

    def of(self, slug: str) -> Looked:
        """Which of the document's empty drafts to look again for a near match to repair."""
        known = self.docs.get(slug)
        if not _whole(known) or known[0] != self.inputs or known[2] > self.memory[1]:
            return _every
        if known[1:] == list(self.memory):
            return self._other_glossary
        recent = self._since(known[1])
        return lambda seg: self._other_glossary(seg) or bool(recent.lookup(seg.source, self.threshold, 1))

    def done(self, slug: str) -> None:
        """The document's pass went through: each of its empty drafts was looked at as `of` said."""
        record = [self.inputs, *self.memory]
        if self.docs.get(slug) != record:
            self.docs[slug] = record
            self._changed = True

    def same_inputs(self, slug: str) -> bool:
        """Whether the document's last whole pass had this one's glossary, threshold and code."""
        known = self.docs.get(slug)
        return _whole(known) and known[0] == self.inputs

    def save(self) -> None:
        if not self._changed or self.file is None:
            return
        temporary = self.file.with_name(f"{self.file.name}.{os.getpid()}")
        try:
            temporary.write_bytes(orjson.dumps({"format": FORMAT, "docs": self.docs}))
            os.replace(temporary, self.file)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()

    def _other_glossary(self, seg: SegmentState) -> bool:
        return seg.translation["glossary_version"] != self.glossary

    def _since(self, newest: str | None) -> MemoryIndex:
        """The memory entries changed since `newest` (all, when the memory was empty), indexed once a pass."""
        if newest not in self._recent:
            since = dt.datetime.fromisoformat(newest) if newest else None
            self._recent[newest] = MemoryIndex([Entry(r.source, r.target) for r in self.store.memory_changes(since)])
        return self._recent[newest]


def _whole(known) -> bool:
    return (isinstance(known, list) and len(known) == 3 and isinstance(known[0], str)
            and isinstance(known[1], str | None) and isinstance(known[2], int))


def _every(seg: SegmentState) -> bool:
    return True
