"""Memory suggestions beside the segments a reviewer still has to decide.

For a segment without an exact memory match, the approved entries at least
`translate.fuzzy_threshold` percent similar, best first, with the differences between the two
Chinese texts marked; when the entry differs only in numbers, dates, document numbers or terms,
the English repaired for this segment comes with it. The web UI shows them beside the segment
(one key takes the first into the editor) and `zaitun review show --json` lists them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from zaitun.project import Project
from zaitun.review import qa
from zaitun.review.views import char_diff
from zaitun.state.segments import SegmentState
from zaitun.state.store import Store
from zaitun.translate.fuzzy import memory_index
from zaitun.translate.nearmatch import repair

LIMIT = 3  # suggestions per segment


@dataclass
class Suggestion:
    """One memory entry like the segment, as a reviewer sees it."""

    similarity: int
    source: str
    target: str
    memory_parts: list[tuple[bool, str]] = field(default_factory=list)  # (differs?, text) of the memory's Chinese
    segment_parts: list[tuple[bool, str]] = field(default_factory=list)  # the same for the segment's Chinese
    repaired: str = ""  # the memory's English with changed numbers, dates and terms replaced
    replaced: list[dict] = field(default_factory=list)

    @property
    def english(self) -> str:
        """What taking the suggestion puts into the editor."""
        return self.repaired or self.target

    def as_json(self) -> dict:
        return {"similarity": self.similarity, "source": self.source, "target": self.target,
                "repaired": self.repaired or None, "replaced": self.replaced,
                "differences": {"memory": [[d, t] for d, t in self.memory_parts],
                                "segment": [[d, t] for d, t in self.segment_parts]}}


def suggestions(project: Project, store: Store, states: list[SegmentState]) -> dict[str, list[Suggestion]]:
    """Suggestions for every segment not yet approved that has no exact memory match, by segment id."""
    open_states = [s for s in states if s.state != "approved"]
    if not open_states:
        return {}
    exact = store.memory_lookup([s.source for s in open_states])
    index = memory_index(store)
    glossary = qa.glossary(project.glossary_dir)
    threshold = float(project.config.get("translate.fuzzy_threshold"))
    out = {}
    for state in open_states:
        if state.source in exact:
            continue
        found = [_suggestion(state.source, m, glossary) for m in index.lookup(state.source, threshold, LIMIT)]
        if found:
            out[state.seg_id] = found
    return out


def _suggestion(source: str, match, glossary) -> Suggestion:
    memory_parts, segment_parts = char_diff(match.source, source)
    fixed = repair(source, match, glossary)
    return Suggestion(match.similarity, match.source, match.target, memory_parts, segment_parts,
                      fixed.target if fixed and fixed.replaced else "",
                      [asdict(r) for r in fixed.replaced] if fixed else [])
