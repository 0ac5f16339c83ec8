"""Daily: find documents about to expire or expired, tell the staff, republish to show it."""

from __future__ import annotations

import datetime as dt
import hashlib

from prefect import flow, task

from zaitun.flows.common import notify, project_dir
from zaitun.flows.publish import build_and_publish
from zaitun.pipeline import expiry_stage, open_project


@task(name="find expiring content")
def find_expiring(directory: str) -> list[dict]:
    return expiry_stage(*open_project(directory))


def once_a_day(_context, parameters: dict) -> str:
    """Cache key: the same notice goes out at most once a day, however often the flow reruns."""
    digest = hashlib.sha256(parameters["body"].encode("utf-8")).hexdigest()[:16]
    return f"zaitun-expiry-{parameters['directory']}-{dt.date.today().isoformat()}-{digest}"


tell_staff = notify.with_options(name="tell staff about expiring content", cache_key_fn=once_a_day,
                                 cache_expiration=dt.timedelta(days=1), persist_result=True)


@flow(name="zaitun-expiry", log_prints=True)
def expiry(project: str | None = None) -> list[dict]:
    directory = project_dir(project)
    expiring = find_expiring(directory)
    if expiring:
        lines = [f"{d['slug']}: {d['expiry']} (valid until {d['valid_until']})" for d in expiring]
        tell_staff(directory, "expiring", f"{len(expiring)} document(s) expiring or expired", "\n".join(lines))
        build_and_publish(directory)
    return expiring
