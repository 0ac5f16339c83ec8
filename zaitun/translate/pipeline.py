"""The translate pass: turn pending segments into drafts, each with its QA issues.

Drafts in review are checked again first, so a term added or forbidden since, or a new QA
check, flags the drafts it concerns. For every segment without a translation: an exact match
in approved memory is reused
(and approved at once when `review.auto_approve_memory` is on and no check objects), and is drafted
again when its memory entry is corrected, unless a reviewer has approved or rejected it;
otherwise a fact made by rule (validity dates, a document number: see facts.py) gets its
rule draft; otherwise a segment that is one glossary term or structure label (`第三条`,
`第一章　总则`) gets the approved rendering; otherwise a near match in memory differing only in
numbers, dates, document numbers or terms is repaired into a draft (marked, never approved at
once: see nearmatch.py); otherwise the engine translates it with terms masked,
and the spacing engines leave around restored terms and Markdown is repaired; what nothing can
translate stays empty and flagged.
Results are stored batch by batch, so a failing engine never loses work already done, and
a second run with nothing changed does nothing: a pass of every document leaves out those no write touched
since their last pass, and looks for near matches again only where the memory changed (tried.py).
One pass at a time works on a document (translate/lock.py): a pass started meanwhile waits for it
and drafts only what is still to do; a draft is stored only over the translation it was made from, so
a reviewer's edit or decision made meanwhile stays.
An engine that failed on any segment fails the pass, recorded and announced under its name like a
held-back document, until it translates again.
What the glossary files cannot give as written (a file that cannot be read, a bad line, lines in
conflict) is reported with the pass and recorded as failures of the glossary; the rest of the
glossary is used.
"""

from __future__ import annotations

import contextlib
import functools
import json
from dataclasses import asdict, dataclass, field
from typing import Protocol

from zaitun import events, failures, progress
from zaitun.config import Limits
from zaitun.errors import GlossaryConflict, GlossaryError, ZaitunError, machine_trouble, shown
from zaitun.project import Project
from zaitun.state.segments import (
    MEMORY_APPROVER,
    MEMORY_CONTESTED,
    SITUATION,
    SegmentState,
    segment_states,
)
from zaitun.state.store import Store
from zaitun.translate.checks import check_translation
from zaitun.translate.engines import PROVIDERS, Engine, make_engine
from zaitun.translate.facts import RULE_KINDS, fact_draft
from zaitun.translate.fuzzy import memory_index
from zaitun.translate.glossary import Glossary, load_glossary
from zaitun.translate.lock import Turns
from zaitun.translate.masking import mask, restore
from zaitun.translate.memory import TmxImport, load_project_tmx
from zaitun.translate.nearmatch import Repairer
from zaitun.translate.repair import repair
from zaitun.translate.tried import Looked, Tried

STAGE = "translate"
GLOSSARY_STAGE = "glossary"  # its failures are replaced by every pass, which reads the whole glossary


class ReviewGate(Protocol):
    """What the pass asks of the review stage, which sits above translate: zaitun.pipeline hands it in
    (zaitun.review.actions.TranslateGate)."""

    def approve(self, slug: str, seen: dict[str, str]) -> int:
        """Approve these segment versions (memory matches just drafted); how many were approved."""

    def renew_release(self, slug: str) -> bool:
        """Release a complete document again whose Chinese changed without any text coming back to review (and
        give back the approvals an edit put back had sent back for where segments stood)."""

    def sent_back(self, slug: str) -> set[str]:
        """The document's approved segments this pass's releases sent back to review (a rendering forbidden since,
        where they stand, a validity date removed): they wait for a reviewer as its new drafts do."""


@dataclass
class SegmentResult:
    """One new draft: the JSON shape of `zaitun translate --json`."""

    id: str
    source: str
    target: str
    origin: str  # memory | repair | engine | none
    issues: list[dict] = field(default_factory=list)
    engine: str = ""
    translation_id: int = 0  # the stored draft, so approving a memory match approves exactly it


@dataclass
class DocumentResult:
    slug: str
    segments: list[SegmentResult] = field(default_factory=list)
    approved: int = 0  # memory matches approved at once
    rechecked: list[str] = field(default_factory=list)  # drafts whose QA issues a glossary or check change altered
    sent_back: int = 0  # approved segments a release sent back to review: they wait for a reviewer too


@dataclass
class TranslateReport:
    engine: str
    glossary_version: str
    documents: list[DocumentResult] = field(default_factory=list)
    tmx: dict[str, TmxImport] = field(default_factory=dict)
    failed: list[failures.Failure] = field(default_factory=list)  # documents held back by an error; a failing engine
    glossary: list[failures.Failure] = field(default_factory=list)  # glossary lines not used as written
    completed: list[str] = field(default_factory=list)  # documents this pass's memory approvals completed

    def problems(self) -> list[failures.Failure]:
        """Everything to fix: the glossary's lines, then the documents held back and a failing engine."""
        return self.glossary + self.failed

    def as_json(self) -> dict:
        """`{"documents": [{"slug", "segments": [{"id", "source", "target", "origin", "issues"}]}]}`."""
        keys = ("id", "source", "target", "origin", "issues")
        return {"documents": [{"slug": d.slug, "segments": [{k: asdict(s)[k] for k in keys} for s in d.segments]}
                              for d in self.documents]}

    def summary(self) -> dict:
        """Counts for the flows and the readable CLI output."""
        drafted, approved = self.count(), sum(d.approved for d in self.documents)
        sent_back = sum(d.sent_back for d in self.documents)
        failed = self.engine_failures()
        return {"engine": self.engine, "glossary_version": self.glossary_version, "drafted": drafted,
                "memory": self.count("memory"), "repaired": self.count("repair"),
                "engine_drafts": self.count("engine"),
                "untranslated": self.count("none"), "flagged": self.count(flagged=True),
                "approved": approved, "sent_back": sent_back, "to_review": drafted - approved + sent_back,
                "rechecked": sum(len(d.rechecked) for d in self.documents),
                "engine_failed": len(failed),
                "engine_error": _engine_error(failed[0]) if failed else "",
                "tmx_imported": {name: r.added + r.updated for name, r in self.tmx.items() if not r.forgotten},
                "tmx_forgotten": {name: r.forgotten for name, r in self.tmx.items() if r.forgotten},
                "tmx_skipped": [note for r in self.tmx.values() for note in r.skipped],
                "failed": [f.message for f in self.problems()], "review": self.to_review(),
                "completed": list(dict.fromkeys(self.completed))}

    def to_review(self) -> dict[str, int]:
        """slug -> new drafts this pass left for a reviewer (not those a failing engine will send again), and the
        approved segments it sent back."""
        failing = {id(s) for s in self.engine_failures()}
        counts = {d.slug: sum(id(s) not in failing for s in d.segments) - d.approved + d.sent_back
                  for d in self.documents}
        return {slug: n for slug, n in counts.items() if n > 0}

    def engine_failures(self) -> list[SegmentResult]:
        """New drafts left empty because the engine failed on them (the offline engine fails on none)."""
        return [s for d in self.documents for s in d.segments if s.origin == "none" and _engine_error(s)]

    def count(self, origin: str | None = None, flagged: bool | None = None) -> int:
        return sum(1 for d in self.documents for s in d.segments
                   if (origin is None or s.origin == origin) and (flagged is None or bool(s.issues) == flagged))


def translate_documents(project: Project, store: Store, slugs: list[str] | None = None,
                        engine: Engine | None = None, *, gate: ReviewGate) -> TranslateReport:
    """Translate the pending segments of every active document (or the named ones). Whatever one document
    raises holds back that document only (recorded with its path); the others are translated."""
    engine = engine or make_engine(project.config)
    chosen = _documents(store, slugs)
    glossary = load_glossary(project.glossary_dir)
    loaded = load_project_tmx(store, project.tm_dir, glossary, Limits.of(project.config))
    unread = [_tmx_failure(project, name, r.unreadable) for name, r in loaded.items() if r.unreadable]
    report = TranslateReport(engine.name, glossary.version, tmx=loaded,
                             glossary=[_glossary_failure(p) for p in glossary.problems] + unread)
    repairer = _repairer(project, store, glossary)
    tried = Tried.read(project.state_dir, store, glossary.version, repairer.threshold)
    try:
        _translate_all(project, store, gate, report, chosen, not slugs and engine.name == "offline", tried,
                       glossary, engine, repairer)
    finally:  # (a document held back by the machine's trouble ends the pass: it is done whole next time)
        tried.save()
    _note_engine_failure(report, engine)
    _record_failures(project, store, report, chosen, engine.name)
    failures.record(project, store, GLOSSARY_STAGE, report.glossary)
    return report


def _translate_all(project: Project, store: Store, gate: ReviewGate, report: TranslateReport, chosen: list[str],
                   whole: bool, tried: Tried, glossary: Glossary, engine: Engine, repairer: Repairer) -> None:
    """Translate the chosen documents; in a `whole` pass (every document, offline), not those no write touched
    since their last pass with the same inputs (an engine may translate now what it could not then)."""
    turns = Turns(project)
    todo: dict[str, tuple[list[str], int]] = {}
    for slug in chosen:
        if whole and tried.untouched(slug):  # nothing to do since its last pass (tried.py)
            tried.done(slug)
            continue
        try:
            todo[slug] = _plan(store, turns, slug, glossary, engine, repairer, tried.of(slug))
        except Exception as exc:  # the document's boundary
            tried.forget(slug)
            _hold_back(store, report, slug, exc)
    with progress.task("Translating segments", total=sum(t[1] for t in todo.values())) as bar:
        for slug, (rechecked, planned) in todo.items():
            try:
                with turns.document(slug) if planned else contextlib.nullcontext():
                    # read again under the lock: another pass may have drafted them since they were counted
                    states = _pending(store, segment_states(store, slug), engine, repairer,
                                      tried.of(slug)) if planned else []
                    _translate_document(project, store, gate, report, slug, rechecked, states, glossary, engine,
                                        bar, repairer)
                bar.advance(max(0, planned - len(states)))
            except Exception as exc:  # the document's boundary: what was stored batch by batch is kept
                tried.forget(slug)
                _hold_back(store, report, slug, exc)
            else:
                tried.done(slug)


def _plan(store: Store, turns: Turns, slug: str, glossary: Glossary, engine: Engine,
          repairer: Repairer, looked: Looked) -> tuple[list[str], int]:
    """Under the document's lock: the drafts whose issues changed when checked again, and how many segments
    are to be drafted (for the progress bar: they are read again when their turn comes)."""
    with turns.document(slug):
        current = segment_states(store, slug)
        return recheck_drafts(store, slug, current, glossary), len(_pending(store, current, engine, repairer, looked))


def _glossary_failure(problem: GlossaryError) -> failures.Failure:
    """A term in conflict is flagged wherever it occurs; any other problem leaves its line (or file) out."""
    state = failures.FLAGGED if isinstance(problem, GlossaryConflict) else failures.LEFT_OUT
    return failures.Failure(GLOSSARY_STAGE, shown(problem.path), str(problem), None, state)


def _tmx_failure(project: Project, name: str, error: ZaitunError) -> failures.Failure:
    """A memory file that does not read is left out, as a glossary file is (recorded with the glossary's)."""
    return failures.Failure(GLOSSARY_STAGE, str(project.tm_dir / name), str(error), None, failures.LEFT_OUT)


def _translate_document(project: Project, store: Store, gate: ReviewGate, report: TranslateReport, slug: str,
                        rechecked: list[str], states: list[SegmentState], glossary: Glossary, engine: Engine,
                        bar: progress.Task, repairer: Repairer | None = None) -> None:
    result = DocumentResult(slug, rechecked=rechecked)
    report.documents.append(result)
    batch_size = max(1, int(project.config.get("translate.batch_size")))
    read = _head(store, slug) if len(states) > batch_size else None
    for i in range(0, len(states), batch_size):
        if i and _head(store, slug) != read:  # withdrawn or edited while its batches went out: its segments
            break  # read are not sent on (the engine is shared by every document); the next pass takes what stands
        batch = states[i:i + batch_size]
        result.segments.extend(_store_batch(store, slug, batch,
                                            _translate_batch(batch, store, glossary, engine, repairer),
                                            glossary.version))
        bar.advance(len(batch))
    if project.config.get("review.auto_approve_memory"):
        result.approved = _approve_memory(store, gate, slug, result.segments)
    if gate.renew_release(slug):
        events.emit("zaitun.document.approved", slug, approved_by="zaitun")
    result.sent_back = len(gate.sent_back(slug))
    if result.segments or result.rechecked or result.sent_back:
        _record(store, result)


def _hold_back(store: Store, report: TranslateReport, slug: str, exc: Exception) -> None:
    trouble = machine_trouble(exc)  # the disk or the store refusing: no document is to blame, the pass stops
    if trouble is not None:
        raise trouble from exc
    row = store.document(slug) or {"path": slug}
    report.failed.append(failures.Failure(
        STAGE, row["path"], f"{row['path']}:1: could not be translated ({exc.__class__.__name__}: {exc}); "
        "it is tried again on the next pass", slug, failures.HELD_BACK))


def _note_engine_failure(report: TranslateReport, engine: Engine) -> None:
    """An engine failing on segments fails the pass, as a held-back document does: cron and staff must hear of
    an outage, not find drafts quietly left empty. The message names no count, so one outage is announced once."""
    failed = report.engine_failures()
    if failed:
        report.failed.append(failures.Failure(
            STAGE, engine.name, f"translation provider {engine.name} is failing ({_engine_error(failed[0])}): "
            "what it could not translate is left empty and flagged for a human, and sent again on the next pass",
            None, failures.LEFT_FOR_HUMAN))


def _record_failures(project: Project, store: Store, report: TranslateReport, chosen: list[str],
                     engine: str) -> None:
    """This pass's failures replace those of the documents it tried (a run for some slugs leaves the others'),
    and the engine's once it was asked anything; a failure of another provider no longer in use is dropped."""
    rows = (store.document(slug) for slug in chosen)
    scope = {r["path"] for r in rows if r} | ({"offline", *PROVIDERS} - {engine})
    if any(s.engine == engine for d in report.documents for s in d.segments):
        scope.add(engine)
    failures.record(project, store, STAGE, report.failed, scope=scope)


def _engine_error(segment: SegmentResult) -> str:
    return next((i["message"] for i in segment.issues if i["check"] == "engine"), "")


def _documents(store: Store, slugs: list[str] | None) -> list[str]:
    active = [d["slug"] for d in store.documents()]
    if not slugs:
        return active
    unknown = [s for s in slugs if s not in active]
    if unknown:
        raise ZaitunError(f"no active document {', '.join(map(repr, unknown))}: the slug is the file name "
                          "without .md under content/<section>/ (see `zaitun status`)")
    return list(dict.fromkeys(slugs))


# checks that describe how a draft was made or why it came back, not what the glossary says: kept when re-checking
# (a draft that lost its flag would pass as unflagged, for "approve all unflagged")
MADE_CHECKS = {"placeholder", "engine", "empty", "repaired", *SITUATION}  # (SITUATION: why it came back)


def recheck_drafts(store: Store, slug: str, states: list[SegmentState], glossary: Glossary) -> list[str]:
    """Check drafts again under the current glossary and checks; return the ids whose issues changed.
    Only changes are written; a draft a reviewer has approved or replaced since `states` were read
    is left as it is."""
    changed = []
    with store.tx() as conn:
        for seg in states:
            draft = seg.translation
            if seg.state != "draft":
                continue
            made = [i for i in draft["issues"] if i["check"] in MADE_CHECKS]
            checked = check_translation(seg.source, draft["target"], glossary) if draft["target"] else []
            issues = _merged(made + checked)
            if issues == draft["issues"] and draft["glossary_version"] == glossary.version:
                continue
            if store.recheck(conn, draft, issues, glossary.version) and issues != draft["issues"]:
                changed.append(seg.seg_id)
                store.log(conn, "zaitun", "recheck", slug, seg.seg_id, note=f"glossary {glossary.version}",
                          before=json.dumps(draft["issues"], ensure_ascii=False),
                          after=json.dumps(issues, ensure_ascii=False))
    return changed


def _pending(store: Store, states: list[SegmentState], engine: Engine,
             repairer: Repairer, looked: Looked) -> list[SegmentState]:
    """Segments without a translation, machine drafts that approved memory now covers, memory matches
    no person decided on whose memory entry reads otherwise now (a corrected TMX), approvals from memory whose
    entry is gone (its file left tm/: drafted again, for a reviewer), and empty drafts a
    real engine may fill or a near match approved since can repair (those `looked` at: tried.py)."""
    machine = [s for s in states if s.state == "draft" and s.translation["origin"] in ("none", "engine", "repair")
               and s.kind != "code"]  # a code block's draft is the code, which nothing redrafts
    reused = [s for s in states if _memory_match(s)]
    hits = store.memory_lookup([s.source for s in machine + reused]) if machine or reused else {}
    retry = {s.seg_id for s in machine
             if s.source in hits or (s.translation["origin"] == "none"
                                     and (engine.name != "offline" or (looked(s) and repairer(s.source) is not None)))}
    retry |= {s.seg_id for s in reused if hits.get(s.source, s.target) != s.target}  # a corrected TMX
    retry |= {s.seg_id for s in reused if s.source not in hits and s.state == "approved"}  # approved by nothing
    # now (its tm/ file removed); a memory draft whose entry is gone (its English rejected) waits, flagged
    return [s for s in states if s.state == "pending" or s.seg_id in retry]


def _memory_match(seg: SegmentState) -> bool:
    """A draft taken from memory, or one the translate pass approved as memory's own English: it follows
    the memory. A memory draft a reviewer approved or rejected is theirs, and stays."""
    tr = seg.translation
    return (tr is not None and tr["origin"] == "memory"
            and (seg.state == "draft" or (seg.state == "approved" and tr["reviewed_by"] == MEMORY_APPROVER)))


def _repairer(project: Project, store: Store, glossary: Glossary) -> Repairer:
    """Repairs from the store's memory, whose index is built (or brought up to date) on the first one."""
    threshold = float(project.config.get("translate.fuzzy_threshold"))
    return Repairer(functools.partial(memory_index, store), glossary, threshold)


def _translate_batch(batch: list[SegmentState], store: Store, glossary: Glossary,
                     engine: Engine, repairer: Repairer | None = None) -> list[SegmentResult]:
    """Memory first, then facts by rule, then a whole-segment glossary term or label, then a repaired
    near match, then the engine with terms masked."""
    remembered = store.memory_lookup([s.source for s in batch])
    contested = store.memory_contested(list(remembered)) if remembered else {}
    results: dict[str, SegmentResult] = {}
    for seg in batch:
        if seg.source in remembered and seg.kind != "code":  # memory forgets spacing, which code keeps
            other = [_contested(contested[seg.source])] if seg.source in contested else []
            results[seg.seg_id] = _result(seg, remembered[seg.source], "memory", other, glossary)
        elif seg.kind in RULE_KINDS:
            results[seg.seg_id] = _result(seg, fact_draft(seg.kind, seg.source, glossary), "engine", [], glossary,
                                          "facts")
        elif (rendering := glossary.rendering(seg.source)) is not None:
            results[seg.seg_id] = _result(seg, rendering, "engine", [], glossary, "glossary")
        elif repairer and (repaired := repairer(seg.source)):
            results[seg.seg_id] = _result(seg, repaired.target, "repair", [repaired.issue()], glossary)
    rest = [s for s in batch if s.seg_id not in results]
    masked = [mask(s.source, glossary) for s in rest]
    outputs = engine.translate([m.text for m in masked]) if rest else []
    for seg, m, out in zip(rest, masked, outputs, strict=True):
        if out is None:
            failure = [{"check": "engine", "message": engine.error}] if engine.name != "offline" else []
            results[seg.seg_id] = _result(seg, "", "none", failure, glossary, engine.name)
        else:
            text, placeholder_issues = restore(out, m)
            text = repair(text, seg.source, [s.restore for s in m.slots.values() if s.kind == "term"])
            results[seg.seg_id] = _result(seg, text, "engine", placeholder_issues, glossary, engine.name)
    return [results[s.seg_id] for s in batch]


def _contested(other: str) -> dict:
    """The flag of a memory match whose Chinese reviewers approved other English for too: not approved unread."""
    quoted = other if len(other) <= 80 else other[:79] + "…"
    return {"check": MEMORY_CONTESTED,
            "message": f"reviewers approved other English for this Chinese too (“{quoted}”): read which fits here"}


def _result(seg: SegmentState, target: str, origin: str, issues: list[dict], glossary: Glossary,
            engine: str = "") -> SegmentResult:
    checked = check_translation(seg.source, target, glossary)
    if origin == "none" and not issues:
        checked = [{"check": "empty", "message": "no translation memory match and no engine (provider offline): "
                                                 "translate this segment"}]
    merged = _merged(issues + checked)
    return SegmentResult(seg.seg_id, seg.source, target, origin, merged, engine or origin)


def _merged(issues: list[dict]) -> list[dict]:
    """Issues in order, each check and message once."""
    return list({(i["check"], i["message"]): i for i in issues}.values())


def _head(store: Store, slug: str) -> tuple | None:
    """A document's status and the digest of its file, as the store holds them now (None: not stored)."""
    rows = store.document_heads(status=None, slugs=[slug])
    return (rows[0]["status"], rows[0]["raw_hash"]) if rows else None


def _store_batch(store: Store, slug: str, batch: list[SegmentState], results: list[SegmentResult],
                 version: str) -> list[SegmentResult]:
    """Store the drafts whose segments still stand as they were read; return those stored. A reviewer's edit
    or decision made meanwhile stays (the store refuses a draft over it)."""
    stored = []
    with store.tx() as conn:
        for seg, r in zip(batch, results, strict=True):
            r.translation_id = store.add_translation(conn, slug, r.id, r.source, r.target, origin=r.origin,
                                                     replaces=seg.translation, issues=r.issues, engine=r.engine,
                                                     glossary_version=version)
            if r.translation_id is not None:
                store.log(conn, "zaitun", "translate", slug, r.id, after=r.target, note=f"{r.origin} {r.engine}")
                stored.append(r)
    return stored


def _record(store: Store, result: DocumentResult) -> None:
    """One event per document, for notifications: how many drafts wait for a reviewer."""
    segments = result.segments
    # a failing engine's are sent again, not told as drafts to review; approved English sent back waits too
    left = sum(not (r.origin == "none" and _engine_error(r)) for r in segments) - result.approved + result.sent_back
    with store.tx() as conn:
        store.record_event(conn, "zaitun.translate.drafted", result.slug, segments=len(segments),
                           approved=result.approved, flagged=sum(bool(r.issues) for r in segments),
                           rechecked=len(result.rechecked), to_review=max(left, 0))


def _approve_memory(store: Store, gate: ReviewGate, slug: str, results: list[SegmentResult]) -> int:
    """Approve clean memory matches; completing a document announces it like a reviewer's approval. A match a
    disabled account vouched for stays a draft, for a reviewer: `zaitun user disable` is how an account taken
    over is stopped, and the English it put into the memory must not go on being published in its name."""
    memory = [r for r in results if r.origin == "memory" and not r.issues]
    disabled = {user["name"] for user in store.users() if user["disabled_at"]} if memory else set()
    vouched = store.memory_vouchers([r.source for r in memory]) if disabled else {}
    drafted = {r.id: r.translation_id for r in memory if disabled.isdisjoint(vouched.get(r.source, ()))}
    if not drafted:
        return 0
    seen = {s.seg_id: s.version for s in segment_states(store, slug)
            if s.translation and drafted.get(s.seg_id) == s.translation["id"]}
    return gate.approve(slug, seen)
