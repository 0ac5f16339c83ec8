"""Translation memory (TMX) and glossary exchange (TBX): round trips, imports and reuse in a run."""

from __future__ import annotations

from pathlib import Path

import pytest
from translate_support import LINK, STAY, TERM, TITLE, drafts_by_source, make_project, open_ingested

from zaitun import pipeline
from zaitun.errors import GlossaryError
from zaitun.review.actions import TranslateGate, approve
from zaitun.state.segments import segment_states
from zaitun.state.store import Store
from zaitun.translate.engines import OfflineEngine
from zaitun.translate.glossary import Entry, Glossary, load_glossary
from zaitun.translate.memory import export_tmx, import_tmx, load_project_tmx, read_tmx
from zaitun.translate.tbx import export_tbx, import_tbx, read_tbx

PAIRS = [("外国人可以入境。", "Foreign nationals may enter."),
         ("请拨打12345 & <咨询>。", "Call 12345 & <ask>.\nThank you.")]
STAY_EN = "Foreign nationals transiting via Quanzhou Jinjiang International Airport may stay for 10 days."


def new_store(tmp_path: Path, name: str = "state.db") -> Store:
    return Store.open(f"sqlite:///{tmp_path / name}")


def remember(store: Store, pairs, origin: str = "review") -> None:
    with store.tx() as conn:
        for zh, en in pairs:
            store.remember(conn, zh, en, origin=origin, approved_by="ana")


def test_tmx_export_then_import_gives_the_same_memory(tmp_path):
    first, second = new_store(tmp_path, "a.db"), new_store(tmp_path, "b.db")
    remember(first, PAIRS)
    path = tmp_path / "memory.tmx"
    path.write_bytes(export_tmx(first))
    result = import_tmx(second, path, Glossary())
    assert (result.added, result.updated, result.skipped) == (2, 0, [])
    assert {(r["source"], r["target"], r["origin"]) for r in second.memory_entries()} == \
        {(zh, en, "tmx") for zh, en in PAIRS}
    assert read_tmx(path)[0] == sorted(PAIRS)


def test_tmx_import_never_overwrites_a_reviewers_approval(tmp_path):
    store = new_store(tmp_path)
    remember(store, [PAIRS[0]])
    path = tmp_path / "other.tmx"
    other = new_store(tmp_path, "other.db")
    remember(other, [(PAIRS[0][0], "Aliens may enter."), PAIRS[1]])
    path.write_bytes(export_tmx(other))
    result = import_tmx(store, path, Glossary())
    assert (result.added, result.kept) == (1, 1)
    assert store.memory_lookup([PAIRS[0][0]]) == {PAIRS[0][0]: PAIRS[0][1]}


def test_tmx_import_skips_a_pair_holding_a_forbidden_rendering(tmp_path):
    source, store, path = new_store(tmp_path, "src.db"), new_store(tmp_path), tmp_path / "memory.tmx"
    remember(source, [(PAIRS[0][0], "Aliens may enter."), PAIRS[1]])
    path.write_bytes(export_tmx(source))
    result = import_tmx(store, path, Glossary([Entry("外国人", "foreign national", ("alien",))]))
    assert result.added == 1 and store.memory_lookup([PAIRS[0][0]]) == {}
    assert result.skipped == [f"{path}: '外国人可以入境。' not imported: \"Aliens\" is a forbidden rendering "
                              'of 外国人; write "foreign national"']


def test_tmx_with_other_language_tags_and_incomplete_units_is_read(tmp_path):
    path = tmp_path / "x.tmx"
    path.write_text("""<?xml version="1.0" encoding="utf-8"?>
<tmx version="1.4"><header srclang="zh-CN" datatype="PlainText" segtype="sentence" adminlang="en"
 o-tmf="x" creationtool="x" creationtoolversion="1"/><body>
<tu><tuv xml:lang="zh-Hans"><seg>泉州</seg></tuv><tuv xml:lang="en-US"><seg>Quanzhou</seg></tuv></tu>
<tu><tuv xml:lang="zh-CN"><seg>只有中文</seg></tuv></tu>
</body></tmx>""", encoding="utf-8")
    pairs, skipped = read_tmx(path)
    assert pairs == [("泉州", "Quanzhou")]
    assert skipped == [f"{path}: unit 2 has no zh and en text"]


def test_project_tmx_is_loaded_once_and_again_when_it_changes(tmp_path):
    store, tm = new_store(tmp_path), tmp_path / "tm"
    tm.mkdir()
    source = new_store(tmp_path, "src.db")
    remember(source, [PAIRS[0]])
    (tm / "approved.tmx").write_bytes(export_tmx(source))
    assert list(load_project_tmx(store, tm, Glossary())) == ["approved.tmx"]
    assert load_project_tmx(store, tm, Glossary()) == {}
    remember(source, [PAIRS[1]])
    (tm / "approved.tmx").write_bytes(export_tmx(source))
    assert load_project_tmx(store, tm, Glossary())["approved.tmx"].added == 1


def test_memory_match_is_reused_and_approved_from_memory(tmp_path):
    project = make_project(tmp_path)
    store = open_ingested(project)
    remember(store, [(STAY, STAY_EN)])
    report = pipeline.translate(project, store, engine=OfflineEngine())
    stay = drafts_by_source(report)[STAY]
    assert (stay.origin, stay.target, stay.issues) == ("memory", STAY_EN, [])
    states = {s.source: s for s in segment_states(store, "notice")}
    assert states[STAY].state == "approved" and states[STAY].translation["reviewed_by"] == "memory"
    assert [a["action"] for a in store.audit_log("notice") if a["seg_id"] == stay.id][-1] == "approve-from-memory"
    assert states[TITLE].state == "draft" and states[TITLE].translation["origin"] == "none"
    assert states[STAY].translation["glossary_version"] == load_glossary(project.glossary_dir).version


def test_flagged_memory_match_waits_for_a_reviewer(tmp_path):
    project = make_project(tmp_path)
    store = open_ingested(project)
    remember(store, [(STAY, "Aliens may stay 10 days at the airport.")])
    report = pipeline.translate(project, store, engine=OfflineEngine())
    assert {"term", "forbidden"} <= {i["check"] for i in drafts_by_source(report)[STAY].issues}
    assert {s.source: s.state for s in segment_states(store, "notice")}[STAY] == "draft"


def test_memory_approval_never_approves_a_forbidden_rendering(tmp_path):
    project = make_project(tmp_path, "[review]\nauto_approve_memory = false\n")
    store = open_ingested(project)
    remember(store, [(STAY, STAY_EN.replace("Foreign nationals", "Aliens"))])
    pipeline.translate(project, store, engine=OfflineEngine())
    stay = {s.source: s for s in segment_states(store, "notice")}[STAY]
    assert stay.translation["origin"] == "memory"
    assert TranslateGate(project, store).approve("notice", {stay.seg_id: stay.version}) == 0  # as the pass approves
    assert {s.source: s.state for s in segment_states(store, "notice")}[STAY] == "draft"
    assert [a["action"] for a in store.audit_log("notice") if a["seg_id"] == stay.seg_id][-1] == "approve-refused"


def test_auto_approval_can_be_switched_off(tmp_path):
    project = make_project(tmp_path, "[review]\nauto_approve_memory = false\n")
    store = open_ingested(project)
    remember(store, [(STAY, STAY_EN)])
    pipeline.translate(project, store, engine=OfflineEngine())
    assert {s.source: s.state for s in segment_states(store, "notice")}[STAY] == "draft"


def test_memory_added_later_replaces_machine_drafts_on_the_next_run(tmp_path):
    project = make_project(tmp_path)
    store = open_ingested(project)
    pipeline.translate(project, store, engine=OfflineEngine())
    assert pipeline.translate(project, store, engine=OfflineEngine()).count() == 0
    remember(store, [(STAY, STAY_EN), (TERM, "The Publicity Department")])
    again = pipeline.translate(project, store, engine=OfflineEngine())
    assert [(s.source, s.origin) for s in again.documents[0].segments] == [(STAY, "memory"), (TERM, "memory")]
    assert {s.source: s.state for s in segment_states(store, "notice")}[TERM] == "approved"
    assert pipeline.translate(project, store, engine=OfflineEngine()).count() == 0


ALL_EN = {TITLE: "The Publicity Department of the CPC Quanzhou Municipal Committee issues a notice",
          STAY: STAY_EN.replace("10 days", "10 hours"), TERM: "The Publicity Department",
          LINK: "See the [notice](https://example.org/a)."}  # STAY's English is wrong: hours for days


def write_tm(project, tmp_path: Path, pairs: dict[str, str]) -> None:
    """tm/approved.tmx as a translator's tool exports it, holding `pairs` (Chinese -> English)."""
    source = new_store(tmp_path, f"tool-{len(list(tmp_path.glob('tool-*.db')))}.db")
    remember(source, pairs.items())
    (project.tm_dir / "approved.tmx").write_bytes(export_tmx(source))
    source.close()


def test_approving_from_memory_leaves_the_memory_entry_as_it_was(tmp_path):
    project = make_project(tmp_path / "p")
    store = open_ingested(project)
    write_tm(project, tmp_path, {STAY: STAY_EN})
    pipeline.translate(project, store, engine=OfflineEngine())
    assert {s.source: s.state for s in segment_states(store, "notice")}[STAY] == "approved"
    assert [(e["target"], e["origin"], e["approved_by"]) for e in store.memory_entries()] == \
        [(STAY_EN, "tmx", "tmx:approved.tmx")]  # the entry approved it: it is not approved anew by "memory"


def test_a_corrected_tmx_replaces_english_approved_from_its_earlier_version(tmp_path):
    project = make_project(tmp_path / "p")
    store = open_ingested(project)
    write_tm(project, tmp_path, ALL_EN)
    pipeline.translate(project, store, engine=OfflineEngine())
    assert STAY_EN.replace("10 days", "10 hours") in store.latest_release("notice")["payload"]["body"]
    write_tm(project, tmp_path, ALL_EN | {STAY: STAY_EN})  # the translator fixes the TMX
    again = pipeline.translate(project, store, engine=OfflineEngine())
    assert again.summary()["tmx_imported"] == {"approved.tmx": 1}
    assert store.memory_lookup([STAY]) == {STAY: STAY_EN}
    assert [(s.source, s.target, s.origin) for s in again.documents[0].segments] == [(STAY, STAY_EN, "memory")]
    stay = {s.source: s for s in segment_states(store, "notice")}[STAY]
    assert stay.state == "approved" and stay.target == STAY_EN and stay.translation["reviewed_by"] == "memory"
    release = store.latest_release("notice")["payload"]  # the English page gets the corrected sentence
    assert STAY_EN in release["body"] and "10 hours" not in release["body"]
    assert pipeline.translate(project, store, engine=OfflineEngine()).count() == 0


def test_a_corrected_tmx_replaces_a_memory_draft_waiting_for_review(tmp_path):
    project = make_project(tmp_path / "p", "[review]\nauto_approve_memory = false\n")
    store = open_ingested(project)
    write_tm(project, tmp_path, ALL_EN)
    pipeline.translate(project, store, engine=OfflineEngine())
    write_tm(project, tmp_path, ALL_EN | {STAY: STAY_EN})
    pipeline.translate(project, store, engine=OfflineEngine())
    stay = {s.source: s for s in segment_states(store, "notice")}[STAY]
    assert (stay.state, stay.target, stay.translation["origin"]) == ("draft", STAY_EN, "memory")


def test_a_reviewers_approval_of_a_memory_draft_outlives_a_corrected_tmx(tmp_path):
    """What a person approved is theirs: the memory remembers it, and a TMX import keeps it."""
    project = make_project(tmp_path / "p", "[review]\nauto_approve_memory = false\n")
    store = open_ingested(project)
    write_tm(project, tmp_path, {STAY: STAY_EN})
    pipeline.translate(project, store, engine=OfflineEngine())
    with store.tx() as conn:
        store.add_user(conn, "ana", "reviewer", "not-a-hash")
    stay = {s.source: s for s in segment_states(store, "notice")}[STAY]
    assert approve(project, store, "notice", {stay.seg_id: stay.version}, "ana").approved == [stay.seg_id]
    write_tm(project, tmp_path, {STAY: STAY_EN.replace("10 days", "ten days")})
    again = pipeline.translate(project, store, engine=OfflineEngine())
    assert again.tmx["approved.tmx"].kept == 1 and again.count() == 0
    assert [(e["target"], e["origin"], e["approved_by"]) for e in store.memory_entries()] == \
        [(STAY_EN, "review", "ana")]
    stay = {s.source: s for s in segment_states(store, "notice")}[STAY]
    assert (stay.state, stay.target, stay.translation["reviewed_by"]) == ("approved", STAY_EN, "ana")


def test_tbx_round_trip_keeps_renderings_forbidden_terms_and_notes(tmp_path):
    glossary = load_glossary(Path(__file__).resolve().parent.parent / "glossary")
    path = tmp_path / "terms.tbx"
    path.write_bytes(export_tbx(glossary))
    back = {e.zh: (e.en, e.forbidden, e.note) for e in read_tbx(path)}
    assert back == {e.zh: (e.en, e.forbidden, e.note) for e in glossary.by_term.values()}
    assert back["宣传部"][1] == ("Propaganda Department",)


def test_tbx_import_writes_new_terms_to_a_csv_and_skips_known_ones(tmp_path):
    project = make_project(tmp_path / "p")
    source = make_project(tmp_path / "q")
    (source.glossary_dir / "terms.csv").write_text(
        "zh,en,forbidden,note\n宣传部,Publicity Department,Propaganda Department,\n"
        "厦门,Xiamen,Amoy,not Amoy\n", encoding="utf-8")
    tbx = tmp_path / "partner.tbx"
    tbx.write_bytes(export_tbx(load_glossary(source.glossary_dir)))
    dest, result = import_tbx(tbx, project.glossary_dir)
    assert dest == project.glossary_dir / "partner.csv"
    assert result.skipped == ["宣传部"]
    assert dest.read_text(encoding="utf-8") == "zh,en,forbidden,note\n厦门,Xiamen,Amoy,not Amoy\n"
    assert load_glossary(project.glossary_dir).by_term["厦门"].forbidden == ("Amoy",)
    with pytest.raises(GlossaryError, match="already exists"):
        import_tbx(tbx, project.glossary_dir)
