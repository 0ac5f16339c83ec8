import datetime as dt
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from review_support import SLUG, draft_all, quick_user, read, read_unflagged, review_project, terms
from sqlalchemy import func, select

from zaitun import pipeline
from zaitun.content.intake import ingest
from zaitun.content.schema import CONTROL_RE
from zaitun.errors import ReviewError
from zaitun.review import gate
from zaitun.review.status import project_status
from zaitun.state.segments import BESIDE_CHANGED, MOVED, progress, segment_states
from zaitun.state.store import translations
from zaitun.translate.engines import OfflineEngine


@pytest.fixture
def in_review(tmp_path, database_url):
    """One document with five drafts (the fourth flagged), in SQLite and in PostgreSQL."""
    project, store = review_project(tmp_path / "proj", database_url=database_url)
    ids = draft_all(store, issues_for={3})
    quick_user(store, "alice")
    quick_user(store, "bob")
    quick_user(store, "eve", role="editor")
    yield project, store, ids
    store.close()


def states(store):
    return {s.seg_id: s.state for s in segment_states(store, SLUG)}


def test_segment_goes_from_draft_to_approved_or_rejected(in_review):
    project, store, ids = in_review
    assert set(states(store).values()) == {"draft"}
    gate.approve(store, SLUG, read(store, [ids[0]]), "alice", glossary=terms(project))
    gate.reject(store, SLUG, ids[1], "alice", "wrong term", seen=read(store)[ids[1]])
    now = states(store)
    assert now[ids[0]] == "approved" and now[ids[1]] == "rejected" and now[ids[2]] == "draft"
    rejected = next(s for s in segment_states(store, SLUG) if s.seg_id == ids[1])
    assert rejected.translation["comment"] == "wrong term"


def test_edit_stores_a_new_target_and_can_approve_it_at_once(in_review):
    project, store, ids = in_review
    gate.edit(store, SLUG, ids[2], "Foreign nationals may transit visa-free.", "alice", glossary=terms(project))
    assert states(store)[ids[2]] == "draft"
    gate.edit(store, SLUG, ids[2], "Foreign nationals may use visa-free transit.", "alice", approve_now=True,
              glossary=terms(project))
    seg = next(s for s in segment_states(store, SLUG) if s.seg_id == ids[2])
    assert seg.state == "approved" and seg.target == "Foreign nationals may use visa-free transit."
    assert [t["target"] for t in store.history(SLUG, ids[2])][0].startswith("EN 2:")  # the draft stays


def test_saving_the_approved_english_again_changes_nothing_and_keeps_its_approver(in_review):
    project, store, ids = in_review
    gate.edit(store, SLUG, ids[2], "Foreign nationals may use visa-free transit.", "alice", approve_now=True,
              glossary=terms(project))
    before = store.history(SLUG, ids[2])
    for approve_now in (True, False):  # "save and approve" or "save", with the page still showing it
        result = gate.edit(store, SLUG, ids[2], " Foreign nationals may use visa-free transit. ", "bob",
                           approve_now=approve_now, based_on=read(store)[ids[2]], glossary=terms(project))
        assert result.unchanged == "nothing changed: this English is already approved, by alice"
        assert not result.approved
    assert store.history(SLUG, ids[2]) == before  # no second approved row of the same English
    seg = next(s for s in segment_states(store, SLUG) if s.seg_id == ids[2])
    assert seg.state == "approved" and seg.translation["reviewed_by"] == "alice"


def test_an_edit_holding_a_control_character_is_refused_and_nothing_is_stored(in_review):
    project, store, ids = in_review
    before = store.history(SLUG, ids[2])
    with pytest.raises(ReviewError, match="the new translation holds the control character U\\+0000: remove it"):
        gate.edit(store, SLUG, ids[2], "Foreign nationals\0 may transit.", "alice", approve_now=True,
                  glossary=terms(project))
    assert store.history(SLUG, ids[2]) == before  # PostgreSQL would have refused the NUL anyway


def test_an_engine_draft_holding_a_character_no_feed_can_carry_is_never_approved(in_review):
    project, store, ids = in_review
    with store.tx() as conn:  # as an engine returned it: the character shows as nothing on the page
        seg = store.segments(SLUG)[2]
        store.add_translation(conn, SLUG, seg["seg_id"], seg["source"], "Foreign nationals\x0b may transit.",
                              origin="engine", replaces=store.current_translations(SLUG, conn).get(seg["seg_id"]))
    result = gate.approve(store, SLUG, read(store, [ids[2]]), "alice", glossary=terms(project))
    assert result.approved == [] and "the English holds the control character U+000B (line 1)" in result.refused[ids[2]]
    assert states(store)[ids[2]] == "draft"


def test_approve_all_unflagged_leaves_flagged_segments_for_a_person(in_review):
    project, store, ids = in_review
    result = gate.approve_unflagged(store, SLUG, read_unflagged(store), "alice", glossary=terms(project))
    assert sorted(result.approved) == sorted(ids[:3] + ids[4:])
    assert states(store)[ids[3]] == "draft" and not result.completed
    assert progress(segment_states(store, SLUG)) == {"approved": 4, "total": 5, "flagged": 1,
                                                               "complete": False}


def test_last_approval_completes_the_document_and_makes_a_release(in_review):
    project, store, ids = in_review
    assert not gate.approve(store, SLUG, read(store, ids[:-1]), "alice", glossary=terms(project)).completed
    assert store.latest_release(SLUG) is None
    result = gate.approve(store, SLUG, read(store, [ids[-1]]), "bob", glossary=terms(project))
    assert result.completed
    release = store.latest_release(SLUG)
    assert release["payload"]["meta"]["title"] == "EN 0: 过境免签指南"
    assert release["payload"]["provenance"]["approved_by"] == ["alice", "bob"]
    assert "zaitun.document.approved" in [e["name"] for e in store.events_since()]


def test_a_segment_approved_before_its_rendering_was_forbidden_comes_back_and_holds_the_release(in_review):
    project, store, ids = in_review
    gate.edit(store, SLUG, ids[1], "Overview of the polity", "alice", approve_now=True, glossary=terms(project))
    gate.approve(store, SLUG, read(store, ids[:-1]), "alice", glossary=terms(project))
    with (project.glossary_dir / "immigration.csv").open("a", encoding="utf-8") as glossary:
        glossary.write("政策,policy,polity,\n")
    result = gate.approve(store, SLUG, read(store, [ids[-1]]), "bob", glossary=terms(project))
    assert result.approved == [ids[-1]] and not result.completed and store.latest_release(SLUG) is None
    assert '"polity" is a forbidden rendering of 政策; write "policy": it is back in review' in result.held[ids[1]]
    back = next(s for s in segment_states(store, SLUG) if s.seg_id == ids[1])
    assert back.state == "draft" and back.target == "Overview of the polity"
    assert "forbidden" in {i["check"] for i in back.issues}
    assert [a["action"] for a in store.audit_log(SLUG) if a["seg_id"] == ids[1]][-1] == "back-to-review"


def test_only_reviewers_and_admins_approve(in_review):
    project, store, ids = in_review
    with pytest.raises(ReviewError, match="editor"):
        gate.approve(store, SLUG, read(store, [ids[0]]), "eve", glossary=terms(project))
    with pytest.raises(ReviewError, match="unknown user"):
        gate.approve(store, SLUG, read(store, [ids[0]]), "mallory", glossary=terms(project))
    with pytest.raises(ReviewError, match="comment"):
        gate.reject(store, SLUG, ids[0], "alice", "  ", seen=read(store)[ids[0]])


def test_changed_sentence_returns_only_that_segment_to_review(in_review):
    project, store, ids = in_review
    gate.approve(store, SLUG, read(store, ids), "alice", glossary=terms(project))
    path = project.content_dir / "guides" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("240小时", "10天"), encoding="utf-8")
    assert ingest(project, store).ingested == [SLUG]
    segs = segment_states(store, SLUG)
    back = [s for s in segs if s.state != "approved"]
    assert [s.source for s in back] == ["停留时间为10天。"]
    assert back[0].previous == {"source": "停留时间为240小时。", "target": "EN 3: 停留时间为240小时。"}
    assert {s.seg_id for s in segs if s.state == "approved"} == set(ids) - {ids[3]}



def test_a_sentence_changed_twice_before_review_is_compared_with_what_was_approved_not_the_edit_between(in_review):
    project, store, ids = in_review
    gate.approve(store, SLUG, read(store, ids), "alice", glossary=terms(project))
    path = project.content_dir / "guides" / f"{SLUG}.md"
    for old, new in (("240小时", "10天"), ("10天", "12天")):  # 10天 was never approved nor published
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        assert ingest(project, store).ingested == [SLUG]
    [back] = [s for s in segment_states(store, SLUG) if s.state != "approved"]
    assert back.source == "停留时间为12天。"
    assert back.previous == {"source": "停留时间为240小时。", "target": "EN 3: 停留时间为240小时。"}


def test_a_refusal_quotes_a_huge_draft_comment_or_qa_list_by_its_start_and_end(in_review):
    """A refusal is read in a terminal and kept in the audit log: a 900 KB draft must not come with it."""
    project, store, ids = in_review
    seen = read(store)
    many = " ".join(["Visa-free transit for foreign nationals."] * 22_000)  # 900 KB
    first = next(s for s in segment_states(store, SLUG) if s.seg_id == ids[0])
    with store.tx() as conn:  # an engine's answer (a reviewer's edit that long is refused: test_review_cli)
        store.add_translation(conn, SLUG, ids[0], first.source, f"Start of the draft. {many} End of the draft.",
                              origin="engine", replaces=first.translation, engine="libre", glossary_version="g1")
    gate.reject(store, SLUG, ids[1], "bob", f"Start of the comment. {'请改为正式用语。' * 50_000} End of the comment.",
                seen=seen[ids[1]])
    gate.edit(store, SLUG, ids[2], "Foreign nationals may transit visa-free.", "bob", glossary=terms(project),
              issues=[{"check": "numbers", "message": f"{n} is missing"} for n in range(20_000)])
    result = gate.approve(store, SLUG, {i: seen[i] for i in ids[:3]}, "alice", glossary=terms(project))
    quoted = {ids[0]: ("Start of the draft.", "End of the draft."),
              ids[1]: ("Start of the comment.", "End of the comment."), ids[2]: ("0 is missing", "19999 is missing")}
    for seg_id, (start, end) in quoted.items():
        why = result.refused[seg_id]
        assert len(why) < 1_500 and start in why and "…" in why and end in why, why
        assert why.endswith("Read it and try again")
    assert [a["note"] for a in store.audit_log(SLUG) if a["action"] == "approve-refused"] == \
        [result.refused[i] for i in ids[:3]]
    with pytest.raises(ReviewError) as stale_edit:
        gate.edit(store, SLUG, ids[0], "Mine", "alice", based_on=seen[ids[0]], glossary=terms(project))
    assert len(str(stale_edit.value)) < 1_500 and "End of the draft." in str(stale_edit.value)


def test_concurrent_approvals_of_one_segment_are_both_recorded(in_review):
    project, store, ids = in_review
    barrier = threading.Barrier(2)
    errors = []

    def approve(actor):
        try:
            barrier.wait()
            gate.approve(store, SLUG, read(store, [ids[0]]), actor, glossary=terms(project))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(name,)) for name in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    approvals = [a for a in store.audit_log(SLUG) if a["action"] == "approve" and a["seg_id"] == ids[0]]
    assert sorted(a["actor"] for a in approvals) == ["alice", "bob"]
    assert states(store)[ids[0]] == "approved"


def test_concurrent_approvals_of_different_segments_all_land(in_review):
    project, store, ids = in_review
    barrier = threading.Barrier(len(ids))
    results = []

    def approve(seg_id, actor):
        barrier.wait()
        results.append(gate.approve(store, SLUG, read(store, [seg_id]), actor, glossary=terms(project)))

    threads = [threading.Thread(target=approve, args=(seg_id, ("alice", "bob")[n % 2]))
               for n, seg_id in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(states(store).values()) == {"approved"}
    assert sum(r.completed for r in results) == 1  # exactly one thread saw the document complete


def test_nothing_is_ever_deleted(in_review):
    project, store, ids = in_review
    gate.reject(store, SLUG, ids[0], "alice", "too literal", seen=read(store)[ids[0]])
    gate.edit(store, SLUG, ids[0], "Guide to visa-free transit", "alice", glossary=terms(project))
    gate.edit(store, SLUG, ids[0], "Visa-free transit guide", "bob", approve_now=True, glossary=terms(project))
    history = store.history(SLUG, ids[0])
    assert [t["target"] for t in history] == ["EN 0: 过境免签指南", "Guide to visa-free transit",
                                              "Visa-free transit guide"]
    assert [t["state"] for t in history] == ["superseded", "superseded", "approved"]
    assert history[0]["comment"] == "too literal" and history[0]["reviewed_by"] == "alice"
    assert [a["action"] for a in store.audit_log(SLUG) if a["seg_id"] == ids[0]] == [
        "reject", "edit", "edit", "approve"]


class ReviewMachine(RuleBasedStateMachine):
    """Random sequences of review actions keep the gate's invariants."""

    @initialize()
    def setup(self):
        self.tmp = tempfile.TemporaryDirectory()
        project, self.store = review_project(Path(self.tmp.name))
        self.glossary = terms(project)
        self.ids = draft_all(self.store, issues_for={1})
        quick_user(self.store, "alice")
        self.model = {seg_id: "draft" for seg_id in self.ids}
        self.flagged = {self.ids[1]}
        self.rows = self.audit = self.releases = 0
        self.was_complete = False

    def teardown(self):
        if hasattr(self, "store"):
            self.store.close()
            self.tmp.cleanup()

    @rule(n=st.integers(0, 4))
    def approve(self, n):
        seg_id = self.ids[n]
        result = gate.approve(self.store, SLUG, read(self.store, [seg_id]), "alice", glossary=self.glossary)
        assert (seg_id in result.approved) == (self.model[seg_id] != "approved")
        self.model[seg_id] = "approved"
        self._completion(result.completed)

    @rule(n=st.integers(0, 4), comment=st.text(min_size=1, max_size=20).filter(str.strip))
    def reject(self, n, comment):
        if CONTROL_RE.search(comment):  # refused, and nothing changes
            with pytest.raises(ReviewError, match="control character"):
                gate.reject(self.store, SLUG, self.ids[n], "alice", comment, seen=read(self.store)[self.ids[n]])
            return
        gate.reject(self.store, SLUG, self.ids[n], "alice", comment, seen=read(self.store)[self.ids[n]])
        self.model[self.ids[n]] = "rejected"
        self.was_complete = False

    @rule(n=st.integers(0, 4), text=st.text(min_size=1, max_size=30).filter(str.strip), now=st.booleans())
    def edit(self, n, text, now):
        if CONTROL_RE.search(text) or gate.INVISIBLE_RE.search(text):  # refused, and nothing changes
            with pytest.raises(ReviewError, match="control character|invisible character"):
                gate.edit(self.store, SLUG, self.ids[n], text, "alice", approve_now=now, glossary=self.glossary)
            return
        before = next(s for s in segment_states(self.store, SLUG) if s.seg_id == self.ids[n])
        result = gate.edit(self.store, SLUG, self.ids[n], text, "alice", approve_now=now, glossary=self.glossary)
        if before.state == "approved" and text.strip() == before.target:  # the approved English again: no change
            assert result.unchanged and not result.completed
            return
        self.model[self.ids[n]] = "approved" if now else "draft"
        self.flagged.discard(self.ids[n])
        self.was_complete = False  # the new text is a draft until approved, even if only for a moment
        if now:
            self._completion(result.completed)

    @rule()
    def approve_unflagged(self):
        result = gate.approve_unflagged(self.store, SLUG, read_unflagged(self.store), "alice", glossary=self.glossary)
        for seg_id, state in self.model.items():
            if state == "draft" and seg_id not in self.flagged:
                self.model[seg_id] = "approved"
        self._completion(result.completed)

    def _completion(self, completed):
        complete = all(s == "approved" for s in self.model.values())
        assert completed == (complete and not self.was_complete)
        self.releases += completed
        self.was_complete = complete

    @invariant()
    def states_match_the_model(self):
        if hasattr(self, "store"):
            assert states(self.store) == self.model
            prog = progress(segment_states(self.store, SLUG))
            assert prog["complete"] == all(s == "approved" for s in self.model.values())

    @invariant()
    def history_and_audit_only_grow(self):
        if hasattr(self, "store"):
            with self.store.engine.connect() as c:
                rows = c.execute(select(func.count()).select_from(translations)).scalar()
            audit = len(self.store.audit_log())
            assert rows >= self.rows and audit >= self.audit
            self.rows, self.audit = rows, audit

    @invariant()
    def one_release_per_completion(self):
        if hasattr(self, "store"):
            from zaitun.state.store import releases
            with self.store.engine.connect() as c:
                count = c.execute(select(func.count()).select_from(releases)).scalar()
            assert count == self.releases


ReviewMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=12, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
test_review_state_machine = ReviewMachine.TestCase


def test_withdrawn_documents_cannot_be_reviewed(in_review):
    project, store, ids = in_review
    (project.content_dir / "guides" / f"{SLUG}.md").unlink()
    assert ingest(project, store, allow_empty=True).withdrawn == [SLUG]  # its only document, on purpose
    for action in (lambda: gate.approve(store, SLUG, read(store, [ids[0]]), "alice", glossary=terms(project)),
                   lambda: gate.reject(store, SLUG, ids[0], "alice", "no", seen=read(store)[ids[0]]),
                   lambda: gate.edit(store, SLUG, ids[0], "Guide", "alice", glossary=terms(project))):
        with pytest.raises(ReviewError, match="is withdrawn"):
            action()


def test_a_repeated_approval_approves_once(in_review):
    project, store, ids = in_review
    seen = read(store, [ids[0]])
    gate.approve(store, SLUG, seen, "alice", glossary=terms(project))
    result = gate.approve(store, SLUG, seen, "alice", glossary=terms(project))
    assert result.approved == [] and result.skipped == {ids[0]: "already approved"}
    assert len(store.memory_entries()) == 1



TABLES = ("## 政策概况\n\n外国人可以过境免签。\n\n"
          "| 问题 | 答复 |\n|---|---|\n| 需要签证吗 | 否 |\n| 可以延期吗 | 否 |\n\n"
          "| 项目 | 收费（元） |\n|---|---|\n| 签证延期 | 100 |\n")
SENT_BACK = {MOVED, BESIDE_CHANGED}  # sent back to review for where the segment stands (gate.make_release)


def sent_back(store) -> dict[str, str]:
    """seg_id -> why, of the segments not approved that the gate sent back for where they stand."""
    return {s.seg_id: s.issues[0]["check"] for s in segment_states(store, SLUG)
            if s.state != "approved" and s.issues and s.issues[0]["check"] in SENT_BACK}


def tables_released(tmp_path):
    """TABLES translated and approved by alice, released: the project, its store, the release and the file."""
    project, store = review_project(tmp_path / "proj", body=TABLES)
    quick_user(store, "alice")
    pipeline.translate(project, store, engine=OfflineEngine())
    approve_new(project, store)
    return project, store, store.latest_release(SLUG), project.content_dir / "guides" / f"{SLUG}.md"


def approve_new(project, store) -> None:
    """alice reads each new sentence (not approved, not sent back) and approves it with her English."""
    back = sent_back(store)
    for seg in segment_states(store, SLUG):
        if seg.state != "approved" and seg.seg_id not in back:
            gate.edit(store, SLUG, seg.seg_id, f"EN {seg.position}: {seg.source}", "alice", approve_now=True,
                      based_on=seg.version, glossary=terms(project))


@pytest.mark.parametrize("edit", [
    ("| 需要签证吗 | 否 |", "| 需要签证吗 | 是 |"),  # the first 否 changed: the other takes its id and place
    ("| 需要签证吗 | 否 |\n| 可以延期吗 | 否 |", "| 可以延期吗 | 否 |\n| 需要签证吗 | 否 |"),  # the rows swapped
    ("| 100 |", "| 999 |"),  # the fee beside 签证延期 changed
], ids=["changed", "moved", "beside-changed"])
def test_a_reverted_edit_gives_back_the_approvals_it_sent_back_as_moved_or_beside_changed(tmp_path, edit):
    """Staff edit the Chinese, the edit sends approved segments back to review for where they now stand, and staff
    then put the file back as it was: each segment stands again exactly where alice approved it, so her approval,
    the one the release online holds, is current again, the document is approved and its English page is the
    release of this very Chinese (no "update under review")."""
    project, store, released, path = tables_released(tmp_path)
    original = path.read_text(encoding="utf-8")

    path.write_text(original.replace(*edit), encoding="utf-8")
    ingest(project, store)
    pipeline.translate(project, store, engine=OfflineEngine())
    approve_new(project, store)  # the changed sentence read and approved: its neighbour is sent back
    assert sent_back(store)

    path.write_text(original, encoding="utf-8")
    ingest(project, store)
    pipeline.translate(project, store, engine=OfflineEngine())
    now = segment_states(store, SLUG)
    assert [s.seg_id for s in now if s.state != "approved"] == []
    assert {s.seg_id: s.translation["id"] for s in now} == released["payload"]["translations"]
    assert {s.translation["reviewed_by"] for s in now} == {"alice"}
    assert [s.stage for s in project_status(store, dt.date.today(), 30)] == ["approved"]
    online = store.latest_release(SLUG)
    assert online["id"] == released["id"] and not online["retracted_at"]
    assert online["raw_hash"] == store.document(SLUG)["raw_hash"]


def test_an_edit_put_back_only_in_part_keeps_what_it_sent_back_in_review(tmp_path):
    """The table put back, a sentence above it still edited: the Chinese is not that of any release, so the answer
    sent back as moved is not approved again unread (its row reads as approved, the page around it does not)."""
    project, store, released, path = tables_released(tmp_path)
    original = path.read_text(encoding="utf-8")
    sentence = original.replace("外国人可以过境免签。", "外国人可以申请过境免签。")
    path.write_text(sentence.replace("| 需要签证吗 | 否 |", "| 需要签证吗 | 是 |"), encoding="utf-8")
    ingest(project, store)
    pipeline.translate(project, store, engine=OfflineEngine())
    approve_new(project, store)
    back = sent_back(store)
    assert set(back.values()) == {MOVED}

    path.write_text(sentence, encoding="utf-8")
    ingest(project, store)
    pipeline.translate(project, store, engine=OfflineEngine())
    assert sent_back(store) == back
    assert [s.stage for s in project_status(store, dt.date.today(), 30)] == ["update in review"]
    assert store.latest_release(SLUG)["id"] == released["id"]
    assert "approve-again" not in {a["action"] for a in store.audit_log(SLUG)}
