"""Take in new and changed content; announce what was ingested, and linked files (images, PDFs) that
changed, so the site gets their new version. Bad files are announced by the intake itself
(a `failure` notification and a `zaitun.document.failed` event per file), for every kind of pass."""

from __future__ import annotations

from prefect import flow, get_run_logger, task

from zaitun import events
from zaitun.flows.common import emit, project_dir
from zaitun.pipeline import intake_stage, open_project
from zaitun.watch import linked_files


@task(name="take in content", retries=2, retry_delay_seconds=2)
def take_in(directory: str) -> dict:
    return intake_stage(*open_project(directory))


@flow(name="zaitun-intake", log_prints=True)
def intake(project: str | None = None, paths: list[str] | None = None) -> dict:
    directory = project_dir(project)
    summary = take_in(directory)
    for line in summary["being_written"]:  # left for the pass its writer's close starts
        get_run_logger().warning("%s", line)
    if summary["ingested"]:
        emit(events.CONTENT_INGESTED, None, slugs=summary["ingested"])
    files = linked_files(paths or [])
    if files:
        emit(events.FILES_CHANGED, None, paths=files)
    for slug in summary["withdrawn"]:  # deleted content leaves the site without waiting for review
        emit(events.DOCUMENT_WITHDRAWN, slug)
    return summary
