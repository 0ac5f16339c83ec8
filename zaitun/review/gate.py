"""The rules of the review gate: who may approve, what an approval binds, when a document is done.

Every approval names the version it approves: a token hashing the translation's id, its
Chinese, its English, its QA issues and its state, which the UI and the command line show
beside each segment. An approval whose version is not the segment's current draft (another
reviewer saved newer text or rejected it, or QA flagged it since) is refused, naming the
segment, so nobody ever approves text they were not shown; a rejection names its version too.
The approval itself stays bound to the exact source and target (their hashes); when the
Chinese changes the segment gets a new id and comes back to review, while unchanged segments
keep their approval. The last approval of a document snapshots its English as a release,
which is what the publisher puts online.

A forbidden rendering (glossary/README.md: it must never appear) is never approved, whatever
QA said when the draft was saved: the gate checks the English against the glossary it is given,
the project's current one. A release is made only of English free of them; a segment approved
before its rendering was forbidden comes back to review instead, and holds the release back.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zaitun.content.model import FACT_FIELDS, document_from_row
from zaitun.content.schema import control_character
from zaitun.content.segmenter import Piece, Segment, document_pieces, render_pieces
from zaitun.errors import ReviewError
from zaitun.events import DOCUMENT_RETRACTED
from zaitun.review.documents import unknown
from zaitun.review.quoting import shortened
from zaitun.state.digest import memory_key
from zaitun.state.segments import (
    BESIDE_CHANGED,
    MEMORY_APPROVER,
    MEMORY_REJECTED,
    MOVED,
    SITUATION,
    WIDENED,
    DocumentState,
    SegmentState,
    SegmentStatus,
    TranslationState,
    approved_as_is,
    progress,
    segment_states,
)
from zaitun.state.store import Connection, Store, earlier, release_holds, sha
from zaitun.translate.checks import check_translation, forbidden_message, forbidden_renderings, overlong
from zaitun.translate.glossary import Glossary, screened_against

if TYPE_CHECKING:  # a build's store (the build brings back segments whose release it took offline)
    from zaitun.state.lazy import LazyStore

# zero-width, direction and soft-hyphen characters: pasted in, they show as nothing in the review page yet
# would go out in the approved English (and break search for the words they sit in); written with \u escapes
# so the review page's script can mark the same characters in the box (review.js)
INVISIBLE_RE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
APPROVER_ROLES = {"reviewer", "admin"}
ROLES = ("reviewer", "editor", "admin")


def shown(states: list[SegmentState], seg_ids: list[str] | None = None) -> dict[str, str]:
    """seg_id -> version of the given segments (all when None), as a reviewer reading `states` saw them."""
    wanted = None if seg_ids is None else set(seg_ids)
    return {s.seg_id: s.version for s in states if wanted is None or s.seg_id in wanted}


def unflagged_token(states: list[SegmentState]) -> str:
    """One token for the set of unflagged drafts and their versions: `--all-unflagged --seen TOKEN`."""
    drafts = sorted(f"{s.seg_id}@{s.version}" for s in states if s.unflagged_draft)
    return sha("\n".join(drafts))[:10]


@dataclass
class ApproveResult:
    approved: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # seg_id -> why (already approved, nothing to approve)
    refused: dict[str, str] = field(default_factory=dict)  # seg_id -> why not (changed since seen, forbidden)
    completed: bool = False  # this action approved the document's last pending segment
    held: dict[str, str] = field(default_factory=dict)  # seg_id -> why it came back to review, holding the release
    unchanged: str = ""  # an edit that saved nothing: why (the English typed is the approved English)
    # an edit approved as it was saved: the QA flags of the English as typed, which its reviewer had not seen yet
    over_flags: dict[str, list[dict]] = field(default_factory=dict)


def require_role(store: Store, actor: str, roles: set[str] = APPROVER_ROLES) -> dict:
    user = store.user(actor)
    if user is None:
        raise ReviewError(f"unknown user {actor!r}: add one with `zaitun user add {actor} --role reviewer`")
    if user["disabled_at"] is not None:
        raise ReviewError(f"user {actor!r} is disabled")
    if user["role"] not in roles:
        raise ReviewError(f"user {actor!r} is {user['role']}; only {' or '.join(sorted(roles))} may do this")
    return user


def _find(store: Store, slug: str, seg_id: str, conn: Connection | None) -> SegmentState:
    for state in segment_states(store, slug, conn):
        if state.seg_id == seg_id:
            return state
    raise ReviewError(f"{slug}: {_gone(store, conn, slug, seg_id)}")


def approve(store: Store, slug: str, seen: dict[str, str], actor: str, *, glossary: Glossary,
            via: str = "review") -> ApproveResult:
    """Approve segments' current drafts, each only if it is still the version the actor saw
    (`seen`: seg_id -> version) and holds no rendering `glossary` forbids; the document's last
    approval makes a release."""
    if via == "review":
        require_role(store, actor)
    _require_document(store, slug)
    with store.tx() as conn:
        return _approve_in(store, conn, slug, seen, actor, via, glossary)


def approve_unflagged(store: Store, slug: str, seen: dict[str, str], actor: str, *,
                      glossary: Glossary) -> ApproveResult:
    """"Approve all unflagged" on a page: of the drafts it showed as unflagged (`seen`), those still
    unchanged unflagged drafts; a draft that changed, was decided or appeared since is not approved."""
    require_role(store, actor)
    _require_document(store, slug)
    with store.tx() as conn:
        states = {s.seg_id: s for s in segment_states(store, slug, conn)}
        still = {i: v for i, v in seen.items()
                 if i not in states or states[i].unflagged_draft or states[i].state == "approved"}
        result = _approve_in(store, conn, slug, still, actor, "review", glossary)
        for seg_id in seen.keys() - still.keys():
            result.refused[seg_id] = (f"not approved: it is no longer an unflagged draft (now {states[seg_id].state}"
                                      f"{', flagged' if states[seg_id].issues else ''}); read it again")
        return result


def approve_unflagged_token(store: Store, slug: str, token: str, actor: str, *, glossary: Glossary) -> ApproveResult:
    """The command line's "approve all unflagged": only if the set of unflagged drafts is still the one
    `zaitun review show` printed `token` for; otherwise nothing is approved."""
    require_role(store, actor)
    _require_document(store, slug)
    with store.tx() as conn:
        states = segment_states(store, slug, conn)
        if unflagged_token(states) != token:
            raise ReviewError(f"{slug}: nothing approved: the unflagged drafts changed since you saw them "
                              f"(--seen {token}, now {unflagged_token(states)}); "
                              f"run `zaitun review show {slug}` again")
        return _approve_in(store, conn, slug, {s.seg_id: s.version for s in states if s.unflagged_draft},
                           actor, "review", glossary)


def _approve_in(store: Store, conn: Connection, slug: str, seen: dict[str, str], actor: str,
                via: str, glossary: Glossary) -> ApproveResult:
    result = ApproveResult()
    before = segment_states(store, slug, conn)  # read once: approving a whole document stays linear
    by_id = {s.seg_id: s for s in before}
    for seg_id, version in seen.items():
        seg = by_id.get(seg_id)
        if seg is None:
            result.refused[seg_id] = _not_current(store, conn, slug, seg_id)
            continue
        why = _cannot_approve(seg)
        if why:
            result.skipped[seg_id] = why
            if seg.state == "approved":  # a concurrent or repeated approval is still an action
                store.log(conn, actor, "approve", slug, seg_id, before="approved", after=seg.target,
                          note=f"already approved by {seg.translation['reviewed_by']}; nothing changed")
            continue
        why = f"not approved: {_changed(seg, version)}" if version != seg.version else _forbidden(seg, glossary)
        if not why and via == "memory" and not store.remembers(conn, seg.source, seg.target):
            why = ("not approved from memory: translation memory no longer holds this English for this Chinese "
                   "(rejected or corrected since it was drafted); a reviewer reads it")
        if why:
            result.refused[seg_id] = why
            store.log(conn, actor, "approve-refused", slug, seg_id, after=seg.target, note=why)
            continue
        _mark_approved(store, conn, slug, seg, actor, via)
        result.approved.append(seg_id)
    if result.approved and not progress(before)["complete"] and progress(segment_states(store, slug, conn))["complete"]:
        result.held = make_release(store, conn, slug, actor, glossary)
        result.completed = not result.held
    return result


def _not_current(store: Store, conn: Connection, slug: str, seg_id: str) -> str:
    """Why a segment id the document has no current segment of is not approved: its Chinese changed since the
    reviewer read it, or the document never had it (a mistyped id, or another document's segment)."""
    return f"not approved: {slug} {_gone(store, conn, slug, seg_id)}"


def _gone(store: Store, conn: Connection | None, slug: str, seg_id: str) -> str:
    """Why the document has no current segment of this id, for a reviewer at the page or the command line."""
    if store.segment(slug, seg_id, conn) is None:
        return f"has no segment {seg_id!r}: check the id and the document (`zaitun review show {slug}`)"
    return (f"has no segment {seg_id!r} any more (its Chinese changed or was removed): read the "
            "document again")


def _forbidden(seg: SegmentState, glossary: Glossary) -> str | None:
    """Why the segment's English may not be approved: a control character from the engine (no feed can
    carry it, so every build would fail), an invisible one (the reviewer was shown nothing there), or
    renderings the glossary forbids, checked now (QA issues stored with the draft may predate the glossary)."""
    control = control_character(seg.target)
    if control:
        return (f"not approved: the English holds the control character {control[1]} (line {control[0]}), which "
                "no page or feed can carry; edit the English, then approve it")
    invisible = invisible_character(seg.target)
    if invisible:
        return (f"not approved: the English holds {invisible}, which the page shows as nothing; edit the English "
                "(its box marks where it is), then approve it")
    found = forbidden_renderings(seg.source, seg.target, glossary)
    if not found:
        return None
    return f"not approved: {'; '.join(forbidden_message(*f) for f in found)}; edit the English, then approve it"


def invisible_character(text: str) -> str | None:
    """The first character of `text` that shows as nothing, and where it is; None when there is none."""
    found = INVISIBLE_RE.search(text)
    if not found:
        return None
    at = found.start()
    before = text[max(0, at - 30):at]
    return f"the invisible character U+{ord(found.group()):04X} at character {at + 1}, after “{before}”"


def _changed(seg: SegmentState, version: str) -> str:
    """Why an action on a stale version is refused, quoting what the segment holds now: a long draft,
    comment or list of QA issues by its start and end, so the message stays readable (and the audit
    log's note small)."""
    tr = seg.translation
    by = f", saved by {tr['created_by']}" if tr and tr["created_by"] != "zaitun" else ""
    flagged = f"; QA: {shortened('; '.join(i['message'] for i in seg.issues))}" if seg.issues else ""
    rejected = f"; rejected by {tr['reviewed_by']}: {shortened(tr['comment'])}" if seg.state == "rejected" else ""
    return (f"this is not the text you were shown: it changed since you read it (version {version}, now "
            f"{seg.version}); it now reads {shortened(seg.target)!r}{by}{flagged}{rejected}. Read it and try again")


def _cannot_approve(seg: SegmentState) -> str | None:
    if seg.translation is None or not seg.target.strip():
        return "nothing to approve: the segment has no translation yet (edit it first)"
    if seg.state == "approved":
        return "already approved"
    return None


def _mark_approved(store: Store, conn: Connection, slug: str, seg: SegmentState, actor: str, via: str) -> None:
    """Approve the segment's draft; a reviewer's approval goes into the memory, one via memory does not:
    it is the entry itself, which stays as it was (a corrected TMX can still replace it)."""
    tr = seg.translation
    store.approve_translation(conn, tr["id"], actor, seg.source)
    if via != "memory":
        store.remember(conn, seg.source, seg.target, origin="review", approved_by=actor)
    action = "approve-from-memory" if via == "memory" else "approve"
    store.log(conn, actor, action, slug, seg.seg_id, before=seg.state, after=seg.target,
              note=f"version {seg.version}: translation {tr['id']}, source {sha(seg.source)[:12]}, "
                   f"target {sha(seg.target)[:12]}")


@dataclass
class Rejection:
    """What a rejection takes back besides the segment: English online, and English taken from memory elsewhere.
    `reach` tells it before the rejection, `reject` after: both from the same plan (`_reach`)."""

    offline: bool = False  # the document's English online held the rejected English: it goes offline
    recalled: list[str] = field(default_factory=list)  # "SLUG segment N": drafted or approved from memory with it
    offline_elsewhere: list[str] = field(default_factory=list)  # documents of those whose English goes offline

    @property
    def documents(self) -> list[str]:
        """The documents of the recalled segments, each once, in order."""
        return list(dict.fromkeys(where.rsplit(" segment ", 1)[0] for where in self.recalled))


@dataclass
class _Use:
    """A document holding the rejected English from translation memory, as a rejection finds it."""

    slug: str
    taken: list[tuple[SegmentState, bool]]  # its segments read by nobody there, each with whether it is online
    earlier: list[dict]  # its approvals from memory of that English, current or not (a sentence changed since)
    earlier_online: bool  # one of those is in its English online


@dataclass
class _Reach:
    """Everything a rejection takes back, read before anything is written."""

    offline: bool  # the segment's own English is online
    uses: list[_Use]

    def rejection(self, slug: str) -> Rejection:
        online = [u.slug for u in self.uses if u.earlier_online or any(on for _, on in u.taken)]
        return Rejection(offline=self.offline,
                         recalled=[f"{u.slug} segment {seg.position + 1}" for u in self.uses for seg, _ in u.taken],
                         offline_elsewhere=[s for s in online if not (self.offline and s == slug)])


def reach(store: Store, slug: str, seg_id: str, *, seen: str) -> Rejection:
    """What rejecting the segment's English at the version the reviewer saw (`seen`) would take back besides it,
    as `reject` would find it now: told to them before they confirm. Raises ReviewError as `reject` would refuse."""
    _require_document(store, slug)
    seg = _find(store, slug, seg_id, None)  # reads only: no write lock
    if seg.translation is None:
        raise ReviewError(f"{slug}/{seg_id}: nothing to reject yet")
    if seen != seg.version:
        raise ReviewError(f"{seg_id}: not rejected: {_changed(seg, seen)}")
    return _reach(store, None, slug, seg).rejection(slug)


def _reach(store: Store, conn: Connection | None, slug: str, rejected: SegmentState) -> _Reach:
    """The plan of a rejection: whether the segment's English is online, and each document holding that English
    for that Chinese from translation memory with the segments there that no person approved (see `_recall`)."""
    uses = []
    for other in store.memory_uses(rejected.source, rejected.target, conn):
        release = store.latest_release(other, conn=conn)
        taken = [(seg, released_english(seg, release)) for seg in segment_states(store, other, conn)
                 if (other, seg.seg_id) != (slug, rejected.seg_id) and _taken_from_memory(seg, rejected)]
        earlier = store.memory_approvals(other, rejected.source, rejected.target, MEMORY_APPROVER, conn)
        online = release is not None and not release["retracted_at"] and any(release_holds(release, tr)
                                                                              for tr in earlier)
        uses.append(_Use(other, taken, earlier, online))
    return _Reach(released_english(rejected, store.latest_release(slug, conn=conn)), uses)


def reject(store: Store, slug: str, seg_id: str, actor: str, comment: str, *, seen: str) -> Rejection:
    """Reject a segment's translation with a comment, only if it is still the version the actor saw
    (`seen`): nobody rejects a newer draft they never read, or replaces another reviewer's comment.
    Rejected English is no longer approved: translation memory forgets it (else an exact match elsewhere would
    be approved from it, unread), and when it is English released for the site, the releases holding
    it are retracted and the document's English goes offline at the next build, until a corrected
    translation is approved. Every other segment that took this English from memory, read by no person there,
    comes back to review the same way (see `_recall`)."""
    require_role(store, actor)
    if not comment.strip():
        raise ReviewError("a rejection needs a comment that tells the translator what is wrong")
    found = control_character(comment)
    if found:  # the comment goes into the document's XLIFF export, and XML holds no control character
        raise ReviewError(f"not rejected: the comment holds the control character {found[1]} (line {found[0]}), "
                          "which no XLIFF file can carry: remove it and reject again")
    _require_document(store, slug)
    with store.tx() as conn:
        seg = _find(store, slug, seg_id, conn)
        if seg.translation is None:
            raise ReviewError(f"{slug}/{seg_id}: nothing to reject yet")
        refused = f"not rejected: {_changed(seg, seen)}" if seen != seg.version else ""
        if refused:  # recorded like a refused approval, so the audit log shows both reviewers at work
            store.log(conn, actor, "reject-refused", slug, seg_id, after=seg.target, note=refused)
        else:
            planned = _reach(store, conn, slug, seg)  # read before the rejection changes what it reads
            store.reject_translation(conn, seg.translation["id"], actor, comment)
            store.log(conn, actor, "reject", slug, seg_id, before=seg.target, after=None, note=comment)
            store.refuse_memory(conn, seg.source, seg.target, actor)  # no memory file brings it back
            if store.forget(conn, seg.source, seg.target):  # approved English no more: reused nowhere else
                store.log(conn, actor, "memory-forget", slug, seg_id, before=seg.target,
                          note="rejected, so no longer drafted or approved from translation memory")
            why = f"{actor} rejected segment {seg.position + 1}: {shortened(comment)}"
            told = _Told(store, conn, actor)
            if seg.state == SegmentStatus.APPROVED or planned.offline:  # (a draft's English is online only as
                # English carried from a renamed document: Store.carry_release)
                _retract(store, conn, slug, seg.seg_id, seg.translation, actor, why)
            told(slug, why, planned.offline)
            _recall(store, conn, f"{slug} segment {seg.position + 1}", planned, actor, comment, told)
            _recall_carried(store, conn, slug, seg, actor, comment, told)
    if refused:
        raise ReviewError(f"{seg_id}: {refused}")
    return planned.rejection(slug)


def released_english(seg: SegmentState, release: dict | None) -> bool:
    """Whether the segment's approved English is in the document's release (`latest_release`) that is online; or,
    that release carried from a renamed document (Store.carry_release), its English for this Chinese, approved here
    or not."""
    return (release is not None and not release["retracted_at"] and seg.translation is not None
            and (seg.state == SegmentStatus.APPROVED or "carried" in release["payload"])
            and release_holds(release, seg.translation))


def _retract(store: Store, conn: Connection, slug: str, seg_id: str, translation: dict, actor: str,
             why: str) -> None:
    """Retract every release holding this approved English, now rejected (the one online, and older ones a
    rollback could put back)."""
    if store.retract_releases(conn, slug, translation, actor, why):
        store.log(conn, actor, "retract", slug, seg_id, before=translation["target"], note=why)


@dataclass
class _Told:
    """Records, once a document, that its English went offline, with the first reason found."""

    store: Store
    conn: Connection
    actor: str
    done: set[str] = field(default_factory=set)

    def __call__(self, slug: str, why: str, online: bool) -> None:
        if online and slug not in self.done:
            self.done.add(slug)
            self.store.record_event(self.conn, DOCUMENT_RETRACTED, slug, retracted_by=self.actor, why=why)


def _recall(store: Store, conn: Connection, where: str, planned: _Reach, actor: str, comment: str,
            told: _Told) -> None:
    """Bring back to review each segment that took the English rejected at `where` from translation memory and
    that no person approved there (a memory draft, or approved by the translate pass): drafted again as it reads,
    flagged with why, and its document's releases holding it retracted. A person who approved that English
    themselves read it: theirs stays approved."""
    for use in planned.uses:
        for seg, online in use.taken:
            tr, approved = seg.translation, seg.state == SegmentStatus.APPROVED
            flag = (f"the English this was {'approved' if approved else 'drafted'} with from translation memory "
                    f"was rejected by {actor} in {where}: {shortened(comment)}")
            if approved or online:  # (a draft's English is online only as carried from a renamed document)
                why = (f"segment {seg.position + 1} was {'approved' if approved else 'drafted'} from translation "
                       f"memory with English {actor} rejected in {where}: {shortened(comment)}")
                _retract(store, conn, use.slug, seg.seg_id, tr, actor, why)
                told(use.slug, why, online)
            _send_back(store, conn, use.slug, seg.seg_id, seg.source, tr,
                       [{"check": MEMORY_REJECTED, "message": flag}, *tr["issues"]], flag, actor=actor)
        # the last approved English stays online while a changed sentence's new English is reviewed: one approved
        # from memory with the rejected English is retracted too
        why = (f"a sentence since changed was approved from translation memory with English {actor} rejected in "
               f"{where}: {shortened(comment)}")
        for tr in use.earlier:
            _retract(store, conn, use.slug, tr["seg_id"], tr, actor, why)
        told(use.slug, why, use.earlier_online)


def _recall_carried(store: Store, conn: Connection, slug: str, seg: SegmentState, actor: str, comment: str,
                    told: _Told) -> None:
    """Retract the English carried from a renamed document (Store.carry_release) that shows the rejected English for
    its Chinese, wherever it was approved: a sentence its edit changed has no segment of the renamed document to be
    recalled by, and its predecessor is withdrawn. Its own English then waits for a reviewer, as any new one does."""
    why = (f"English carried from a renamed document shows English {actor} rejected in {slug} segment "
           f"{seg.position + 1}: {shortened(comment)}")
    for other in store.carrying(conn, seg.translation):
        if other != slug:
            _retract(store, conn, other, seg.seg_id, seg.translation, actor, why)
            told(other, why, True)


def _taken_from_memory(seg: SegmentState, rejected: SegmentState) -> bool:
    """Whether the segment holds the rejected English for the same Chinese (however spaced) as memory gave it, read
    by nobody there."""
    tr = seg.translation
    return (tr is not None and tr["origin"] == "memory" and memory_key(seg.source) == memory_key(rejected.source)
            and tr["target"] == rejected.target
            and (seg.state == SegmentStatus.DRAFT
                 or (seg.state == SegmentStatus.APPROVED and tr["reviewed_by"] == MEMORY_APPROVER)))


def edit(store: Store, slug: str, seg_id: str, target: str, actor: str, *, glossary: Glossary,
         issues: list[dict] | None = None, approve_now: bool = False, based_on: str | None = None,
         keep_flags: bool = False) -> ApproveResult:
    """Store a reviewer's new target (kept beside the old one), optionally approving it at once.
    The approved English saved again as it is stays approved, by whoever approved it: a second
    approved row of the same text would only blur who approved it and when.

    `based_on` is the version the reviewer was editing: when another draft was saved since, the
    edit is refused instead of silently replacing it. An approval here approves the typed text,
    unless it holds a rendering `glossary` forbids: then the edit is kept as a draft.

    `keep_flags`: the draft's flags about where its segment stands (SITUATION) go on to the new one, for English
    its importer did not read (review.xliff); a reviewer typing it in the UI has read them."""
    require_role(store, actor)
    if not target.strip():
        raise ReviewError("the new translation is empty")
    found = control_character(target)
    if found:
        raise ReviewError(f"the new translation holds the control character {found[1]}: remove it")
    invisible = invisible_character(target)
    if invisible:
        raise ReviewError(f"the new translation holds {invisible}: delete it (it shows as nothing)")
    _require_document(store, slug)
    with store.tx() as conn:
        seg = _find(store, slug, seg_id, conn)
        if based_on is not None and based_on != seg.version:
            raise ReviewError(f"{seg_id}: not saved: {_changed(seg, based_on)}")
        if why := overlong(seg.source, target.strip()):
            raise ReviewError(f"{seg_id}: not saved: {why}")
        if seg.state == "approved" and target.strip() == seg.target:  # a save that changes nothing
            why = f"nothing changed: this English is already approved, by {seg.translation['reviewed_by']}"
            store.log(conn, actor, "edit", slug, seg_id, before=seg.target, after=seg.target, note=why)
            return ApproveResult(unchanged=why)
        kept = [i for i in seg.issues if i["check"] in SITUATION] if keep_flags and seg.state != "approved" else []
        store.add_translation(conn, slug, seg_id, seg.source, target.strip(), origin="human", replaces=seg.translation,
                              issues=kept + (issues or []), created_by=actor, glossary_version=glossary.version)
        store.log(conn, actor, "edit", slug, seg_id, before=seg.target, after=target.strip())
        if not approve_now:
            return ApproveResult()
        # approving in the same transaction: nobody else's edit can slip in between
        mine = next(s for s in segment_states(store, slug, conn) if s.seg_id == seg_id)
        return _approve_in(store, conn, slug, {seg_id: mine.version}, actor, "review", glossary)


def _require_document(store: Store, slug: str) -> dict:
    row = store.document(slug)
    if row is None or row["status"] != DocumentState.ACTIVE:
        raise unknown(store, slug)
    return row


@dataclass
class Renewal:
    """What releasing a document again did: `released` it, or `held` it (seg_id -> why that approved segment came
    back to review), or neither (nothing to release)."""

    released: bool = False
    held: dict[str, str] = field(default_factory=dict)


def renew_release(store: Store, slug: str, *, glossary: Glossary, actor: str = "zaitun") -> Renewal:
    """Release a complete document again when its Chinese changed without bringing any text back to
    review (tags, the date, a removed sentence): every segment in it is still approved as it was,
    and without a new release its English page would say "update under review" for ever (a validity date
    removed brings a segment back to review instead: `_widened_validity`). An edit put
    back (the Chinese again that of the release online) gives back the approvals it sent back for where
    segments stood (`_approve_again`). Not released when a segment came back to review instead (a forbidden
    rendering, where it stands): those are `held`, for the pass to count as waiting for a reviewer."""
    if _released_as_is(store, slug):  # the common case, answered without taking the write lock
        if any(map(_sent_back_for_place, store.current_translations(slug).values())):
            with store.tx() as conn:
                _approve_again(store, conn, slug, glossary, actor)
        return Renewal()
    with store.tx() as conn:
        if _released_as_is(store, slug) or not progress(segment_states(store, slug, conn))["complete"]:
            return Renewal()
        held = make_release(store, conn, slug, actor, glossary,
                            note="the Chinese changed; no segment needed a new review")
        return Renewal(released=not held, held=held)


def _released_as_is(store: Store, slug: str) -> bool:
    """True when there is nothing to release: no active document, or its release is for its current Chinese."""
    row = store.document(slug)
    release = store.latest_release(slug) if row and row["status"] == DocumentState.ACTIVE else None
    return (row is None or row["status"] != DocumentState.ACTIVE
            or (release is not None and not release["retracted_at"] and release["raw_hash"] == row["raw_hash"]))


def _sent_back_for_place(tr: dict) -> bool:
    """Whether a translation is approved English the gate drafted again only for where its segment stands
    (`_moved_repeats`, `_changed_beside`), untouched since."""
    return (tr["state"] == TranslationState.DRAFT and tr["created_by"] == "zaitun" and bool(tr["issues"])
            and tr["issues"][0]["check"] in (MOVED, BESIDE_CHANGED, WIDENED))


def _approve_again(store: Store, conn: Connection, slug: str, glossary: Glossary, actor: str) -> list[str]:
    """The document's Chinese is again exactly that of its release online (an edit put back): each segment the
    edit sent back for where it stood stands there again, so the approval that release holds for it is current
    again, as a sentence put back has its approval again (its id's). Only a named reviewer's approval of this
    Chinese and this very English, free of renderings the glossary forbids now; English approved from memory, a
    reviewer's work since and every other doubt stay in review. The segments approved again."""
    if not _released_as_is(store, slug):  # read again under the write lock: edited meanwhile
        return []
    release = store.latest_release(slug, conn=conn)
    held = release["payload"].get("translations") or {}  # (none in a release made before releases kept them)
    current = store.current_translations(slug, conn)
    again = []
    for seg in store.segments(slug):
        draft, approval_id = current.get(seg["seg_id"]), held.get(seg["seg_id"])
        if draft is None or approval_id is None or not _sent_back_for_place(draft):
            continue
        approval = next((tr for tr in store.history(slug, seg["seg_id"]) if tr["id"] == approval_id), None)
        if (approval is None or approval["reviewed_by"] in (None, MEMORY_APPROVER)
                or not approved_as_is(approval["state"], approval["source_hash"], seg["source"])
                or approval["target"] != draft["target"]
                or forbidden_renderings(seg["source"], approval["target"], glossary)
                or not store.reinstate(conn, slug, seg["seg_id"], draft["id"], approval_id)):
            continue
        store.log(conn, actor, "approve-again", slug, seg["seg_id"], before=draft["target"], after=approval["target"],
                  note=f"the Chinese is again that of release {release['id']}: approved by {approval['reviewed_by']} "
                       f"(translation {approval_id}) where it stands again")
        again.append(seg["seg_id"])
    return again


def make_release(store: Store, conn: Connection, slug: str, actor: str, glossary: Glossary,
                 note: str = "all segments approved") -> dict[str, str]:
    """Snapshot the approved English of a complete document for the publisher, if none of it holds a
    rendering `glossary` forbids; otherwise those segments come back to review (seg_id -> why, returned)
    and nothing is released."""
    current = store.current_translations(slug, conn)
    rows = store.segments(slug)
    row = store.document(slug)
    doc = document_from_row(row)
    meta_segs, pieces = document_pieces(doc)
    sources = {seg.id: seg.source for seg in [*meta_segs, *(p.segment for p in pieces if p.segment)]}
    online = store.latest_release(slug, conn=conn)
    held = (_back_to_review(store, conn, slug, current, glossary)
            or _moved_repeats(store, conn, slug, current, rows, online, row["updated_at"])
            or _changed_beside(store, conn, slug, current, sources, pieces, online, row["updated_at"])
            or _widened_validity(store, conn, slug, current, meta_segs, online))
    if held:
        return held
    targets = {seg_id: tr["target"] for seg_id, tr in current.items()}
    meta = {seg.kind: targets.get(seg.id, "") for seg in meta_segs if seg.kind not in FACT_FIELDS}
    facts = {seg.kind: {"zh": seg.source, "en": targets.get(seg.id, "")} for seg in meta_segs
             if seg.kind in FACT_FIELDS}
    approvals = [tr for seg_id, tr in current.items() if tr["state"] == "approved"]
    held = [s["seg_id"] for s in rows if s["seg_id"] in current]  # the segments it is made of
    from_memory = [sources[seg_id] for seg_id, tr in current.items()
                   if tr["state"] == "approved" and tr["reviewed_by"] == MEMORY_APPROVER and seg_id in sources]
    payload = {
        "translations": {seg_id: current[seg_id]["id"] for seg_id in held},  # what a rejection retracts
        "meta": meta,
        "facts": facts,  # the approved facts, Chinese and English: the English page shows only these
        "date": doc.date.isoformat(),  # the document's date approved with this English: a new one waits with it
        "tags": doc.tags, "programme": doc.programme,  # where the English page is listed: new ones wait with it too
        "body": render_pieces(pieces, targets),
        "literals": literals(pieces),  # the numbers, addresses and images it shows as they are, and where
        "provenance": {
            "approved_by": sorted({tr["reviewed_by"] for tr in approvals if tr["reviewed_by"]}),
            "approved_at": max((str(tr["reviewed_at"]) for tr in approvals if tr["reviewed_at"]), default=""),
            "engines": sorted({tr["engine"] or tr["origin"] for tr in approvals}),
            "glossary_versions": sorted({tr["glossary_version"] for tr in approvals if tr["glossary_version"]}),
            "segments": len(approvals),
        },
        "screened": screened_against(glossary.version),  # checked for forbidden renderings: the build need not
        # (publish/screen.py)
    }
    if from_memory:  # English approved from memory was read by no reviewer of this page: who vouched for it
        payload["provenance"]["memory_vouched_by"] = store.memory_approvers(from_memory, conn)
    store.add_release(conn, slug, "en", row["raw_hash"], payload)
    store.log(conn, actor, "release", slug, note=note)
    store.record_event(conn, "zaitun.document.approved", slug, approved_by=actor)
    return {}


def _moved_repeats(store: Store, conn: Connection, slug: str, current: dict[str, dict], rows: list[dict],
                   release: dict | None, changed_at: dt.datetime) -> dict[str, str]:
    """Bring back to review each segment whose Chinese the document holds more than once (否 in two rows of a
    table) and that now follows another segment than in the release online, still with the approval made
    there or with one of English drafted before the Chinese last changed (`changed_at`: read where it stood
    then): segment ids count the occurrences of a text, so rows swapped or one removed hand each approved
    English to another place, which nobody read. `rows`: the document's segments in order; `release`: the
    latest. seg_id -> why."""
    then = list((release or {}).get("payload", {}).get("translations", {}).items())
    if not then:
        return {}
    repeated = Counter(row["source"] for row in rows)
    # and as the release held it: of two 否, the first removed or changed, the one left has the first's id and
    # approval (held once now, twice then)
    ever = {segment["seg_id"]: segment["source"] for segment in store.segments(slug, active=None)}
    released = Counter(ever[seg_id] for seg_id, _ in then if seg_id in ever)
    before = {seg_id: (then[i - 1][0] if i else None, tr_id) for i, (seg_id, tr_id) in enumerate(then)}
    held = {}
    for i, row in enumerate(rows):
        seg_id, tr = row["seg_id"], current.get(row["seg_id"])
        was = before.get(seg_id)
        if max(repeated[row["source"]], released[row["source"]]) < 2 or was is None or tr is None or (
                tr["id"] != was[1] and not earlier(tr["created_at"], changed_at)):
            continue  # said once, new, or drafted and approved since: read where it stands
        if was[0] != (rows[i - 1]["seg_id"] if i else None):
            why = (f"“{row['source']}” occurs more than once in this document and this one now stands elsewhere "
                   "(rows or paragraphs moved or removed): check that its English fits here")
            _send_back(store, conn, slug, seg_id, row["source"], tr, [{"check": MOVED, "message": why}, *tr["issues"]],
                       why)
            held[seg_id] = why
    return held


def literals(pieces: list[Piece]) -> list[tuple[str, str | None]]:
    """What the body shows untranslated, in order: numbers, symbols (✓, ✗), addresses and images (no Markdown
    syntax, no list number), each with the id of the segment it stands after (before, at the body's start)."""
    out, after = [], None
    for i, piece in enumerate(pieces):
        if piece.segment is not None:
            if after is None:  # what stood before the first segment is placed beside it
                out = [(text, piece.segment.id) for text, _ in out]
            after = piece.segment.id
            continue
        text = " ".join(piece.text.split())
        marker = LIST_MARKER_RE.match(text) and i + 1 < len(pieces) and pieces[i + 1].segment is not None
        if text and not marker and not SYNTAX_ONLY_RE.match(text):
            out.append((text, after))
    return out


LIST_MARKER_RE = re.compile(r"^\d{1,9}[.)]$")
SYNTAX_ONLY_RE = re.compile(r"^[\s|:\-#>*+_=~`\[\]().!\\]*$")  # table rules, markers, emphasis: no ✓, ✗, 100


def _changed_beside(store: Store, conn: Connection, slug: str, current: dict[str, dict], sources: dict[str, str],
                    pieces: list[Piece], release: dict | None, changed_at: dt.datetime) -> dict[str, str]:
    """Bring back to review, beside each number, address or image that differs from the release online, the
    segment it stands after, still with the approval made there or with one of English drafted before the
    Chinese last changed (`changed_at`: a reviewer may have read it beside the old number, and approved it
    after): the English page shows them as the Chinese has them (a table's 100 now 999), so what a reviewer
    approved must be read again beside what changed. A release made before releases kept these is not
    compared. `sources`: seg_id -> Chinese of every segment, front matter first; `release`: the latest.
    seg_id -> why."""
    payload = (release or {}).get("payload", {})
    if "literals" not in payload:
        return {}
    then, now = payload["literals"], literals(pieces)
    fallback = next(iter(sources), None)  # a body without text: its title
    changes: dict[str, list[str]] = {}

    def beside(at: str | None, said: str) -> None:
        changes.setdefault(at or fallback, []).append(said)

    matcher = difflib.SequenceMatcher(None, [text for text, _ in then], [text for text, _ in now], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        added = list(now[j1:j2])
        for was, at in then[i1:i2]:
            same = next((item for item in added if item[1] == at), None)  # beside the same text still
            if same is not None:
                added.remove(same)
                beside(at, f"“{shortened(was)}” became “{shortened(same[0])}”")
            else:  # where it stood, or by what stands before the place it left
                beside(at if at in sources else (now[j1 - 1][1] if j1 else None), f"“{shortened(was)}” was removed")
        for becomes, at in added:
            beside(at, f"“{shortened(becomes)}” was added")
    approved_there = set((payload.get("translations") or {}).items())
    held = {}
    for seg_id, said in changes.items():
        tr = current.get(seg_id)
        if tr is None or ((seg_id, tr["id"]) not in approved_there and not earlier(tr["created_at"], changed_at)):
            continue  # new, or drafted and approved since: read with the change
        why = (f"beside this text, {'; '.join(said)}: the English page shows it as the Chinese has it, "
               "so check that this English still fits")
        _send_back(store, conn, slug, seg_id, sources[seg_id], tr,
                   [{"check": BESIDE_CHANGED, "message": why}, *tr["issues"]], why)
        held[seg_id] = why
    return held


VALIDITY = ("valid_from", "valid_until")


def _widened_validity(store: Store, conn: Connection, slug: str, current: dict[str, dict], meta_segs: list[Segment],
                      release: dict | None) -> dict[str, str]:
    """Bring back to review the validity's other date (else the title) when the Chinese no longer gives a validity
    date the release online gives: nothing is left to translate, yet the English page without it would say the
    notice is in force on days the approved English said it was not (a date moved later is a new segment, reviewed
    as such). Not once a named reviewer approved it so flagged since that release. seg_id -> why."""
    facts = (release or {}).get("payload", {}).get("facts") or {}
    kinds = {seg.kind: seg for seg in meta_segs}
    removed = [f"{kind} ({facts[kind]['zh']})" for kind in VALIDITY if kind in facts and kind not in kinds]
    if not removed:
        return {}
    seg = next((kinds[kind] for kind in VALIDITY if kind in kinds), meta_segs[0])
    tr = current.get(seg.id)
    if tr is None or _widening_approved(store, slug, seg.id, tr, release):
        return {}
    why = (f"the Chinese no longer gives {' or '.join(removed)}: once approved, the English page gives none and says "
           "the notice is in force beyond it; check that the Chinese means this, then approve")
    _send_back(store, conn, slug, seg.id, seg.source, tr, [{"check": WIDENED, "message": why}, *tr["issues"]], why)
    return {seg.id: why}


def _widening_approved(store: Store, slug: str, seg_id: str, tr: dict, release: dict) -> bool:
    """Whether `tr`, the segment's English, is a named reviewer's approval of it (or of their edit) since it came
    back flagged for a validity widened after `release` was made."""
    if tr["state"] != TranslationState.APPROVED or tr["reviewed_by"] in (None, MEMORY_APPROVER):
        return False
    return any(t["id"] <= tr["id"] and any(i["check"] == WIDENED for i in t["issues"])
               and not earlier(t["created_at"], release["created_at"]) for t in store.history(slug, seg_id))


def _send_back(store: Store | LazyStore, conn: Connection, slug: str, seg_id: str, source: str, tr: dict,
               issues: list[dict], note: str, *, actor: str = "zaitun", glossary_version: str | None = None) -> None:
    """A segment's English drafted again as it reads, with `issues` (why it came back among them), for a reviewer
    to read before it is released again; logged as sent back."""
    version = tr["glossary_version"] if glossary_version is None else glossary_version
    store.add_translation(conn, slug, seg_id, source, tr["target"], origin=tr["origin"], replaces=tr, issues=issues,
                          engine=tr["engine"], glossary_version=version)
    store.log(conn, actor, "back-to-review", slug, seg_id, before=tr["target"], after=tr["target"], note=note)


def back_to_review(store: Store | LazyStore, slug: str, *, glossary: Glossary) -> dict[str, str]:
    """Bring back to review the approved segments of a document whose English holds a rendering `glossary`
    forbids (the build found its release online holds one, forbidden since): seg_id -> why."""
    with store.tx() as conn:
        return _back_to_review(store, conn, slug, store.current_translations(slug, conn), glossary)


def _back_to_review(store: Store | LazyStore, conn: Connection, slug: str, current: dict[str, dict],
                    glossary: Glossary) -> dict[str, str]:
    """Approved segments whose English holds a forbidden rendering (approved before the glossary forbade
    it), each drafted again as it reads, flagged, for a reviewer to edit: seg_id -> why."""
    held = {}
    for seg in store.segments(slug):
        tr = current.get(seg["seg_id"])
        approved = tr is not None and tr["state"] == "approved"  # a draft is a reviewer's to edit already
        found = forbidden_renderings(seg["source"], tr["target"], glossary) if approved else []
        if not found:
            continue
        why = (f"approved before, but {'; '.join(forbidden_message(*f) for f in found)}: it is back in review "
               "and the English is not released until it is edited and approved")
        _send_back(store, conn, slug, seg["seg_id"], seg["source"], tr,
                   check_translation(seg["source"], tr["target"], glossary), why, glossary_version=glossary.version)
        held[seg["seg_id"]] = why
    return held
