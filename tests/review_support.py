"""Helpers shared by the review tests: a small project in review, drafts, accounts."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from conftest import free_port, write_doc
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.content.intake import ingest
from zaitun.project import Project
from zaitun.review import qa
from zaitun.review.users import add_user
from zaitun.state.segments import segment_states
from zaitun.state.store import Store
from zaitun.translate.glossary import Glossary

SLUG = "visa"
FRONT = "title: 过境免签指南\ndate: 2025-06-20\nprogramme: transit"
BODY = "## 政策概况\n\n外国人可以过境免签。停留时间为240小时。请拨打12367热线咨询。\n"
PASSWORD = "correct horse battery"


def log_in_at(page, url: str, name: str = "alice", password: str = PASSWORD) -> None:
    """Open a review page in the browser, log in on the form it answers with, and be back on that page."""
    page.goto(url)
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Log in')")
    page.wait_for_url(url)


def review_project(root: Path, body: str = BODY, database_url: str = "") -> tuple[Project, Store]:
    """A project with one ingested document whose segments have no drafts yet (in SQLite unless
    another database is given)."""
    for name in ("content", "glossary", "tm", "publish"):
        (root / name).mkdir(parents=True, exist_ok=True)
    if database_url:
        (root / "zaitun.toml").write_text(f'[review]\ndatabase_url = "{database_url}"\n', encoding="utf-8")
    (root / "glossary" / "immigration.csv").write_text(
        "zh,en,forbidden,note\n过境免签,visa-free transit,,\n外国人,foreign national,alien,\n", encoding="utf-8")
    write_doc(root, f"guides/{SLUG}.md", FRONT, body)
    project = Project(root)
    store = Store.open(project.database_url)
    ingest(project, store)
    return project, store


def draft_all(store: Store, slug: str = SLUG, issues_for: set[int] = frozenset()) -> list[str]:
    """Give every segment a machine draft ("EN n: ..."); segments at `issues_for` get a QA issue."""
    ids = []
    with store.tx() as conn:
        current = store.current_translations(slug, conn)
        for n, seg in enumerate(store.segments(slug)):
            issues = [{"check": "numbers", "message": "240 is missing"}] if n in issues_for else []
            store.add_translation(conn, slug, seg["seg_id"], seg["source"], f"EN {n}: {seg['source']}",
                                  origin="engine", replaces=current.get(seg["seg_id"]), issues=issues)
            ids.append(seg["seg_id"])
    return ids


def terms(project: Project) -> Glossary:
    """The project's glossary, as the review actions hand it to the gate."""
    return qa.glossary(project.glossary_dir)


def quick_user(store: Store, name: str, role: str = "reviewer") -> None:
    """An account without the slow password hash, for tests that never log in."""
    with store.tx() as conn:
        store.add_user(conn, name, role, "not-a-hash")


def real_user(store: Store, name: str, role: str = "reviewer") -> None:
    add_user(store, name, role, PASSWORD)


class Client:
    """A synchronous face over `httpx.AsyncClient(transport=ASGITransport(app))`, cookies kept.

    (Starlette's TestClient warns about plain httpx, and warnings are errors here.)
    """

    def __init__(self, app, base_url: str = "http://testserver", address: str = "127.0.0.1"):
        import asyncio

        import httpx

        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 50000)),
                                        base_url=base_url, follow_redirects=False)

    def get(self, url: str, **kwargs):
        return self.loop.run_until_complete(self.client.get(url, **kwargs))

    def post(self, url: str, **kwargs):
        return self.loop.run_until_complete(self.client.post(url, **kwargs))

    def request(self, method: str, url: str, **kwargs):
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: Client, path: str = "/login") -> str:
    """The CSRF token of the form on `path`, as the browser would send it back."""
    return CSRF_RE.search(client.get(path).text).group(1)


def login(client: Client, name: str = "alice", password: str = PASSWORD):
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf(client),
                                       "next": "/"})


def read(store: Store, seg_ids: list[str] | None = None, slug: str = SLUG) -> dict[str, str]:
    """seg_id -> version of the given segments (all when None), as a reviewer reading the page now sees them."""
    from zaitun.review import gate

    return gate.shown(segment_states(store, slug), seg_ids)


def read_unflagged(store: Store, slug: str = SLUG) -> dict[str, str]:
    """The unflagged drafts a reviewer's page shows now, for "approve all unflagged"."""

    return {s.seg_id: s.version for s in segment_states(store, slug) if s.unflagged_draft}


FORM_RE = re.compile(r'<form method="post" action="(?P<action>[^"]+)"[^>]*>(?P<body>.*?)</form>', re.DOTALL)
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def page_form(page: str, action: str, seg_id: str | None = None) -> dict[str, str]:
    """The hidden fields of the form on `page` posting to `action` (for `seg_id`), as a browser sends them."""
    for m in FORM_RE.finditer(page):
        fields = dict(HIDDEN_RE.findall(m["body"]))
        if m["action"] == action and (seg_id is None or fields.get("seg_id") == seg_id):
            return {k: html.unescape(v) for k, v in fields.items()}
    raise AssertionError(f"no form posting to {action} for {seg_id} on the page")


@contextmanager
def serve_app(app) -> Iterator[str]:
    """The review app on a real uvicorn server on 127.0.0.1 (a thread of this process); yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def reviewer_browser(project: Project, store: Store, path: str, name: str = "alice"):
    """A real Chromium page, logged in as the reviewer `name` (made here) at `path` of the project's review UI on a
    real server; yields (page, playwright's sync_api). Skips where Chromium is missing, outside CI."""
    import pytest
    from conftest import CHROMIUM, CHROMIUM_ARGS

    from zaitun.context import Context
    from zaitun.review.web import create_app

    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (`make chromium` installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("uvicorn")
    real_user(store, name)
    with serve_app(create_app(Context(project, store))) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            log_in_at(page, f"{base}{path}", name)
            yield page, sync_api
        finally:
            browser.close()


def run(project, *args, input=None, token=None):
    """The zaitun command line on the project, in this process; `token` is the caller's ZAITUN_TOKEN."""
    env = {"ZAITUN_TOKEN": token} if token else None
    return CliRunner().invoke(app, ["--project", str(project.root), *args], input=input, env=env)


@contextmanager
def review_server(root: Path) -> Iterator[str]:
    """`zaitun review serve` on a free port, as a process of its own; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZAITUN")}
    proc = subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(root), "review", "serve",
                             "--host", "127.0.0.1", "--port", str(port)], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_review_ui(base, proc)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # stuck in a request: stopped all the same, and the test fails
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise


def wait_for_review_ui(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"zaitun review serve ended ({proc.returncode})"
        try:
            if httpx.get(f"{base}/login", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"no review UI at {base}")
