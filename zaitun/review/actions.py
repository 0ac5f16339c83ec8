"""Review actions as both the web UI and the CLI perform them.

They wrap the gate's rules with what follows an action: QA checks on a reviewer's edit, and
when an approval completes a document, the Prefect event and the `approved` notification. Each
hands the gate the project's glossary as it is now, so no forbidden rendering is approved.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from zaitun import events
from zaitun.notify import Notifier
from zaitun.project import Project
from zaitun.review import gate, qa
from zaitun.review.gate import ApproveResult
from zaitun.state.segments import MEMORY_APPROVER
from zaitun.state.store import Store
from zaitun.translate.glossary import Glossary

log = logging.getLogger(__name__)

Defer = Callable[..., None]  # e.g. FastAPI's BackgroundTasks.add_task: run later, off the request


def approve(project: Project, store: Store, slug: str, seen: dict[str, str], actor: str,
            defer: Defer | None = None, via: str = "review") -> ApproveResult:
    """Approve segments, each at the version the actor saw (seg_id -> version);
    `via="memory"` is the translate stage approving the memory matches it just drafted."""
    result = gate.approve(store, slug, seen, actor, glossary=qa.glossary(project.glossary_dir), via=via)
    return _announced(project, store, slug, actor, result, defer)


def approve_unflagged(project: Project, store: Store, slug: str, seen: dict[str, str] | str, actor: str,
                      defer: Defer | None = None) -> ApproveResult:
    """The unflagged drafts a page showed (seg_id -> version), or those a `review show` token names."""
    glossary = qa.glossary(project.glossary_dir)
    if isinstance(seen, str):
        result = gate.approve_unflagged_token(store, slug, seen, actor, glossary=glossary)
    else:
        result = gate.approve_unflagged(store, slug, seen, actor, glossary=glossary)
    return _announced(project, store, slug, actor, result, defer)


def edit(project: Project, store: Store, slug: str, seg_id: str, target: str, actor: str,
         approve_now: bool = False, defer: Defer | None = None, based_on: str | None = None) -> ApproveResult:
    """Store a reviewer's target with its QA issues; approving a flagged edit is allowed (they saw it),
    unless it holds a forbidden rendering."""
    source = (store.segment(slug, seg_id) or {}).get("source", "")
    issues = qa.check(project.glossary_dir, source, target.strip()) if source else []
    result = gate.edit(store, slug, seg_id, target, actor, glossary=qa.glossary(project.glossary_dir), issues=issues,
                       approve_now=approve_now, based_on=based_on)
    return _announced(project, store, slug, actor, result, defer)


@dataclass
class TranslateGate:
    """The gate as the translate pass uses it (zaitun.translate.pipeline.ReviewGate): its memory
    approvals are announced like a reviewer's."""

    project: Project
    store: Store

    def approve(self, slug: str, seen: dict[str, str]) -> int:
        return len(approve(self.project, self.store, slug, seen, actor=MEMORY_APPROVER, via="memory").approved)

    def renew_release(self, slug: str) -> bool:
        return gate.renew_release(self.store, slug, glossary=self.glossary)

    @functools.cached_property
    def glossary(self) -> Glossary:
        """Read once a pass: the pass asks every document whether to release it again."""
        return qa.glossary(self.project.glossary_dir)


def reject(store: Store, slug: str, seg_id: str, actor: str, comment: str, seen: str) -> None:
    """Reject the segment's translation at the version the actor saw."""
    gate.reject(store, slug, seg_id, actor, comment, seen=seen)


def _announced(project: Project, store: Store, slug: str, actor: str, result: ApproveResult,
               defer: Defer | None) -> ApproveResult:
    if result.completed:
        (defer or _call)(announce_approval, project, store, slug, actor)
    return result


def _call(fn: Callable, *args) -> None:
    fn(*args)


def _approval_message(project: Project, store: Store, slug: str, actor: str) -> tuple[str, str]:
    """Title and body of the `approved` notification: the document as staff know it, and who approved."""
    from pathlib import Path

    from zaitun.content.model import document_from_row

    row = store.document(slug) or {}
    try:
        title = document_from_row(row).title or slug
    except Exception:  # the message still names the slug
        title = slug
    path = Path(row.get("path", slug))
    shown = path.relative_to(project.root) if path.is_relative_to(project.root) else path
    last = "translation memory (exact matches)" if actor == MEMORY_APPROVER else actor
    return (f"Approved: {title}", f"{title} ({slug}, {shown}): every segment is approved, the last by {last}.\n"
            "Its English page goes online with the next publish; notify.published names its address.")


def announce_approval(project: Project, store: Store, slug: str, actor: str) -> None:
    """Tell Prefect and the `approved` channels that a document is ready to publish. Never raises."""
    try:
        events.emit("zaitun.document.approved", slug, approved_by=actor)
        notifier = Notifier(project)
        if notifier.urls("approved"):
            notifier.notify("approved", *_approval_message(project, store, slug, actor))
    except Exception:
        log.exception("announcing the approval of %s failed", slug)
