"""The rules of the review gate: who may approve, what an approval binds, when a document is done.

An approval is bound to the exact source and target it approved (their hashes); when the
Chinese changes the segment gets a new id and comes back to review, while unchanged
segments keep their approval. The last approval of a document snapshots its English as a
release, which is what the publisher puts online.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Connection

from zaitun.content.model import Document, parse_document
from zaitun.content.schema import control_character
from zaitun.content.segmenter import document_pieces, render_pieces
from zaitun.errors import ReviewError
from zaitun.store import Store, now, sha, translations

APPROVER_ROLES = {"reviewer", "admin"}
ROLES = ("reviewer", "editor", "admin")


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


@dataclass
class ApproveResult:
    approved: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # seg_id -> why
    completed: bool = False  # this action approved the document's last pending segment


def require_role(store: Store, actor: str, roles: set[str] = APPROVER_ROLES) -> dict:
    user = store.user(actor)
    if user is None:
        raise ReviewError(f"unknown user {actor!r}: add one with `zaitun user add {actor} --role reviewer`")
    if user["role"] not in roles:
        raise ReviewError(f"user {actor!r} is {user['role']}; only {' or '.join(sorted(roles))} may do this")
    return user


def document_from_row(row: dict) -> Document:
    return parse_document(row["raw"], Path(row["path"]), row["section"], row["slug"])


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


def _find(store: Store, slug: str, seg_id: str, conn: Connection) -> SegmentState:
    for state in segment_states(store, slug, conn):
        if state.seg_id == seg_id:
            return state
    raise ReviewError(f"{slug}: no current segment {seg_id!r} (see `zaitun review show {slug}`)")


def approve(store: Store, slug: str, seg_ids: list[str], actor: str, via: str = "review") -> ApproveResult:
    """Approve segments' current drafts; the document's last approval makes a release."""
    if via == "review":
        require_role(store, actor)
    _require_document(store, slug)
    with store.tx() as conn:
        return _approve_in(store, conn, slug, seg_ids, actor, via)


def _approve_in(store: Store, conn: Connection, slug: str, seg_ids: list[str], actor: str, via: str) -> ApproveResult:
    result = ApproveResult()
    before = segment_states(store, slug, conn)  # read once: approving a whole document stays linear
    by_id = {s.seg_id: s for s in before}
    for seg_id in seg_ids:
        seg = by_id.get(seg_id) or _find(store, slug, seg_id, conn)
        why = "already approved" if seg_id in result.approved else _cannot_approve(seg)
        if why:
            result.skipped[seg_id] = why
            if seg.state == "approved":  # a concurrent or repeated approval is still an action
                store.log(conn, actor, "approve", slug, seg_id, before="approved", after=seg.target,
                          note=f"already approved by {seg.translation['reviewed_by']}; nothing changed")
            continue
        _mark_approved(store, conn, slug, seg, actor, via)
        result.approved.append(seg_id)
    if result.approved and not progress(before)["complete"] and progress(segment_states(store, slug, conn))["complete"]:
        make_release(store, conn, slug, actor)
        result.completed = True
    return result


def _cannot_approve(seg: SegmentState) -> str | None:
    if seg.translation is None or not seg.target.strip():
        return "nothing to approve: the segment has no translation yet (edit it first)"
    if seg.state == "approved":
        return "already approved"
    return None


def _mark_approved(store: Store, conn: Connection, slug: str, seg: SegmentState, actor: str, via: str) -> None:
    stamp = now()
    conn.execute(update(translations).where(translations.c.id == seg.translation["id"])
                 .values(state="approved", reviewed_by=actor, reviewed_at=stamp,
                         source_hash=sha(seg.source)))
    store.remember(conn, seg.source, seg.target, origin="review", approved_by=actor)
    action = "approve-from-memory" if via == "memory" else "approve"
    store.log(conn, actor, action, slug, seg.seg_id, before=seg.state, after=seg.target)


def approve_all_unflagged(store: Store, slug: str, actor: str) -> ApproveResult:
    states = segment_states(store, slug)
    ids = [s.seg_id for s in states if s.state in ("draft",) and not s.issues and s.target.strip()]
    return approve(store, slug, ids, actor)


def reject(store: Store, slug: str, seg_id: str, actor: str, comment: str) -> None:
    require_role(store, actor)
    if not comment.strip():
        raise ReviewError("a rejection needs a comment that tells the translator what is wrong")
    _require_document(store, slug)
    with store.tx() as conn:
        seg = _find(store, slug, seg_id, conn)
        if seg.translation is None:
            raise ReviewError(f"{slug}/{seg_id}: nothing to reject yet")
        conn.execute(update(translations).where(translations.c.id == seg.translation["id"])
                     .values(state="rejected", reviewed_by=actor, reviewed_at=now(), comment=comment))
        store.log(conn, actor, "reject", slug, seg_id, before=seg.target, after=None, note=comment)


def edit(store: Store, slug: str, seg_id: str, target: str, actor: str, issues: list[dict] | None = None,
         approve_now: bool = False, glossary_version: str = "") -> ApproveResult:
    """Store a reviewer's new target (kept beside the old one), optionally approving it at once."""
    require_role(store, actor)
    if not target.strip():
        raise ReviewError("the new translation is empty")
    found = control_character(target)
    if found:
        raise ReviewError(f"the new translation holds the control character {found[1]}: remove it")
    _require_document(store, slug)
    with store.tx() as conn:
        seg = _find(store, slug, seg_id, conn)
        store.add_translation(conn, slug, seg_id, seg.source, target.strip(), origin="human",
                              issues=issues or [], created_by=actor, glossary_version=glossary_version)
        store.log(conn, actor, "edit", slug, seg_id, before=seg.target, after=target.strip())
        # approving in the same transaction: nobody else's edit can slip in between
        return _approve_in(store, conn, slug, [seg_id], actor, "review") if approve_now else ApproveResult()


def _require_document(store: Store, slug: str) -> dict:
    row = store.document(slug)
    if row is None or row["status"] != "active":
        raise ReviewError(f"no document {slug!r} in review (see `zaitun review list`)")
    return row


def make_release(store: Store, conn: Connection, slug: str, actor: str) -> None:
    """Snapshot the approved English of a complete document for the publisher."""
    row = store.document(slug)
    doc = document_from_row(row)
    meta_segs, pieces = document_pieces(doc)
    current = store.current_translations(slug, conn)
    targets = {seg_id: tr["target"] for seg_id, tr in current.items()}
    meta = {seg.kind: targets.get(seg.id, "") for seg in meta_segs}
    approvals = [tr for seg_id, tr in current.items() if tr["state"] == "approved"]
    payload = {
        "meta": meta,
        "body": render_pieces(pieces, targets),
        "provenance": {
            "approved_by": sorted({tr["reviewed_by"] for tr in approvals if tr["reviewed_by"]}),
            "approved_at": max((str(tr["reviewed_at"]) for tr in approvals if tr["reviewed_at"]), default=""),
            "engines": sorted({tr["engine"] or tr["origin"] for tr in approvals}),
            "glossary_versions": sorted({tr["glossary_version"] for tr in approvals if tr["glossary_version"]}),
            "segments": len(approvals),
        },
    }
    store.add_release(conn, slug, "en", row["raw_hash"], payload)
    store.log(conn, actor, "release", slug, note="all segments approved")
    store.record_event(conn, "zaitun.document.approved", slug, approved_by=actor)
