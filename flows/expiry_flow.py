"""Daily: find documents about to expire or expired, tell the staff, republish to show it."""

from __future__ import annotations

from prefect import flow, task

from flows._common import notify, project_dir
from flows.publish_flow import build_and_publish
from zaitun.pipeline import expiry_stage, open_project


@task(name="find expiring content")
def find_expiring(directory: str) -> list[dict]:
    return expiry_stage(*open_project(directory))


@flow(name="zaitun-expiry", log_prints=True)
def expiry(project: str | None = None) -> list[dict]:
    directory = project_dir(project)
    expiring = find_expiring(directory)
    if expiring:
        lines = [f"{d['slug']}: {d['expiry']} (valid until {d['valid_until']})" for d in expiring]
        notify(directory, "expiring", f"{len(expiring)} document(s) expiring or expired", "\n".join(lines))
        build_and_publish(directory)
    return expiring
