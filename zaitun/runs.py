"""What the flows of a running `zaitun up` are doing, as `zaitun status` shows it: the runs under way and the
runs waiting (for their deployment's concurrency slot, or to be picked up), read from the stack's own
Prefect server. Over its REST API with httpx, not Prefect's client: importing Prefect costs `zaitun status`
a second or more. The server gets `TIMEOUT` seconds in all; one that does not answer is a line, not an error.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass

TIMEOUT = 3.0  # seconds the stack's Prefect server has to answer `zaitun status`, all requests together
UNDER_WAY = ("RUNNING", "PENDING", "CANCELLING")
WAITING = ("SCHEDULED",)  # AwaitingConcurrencySlot is a Scheduled state; a run not yet due does not wait
SHOWN_STATES = {"AwaitingConcurrencySlot": "its deployment runs one at a time"}  # what the state means


@dataclass
class FlowRun:
    deployment: str
    name: str
    state: str  # Prefect's state name: Running, Pending, AwaitingConcurrencySlot, Late, Scheduled ...
    waiting: bool
    seconds: float  # running since it started, waiting since it was due

    def line(self) -> str:
        """`waiting  publish (calm-fox), for 3 min 5 s: AwaitingConcurrencySlot (...)`."""
        what = "waiting" if self.waiting else "running"
        head = f"{what:8} {self.deployment} ({self.name}), for {duration(self.seconds)}"
        if self.state == "Running":
            return head
        return f"{head}: {self.state}" + (f" ({SHOWN_STATES[self.state]})" if self.state in SHOWN_STATES else "")


def flow_runs(api: str, timeout: float = TIMEOUT) -> list[FlowRun]:
    """The runs under way, then those waiting, of the server at `api`; raises httpx.HTTPError."""
    import httpx

    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=api.rstrip("/") + "/", timeout=timeout) as client:
        runs = _post(client, "flow_runs/filter", deadline, {
            "flow_runs": {"state": {"type": {"any_": [*UNDER_WAY, *WAITING]}}},
            "sort": "EXPECTED_START_TIME_ASC", "limit": 200})
        names = {d["id"]: d["name"] for d in _post(client, "deployments/filter", deadline, {})} if runs else {}
    now = dt.datetime.now(dt.UTC)
    shown = [found for run in runs if (found := _flow_run(run, names, now))]
    return sorted(shown, key=lambda run: (run.waiting, -run.seconds))


def _post(client, path: str, deadline: float, body: dict) -> list[dict]:
    import httpx

    left = deadline - time.monotonic()
    if left <= 0:
        raise httpx.TimeoutException("no time left")
    response = client.post(path, json=body, timeout=left)
    response.raise_for_status()
    return response.json()


def _flow_run(run: dict, deployments: dict[str, str], now: dt.datetime) -> FlowRun | None:
    """The run as shown, or None for a run merely scheduled for later (the hourly publish, say)."""
    state = run.get("state_name") or run.get("state_type", "?")
    waiting = run.get("state_type") in WAITING
    due = _time(run.get("expected_start_time")) or _time(run.get("created"))
    if waiting and state == "Scheduled" and (due is None or due > now):
        return None
    # a run put back to wait for a slot may be due again later: it has waited since it was made
    since = (min(d for d in (due, _time(run.get("created"))) if d) if waiting and due else
             _time(run.get("start_time")) or _time(run.get("created")))
    if since is None:
        return None
    deployment = deployments.get(run.get("deployment_id"), "(no deployment)")
    return FlowRun(deployment, run.get("name", "?"), state, waiting, (now - since).total_seconds())


def _time(value: str | None) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def duration(seconds: float) -> str:
    """`12 s`, `3 min 5 s`, `2 h 4 min`."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def stack_status(stack: dict, timeout: float = TIMEOUT) -> dict:
    """For `zaitun status`: the stack (pid, api), its flow runs, or why they could not be read."""
    import httpx

    api = stack.get("api", "")
    shown = {"pid": stack.get("pid"), "api": api, "runs": [], "error": ""}
    try:
        shown["runs"] = [asdict(run) for run in flow_runs(api, timeout)]
    except (httpx.HTTPError, ValueError, TypeError, KeyError, AttributeError) as exc:
        why = "did not answer" if isinstance(exc, httpx.TimeoutException) else f"could not be read ({exc})"
        shown["error"] = (f"the Prefect server of zaitun up ({api}) {why} within {timeout:g} s: flow runs "
                          "unknown; see .zaitun/prefect-server.log")
    return shown


def status_lines(shown: dict) -> list[str]:
    """What `zaitun status` prints of a running stack's flows."""
    head = f"zaitun up is running (pid {shown['pid']}, Prefect {shown['api']})"
    if shown["error"]:
        return [head, f"  {shown['error']}"]
    runs = [FlowRun(**run) for run in shown["runs"]]
    return [head, *(f"  {run.line()}" for run in runs)] if runs else [f"{head}: no flow run running or waiting"]
