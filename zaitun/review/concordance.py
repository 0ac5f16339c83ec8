"""Concordance: the approved memory entries that use a Chinese or English phrase, and the documents
whose segments use those entries, so a reviewer can see how a phrase was translated before."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zaitun.content.model import document_from_row
from zaitun.state.store import Store
from zaitun.translate.fuzzy import memory_index

LIMIT = 50


@dataclass
class Use:
    slug: str
    title: str
    seg_id: str


@dataclass
class Hit:
    """One memory entry using the phrase; parts are (matched?, text) runs for highlighting."""

    source: str
    target: str
    source_parts: list[tuple[bool, str]]
    target_parts: list[tuple[bool, str]]
    uses: list[Use] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"source": self.source, "target": self.target,
                "documents": [u.__dict__ for u in self.uses]}


@dataclass
class Result:
    phrase: str
    hits: list[Hit]
    total: int  # entries found; at most LIMIT are shown


def search(store: Store, phrase: str, limit: int = LIMIT) -> Result:
    """Entries whose Chinese or English contains `phrase` (ignoring case, width and spaces)."""
    phrase = phrase.strip()
    if not phrase:
        return Result(phrase, [], 0)
    entries = memory_index(store).containing(phrase)
    pattern = _pattern(phrase)
    hits = [Hit(e.source, e.target, _parts(pattern, e.source), _parts(pattern, e.target))
            for e in sorted(entries, key=lambda e: (len(e.source), e.source))[:limit]]
    _add_uses(store, hits)
    return Result(phrase, hits, len(entries))


def _pattern(phrase: str) -> re.Pattern:
    """The phrase with any spaces between its characters, ignoring case."""
    chars = [re.escape(c) for c in phrase if not c.isspace()]
    return re.compile(r"\s*".join(chars), re.IGNORECASE)


def _parts(pattern: re.Pattern, text: str) -> list[tuple[bool, str]]:
    out, pos = [], 0
    for m in pattern.finditer(text):
        if m.end() > m.start():
            out += [(False, text[pos:m.start()]), (True, m.group(0))]
            pos = m.end()
    out.append((False, text[pos:]))
    return [p for p in out if p[1]]


def _add_uses(store: Store, hits: list[Hit]) -> None:
    """The active documents whose current segments have an entry's Chinese."""
    by_source = {h.source: h for h in hits}
    if not by_source:
        return
    titles: dict[str, str] = {}
    for row in store.active_uses(list(by_source)):
        if row["slug"] not in titles:
            titles[row["slug"]] = document_from_row(row).title
        by_source[row["source"]].uses.append(Use(row["slug"], titles[row["slug"]], row["seg_id"]))
