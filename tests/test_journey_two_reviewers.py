"""Journey: two reviewers on one document at once, in Debian's Chromium, against a real
`zaitun review serve` process. Nothing reviewer A was not shown is ever approved in A's name or
published: A's stale Approve and stale "approve all unflagged" are refused, naming the segment,
and A's page then shows the newer text."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, free_port
from review_support import PASSWORD, SLUG, draft_all, read, real_user, review_project, terms

from zaitun.review import gate
from zaitun.state.segments import segment_states
from zaitun.state.store import Store

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (`make chromium` installs it)",
                allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

BOBS_FIRST = "Call the 12367 hotline for advice, says Bob."  # never shown to alice before she clicks
BOBS_SECOND = "Please call the 12367 hotline for information."
WAIT_MS = 20_000  # generous: the machine may be busy


def zaitun(root: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), *args],
                          capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture
def served(tmp_path):
    """A document whose segments are approved except the last (draft X), and the review UI as a process."""
    root = tmp_path / "proj"
    project, store = review_project(root)
    ids = draft_all(store)
    real_user(store, "alice")
    real_user(store, "bob")
    gate.approve(store, SLUG, read(store, ids[:-1]), "alice", glossary=terms(project))
    store.close()
    port = free_port()
    log = (tmp_path / "review.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(root), "review", "serve",
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc, tmp_path / "review.log")
        yield root, base, ids
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _wait_until_up(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"zaitun review serve exited:\n{log.read_text(encoding='utf-8')}")
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"zaitun review serve did not answer within 120 s:\n{log.read_text(encoding='utf-8')}")


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def reviewer(browser, base: str, name: str):
    """A browser context of its own (its own cookies) with `name` logged in."""
    page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())  # "Approve every unflagged draft?": yes
    page.goto(f"{base}/")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{base}/", timeout=WAIT_MS)
    page.problems = problems
    return page


def store_of(root: Path) -> Store:
    return Store.open(f"sqlite:///{root / '.zaitun' / 'state.db'}")


def last_state(root: Path, seg_id: str):
    store = store_of(root)
    try:
        return next(s for s in segment_states(store, SLUG) if s.seg_id == seg_id), store.latest_release(SLUG)
    finally:
        store.close()


def test_a_reviewer_never_approves_text_another_reviewer_saved_after_her_page_loaded(served, browser, tmp_path):
    root, base, ids = served
    expect, last = sync_api.expect, ids[-1]
    alice, bob = reviewer(browser, base, "alice"), reviewer(browser, base, "bob")
    alice.screenshot(path=str(tmp_path / "queue.png"), full_page=True)
    alice.goto(f"{base}/doc/{SLUG}")
    card = alice.locator(f"#s-{last}")
    shown_to_alice = card.locator(".target .text").inner_text()
    assert shown_to_alice.startswith("EN 4:")

    bob.goto(f"{base}/doc/{SLUG}")
    bob.locator(f"#s-{last} summary:has-text('Edit')").click()
    bob.locator(f"#s-{last} textarea[name=target]").fill(BOBS_FIRST)
    bob.locator(f"#s-{last} button:has-text('Save as draft')").click()
    expect(bob.locator(f"#s-{last} .target .text")).to_have_text(BOBS_FIRST, timeout=WAIT_MS)

    card.locator("form.approve button").click()  # alice's page still shows X
    expect(alice.locator(".flash.error")).to_contain_text(f"{last}: not approved", timeout=WAIT_MS)
    expect(alice.locator(f"#s-{last} .target .text")).to_have_text(BOBS_FIRST)  # now she sees Y
    alice.screenshot(path=str(tmp_path / "document-refused.png"), full_page=True)
    seg, release = last_state(root, last)
    assert (seg.state, seg.target, release) == ("draft", BOBS_FIRST, None)

    bob.reload()
    bob.locator(f"#s-{last} summary:has-text('Edit')").click()
    bob.locator(f"#s-{last} textarea[name=target]").fill(BOBS_SECOND)
    bob.locator(f"#s-{last} button:has-text('Save as draft')").click()
    expect(bob.locator(f"#s-{last} .target .text")).to_have_text(BOBS_SECOND, timeout=WAIT_MS)

    alice.keyboard.press("Shift+A")  # approve all unflagged, on a page still showing Y
    expect(alice.locator(".flash.error")).to_contain_text(f"{last}: not approved", timeout=WAIT_MS)
    expect(alice.locator(f"#s-{last} .target .text")).to_have_text(BOBS_SECOND)
    seg, release = last_state(root, last)
    assert (seg.state, release) == ("draft", None)

    alice.locator(f"#s-{last} form.approve button").click()  # the text she now reads
    expect(alice.locator(".flash.ok").last).to_contain_text("released for publishing", timeout=WAIT_MS)
    alice.goto(f"{base}/doc/{SLUG}/preview")
    alice.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    assert alice.problems == [] and bob.problems == []

    seg, release = last_state(root, last)
    assert (seg.state, seg.target, seg.translation["reviewed_by"]) == ("approved", BOBS_SECOND, "alice")
    assert BOBS_SECOND in release["payload"]["body"] and BOBS_FIRST not in release["payload"]["body"]
    store = store_of(root)
    approvals = [(a["actor"], a["after"]) for a in store.audit_log(SLUG)
                 if a["action"] == "approve" and a["seg_id"] == last]
    store.close()
    assert approvals == [("alice", BOBS_SECOND)]  # the only approval of this segment: what she read

    built = zaitun(root, "build")
    assert built.returncode == 0, built.stderr
    published = "".join(p.read_text(encoding="utf-8", errors="replace")
                        for p in (root / "publish").rglob("*") if p.is_file() and p.suffix in (".html", ".xml"))
    assert BOBS_SECOND in published and BOBS_FIRST not in published and shown_to_alice not in published
    for name in ("queue.png", "document-refused.png", "preview.png"):
        assert (tmp_path / name).stat().st_size > 10_000, name
