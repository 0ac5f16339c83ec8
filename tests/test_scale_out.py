"""Running on several machines, as the README tells an operator: a Prefect server on PostgreSQL,
the `zaitun` process work pool, `prefect deploy --all` from the project's prefect.yaml, two
workers, the store on PostgreSQL, and `zaitun watch` announcing a file dropped into content/.

The commands are those of the README's "Running on several machines" section, on 127.0.0.1
and free ports.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import free_port, write_doc

from zaitun.scaffold import init_project

BIN = Path(sys.executable).parent


def wait_until(what: str, check, timeout: float, procs: list[subprocess.Popen] = ()) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        dead = [p.args for p in procs if p.poll() is not None]
        assert not dead, f"stopped while waiting for {what}: {dead}"
        time.sleep(1)
    raise AssertionError(f"no {what} within {timeout:.0f} s")


class Services:
    """Long-running processes, each logging to a file, stopped (and their children) at the end."""

    def __init__(self, logs: Path, env: dict[str, str], cwd: Path):
        self.logs, self.env, self.cwd = logs, env, cwd
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "wb") as log:  # the child keeps its own copy of the handle
            self.procs[name] = subprocess.Popen(list(args), cwd=self.cwd, env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)
        return self.procs[name]

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        for proc in reversed(self.procs.values()):
            for sig, wait in ((signal.SIGINT, 20), (signal.SIGKILL, 10)):
                if proc.poll() is None:
                    try:
                        os.killpg(proc.pid, sig)
                    except ProcessLookupError:
                        break
                    try:
                        proc.wait(timeout=wait)
                    except subprocess.TimeoutExpired:
                        continue


def run(env: dict, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result


async def flow_runs(api: str) -> list:
    from prefect.client.orchestration import PrefectClient

    async with PrefectClient(api) as client:
        return await client.read_flow_runs()


@pytest.fixture
def project_on_postgres(tmp_path, postgres):
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    config = root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'database_url = ""', f'database_url = "{postgres.new_database()}"'), encoding="utf-8")
    return root


def test_two_workers_run_the_deployed_flows_from_a_dropped_file_to_review_and_the_chinese_page(
        tmp_path, postgres, project_on_postgres):
    root, port = project_on_postgres, free_port()
    api = f"http://127.0.0.1:{port}/api"
    prefect_db = postgres.new_database().replace("+psycopg", "+asyncpg")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "ZAITUN"))}
    env.update(PATH=f"{BIN}{os.pathsep}{env['PATH']}", PREFECT_HOME=str(tmp_path / "prefect-home"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1", PREFECT_API_URL=api,
               PREFECT_API_DATABASE_CONNECTION_URL=prefect_db, ZAITUN_PROJECT=str(root),
               PREFECT_WORKER_QUERY_SECONDS="2")
    services = Services(tmp_path, env, root)
    try:
        server = services.start("server", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port))
        wait_until("Prefect server", lambda: _answers(f"{api}/health"), 180, [server])
        run(env, root, "prefect", "work-pool", "create", "zaitun", "--type", "process")
        deployed = run(env, root, "prefect", "--no-prompt", "deploy", "--all")
        for name in ("intake", "translate", "publish", "expiry"):
            assert f"zaitun-{name}/{name}" in deployed.stdout, deployed.stdout
        workers = [services.start(f"worker-{n}", "prefect", "worker", "start", "--pool", "zaitun",
                                  "--name", f"worker-{n}") for n in (1, 2)]
        watcher = services.start("watch", "zaitun", "watch")
        review_port = free_port()
        review = services.start("review", "zaitun", "review", "serve", "--host", "127.0.0.1",
                                "--port", str(review_port))
        wait_until("watcher", lambda: "watching" in services.log("watch"), 60, [watcher])
        wait_until("review UI", lambda: _answers(f"http://127.0.0.1:{review_port}/login"), 60, [review])

        write_doc(root, "guides/drop-in.md", "title: 泉州欢迎您\ndate: 2026-11-01", "## 欢迎\n\n欢迎来泉州。")
        page = root / "publish" / "zh" / "guides" / "drop-in" / "index.html"
        everyone = [server, watcher, review, *workers]
        wait_until("Chinese page", page.is_file, 300, everyone)
        status = wait_until("document in review", lambda: _in_review(env, root, "drop-in"), 120, everyone)
        assert status["total"] >= 2 and status["approved"] == 0

        runs = wait_until("finished runs", lambda: _finished(api, 3), 120, everyone)  # intake, translate, publish
    finally:
        services.stop()
    assert "欢迎来泉州" in page.read_text(encoding="utf-8")
    submitted = services.log("worker-1") + services.log("worker-2")
    for flow_run in runs:
        assert flow_run.work_pool_name == "zaitun" and flow_run.state.is_completed(), flow_run
        assert str(flow_run.id) in submitted, (flow_run.name, "not run by either worker")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _in_review(env: dict, root: Path, slug: str) -> dict | None:
    out = run(env, root, "zaitun", "review", "list", "--json").stdout
    docs = {d["slug"]: d for d in json.loads(out)["documents"]}
    doc = docs.get(slug)
    return doc if doc and doc["stage"] == "in review" else None


def _finished(api: str, flows: int) -> list:
    """The runs due by now (not those the hourly and daily schedules hold for later), once runs of
    `flows` flows are due and every one of them has ended."""
    now = datetime.datetime.now(datetime.UTC)
    due = [r for r in asyncio.run(flow_runs(api)) if r.expected_start_time and r.expected_start_time <= now]
    if len({r.flow_id for r in due}) < flows or not all(r.state and r.state.is_final() for r in due):
        return []
    return due
