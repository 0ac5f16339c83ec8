"""What a stack that was killed outright leaves in its own Prefect server, put right before the flows start.

A flow run under way when `zaitun up` is killed (SIGKILL, the OOM killer) stays "Running" in the server's
database for ever, and holds its deployment's concurrency slot (`concurrency_limit: 1` in prefect.yaml, the
limit `deployment:<id>`): Prefect keeps the slot's lease in the server's memory, so after a restart nothing
gives the slot back, and every later run of that deployment waits as AwaitingConcurrencySlot. Called only on
the server `zaitun up` starts for the project, before it serves the flows: no run on it can be alive then.
"""

from __future__ import annotations

import asyncio

LEFT_RUNNING = ("PENDING", "RUNNING", "CANCELLING")  # the states that hold a slot; a scheduled run holds none


async def _crash_runs_left_running() -> tuple[list[str], int]:
    """Mark the project's runs still under way Crashed (which gives their slots back); then free any
    deployment slot still taken, since no run holds one. The runs' names, and the slots freed that way."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    async with get_client() as client:
        deployments = await client.read_deployments()
        if not deployments:
            return [], 0
        names = {d.id: d.name for d in deployments}
        runs = await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=list(names))),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType(s) for s in LEFT_RUNNING]))))
        for run in runs:
            await client.set_flow_run_state(run.id, Crashed(message="left running by a zaitun up that was "
                                                                    "killed; marked crashed when it started again"),
                                            force=True)
        freed = 0
        for deployment in await client.read_deployments():
            limit = deployment.global_concurrency_limit
            if limit and limit.active_slots:
                await client.update_global_concurrency_limit(limit.name, GlobalConcurrencyLimitUpdate(active_slots=0))
                freed += limit.active_slots
    return [f"{names[run.deployment_id]}/{run.name}" for run in runs], freed


def crash_runs_left_running() -> list[str]:
    """What was put right, in lines for `zaitun up` to print (none when the last stop was clean)."""
    try:
        runs, freed = asyncio.run(_crash_runs_left_running())
    except Exception as exc:  # the stack starts all the same: runs that can get a slot still run
        return [f"could not look for flow runs left running by a stopped stack ({exc}); if runs wait as "
                "AwaitingConcurrencySlot for ever, mark them crashed in the Prefect UI"]
    lines = []
    if runs:
        lines.append(f"{len(runs)} run(s) left running by a stopped stack marked crashed: {', '.join(runs)}")
    if freed:
        lines.append(f"freed {freed} deployment concurrency slot(s) held by no run")
    return lines


RAN_AGAIN = "zaitun-ran-again"  # the tag of a run started for one that crashed: it is not run a third time
CRASHES_EVERY = 3.0  # seconds between two looks for crashed runs (one small query to the local server)
# the deployments that follow one in the chain of prefect.yaml: a run killed after its work was stored but before
# it announced it (an intake's `ingested` event) is run again with nothing new to do, so they are run too
FOLLOWING = {"intake": ("translate", "publish"), "translate": ("publish",)}


class Crashes:
    """Flow runs of a running stack that crash (their process killed outright: the OOM killer, `kill -9`) are
    run again, once, with the same parameters, and the stages after them: every stage finishes what was left
    and repeats nothing, and otherwise a file whose intake run was killed waits for the next change, unsaid.
    Each is told in a line; so is a run that failed (its code raised: the disk full), which the next change or
    the hourly run of its deployment tries again."""

    def __init__(self) -> None:
        import datetime as dt

        self.since = dt.datetime.now(dt.UTC)  # runs crashed before (a killed stack's) were put right
        self.seen: set = set()
        self.next_look = 0.0

    def since_now(self) -> None:
        """Runs crashed until now are put right otherwise (a pass after the flows were started again)."""
        import datetime as dt

        self.since = dt.datetime.now(dt.UTC)

    def lines(self) -> list[str]:
        """What crashed since the last look and what was done about it; [] between looks or if unsure."""
        import time

        if time.monotonic() < self.next_look:
            return []
        self.next_look = time.monotonic() + CRASHES_EVERY
        try:
            return self._run_again()
        except Exception:  # the server busy or stopping: the next look sees the same runs
            return []

    def _run_again(self) -> list[str]:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
        from prefect.client.schemas.objects import StateType

        lines = []
        with get_client(sync_client=True) as client:
            ended = [run for run in client.read_flow_runs(flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.CRASHED, StateType.FAILED])))) if run.id not in self.seen
                and run.deployment_id and run.state and run.state.timestamp >= self.since]
            if not ended:
                return []
            ids = {d.name: d.id for d in client.read_deployments()}
            names = {i: name for name, i in ids.items()}
            for run in ended:
                self.seen.add(run.id)
                name = names.get(run.deployment_id, "?")
                if run.state.type == StateType.FAILED:  # its code raised (the disk full): said, not run again now
                    lines.append(f"flow run {name}/{run.name} failed: {_why(run.state.message)}; the next change or "
                                 "the hourly run tries again (`zaitun run` does the whole pass now)")
                    continue
                why = (run.state.message or "crashed").split(".")[0]
                if RAN_AGAIN in run.tags:
                    lines.append(f"flow run {name}/{run.name}, run again after a crash, crashed too ({why}): see the "
                                 "Prefect UI; the next change runs it, or `zaitun run` does the whole pass")
                    continue
                client.create_flow_run_from_deployment(run.deployment_id, parameters=run.parameters,
                                                       tags=[*run.tags, RAN_AGAIN])
                after = [n for n in FOLLOWING.get(name, ()) if n in ids]
                for following in after:
                    client.create_flow_run_from_deployment(ids[following], tags=[RAN_AGAIN])
                lines.append(f"flow run {name}/{run.name} crashed ({why}): running it again"
                             + (f", then {' and '.join(after)}" if after else ""))
        return lines


def _why(message: str | None) -> str:
    """A failed run's state message as one line: Prefect's "Flow run encountered an exception: " left out."""
    said = " ".join((message or "it raised").split())
    return said.removeprefix("Flow run encountered an exception: ")
