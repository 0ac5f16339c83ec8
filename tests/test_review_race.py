"""Two reviewers at once: an approval only ever approves the text the reviewer was shown."""

import re

import pytest
from review_support import PASSWORD, SLUG, Client, draft_all, page_form, quick_user, real_user, review_project, terms

from zaitun.context import Context
from zaitun.errors import ReviewError
from zaitun.review import gate
from zaitun.review.web import create_app
from zaitun.state.segments import segment_states

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def two_reviewers(tmp_path):
    project, store = review_project(tmp_path)
    ids = draft_all(store, issues_for={3})
    real_user(store, "alice")
    real_user(store, "bob")
    app = create_app(Context(project, store))
    with Client(app) as alice, Client(app) as bob:
        for client, name in ((alice, "alice"), (bob, "bob")):
            token = CSRF_RE.search(client.get("/login").text).group(1)
            client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token, "next": "/"})
        yield alice, bob, store, ids
    store.close()


def state_of(store, seg_id):
    return next(s for s in segment_states(store, SLUG) if s.seg_id == seg_id)


def save_draft(client, seg_id: str, text: str) -> None:
    fields = page_form(client.get(f"/doc/{SLUG}").text, f"/doc/{SLUG}/edit", seg_id)
    client.post(f"/doc/{SLUG}/edit", data=fields | {"target": text, "approve": "0"})


def test_approving_a_page_whose_draft_another_reviewer_replaced_approves_nothing(two_reviewers):
    alice, bob, store, ids = two_reviewers
    seen = alice.get(f"/doc/{SLUG}").text  # alice sees draft X
    save_draft(bob, ids[1], "Text alice never saw")  # bob saves draft Y
    response = alice.post(f"/doc/{SLUG}/approve", data=page_form(seen, f"/doc/{SLUG}/approve", ids[1]))
    assert response.status_code == 303
    seg = state_of(store, ids[1])
    assert seg.state == "draft" and seg.target == "Text alice never saw"
    assert not [a for a in store.audit_log(SLUG) if a["action"] == "approve"]
    page = alice.get(f"/doc/{SLUG}").text
    assert f"{ids[1]}: not approved" in page and "Text alice never saw" in page  # the newer text, named


def test_approve_all_unflagged_approves_exactly_the_drafts_on_the_page(two_reviewers):
    alice, bob, store, ids = two_reviewers
    seen = alice.get(f"/doc/{SLUG}").text
    save_draft(bob, ids[2], "Replaced while alice looked")
    save_draft(bob, ids[3], "Fixed 240")
    alice.post(f"/doc/{SLUG}/approve-unflagged", data=page_form(seen, f"/doc/{SLUG}/approve-unflagged"))
    states = {s.seg_id: s for s in segment_states(store, SLUG)}
    assert [i for i in ids if states[i].state == "approved"] == [ids[0], ids[1], ids[4]]
    assert states[ids[2]].target == "Replaced while alice looked" and states[ids[2]].state == "draft"
    assert states[ids[3]].state == "draft"  # unflagged now, but flagged on alice's page: not shown as unflagged
    assert f"{ids[2]}: not approved" in alice.get(f"/doc/{SLUG}").text


def test_the_gate_refuses_an_approval_of_anything_but_the_current_draft(tmp_path, database_url):
    project, store = review_project(tmp_path / "proj", database_url=database_url)
    ids = draft_all(store)
    real_user(store, "alice")
    real_user(store, "bob")
    shown = segment_states(store, SLUG)
    gate.edit(store, SLUG, ids[0], "Newer text", "bob", glossary=terms(project))
    gate.reject(store, SLUG, ids[1], "bob", "say foreign national", seen=gate.shown(shown)[ids[1]])
    result = gate.approve(store, SLUG, gate.shown(shown, ids[:2]), "alice", glossary=terms(project))
    assert result.approved == [] and set(result.refused) == set(ids[:2])
    assert "Newer text" in result.refused[ids[0]] and "saved by bob" in result.refused[ids[0]]
    assert "rejected by bob: say foreign national" in result.refused[ids[1]]
    assert [state_of(store, i).state for i in ids[:2]] == ["draft", "rejected"]
    assert [a["action"] for a in store.audit_log(SLUG) if a["actor"] == "alice"] == ["approve-refused"] * 2
    current = state_of(store, ids[0])
    assert gate.approve(store, SLUG, {ids[0]: current.version}, "alice", glossary=terms(project)).approved == [ids[0]]
    approval = next(a for a in store.audit_log(SLUG) if a["action"] == "approve")
    assert approval["after"] == "Newer text" and current.version in approval["note"]
    store.close()


def test_the_gate_refuses_a_rejection_of_anything_but_the_version_read(tmp_path, database_url):
    project, store = review_project(tmp_path / "proj", database_url=database_url)
    ids = draft_all(store)
    quick_user(store, "alice")
    quick_user(store, "bob")
    shown = gate.shown(segment_states(store, SLUG))
    gate.edit(store, SLUG, ids[0], "Newer text", "bob", glossary=terms(project))
    with pytest.raises(ReviewError, match=f"{ids[0]}: not rejected: this is not the text you were shown") as refused:
        gate.reject(store, SLUG, ids[0], "alice", "too literal", seen=shown[ids[0]])
    assert "Newer text" in str(refused.value) and "saved by bob" in str(refused.value)
    seg = state_of(store, ids[0])
    assert (seg.state, seg.target, seg.translation["comment"]) == ("draft", "Newer text", None)
    assert [(a["action"], a["note"]) for a in store.audit_log(SLUG) if a["actor"] == "alice"] == [
        ("reject-refused", str(refused.value).removeprefix(f"{ids[0]}: "))]
    gate.reject(store, SLUG, ids[0], "alice", "too literal", seen=seg.version)  # read now: rejected
    assert state_of(store, ids[0]).translation["comment"] == "too literal"
    store.close()


def reject_draft(client, seg_id: str, comment: str) -> None:
    fields = page_form(client.get(f"/doc/{SLUG}").text, f"/doc/{SLUG}/reject", seg_id)
    client.post(f"/doc/{SLUG}/reject", data=fields | {"comment": comment})


@pytest.mark.parametrize("change", ["a newer draft", "a rejection"])
def test_rejecting_from_a_page_whose_draft_another_reviewer_changed_rejects_nothing(two_reviewers, change):
    alice, bob, store, ids = two_reviewers
    seen = alice.get(f"/doc/{SLUG}").text  # alice reads draft X
    if change == "a newer draft":
        save_draft(bob, ids[1], "Text alice never saw")  # bob saves draft Y
    else:
        reject_draft(bob, ids[1], "say foreign national")
    before = state_of(store, ids[1])
    response = alice.post(f"/doc/{SLUG}/reject", data=page_form(seen, f"/doc/{SLUG}/reject", ids[1])
                          | {"comment": "too literal"})
    assert response.status_code == 303
    seg = state_of(store, ids[1])
    assert (seg.state, seg.target, seg.translation["comment"]) == (before.state, before.target,
                                                                   before.translation["comment"])
    assert [a["action"] for a in store.audit_log(SLUG) if a["actor"] == "alice"] == ["reject-refused"]
    page = alice.get(f"/doc/{SLUG}").text
    assert f"{ids[1]}: not rejected: this is not the text you were shown" in page
    assert ("Text alice never saw" if change == "a newer draft" else "rejected by bob: say foreign national") in page
    reject_draft(alice, ids[1], "too literal")  # read now: her rejection stands
    assert state_of(store, ids[1]).translation["comment"] == "too literal"


COOKIE_LIMIT = 4096  # bytes of one cookie a browser keeps (RFC 6265 §6.1); Chromium drops a longer one whole


@pytest.mark.parametrize("change", ["a long draft", "a long comment in Chinese"])
def test_a_refusal_about_a_long_text_still_reaches_the_reviewer(two_reviewers, change):
    """The refusal rides to the next page in the session cookie: it must stay a cookie a browser keeps."""
    alice, bob, _store, ids = two_reviewers
    seen = alice.get(f"/doc/{SLUG}").text
    if change == "a long draft":
        save_draft(bob, ids[1], "Visa-free transit for foreign nationals. " * 90)  # 3,690 characters
    else:
        reject_draft(bob, ids[1], "请把这一句改为正式用语。" * 100)  # JSON escapes each of these to 6 bytes
    response = alice.post(f"/doc/{SLUG}/approve", data=page_form(seen, f"/doc/{SLUG}/approve", ids[1]))
    assert response.status_code == 303 and len(response.headers["set-cookie"]) < COOKIE_LIMIT
    page = alice.get(response.headers["location"]).text
    assert f"{ids[1]}: not approved: this is not the text you were shown" in page
    assert "…" in page and "Read it and try again" in page


def test_a_made_up_segment_id_is_never_echoed_whole(two_reviewers):
    alice, _bob, store, ids = two_reviewers
    page = alice.get(f"/doc/{SLUG}").text
    made_up = "x" * 20_000
    shown = page_form(page, f"/doc/{SLUG}/approve-unflagged")
    response = alice.post(f"/doc/{SLUG}/approve-unflagged", data=shown | {"shown": f"{made_up}@v {shown['shown']}"})
    assert len(response.headers["set-cookie"]) < COOKIE_LIMIT
    assert "has no segment" in alice.get(response.headers["location"]).text
    assert state_of(store, ids[0]).state == "approved"  # the real ones on the page still are
    fields = page_form(alice.get(f"/doc/{SLUG}").text, f"/doc/{SLUG}/reject", ids[3])
    response = alice.post(f"/doc/{SLUG}/reject", data=fields | {"seg_id": made_up, "comment": "no"})
    assert response.headers["location"] == f"/doc/{SLUG}" and len(response.headers["set-cookie"]) < COOKIE_LIMIT
    assert "has no segment" in alice.get(response.headers["location"]).text


@pytest.mark.parametrize("action", ["edit", "save-and-approve", "approve", "reject"])
def test_a_form_without_the_version_its_reviewer_saw_changes_nothing(two_reviewers, action):
    """Without a version the gate cannot tell a stale page from a fresh one: the form is refused."""
    alice, bob, store, ids = two_reviewers
    page = alice.get(f"/doc/{SLUG}").text
    save_draft(bob, ids[1], "Bob's careful draft")
    path = f"/doc/{SLUG}/{action}" if action in ("approve", "reject") else f"/doc/{SLUG}/edit"
    typed = {"target": "Alice's older idea", "approve": "0" if action == "edit" else "1", "comment": "too literal"}
    fields = page_form(page, path, ids[1]) | typed
    del fields["version"]
    response = alice.post(path, data=fields)
    assert response.status_code == 400 and "version" in response.text
    seg = state_of(store, ids[1])
    assert seg.state == "draft" and seg.target == "Bob's careful draft"
