"""Translate changed segments into drafts; tell reviewers; hand finished documents to publish."""

from __future__ import annotations

from prefect import flow, task

from flows._common import emit, notify, project_dir
from zaitun.pipeline import open_project, translate_stage


@task(name="translate changed segments", retries=2, retry_delay_seconds=10)
def translate_segments(directory: str, slugs: list[str] | None) -> dict:
    return translate_stage(*open_project(directory), slugs=slugs or None)


@flow(name="zaitun-translate", log_prints=True)
def translate(project: str | None = None, slugs: list[str] | None = None) -> dict:
    directory = project_dir(project)
    summary = translate_segments(directory, slugs)
    emit("zaitun.translation.ready", None, slugs=slugs or [], drafted=summary.get("drafted", 0))
    if summary.get("to_review"):
        notify(directory, "ready_for_review", "Translations ready for review",
               f"{summary['to_review']} segment(s) wait for a reviewer")
    return summary
