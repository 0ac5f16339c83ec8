"""What a reviewer is told before and after rejecting English: every document the rejection reaches through
translation memory, named before they confirm (web UI and `zaitun review reject` at a terminal), and the truth
about a document dated later, whose English is approved but not online yet.

transit's sentence, approved by rita, was approved from memory in ferry (published) and in copies of it; a
rejection in transit brings those back to review and takes ferry's English offline (test_memory_reject.py).
"""

from __future__ import annotations

import datetime as dt
import os
import pty
import subprocess
import sys

from review_support import Client, login, page_form, real_user
from test_memory_reject import COMMENT, FROM_MEMORY, segment_of, three_guides
from test_retract import BODY, FRONT, SLUG, english, published_project, wrong_segment, zaitun

from zaitun import pipeline
from zaitun.context import Context
from zaitun.review import actions, gate
from zaitun.review.gate import shown
from zaitun.review.users import issue_token
from zaitun.review.web import create_app
from zaitun.state.segments import segment_states
from zaitun.translate.glossary import load_glossary

CONFIRM_HEADING = "This English reaches beyond this segment"


def asked_to_confirm(client: Client, store, slug: str = SLUG) -> tuple[str, dict]:
    """The page a reviewer sees after filling in the reject form of transit's wrong segment and sending it, and
    the form it holds to confirm."""
    seg = wrong_segment(store)
    form = page_form(client.get(f"/doc/{slug}").text, f"/doc/{slug}/reject", seg.seg_id)
    page = client.post(f"/doc/{slug}/reject", data=form | {"comment": COMMENT})
    assert page.status_code == 200, page.status_code
    return page.text, page_form(page.text, f"/doc/{slug}/reject")


def reviewing(fx) -> Client:
    real_user(fx.store, "alice")
    client = Client(create_app(Context(fx.project, fx.store)))
    login(client)
    return client


def test_the_web_ui_names_the_documents_a_rejection_recalls_before_the_reviewer_confirms(tmp_path):
    fx = three_guides(tmp_path / "proj")
    seg = wrong_segment(fx.store)
    with reviewing(fx) as client:
        page, confirm = asked_to_confirm(client, fx.store)
        assert CONFIRM_HEADING in page
        assert (f"1 other document took this English from translation memory and comes back to review: "
                f"{FROM_MEMORY}") in page
        assert f"the English page of {FROM_MEMORY} goes offline at the next build until it is approved" in page
        assert "This English is published." in page  # transit's own page too
        assert "Reject and bring 1 other document back to review" in page
        # nothing happened yet: both pages are online, ferry's segment still approved
        assert wrong_segment(fx.store).state == "approved"
        assert segment_of(fx.store, FROM_MEMORY, seg.source).state == "approved"
        assert set(fx.store.release_heads("en")) >= {SLUG, FROM_MEMORY}

        assert confirm["confirmed"] == "1" and confirm["version"] == seg.version
        client.post(f"/doc/{SLUG}/reject", data=confirm | {"comment": COMMENT})
        told = client.get(f"/doc/{SLUG}").text
    assert f"back in review: {FROM_MEMORY} segment 4" in told
    assert segment_of(fx.store, FROM_MEMORY, seg.source).state == "draft"
    assert FROM_MEMORY not in fx.store.release_heads("en")


def test_a_rejection_reaching_nobody_else_is_not_asked_again(tmp_path):
    fx = published_project(tmp_path / "proj")
    seg = wrong_segment(fx.store)
    with reviewing(fx) as client:
        form = page_form(client.get(f"/doc/{SLUG}").text, f"/doc/{SLUG}/reject", seg.seg_id)
        sent = client.post(f"/doc/{SLUG}/reject", data=form | {"comment": COMMENT})
    assert sent.status_code == 303 and CONFIRM_HEADING not in sent.text
    assert fx.store.retractions() == {SLUG: f"alice rejected segment 4: {COMMENT}"}


def copies(tmp_path, n: int):
    fx = published_project(tmp_path / "proj")
    others = [f"copy-{i}" for i in range(n)]
    for slug in others:
        fx.write("guides", slug, FRONT.format(date=fx.project.today().isoformat()), BODY)
    fx.ingest()
    pipeline.translate(fx.project, fx.store, slugs=others, announce=False)  # the sentence approved from memory
    for slug in others:
        rita_approves_the_rest(fx, slug)
    return fx, others


def rita_approves_the_rest(fx, slug: str) -> None:
    """rita approves the drafts memory did not approve, so the document is released."""
    drafts = shown([s for s in segment_states(fx.store, slug) if s.state == "draft"])
    assert gate.approve(fx.store, slug, drafts, "rita", glossary=load_glossary(fx.project.glossary_dir)).completed


def test_the_confirmation_names_a_few_documents_and_counts_the_rest(tmp_path):
    fx, _ = copies(tmp_path, 7)
    with reviewing(fx) as client:
        page, _ = asked_to_confirm(client, fx.store)
    assert ("7 other documents took this English from translation memory and come back to review: copy-0, copy-1, "
            "copy-2, copy-3, copy-4 and 2 more") in page
    assert "Reject and bring 7 other documents back to review" in page


def test_what_the_reviewer_is_told_before_is_what_the_rejection_then_does(tmp_path):
    fx, others = copies(tmp_path, 3)
    later = (fx.project.today() + dt.timedelta(days=20)).isoformat()
    fx.write("guides", "ferry", FRONT.format(date=later), BODY)  # dated later: approved, not online yet
    fx.ingest()
    pipeline.translate(fx.project, fx.store, slugs=["ferry"], announce=False)
    rita_approves_the_rest(fx, "ferry")
    assert fx.build(today=fx.project.today()).scheduled == ["ferry"]
    seg = wrong_segment(fx.store)
    before = gate.reach(fx.store, SLUG, seg.seg_id, seen=seg.version)
    told_before = actions.reach_notes(fx.project, fx.store, SLUG, before)
    after = actions.reject(fx.store, SLUG, seg.seg_id, "vera", COMMENT, seen=seg.version)
    assert before == after
    assert set(after.documents) == {*others, "ferry"} and set(after.offline_elsewhere) == {*others, "ferry"}
    assert told_before[-2:] == [
        "the English page of copy-0, copy-1, copy-2 goes offline at the next build until it is approved",
        "the English of ferry, dated later, does not go online on its date until it is approved"]
    note = actions.rejected_note(fx.project, fx.store, SLUG, after)
    assert "the English of ferry, dated later, does not go online on its date until it is approved" in note
    assert "the English page of copy-0, copy-1, copy-2 goes offline" in note


def dated_later(tmp_path):
    """transit dated twenty days from the project's today, translated and approved by rita: released, not online."""
    fx = published_project(tmp_path / "proj")
    later = fx.project.today() + dt.timedelta(days=20)
    fx.write("guides", SLUG, FRONT.format(date=later.isoformat()), BODY)
    fx.ingest()
    fx.translate_and_approve(SLUG, english)
    assert fx.build(today=fx.project.today()).scheduled == [SLUG]  # the build keeps it off the site
    assert SLUG in fx.store.release_heads("en")
    return fx, later.isoformat()


def test_rejecting_english_of_a_document_dated_later_says_it_will_not_go_online_on_its_date(tmp_path):
    fx, later = dated_later(tmp_path)
    seg = wrong_segment(fx.store)
    with reviewing(fx) as client:
        page = client.get(f"/doc/{SLUG}").text
        card = page.split(f'data-seg="{seg.seg_id}"', 1)[1].split('data-seg="', 1)[0]
        assert f"This English is approved for a document dated {later}, not online yet." in card
        assert "This English is published" not in card and "take the English page offline" not in card
        form = page_form(page, f"/doc/{SLUG}/reject", seg.seg_id)
        client.post(f"/doc/{SLUG}/reject", data=form | {"comment": COMMENT})
        told = client.get(f"/doc/{SLUG}").text
    assert (f"approved English of a document dated {later}, not online yet, so its English does not go online on "
            "that date until a corrected translation is approved") in told
    assert "published document" not in told and "goes offline" not in told


def test_the_command_line_tells_the_truth_about_a_document_dated_later(tmp_path):
    fx, later = dated_later(tmp_path)
    seg = wrong_segment(fx.store)
    said = zaitun(fx.project.root, "review", "reject", SLUG, f"{seg.seg_id}@{seg.version}", "--comment", COMMENT,
                  token=issue_token(fx.store, "vera", actor="test setup")).stdout
    assert f"document dated {later}, not online yet, so its English does not go online on that date" in said
    assert "published document" not in said


def test_zaitun_status_does_not_call_english_rejected_before_its_date_taken_offline(tmp_path):
    fx, later = dated_later(tmp_path)
    seg = wrong_segment(fx.store)
    zaitun(fx.project.root, "review", "reject", SLUG, f"{seg.seg_id}@{seg.version}", "--comment", COMMENT,
           token=issue_token(fx.store, "vera", actor="test setup"))
    said = zaitun(fx.project.root, "status").stdout
    line = next(line for line in said.splitlines() if line.startswith(SLUG))
    assert "in review" in line and f"[dated {later}: online from then]" in line, said
    assert "English rejected before its date: vera rejected segment " in said
    assert f"{COMMENT}; it goes online on {later} only once a corrected translation is approved" in said
    assert "english offline" not in said and "taken offline" not in said


def reject_at_a_terminal(fx, answer: bytes, *extra: str) -> subprocess.CompletedProcess:
    """`zaitun review reject` of transit's wrong segment with its input a terminal, answering `answer`."""
    seg = wrong_segment(fx.store)
    token = issue_token(fx.store, "vera", actor="test setup")
    main, terminal = pty.openpty()
    try:
        os.write(main, answer)
        return subprocess.run([sys.executable, "-m", "zaitun", "--project", str(fx.project.root), "review", "reject",
                               SLUG, f"{seg.seg_id}@{seg.version}", "--comment", COMMENT, *extra],
                              stdin=terminal, capture_output=True, text=True, timeout=300,
                              env=os.environ | {"ZAITUN_TOKEN": token})
    finally:
        os.close(terminal)
        os.close(main)


def test_at_a_terminal_review_reject_names_the_documents_it_reaches_and_asks_first(tmp_path):
    fx = three_guides(tmp_path / "proj")
    source = wrong_segment(fx.store).source
    declined = reject_at_a_terminal(fx, b"n\n")
    assert declined.returncode == 1, declined.stdout + declined.stderr
    assert (f"1 other document took this English from translation memory and comes back to review: {FROM_MEMORY}"
            in declined.stderr)
    assert f"the English page of {FROM_MEMORY} goes offline at the next build until it is approved" in declined.stderr
    assert "nothing rejected" in declined.stderr
    assert wrong_segment(fx.store).state == "approved"  # nothing happened

    accepted = reject_at_a_terminal(fx, b"y\n")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert f"back in review: {FROM_MEMORY} segment 4" in accepted.stdout
    assert segment_of(fx.store, FROM_MEMORY, source).state == "draft"


def test_a_reviewer_in_a_browser_confirms_a_rejection_that_recalls_other_documents_after_reading_their_names(
        tmp_path):
    from review_support import reviewer_browser

    fx = three_guides(tmp_path / "proj")
    seg = wrong_segment(fx.store)
    with reviewer_browser(fx.project, fx.store, f"/doc/{SLUG}") as (page, sync_api):
        card = page.locator(f"#s-{seg.seg_id}")
        card.locator("summary:has-text('Reject')").click()
        card.locator("input[name=comment]").fill(COMMENT)
        card.locator("button:has-text('Reject and take the English page offline')").click()
        reach = page.locator("section.reach")
        sync_api.expect(reach).to_contain_text(
            f"1 other document took this English from translation memory and comes back to review: {FROM_MEMORY}")
        sync_api.expect(reach).to_contain_text(
            f"the English page of {FROM_MEMORY} goes offline at the next build until it is approved")
        assert wrong_segment(fx.store).state == "approved"  # asked, not yet rejected
        page.locator("button:has-text('Reject and bring 1 other document back to review')").click()
        sync_api.expect(page.locator(".flash.ok")).to_contain_text(f"back in review: {FROM_MEMORY} segment 4",
                                                                   timeout=10_000)
    assert segment_of(fx.store, FROM_MEMORY, seg.source).state == "draft"
