"""Fuzzy translation memory matches: the approved entries most like a new Chinese segment.

Similarity is measured on characters, as Chinese has no spaces between words: the Indel
similarity of the two texts (rapidfuzz's `ratio`, 100 for equal texts) after width, case and
spaces are normalised. An index of character bigrams finds candidates without reading the
whole memory: the entries sharing most bigrams with the segment are scored exactly, and those
above the threshold are returned, best first.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import weakref
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from zaitun.state.store import Store

CANDIDATES = 400  # entries scored exactly per lookup, chosen by shared bigrams
BUDGET = 20_000  # postings read per lookup: the rarest bigrams of a segment say the most about it
REBUILD_AFTER = 500  # entries added since the index was built that are scanned instead of indexed
_BOUND = 0x110000  # one past the largest code point: two code points make one int64 bigram code


def normalise(text: str) -> str:
    """The form texts are compared in: NFKC (full-width digits and letters), case-folded, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalise_all(texts: list[str]) -> list[str]:
    """`normalise` of many texts at once (one pass over their concatenation, for building indexes)."""
    joined = unicodedata.normalize("NFKC", "\x00".join(texts)).casefold()
    return re.sub(r"[^\S\x00]+", "", joined).split("\x00") if texts else []


def similarity(a: str, b: str) -> int:
    """Percent similarity of two texts, character by character."""
    return round(fuzz.ratio(normalise(a), normalise(b)))


def bigrams(text: str, marked: bool = True) -> np.ndarray:
    """The distinct character bigrams of a text (with its start and end marked), as sorted codes."""
    text = "\x02" + text + "\x03" if marked else text
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    return _distinct(np.sort(points[:-1] * _BOUND + points[1:]))


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (np.unique hashes, which is far slower on millions)."""
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first]


class NgramIndex:
    """Which texts contain each character bigram (postings in CSR form), built with numpy in one pass."""

    def __init__(self, texts: list[str]):
        self.size = len(texts)
        lengths = np.fromiter((len(t) + 2 for t in texts), dtype=np.int64, count=len(texts))
        joined = "".join(f"\x02{t}\x03" for t in texts)
        points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        owners = np.repeat(np.arange(self.size, dtype=np.int64), lengths)
        inside = owners[:-1] == owners[1:]  # no bigram across two texts
        grams, owners = (points[:-1] * _BOUND + points[1:])[inside], owners[:-1][inside]
        if self.size < 1 << 20:  # one sort of (gram, owner) packed into one integer
            keys = _distinct(np.sort(grams << 20 | owners))
            grams, self.postings = keys >> 20, (keys & ((1 << 20) - 1)).astype(np.int32)
        else:
            order = np.lexsort((owners, grams))
            grams, owners = grams[order], owners[order]
            first = np.ones(len(grams), dtype=bool)
            first[1:] = (grams[1:] != grams[:-1]) | (owners[1:] != owners[:-1])
            grams, self.postings = grams[first], owners[first].astype(np.int32)
        starts = np.flatnonzero(np.diff(grams, prepend=-1))  # grams are sorted: where each one begins
        self.vocab, self.starts = grams[starts], np.append(starts, len(grams))
        self.counts = np.bincount(self.postings, minlength=self.size)  # distinct bigrams per text

    def shared(self, grams: np.ndarray, budget: int | None = None) -> np.ndarray:
        """For every text, how many of `grams` it contains. With a budget, only the rarest grams are
        counted, as many as fit in `budget` postings (at least a third of them)."""
        return self._count(self._rarest(grams, budget))

    def having_all(self, grams: np.ndarray, budget: int) -> np.ndarray:
        """Texts containing the rarest of `grams` (as many as fit in the budget, at least one), all of them;
        any text holding all `grams` is among them. Empty when a gram is in no text."""
        known = self._known(grams)
        if len(known) < len(grams):
            return np.array([], dtype=np.int64)
        rare = self._rarest(grams, budget, least=1)
        return np.flatnonzero(self._count(rare) == len(rare))

    def _known(self, grams: np.ndarray) -> np.ndarray:
        """Positions in the vocabulary of the grams some text has."""
        at = np.searchsorted(self.vocab, grams)
        inside = at < len(self.vocab)
        return at[inside][self.vocab[at[inside]] == grams[inside]]

    def _rarest(self, grams: np.ndarray, budget: int | None, least: int | None = None) -> np.ndarray:
        at = self._known(grams)
        if budget is None or not len(at):
            return at
        sizes = self.starts[at + 1] - self.starts[at]
        order = np.argsort(sizes, kind="stable")
        fits = int(np.searchsorted(np.cumsum(sizes[order]), budget, side="right"))
        return at[order[:max(fits, least or -(-len(at) // 3))]]

    def _count(self, at: np.ndarray) -> np.ndarray:
        if not len(at) or not self.size:
            return np.zeros(self.size, dtype=np.int64)
        runs = [self.postings[self.starts[i]:self.starts[i + 1]] for i in at]
        return np.bincount(np.concatenate(runs), minlength=self.size)


@dataclass(frozen=True)
class Entry:
    source: str
    target: str


@dataclass(frozen=True)
class FuzzyMatch:
    """An approved memory entry like a segment, with its similarity in percent."""

    source: str
    target: str
    similarity: int


class MemoryIndex:
    """The approved memory, indexed for fuzzy lookups; entries added later are scanned until a rebuild."""

    def __init__(self, entries: list[Entry], stamp=None):
        self.entries = list(entries)
        self.norms = normalise_all([e.source for e in self.entries])
        self.lengths = np.fromiter((len(n) for n in self.norms), dtype=np.int64, count=len(self.norms))
        self.ngrams = NgramIndex(self.norms)
        self.position = {e.source: i for i, e in enumerate(self.entries)}
        self.extra: dict[str, tuple[Entry, str]] = {}  # added since the build: source -> (entry, normalised)
        self.stamp = stamp  # newest updated_at read from the store
        self._english: NgramIndex | None = None  # for concordance searches, built on the first
        self._english_norms: list[str] = []
        self._retargeted: set[int] = set()  # entries whose English changed since _english was built

    def __len__(self) -> int:
        return len(self.entries) + len(self.extra)

    def lookup(self, text: str, threshold: float = 70, limit: int = 3) -> list[FuzzyMatch]:
        """The best entries at least `threshold` percent similar to `text`, best first (an equal text too)."""
        query = normalise(text)
        if not query:
            return []
        ratio, norms = fuzz.ratio, self.norms  # a plain loop: process.extract releases the GIL, slow under load
        found = {i: score for i in self._candidates(query, threshold).tolist()
                 if (score := ratio(query, norms[i], score_cutoff=threshold))}
        matches = [FuzzyMatch(self.entries[i].source, self.entries[i].target, round(s)) for i, s in found.items()]
        for entry, norm in list(self.extra.values()):  # a copy: another request may add to it meanwhile
            if score := ratio(query, norm, score_cutoff=threshold):
                matches.append(FuzzyMatch(entry.source, entry.target, round(score)))
        matches.sort(key=lambda m: (-m.similarity, len(m.source), m.source))
        return matches[:limit]

    def _candidates(self, query: str, threshold: float) -> np.ndarray:
        """Entries of a length that can reach the threshold, sharing the most bigrams with the query."""
        if not self.ngrams.size:
            return np.array([], dtype=np.int64)
        grams = bigrams(query)
        shared = self.ngrams.shared(grams, BUDGET)
        t = threshold / 100
        low, high = len(query) * t / (2 - t), len(query) * (2 - t) / max(t, 0.01)
        hits = np.flatnonzero((shared > 0) & (self.lengths >= low) & (self.lengths <= high))
        if len(hits) <= CANDIDATES:
            return hits
        return hits[np.argpartition(-shared[hits], CANDIDATES)[:CANDIDATES]]

    def containing(self, phrase: str) -> list[Entry]:
        """Entries whose Chinese or English contains the phrase (compared normalised): every bigram of the
        phrase must be in the entry, then the phrase itself."""
        query = normalise(phrase)
        if self._english is None:
            self._english_norms = normalise_all([e.target for e in self.entries])
            self._english = NgramIndex(self._english_norms)
        recent = [e for e, _ in list(self.extra.values())] + [self.entries[i] for i in list(self._retargeted)]
        found = [e for e in recent if query in normalise(e.source) or query in normalise(e.target)]
        if len(query) < 2:  # no bigram to look up: one character is searched for in every entry
            candidates = range(len(self.entries))
        else:
            grams = bigrams(query, marked=False)
            candidates = np.union1d(self.ngrams.having_all(grams, BUDGET),
                                    self._english.having_all(grams, BUDGET)).tolist()
        zh, en, changed = self.norms, self._english_norms, self._retargeted
        hits = [self.entries[i] for i in candidates if i not in changed and (query in zh[i] or query in en[i])]
        return list({e.source: e for e in hits + found}.values())

    def update(self, source: str, target: str) -> None:
        """A new or changed approved pair: changed in place, or kept aside until the next rebuild."""
        at = self.position.get(source)
        if at is not None:
            self.entries[at] = Entry(source, target)
            self._retargeted.add(at)
        else:
            self.extra[source] = (Entry(source, target), normalise(source))


_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store engine -> its MemoryIndex
_lock = threading.Lock()


def memory_index(store: Store) -> MemoryIndex:
    """The store's memory index, built once per process and brought up to date on each call."""
    with _lock:
        index = _cache.get(store.engine)
        if index is None or len(index.extra) > REBUILD_AFTER or store.memory_count() < len(index):  # (or forgot)
            index = _cache[store.engine] = _build(store)
        else:
            _refresh(store, index)
        return index


def _build(store: Store) -> MemoryIndex:
    rows = store.memory_changes()
    return MemoryIndex([Entry(r.source, r.target) for r in rows], rows[-1].updated_at if rows else None)


def _refresh(store: Store, index: MemoryIndex) -> None:
    for row in store.memory_changes(index.stamp):
        index.update(row.source, row.target)
        index.stamp = row.updated_at
