"""Review actions as both the web UI and the CLI perform them.

They wrap the gate's rules with what follows an action: QA checks on a reviewer's edit, and
when an approval completes a document, the Prefect event and the `approved` notification. Each
hands the gate the project's glossary as it is now, so no forbidden rendering is approved.

The `approved` notification tells every approval the store recorded since the last one told
(`.zaitun/approved-told.json`, the store's event id): one message for all a translate pass approved
from memory, and whoever publishes tells them first (`tell_approvals`), so "Approved" never
follows the "Online" of the same page, whichever process notices the approval first.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zaitun import days, events, statefiles
from zaitun.errors import StateUnreadable
from zaitun.notify import Notifier
from zaitun.project import Project
from zaitun.review import gate, qa
from zaitun.review.gate import ApproveResult
from zaitun.state.segments import MEMORY_APPROVER
from zaitun.state.store import Store
from zaitun.translate.glossary import Glossary

if TYPE_CHECKING:  # a build's store (zaitun build tells approvals before "Online")
    from zaitun.state.lazy import LazyStore

log = logging.getLogger(__name__)

Defer = Callable[..., None]  # e.g. FastAPI's BackgroundTasks.add_task: run later, off the request


def approve(project: Project, store: Store, slug: str, seen: dict[str, str], actor: str,
            defer: Defer | None = None, via: str = "review") -> ApproveResult:
    """Approve segments, each at the version the actor saw (seg_id -> version);
    `via="memory"` is the translate stage approving the memory matches it just drafted."""
    tell_approvals_from_now(project, store)
    result = gate.approve(store, slug, seen, actor, glossary=qa.glossary(project.glossary_dir), via=via)
    return _announced(project, store, slug, actor, result, defer)


def approve_unflagged(project: Project, store: Store, slug: str, seen: dict[str, str] | str, actor: str,
                      defer: Defer | None = None) -> ApproveResult:
    """The unflagged drafts a page showed (seg_id -> version), or those a `review show` token names."""
    glossary = qa.glossary(project.glossary_dir)
    tell_approvals_from_now(project, store)
    if isinstance(seen, str):
        result = gate.approve_unflagged_token(store, slug, seen, actor, glossary=glossary)
    else:
        result = gate.approve_unflagged(store, slug, seen, actor, glossary=glossary)
    return _announced(project, store, slug, actor, result, defer)


def edit(project: Project, store: Store, slug: str, seg_id: str, target: str, actor: str,
         approve_now: bool = False, defer: Defer | None = None, based_on: str | None = None,
         keep_flags: bool = False) -> ApproveResult:
    """Store a reviewer's target with its QA issues (and, with `keep_flags`, the draft's flags of where it stands:
    see gate.edit); approving a flagged edit is allowed (they saw it), unless it holds a forbidden rendering."""
    source = (store.segment(slug, seg_id) or {}).get("source", "")
    issues = qa.check(project.glossary_dir, source, target.strip()) if source else []
    tell_approvals_from_now(project, store)
    result = gate.edit(store, slug, seg_id, target, actor, glossary=qa.glossary(project.glossary_dir), issues=issues,
                       approve_now=approve_now, based_on=based_on, keep_flags=keep_flags)
    if seg_id in result.approved and issues:  # told with the approval: found only now, in the text as typed
        result.over_flags[seg_id] = issues
    return _announced(project, store, slug, actor, result, defer)


@dataclass
class TranslateGate:
    """The gate as the translate pass uses it (zaitun.translate.pipeline.ReviewGate): the documents its memory
    approvals complete are held in `completed` and announced together once the pass ends (`announce_pass`);
    the approved segments its releases sent back to review, in `held` (slug -> seg_ids), for the pass to count."""

    project: Project
    store: Store
    completed: list[str] = field(default_factory=list)
    held: dict[str, set[str]] = field(default_factory=dict)

    def approve(self, slug: str, seen: dict[str, str]) -> int:
        result = approve(self.project, self.store, slug, seen, actor=MEMORY_APPROVER, via="memory",
                         defer=self._hold)
        self.held.setdefault(slug, set()).update(result.held)
        return len(result.approved)

    def _hold(self, _announce, _project, _store, slug: str, _actor: str) -> None:
        self.completed.append(slug)

    def renew_release(self, slug: str) -> bool:
        renewal = gate.renew_release(self.store, slug, glossary=self.glossary)
        self.held.setdefault(slug, set()).update(renewal.held)
        return renewal.released

    def sent_back(self, slug: str) -> set[str]:
        return self.held.get(slug, set())

    @functools.cached_property
    def glossary(self) -> Glossary:
        """Read once a pass: the pass asks every document whether to release it again."""
        return qa.glossary(self.project.glossary_dir)


OFFLINE_NOTE = "the English page goes offline at the next build until a corrected translation is approved"


def reject(store: Store, slug: str, seg_id: str, actor: str, comment: str, seen: str) -> gate.Rejection:
    """Reject the segment's translation at the version the actor saw; each document whose English online that
    took off the site is told to Prefect, so the site is built again (see gate.reject)."""
    rejection = gate.reject(store, slug, seg_id, actor, comment, seen=seen)
    for offline in ([slug] if rejection.offline else []) + rejection.offline_elsewhere:
        events.emit(events.DOCUMENT_RETRACTED, offline, retracted_by=actor)
    return rejection


def dated_later(project: Project, store: Store, slug: str) -> dt.date | None:
    """The document's date when it is after the project's today: its English is not online yet, approved or not,
    and goes online on that date (the build's rule: days.dated_later)."""
    from zaitun.content.model import document_from_row

    row = store.document(slug)
    date = document_from_row(row).date if row else None
    return date if date is not None and days.dated_later(date, project.today()) else None


def rejected_note(project: Project, store: Store, slug: str, rejection: gate.Rejection) -> str:
    """What a rejection took back besides the segment, for the reviewer who made it ("" when nothing)."""
    notes = []
    if rejection.offline:
        later = dated_later(project, store, slug)
        notes.append(f"approved English of a document dated {later.isoformat()}, not online yet, so its English "
                     "does not go online on that date until a corrected translation is approved" if later else
                     f"approved English of a published document, so {OFFLINE_NOTE}")
    if rejection.recalled:
        recalled = f"taken from translation memory with this English, back in review: {_some(rejection.recalled)}"
        notes.append("; ".join([recalled, *_held_back(project, store, rejection.offline_elsewhere)]))
    return "; ".join(notes)


def reach_notes(project: Project, store: Store, slug: str, reach: gate.Rejection) -> list[str]:
    """What rejecting the segment's English would take back beyond its own document's page (gate.reach), told
    before the reviewer confirms: empty when nothing."""
    others = [doc for doc in reach.documents if doc != slug]
    here = sum(where.rsplit(" segment ", 1)[0] == slug for where in reach.recalled)
    notes = [f"{counted(len(others), 'other document')} took this English from translation memory and "
             f"{'comes' if len(others) == 1 else 'come'} back to review: {_some(others, more=BEFORE)}"] * bool(others)
    notes += [f"{counted(here, 'other segment')} of this document took it from translation memory and "
              f"{'comes' if here == 1 else 'come'} back to review"] * bool(here)
    return notes + _held_back(project, store, reach.offline_elsewhere, more=BEFORE)


BEFORE = ""  # no pointer to `zaitun status`: it lists them only once rejected


def _held_back(project: Project, store: Store, slugs: list[str], more: str = " (see `zaitun status`)") -> list[str]:
    """How the English of these documents (approved from memory with rejected English) is held back: the page
    online goes offline; one dated later does not go online on its date."""
    later = [slug for slug in slugs if dated_later(project, store, slug)]
    online = [slug for slug in slugs if slug not in later]
    return ([f"the English page of {_some(online, more=more)} goes offline at the next build until it is "
             "approved"] * bool(online)
            + [f"the English of {_some(later, more=more)}, dated later, does not go online on its date until it "
               "is approved"] * bool(later))


def counted(n: int, thing: str) -> str:
    """`1 file`, `2 files`: a number of things, the noun agreeing."""
    return f"{n:,} {thing}{'' if n == 1 else 's'}"


def _some(names: list[str], shown: int = 5, more: str = " (see `zaitun status`)") -> str:
    """A few names and how many more: a sentence memory gave a thousand documents makes no readable list."""
    rest = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {rest:,} more{more}" if rest > 0 else "")


def _announced(project: Project, store: Store, slug: str, actor: str, result: ApproveResult,
               defer: Defer | None) -> ApproveResult:
    if result.completed:
        (defer or _call)(announce_approval, project, store, slug, actor)
    return result


def _call(fn: Callable, *args) -> None:
    fn(*args)


def announce_approval(project: Project, store: Store, slug: str, actor: str) -> None:
    """Tell the `approved` channels, then Prefect (whose publish run tells "Online"), that a document is ready
    to publish. Never raises."""
    announce_pass(project, store, [slug], actor)


def announce_pass(project: Project, store: Store, slugs: list[str], actor: str = MEMORY_APPROVER) -> None:
    """What a pass (or one action) approved: one `approved` message naming every document, then a Prefect
    event for each. Never raises."""
    try:
        tell_approvals(project, store)
    except Exception:
        log.exception("telling the approval of %s failed", ", ".join(slugs))
    for slug in dict.fromkeys(slugs):
        try:
            events.emit(events.DOCUMENT_APPROVED, slug, approved_by=actor)
        except Exception:
            log.exception("announcing the approval of %s failed", slug)


TOLD = "approved-told.json"  # the store's last event whose approvals the `approved` channels were told


def tell_approvals(project: Project, store: Store | LazyStore) -> list[str]:
    """Tell the `approved` channels, in one message, of every document approved since the last told; the
    slugs told. Held (flock) until the message is in the outbox: a publish calling this first cannot put its
    "Online" ahead of it."""

    with _told(project, store) as told:
        fresh = store.events_since(told["event"])
        if not fresh:
            return []
        approvals = {e["slug"]: e["payload"].get("approved_by", "?") for e in fresh
                     if e["name"] == events.DOCUMENT_APPROVED and e["slug"]}
        notifier = Notifier(project)
        if approvals and notifier.urls("approved"):
            notifier.notify("approved", *_approved_message(project, store, approvals))
        told["event"] = fresh[-1]["id"]
        return list(approvals)


def tell_approvals_from_now(project: Project, store: Store) -> None:
    """Before a first approval: start telling from the store's present, not from its whole history."""
    with _told(project, store):
        pass


REVIEW_TOLD = "review-told.json"  # the store's last event whose drafts the `ready_for_review` channels were told


def tell_drafts(project: Project, store: Store | LazyStore,
                message: Callable[[dict[str, int]], tuple[str, str] | None]) -> dict[str, int]:
    """Tell the `ready_for_review` channels, in one `message` (of slug -> segments left to review), of every
    document drafted for review since the last told (a translate pass stopped before it told keeps nothing from
    the next): those documents."""
    with _told(project, store, REVIEW_TOLD, "drafts to review") as told:
        fresh = store.events_since(told["event"])
        if not fresh:
            return {}
        waiting: dict[str, int] = {}
        for event in fresh:
            if event["name"] == events.TRANSLATE_DRAFTED and event["slug"]:
                payload = event["payload"]
                left = payload.get("to_review", payload.get("segments", 0) - payload.get("approved", 0))
                if left > 0:
                    waiting[event["slug"]] = waiting.get(event["slug"], 0) + left
        notifier = Notifier(project)
        if waiting and notifier.urls("ready_for_review") and (news := message(waiting)):
            notifier.notify("ready_for_review", *news)
        told["event"] = fresh[-1]["id"]
        return waiting


def tell_drafts_from_now(project: Project, store: Store) -> None:
    """Before a project's first translate pass (or one of a zaitun that told only each pass's own drafts): start
    telling drafts from the store's present, not from its whole history."""
    if not (project.state_dir / REVIEW_TOLD).exists():
        with _told(project, store, REVIEW_TOLD, "drafts to review"):
            pass


@contextmanager
def _told(project: Project, store: Store | LazyStore, record: str = TOLD, what: str = "approvals"):
    """The told position (`{"event": id}`) of `record`, held while it is used and written back after. None yet:
    from the store's present. A record that does not read is set aside, and the `what` recorded since it was
    last written are told: those it did not get to record, not every one of the store's history again."""
    path = project.state_dir / record
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            found = statefiles.read(path, _is_told)
        except StateUnreadable as exc:
            event = _told_before(project, store, exc, what)
            if event is None:  # it stays in place: nothing told, nothing written, and the approval goes on
                yield {"event": store.last_event_id()}
                return
            found = ({"event": event}, b"")
        told = {"event": found[0]["event"]} if found else {"event": store.last_event_id()}
        before = dict(told) if found and found[1] else None
        yield told
        if told != before:
            statefiles.write(path, told)


def _told_before(project: Project, store: Store | LazyStore, unreadable: StateUnreadable, what: str = "approvals"
                 ) -> int | None:
    """The last event recorded before the record that did not read was last written (each tell writes it),
    once it is set aside; None when it cannot be moved aside (then none of `what` is told, and none refused)."""
    try:
        since = dt.datetime.fromtimestamp(unreadable.path.stat().st_mtime, dt.UTC)
    except OSError:
        since = dt.datetime.now(dt.UTC)
    try:
        statefiles.set_aside(project, unreadable, TOLD_AFTER.format(what=what,
                                                                    since=days.local(since, project.zone)))
    except StateUnreadable as exc:
        cause = exc.__cause__  # why it could not be moved (statefiles.set_aside)
        nothing = "no approval is told" if what == "approvals" else f"none of the {what} is told"
        log.error("%s, nor moved aside (%s): %s until it is moved away (or deleted), nor then those recorded "
                  "meanwhile; the work goes on", unreadable, getattr(cause, "strerror", None) or cause, nothing)
        return None
    return store.last_event_id(before=since)


def _is_told(value: object) -> bool:
    return isinstance(value, dict) and type(value.get("event")) is int


TOLD_AFTER = ("the {what} recorded after it was last written ({since:%Y-%m-%d %H:%M %z}) are told from the "
              "store's events; none before is told again")


def _approved_message(project: Project, store: Store | LazyStore, approvals: dict[str, str]) -> tuple[str, str]:
    """Title and body of the `approved` notification: each document as staff know it, and who approved last."""
    from pathlib import Path

    from zaitun.content.model import document_from_row

    lines, titles = [], []
    for slug, actor in approvals.items():
        row = store.document(slug) or {}
        try:
            title = document_from_row(row).title or slug
        except Exception:  # the message still names the slug
            title = slug
        path = Path(row.get("path", slug))
        shown = path.relative_to(project.root) if path.is_relative_to(project.root) else path
        last = "translation memory (exact matches)" if actor == MEMORY_APPROVER else actor
        lines.append(f"{title} ({slug}, {shown}): every segment is approved, the last by {last}.")
        titles.append(title)
    if len(lines) == 1:
        return (f"Approved: {titles[0]}", f"{lines[0]}\n"
                "Its English page goes online with the next publish; notify.published names its address.")
    shown_lines = lines[:SHOWN] + ([f"... and {len(lines) - SHOWN} more (zaitun status lists them all)"]
                                   if len(lines) > SHOWN else [])
    return (f"{len(lines)} documents approved", "\n".join([
        *shown_lines, "Their English pages go online with the next publish; notify.published names their addresses."]))


SHOWN = 20  # documents named in one message; the rest are counted
