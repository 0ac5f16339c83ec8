"""Where each segment of a document stands: its current translation and what a reviewer was shown.

Every stage reads this (translate drafts the pending ones, review approves, status counts,
publish releases), so it lives below them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

from zaitun.state.store import Connection, Store, sha

MEMORY_APPROVER = "memory"  # who approved a draft the translate pass approved as an exact memory match
# the QA flag of English taken from memory that a reviewer then rejected elsewhere (zaitun.review.gate.reject)
MEMORY_REJECTED = "memory-rejected"
MEMORY_CONTESTED = "memory-contested"  # a memory match flagged: approved elsewhere with other English too
MOVED = "moved"  # a repeated Chinese text whose approved English now stands beside other text (review.gate)
BESIDE_CHANGED = "beside-changed"  # numbers, addresses or images beside the text changed (review.gate)
WIDENED = "validity-widened"  # a validity date the release online gives is gone from the Chinese (review.gate)
# flags about where a segment stands, not about its English: they hold for any English written for it (an imported
# translation, review.xliff) until a reviewer approves one
SITUATION = frozenset({MEMORY_REJECTED, MEMORY_CONTESTED, MOVED, BESIDE_CHANGED, WIDENED})


class DocumentState(StrEnum):
    """A document in the store: taken in from content/, or withdrawn when its file was deleted."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class TranslationState(StrEnum):
    """One stored translation version; a newer draft supersedes a draft or a rejected one."""

    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class SegmentStatus(StrEnum):
    """A segment as reviewers see it: its current translation's state, or pending when there is none.
    An approval binds the Chinese it was given for, so changed Chinese reads as a draft again."""

    PENDING = "pending"
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"


class Progress(TypedDict):
    """How far review of a document is: approved of total segments, flagged ones not yet approved."""

    approved: int
    total: int
    flagged: int
    complete: bool


@dataclass
class SegmentState:
    """A segment with its current translation, as reviewers see it."""

    seg_id: str
    position: int
    kind: str
    source: str
    translation: dict | None
    previous: dict | None = None  # {"source": old Chinese, "target": old approved English}

    @property
    def state(self) -> SegmentStatus:
        tr = self.translation
        if tr is None:
            return SegmentStatus.PENDING
        if approved_as_is(tr["state"], tr["source_hash"], self.source):
            return SegmentStatus.APPROVED
        return SegmentStatus.REJECTED if tr["state"] == TranslationState.REJECTED else SegmentStatus.DRAFT

    @property
    def issues(self) -> list[dict]:
        return self.translation["issues"] if self.translation else []

    @property
    def target(self) -> str:
        return self.translation["target"] if self.translation else ""

    @property
    def version(self) -> str:
        """What a reviewer is shown, as a short token: approvals must name it (see zaitun.review.gate)."""
        tr = self.translation
        if tr is None:
            return "none"
        shown = json.dumps([tr["id"], self.source, tr["target"], tr["issues"], self.state, tr["comment"]],
                           ensure_ascii=False)
        return sha(shown)[:10]

    @property
    def unflagged_draft(self) -> bool:
        return self.state == SegmentStatus.DRAFT and not self.issues and bool(self.target.strip())


def segment_states(store: Store, slug: str, conn: Connection | None = None) -> list[SegmentState]:
    current = store.current_translations(slug, conn)
    states = []
    for seg in store.segments(slug):
        previous = _approved_before(store, slug, seg["prev_seg_id"]) if seg["prev_seg_id"] else None
        states.append(SegmentState(seg["seg_id"], seg["position"], seg["kind"], seg["source"],
                                   current.get(seg["seg_id"]), previous))
    return states


def approved_as_is(state: str, source_hash: str, source: str) -> bool:
    """Whether a translation is an approval of this very Chinese (a segment's Chinese changed since reads as a
    draft again)."""
    return state == TranslationState.APPROVED and source_hash == sha(source)


def progress_of_all(store: Store) -> dict[str, tuple[Progress, bool]]:
    """Every document's `progress`, and whether any of its segments has a translation, in two queries whatever
    their number (two for each took the status of 5,000 documents seconds): slug -> both."""
    current = store.translation_states()
    counted: dict[str, list[tuple[bool, bool]]] = {}
    translated: set[str] = set()
    for slug, seg_id, source in store.active_segment_rows():
        tr = current.get((slug, seg_id))
        if tr is not None:
            translated.add(slug)
        counted.setdefault(slug, []).append((tr is not None and approved_as_is(tr[0], tr[1], source),
                                             tr is not None and tr[2]))
    return {slug: (_progress(segments), slug in translated) for slug, segments in counted.items()}


def _approved_before(store: Store, slug: str, seg_id: str) -> dict:
    """What the segment replaced, as last approved: the Chinese changed twice before a review (30日, then 45日,
    then 60日) is compared with the Chinese and English approved (30日), not with an edit never approved. The
    segment it replaced when none of them was ever approved."""
    first, seen = None, set()
    while seg_id and seg_id not in seen and len(seen) < CHAIN:
        seen.add(seg_id)
        old = store.segment(slug, seg_id)
        if (approved := _last_approved(store, slug, seg_id)) is not None:
            return {"source": old["source"] if old else "", "target": approved["target"]}
        first = first or {"source": old["source"] if old else "", "target": ""}
        seg_id = old["prev_seg_id"] if old else None
    return first or {"source": "", "target": ""}


CHAIN = 50  # edits of one sentence looked back through for its approved form


def _last_approved(store: Store, slug: str, seg_id: str) -> dict | None:
    approved = [t for t in store.history(slug, seg_id)
                if t["reviewed_by"] and t["state"] != TranslationState.REJECTED]
    return approved[-1] if approved else None


def progress(states: list[SegmentState]) -> Progress:
    return _progress([(s.state == SegmentStatus.APPROVED, bool(s.issues)) for s in states])


def _progress(segments: list[tuple[bool, bool]]) -> Progress:
    """Of each segment, whether it is approved and whether its translation has issues."""
    approved = sum(is_approved for is_approved, _ in segments)
    return Progress(approved=approved, total=len(segments),
                    flagged=sum(flagged and not is_approved for is_approved, flagged in segments),
                    complete=bool(segments) and approved == len(segments))
