"""Repair of near matches: a draft made from an approved memory entry whose Chinese differs from a
new segment only in numbers, dates, document numbers or glossary terms (names included).

Both Chinese texts are cut into the same run of pieces: literal text, and the placeables
(numbers, dates, 〔2024〕11号, glossary terms). When the literal text agrees everywhere, each
changed placeable is looked up in the memory's English and replaced there, written as that
English writes it: "December 31, 2026" becomes "December 31, 2027", "31 December 2026" becomes
"31 December 2027", "three" becomes "five", "II." becomes "III.", a term becomes its approved
English. Whatever cannot be found exactly once per use in the English is not guessed at: the
entry is then only a suggestion. A repaired draft goes through the same QA checks as any draft
and is marked (check "repaired") so that no one approves it without looking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from zaitun.translate import placeables_en as en
from zaitun.translate.fuzzy import FuzzyMatch, MemoryIndex
from zaitun.translate.glossary import Glossary
from zaitun.translate.placeables import Piece, pieces


@dataclass(frozen=True)
class Replacement:
    """One piece changed: the memory's Chinese and English for it, and the new ones."""

    kind: str
    old_zh: str
    new_zh: str
    old_en: str
    new_en: str


@dataclass
class Repair:
    """A draft built from a near match, with what was replaced in the memory's English."""

    target: str
    match: FuzzyMatch
    replaced: list[Replacement] = field(default_factory=list)

    def issue(self) -> dict:
        """The mark a repaired draft carries: the similarity and the replaced pieces, for reviewers."""
        done = "; ".join(f"{r.old_zh} → {r.new_zh} (“{r.old_en}” → “{r.new_en}”)" for r in self.replaced)
        return {"check": "repaired",
                "message": f"repaired from a {self.match.similarity}% match: {done or 'nothing replaced'}",
                "repair": {"similarity": self.match.similarity, "memory_source": self.match.source,
                           "memory_target": self.match.target, "replaced": [asdict(r) for r in self.replaced]}}


class Unrepairable(Exception):
    """The memory's English does not show a changed piece exactly once per use."""


def repair(source: str, match: FuzzyMatch, glossary: Glossary) -> Repair | None:
    """The memory entry's English with the changed placeables replaced, or None when the Chinese texts
    differ in anything else, or a changed piece cannot be found in the English."""
    for numbered_terms in (True, False):
        new, old = pieces(source, glossary, numbered_terms), pieces(match.source, glossary, numbered_terms)
        if len(new) == len(old) and all(_shape(a) == _shape(b) for a, b in zip(old, new, strict=True)):
            try:
                return _applied(match, *_edits(old, new, match.target, glossary))
            except Unrepairable:
                return None
    return None


def _shape(piece: Piece) -> tuple:
    """What must agree between the two texts: literal text as it is, a date's form (2026年6月, 6月12日)."""
    if piece.kind == "text":
        return ("text", piece.text)
    return (piece.kind, piece.value[0]) if piece.kind == "date" else (piece.kind,)


def _applied(match: FuzzyMatch, edits: list[tuple[int, int, str]], replaced: list[Replacement]) -> Repair:
    target = match.target
    for start, end, text in sorted(edits, reverse=True):
        target = target[:start] + text + target[end:]
    return Repair(target, match, replaced)


def _edits(old: list[Piece], new: list[Piece], english: str, glossary: Glossary):
    """(start, end, text) edits of the English and the replacements they make."""
    pairs = [(a, b) for a, b in zip(old, new, strict=True) if a.kind != "text"]
    terms = en.term_spans(english, {a.value for a, _ in pairs if a.kind == "term"}, glossary)
    taken = [s[:2] for spans in terms.values() for s in spans]
    dates = en.date_spans(english, taken)
    taken += [s[:2] for s in dates]
    docnos = {a.value: en.docno_spans(english, a.value) for a, _ in pairs if a.kind == "docno"}
    taken += [s[:2] for spans in docnos.values() for s in spans]
    found = {"term": terms, "docno": docnos, "date": _group(dates),
             "number": _group(en.number_spans(english, taken))}
    edits, replaced = [], []
    for kind in ("term", "docno", "date", "number"):
        mine = [(a, b) for a, b in pairs if a.kind == kind]
        for value, new_value, olds in _changes(mine):
            spans = found[kind].get(value, [])
            if len(spans) != olds:  # each use shown once in the English, or the pieces cannot be paired
                raise Unrepairable(f"{kind} {value} appears {len(spans)} times in the English, {olds} in the Chinese")
            if kind == "term" and glossary.english_of(new_value) is None:
                raise Unrepairable(f"no approved English for {new_value}")
            made = [(s[0], s[1], en.render(kind, english, s, new_value, glossary)) for s in spans]
            edits += made
            replaced.append(Replacement(kind, _written(mine, value, old=True), _written(mine, new_value, old=False),
                                        english[made[0][0]:made[0][1]], made[0][2]))
    _no_overlaps(edits)
    return edits, replaced


def _changes(pairs: list[tuple[Piece, Piece]]):
    """(old value, new value, uses of the old value) for each changed value; one old value turning into
    two new ones (or staying once and changing once) cannot be placed in the English."""
    targets: dict = {}
    for a, b in pairs:
        targets.setdefault(a.value, []).append(b.value)
    for value, news in targets.items():
        if len(set(news)) > 1:
            raise Unrepairable(f"{value} becomes {sorted(map(str, set(news)))}")
        if news[0] != value:
            yield value, news[0], len(news)


def _written(pairs, value, old: bool) -> str:
    return next((a if old else b).text for a, b in pairs if (a if old else b).value == value)


def _no_overlaps(edits: list[tuple[int, int, str]]) -> None:
    ordered = sorted(edits)
    if any(a[1] > b[0] for a, b in zip(ordered, ordered[1:], strict=False)):
        raise Unrepairable("two replaced pieces overlap in the English")


def _group(spans: list[tuple]) -> dict:
    out: dict = {}
    for span in spans:
        out.setdefault(span[2], []).append(span)
    return out


class Repairer:
    """Repairs for one translate run: near matches from the memory index, tried best first. The index
    is asked for on the first repair, so a run with nothing to repair never builds it."""

    def __init__(self, index: Callable[[], MemoryIndex], glossary: Glossary, threshold: float, tries: int = 5):
        self.index, self.glossary, self.threshold, self.tries = index, glossary, threshold, tries
        self._index: MemoryIndex | None = None

    def __call__(self, source: str) -> Repair | None:
        if self._index is None:
            self._index = self.index()
        for match in self._index.lookup(source, self.threshold, self.tries):
            if match.source != source and (result := repair(source, match, self.glossary)):
                return result
        return None
