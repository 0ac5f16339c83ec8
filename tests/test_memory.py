"""Translation memory (TMX) and glossary exchange (TBX): round trips, imports and reuse in a run."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from review_support import quick_user
from translate_support import LINK, STAY, TERM, TITLE, drafts_by_source, make_project, open_ingested, tu, write_tmx

from zaitun import pipeline
from zaitun.errors import GlossaryError, ReviewError, ZaitunError
from zaitun.review import gate
from zaitun.review.actions import TranslateGate, approve
from zaitun.state.segments import segment_states
from zaitun.state.store import Store
from zaitun.translate.checks import forbidden_renderings
from zaitun.translate.engines import OfflineEngine
from zaitun.translate.glossary import Entry, Glossary, load_glossary, parse_file, write_csv
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


def test_traditional_chinese_units_are_skipped_not_remembered_as_simplified(tmp_path):
    store = new_store(tmp_path)
    path = write_tmx(tmp_path / "x.tmx", tu("外國人可以入境。", "Foreign nationals may enter.", "zh-TW")
                     + tu("請撥打熱線。", "Call the hotline.", "zh-Hant-HK") + tu(*PAIRS[0], "zh-Hans"))
    result = import_tmx(store, path, Glossary())
    assert result.added == 1 and [r["source"] for r in store.memory_entries()] == [PAIRS[0][0]]
    assert result.skipped == [f"{path}: unit 1 not imported: its Chinese is Traditional (zh-TW); memory holds "
                              "the Simplified Chinese zaitun translates",
                              f"{path}: unit 2 not imported: its Chinese is Traditional (zh-Hant-HK); memory "
                              "holds the Simplified Chinese zaitun translates"]
    assert "外國人" not in export_tmx(store).decode()


def test_units_with_the_same_chinese_keep_the_first_english_and_report_the_other(tmp_path):
    store = new_store(tmp_path)
    path = write_tmx(tmp_path / "x.tmx", tu(*PAIRS[0]) + tu(PAIRS[0][0], "Foreigners can enter.") + tu(*PAIRS[0]))
    result = import_tmx(store, path, Glossary())
    assert (result.added, result.updated) == (1, 0)
    assert store.memory_lookup([PAIRS[0][0]]) == {PAIRS[0][0]: PAIRS[0][1]}
    assert result.skipped == [f"{path}: unit 2 not imported: unit 1 has the same Chinese '外国人可以入境。' with "
                              "other English ('Foreign nationals may enter.'), which is kept; remove one of them"]


def test_a_unit_longer_than_a_whole_document_may_be_is_skipped(tmp_path):
    store = new_store(tmp_path)
    path = write_tmx(tmp_path / "x.tmx", tu("外" * 400_000, "Foreign.") + tu(*PAIRS[0]))
    result = import_tmx(store, path, Glossary())
    assert result.added == 1 and store.memory_lookup(["外" * 400_000]) == {}
    assert result.skipped == [f"{path}: unit 1 not imported: its text has 1200000 bytes, more than a whole "
                              "document may have (limits.text_bytes 1000000)"]


def test_tmx_1_1_lang_attributes_are_read(tmp_path):
    path = write_tmx(tmp_path / "x.tmx", tu(*PAIRS[0], "ZH-CN", attr="lang"))
    assert read_tmx(path) == ([PAIRS[0]], [])


def test_formatting_codes_are_dropped_and_units_with_placeholders_skipped(tmp_path):
    path = write_tmx(tmp_path / "x.tmx",
                     tu('请拨打<bpt i="1">&lt;b&gt;</bpt>12367<ept i="1">&lt;/b&gt;</ept>热线<hi>咨询</hi>。',
                        'Call the <bpt i="1">&lt;b&gt;</bpt>12367<ept i="1">&lt;/b&gt;</ept> hotline.')
                     + tu('请拨打<ph x="1">{phone}</ph>。', 'Call <ph x="1">{phone}</ph>.'))
    pairs, skipped = read_tmx(path)
    assert pairs == [("请拨打12367热线咨询。", "Call the 12367 hotline.")]
    assert skipped == [f"{path}: unit 2 not imported: its zh-CN text holds a placeholder (<ph>) standing for "
                       "text or markup that plain-text memory cannot keep"]


def test_a_tmx_declaring_entities_is_refused_naming_the_file(tmp_path):
    path = write_tmx(tmp_path / "x.tmx", tu(PAIRS[0][0], "&x; may enter."),
                     doctype='<!DOCTYPE tmx [<!ENTITY x "Foreign nationals">]>')
    with pytest.raises(ZaitunError, match=f"^{path}: refused: it declares entities in a DTD \\(x\\)"):
        import_tmx(new_store(tmp_path), path, Glossary())


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


def test_memory_a_disabled_account_vouched_for_is_drafted_but_never_approved_in_its_name(tmp_path):
    """`zaitun user disable` stops an account taken over: what it put into the memory waits for a reviewer."""
    from zaitun.review.users import disable

    project = make_project(tmp_path)
    store = open_ingested(project)
    quick_user(store, "ana")
    quick_user(store, "boss", role="admin")
    remember(store, [(STAY, STAY_EN)])  # vouched for by ana
    disable(store, "ana", actor="boss")
    report = pipeline.translate(project, store, engine=OfflineEngine())
    assert (drafts_by_source(report)[STAY].origin, drafts_by_source(report)[STAY].target) == ("memory", STAY_EN)
    assert {s.source: s.state for s in segment_states(store, "notice")}[STAY] == "draft"
    assert store.latest_release("notice") is None


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
    back = {e.zh: (e.en, e.forbidden, e.note) for e in read_tbx(path).entries}
    assert back == {e.zh: (e.en, e.forbidden, e.note) for e in glossary.by_term.values()}
    assert back["宣传部"][1][0] == "Propaganda Department" and "Department of Propaganda" in back["宣传部"][1]


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
    assert result.skipped == ["宣传部: the glossary has this term already (terms.csv:3)"]
    assert dest.read_text(encoding="utf-8") == "zh,en,forbidden,note\n厦门,Xiamen,Amoy,not Amoy\n"
    assert load_glossary(project.glossary_dir).by_term["厦门"].forbidden == ("Amoy",)
    with pytest.raises(GlossaryError, match="already exists"):
        import_tbx(tbx, project.glossary_dir)


def test_a_tbx_with_no_term_the_glossary_lacks_writes_no_file(tmp_path):
    project = make_project(tmp_path / "p")
    tbx = tmp_path / "again.tbx"
    tbx.write_bytes(export_tbx(load_glossary(project.glossary_dir)))
    dest, result = import_tbx(tbx, project.glossary_dir)
    assert dest is None and result.entries == [] and result.skipped
    assert not (project.glossary_dir / "again.csv").exists()


def test_a_glossary_csv_given_to_the_tbx_import_is_named_as_no_tbx_not_as_a_name_taken(tmp_path):
    project = make_project(tmp_path / "p")
    [csv] = sorted(project.glossary_dir.glob("*.csv"))[:1]
    with pytest.raises(GlossaryError, match=f"^{csv}: not a readable TBX file"):
        import_tbx(csv, project.glossary_dir)


def write_tbx(path: Path, entries: str, doctype: str = "") -> Path:
    """A TBX file as a terminology tool writes it, holding `entries` (<termEntry> elements)."""
    path.write_text(f"""<?xml version="1.0" encoding="utf-8"?>{doctype}
<martif type="TBX-Basic" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc>
</martifHeader><text><body>{entries}</body></text></martif>""", encoding="utf-8")
    return path


def tig(term: str, status: str = "") -> str:
    note = f'<termNote type="administrativeStatus">{status}Term-admn-sts</termNote>' if status else ""
    return f"<tig><term>{term}</term>{note}</tig>"


def ntig(term: str, status: str = "") -> str:
    note = f'<termNote type="administrativeStatus">{status}Term-admn-sts</termNote>' if status else ""
    return f"<ntig><termGrp><term>{term}</term>{note}</termGrp></ntig>"


def term_entry(zh: str, *english: str, zh_lang: str = "zh", en_lang: str = "en") -> str:
    return (f'<termEntry><langSet xml:lang="{zh_lang}">{zh}</langSet>'
            f'<langSet xml:lang="{en_lang}">{"".join(english)}</langSet></termEntry>')


def test_tbx_preferred_term_is_the_rendering_whatever_its_place_and_superseded_ones_are_forbidden(tmp_path):
    path = write_tbx(tmp_path / "t.tbx",
                     term_entry(tig("厦门"), tig("Amoy", "superseded"), tig("Xiamen City", "admitted"),
                                tig("Xiamen", "preferred"), tig("Hsiamen", "obsolete"))
                     + term_entry(tig("泉州"), tig("Zayton", "notRecommended"), tig("Quanzhou", "admitted")))
    read = read_tbx(path)
    assert [(e.zh, e.en, e.forbidden) for e in read.entries] == [("厦门", "Xiamen", ("Amoy", "Hsiamen")),
                                                                  ("泉州", "Quanzhou", ("Zayton",))]
    assert read.skipped == []
    assert read.notes == ["entry 1 (厦门): 'Xiamen City' (admitted) left out: the glossary keeps one rendering, "
                          "'Xiamen'"]


def noted(term: str, *statuses: tuple[str, str]) -> str:
    """A term with termNotes as other tools write them: (type, text) each."""
    notes = "".join(f'<termNote type="{kind}">{text}</termNote>' for kind, text in statuses)
    return f"<tig><term>{term}</term>{notes}</tig>"


def test_tbx_statuses_written_another_way_or_of_no_known_kind_never_make_a_term_approved(tmp_path):
    """A deprecated term written "Deprecated Term" became the approved rendering; one both standardized and
    deprecated too; one of a status the import does not know was ranked as if it had none."""
    admin, norm = "administrativeStatus", "normativeAuthorization"
    path = write_tbx(tmp_path / "t.tbx",
                     term_entry(tig("新闻办"), noted("Propaganda Office of Information", (admin, "Deprecated Term")))
                     + term_entry(tig("网信办"), tig("Cyberspace Affairs Office", "preferred"),
                                  noted("Internet Police Office", (admin, "deprecated term")))
                     + term_entry(tig("宣传部"), noted("Propaganda Department", (norm, "standardizedTerm"),
                                                     (admin, "deprecatedTerm-admn-sts")),
                                  tig("Publicity Department"))
                     + term_entry(tig("外办"), noted("Waiban", (admin, "forbidden")), noted("FAO", (admin, "draft")),
                                  tig("Foreign Affairs Office", "admitted")))
    read = read_tbx(path)
    assert [(e.zh, e.en, e.forbidden) for e in read.entries] == [
        ("新闻办", "", ("Propaganda Office of Information",)),
        ("网信办", "Cyberspace Affairs Office", ("Internet Police Office",)),
        ("宣传部", "Publicity Department", ("Propaganda Department",)),
        ("外办", "Foreign Affairs Office", ("Waiban",))]
    assert any(note.startswith("entry 4 (外办): 'FAO' left out, its status 'draft' is none the import knows")
               for note in read.notes), read.notes


def test_tbx_language_subtags_and_ntig_terms_are_read_and_traditional_entries_skipped_with_why(tmp_path):
    path = write_tbx(tmp_path / "t.tbx",
                     term_entry(ntig("外国人"), ntig("alien", "deprecated"), ntig("foreign national", "preferred"),
                                zh_lang="zh-CN", en_lang="en-GB")
                     + term_entry(tig("泉州"), tig("Quanzhou"), zh_lang="zh-Hans", en_lang="en-US")
                     + term_entry(tig("外國人"), tig("foreign national"), zh_lang="zh-TW")
                     + term_entry(tig("机场"), tig("aerodrome", "deprecated")))
    read = read_tbx(path)
    assert [(e.zh, e.en, e.forbidden) for e in read.entries] == [
        ("外国人", "foreign national", ("alien",)), ("泉州", "Quanzhou", ()), ("机场", "", ("aerodrome",))]
    assert read.skipped == ["entry 3 (外國人): its Chinese is Traditional only; the glossary is Simplified Chinese"]
    assert read.notes == ["entry 4 (机场): no approved English term; written with an empty en column (fill it in), "
                          "its forbidden renderings refused meanwhile"]


SPECIAL = ["hot|line", "a|b|c", "C:\\x", "back\\", "a\\|b", "(PRC)", "[x]+", "a.b*c", "$5^", "C++", "ＦＵＬＬ",
           "Zh\u200bongguo"]


def test_tbx_forbidden_terms_holding_bars_backslashes_and_regex_characters_are_caught_and_round_trip(tmp_path):
    """`|` separates a CSV's forbidden renderings: one inside a rendering is escaped, never split or left out."""
    project = make_project(tmp_path / "p")
    path = write_tbx(tmp_path / "special.tbx", term_entry(tig("热线"), tig("hotline", "preferred"),
                                                          *(tig(escape(t), "deprecated") for t in SPECIAL)))
    dest, result = import_tbx(path, project.glossary_dir)
    glossary = load_glossary(project.glossary_dir)
    assert (glossary.by_term["热线"].forbidden, result.notes, glossary.problems) == (tuple(SPECIAL), [], [])
    for term in SPECIAL:
        assert [found for found, _ in forbidden_renderings("热线", f"Call the {term} now.", glossary)] == [term]
    assert forbidden_renderings("热线", "Call the hotline: line a, b or c in C.", glossary) == []
    exported = tmp_path / "again.tbx"
    exported.write_bytes(export_tbx(glossary))
    assert {e.zh: e.forbidden for e in read_tbx(exported).entries}["热线"] == tuple(SPECIAL)
    csv_text = io.StringIO()
    write_csv([glossary.by_term["热线"]], csv_text)
    assert csv_text.getvalue() == dest.read_text(encoding="utf-8")
    assert parse_file(dest)[0][0].forbidden == tuple(SPECIAL)


def test_a_tbx_term_whose_rendering_holds_one_forbidden_for_a_term_inside_it_is_a_conflict_never_approved(tmp_path):
    """宣传部门 "propaganda departments" from a TBX beside 宣传部 (never "Propaganda Department"): the import names the
    conflict, and a reviewer's memory pair saying so is drafted flagged, not approved from memory nor by the gate."""
    source = "宣传部门负责解释。"
    project = make_project(tmp_path / "p", document=DOCUMENT_HEAD + f"{source}\n")
    path = write_tbx(tmp_path / "partner.tbx", term_entry(tig("宣传部门"), tig("propaganda departments", "preferred")))
    dest, _ = import_tbx(path, project.glossary_dir)
    assert [str(p) for p in load_glossary(project.glossary_dir).problems] == [
        f"{dest}:2: 宣传部门: its rendering 'propaganda departments' holds 'Propaganda Department', which terms.csv:3 "
        "forbids for 宣传部 (a term 宣传部门 holds); render it otherwise (until then segments holding 宣传部门 are "
        "flagged for review)"]
    store = open_ingested(project)
    remember(store, [(source, "Propaganda departments interpret it.")])  # vouched for by ana
    report = pipeline.translate(project, store, engine=OfflineEngine())
    assert {"glossary", "forbidden"} <= {i["check"] for i in drafts_by_source(report)[source].issues}
    segment = {s.source: s for s in segment_states(store, "notice")}[source]
    assert segment.state == "draft"
    assert TranslateGate(project, store).approve("notice", {segment.seg_id: segment.version}) == 0
    store.close()


DOCUMENT_HEAD = "---\ntitle: 通知\ndate: 2025-01-01\n---\n\n"


def test_a_tbx_declaring_entities_is_refused_naming_the_file(tmp_path):
    path = write_tbx(tmp_path / "t.tbx", term_entry(tig("外国人"), tig("&x;")),
                     doctype='<!DOCTYPE martif [<!ENTITY x "alien">]>')
    with pytest.raises(GlossaryError, match=f"^{path}: refused: it declares entities in a DTD \\(x\\)"):
        read_tbx(path)


@pytest.mark.parametrize(("root", "name"), [('<tmx version="1.4"><body/></tmx>', "tmx"),
                                            ('<tbx xmlns="urn:iso:std:iso:30042:ed-2"><text/></tbx>', "tbx")])
def test_a_well_formed_file_of_another_kind_is_refused_naming_it_and_its_root(tmp_path, root, name):
    project = make_project(tmp_path / "p")
    path = tmp_path / "partner.tbx"
    path.write_text(f'<?xml version="1.0"?>{root}', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(project.root), "glossary", "import",
                           str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"{path}: not a TBX 2 file: its root element is <{name}>, not <martif>" in done.stderr + done.stdout


def test_a_memory_entry_rewritten_by_an_approval_from_memory_before_is_corrected_by_the_next_tmx(tmp_path):
    """Earlier releases remembered an approval from memory as a review by "memory": not a person's to keep."""
    project = make_project(tmp_path / "p")
    store = open_ingested(project)
    wrong = STAY_EN.replace("10 days", "10 hours")
    with store.tx() as conn:
        store.remember(conn, STAY, wrong, origin="review", approved_by="memory")  # as those releases left it
    write_tm(project, tmp_path, {STAY: STAY_EN})
    assert pipeline.translate(project, store, engine=OfflineEngine()).summary()["tmx_imported"] == {"approved.tmx": 1}
    assert store.memory_lookup([STAY]) == {STAY: STAY_EN}


def test_no_account_may_be_named_as_zaitun_itself_approves(tmp_path):
    from zaitun.review.users import add_user

    store = open_ingested(make_project(tmp_path / "p"))
    for name in ("memory", "Memory", "zaitun"):
        with pytest.raises(ReviewError, match="reserved"):
            add_user(store, name, "reviewer", "a long enough passphrase")


def zaitun(project, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(project.root), *args],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_glossary_line_with_no_english_yet_keeps_its_forbidden_renderings_through_export_and_import(tmp_path):
    """Such a line is enforced (QA, the gate, the build refuse its forbidden renderings): an export dropped it,
    so a project importing the glossary let "visa card" through."""
    source = make_project(tmp_path / "p")
    with (source.glossary_dir / "terms.csv").open("a", encoding="utf-8") as f:
        f.write("签证,,visa card|visum,not agreed yet\n")
    banned = ("签证", "", ("visa card", "visum"), "not agreed yet")
    csv_text = zaitun(source, "glossary", "export", "--format", "csv").stdout
    assert "签证,,visa card|visum,not agreed yet" in csv_text.splitlines()
    (tmp_path / "exported.csv").write_text(csv_text, encoding="utf-8")
    assert [(e.zh, e.en, e.forbidden, e.note) for e in parse_file(tmp_path / "exported.csv")[0]
            if e.zh == "签证"] == [banned]
    zaitun(source, "glossary", "export", "--format", "tbx", "--output", str(tmp_path / "partner.tbx"))
    target = make_project(tmp_path / "q")
    (target.glossary_dir / "terms.csv").unlink()
    said = zaitun(target, "glossary", "import", str(tmp_path / "partner.tbx"))
    assert "skipped" not in said.stderr and "wrote 6 term(s)" in said.stdout
    glossary = load_glossary(target.glossary_dir)
    assert [(e.zh, e.en, e.forbidden, e.note) for e in glossary.bans] == [banned]
    assert [found for found, _ in forbidden_renderings("请办理签证。", "Apply for a Visa Card.", glossary)] == [
        "Visa Card"]
    assert len(glossary.by_term) == len(load_glossary(source.glossary_dir).by_term)  # the rest came over too


DISGUISED = {  # "Propaganda Department" as a page shows it, written so that a plain comparison misses it
    "greek omicron": "Pr\u03bfpaganda Department",
    "cyrillic a": "Prop\u0430ganda Department",
    # letters no hand-made table had: Greek rho, Latin script g and alpha, Armenian n, Cyrillic ghe
    "greek rho": "Pro\u03c1aganda Department",
    "latin script g and alpha": "Propa\u0261\u0251nda Department",
    "armenian n": "Propaga\u0578da Department",
    "cyrillic ghe": "Propaganda Depa\u0433tment",
    "reversed by U+202E": "\u202etnemtrapeD adnagaporP\u202c",
}
TITLE_EN = "The Publicity Department of the CPC Quanzhou Municipal Committee ({}) issued a notice"


@pytest.mark.parametrize("disguised", DISGUISED.values(), ids=DISGUISED.keys())
def test_a_forbidden_rendering_in_look_alike_letters_or_reversed_is_not_imported(tmp_path, disguised):
    project = make_project(tmp_path / "p")
    store = open_ingested(project)
    write_tmx(project.tm_dir / "approved.tmx", tu(TITLE, TITLE_EN.format(disguised)))
    [result] = load_project_tmx(store, project.tm_dir, load_glossary(project.glossary_dir)).values()
    assert result.added == 0 and store.memory_lookup([TITLE]) == {}
    assert "Propaganda Department\" is a forbidden rendering" in result.skipped[0].replace(disguised, "Propaganda "
                                                                                          "Department")
    store.close()


@pytest.mark.parametrize("disguised", DISGUISED.values(), ids=DISGUISED.keys())
def test_memory_approval_never_approves_a_disguised_forbidden_rendering(tmp_path, disguised):
    project = make_project(tmp_path, "[review]\nauto_approve_memory = false\n")
    store = open_ingested(project)
    remember(store, [(TITLE, TITLE_EN.format(disguised))])
    pipeline.translate(project, store, engine=OfflineEngine())
    title = {s.source: s for s in segment_states(store, "notice")}[TITLE]
    assert "forbidden" in {i["check"] for i in title.issues}
    assert TranslateGate(project, store).approve("notice", {title.seg_id: title.version}) == 0
    assert {s.source: s.state for s in segment_states(store, "notice")}[TITLE] == "draft"


def test_a_memory_english_of_invisible_characters_only_is_empty_and_waits_for_a_reviewer(tmp_path):
    project = make_project(tmp_path / "p")
    store = open_ingested(project)
    write_tmx(project.tm_dir / "approved.tmx", tu(STAY, "\u200b\u2060"))
    report = pipeline.translate(project, store, engine=OfflineEngine())
    assert [i["check"] for i in drafts_by_source(report)[STAY].issues] == ["empty"]
    assert {s.source: s.state for s in segment_states(store, "notice")}[STAY] == "draft"
    store.close()


def test_two_project_tmx_files_giving_one_chinese_other_english_keep_the_first_and_name_both(tmp_path):
    """Two files of tm/ disagreeing on one Chinese: not whichever file is read last winning unsaid, but the pair
    memory took first kept and the other named with both files, as two units of one file are."""
    store, tm = new_store(tmp_path), tmp_path / "tm"
    tm.mkdir()
    zh, first, other = PAIRS[0][0], PAIRS[0][1], "Foreigners can come in."
    write_tm = [(name, new_store(tmp_path, f"{name}.db")) for name in ("a", "b")]
    remember(write_tm[0][1], [(zh, first)])
    remember(write_tm[1][1], [(zh, other), PAIRS[1]])
    for name, source in write_tm:
        (tm / f"{name}.tmx").write_bytes(export_tmx(source))
    loaded = load_project_tmx(store, tm, Glossary())
    assert {row["source"]: row["target"] for row in store.memory_entries()} == {zh: first, PAIRS[1][0]: PAIRS[1][1]}
    [note] = loaded["b.tmx"].skipped
    assert note.startswith(f"{tm / 'b.tmx'}: ") and f"{tm / 'a.tmx'} gives it other English" in note
    assert repr(first) in note and loaded["b.tmx"].added == 1
    (tm / "a.tmx").write_bytes(export_tmx(write_tm[1][1]))  # a.tmx corrected to agree: its own pair is replaced
    load_project_tmx(store, tm, Glossary())
    assert {row["source"]: row["target"] for row in store.memory_entries()}[zh] == other


def test_a_project_tmx_file_removed_from_tm_vouches_for_nothing_and_what_it_approved_comes_back_to_review(tmp_path):
    """Its pairs stayed in memory in the name of a file no longer there, approving every exact match with no
    reviewer: now they are forgotten, the segments approved from them are drafted again for a reviewer (the
    release online stays until one is approved), and the file put back is taken in again."""
    project = make_project(tmp_path / "p")
    store = open_ingested(project)
    write_tm(project, tmp_path, ALL_EN)
    pipeline.translate(project, store, engine=OfflineEngine())
    released = store.latest_release("notice")["id"]
    assert {s.state for s in segment_states(store, "notice")} == {"approved"}
    (project.tm_dir / "approved.tmx").rename(tmp_path / "approved.tmx")
    said = zaitun(project, "translate").stdout
    assert f"memory: forgot {len(ALL_EN)} pair(s) of tm/approved.tmx, no longer in tm/" in said
    assert store.memory_entries() == []
    states = {s.source: s for s in segment_states(store, "notice")}
    assert {states[zh].state for zh in ALL_EN} == {"draft"}
    assert {states[zh].translation["origin"] for zh in ALL_EN} != {"memory"}
    assert store.latest_release("notice")["id"] == released  # no new release: nobody approved anything
    assert "approved.tmx" not in zaitun(project, "translate").stdout  # forgotten once
    (tmp_path / "approved.tmx").rename(project.tm_dir / "approved.tmx")  # put back: taken in again
    again = pipeline.translate(project, store, engine=OfflineEngine())
    assert again.summary()["tmx_imported"] == {"approved.tmx": len(ALL_EN)}
    assert {s.state for s in segment_states(store, "notice")} == {"approved"}


def test_a_project_tmx_file_renamed_keeps_what_it_approved(tmp_path):
    project = make_project(tmp_path / "p")
    store = open_ingested(project)
    write_tm(project, tmp_path, ALL_EN)
    pipeline.translate(project, store, engine=OfflineEngine())
    (project.tm_dir / "approved.tmx").rename(project.tm_dir / "approved-2026.tmx")
    again = pipeline.translate(project, store, engine=OfflineEngine())
    assert again.count() == 0 and {s.state for s in segment_states(store, "notice")} == {"approved"}
    assert {e["approved_by"] for e in store.memory_entries()} == {"tmx:approved-2026.tmx"}


def test_when_one_of_two_disagreeing_project_tmx_files_is_removed_the_others_english_is_taken(tmp_path):
    store, tm = new_store(tmp_path), tmp_path / "tm"
    tm.mkdir()
    zh, first, other = PAIRS[0][0], PAIRS[0][1], "Foreigners can come in."
    for name, english in (("a", first), ("b", other)):
        source = new_store(tmp_path, f"{name}.db")
        remember(source, [(zh, english)])
        (tm / f"{name}.tmx").write_bytes(export_tmx(source))
    load_project_tmx(store, tm, Glossary())
    (tm / "a.tmx").unlink()
    loaded = load_project_tmx(store, tm, Glossary())
    assert loaded["a.tmx"].forgotten == 1 and loaded["b.tmx"].added == 1
    assert [(e["target"], e["approved_by"]) for e in store.memory_entries()] == [(other, "tmx:b.tmx")]


def test_memory_is_left_as_it_is_when_tm_is_not_there(tmp_path):
    """A tm/ folder missing (a share not mounted) is not every file removed."""
    store, tm = new_store(tmp_path), tmp_path / "tm"
    tm.mkdir()
    source = new_store(tmp_path, "a.db")
    remember(source, PAIRS[:1])
    (tm / "a.tmx").write_bytes(export_tmx(source))
    load_project_tmx(store, tm, Glossary())
    (tm / "a.tmx").unlink()
    tm.rmdir()
    assert load_project_tmx(store, tm, Glossary()) == {} and len(store.memory_entries()) == 1


def test_a_pair_a_reviewer_rejected_stays_out_of_memory_when_its_tmx_file_changes_for_another_reason(tmp_path):
    """vera rejects the wrong English the project's file gave a sentence; the translator later adds another pair to
    that file: the whole file is taken in again, but not the rejected pair, so no sentence is approved with it."""
    project = make_project(tmp_path / "p")
    store = open_ingested(project)
    quick_user(store, "vera")
    write_tm(project, tmp_path, ALL_EN)
    pipeline.translate(project, store, engine=OfflineEngine())
    stay = {s.source: s for s in segment_states(store, "notice")}[STAY]
    gate.reject(store, "notice", stay.seg_id, "vera", "hours for days", seen=stay.version)
    assert store.memory_lookup([STAY]) == {}
    write_tm(project, tmp_path, ALL_EN | {"另一句。": "Another sentence."})
    again = pipeline.translate(project, store, engine=OfflineEngine())
    [note] = again.summary()["tmx_skipped"]
    assert f"{STAY!r} not imported: vera rejected this English for it (" in note
    assert store.memory_lookup([STAY, "另一句。"]) == {"另一句。": "Another sentence."}
    assert {s.source: s for s in segment_states(store, "notice")}[STAY].state != "approved"

    stay = {s.source: s for s in segment_states(store, "notice")}[STAY]  # a reviewer approves it after all
    gate.edit(store, "notice", stay.seg_id, ALL_EN[STAY], "vera", approve_now=True,
              glossary=load_glossary(project.glossary_dir))
    assert store.memory_rejections() == {}
    write_tm(project, tmp_path, ALL_EN)
    assert pipeline.translate(project, store, engine=OfflineEngine()).summary()["tmx_skipped"] == []


def test_a_broken_tmx_in_tm_is_left_out_named_and_stops_no_translation(tmp_path):
    """One bad file never stops anyone else's work: the other memory file is taken in, the documents are drafted
    and approved from it, and the pass names the broken file (exit status 1, `zaitun status`) until it is mended."""
    project = make_project(tmp_path / "p")
    open_ingested(project).close()
    write_tm(project, tmp_path, {STAY: STAY_EN})
    (project.tm_dir / "broken.tmx").write_text("<tmx version='1.4'><body><tu>", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(project.root), "translate"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "broken.tmx" in done.stderr and "left out" in done.stderr
    assert "memory: loaded 1 pair(s) from tm/approved.tmx" in done.stdout
    store = Store.open(project.database_url)
    assert {s.source: s.state for s in segment_states(store, "notice")}[STAY] == "approved"
    assert "broken.tmx" in zaitun(project, "status").stdout
    (project.tm_dir / "broken.tmx").unlink()
    zaitun(project, "translate")  # mended (here: taken away): nothing left to say
    assert "broken.tmx" not in zaitun(project, "status").stdout


def test_a_chinese_reviewers_approved_two_ways_is_drafted_from_memory_but_not_approved_unread(tmp_path):
    """否 is "No, a visa is not required" in one table and "No, it cannot be extended" in the next: memory keeps
    the newest, and a third document's 否 waits for a reviewer to read which fits there."""
    project = make_project(tmp_path)
    store = open_ingested(project)
    remember(store, [(STAY, STAY_EN.replace("10 days", "ten days"))])
    remember(store, [(STAY, STAY_EN)])  # another reviewer, another document
    remember(store, [(TERM, "The Publicity Department")] * 2)  # the same English twice: no doubt
    report = pipeline.translate(project, store, engine=OfflineEngine())
    stay, term = drafts_by_source(report)[STAY], drafts_by_source(report)[TERM]
    assert (stay.origin, stay.target) == ("memory", STAY_EN)
    assert [i["check"] for i in stay.issues] == ["memory-contested"]
    assert "(“Foreign nationals transiting via" in stay.issues[0]["message"]  # the other English, shortened
    states = {s.source: s.state for s in segment_states(store, "notice")}
    assert states[STAY] == "draft" and states[TERM] == "approved" and term.issues == []
