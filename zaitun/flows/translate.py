"""Translate changed segments into drafts; tell reviewers; hand finished documents to publish.

Documents go to the engine in batches, one mapped task each, under the Prefect concurrency
limit named after the engine (`zaitun-engine-<provider>`): however many workers run, one
engine never gets more batches at once than its limit allows.
"""

from __future__ import annotations

from prefect import flow, task, unmapped
from prefect.concurrency.sync import concurrency

from zaitun import events
from zaitun.flows.common import emit, ensure_limit, project_dir
from zaitun.pipeline import (
    announce_approved,
    combine_translate_summaries,
    document_batches,
    load_memory,
    open_project,
    tell_ready_for_review,
    translate_stage,
)


@task(name="load translation memory")
def load_tm(directory: str) -> dict[str, int]:
    return load_memory(*open_project(directory))


@task(name="plan batches")
def plan_batches(directory: str, slugs: list[str] | None, size: int) -> list[list[str]]:
    _project, store = open_project(directory)
    return document_batches(store, slugs, size)


@task(name="engine concurrency limit")
def engine_limit(directory: str) -> str:
    """The limit's name; created (with translate.concurrency slots) when the server has none yet."""
    project, _store = open_project(directory)
    name = f"zaitun-engine-{project.config.get('translate.provider')}"
    ensure_limit(name, project.config.get("translate.concurrency"))
    return name


@task(name="translate batch", retries=2, retry_delay_seconds=10)
def translate_batch(directory: str, slugs: list[str], limit: str) -> dict:
    with concurrency(limit, occupy=1, strict=True):
        return translate_stage(*open_project(directory), slugs=slugs, announce=False)  # the flow tells


@task(name="announce documents approved from memory")
def announce_approvals(directory: str, slugs: list[str]) -> None:
    """One message for every document the batches approved, then their events (which start publish)."""
    announce_approved(*open_project(directory), slugs)


@task(name="tell reviewers")
def tell_reviewers(directory: str) -> bool:
    return tell_ready_for_review(*open_project(directory))


@flow(name="zaitun-translate", log_prints=True)
def translate(project: str | None = None, slugs: list[str] | None = None, documents_per_batch: int = 5) -> dict:
    directory = project_dir(project)
    load_tm(directory)
    limit = engine_limit(directory)
    batches = plan_batches(directory, slugs, documents_per_batch)
    futures = translate_batch.map(unmapped(directory), batches, unmapped(limit))
    summary = combine_translate_summaries(futures.result())
    announce_approvals(directory, summary.get("completed", []))
    emit(events.TRANSLATION_READY, None, slugs=slugs or [], drafted=summary.get("drafted", 0))
    tell_reviewers(directory)
    return summary
