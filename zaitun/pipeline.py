"""The one orchestration API: each stage run one way, whoever runs it.

    intake -> translate -> (human review) -> publish

The command line, `zaitun up` and the Prefect flows (`zaitun.flows`) all call these
functions, so a stage behaves the same from each. Each stage reads and writes the store, so
it is idempotent: a rerun after a crash finishes what was left and repeats nothing. The
`*_stage` functions return small JSON-able summaries for the flows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zaitun import locks
from zaitun.errors import DeployError, PassFailed, PublishError, StateUnreadable, ZaitunError, refused
from zaitun.project import Project
from zaitun.publish.report import WEBSUB_OWED, ping_problem

if TYPE_CHECKING:  # the stages are imported when they run: `zaitun status` need not load the publisher
    from zaitun.publish.sinks import DeployReport
    from zaitun.publish.site import BuildReport
    from zaitun.state.lazy import LazyStore
    from zaitun.state.store import Store  # nor `zaitun deploy`, which reads no store, SQLAlchemy
    from zaitun.translate.engines import Engine
    from zaitun.translate.pipeline import TranslateReport


def open_project(project_dir: str | Path) -> tuple[Project, Store]:
    """The project and its store; in a flow run of `zaitun up`, only the store the stack started on."""
    from zaitun.errors import StoreError
    from zaitun.stack import check_stack_store, store_removed
    from zaitun.state.changes import missing_store_file
    from zaitun.state.store import Store

    project = Project(Path(project_dir))
    if not check_stack_store(project):
        return project, Store.open(project.database_url)
    try:
        return project, Store.open(project.database_url, create=False)
    except StoreError:  # removed since the check: the stack stops on it, and so does this run
        if gone := missing_store_file(project.database_url):
            raise ZaitunError(store_removed(Path(gone))) from None
        raise


def intake(project: Project, store: Store, allow_empty: bool = False):
    """Take content/ in, refusing each document `zaitun check` would report (its links included); `allow_empty`:
    content/ holding no document withdraws every document (else such a pass withdraws nothing)."""
    from functools import partial

    from zaitun.check import document_validator
    from zaitun.content.intake import ingest

    return ingest(project, store, checks=partial(document_validator, project), allow_empty=allow_empty)


def intake_stage(project: Project, store: Store, allow_empty: bool = False) -> dict:
    from zaitun.content.unread import told

    report = intake(project, store, allow_empty)
    return {"ingested": report.ingested, "withdrawn": report.withdrawn, "anew": report.anew,
            "unchanged": len(report.unchanged), "errors": [str(e) for e in report.errors],
            "unread": told(report.unread), "not_read": len(report.unread),
            "same_notice": [str(w) for w in report.twice], "being_written": [str(w) for w in report.writing]}


def load_memory(project: Project, store: Store) -> dict[str, int]:
    """Import the tm/*.tmx files new to the store (before parallel translate batches, so only once)."""
    from zaitun.config import Limits
    from zaitun.translate.glossary import load_glossary
    from zaitun.translate.memory import load_project_tmx

    loaded = load_project_tmx(store, project.tm_dir, load_glossary(project.glossary_dir), Limits.of(project.config))
    return {name: r.added + r.updated for name, r in loaded.items() if not r.forgotten}


def translate(project: Project, store: Store, slugs: list[str] | None = None,
              engine: Engine | None = None, announce: bool = True) -> TranslateReport:
    """Draft the changed segments of the active documents (or `slugs`); a TranslateReport. The documents
    memory approved are announced together once the pass ends (`announce_approved`), unless `announce` is
    false: a flow's batches leave it to the flow, which announces all of them at once.

    Only what intake took in is translated: run intake first to see edits made since.
    """
    from zaitun.review.actions import TranslateGate
    from zaitun.translate.pipeline import translate_documents

    gate = TranslateGate(project, store)
    report = translate_documents(project, store, slugs, engine, gate=gate)
    report.completed = gate.completed
    if announce and gate.completed:
        announce_approved(project, store, gate.completed)
    return report


def announce_approved(project: Project, store: Store, slugs: list[str]) -> None:
    """One `approved` message for the documents a pass approved from memory, then their Prefect events."""
    from zaitun.review.actions import announce_pass

    if slugs:
        announce_pass(project, store, slugs)


def translate_stage(project: Project, store: Store, slugs: list[str] | None = None, announce: bool = True) -> dict:
    """translate's summary: "completed" names the documents its memory approvals completed (a reviewer's
    approval during the pass is announced by the reviewer's action, not again by the pass)."""
    from zaitun.review.actions import tell_drafts_from_now

    tell_drafts_from_now(project, store)  # a project's first pass: its drafts are told, not the history before
    return translate(project, store, slugs=slugs, announce=announce).summary()


def document_batches(store: Store, slugs: list[str] | None, size: int) -> list[list[str]]:
    """The documents to translate (all active ones when `slugs` is empty) in batches of `size`."""
    chosen = list(dict.fromkeys(slugs)) if slugs else [d["slug"] for d in store.documents()]
    return [chosen[i:i + size] for i in range(0, len(chosen), max(1, size))]


def combine_translate_summaries(summaries: list[dict]) -> dict:
    """One summary for translate batches run apart: counts added, lists joined, the rest from the first."""
    total: dict = {}
    for summary in summaries:
        for key, value in summary.items():
            if isinstance(value, bool) or not isinstance(value, (int, list, dict)):
                total.setdefault(key, value)
            elif isinstance(value, list):
                total[key] = list(dict.fromkeys([*total.get(key, []), *value]))
            elif isinstance(value, dict):
                total[key] = {**total.get(key, {}), **value}
            else:
                total[key] = total.get(key, 0) + value
    return total


@dataclass
class Published:
    """What publishing did: the build, the deploy (when there is a target) and the feeds pinged."""

    build: BuildReport
    deployed: DeployReport | None = None
    pinged: int = 0  # feeds announced to the WebSub hub


def announce_if_changed(project: Project, changed: bool) -> int:
    """The one WebSub rule: ping the hub when the public site changed, or when the last ping failed; return the
    feeds announced. The public site is publish/ itself when no S3 target is set, else what the deploy uploaded.

    A hub that fails stops nothing (the site is published, and those told of it are told): why is kept
    (`ping_problem`), the publish stage tells it once, and the ping is owed to the next publish.
    """
    owed = project.state_dir / WEBSUB_OWED
    if not changed and not owed.exists():  # nor is the HTTP client imported (a tenth of a second of a start-up)
        return 0
    from zaitun.publish.websub import announce

    try:
        pinged = announce(project.config, project.publish_dir)
    except PublishError as exc:
        project.state_dir.mkdir(parents=True, exist_ok=True)
        owed.write_text(str(exc), encoding="utf-8")
        return 0
    owed.unlink(missing_ok=True)
    return pinged


def build(project: Project, store: Store | LazyStore, today: dt.date | None = None) -> Published:
    """Build publish/; when publish/ is the public site, tell the hub about a change."""
    from zaitun.publish.site import build_site

    report = build_site(project, store, today=today)
    published = Published(report)
    if not project.config.get("publish.s3_target"):
        owe_news(project, report)  # public already: told by whoever tells next, if not by this pass
        published.pinged = announce_if_changed(project, bool(report.rendered or report.removed))
    return published


def deploy(project: Project, target: str | None = None, endpoint_url: str | None = None, delete: bool = False,
           dry_run: bool = False, force: bool = False) -> tuple[DeployReport, int]:
    """Upload publish/ to `target` (default publish.s3_target); return the report and the feeds pinged."""
    from zaitun.publish.sinks import deploy as run_deploy

    cfg = project.config
    target = target or cfg.get("publish.s3_target")
    if not target:
        raise PublishError("no deploy target: pass --to s3://BUCKET/PREFIX or set publish.s3_target")
    s3 = target.startswith("s3://")  # the S3 settings are for an S3 target; --endpoint-url to a folder is refused
    endpoint = endpoint_url or (cfg.get("publish.s3_endpoint_url") if s3 else None) or None
    force = force or (s3 and cfg.get("publish.s3_bucket_root"))
    settings = (cfg.where("publish.s3_target") if target == cfg.get("publish.s3_target") else "--to",
                "--endpoint-url" if endpoint_url else cfg.where("publish.s3_endpoint_url"))
    with contextlib.nullcontext() if dry_run else locks.held(project.state_dir / DEPLOY_LOCK, _waiting_to_deploy):
        report = run_deploy(project.publish_dir, target, endpoint_url=endpoint, delete=delete, dry_run=dry_run,
                            force=force, timeout=cfg.get("publish.timeout"), settings=settings)
    pinged = 0 if dry_run else announce_if_changed(project, bool(report.uploaded or report.deleted))
    return report, pinged


def finishes_a_publish(project: Project, report: DeployReport) -> bool:
    """A deploy to publish.s3_target by hand that left the target the site online, whole (no file failed, none
    left that the site no longer has): it finishes a publish's deploy that stopped."""
    return not (report.dry_run or report.failed or report.stale
                or report.target != project.config.get("publish.s3_target"))


def finish_stopped_deploy(project: Project, store: Store) -> bool:
    """After a deploy that finishes a publish's that stopped (`finishes_a_publish`): take that failure out of
    `zaitun status` (the next pass would clear it too). Whether there was one."""
    from zaitun import failures

    stopped = [f for f in failures.current(store) if f.stage == failures.PUBLISH]
    if not stopped or any(f.state != failures.DEPLOY_STOPPED for f in stopped):  # (a failed build is not mended)
        return False
    failures.record(project, store, failures.PUBLISH, [])
    return True


# One deploy of a project at a time (the publish and expiry flows, cron, a person): two at once could upload an
# older build over the newer one's deletions, leaving a withdrawn page online and out of the deploy record.
DEPLOY_LOCK = "deploy.lock"


def _waiting_to_deploy(pid: int | None) -> None:
    logging.getLogger(__name__).warning("another deploy of this project%s is under way: waiting for it to end",
                                        f" (pid {pid})" if pid else "")


def publish(project: Project, store: Store, today: dt.date | None = None) -> Published:
    """Build, then deploy when publish.s3_target is set, removing there what zaitun deployed and the site no longer
    has: English rejected, withdrawn or no longer approved in the store goes offline there too. What the build
    changed is owed to notify.published until told (a pass stopped before it told leaves it to the next)."""
    published = build(project, store, today)
    if project.config.get("publish.s3_target"):
        owe_news(project, published.build)  # public once deployed
        published.deployed, published.pinged = deploy(project, delete=True)
    return published


OWED = "published-owed.json"  # in .zaitun/: the pages builds changed that notify.published was not told of yet


def owe_news(project: Project, report) -> None:
    """Keep the pages this build changed (and those it took off) as news owed to notify.published, beside what
    earlier passes left untold; only when someone is to be told."""
    from zaitun.notify import Notifier
    from zaitun.publish.output import differing

    if not Notifier(project).urls("published") or not (report.rendered or report.removed):
        return
    changed = differing(report.rendered, report.out_dir, report.before)
    if not changed and not report.removed:
        return
    _write_owed(project, *_together(_owed(project), changed, report.removed))


def _together(owed: tuple[list[str], list[str]], online: list[str], removed: list[str]) -> tuple[list[str], list[str]]:
    """News owed, with pages put online and taken off since: the later word on a page wins."""
    was_online, was_removed = owed
    return (sorted((set(was_online) - set(removed)) | set(online)),
            sorted((set(was_removed) - set(online)) | set(removed)))


def _owed(project: Project) -> tuple[list[str], list[str]]:
    """The news owed: pages online (new or changed) and pages taken off; none when the record does not read (its
    news is lost, not the publish)."""
    from zaitun import statefiles

    try:
        found = statefiles.read(project.state_dir / OWED, lambda v: isinstance(v, dict))
    except StateUnreadable:
        return [], []
    record = found[0] if found else {}
    return list(record.get("online", [])), list(record.get("removed", []))


def _write_owed(project: Project, online: list[str], removed: list[str]) -> None:
    from zaitun import statefiles

    path = project.state_dir / OWED
    if online or removed:
        project.state_dir.mkdir(parents=True, exist_ok=True)
        statefiles.write(path, {"online": online, "removed": removed})
    else:
        path.unlink(missing_ok=True)


def publish_stage(project: Project, store: Store, today: dt.date | None = None) -> dict:
    """Publish; a publish that fails as a whole (the deploy target down) is recorded and told once, as a bad
    file is, until one succeeds, and raised."""
    from zaitun import failures

    target = project.config.get("publish.s3_target") or str(project.publish_dir)
    try:
        published = publish(project, store, today)
    except Exception as exc:
        message = str(exc) if str(exc).startswith(target) else f"{target}: {exc}"
        cut = isinstance(exc, DeployError)  # the build went online in publish/; the deploy of it stopped
        failures.record(project, store, failures.PUBLISH, [failures.Failure(
            failures.PUBLISH, target, message, None, failures.DEPLOY_STOPPED if cut else failures.HELD_BACK)])
        raise
    failures.record(project, store, failures.PUBLISH, [])
    hub, problem = project.config.get("publish.websub_hub"), ping_problem(project)
    failures.record(project, store, failures.WEBSUB,
                    [failures.Failure(failures.WEBSUB, hub, problem, None, failures.NOT_PINGED)] if problem else [])
    report, deployed = published.build, published.deployed
    if deployed:
        _record_deploy(project, store, deployed.failed)
    tell_published(project, store, published)
    return {"summary": report.summary(), "rendered": len(report.rendered), "removed": len(report.removed),
            "social": len(report.social), "under_review": report.under_review, "redirects": report.redirects,
            "deployed": deployed.summary() if deployed else "", "pinged": published.pinged,
            "left_out": report.problems + (deployed.failed if deployed else [])}


def tell_published(project: Project, store: Store | LazyStore, published: Published) -> bool:
    """Tell notify.published which document pages went online or were taken off (nothing when the public
    site did not change: an hourly publish with nothing new is no news). True when there was news."""
    from zaitun import messages
    from zaitun.notify import Notifier

    if not Notifier(project).urls("published"):  # nobody to tell: no store read for it
        return False
    target = project.config.get("publish.s3_target")
    if target and published.deployed is None:  # a build of the preview alone: what is owed is not public yet
        return False
    # what builds owe (this pass's build's, and what passes stopped before telling left), and what the deploy put
    # online or took off (publish/ itself, with no target, is what the builds owe: owe_news)
    online, removed = _owed(project)
    if target:
        online, removed = _together((online, removed), published.deployed.uploaded, published.deployed.deleted)
    news = messages.published(project, store, online, removed)
    if news:
        from zaitun.review.actions import tell_approvals

        tell_approvals(project, store)  # "Approved" before the "Online" it led to
        Notifier(project).notify("published", *news)
    _write_owed(project, [], [])
    return bool(news)


def tell_ready_for_review(project: Project, store: Store) -> bool:
    """Tell notify.ready_for_review which documents were drafted for review since they were last told, with their
    review screens (a pass stopped before it told: its drafts too). True when there were some."""
    from zaitun import messages
    from zaitun.review.actions import tell_drafts

    return bool(tell_drafts(project, store, lambda waiting: messages.ready_for_review(project, store, waiting)))


def _record_deploy(project: Project, store: Store, failed: list[str]) -> None:
    """Files of publish/ a deploy could not read, and files it could not delete at the target: what is online of
    them stays as it was."""
    from zaitun import failures

    found = [failures.Failure("deploy", line.split(": ", 1)[0], line, None, failures.HELD_BACK) for line in failed]
    failures.record(project, store, "deploy", found)


def expiry_stage(project: Project, store: Store, today: dt.date | None = None) -> list[dict]:
    """Documents whose validity ends within the warning window or has ended."""
    from zaitun.review.status import project_status

    today = today or project.today()
    rows = project_status(store, today, project.config.get("site.expiry_warning_days"))
    return [r.as_dict() for r in rows if r.expiry and r.stage != "withdrawn"]


def tell_expiring(project: Project, expiring: list[dict]) -> bool:
    """Tell staff (notify.expiring) which documents began to expire, or expired, since they were last told: each
    once as expiring and once as expired (again when its date changes), not every day for as long as an expired
    notice stays on the site. The daily flow of `zaitun up` and a cron `zaitun run` every few minutes share what
    was told (.zaitun/expiry-told.json), for each receiver: one added to notify.expiring later is told what is
    expiring then, and nothing counts as told while notify.expiring is empty. A delivery that failed waits in the
    outbox for the next pass. True when told."""
    from zaitun import messages, statefiles
    from zaitun.notify import Notifier, key
    from zaitun.review.status import validity_note

    now = {r["slug"]: f"{r['expiry']}: {validity_note(r)}" for r in expiring}
    notifier = Notifier(project)
    receivers = list(dict.fromkeys(key(url) for url in notifier.urls("expiring")))
    record = project.state_dir / EXPIRY_TOLD
    try:
        found = statefiles.read(record, lambda value: isinstance(value, dict))
    except StateUnreadable as exc:  # told again, once: a list told twice is better than one not told
        statefiles.set_aside(project, exc, "the list of expiring documents is told again, once, in case it was not")
        found = None
    told = _told_by_receiver(found[0] if found else {}, receivers)
    lists: dict[tuple[str, ...], set[str]] = {}  # the slugs new to some receivers -> those receivers
    for receiver in receivers:
        mine = told.get(receiver, {})
        new = tuple(slug for slug, state in now.items() if mine.get(slug) != state)
        if new:
            lists.setdefault(new, set()).add(receiver)
    for new, to in lists.items():
        notifier.notify("expiring", *messages.expiring(project, [r for r in expiring if r["slug"] in new]), only=to)
    after = {receiver: now for receiver in receivers}  # documents no longer expiring leave it: told again if they
    if after != told:  # expire again
        statefiles.write(record, {"by_receiver": after})
    return bool(lists)


def _told_by_receiver(saved: dict, receivers: list[str]) -> dict[str, dict[str, str]]:
    """What each receiver was told; a record from before it was kept per receiver (`told`: slug -> state) was
    told to the receivers set now."""
    if isinstance(saved.get("by_receiver"), dict):
        return {r: states for r, states in saved["by_receiver"].items() if isinstance(states, dict)}
    legacy = saved.get("told")
    return {r: legacy for r in receivers} if isinstance(legacy, dict) else {}


EXPIRY_TOLD = "expiry-told.json"


def retry_notifications(project: Project) -> int:
    """Send what waits in the notification outbox (a receiver was down); the number still waiting."""
    from zaitun.notify import Notifier

    return Notifier(project).retry()


def held_back(summary: dict) -> list[str]:
    """Every file a pass of `run_once` did not take, as `path:line: message` (empty: everything went through)."""
    return [*summary.get("intake", {}).get("errors", []), *summary.get("translate", {}).get("failed", []),
            *summary.get("publish", {}).get("left_out", [])]


def run_once(project: Project, store: Store, allow_empty: bool = False) -> dict:
    """intake -> translate -> publish what is approved, then the expiry check (as the daily flow makes it);
    for cron, CI and first runs. One bad file is held back by the stage it fails in; every stage still runs
    for the others. Notifications a receiver did not take in an earlier pass are sent first."""
    retry_notifications(project)
    done: dict = {}
    try:  # a stage that fails as a whole (a build refused) raises, saying what the stages before it did
        done["intake"] = intake_stage(project, store, allow_empty)
        done["translate"] = translate_stage(project, store)
        tell_ready_for_review(project, store)
        done["publish"] = publish_stage(project, store)
    except ZaitunError as exc:
        raise PassFailed(done, exc) from exc
    except OSError as exc:  # the disk full, publish/ not writable: the machine's fault, told with what was done
        raise PassFailed(done, refused(exc) or ZaitunError(f"{exc.filename or 'a file'}: {exc.strerror or exc}"
                                                           )) from exc
    done["expiry"] = expiry_stage(project, store)
    tell_expiring(project, done["expiry"])
    return done
