"""Daily, as the day begins: find documents about to expire or expired, tell the staff, and republish, since
the date alone changes pages (expiring soon, expired, now in force) though no content changed."""

from __future__ import annotations

from prefect import flow, task

from zaitun.flows.common import project_dir
from zaitun.flows.publish import build_and_publish
from zaitun.pipeline import expiry_stage, open_project, tell_expiring
from zaitun.project import Project


@task(name="find expiring content")
def find_expiring(directory: str) -> list[dict]:
    return expiry_stage(*open_project(directory))


@task(name="tell staff about expiring content", retries=2, retry_delay_seconds=5)
def tell_staff(directory: str, expiring: list[dict]) -> bool:
    """Once a day for the same documents, however often the flow reruns (shared with `zaitun run`)."""
    return tell_expiring(Project(directory), expiring)


@flow(name="zaitun-expiry", log_prints=True)
def expiry(project: str | None = None) -> list[dict]:
    directory = project_dir(project)
    expiring = find_expiring(directory)
    if expiring:
        tell_staff(directory, expiring)
    build_and_publish(directory)
    return expiring
