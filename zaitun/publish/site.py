"""Build the static site: the whole publishing pass on one screen (`build_site`).

store -> entries (English holding a forbidden rendering held back: screen.py) -> planned outputs ->
changed files rendered into a new version folder, unchanged ones hard-linked from the version online
-> self-lint (a document whose pages fail is held back with its version online, or left out if new:
holding.py) -> publish/ switched to the new version with one atomic rename -> social outbox. Until
that rename publish/ shows the previous build, whole; a failed or stopped build leaves it untouched
(see output.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import itertools
import operator
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from zaitun import days, failures, progress
from zaitun.content.model import Document, document_from_row
from zaitun.content.tags import unlabelled
from zaitun.content.validity import EXPIRED, EXPIRING, NOT_YET, VALID, validity_on
from zaitun.errors import LocatedError, PublishError, shown
from zaitun.project import Project
from zaitun.publish import bodies, layout, lint, redirects, search, snapshot, warm
from zaitun.publish.ahead import Ahead
from zaitun.publish.beside import Beside
from zaitun.publish.delta import Delta, delta, inputs_digest
from zaitun.publish.extras import (
    Seed,
    extra_outputs,
    keep_lines_in,
    provenance_saved,
    sitemap_files_in,
    static_files,
    static_outputs,
)
from zaitun.publish.feeds import feed_outputs, left_saved, programmes_left
from zaitun.publish.holding import Culprits, Holding
from zaitun.publish.i18n import unnamed_sections
from zaitun.publish.indexer import ended_on_failure, prepare
from zaitun.publish.inputs import (
    BATCH,
    Entry,
    _date,
    collect,
    narrowed_validity,
    release_stamp,
    use_same_tags,
)
from zaitun.publish.lock import build_lock, free, take
from zaitun.publish.media import media_outputs
from zaitun.publish.memo import ByIdentity, other_places
from zaitun.publish.output import (
    BUILDING,
    DAY,
    SEARCH_DIRTY,
    SITE,
    FactsUnreadable,
    begin,
    built_on,
    current,
    discard,
    drop,
    files_under,
    finish,
    link_unchanged,
    load_summary,
    manifest_version,
    mark_announced,
    outbox_dir,
    read_manifest,
    recover,
    recyclable,
    roll_back,
    write_manifest,
)
from zaitun.publish.pages import (
    Output,
    PageEntries,
    PageSpec,
    Plan,
    Site,
    key_of,
    outputs,
    plan,
    plan_of,
    plan_saved,
    shared_keys,
)
from zaitun.publish.render import compile_templates_in, css_digest
from zaitun.publish.report import BuildReport
from zaitun.publish.screen import Screen
from zaitun.publish.social import SocialStateUnreadable, queue_posts, withdraw_unshown
from zaitun.publish.tags import TAGS_SCREENED, Screening, tag_labels
from zaitun.publish.workers import lean_heap, render_all, trim, worker_count
from zaitun.state import heads
from zaitun.state.reads import OFFLINE

if TYPE_CHECKING:  # or a LazyStore (zaitun build): SQLAlchemy loaded only when the build writes failures
    from zaitun.state.lazy import LazyStore
    from zaitun.state.store import Store

LEFT = "programmes_left"  # in the summary: when documents last moved out of each programme (feeds.py)
REDIRECTS = "redirects"  # in the summary: the digest of redirects.json as the build left it (statefiles.digest)
TEMPLATES = "templates"  # in the state folder: templates as compiled by zaitun's code of each name (render.py)


def build_site(project: Project, store: Store | LazyStore, today: dt.date | None = None,
               social: bool = True) -> BuildReport:
    """Build publish/ from the store: Chinese from current content, English only from releases."""
    started = time.perf_counter()
    settled()
    lock, after = take(project), []
    try:
        with collector_paused(kept_off=after), ended_on_failure():  # no search indexer left behind
            try:
                report = _build(project, store, today or project.today(), social, after)
            except FactsUnreadable as exc:  # the attempt left nothing; every page is made again
                report = _build(project, store, today or project.today(), social, after, manifest=False)
                report.notes.append(str(exc))
    except BaseException:
        free(lock)
        raise
    report.seconds = time.perf_counter() - started
    _afterwards(after, lock)
    return report


def settled() -> None:
    """Wait for what this process's last build left to do once online (its snapshot: `_afterwards`)."""
    for thread in _AFTER:
        thread.join()
    _AFTER.clear()


def _afterwards(steps: list[Callable[[], None]], lock: IO) -> None:
    """Run what a build leaves to do once its version is online (a warm build's snapshot, see snapshot.save)
    in a thread that holds the build lock until done: the build returns as soon as its files are committed,
    and no build (this process's or another's) starts before the snapshot is whole. Not a daemon: a process
    that exits waits for it."""
    if not steps:
        free(lock)
        return

    def run() -> None:
        time.sleep(YIELD)  # the build's thread, waiting for this one to start, takes the interpreter back
        try:
            _each(steps)
        finally:
            free(lock)

    thread = threading.Thread(target=run, name="build-afterwards")
    try:
        thread.start()
    except BaseException:
        free(lock)
        raise
    _AFTER.append(thread)


def _each(steps: list[Callable[[], None]]) -> None:
    """Run every step, the next ones too when one raises (the last may turn the collector back on:
    collector_paused); the first exception is raised once all have run."""
    failure = None
    for step in steps:
        try:
            step()
        except BaseException as exc:
            failure = failure or exc
    if failure is not None:
        raise failure


_AFTER: list[threading.Thread] = []  # the thread running what the last build left to do
YIELD = 0.001  # seconds: else the build returns only when this thread gives up the interpreter (5 ms, Python's
# switch interval), once its snapshot is under way


def rollback(project: Project, number: int | None = None, store: Store | LazyStore | None = None,
             with_withdrawn: bool = False, with_rejected: bool = False, with_outdated: bool = False) -> RolledBack:
    """Put an earlier build back online (by default the one before the build online); waits for a build.
    Given the store, a build showing documents withdrawn since, or made a draft or dated later since, is refused
    unless `with_withdrawn`, and one
    showing English a reviewer rejected since (a retracted release) unless `with_rejected`: what was taken
    off the site is not put back by a rollback unasked. Nor is a notice shown in force that has lapsed since (or
    not yet in force that is now, by the dates as they stand today): it is refused unless `with_outdated`."""
    today = project.today()

    def refuse(version: Path) -> None:
        docs = read_manifest(version)[0].get("docs", {})
        then = _built_on(version, project.zone)
        active = {row["slug"]: row for row in store.document_heads("active")}
        edited = _edited_since(docs, active, store, today)
        outdated = [] if with_outdated else _validity_since(docs, then, today, edited)
        if outdated:
            raise PublishError(f"build {int(version.name)} was made on {then} and shows {len(outdated)} document(s) "
                               f"whose validity has changed since: {'; '.join(outdated)}; to put it online all the "
                               "same, pass --with-outdated-status (the next build shows them as they are today)")
        gone = [] if with_withdrawn else sorted(docs.keys() - active.keys())
        if gone:
            raise PublishError(f"build {int(version.name)} shows {len(gone)} document(s) withdrawn since: "
                               f"{', '.join(gone)}; to put it online all the same, pass --with-withdrawn (the "
                               "next build takes them off again)")
        off = [] if with_withdrawn else _taken_off_since(edited, today)
        if off:
            raise PublishError(f"build {int(version.name)} shows {len(off)} document(s) taken off the site since "
                               f"(made a draft, or dated later): {', '.join(off)}; to put it online all the same, "
                               "pass --with-withdrawn (the next build takes them off again)")
        unknown = [] if with_rejected else _not_in_store(docs, store)
        if unknown:
            raise PublishError(f"build {int(version.name)} shows English the store {store.database} holds no "
                               f"approval of: {', '.join(unknown)}; the store is older than that build (restored "
                               "from an older backup?), and what it holds is what was approved: approve that "
                               "English again, or, to put the build online all the same, pass --with-rejected (the "
                               "next build takes it off again)")
        rejected = [] if with_rejected else _rejected_since(docs, store)
        if rejected:
            raise PublishError(f"build {int(version.name)} shows English rejected since: {', '.join(rejected)}; "
                               "to put it online all the same, pass --with-rejected (the next build takes it off "
                               "again)")

    with build_lock(project):
        version = roll_back(project.publish_dir, number,
                            None if store is None or (with_withdrawn and with_rejected and with_outdated) else refuse)
        try:  # under the lock: no build queues posts meanwhile
            return RolledBack(version, withdraw_unshown(project, version))
        except SocialStateUnreadable as exc:
            return RolledBack(version, 0, str(exc))


@dataclass(frozen=True)
class RolledBack:
    """The build a rollback put online, the unsent social posts it took out of the outbox (social.py's
    withdraw_unshown), and why it could not look at them."""

    version: Path
    withdrawn: int
    problem: str | None = None


def _edited_since(docs: dict, active: dict[str, dict], store: Store | LazyStore,
                  today: dt.date) -> dict[str, Document]:
    """The documents a build showed (its manifest's `docs`) whose file changed since: slug -> the file as stored now
    (one that no longer reads is left out: intake took it, so it does)."""
    changed = sorted(slug for slug, record in docs.items()
                     if slug in active and record.get("raw_hash") != active[slug]["raw_hash"] and _shown(record, today))
    edited = {}
    for slug, raw in store.raws(changed).items() if changed else ():
        try:
            edited[slug] = document_from_row(active[slug] | {"raw": raw})
        except LocatedError:
            continue
    return edited


def _taken_off_since(edited: dict[str, Document], today: dt.date) -> list[str]:
    """The documents edited since a build (`_edited_since`) that are now a draft or dated later than today: staff
    took them off the site, as a build keeps them off (collect, scheduled_out)."""
    return sorted(slug for slug, doc in edited.items() if doc.draft or days.dated_later(doc.date, today))


def _built_on(version: Path, zone: dt.tzinfo) -> dt.date:
    """The project's day a build was made on, as `zaitun rollback --list` shows it (output.built_on)."""
    built = built_on(version, zone)
    return built.date() if isinstance(built, dt.datetime) else built


def _validity_since(docs: dict, then: dt.date, today: dt.date, edited: dict[str, Document]) -> list[str]:
    """The documents a build showed (its manifest's `docs`) as in force, expired or not yet in force on the day
    it was made (`then`) that are otherwise today, by their dates then and now (`edited`: files changed since), in
    either language: "slug (in force then, expired today)". An English page shows an end its Chinese brings forward
    (or a start it puts back) at once (inputs.narrowed_validity): so does this."""
    said = {EXPIRED: "expired", NOT_YET: "not yet in force", VALID: "in force"}
    found = []
    for slug, record in sorted(docs.items()):
        if not _shown(record, then):
            continue
        zh_then = record.get("meta") or {}
        zh_now = edited[slug].meta if slug in edited else zh_then
        pages = [(zh_then, zh_now)]
        try:
            if record.get("en"):  # its English page: the approved dates, narrowed by the Chinese's then and now
                en = record["en"].get("meta") or {}
                pages.append((en | narrowed_validity(en, zh_then), en | narrowed_validity(en, zh_now)))
            states = [(validity_on(*_dates(was), then), validity_on(*_dates(now), today)) for was, now in pages]
        except (TypeError, ValueError):  # a record's dates are written by the build: not a staff's concern
            continue
        for was, now in states:
            shown, now = _IN_FORCE.get(was, was), _IN_FORCE.get(now, now)
            if shown != now:
                found.append(f"{slug} ({said[shown]} then, {said[now]} today)")
                break
    return found


def _dates(meta: dict) -> tuple[dt.date | None, dt.date | None]:
    return _date(meta.get("valid_from")), _date(meta.get("valid_until"))


_IN_FORCE = {EXPIRING: VALID}  # its last days are in force too (a badge's difference is not refused for)


def _shown(record: dict, today: dt.date) -> bool:
    """Whether a build showed the document of this record (a draft, or one dated later, it did not)."""
    meta = record.get("meta") or {}
    return not meta.get("draft") and not (meta.get("date") and days.dated_later(_date(meta["date"]), today))


def _not_in_store(docs: dict, store: Store | LazyStore) -> list[str]:
    """The documents whose English a build showed from a release the store does not hold (by its stamp: the id
    alone may name another release in a store restored and written since)."""
    shown = {record["en"]["stamp"]: slug for slug, record in docs.items() if (record.get("en") or {}).get("stamp")}
    ids = sorted({int(stamp.split(" ", 1)[0]) for stamp in shown})
    held = {release_stamp(release) for release in store.release_stamps(ids)} if ids else set()
    return sorted(slug for stamp, slug in shown.items() if stamp not in held)


def _rejected_since(docs: dict, store: Store | LazyStore) -> list[str]:
    """The documents whose English a build showed (its manifest's `docs`) from a release retracted since."""
    shown = {}
    for slug, record in docs.items():
        stamp = (record.get("en") or {}).get("stamp")
        if stamp:
            shown[int(stamp.split(" ", 1)[0])] = slug
    return sorted(shown[id_] for id_ in store.retracted(sorted(shown))) if shown else []


@contextmanager
def collector_paused(then_freeze: bool = False, kept_off: list[Callable[[], None]] | None = None) -> Iterator[None]:
    """A build makes hundreds of thousands of objects that live until it ends and form no cycles (entries,
    page contexts): Python's cycle collector would walk them all again and again, about 45 ms of the
    serial part of a large build. The few cycles a build leaves are collected after it, as usual; or, in a
    command that exits next (`then_freeze`), set aside for good (gc.freeze: 0.1 s at 5,000 documents).
    `kept_off`: what a build that succeeds leaves to do once online (site._afterwards); when it left anything,
    the collector is turned back on last of all by the thread doing it, not as the build returns: its first
    collection walks every object the build made (7 ms of a one-change rebuild at 5,000 documents)."""
    enabled = gc.isenabled()
    gc.disable()
    failed = True
    try:
        yield
        failed = False
    finally:
        if then_freeze:
            gc.freeze()
        if enabled and kept_off and not failed:
            kept_off.append(_collector_on)
        elif enabled:
            gc.enable()


def _collector_on() -> None:
    """The collector back on, and its first collection made here (the youngest objects: those the build made),
    not at the next allocation of whichever thread comes next."""
    gc.enable()
    gc.collect(0)


def _build(project: Project, store: Store | LazyStore, today: dt.date, social: bool,
           after: list[Callable[[], None]], manifest: bool = True) -> BuildReport:
    out = project.publish_dir
    lean_heap()
    recover(out)
    bodies.use(project.state_dir)
    keep_lines_in(project.state_dir)
    online = current(out)
    report = BuildReport(out, before=online)
    summary = load_summary(online)
    change = delta(project, store, summary, today, summary.get("media", []))
    if change.older:  # what this process or the build online read of the store is not what it holds now
        heads.forget(store)
        report.notes.append(change.older)
    if change.nothing(summary, social):
        report.reused = summary["paths"]  # the build online is this build: nothing to write, lint or index
        return report
    compile_templates_in(project.state_dir / TEMPLATES / change.code)
    if change.changed != set():  # documents changed (or all may have): their pages will be indexed
        prepare()  # the search indexer starts now, beside the reading, planning and rendering
    memory = warm.recall(out, online)  # this process's last build, when it is the one online
    # the manifest's records, and its parts as read or written (the same objects); none when it did not read
    state, known = ({}, None) if not (summary and manifest) else (memory.manifest, memory.parts) if memory \
        else read_manifest(online)
    adopted = snapshot.adopt(online, store, summary, change.code) if memory is None and not change.older else None
    # a new process, or another build online: the heads it read, its plan and provenance.json's pages, if it
    # saved them (not from a store older than the one they were read from)
    held: dict[str, LocatedError] = {}
    previous = state.get("files", {})
    hold = Holding(project.content_dir, previous, online, dict(state.get("docs", {})))  # before collect renews it
    # the glossary's version, as the build online screened against, when the inputs (its files) did not change
    screen = Screen(project.glossary_dir, summary.get("glossary") if change.changed is not None else None)
    entries = collect(store, state.setdefault("docs", {}), held, heads.read(store, change.seq), screen)
    entries += hold.unreadable(store, held)
    in_store = entries  # every document in the store, those dated later and those left out for an error too
    held |= screen.held  # after unreadable: these documents were collected, only their new English was not
    entries, report.scheduled = scheduled_out(entries, today)
    hold.refused = screen.states
    if change.changed is None or len(change.changed) >= BATCH:  # the files and payloads collect read a batch
        trim()  # at a time: freed, not yet given back (a few documents' not worth trimming the heap for)
    plan_ = Planned(previous, summary.get("shared", {}), change.changed,
                    project.config.get("publish.keep_versions") if previous else None, memory.plan if memory else None,
                    seed=Seed.of(adopted and adopted.provenance, previous.get(layout.PROVENANCE, {}).get("key"),
                                 change.changed, online / SITE / layout.PROVENANCE) if adopted else None,
                    saved_plan=adopted.plan if adopted else None, left=summary.get(LEFT, {}))
    records = redirects.read(project.state_dir)  # the old addresses that lead to moved pages, as last saved: when
    # they are as the build online left them, only the documents written since have their records made again
    since = plan_.changed if records.digest is not None and records.digest == summary.get(REDIRECTS) else None
    moved = records, in_store, store.raws, since  # (and the stored files, to tell a document renamed and retitled
    # at once by its body)
    while True:  # each round moves at least one culprit a step on (holding.py), so this ends
        site, building, files, culprits, moves = _attempt(project, entries, plan_, hold, today, report, moved,
                                                          lambda: screen.version)
        if not culprits:
            break
        if plan_.changed is not None:  # their other language's page loses an alternate, lists change
            plan_.changed |= {entries[i].slug for i in culprits}
        entries = hold.settle(entries, culprits, held)
    report.removed = sorted(set(previous) - set(files))
    indexing, shown = plan_.indexing or _search_index(online, building / SITE, report.rendered, report.removed,
                                                             plan_, files)
    plan_.indexing = None
    try:  # while the index is made: what is written beside it; nothing goes online before it is whole
        hold.keep_metadata(state["docs"])
        _explain(entries, report, store)
        _prune_bodies(entries, plan_.changed, hold.before)
        manifest = {"version": manifest_version(), "docs": state["docs"], "files": files}
        parts = write_manifest(building, manifest, online, known,
                               memory.records if memory else {"docs": hold.before, "files": previous})
        saved = None if memory else snapshot.prepare(  # encoded while the index is made: the build waits for it
            building.name.removesuffix(BUILDING), store, change.code, provenance_saved(),
            plan_saved(plan_.now) if plan_.now else None)
        with progress.task("Indexing for search") if shown else contextlib.nullcontext():
            report.search = indexing.result()  # Pagefind runs: no count, the bar says it is under way
    except BaseException:
        indexing.wait()
        discard(building)
        raise
    # left out, named (a static file; a tag label with a forbidden rendering, the tag shown by its name), and
    # aliases not written (their documents are online)
    _record(project, store, held, hold, report, [*static_files(project.static_dir)[1], *report.labels_refused],
            moves.refused, (project.state_dir / redirects.STATE, moves.problems) if moves.problems else None)
    report.redirects = moves.notes
    version = finish(out, building, project.config.get("publish.keep_versions"),
                     _summary(project, today, change, summary, plan_, files, held, report, online, screen.version,
                              moves.settle()),
                     project.config.get("publish.fsync"))
    warm.keep(out, version, manifest, parts, plan_.now)
    redirects.save(project.state_dir, moves)  # once online, as the social outbox's record
    if memory is None:
        snapshot.write(version, saved)
    else:  # a warm process saves only the heads (the rest costs it a tenth of a warm build), once it returned
        after.append(functools.partial(snapshot.save, version, store, change.code))
    if social:  # announced only once the pages are online; a crash before this re-queues next time
        try:
            queued = queue_posts(project, entries, site, outbox_dir(out), changed=plan_.changed,
                                 settled=summary.get("social_settled"), code=change.code)
        except SocialStateUnreadable as exc:  # the site is online; its posts wait for the record of those sent
            report.problems.append(str(exc))
            _social_record(project, store, exc)
        else:
            report.social, report.social_held = queued.ids, (queued.too_old, queued.over_limit)
            report.social_waiting = (queued.expired, queued.not_in_force)
            report.social_withdrawn = queued.withdrawn
            mark_announced(version, queued.settled)
            _social_record(project, store, None)
    screen.back_to_review(store)  # once its pages are offline: the segments holding them, for a reviewer to edit
    return report


def scheduled_out(entries: list[Entry], today: dt.date) -> tuple[list[Entry], list[str]]:
    """The entries to publish today, and the documents dated later (in the project's day), kept off the site in
    both languages until that day: a notice dated next week is not out before it is issued. A new day plans
    every page again (delta.py), so each comes online with the first build on its date."""
    if not entries or not days.dated_later(max(map(_DATE, entries)), today):  # (most builds: looked at in C)
        return entries, []
    later = {e.slug for e in entries if e.lang == "zh" and days.dated_later(e.date, today)}
    if not later:
        return entries, []
    return [e for e in entries if e.slug not in later], sorted(later)


_DATE = operator.attrgetter("date")


def _prune_bodies(entries: list[Entry], changed: set[str] | None, before: dict) -> None:
    """Forget the bodies no entry shows any more. A build that knows which documents changed (a new process's
    or a warm one's) forgets those their versions online showed, keyed from the manifest's records of them
    (`before`), instead of keying every entry's body (10,000 at 5,000 documents); unless one of them linked
    files (its key then depends on where they were published). A body left behind is a cache's row,
    forgotten by the next build that keys every body."""
    if changed is not None:
        old = _old_body_keys(changed, before)
        if old is not None:
            bodies.forget(old - {entry.body_key for entry in entries if entry.slug in changed})
            return
    bodies.keep_only(_body_keys(entries))


def _old_body_keys(changed: set[str], before: dict) -> set[str] | None:
    """The keys of the bodies the build online showed of these documents (None: one linked files)."""
    keys = set()
    for slug in changed:
        record = before.get(slug) or {}
        for lang, known in (("zh", record), ("en", record.get("en"))):
            if known and known.get("refs"):
                return None
            if known and (source := known.get("raw_hash" if lang == "zh" else "hash")):
                keys.add(bodies.key_of(lang, source, {}))
    return keys


def _body_keys(entries: list[Entry]) -> set[str]:
    """The keys of the bodies these entries show, each made once per entry (as pages.item makes a line): a
    process that builds again with the same entries (inputs.collect keeps them) hashes only the changed."""
    keys = {_BODY_KEYS.get(entry, lambda e: e.body_key, entry.file_links) for entry in entries}  # links: told
    _BODY_KEYS.keep_only(entries)  # each build
    return keys


_BODY_KEYS: ByIdentity[Entry, str] = ByIdentity()


def _summary(project: Project, today: dt.date, change: Delta, before: dict, planned: Planned, files: dict, held: dict,
             report: BuildReport, online: Path | None, glossary: str, redirected: str | None) -> dict:
    """What the next build reads first (output.SUMMARY): whether anything changed since this one, which
    files this one wrote or removed (so it can be reused later, see output.recyclable), and the glossary
    version its English was screened against (screen.py), and redirects.json's digest once saved (`redirected`)."""
    same = "paths" in before and files.keys() == planned.files.keys()  # the files of the build online: its lists
    media = before["media"] if same else sorted(
        p.removeprefix(layout.MEDIA_DIR + "/") for p in files if p.startswith(layout.MEDIA_DIR + "/"))
    inputs = change.inputs if media == before.get("media", []) else inputs_digest(project, today, media, change.code)
    return {"seq": change.seq, "store": change.store, "history": change.history, "inputs": inputs, "media": media,
            "shared": planned.shared_now,
            "held": sorted(held), "problems": len(report.problems), "social": False,
            "paths": before["paths"] if same else sorted(files),
            "base": int(online.name) if online else None, "touched": _touched(report, planned.indexed),
            "glossary": glossary, LEFT: left_saved(planned.moved_out, files), REDIRECTS: redirected,
            DAY: today.isoformat()}


@dataclass
class Planned:
    """What the build online tells this one: its files, the keys of what all pages of a language share,
    and the documents changed since (None: unknown, so every page is planned and keyed)."""

    files: dict
    shared: dict[str, str]
    changed: set[str] | None
    keep: int | None = None  # publish.keep_versions, while an old version may be reused (first attempt)
    before: Plan | None = None  # the plan of the build online, when this process made it (warm.py)
    now: Plan | None = None  # this build's
    dirty: frozenset[str] | None = None  # when one is: its files that differ from the version online
    shared_now: dict[str, str] = field(default_factory=dict)
    indexed: list[str] = field(default_factory=list)  # what of the search index differs from the version online
    shown: dict[str, str] = field(default_factory=dict)  # list page or sitemap -> digest of what it shows
    seed: Seed | None = None  # provenance.json's pages of the build online, saved by it (a new process)
    saved_plan: tuple | None = None  # its plan, as it saved it (pages.plan_saved)
    ahead: Ahead | None = None  # the search index of a first build, made as its pages are written
    indexing: tuple[Beside, bool] | None = None  # a rebuild's, started once its pages are written (_attempt)
    left: dict[str, str] = field(default_factory=dict)  # the build online's dates of documents leaving programmes
    moved_out: dict[tuple[str, str], dt.datetime] = field(default_factory=dict)  # this build's (feeds.py)
    sitemap_files: list[str] = field(default_factory=list)  # this build's files listing the sitemap's URLs
    sitemap_pages: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a shard of them -> its pages' paths

    def stage(self, out: Path) -> Path:
        """The version folder to build into; only the first attempt reuses an old version."""
        reuse = recyclable(out, self.keep) if self.keep is not None else None
        self.keep, self.dirty = None, reuse.dirty if reuse else None
        return begin(out, reuse)

    def plan(self, entries: list[Entry], site: Site) -> list[PageSpec]:
        """Every page, those of lists showing no document changed since the build online taken from its plan
        when this process made it (pages.plan)."""
        if self.before is None and self.saved_plan is not None:  # a new process: the plan the build online saved
            self.before, self.saved_plan = plan_of(self.saved_plan, entries, site, self.changed), None
        self.now = plan(entries, site, self.before)
        return self.now.specs

    def kept(self, site: Site) -> set[str]:
        """Pages known unchanged without hashing them, when what every page of their language shows
        (navigation, settings) is the same: document pages whose document was not written since, and list
        pages planned as they were for the build online (pages.Plan.unchanged_lists)."""
        self.shared_now = shared_keys(self.now, site)
        if self.changed is None:
            return set()
        langs = {lang for lang, key in self.shared_now.items() if self.shared.get(lang) == key}
        mine = [self.now.langs[lang] for lang in langs]  # set operations on the paths the plan keeps, in C
        kept = set().union(*(lang.doc_paths() for lang in mine))
        kept.difference_update([lang.docs[slug].path for lang in mine for slug in self.changed if slug in lang.docs])
        kept.intersection_update(self.files)
        kept.update(s.path for s in self.now.unchanged_lists() if s.lang in langs and s.path in self.files)
        return kept

    def recall_keys(self, items: list[Output]) -> None:
        """List pages showing the same documents, none changed, and the same all else as when the version
        online was built take their key from then instead of hashing every line again; so do the sitemap's files
        while the pages, their languages and dates are the same, and a shard of a large site's sitemap while it
        lists the same pages, none of a document changed (extras._Sitemap). What they showed is known from the digest of
        it each one's manifest record keeps (read from disk, or kept by this process: warm.py)."""
        same = self.changed is not None and self.now is not None and self.now.same_pages()
        sitemap = [item for item in items if item.kind == "sitemap"]
        self.sitemap_files = [item.path for item in sitemap]
        self.sitemap_pages = {item.path: item.shows[1] for item in sitemap if item.shows is not None}
        for item in sitemap if same else ():
            old = self.files.get(item.path)
            if old and SHOWN in old:
                item.known(old["key"])  # what it shows is as the build online planned it: not listed again
        shows = [item for item in items if item.shows is not None]
        self.shown = {item.path: _SHOWN_KEYS.get(item.shows, key_of) for item in shows}
        _SHOWN_KEYS.keep_only([item.shows for item in shows])
        if self.changed is None:
            return
        for item in items:
            old = self.files.get(item.path)
            if item.shows is None or not old or not self.changed.isdisjoint(item.shows[0]):
                continue
            if old.get(SHOWN) == self.shown[item.path]:
                item.known(old["key"])

    def remember(self, files: dict) -> None:
        """Keep in each list page's and sitemap shard's record the digest of what it showed, for the next build; in
        a sitemap's file of no such digest written anew, its key (the digest of its elements: extras.sitemap_key)."""
        shown = self.shown | {path: files[path]["key"] for path in self.sitemap_files
                              if path in files and path not in self.shown and SHOWN not in files[path]}
        for path, digest in shown.items():
            if path in files and files[path].get(SHOWN) != digest:
                files[path] = files[path] | {SHOWN: digest}


SHOWN = "shows"  # a manifest record's digest of what its list page or sitemap showed (Planned.recall_keys)
_SHOWN_KEYS: ByIdentity[tuple, str] = ByIdentity()  # the digest of what each shows: a process that builds again
# hashes again only what is not the very same (a shard's 700 documents, its pages and settings: extras._Layout)


def _touched(report: BuildReport, indexed: list[str]) -> list[str]:
    """The files this build wrote or removed, and what of the search index differs (when it wrote one)."""
    names = {layout.file_of(p) for p in report.rendered + report.removed}
    return sorted(names) + indexed


def _search_index(online: Path | None, stage: Path, rendered: list[str], removed: list[str], planned: Planned,
                  files: dict) -> tuple[Beside[search.IndexReport | None], bool]:
    """Index the new version before it goes online, so pages and index switch together: only the bundles
    of the pages written or removed (search.stale_shards); the others are hard-linked over from the
    version online (a reused version has them already, but for the bundles and files the builds since it
    changed). Made in a thread beside the build's last writes (its Python work is short: most of it waits on
    Pagefind); whether it indexes (a bar is shown while the build waits for it)."""
    base = online / SITE if online is not None else stage
    moved = {path for path in rendered if files[path]["kind"] == redirects.KIND}  # a page gone from there
    rendered = [path for path in rendered if path not in moved] if moved else rendered
    written = search.written_anew(base, stage, rendered) if online is not None else rendered
    stale = search.stale_shards(base, written, removed + sorted(moved))
    ahead, planned.ahead, owner = planned.ahead, None, threading.current_thread()
    # the pages at a document's place, from the build's files rather than listed again (when a shard is stale)
    pages = (path + "index.html" for path in tuple(files) if path.endswith("/") and search.placed(path))

    def index() -> search.IndexReport | None:
        started, made = time.perf_counter(), ({}, {})
        if ahead is not None:  # a first build: the bundles made as its pages were written (ahead.py)
            made = ahead.finish()
        waited = time.perf_counter() - started
        if online is not None:
            link_unchanged(online, stage, _index_to_link(online / SITE, stale, planned.dirty))
        if not stale:
            return None
        indexed = search.index_site(stage, stale, written, pages, made, owner)
        indexed.seconds += waited
        planned.indexed = indexed.changed if online else [SEARCH_DIRTY]  # told by the indexer, not compared
        return indexed

    return Beside(index, "index-beside"), bool(stale) or ahead is not None


def _index_to_link(site: Path, stale: set[str], dirty: frozenset[str] | None) -> list[str]:
    """The search index's files to link from the version online (`site`): all but the stale shards' into
    a new version; into a reused one, only those the builds since it changed (search.IndexReport.changed)."""
    if dirty is None or SEARCH_DIRTY in dirty:
        return search.kept_files(site, stale)
    skip = {f"{layout.SEARCH_DIR}/{shard}/" for shard in stale}
    names = []
    for name in sorted(n for n in dirty if n.startswith(SEARCH_DIRTY) and n not in skip):
        names += files_under(site, name) if name.endswith("/") else [name] if os.path.isfile(site / name) else []
    return names


def _attempt(project: Project, entries: list[Entry], planned: Planned, hold: Holding, today: dt.date,
             report: BuildReport, moved: tuple[redirects.Redirects, list[Entry], redirects.Raws, set[str] | None],
             glossary_version: Callable[[], str] | None = None
             ) -> tuple[Site, Path, dict, Culprits, redirects.Redirects]:
    """Plan, render and lint the site of these entries into a new version folder, the pages `hold` keeps
    taken from the version online, with the redirects from the addresses of pages `moved` since (the records
    saved last, every document known, online in this build or not, and the stored files' reads). Culprits are
    the entries whose own pages failed (none: the version is good); a failure no document explains raises."""
    tags = _TAGS.of(entries)
    report.labels_refused = []
    named = _NAMED.of(entries)
    site = site_settings(project, today, tags, report.labels_refused, glossary_version, named)
    use_same_tags(site.same_tags)  # before any entry's tags are read
    tags = {site.same_tags.get(tag, tag) for tag in tags}
    before, known, raws, since = moved
    moves = redirects.follow(before, entries, known, raws, since)
    site.feed_ids = moves.feed_ids()
    report.unlabelled_tags = unlabelled(site.tag_labels, tags)
    refused: Culprits = {}
    media = media_outputs(entries, project.content_dir, site.urls, refused)  # before any body is rendered
    if refused:
        return site, Path(), {}, refused, moves
    specs = planned.plan(entries, site)
    report.unlabelled_tags += [f"{programme} (zh)" for programme in sorted(planned.now.programmes("zh"))
                               if "zh" not in site.tag_labels.get(programme, {})]  # shown in English otherwise
    report.unlabelled_tags += unnamed_sections(planned.now.langs["zh"].lists["section"], site.tag_labels)
    kept = planned.kept(site) | hold.kept  # known unchanged, and held back as they are online
    if not moves.readable:  # the redirect pages online stay as they are until their record reads again (but
        # where a page of this build's is, which wins as it always does, or an alias named now, written anew)
        kept |= {path for path, record in planned.files.items() if record.get("kind") == redirects.KIND} - {
            spec.path for spec in specs} - redirects.alias_paths(entries)
    pages_ = outputs(planned.now, site, skip=kept)
    report.rendered, report.reused = [], []
    building = planned.stage(report.out_dir)
    if hold.online is None:  # a first build: every shard is indexed, each as soon as its pages are written
        planned.ahead = Ahead(building / SITE, [s.path for s in specs if s.entry is not None], os.cpu_count() or 1)
    writing = _Writing(planned.files, hold.online, building / SITE, report, kept, planned.dirty,
                       planned.now.entries_by_page(), planned.ahead)
    # a rebuild of a few pages (rendered in this process) writes those at documents' places first and indexes them
    # beside the rest; before the other outputs are made, unless a redirect or an alias may take such a place
    few = hold.online is not None and worker_count(len(pages_)) == 1
    early = few and not moves.moved and not redirects.aliased_entries(entries)
    first, pages_ = _placed_apart(pages_) if early else ([], pages_)
    unchecked: set[str] = set()  # pages written before the site's files were known: their links checked after

    def index(removed: set[str]) -> None:  # a rebuild's, beside what is still to be written
        planned.indexing = _search_index(hold.online, building / SITE, list(report.rendered), sorted(removed),
                                         planned, writing.files)

    try:
        if first:
            removed = {path for path in writing.replaced - {item.path for item in first} if search.placed(path)}
            writing.drop(removed)
            writing.write(first, lint.Scope(site.urls, lint.EVERY_NAME))
            unchecked = set(report.rendered)
            if not writing.errors:
                index(removed)
        # feeds first: they render many bodies, so a worker should start on them, not end with them
        planned.moved_out = programmes_left(entries, hold.before, planned.changed, planned.left)
        items = (feed_outputs(planned.now, site, planned.moved_out) + pages_
                 + extra_outputs(specs, site, planned.seed) + [search.script_output()]
                 + static_outputs(project.static_dir) + media)
        items += redirects.outputs(moves, entries, site, kept | {item.path for item in first + items},
                                   project.content_dir)
        _refuse_duplicates(first + items, kept)
        planned.recall_keys(items)
        paths = {item.path for item in first + items}
        scope = lint.Scope(site.urls, lint.FileNames(kept | paths))
        gone = writing.replaced - paths  # (were an output to fail, this attempt would be dropped)
        writing.drop(gone)
        if few and not first:  # a redirect or an alias among them: all the outputs known first
            first, items = _placed_apart(items)
            writing.write(first, scope)
            if not writing.errors:
                index(gone)
        writing.write(items, scope)
        files, errors, own = writing.files, writing.errors, writing.problems
        report.removed = sorted(gone)
        if not errors and hold.online is not None and planned.indexing is None:  # (many outputs: after them all)
            index(gone)
        problems = [] if errors else _lint(files, site, planned, report, own, gone, unchecked)  # render errors first
        culprits = _render_culprits(entries, errors) or _lint_culprits(entries, problems)
        planned.remember(files)
    except BaseException:
        _cancel(planned)
        discard(building)
        raise
    if culprits:
        _cancel(planned)
        discard(building)
    return site, building, files, culprits, moves


class _Tally:
    """What every entry shows of one kind (its tags, say), counted: a process that builds again (`zaitun up`)
    recounts only the entries that are not the very ones in the same place of its last build's (inputs.collect
    keeps the unchanged)."""

    def __init__(self, shown: Callable[[Entry], Iterable[Hashable]]) -> None:
        self.shown = shown
        self.entries: list[Entry] = []
        self.counts: Counter = Counter()

    def of(self, entries: list[Entry]) -> set:
        before = self.entries if len(self.entries) == len(entries) else []
        if not before:  # counted in one call (a new process: 10,000 entries at 5,000 documents)
            self.counts = Counter(itertools.chain.from_iterable(map(self.shown, entries)))
        for i in other_places(before, entries) if before else ():
            self.counts.subtract(self.shown(before[i]))
            self.counts.update(self.shown(entries[i]))
        self.entries = list(entries)
        return {shown for shown, count in self.counts.items() if count > 0}


def _named(entry: Entry) -> tuple[tuple[str, str], ...]:
    """The section and programme an entry is listed under (their labels are looked up)."""
    programme = entry.programme
    return (("section", entry.section), ("programme", programme)) if programme else (("section", entry.section),)


_TAGS = _Tally(lambda entry: entry.meta.get("tags") or ())  # entry.tags, not copied
_NAMED = _Tally(_named)


def _cancel(planned: Planned) -> None:
    """Stop what an attempt started beside it (its search index) before its version folder is discarded."""
    if planned.ahead is not None:
        planned.ahead.cancel()
        planned.ahead = None
    if planned.indexing is not None:
        planned.indexing[0].wait()
        planned.indexing = None


def _lint(files: dict, site: Site, planned: Planned, report: BuildReport, own: list[str], gone: set[str],
          unchecked: set[str] = frozenset()) -> list[str]:
    """The problems the pages written have on their own (`own`, found as they were written) and across them;
    across all pages when one was removed (`gone`: a link elsewhere may point at it) or when what changed is
    unknown. An unchanged page's links still meet the same files, its alternates the same pages (a
    document page's alternates are its own document's); so are the links of the pages written before the
    site's files were known (`unchecked`)."""
    only = set(report.rendered) if planned.changed is not None and not gone else None
    fresh = set(report.rendered) - unchecked
    shards = planned.sitemap_files
    checked = only is None or any(path in only for path in shards)  # else its files are as online, checked then
    sitemap, before = {}, None
    if checked:
        online = sitemap_files_in(planned.files)
        looked = set(shards) | set(online) if only is None or not online else _looked(shards, online, only,
                                                                                         planned.sitemap_pages)
        sitemap = _sitemap_facts(files, [path for path in shards if path in looked])
        before = _sitemap_facts(planned.files, [path for path in online if path in looked]) if online else None
    return own + lint.lint_site(files, site.urls, sitemap, only, fresh, before, shards)


def _looked(shards: list[str], online: list[str], written: set[str], pages: dict[str, tuple[str, ...]]) -> set[str]:
    """The sitemap's files a rebuild's check across reads: those written or gone, and those listing a page written.
    Any other is the very file online, and lists the same URLs with the same alternates: the check looks only at
    URLs listed otherwise than online, and at the pages written (a large site's 12,000 URLs read for a few)."""
    return {path for path in shards if path in written or path not in pages or not written.isdisjoint(pages[path])
            } | (set(online) - set(shards))


def _sitemap_facts(files: dict, paths: list[str]) -> dict[str, list]:
    """The URLs of the sitemap's files and their alternates, all together."""
    if len(paths) == 1:
        return files[paths[0]]["facts"]
    together: dict[str, list] = {}
    for path in paths:
        together.update(files[path]["facts"].items())
    return together


def _placed_apart(items: list[Output]) -> tuple[list[Output], list[Output]]:
    """The outputs at documents' places (the pages a search index holds), and the others."""
    placed = [search.placed(item.path) for item in items]
    return ([item for item, at in zip(items, placed, strict=True) if at],
            [item for item, at in zip(items, placed, strict=True) if not at])


def _pages(entries: list[Entry]) -> dict[str, int]:
    """Each document page's site path -> the index of its entry."""
    return {layout.document(e.lang, e.section, e.slug): i for i, e in enumerate(entries)}


def _render_culprits(entries: list[Entry], errors: list[tuple[Output, str]]) -> Culprits:
    """The entries whose page, or whose body in a feed, raised while rendering."""
    if not errors:
        return {}
    pages, culprits = _pages(entries), {}
    for item, why in errors:
        if item.path in pages:
            culprits[pages[item.path]] = f"its page could not be rendered: {why}"
            continue
        found = {pages[b]: f"its text could not be rendered: {e}"
                 for b in item.bodies if (e := _html_error(entries[pages[b]]))}
        if not found:
            raise PublishError(f"{item.path} could not be rendered ({why}); the previous site was kept")
        culprits.update(found)
    return culprits


def _html_error(entry: Entry) -> str | None:
    try:
        entry.html  # noqa: B018 - rendering it is the test
    except Exception as exc:
        return f"{exc.__class__.__name__}: {exc}"
    return None


def _lint_culprits(entries: list[Entry], problems: list[str]) -> Culprits:
    """Lint problems are culprits when each is on a document's own page; any other one refuses the site."""
    if not problems:
        return {}
    files = {layout.file_of(path): i for path, i in _pages(entries).items()}
    culprits: Culprits = {}
    for problem in problems:
        where, _, why = problem.partition(": ")
        if where not in files:
            lint.raise_problems(problems)
        culprits[files[where]] = f"{culprits[files[where]]}; {why}" if files[where] in culprits else why
    return culprits


def _record(project: Project, store: Store | LazyStore, held: dict[str, LocatedError], hold: Holding,
            report: BuildReport, left_out: list[LocatedError], aliases: list[LocatedError],
            unread: tuple[Path, list[str]] | None = None) -> None:
    """What the build could not put online, for `zaitun status`, the review queue and one notification each;
    `unread`: a state file that did not read (redirects.json), and why, its pages online held as they are."""
    report.failures = [failures.Failure(failures.BUILD, shown(e.path), str(e), slug, hold.state(slug))
                       for slug, e in sorted(held.items())]
    report.failures += [failures.Failure(failures.BUILD, shown(e.path), str(e), None, failures.LEFT_OUT)
                        for e in left_out]
    report.failures += [failures.Failure(failures.BUILD, shown(e.path), str(e), None, failures.ALIAS_SKIPPED)
                        for e in aliases]
    if unread:
        report.failures += [failures.Failure(failures.BUILD, shown(unread[0]), why, None, failures.HELD_BACK)
                            for why in unread[1]]
    report.problems = [f.message for f in report.failures]
    failures.record(project, store, failures.BUILD, report.failures)


def _social_record(project: Project, store: Store | LazyStore, unread: SocialStateUnreadable | None) -> None:
    """The social outbox's record not reading, for `zaitun status` until it reads (and one notification): no post
    is queued or sent meanwhile, which a line on stderr, said once, left unknown."""
    from zaitun import failures

    failures.record(project, store, failures.SOCIAL, [failures.Failure(
        failures.SOCIAL, shown(unread.path), str(unread), None, failures.HELD_BACK)] if unread else [])


def site_settings(project: Project, today: dt.date, tags: set[str], refused: list | None = None,
                  glossary_version: Callable[[], str] | None = None, named: Collection[tuple[str, str]] = ()
                  ) -> Site:
    """`refused`: gets the tag labels not shown (publish/tags.py); `glossary_version`: the glossary's, when the
    English of tags and of the programmes and sections `named` is to be screened (a build's)."""
    cfg = project.config
    screening = Screening(project.glossary_dir, glossary_version, project.state_dir / TAGS_SCREENED) \
        if glossary_version is not None else None
    titles = {lang: cfg.get(f"site.title.{lang}") for lang in layout.LANGS}
    labels, same = tag_labels(project.glossary_dir, tags, refused, screening, named)
    return Site(_urls(cfg.get("site.base_url")), titles, today, layout.stylesheet(css_digest()), project.zone,
                cfg.get("site.expiry_warning_days"), cfg.get("site.page_size"), labels, same,
                frozenset(screening.withheld if screening else ()), websub_hub=cfg.get("publish.websub_hub"))


_URLS: dict[str, layout.Urls] = {}  # a process that builds again quotes each link once, not once a build


def _urls(base_url: str) -> layout.Urls:
    if base_url not in _URLS:
        _URLS.clear()
        _URLS[base_url] = layout.Urls(base_url)
    return _URLS[base_url]


def _explain(entries: list[Entry], report: BuildReport, store: Store | LazyStore) -> None:
    english = {e.slug for e in entries if e.lang == "en"}
    without = [e.slug for e in entries if e.lang == "zh" and e.slug not in english]
    offline = store.retractions() if without else {}  # English a reviewer rejected since it was released
    for slug in without:
        why = OFFLINE.format(offline[slug]) if slug in offline else "no approved English yet"
        report.skipped.append(f"{slug} (en): {why}")
    for entry in entries:
        if entry.under_review:
            report.under_review.append(entry.slug)


def _refuse_duplicates(items: list[Output], kept: set[str]) -> None:
    """Two outputs for one file would silently overwrite each other (e.g. a section named `tags`)."""
    files, seen = lint.FileNames(kept), set()
    for item in items:
        name = layout.file_of(item.path)
        if name in seen or name in files:
            raise PublishError(f"two outputs would both be written to {name}: rename the section or slug")
        seen.add(name)


# -- writing --------------------------------------------------------------------------------------
class _Writing:
    """Outputs rendered into a version folder (`stage`), in one or more batches, when their key changed (or their
    file is gone); the others, and the `kept` files (known unchanged), hard-linked from the version online: every
    file's record, the outputs that raised (with why) and the lint problems of the pages written on their own. A
    stage reusing an old version (`dirty`: its files differing from the version online) has the unchanged files
    already: only those it lacks are linked, and a file rendered anew is unlinked first, never written into (its
    inode is shared with the other versions)."""

    def __init__(self, previous: dict, online: Path | None, stage: Path, report: BuildReport,
                 kept: set[str] = frozenset(), dirty: frozenset[str] | None = None,
                 entries: PageEntries | None = None, ahead: Ahead | None = None) -> None:
        self.replaced = previous.keys() - kept  # the files online not kept: written again, or gone
        self.files: dict[str, dict] = dict(previous)  # then the records not kept taken out: copied and cut in C,
        for path in self.replaced:  # a few removed, where a rebuild keeps all but a few of 10,000 records
            del self.files[path]
        report.reused.extend(kept)
        self.errors: list[tuple[Output, str]] = []
        self.problems: list[str] = []
        self._previous, self._online, self._stage, self._report = previous, online, stage, report
        self._kept, self._dirty, self._entries, self._ahead = kept, dirty, entries, ahead
        self._there = f"{online}/{SITE}/" if online else ""
        self._linked = 0  # the reused files linked so far (report.reused)

    def drop(self, paths: set[str]) -> None:
        """Take these files (gone since the version online) out of a reused version."""
        if self._dirty is not None:
            drop(self._stage, {layout.file_of(path) for path in paths})

    def write(self, items: list[Output], scope: lint.Scope) -> None:
        """Write these outputs (pages checked on their own in the site of `scope`), link those unchanged and the
        files kept not linked yet: once this returns, the stage holds them all."""
        report, todo = self._report, []
        for item in items:
            old = self._previous.get(item.path)
            same = old and (item.path in self._kept or old["key"] == item.key)
            if same and self._there and os.path.isfile(self._there + layout.file_of(item.path)):
                self.files[item.path] = old
                report.reused.append(item.path)
            else:
                todo.append(item)
        report.workers = worker_count(len(todo))
        if self._dirty is not None:
            for item in todo:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._stage / layout.file_of(item.path))
        records = render_all(todo, self._stage, scope, report.workers, self._entries, self._ahead)
        for item, record in zip(todo, records, strict=True):
            if "machine" in record:  # the disk full, say: no page is to blame, and no version goes online
                where = report.out_dir / layout.file_of(item.path)  # as the operator knows it, not the version's
                raise PublishError(f"{where} could not be written: {record['machine']}; the previous site was kept")
            if "error" in record:
                self.errors.append((item, record["error"]))
                continue
            self.problems += record.pop("problems", ())
            self.files[item.path] = record
            report.rendered.append(item.path)
        reused, self._linked = report.reused[self._linked:], len(report.reused)
        if self._dirty is None:
            names = [layout.file_of(path) for path in reused]
        else:  # a reused version lacks only the files differing from the version online: look those up
            found = lint.FileNames(set(reused))
            names = sorted(name for name in self._dirty if name in found)
        link_unchanged(self._online, self._stage, names)
