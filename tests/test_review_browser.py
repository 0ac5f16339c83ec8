"""The review UI in a real headless Chromium: log in, approve, edit, reject, with the keyboard too."""

import os

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from review_support import PASSWORD, SLUG, draft_all, log_in_at, real_user, review_project, serve_app

from zaitun.context import Context
from zaitun.review.web import create_app
from zaitun.state.segments import segment_states

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (`make chromium` installs it)",
                allow_module_level=True)

uvicorn = pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")



@pytest.fixture
def served(tmp_path):
    project, store = review_project(tmp_path)
    ids = draft_all(store, issues_for={3})
    real_user(store, "alice")
    with serve_app(create_app(Context(project, store))) as base:
        yield base, store, ids
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


def login(page, base):
    log_in_at(page, f"{base}/doc/{SLUG}")


def state(store, seg_id):
    return next(s for s in segment_states(store, SLUG) if s.seg_id == seg_id)


def test_reviewer_logs_in_approves_edits_and_rejects(served, page, tmp_path):
    base, store, ids = served
    expect = sync_api.expect
    login(page, base)
    page.locator(f"#s-{ids[0]} form.approve button").click()
    expect(page.locator(f"#s-{ids[0]}")).to_have_class("seg state-approved", timeout=10_000)
    assert state(store, ids[0]).state == "approved"

    card = page.locator(f"#s-{ids[1]}")
    card.locator("summary:has-text('Edit')").click()
    card.locator("textarea[name=target]").fill("Policy overview")
    card.locator("button:has-text('Save and approve')").click()
    expect(page.locator(f"#s-{ids[1]} .target .text")).to_have_text("Policy overview", timeout=10_000)
    assert state(store, ids[1]).state == "approved"

    card = page.locator(f"#s-{ids[2]}")
    card.locator("summary:has-text('Reject')").click()
    card.locator("input[name=comment]").fill("use “foreign national”")
    card.locator("button.danger").click()
    expect(page.locator(f"#s-{ids[2]} .comment")).to_contain_text("use “foreign national”", timeout=10_000)
    assert state(store, ids[2]).state == "rejected"
    page.screenshot(path=str(tmp_path / "document.png"), full_page=True)
    assert (tmp_path / "document.png").stat().st_size > 10_000


def test_keyboard_shortcuts_move_approve_and_edit(served, page):
    base, store, ids = served
    expect = sync_api.expect
    login(page, base)
    expect(page.locator(f"#s-{ids[0]}")).to_have_class("seg state-draft current")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("a")  # approves the focused first segment; the next open one gets the focus
    expect(page.locator(f"#s-{ids[1]}")).to_have_class("seg state-draft current", timeout=10_000)
    assert state(store, ids[0]).state == "approved"
    page.keyboard.press("e")
    editor = page.locator(f"#s-{ids[1]} textarea[name=target]")
    expect(editor).to_be_focused()
    editor.fill("Overview of the policy")
    page.locator(f"#s-{ids[1]} button:has-text('Save as draft')").click()
    expect(page.locator(f"#s-{ids[1]} .target .text")).to_have_text("Overview of the policy", timeout=10_000)
    expect(page.locator(f"#s-{ids[2]}")).to_have_class("seg state-draft current")  # saved: on to the next
    page.keyboard.press("r")
    expect(page.locator(f"#s-{ids[2]} input[name=comment]")).to_be_focused()


def test_a_shortcut_acts_on_the_segment_the_keyboard_focus_was_moved_into_with_tab(served, page):
    """Tab into a later segment's buttons, then `a`: that segment is approved, not the one highlighted before."""
    base, store, ids = served
    expect = sync_api.expect
    login(page, base)
    expect(page.locator(f"#s-{ids[0]}")).to_have_class("seg state-draft current")
    inside = "document.activeElement.closest('li.seg') && document.activeElement.closest('li.seg').dataset.seg"
    for _ in range(100):
        page.keyboard.press("Tab")
        if page.evaluate(inside) == ids[2]:
            break
    assert page.evaluate(inside) == ids[2]
    page.keyboard.press("a")
    page.wait_for_url(f"{base}/doc/{SLUG}#s-*", timeout=10_000)  # approved: the page moves on to the next
    assert [state(store, seg_id).state for seg_id in ids[:3]] == ["draft", "draft", "approved"]


def test_typing_into_an_open_edit_box_of_another_segment_types_there_and_approves_nothing(served, page):
    """A box left open, the reviewer moved on with `j`, then clicked back into it: the click took the focus out
    of the box, so the words typed became shortcuts (`a` approved the draft never edited)."""
    base, store, ids = served
    expect = sync_api.expect
    login(page, base)
    page.locator(f"#s-{ids[0]} summary:has-text('Edit')").click()
    editor = page.locator(f"#s-{ids[0]} textarea[name=target]")
    expect(editor).to_be_visible()
    page.locator(f"#s-{ids[2]} .pos").click()  # on to another segment
    editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" and a bit more")
    expect(editor).to_be_focused()
    expect(editor).to_have_value(f"{state(store, ids[0]).target} and a bit more")
    assert state(store, ids[0]).state == "draft"


def test_an_edit_sent_after_the_session_ended_is_in_its_box_after_login(served, page):
    base, store, ids = served
    expect = sync_api.expect
    login(page, base)
    card = page.locator(f"#s-{ids[1]}")
    card.locator("summary:has-text('Edit')").click()
    card.locator("textarea[name=target]").fill("A long edit, typed with care\nover two lines")
    with store.tx() as conn:  # it timed out, or they logged out in another tab
        store.end_sessions(conn, "expired", user_name="alice")
    card.locator("button:has-text('Save and approve')").click()
    expect(page.locator(".flash.error")).to_contain_text("Not saved: your session had ended")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{base}/doc/{SLUG}")  # was /doc/visa/edit: "405 Method Not Allowed", the text gone
    expect(card).to_have_class("seg state-draft current")
    expect(card.locator("textarea[name=target]")).to_have_value("A long edit, typed with care\nover two lines")
    expect(card.locator(".kept")).to_contain_text("Not saved yet")
    assert state(store, ids[1]).target == f"EN 1: {state(store, ids[1]).source}"
    card.locator("button:has-text('Save and approve')").click()
    expect(card).to_have_class("seg state-approved", timeout=10_000)
    assert state(store, ids[1]).target == "A long edit, typed with care\nover two lines"
    page.reload()
    expect(card.locator(".kept")).to_have_count(0)  # saved: not brought back again


def test_a_refused_edit_keeps_what_was_typed_and_it_can_be_discarded(served, page):
    base, store, ids = served
    expect = sync_api.expect
    login(page, base)
    card = page.locator(f"#s-{ids[2]}")
    card.locator("summary:has-text('Edit')").click()
    card.locator("textarea[name=target]").fill("Foreign nationals may transit visa-free.")
    draft_all(store)  # a new machine draft arrives meanwhile: the save is refused as stale
    card.locator("button:has-text('Save as draft')").click()
    expect(page.locator(".flash.error")).to_contain_text("not saved", timeout=10_000)
    expect(card.locator("textarea[name=target]")).to_have_value("Foreign nationals may transit visa-free.")
    card.locator(".kept button:has-text('Discard it')").click()
    expect(card.locator("textarea[name=target]")).to_have_value(state(store, ids[2]).target)
    page.reload()
    expect(card.locator(".kept")).to_have_count(0)


def test_a_refused_invisible_character_is_marked_beside_the_box_and_can_be_removed(served, page):
    """The refusal names a character the box shows as nothing: the page marks where it is."""
    base, store, ids = served
    expect = sync_api.expect
    login(page, base)
    card = page.locator(f"#s-{ids[2]}")
    card.locator("summary:has-text('Edit')").click()
    card.locator("textarea[name=target]").fill("Foreign\u200b nationals may transit\u00ad visa-free.")
    card.locator("button:has-text('Save and approve')").click()
    expect(page.locator(".flash.error")).to_contain_text("invisible character U+200B", timeout=10_000)
    expect(card.locator(".invisible .marked")).to_have_text(
        "Foreign⟨U+200B⟩ nationals may transit⟨U+00AD⟩ visa-free.")
    card.locator(".invisible button:has-text('Remove them')").click()
    expect(card.locator("textarea[name=target]")).to_have_value("Foreign nationals may transit visa-free.")
    expect(card.locator(".invisible")).to_have_count(0)
    card.locator("button:has-text('Save and approve')").click()
    expect(card).to_have_class("seg state-approved", timeout=10_000)
    assert state(store, ids[2]).target == "Foreign nationals may transit visa-free."


def test_pages_fit_a_phone_screen_and_the_focused_segment_is_in_view(served, page):
    base, store, ids = served
    page.set_viewport_size({"width": 360, "height": 640})
    login(page, base)
    for path in (f"/doc/{SLUG}", "/", f"/doc/{SLUG}/preview"):
        page.goto(base + path)
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"{path} scrolls sideways on a phone: {width}"
    page.goto(f"{base}/doc/{SLUG}")
    for _ in range(3):
        page.keyboard.press("j")
    box = page.locator(f"#s-{ids[3]}.current").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640


def test_shift_a_with_every_draft_flagged_says_there_is_nothing_to_approve_at_once(tmp_path, page):
    project, store = review_project(tmp_path)
    ids = draft_all(store, issues_for=set(range(20)))  # every draft flagged: nothing to approve all at once
    real_user(store, "alice")
    asked, posted = [], []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    with serve_app(create_app(Context(project, store))) as base:
        login(page, base)
        posted.clear()
        page.keyboard.press("Shift+A")
        sync_api.expect(page.locator("#approve-unflagged-note")).to_have_text(
            "No unflagged draft to approve all at once: read each draft left (j/k to move, e to edit, a to approve).")
        assert asked == [] and posted == []
        page.keyboard.press("a")  # the keys go on working: the focused draft is approved
        sync_api.expect(page.locator(f"#s-{ids[0]}")).to_have_class("seg state-approved", timeout=10_000)
    assert state(store, ids[0]).state == "approved"
    store.close()
