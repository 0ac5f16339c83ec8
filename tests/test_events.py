"""Prefect events reach a Prefect API when one is configured, and are a no-op otherwise."""

import asyncio
import fnmatch
import json
import os
import re
import subprocess
import sys
import threading

import yaml
from websockets.asyncio.server import serve

EMIT = """
import os, sys
from zaitun import events
sent = events.emit("zaitun.document.approved", "visa", approved_by="alice")
if os.environ.get("PREFECT_API_URL"):
    from prefect.events.worker import EventsWorker
    EventsWorker.drain_all()
print(sent, "prefect" in sys.modules)
"""


class FakePrefectEvents:
    """The events websocket of a Prefect server (`/api/events/in`): auth handshake, then events."""

    def __init__(self):
        self.received: list[dict] = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def handler(self, websocket):
        json.loads(await websocket.recv())  # {"type": "auth", "token": ...}
        await websocket.send(json.dumps({"type": "auth_success"}))
        async for message in websocket:
            self.received.append(json.loads(message))

    async def _start(self):
        self.server = await serve(self.handler, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    def __enter__(self):
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=10)
        return self

    def __exit__(self, *exc):
        async def stop():
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def run_emit(tmp_path, api_url: str | None, script: str = EMIT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)


def test_document_approved_event_reaches_the_prefect_api(tmp_path):
    with FakePrefectEvents() as prefect:
        done = run_emit(tmp_path, f"http://127.0.0.1:{prefect.port}/api")
    assert done.returncode == 0 and done.stdout.split()[0] == "True", done.stderr
    [event] = prefect.received
    assert event["event"] == "zaitun.document.approved"
    assert event["resource"] == {"prefect.resource.id": "zaitun.document.visa"}
    assert event["payload"] == {"approved_by": "alice"}


CHANGED = """
import os
from zaitun.watch import emit_content_changed
from prefect.events.worker import EventsWorker
emit_content_changed(["/p/content/guides/good.md", os.fsdecode(b"/p/content/policies/\\xb9\\xab\\xb8\\xe6.txt")])
EventsWorker.drain_all()
"""


def test_a_batch_holding_a_name_not_utf8_still_announces_every_change(tmp_path):
    """A file named in GBK (公告.txt) beside a good one: the event could not be encoded and was dropped, so the
    good file's change was not announced either and waited for the next pass."""
    with FakePrefectEvents() as prefect:
        done = run_emit(tmp_path, f"http://127.0.0.1:{prefect.port}/api", CHANGED)
    assert done.returncode == 0, done.stderr
    [event] = prefect.received
    assert event["event"] == "zaitun.content.changed"
    assert event["payload"] == {"paths": ["/p/content/guides/good.md", "/p/content/policies/\\xb9\\xab\\xb8\\xe6.txt"]}


def test_without_a_prefect_api_nothing_is_sent_and_no_server_starts(tmp_path):
    done = run_emit(tmp_path, None)
    assert done.returncode == 0 and done.stdout.split() == ["False", "False"], done.stderr  # prefect not imported
    assert not (tmp_path / "prefect").exists()  # no ephemeral server, no Prefect state written


def literal_event_names(text: str) -> set[str]:
    """Every string literal of the form zaitun.<kind>.<what> in Python source."""
    import ast

    return {node.value for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and re.fullmatch(r"zaitun\.[a-z]+\.[a-z*<>-]+", node.value)}


def test_every_event_name_in_the_code_and_in_prefect_yaml_is_in_the_registry():
    from conftest import REPO

    from zaitun.events import EVENTS, RESOURCES

    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    expected = {name for d in spec["deployments"] for t in d.get("triggers", []) for name in t["expect"]}
    assert expected and expected <= set(EVENTS), expected - set(EVENTS)
    matched = {t["match"]["prefect.resource.id"] for d in spec["deployments"] for t in d.get("triggers", [])}
    assert all(any(fnmatch.fnmatch(r, pattern) for r in RESOURCES) for pattern in matched), matched
    in_code = set()
    for path in (REPO / "zaitun").rglob("*.py"):
        in_code |= literal_event_names(path.read_text(encoding="utf-8"))
    modules = {name for name in in_code if (REPO / (name.replace(".", "/") + ".py")).is_file()}  # zaitun.flows.serve
    assert in_code - modules - set(EVENTS) - set(RESOURCES) == set()
    assert {"zaitun.document.withdrawn", "zaitun.content.ingested"} <= in_code  # the scan does find names


def test_an_event_outside_the_registry_is_refused_before_anything_is_sent():
    import pytest

    from zaitun import events

    with pytest.raises(ValueError, match="zaitun.content.withdrawn"):
        events.emit("zaitun.content.withdrawn", "visa")
