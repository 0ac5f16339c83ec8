"""Build the site, deploy it when S3 is configured, write social posts, ping WebSub."""

from __future__ import annotations

from prefect import flow, task

from zaitun import events
from zaitun.flows.common import emit, project_dir
from zaitun.pipeline import open_project, publish_stage, retry_notifications
from zaitun.project import Project


@task(name="build and publish site", retries=3, retry_delay_seconds=[5, 30, 120])
def build_and_publish(directory: str) -> dict:
    return publish_stage(*open_project(directory))


@task(name="send waiting notifications")
def send_waiting(directory: str) -> int:
    return retry_notifications(Project(directory))


@flow(name="zaitun-publish", log_prints=True)
def publish(project: str | None = None, slug: str | None = None) -> dict:
    directory = project_dir(project)
    send_waiting(directory)  # hourly at least: what a receiver did not take goes out once it is back
    summary = build_and_publish(directory)  # a failure is recorded and told once by the stage itself
    emit(events.SITE_PUBLISHED, None, **{k: v for k, v in summary.items() if isinstance(v, (int, str))})
    return summary
