"""The product end to end on a real Prefect API: drop files, watch them flow, approve, publish.

A temporary Prefect server with its trigger services (`prefect_test_harness`); the
deployments of prefect.yaml registered with a Runner; the real content watcher emitting
`zaitun.content.changed`; runs executed by the Runner as they are created by the triggers.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO, free_port, write_doc
from libre_server import LibreServer
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.runner import Runner
from prefect.testing.utilities import prefect_test_harness
from review_support import read, terms

from zaitun.flows import serve as flows_serve
from zaitun.flows.expiry import expiry
from zaitun.flows.intake import intake
from zaitun.flows.publish import publish
from zaitun.flows.translate import translate
from zaitun.project import Project
from zaitun.review import actions, gate
from zaitun.review.users import add_user
from zaitun.scaffold import init_project
from zaitun.state.segments import segment_states
from zaitun.state.store import Store

GOOD = ("guides/drop-in.md", "title: 泉州欢迎您\ndate: 2026-11-01\nsummary: 欢迎来泉州。", "## 欢迎\n\n欢迎来泉州。")


@pytest.fixture(scope="module")
def prefect_api():
    with prefect_test_harness(server_startup_timeout=90):
        from prefect.settings import PREFECT_API_URL

        os.environ["PREFECT_API_URL"] = PREFECT_API_URL.value()
        yield PREFECT_API_URL.value()
        os.environ.pop("PREFECT_API_URL", None)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    assert (root / "prefect.yaml").exists() and not (root / "flows").exists()
    monkeypatch.setenv("ZAITUN_PROJECT", str(root))
    return Project(root)


def test_flows_are_idempotent_and_report_bad_files(prefect_api, project):
    write_doc(project.root, *GOOD)
    bad = write_doc(project.root, "guides/broken.md", "title: 坏", "没有日期。")
    first = intake(project=str(project.root))
    second = intake(project=str(project.root))
    assert first["ingested"] == ["drop-in"] and second["ingested"] == []
    assert any(str(bad) in e and "date" in e for e in first["errors"])
    drafted = translate(project=str(project.root), slugs=["drop-in"])
    again = translate(project=str(project.root), slugs=["drop-in"])
    assert drafted["drafted"] > 0 and again["drafted"] == 0
    store = Store.open(project.database_url)
    assert len(store.history("drop-in", store.segments("drop-in")[0]["seg_id"])) == 1  # nothing duplicated
    built = publish(project=str(project.root))
    assert (project.publish_dir / "zh" / "guides" / "drop-in" / "index.html").exists()
    assert not (project.publish_dir / "en" / "guides" / "drop-in").exists()  # never approved
    assert publish(project=str(project.root))["rendered"] == 0 < built["rendered"]


def _deployments(names: set[str]) -> list:
    """The deployments of prefect.yaml, without schedules: here only events may start runs."""
    return [flows_serve.to_deployment({**spec, "schedules": []}, REPO)
            for spec in flows_serve.deployment_specs(REPO / "prefect.yaml") if spec["name"] in names]


async def _runs_of(deployment_ids) -> list:
    async with get_client() as client:
        return await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=list(deployment_ids))))


def wait_for_run(deployment_id, seen: set, timeout: float = 60.0):
    """Block until the trigger created a new run of the deployment; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = [r for r in asyncio.run(_runs_of([deployment_id])) if r.id not in seen]
        if new:
            seen.add(new[0].id)
            return new[0]
        time.sleep(0.5)
    raise AssertionError(f"no run of deployment {deployment_id} within {timeout} s")


def execute_due_runs(runner: Runner) -> None:
    asyncio.run(runner.start(run_once=True))


def test_dropped_file_flows_to_an_approved_english_page(prefect_api, project):
    from zaitun.watch import start_watcher

    runner = Runner(query_seconds=1, prefetch_seconds=30)
    ids = {d.name: runner.add_deployment(d) for d in _deployments({"intake", "translate", "publish"})}
    seen: set = set()
    observer = start_watcher(project.content_dir, debounce=0.3)
    try:
        write_doc(project.root, *GOOD)
        write_doc(project.root, "guides/broken.md", "title: 坏", "没有日期。")
        wait_for_run(ids["intake"], seen)
    finally:
        observer.stop()
        observer.join(5)
    execute_due_runs(runner)
    wait_for_run(ids["translate"], seen)  # both triggered by zaitun.content.ingested
    wait_for_run(ids["publish"], seen)
    execute_due_runs(runner)
    assert (project.publish_dir / "zh" / "guides" / "drop-in" / "index.html").exists()

    store = Store.open(project.database_url)
    states = segment_states(store, "drop-in")
    assert states and all(s.translation for s in states)  # offline: drafts, flagged for a human
    assert store.document("broken") is None  # the bad file was reported, the good one went on
    add_user(store, "rev", "reviewer", "a long password")
    for s in states:
        gate.edit(store, "drop-in", s.seg_id, f"English {s.position}.", "rev", glossary=terms(project))
    result = actions.approve(project, store, "drop-in", read(store, slug="drop-in"), "rev")
    assert result.completed  # emits zaitun.document.approved
    wait_for_run(ids["publish"], seen)
    execute_due_runs(runner)
    page = project.publish_dir / "en" / "guides" / "drop-in" / "index.html"
    assert page.exists() and "English 2." in page.read_text(encoding="utf-8")
    for feed in ("feed.xml", "atom.xml"):
        assert "/en/guides/drop-in/" in (project.publish_dir / "en" / feed).read_text(encoding="utf-8")

    (project.content_dir / "guides" / "drop-in.md").unlink()  # a deleted file is withdrawn
    intake(project=str(project.root))
    wait_for_run(ids["publish"], seen)  # triggered by zaitun.document.withdrawn
    execute_due_runs(runner)
    assert not page.exists()
    assert not (project.publish_dir / "zh" / "guides" / "drop-in").exists()


def test_a_replaced_image_goes_online_without_any_document_changing(prefect_api, project):
    from zaitun.watch import start_watcher

    images = project.content_dir / "guides" / "images"
    images.mkdir(parents=True)
    (images / "map.png").write_bytes(b"\x89PNG first")
    write_doc(project.root, "guides/airport.md", "title: 机场\ndate: 2026-11-01", "![机场位置图](images/map.png)")
    intake(project=str(project.root))
    publish(project=str(project.root))
    published = project.publish_dir / "media" / "guides" / "images" / "map.png"
    assert published.read_bytes() == b"\x89PNG first"

    runner = Runner(query_seconds=1, prefetch_seconds=30)
    ids = {d.name: runner.add_deployment(d) for d in _deployments({"intake", "publish"})}
    seen = {r.id for r in asyncio.run(_runs_of(ids.values()))}
    observer = start_watcher(project.content_dir, debounce=0.3)
    try:
        (images / "map.png").write_bytes(b"\x89PNG second")
        wait_for_run(ids["intake"], seen)
    finally:
        observer.stop()
        observer.join(5)
    execute_due_runs(runner)  # intake: no document changed; announces zaitun.content.files-changed
    wait_for_run(ids["publish"], seen)
    execute_due_runs(runner)
    assert published.read_bytes() == b"\x89PNG second"


def test_unmatched_event_creates_no_run(prefect_api, project):
    from prefect.events import emit_event

    runner = Runner()
    ids = {d.name: runner.add_deployment(d) for d in _deployments({"publish"})}
    time.sleep(3)  # let runs triggered by earlier tests' events be created first
    before = {r.id for r in asyncio.run(_runs_of([ids["publish"]]))}
    emit_event(event="zaitun.something.else", resource={"prefect.resource.id": "zaitun.document.x"})
    time.sleep(3)
    assert {r.id for r in asyncio.run(_runs_of([ids["publish"]]))} == before


def test_every_stage_that_events_start_also_runs_hourly_so_a_run_that_failed_is_taken_up_again():
    """An intake run that failed (the disk holding the store full) left the file it was started for out until
    another file was dropped: no event comes again for it."""
    specs = {spec["name"]: spec for spec in flows_serve.deployment_specs(REPO / "prefect.yaml")}
    for name in ("intake", "translate", "publish"):
        assert {"interval": 3600} in specs[name].get("schedules", []), name


def test_flow_files_import_nothing_but_the_library(project):
    for path in Path(REPO / "zaitun" / "flows").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "sqlalchemy" not in text and "open(" not in text, path


def test_expiry_tells_staff_once_a_day_and_marks_the_page(prefect_api, project):
    import http.server
    import threading

    received: list[bytes] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = project.config_path.read_text(encoding="utf-8")
        project.config_path.write_text(config.replace(
            "expiring = []", f'expiring = ["json://127.0.0.1:{server.server_port}/hook"]'), encoding="utf-8")
        write_doc(project.root, "policies/old-measures.md",
                  "title: 旧措施\ndate: 2023-01-01\nvalid_until: 2024-12-31", "本措施已经到期。")
        intake(project=str(project.root))
        assert [d["slug"] for d in expiry(project=str(project.root))] == ["old-measures"]
        assert [d["expiry"] for d in expiry(project=str(project.root))] == ["expired"]
    finally:
        server.shutdown()
        server.server_close()
    assert len(received) == 1 and b"old-measures" in received[0]
    page = project.publish_dir / "zh" / "policies" / "old-measures" / "index.html"
    assert "已失效" in page.read_text(encoding="utf-8")


def test_publish_retries_through_an_s3_outage_and_catches_up(prefect_api, project, monkeypatch):
    import threading

    import boto3
    from moto.server import ThreadedMotoServer

    import zaitun.flows.publish as publish_flow

    port = free_port()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    endpoint = f"http://127.0.0.1:{port}"
    config = project.config_path.read_text(encoding="utf-8")
    project.config_path.write_text(config.replace('s3_target = ""', 's3_target = "s3://site/zaitun"').replace(
        's3_endpoint_url = ""', f's3_endpoint_url = "{endpoint}"'), encoding="utf-8")
    write_doc(project.root, *GOOD)
    intake(project=str(project.root))
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)

    def service_returns() -> None:
        server.start()
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="site")

    outage = threading.Timer(3.0, service_returns)  # S3 is down when the flow starts
    outage.start()
    monkeypatch.setattr(publish_flow, "build_and_publish",
                        publish_flow.build_and_publish.with_options(retries=10, retry_delay_seconds=1))
    try:
        summary = publish_flow.publish(project=str(project.root))
        keys = [o["Key"] for o in boto3.client("s3", endpoint_url=endpoint).list_objects_v2(
            Bucket="site")["Contents"]]
    finally:
        outage.join()
        server.stop()
    assert "uploaded" in summary["deployed"]
    assert "zaitun/zh/guides/drop-in/index.html" in keys


def test_automations_of_deleted_deployments_are_removed(prefect_api, project):
    from prefect.client.orchestration import get_client

    runner = Runner()
    deployment = _deployments({"publish"})[0]
    deployment.name = "publish-to-be-deleted"
    deployment_id = runner.add_deployment(deployment)

    async def automations_and_delete() -> list[str]:
        async with get_client() as client:
            names = [a.name for a in await client.read_automations()
                     if any(getattr(x, "deployment_id", None) == deployment_id for x in a.actions)]
            await client.delete_deployment(deployment_id)
            return names

    orphaned = asyncio.run(automations_and_delete())
    assert orphaned
    assert sorted(asyncio.run(flows_serve.remove_orphaned_automations())) == sorted(orphaned)
    assert asyncio.run(flows_serve.remove_orphaned_automations()) == []


class CountingLibre(LibreServer):
    """A LibreTranslate server that holds each request a moment and remembers the most at once."""

    def __init__(self):
        super().__init__()
        self.in_flight = self.most = 0

    def decide(self, params: dict) -> str:
        with self._lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        time.sleep(0.5)
        with self._lock:
            self.in_flight -= 1
        return super().decide(params)


def test_translate_batches_share_the_engines_concurrency_limit(prefect_api, project):
    from prefect.client.orchestration import get_client

    with CountingLibre() as engine:
        config = project.config_path.read_text(encoding="utf-8")
        project.config_path.write_text(config.replace('provider = "offline"', 'provider = "libre"').replace(
            'provider_url = ""', f'provider_url = "{engine.url}"'), encoding="utf-8")
        for n in range(4):
            write_doc(project.root, f"guides/doc-{n}.md", f"title: 第{n}篇\ndate: 2026-11-01", "泉州欢迎您。")
        intake(project=str(project.root))
        one_at_a_time = translate(project=str(project.root), documents_per_batch=1)
        assert engine.most == 1 and len(engine.requests) == 8  # a title and a sentence each
        assert one_at_a_time["drafted"] == 8 and one_at_a_time["engine"] == "libre"

        async def raise_limit() -> int:
            async with get_client() as client:
                limit = await client.read_global_concurrency_limit_by_name("zaitun-engine-libre")
                await client.update_global_concurrency_limit(limit.name, GlobalConcurrencyLimitUpdate(limit=4))
                return limit.limit

        assert asyncio.run(raise_limit()) == 1  # made by the flow with translate.concurrency slots
        engine.most = 0
        for n in range(4, 8):
            write_doc(project.root, f"guides/doc-{n}.md", f"title: 第{n}篇\ndate: 2026-11-01", "泉州欢迎您。")
        intake(project=str(project.root))
        translate(project=str(project.root), documents_per_batch=1)
    assert engine.most > 1  # the operator's higher limit lets batches overlap


def test_the_daily_flow_rebuilds_a_page_whose_state_the_date_changed_though_nothing_expires(prefect_api, project):
    """A rule taking effect today: yesterday's build says it is not yet in force; the daily flow (nothing in the
    project expiring) rebuilds, and the page says it is in force."""
    import datetime as dt

    from zaitun.publish.site import build_site

    today = project.today()
    write_doc(project.root, "policies/new-measures.md",
              f"title: 新措施\ndate: {today - dt.timedelta(days=30)}\nvalid_from: {today}", "本措施今日起施行。")
    intake(project=str(project.root))
    store = Store.open(project.database_url)
    build_site(project, store, today=today - dt.timedelta(days=1))
    page = project.publish_dir / "zh" / "policies" / "new-measures" / "index.html"
    assert "尚未生效" in page.read_text(encoding="utf-8")
    assert expiry(project=str(project.root)) == []
    assert "尚未生效" not in page.read_text(encoding="utf-8")


def _content_events(api: str, since: str) -> list[list[str]]:
    """The paths of each `zaitun.content.changed` event the server received since then, oldest first."""
    import httpx

    answer = httpx.post(f"{api}/events/filter", timeout=10, json={
        "filter": {"event": {"name": ["zaitun.content.changed"]}, "occurred": {"since": since}, "order": "ASC"},
        "limit": 50})
    answer.raise_for_status()
    return [event["payload"]["paths"] for event in answer.json()["events"]]


def test_zaitun_watch_watches_a_folder_put_in_place_of_content_and_announces_it(prefect_api, project, tmp_path):
    """`zaitun watch` (the watcher beside a shared Prefect server) on its own: content/ re-pointed to a share while
    it runs is announced once (an intake then takes in what the share holds, told by no file event) and what is
    dropped into the share next is announced as ever."""
    import datetime as dt
    import signal
    import subprocess
    import sys

    share, empty = tmp_path / "share", tmp_path / "empty"
    (share / "guides").mkdir(parents=True)
    empty.mkdir()
    content = project.root / "content"
    for child in sorted(content.rglob("*"), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    content.rmdir()
    content.symlink_to(empty)
    since = dt.datetime.now(dt.UTC).isoformat()
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    watcher = subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(project.root), "watch"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(watcher.stdout), daemon=True)
    reader.start()

    def said(text: str) -> None:
        deadline = time.monotonic() + 30
        while not any(text in line for line in lines):
            assert watcher.poll() is None and time.monotonic() < deadline, lines
            time.sleep(0.1)

    try:
        said("watching")
        (tmp_path / "link.new").symlink_to(share)
        (tmp_path / "link.new").rename(content)  # as a deploy script re-points it: atomically
        said("is another folder now")
        write_doc(project.root, *GOOD)  # into the share, through the link
        dropped = str(project.root / "content" / "guides" / "drop-in.md")
        deadline = time.monotonic() + 60
        seen = _content_events(prefect_api, since)
        while not any(dropped in paths for paths in seen) or [] not in seen:
            assert time.monotonic() < deadline, seen
            time.sleep(0.5)
            seen = _content_events(prefect_api, since)
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)
        reader.join(timeout=10)
        watcher.stdout.close()
    assert [] in seen, seen  # the folder put in place, announced as such: an intake looks at everything in it
    assert watcher.returncode == 0 and "Traceback" not in "".join(lines), lines


def test_events_sent_from_several_threads_at_once_all_arrive(prefect_api):
    """The watcher's debounce thread and its main thread send at once: a drain by one stopped Prefect's events
    worker while the other put its event in, which Prefect refused and logged; the batch was never announced."""
    import datetime as dt

    from zaitun import events

    since = dt.datetime.now(dt.UTC).isoformat()

    def send(thread: int) -> None:
        for n in range(15):
            assert events.emit(events.CONTENT_CHANGED, resource_id=events.CONTENT_BATCH, paths=[f"{thread}-{n}"])

    threads = [threading.Thread(target=send, args=(thread,)) for thread in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    deadline = time.monotonic() + 30
    while len(seen := _content_events(prefect_api, since)) < 45:
        assert time.monotonic() < deadline, seen
        time.sleep(0.5)
    assert sorted(path for paths in seen for path in paths) == sorted(f"{t}-{n}" for t in range(3) for n in range(15))


def test_a_run_left_running_by_a_killed_stack_is_marked_crashed_when_up_starts_again(prefect_api):
    """A `kill -9` of zaitun up can leave a run "Running" in its server for ever, holding its deployment's slot:
    the next up marks it crashed before serving the flows, and says so."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.states import Running

    from zaitun.flows.recovery import crash_runs_left_running

    async def left_running() -> tuple[str, str]:
        async with get_client() as client:
            flow_id = await client.create_flow_from_name("zaitun-intake")
            deployment = await client.create_deployment(flow_id, "intake", entrypoint="flows/intake.py:intake")
            run = await client.create_flow_run_from_deployment(deployment)
            await client.set_flow_run_state(run.id, Running(), force=True)
            return str(run.id), run.name

    async def state_of(run_id: str) -> str:
        async with get_client() as client:
            return (await client.read_flow_run(run_id)).state.type.value

    run_id, name = asyncio.run(left_running())
    assert crash_runs_left_running() == [f"1 run(s) left running by a stopped stack marked crashed: intake/{name}"]
    assert asyncio.run(state_of(run_id)) == "CRASHED"
    assert crash_runs_left_running() == []  # a clean stop leaves nothing to say
