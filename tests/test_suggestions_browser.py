"""Taking a memory suggestion in a real headless Chromium: the `u` key and the Use button fill the editor."""


import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from review_support import PASSWORD, log_in_at, real_user, serve_app
from suggest_support import STAY, TRANSIT, seg_id, suggest_project

from zaitun.context import Context
from zaitun.review.web import create_app
from zaitun.state.segments import segment_states

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
uvicorn = pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def served(tmp_path):
    project, store = suggest_project(tmp_path)
    real_user(store, "alice")
    with serve_app(create_app(Context(project, store))) as base:
        yield base, store
    store.close()


@pytest.fixture
def page():
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        problems = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        yield page
        browser.close()
        assert problems == []  # no script errors, no Content-Security-Policy violations


def target_of(store, seg):
    return next(s for s in segment_states(store, "visa") if s.seg_id == seg)


def test_reviewer_takes_a_suggestion_with_the_u_key_edits_it_and_approves(served, page):
    base, store = served
    expect = sync_api.expect
    transit = seg_id(store, TRANSIT)
    log_in_at(page, f"{base}/doc/visa")
    card = page.locator(f"#s-{transit}")
    card.locator(".seg-meta .pos").click()  # the reviewer picks the segment
    expect(card).to_have_class("seg state-draft flagged current")
    expect(card.locator("li.suggestion .similarity")).to_have_text("95%")
    expect(card.locator("li.suggestion del")).to_have_text("证")
    page.keyboard.press("u")
    editor = card.locator("textarea[name=target]")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Foreign nationals may transit without a visa <b>now</b>.")
    editor.fill("Foreign nationals may transit without a visa.")
    card.locator("button:has-text('Save and approve')").click()
    expect(page.locator(f"#s-{transit} .target .text")).to_have_text("Foreign nationals may transit without a visa.",
                                                                      timeout=10_000)
    assert target_of(store, transit).state == "approved"


def test_use_button_puts_the_repaired_english_into_the_editor(served, page):
    base, store = served
    expect = sync_api.expect
    stay = seg_id(store, STAY)
    page.goto(f"{base}/doc/visa")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    card = page.locator(f"#s-{stay}")
    expect(card.locator("ul.issues li.repaired")).to_contain_text("repaired from a 82% match")
    card.locator("li.suggestion button.use").click()
    expect(card.locator("textarea[name=target]")).to_have_value("The stay may last 240 hours.")
    card.locator("button:has-text('Save as draft')").click()
    expect(page.locator(f"#s-{stay} .target .text")).to_have_text("The stay may last 240 hours.", timeout=10_000)
    assert target_of(store, stay).translation["origin"] == "human"


def test_suggestions_repairs_and_concordance_have_no_wcag_21_aa_violation(served):
    axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")
    base, _store = served
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(bypass_csp=True, viewport={"width": 1300, "height": 900}).new_page()
        log_in_at(page, f"{base}/doc/visa")
        screens = {}
        for name, path in (("document with suggestions and repairs", "/doc/visa"),
                           ("concordance with results", "/concordance?q=过境免签"),
                           ("concordance without results", "/concordance?q=不在记忆里")):
            page.goto(base + path)
            found = axe_api.Axe().run(page, options=WCAG_21_AA).response["violations"]
            screens[name] = [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in found]
        browser.close()
    assert screens == {name: [] for name in screens}
