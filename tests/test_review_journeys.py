"""Reviewers' journeys through the running product: a real `zaitun up` subprocess, Debian's
Chromium, Chinese files dropped into content/. One stack serves the module (it takes a while
to start); each test uses its own accounts and documents, so the tests stay independent."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, write_doc
from test_up import start_up, wait_for_line

from zaitun.project import Project
from zaitun.review.users import add_user, issue_token
from zaitun.scaffold import init_project
from zaitun.state.segments import segment_states
from zaitun.state.store import Store

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (`make chromium` installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

WAITING = "night-market"  # in review from the first pass on: no memory match, so no English yet
WAITING_FRONT = "title: 泉州夜市指南\ndate: 2026-11-01"
WAITING_BODY = "## 夜市位置\n\n西街夜市每天晚上开放。\n\n游客可以品尝当地小吃。\n"
PUBLISHED_WITHIN = 5.0  # seconds from the last approval to the English page and feed
PASSWORD = "lantern harbour quietly"
OWN_PASSWORD = "kites over the old harbour"  # what a person added by an admin chooses


class Stack:
    """The running `zaitun up`: its URLs, project, store, and an admin token for the operator's CLI."""

    def __init__(self, root: Path, ports: dict[str, int], banner: str):
        self.root, self.banner = root, banner
        self.review = f"http://127.0.0.1:{ports['review']}"
        self.site = f"http://127.0.0.1:{ports['preview']}"
        self.project = Project(root)
        self.store = Store.open(self.project.database_url)
        add_user(self.store, "ops", "admin", "operator on duty tonight")
        self.ops_token = issue_token(self.store, "ops", "ops")

    def zaitun(self, *args: str, token: str | None = None, input: str = "") -> subprocess.CompletedProcess:
        """The command line, as an operator runs it beside the stack."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env["ZAITUN_TOKEN"] = token or self.ops_token
        return subprocess.run([sys.executable, "-m", "zaitun", "--project", str(self.root), *args], input=input,
                              capture_output=True, text=True, timeout=120, env=env, start_new_session=True)

    def account(self, name: str, role: str) -> None:
        """An account made the way an admin makes it: `zaitun user add` with the admin's token."""
        done = self.zaitun("user", "add", name, "--role", role, "--password-stdin", input=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    root = tmp_path_factory.mktemp("journeys") / "site"
    init_project(root)
    write_doc(root, f"guides/{WAITING}.md", WAITING_FRONT, WAITING_BODY)
    proc, ports = start_up(root)
    try:
        banner = "".join(wait_for_line(proc, "Press Ctrl-C to stop.", 240))
        running = Stack(root, ports, banner)
        yield running
        running.store.close()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=90)
        print(out)


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser):
    page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return page, problems


def log_in(page, stack: Stack, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{stack.review}/")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button:has-text('Log in')")


def first_log_in(page, stack: Stack, name: str) -> None:
    """The first login to an account an admin added: the person replaces the password the admin gave."""
    log_in(page, stack, name)
    assert page.url == f"{stack.review}/password"
    page.fill("input[name=current]", PASSWORD)
    page.fill("input[name=new]", OWN_PASSWORD)
    page.fill("input[name=confirm]", OWN_PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Change password')")
    expect(page.locator(".flash.ok")).to_contain_text("password changed")


def shoot(page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000


def wait_until(check, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def session_cookie(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "zaitun_session")


def still_valid(stack: Stack, cookie: str) -> bool:
    """Whether the review UI still accepts a session cookie (a page answers instead of the login)."""
    response = httpx.get(f"{stack.review}/", cookies={"zaitun_session": cookie}, timeout=10)
    return response.status_code == 200


# -- (a) the first reviewer's whole journey ------------------------------------------------------
JOURNEY = "west-street"
JOURNEY_FRONT = "title: 西街漫步指南\ndate: 2026-11-30\nsummary: 介绍西街的历史和美食。"
JOURNEY_BODY = "## 西街简介\n\n西街是泉州最古老的街道之一。\n\n街上有许多传统小吃店。\n"
ENGLISH = {"西街漫步指南": "A walk along West Street", "介绍西街的历史和美食。": "The history and food of West Street.",
           "西街简介": "About West Street", "西街是泉州最古老的街道之一。": "West Street is one of the oldest streets "
           "in Quanzhou.", "街上有许多传统小吃店。": "The street has many traditional snack shops."}


def test_first_run_admin_logs_in_sets_a_password_and_publishes_a_dropped_file_with_the_keyboard(
        stack, browser, tmp_path):
    assert "first-run admin account: admin" in stack.banner
    password_file = stack.project.state_dir / "first-admin-password"
    given = password_file.read_text(encoding="utf-8").strip()
    assert given not in stack.banner and str(password_file) in stack.banner
    assert password_file.stat().st_mode & 0o777 == 0o600
    page, problems = new_page(browser)
    log_in(page, stack, "admin", given)  # once answered 500 under `zaitun up`
    assert page.url == f"{stack.review}/password"
    page.fill("input[name=current]", given)
    page.fill("input[name=new]", "tea by the old harbour")
    page.fill("input[name=confirm]", "tea by the old harbour")
    with page.expect_navigation():
        page.click("button:has-text('Change password')")
    expect(page.locator(".flash.ok")).to_contain_text("password changed")
    assert not password_file.exists()

    write_doc(stack.root, f"guides/{JOURNEY}.md", JOURNEY_FRONT, JOURNEY_BODY)  # staff drop a file
    wait_until(lambda: page.reload() and page.locator(f'a[href="/doc/{JOURNEY}"]').count(), 120,
               "the dropped document in the review queue", every=1.0)
    shoot(page, tmp_path, "queue")
    with page.expect_navigation():
        page.click(f'a[href="/doc/{JOURNEY}"]')
    segments = page.locator("li.seg").count()
    assert segments == len(ENGLISH) and page.locator("li.seg.state-approved").count() == 0
    started = _edit_and_approve_all(page)
    expect(page.locator(".flash.ok").last).to_contain_text("the English page is released")
    shoot(page, tmp_path, "document")

    english, feed = f"{stack.site}/en/guides/{JOURNEY}/", f"{stack.site}/en/feed.xml"
    wait_until(lambda: _served(english, "A walk along West Street") and _served(feed, "A walk along West Street"),
               120, "the English page and feed")
    took = time.monotonic() - started
    print(f"\nEnglish page and feed served {took:.1f} s after the last approval")
    page.goto(english)
    expect(page.locator("h1")).to_have_text("A walk along West Street")
    shoot(page, tmp_path, "preview")
    assert problems == []
    assert took <= PUBLISHED_WITHIN, f"published {took:.1f} s after the last approval"


def _edit_and_approve_all(page) -> float:
    """Every open segment: `e`, type the English, Ctrl+Enter; returns when the last was sent."""
    last = 0.0
    for _ in range(len(ENGLISH)):
        current = page.locator("li.seg.current")
        source = current.locator(".source .text").inner_text().strip()
        page.keyboard.press("e")
        expect(current.locator("textarea[name=target]")).to_be_focused()
        page.keyboard.press("Control+A")
        page.keyboard.type(ENGLISH[source])
        last = time.monotonic()
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
    return last


def _served(url: str, text: str) -> bool:
    try:
        response = httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and text in response.text


# -- (c), (d), (e): sessions and roles -----------------------------------------------------------
def _visit(page, stack: Stack, folder: Path) -> None:
    """The queue, the waiting document and its preview, each kept as a screenshot."""
    page.goto(f"{stack.review}/")
    shoot(page, folder, "queue")
    page.goto(f"{stack.review}/doc/{WAITING}")
    shoot(page, folder, "document")
    page.goto(f"{stack.review}/doc/{WAITING}/preview")
    shoot(page, folder, "preview")


def test_after_logout_the_old_session_cookie_is_refused(stack, browser, tmp_path):
    stack.account("rita", "reviewer")
    page, problems = new_page(browser)
    first_log_in(page, stack, "rita")
    _visit(page, stack, tmp_path)
    expect(page.locator("h1").first).to_contain_text("泉州夜市指南")
    cookie = session_cookie(page)
    assert still_valid(stack, cookie)
    with page.expect_navigation():
        page.click("button:has-text('Log out')")
    assert not still_valid(stack, cookie)
    api = httpx.get(f"{stack.review}/api/documents", cookies={"zaitun_session": cookie}, timeout=10)
    assert api.status_code == 401
    assert problems == []


def test_an_editor_sees_the_queue_but_cannot_approve(stack, browser, tmp_path):
    stack.account("eddie", "editor")
    page, problems = new_page(browser)
    first_log_in(page, stack, "eddie")
    _visit(page, stack, tmp_path)
    page.goto(f"{stack.review}/")
    assert page.locator(f'a[href="/doc/{WAITING}"]').count() == 0 and "泉州夜市指南" in page.content()
    assert page.goto(f"{stack.review}/doc/{WAITING}").status == 403
    seg_id = stack.store.segments(WAITING)[1]["seg_id"]
    page.goto(f"{stack.review}/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.content()).group(1)
    forged = page.request.post(f"{stack.review}/doc/{WAITING}/edit", form={
        "csrf_token": token, "seg_id": seg_id, "target": "Location", "approve": "1"})
    assert forged.status == 403
    eddie = issue_token(stack.store, "eddie", "ops")
    shown = json.loads(stack.zaitun("review", "show", WAITING, "--json", token=eddie).stdout)
    version = next(s["version"] for s in shown["segments"] if s["id"] == seg_id)
    refused = stack.zaitun("review", "edit", WAITING, f"{seg_id}@{version}", "--target", "Location", "--approve",
                           token=eddie)
    assert refused.returncode == 1 and "only admin or reviewer may do this" in refused.stderr
    assert next(s for s in segment_states(stack.store, WAITING) if s.seg_id == seg_id).state != "approved"
    assert problems == []


def test_a_disabled_accounts_open_session_stops_working_at_once(stack, browser, tmp_path):
    stack.account("dora", "reviewer")
    page, problems = new_page(browser)
    first_log_in(page, stack, "dora")
    _visit(page, stack, tmp_path)
    seg_id = stack.store.segments(WAITING)[2]["seg_id"]
    page.goto(f"{stack.review}/doc/{WAITING}#s-{seg_id}")
    card = page.locator(f"#s-{seg_id}")
    card.locator("summary:has-text('Edit')").click()
    card.locator("textarea[name=target]").fill("West Street night market opens every evening.")
    with page.expect_navigation():
        card.locator("button:has-text('Save as draft')").click()
    cookie = session_cookie(page)
    done = stack.zaitun("user", "disable", "dora")
    assert done.returncode == 0 and "1 open session(s) ended" in done.stdout
    assert not still_valid(stack, cookie)
    with page.expect_navigation():  # the page still open in her browser: its Approve leads to the login
        page.locator(f"#s-{seg_id} form.approve button").click()
    assert "/login" in page.url
    assert next(s for s in segment_states(stack.store, WAITING) if s.seg_id == seg_id).state == "draft"
    assert problems == []

