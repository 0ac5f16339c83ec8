"""One pass of the pipeline, stage by stage; the Prefect flows call these same functions.

    intake -> translate -> (human review) -> publish

Each stage reads and writes the store, so it is idempotent: a rerun after a crash finishes
what was left and repeats nothing. Stages return small JSON-able summaries.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from zaitun.project import Project
from zaitun.store import Store


def open_project(project_dir: str | Path) -> tuple[Project, Store]:
    project = Project(Path(project_dir))
    return project, Store.open(project.database_url)


def intake(project: Project, store: Store):
    """Take content/ in, refusing each document `zaitun check` would report (its links included)."""
    from functools import partial

    from zaitun.check import document_validator
    from zaitun.content.intake import ingest

    return ingest(project, store, checks=partial(document_validator, project))


def intake_stage(project: Project, store: Store) -> dict:
    report = intake(project, store)
    return {"ingested": report.ingested, "withdrawn": report.withdrawn,
            "unchanged": len(report.unchanged), "errors": [str(e) for e in report.errors]}


def translate_stage(project: Project, store: Store, slugs: list[str] | None = None) -> dict:
    from zaitun.translate.pipeline import translate_documents

    before = store.last_event_id()
    report = translate_documents(project, store, slugs=slugs)
    completed = [e["slug"] for e in store.events_since(before) if e["name"] == "zaitun.document.approved"]
    return {**report.summary(), "completed": completed}


def publish_stage(project: Project, store: Store, today: dt.date | None = None) -> dict:
    """Build publish/, deploy it when S3 is configured, then tell the WebSub hub."""
    from zaitun.publish.sinks import deploy
    from zaitun.publish.site import build_site
    from zaitun.publish.websub import announce

    cfg = project.config
    report = build_site(project, store, today=today)
    summary = {"summary": report.summary(), "rendered": len(report.rendered), "removed": len(report.removed),
               "social": len(report.social), "under_review": report.under_review, "deployed": "",
               "left_out": report.problems}
    target = cfg.get("publish.s3_target")
    if target:
        deployed = deploy(report.out_dir, target, endpoint_url=cfg.get("publish.s3_endpoint_url") or None)
        summary["deployed"] = deployed.summary()
        summary["left_out"] = report.problems + deployed.failed
        _record_deploy(project, store, deployed.failed)
    if report.rendered or report.removed:
        announce(cfg, report.out_dir)
    return summary


def _record_deploy(project: Project, store: Store, failed: list[str]) -> None:
    """Files of publish/ a deploy could not read: what is online of them stays as it was."""
    from zaitun import failures

    found = [failures.Failure("deploy", line.split(": ", 1)[0], line, None, failures.HELD_BACK) for line in failed]
    failures.record(project, store, "deploy", found)


def expiry_stage(project: Project, store: Store, today: dt.date | None = None) -> list[dict]:
    """Documents whose validity ends within the warning window or has ended."""
    from zaitun.status import project_status

    today = today or dt.date.today()
    rows = project_status(store, today, project.config.get("site.expiry_warning_days"))
    return [r.as_dict() for r in rows if r.expiry and r.stage != "withdrawn"]


def held_back(summary: dict) -> list[str]:
    """Every file a pass of `run_once` did not take, as `path:line: message` (empty: everything went through)."""
    return [*summary["intake"]["errors"], *summary["translate"].get("failed", []),
            *summary["publish"].get("left_out", [])]


def run_once(project: Project, store: Store) -> dict:
    """intake -> translate -> publish what is approved; for cron, CI and first runs. One bad file is held
    back by the stage it fails in; every stage still runs for the others."""
    intake = intake_stage(project, store)
    translated = translate_stage(project, store)
    published = publish_stage(project, store)
    return {"intake": intake, "translate": translated, "publish": published}
