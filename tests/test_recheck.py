"""Drafts made before a glossary change are checked again under the new glossary."""

from __future__ import annotations

import pytest
from libre_server import LibreServer
from review_support import read, read_unflagged, terms
from translate_support import STAY, TERM, libre_settings, make_project, open_ingested

from zaitun import pipeline
from zaitun.review import actions, gate
from zaitun.state.segments import segment_states
from zaitun.state.store import Store
from zaitun.translate.engines import make_engine
from zaitun.translate.glossary import load_glossary
from zaitun.translate.pipeline import recheck_drafts

FORBID_MAY_STAY = "停留,stay,may stay,a rendering the style guide forbids\n"


@pytest.fixture
def drafted(tmp_path):
    """A project whose four segments were drafted by the test engine under the first glossary, and a
    `translate()` that runs the next pass against the same engine."""
    with LibreServer() as server:
        project = make_project(tmp_path, libre_settings(server.url))
        store = open_ingested(project)

        def translate():
            return pipeline.translate(project, store, engine=make_engine(project.config, backoff=0.01))

        translate()
        with store.tx() as conn:
            store.add_user(conn, "rita", "reviewer", "x")
        yield project, store, translate


def states(store: Store) -> dict:
    return {s.source: s for s in segment_states(store, "notice")}


def add_terms(project, lines: str) -> None:
    path = project.glossary_dir / "terms.csv"
    path.write_text(path.read_text(encoding="utf-8") + lines, encoding="utf-8")


def test_a_rendering_forbidden_after_drafting_flags_the_draft_on_the_next_pass(drafted):
    project, store, translate = drafted
    before = states(store)[STAY]
    assert before.issues == []
    add_terms(project, FORBID_MAY_STAY)
    report = translate()
    after = states(store)[STAY]
    assert after.target == before.target and after.translation["id"] == before.translation["id"]
    assert [i["check"] for i in after.issues] == ["forbidden"] and "may stay" in after.issues[0]["message"]
    assert after.translation["glossary_version"] == load_glossary(project.glossary_dir).version
    assert report.summary()["rechecked"] == 1 and report.summary()["drafted"] == 0
    log = [e for e in store.audit_log("notice") if e["action"] == "recheck"]
    assert [e["seg_id"] for e in log] == [after.seg_id] and "forbidden" in log[0]["after"]


def test_a_new_flag_stops_approve_all_from_approving_that_draft(drafted):
    project, store, translate = drafted
    add_terms(project, FORBID_MAY_STAY)
    translate()
    result = gate.approve_unflagged(store, "notice", read_unflagged(store, slug="notice"), "rita",
                                    glossary=terms(project))
    assert states(store)[STAY].seg_id not in result.approved
    assert states(store)[STAY].state == "draft" and states(store)[TERM].state == "approved"


def test_a_rendering_forbidden_after_drafting_is_not_approved_before_any_pass_flags_it(drafted):
    project, store, _ = drafted
    add_terms(project, FORBID_MAY_STAY)  # the draft's stored QA issues still say nothing
    stay = states(store)[STAY]
    assert stay.issues == [] and stay.unflagged_draft
    result = actions.approve(project, store, "notice", read(store, [stay.seg_id], slug="notice"), "rita")
    assert result.approved == [] and '"may stay" is a forbidden rendering of 停留; write "stay"' in \
        result.refused[stay.seg_id]
    everything = actions.approve_unflagged(project, store, "notice", read_unflagged(store, slug="notice"), "rita")
    assert stay.seg_id not in everything.approved and stay.seg_id in everything.refused
    assert states(store)[STAY].state == "draft" and states(store)[TERM].state == "approved"


def test_a_removed_term_clears_its_flag_and_an_unchanged_glossary_rechecks_nothing(drafted):
    project, store, translate = drafted
    add_terms(project, FORBID_MAY_STAY)
    translate()
    assert translate().summary()["rechecked"] == 0
    path = project.glossary_dir / "terms.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(FORBID_MAY_STAY, ""), encoding="utf-8")
    assert translate().summary()["rechecked"] == 1
    assert states(store)[STAY].issues == []


def test_approved_segments_are_not_rechecked(drafted):
    project, store, translate = drafted
    actions.approve(project, store, "notice", read(store, [states(store)[STAY].seg_id], slug="notice"), "rita")
    add_terms(project, FORBID_MAY_STAY)
    assert translate().summary()["rechecked"] == 0
    assert states(store)[STAY].state == "approved" and states(store)[STAY].issues == []


def test_a_reviewers_edit_records_the_glossary_it_was_checked_against(drafted):
    project, store, _ = drafted
    actions.edit(project, store, "notice", states(store)[STAY].seg_id, "Foreign nationals may stay 10 days.", "rita")
    assert states(store)[STAY].translation["glossary_version"] == load_glossary(project.glossary_dir).version


def test_a_draft_approved_after_the_pass_read_it_is_left_as_approved(drafted):
    project, store, _ = drafted
    read_before = segment_states(store, "notice")
    stay = next(s for s in read_before if s.source == STAY)
    # a reviewer, meanwhile
    actions.approve(project, store, "notice", read(store, [stay.seg_id], slug="notice"), "rita")
    add_terms(project, FORBID_MAY_STAY)
    assert recheck_drafts(store, "notice", read_before, load_glossary(project.glossary_dir)) == []
    assert states(store)[STAY].state == "approved" and states(store)[STAY].issues == []
