"""Serve the deployments declared in the project's prefect.yaml, with their triggers and schedules.

Reading prefect.yaml here keeps one source of truth for local runs (`zaitun up` runs
`python -m zaitun.flows.serve` in the project folder) and for an operator's `prefect deploy`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from pathlib import Path

import yaml
from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule
from prefect.events import DeploymentEventTrigger
from prefect.flows import load_flow_from_entrypoint
from prefect.types.entrypoint import EntrypointType

from zaitun.stack import FLOWS_READY_ENV


def deployment_specs(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["deployments"]


def entrypoint(spec: dict, root: Path) -> str:
    """`zaitun.flows.x:x`, or an older project's own `flows/x_flow.py:x` (relative to the project)."""
    value = spec["entrypoint"]
    return str(root / value) if ".py:" in value else value


def to_deployment(spec: dict, root: Path):
    """A RunnerDeployment for one prefect.yaml entry."""
    flow = load_flow_from_entrypoint(entrypoint(spec, root))
    triggers = [DeploymentEventTrigger(**{k: v for k, v in t.items() if k != "type"})
                for t in spec.get("triggers", [])]
    schedules = [CronSchedule(cron=s["cron"], timezone=s.get("timezone")) if "cron" in s
                 else IntervalSchedule(interval=dt.timedelta(seconds=s["interval"]))
                 for s in spec.get("schedules", [])]
    kind = EntrypointType.FILE_PATH if ".py:" in spec["entrypoint"] else EntrypointType.MODULE_PATH
    return flow.to_deployment(name=spec["name"], description=spec.get("description"), triggers=triggers,
                              schedules=schedules or None, concurrency_limit=spec.get("concurrency_limit"),
                              parameters=spec.get("parameters") or {}, entrypoint_type=kind)


async def remove_orphaned_automations() -> list[str]:
    """Delete zaitun's automations whose deployment no longer exists: left alone, they fire into 404s for ever.

    Only automations triggered by zaitun events are touched; a shared server's others are not ours.
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    removed = []
    async with get_client() as client:
        for automation in await client.read_automations():
            if not any(str(e).startswith("zaitun.") for e in getattr(automation.trigger, "expect", None) or ()):
                continue
            targets = [a.deployment_id for a in automation.actions if getattr(a, "deployment_id", None)]
            for deployment_id in targets:
                try:
                    await client.read_deployment(deployment_id)
                except ObjectNotFound:
                    await client.delete_automation(automation.id)
                    removed.append(automation.name)
                    break
    return removed


def serve(deployments: list) -> None:
    """What prefect.serve does, with word sent (FLOWS_READY_ENV) between registering the deployments and serving
    them: until then an event matches no trigger and starts nothing, so `zaitun up` holds back the content
    watcher's announcements until this file exists. Registering replaces a deployment's automations, so
    even on a restart the triggers are missing for a moment."""
    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    runner = Runner(pause_on_shutdown=True)
    for deployment in deployments:
        runner.add_deployment(deployment)
    if ready := os.environ.get(FLOWS_READY_ENV):
        Path(ready).write_text(str(os.getpid()), encoding="utf-8")
    print(f"serving {len(deployments)} deployment(s)", flush=True)
    try:
        asyncio.run(runner.start())
    except (KeyboardInterrupt, TerminationSignal):
        pass


def main() -> None:
    from zaitun.children import end_group_when_orphaned

    end_group_when_orphaned()
    root = Path(os.environ.get("ZAITUN_PROJECT") or ".").resolve()
    removed = asyncio.run(remove_orphaned_automations())
    if removed:
        print(f"removed {len(removed)} automation(s) of deleted deployments: {', '.join(removed)}")
    serve([to_deployment(spec, root) for spec in deployment_specs(root / "prefect.yaml")])


if __name__ == "__main__":
    main()
