"""WCAG 2.1 AA in a real Chromium: axe-core on every page type of the site and every review screen,
a keyboard-only pass through both, and the print view of a policy document."""

from __future__ import annotations

import functools
import os
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from publish_helpers import standard_project
from review_support import PASSWORD, SLUG, draft_all, real_user, review_project, serve_app

from zaitun.context import Context
from zaitun.review.web import create_app
from zaitun.state.segments import segment_states

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (`make chromium` installs it)",
                allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

SITE_PAGES = {  # one of each page type, in both languages
    "language chooser": "index.html", "404": "404.html",
    **{f"{kind} ({lang})": f"{lang}/{path}" for lang in ("zh", "en") for kind, path in {
        "home": "index.html", "section": "guides/index.html", "document": "guides/transit/index.html",
        "policy document with its facts": "policies/notice-2023-1/index.html",
        "programme": "programmes/240-hour-transit/index.html", "tag": "tags/visa-free/index.html",
        "every tag": "tags/index.html", "every programme": "programmes/index.html",
        "search with results": "search/index.html?q=泉州"}.items()},
}


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # axe is injected by script: the site's and the review UI's CSP would (rightly) refuse it
    context = browser.new_context(bypass_csp=True, viewport={"width": 1300, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    fx = standard_project(tmp_path_factory.mktemp("a11y") / "proj")
    fx.build()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(fx.out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def review(tmp_path):
    project, store = review_project(tmp_path)
    ids = draft_all(store, issues_for={3})
    real_user(store, "alice")
    real_user(store, "eve", role="editor")
    with serve_app(create_app(Context(project, store))) as base:
        yield base, store, ids
    store.close()


def violations(page) -> list[str]:
    """axe-core's WCAG 2.1 AA violations on the page as loaded, one line each."""
    found = axe_api.Axe().run(page, options=WCAG_21_AA).response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in found]


@pytest.mark.parametrize("kind", sorted(SITE_PAGES))
def test_every_site_page_type_has_no_wcag_21_aa_violation(site, page, kind):
    assert page.goto(f"{site}/{SITE_PAGES[kind]}").status == 200
    if "search" in kind:  # audit the page as a reader sees it: with the search box and its results
        page.wait_for_selector(".pagefind-ui__result-link", timeout=30_000)
    assert violations(page) == []


def test_every_review_screen_has_no_wcag_21_aa_violation(review, page):
    base, _store, ids = review
    screens = {}
    page.goto(f"{base}/login")
    screens["login"] = violations(page)
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", "wrong password")
    page.click("button:has-text('Log in')")
    screens["login refused"] = violations(page)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{base}/")
    screens["queue"] = violations(page)
    page.goto(f"{base}/doc/{SLUG}")
    screens["document"] = violations(page)
    page.locator(f"#s-{ids[0]} details.edit summary").click()
    screens["document, editing a segment"] = violations(page)
    page.goto(f"{base}/doc/{SLUG}/preview")
    screens["preview"] = violations(page)
    page.goto(f"{base}/doc/no-such-document")
    screens["not found"] = violations(page)
    page.goto(f"{base}/password")
    screens["change password"] = violations(page)
    page.click("button:has-text('Log out')")
    page.fill("input[name=name]", "eve")  # staff: add content and withdraw
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{base}/")
    screens["queue (editor)"] = violations(page)
    page.goto(f"{base}/add")
    screens["add content"] = violations(page)
    notice = Path(__file__).parent / "fixtures" / "seed-notice.txt"
    page.set_input_files("#files", [str(notice)])
    page.click("button:has-text('Show what zaitun reads')")
    page.wait_for_selector("text=Check and save")
    screens["check and save"] = violations(page)
    page.goto(f"{base}/withdraw/guides/{SLUG}")
    screens["withdraw"] = violations(page)
    assert screens == {name: [] for name in screens}


def test_site_keyboard_only_skip_link_then_navigation(site, page):
    page.goto(f"{site}/en/guides/transit/index.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/en/guides/transit/index.html#main")  # the jump is made after the key's event
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")  # the next stop is inside the main content, not back in the header
    assert page.evaluate("!!document.activeElement.closest('main')")
    visited = set()
    page.goto(f"{site}/en/index.html")
    for _ in range(40):
        page.keyboard.press("Tab")
        visited.add(page.evaluate("document.activeElement.getAttribute('href')"))
    assert any(href and "guides" in href for href in visited)  # the sections are reachable by keyboard


CONTRAST = """el => {
  const rgb = c => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92
      : Math.pow((v + 0.055) / 1.055, 2.4); }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let behind = el.parentElement, bg = "rgba(0, 0, 0, 0)";
  while (behind && (bg = getComputedStyle(behind).backgroundColor) === "rgba(0, 0, 0, 0)") {
    behind = behind.parentElement;
  }
  const [a, b] = [lum(rgb(getComputedStyle(el).outlineColor)), lum(rgb(bg))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_the_keyboard_focus_outline_stands_out_3_to_1_on_every_background_of_a_page(site, page):
    """WCAG 2.1 SC 1.4.11: an amber outline on the light page was 1.9:1, lost by keyboard users."""
    page.goto(f"{site}/en/index.html")
    seen, header_outlines, skip = {"header": 0, "main": 0}, set(), None
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        if page.evaluate("el => el.className", focused) == "skip":  # shown over the header, drawn as its links
            skip = page.evaluate("el => getComputedStyle(el).outlineColor", focused)
            continue
        where = "header" if page.evaluate("el => !!el.closest('header')", focused) else "main"
        seen[where] += 1
        if where == "header":
            header_outlines.add(page.evaluate("el => getComputedStyle(el).outlineColor", focused))
        assert page.evaluate(CONTRAST, focused) >= 3, page.evaluate("el => el.outerHTML", focused)
    assert seen["header"] and seen["main"] > 5
    assert skip in header_outlines and len(header_outlines) == 1


def test_review_keyboard_only_login_and_approve(review, page):
    base, store, ids = review
    page.goto(f"{base}/login")
    # focused on arrival (Chromium applies autofocus at its next rendering, which may come after the load event)
    page.wait_for_function("document.activeElement && document.activeElement.name === 'name'", timeout=5000)
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/doc/{SLUG}")
    page.keyboard.press("j")
    page.keyboard.press("a")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        states = {s.seg_id: s.state for s in segment_states(store, SLUG)}
        if "approved" in states.values():
            break
        time.sleep(0.1)
    assert "approved" in states.values()


def test_policy_document_prints_its_number_issuer_and_validity_without_navigation(site, page):
    page.goto(f"{site}/en/policies/notice-2023-1/index.html")
    page.emulate_media(media="print")
    shown = page.evaluate("""() => [...document.querySelectorAll('dl.facts dt')]
        .filter(dt => getComputedStyle(dt.parentElement).display !== 'none').map(dt => dt.textContent)""")
    assert {"Document number", "Issued by", "Valid until"} <= set(shown)
    assert page.evaluate("getComputedStyle(document.querySelector('header.site nav')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('.facts .badge')).color") == "rgb(0, 0, 0)"
