"""What every flow shares: finding the project, and the emit task (the stages tell people themselves)."""

from __future__ import annotations

import os

from prefect import task

from zaitun import events


def project_dir(value: str | None) -> str:
    """The project folder: the parameter, else $ZAITUN_PROJECT (set by `zaitun up`), else cwd."""
    return value or os.environ.get("ZAITUN_PROJECT") or "."


@task(name="emit event")
def emit(name: str, slug: str | None = None, **payload) -> bool:
    return events.emit(name, slug, **payload)


def ensure_limit(name: str, slots: int) -> None:
    """Create the global concurrency limit `name` unless the server has it (an operator's value stays)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=slots))
            except ObjectAlreadyExists:  # another worker made it first
                pass
