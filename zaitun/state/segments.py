"""Where each segment of a document stands: its current translation and what a reviewer was shown.

Every stage reads this (translate drafts the pending ones, review approves, status counts,
publish releases), so it lives below them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from zaitun.state.store import Connection, Store, sha


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
    def state(self) -> str:
        """pending (nothing yet) | draft | approved | rejected."""
        tr = self.translation
        if tr is None:
            return "pending"
        if tr["state"] == "approved" and tr["source_hash"] == sha(self.source):
            return "approved"
        return tr["state"] if tr["state"] in ("draft", "rejected") else "draft"

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
        return self.state == "draft" and not self.issues and bool(self.target.strip())


def segment_states(store: Store, slug: str, conn: Connection | None = None) -> list[SegmentState]:
    current = store.current_translations(slug, conn)
    states = []
    for seg in store.segments(slug):
        previous = None
        if seg["prev_seg_id"]:
            old = store.segment(slug, seg["prev_seg_id"])
            old_tr = _last_approved(store, slug, seg["prev_seg_id"])
            previous = {"source": old["source"] if old else "", "target": old_tr["target"] if old_tr else ""}
        states.append(SegmentState(seg["seg_id"], seg["position"], seg["kind"], seg["source"],
                                   current.get(seg["seg_id"]), previous))
    return states


def _last_approved(store: Store, slug: str, seg_id: str) -> dict | None:
    approved = [t for t in store.history(slug, seg_id) if t["reviewed_by"] and t["state"] != "rejected"]
    return approved[-1] if approved else None


def progress(states: list[SegmentState]) -> dict:
    approved = sum(s.state == "approved" for s in states)
    return {"approved": approved, "total": len(states),
            "flagged": sum(bool(s.issues) and s.state != "approved" for s in states),
            "complete": bool(states) and approved == len(states)}
