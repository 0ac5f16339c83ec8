import copy

import pytest
from conftest import write_doc
from lxml import etree
from review_support import FRONT, SLUG, draft_all, quick_user, read_unflagged, review_project, run, terms
from translate.storage.xliff2 import Xliff2File

from zaitun import pipeline
from zaitun.content.intake import ingest
from zaitun.errors import ReviewError
from zaitun.review import gate
from zaitun.review.users import issue_token
from zaitun.review.xliff import NS, ZT, export_xliff, import_xliff
from zaitun.state.segments import BESIDE_CHANGED, MEMORY_CONTESTED, MEMORY_REJECTED, MOVED, segment_states
from zaitun.translate.engines import OfflineEngine

X = f"{{{NS}}}"


@pytest.fixture
def exported(tmp_path):
    project, store = review_project(tmp_path)
    ids = draft_all(store)
    quick_user(store, "alice")
    quick_user(store, "eve", role="editor")
    gate.approve(store, SLUG, gate.shown(segment_states(store, SLUG), ids[:1]), "alice", glossary=terms(project))
    yield project, store, ids, export_xliff(store, SLUG)
    store.close()


def retarget(data: bytes, targets: dict[str, str], state: str | None = None, sources: dict | None = None) -> bytes:
    """What a translator's CAT tool hands back: some targets (and maybe states) changed."""
    root = etree.fromstring(data)
    for unit in root.iter(f"{X}unit"):
        segment = unit.find(f"{X}segment")
        if unit.get("id") in targets:
            segment.find(f"{X}target").text = targets[unit.get("id")]
            if state:
                segment.set("state", state)
        if sources and unit.get("id") in sources:
            segment.find(f"{X}source").text = sources[unit.get("id")]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_export_is_xliff_2_with_segment_ids_sources_targets_and_states(exported):
    _project, store, ids, data = exported
    units = Xliff2File.parsestring(data).units  # an independent XLIFF 2.0 reader
    assert [u.getid() for u in units] == ids
    assert [u.source for u in units] == [s["source"] for s in store.segments(SLUG)]
    assert units[1].target == "EN 1: 政策概况"
    root = etree.fromstring(data)
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "zh", "en")
    assert [s.get("state") for s in root.iter(f"{X}segment")] == ["final"] + ["translated"] * 4


def test_round_trip_stores_translators_work_as_drafts_by_the_importer(exported):
    project, store, ids, data = exported
    unchanged = import_xliff(project, store, data, "alice")
    assert unchanged.updated == [] and len(unchanged.unchanged) == 5 and unchanged.refused == {}
    back = retarget(data, {ids[1]: "Policy overview", ids[2]: "Foreign nationals may use visa-free transit."},
                    state="final")
    report = import_xliff(project, store, back, "alice")
    assert report.updated == [f"{SLUG}/{ids[1]}", f"{SLUG}/{ids[2]}"] and report.approved == []
    segs = {s.seg_id: s for s in segment_states(store, SLUG)}
    assert segs[ids[1]].target == "Policy overview" and segs[ids[1]].state == "draft"
    assert segs[ids[1]].translation["created_by"] == "alice"
    assert export_xliff(store, SLUG).count(b"Policy overview") == 1


def test_final_units_are_approved_only_when_the_importer_asks(exported):
    project, store, ids, data = exported
    back = retarget(data, {ids[1]: "Policy overview"}, state="final")
    report = import_xliff(project, store, back, "alice", approve_final=True)
    assert report.approved == [f"{SLUG}/{ids[1]}"]
    seg = next(s for s in segment_states(store, SLUG) if s.seg_id == ids[1])
    assert seg.state == "approved" and seg.translation["reviewed_by"] == "alice"


def test_a_final_unit_holding_a_forbidden_rendering_is_stored_as_a_draft_not_approved(exported):
    project, store, ids, data = exported
    back = retarget(data, {ids[2]: "Aliens may use visa-free transit."}, state="final")
    report = import_xliff(project, store, back, "alice", approve_final=True)
    assert report.approved == [] and "forbidden rendering of 外国人" in report.not_approved[f"{SLUG}/{ids[2]}"]
    seg = segment_states(store, SLUG)[2]
    assert (seg.target, seg.state) == ("Aliens may use visa-free transit.", "draft")


def test_a_final_unit_never_approves_or_replaces_a_draft_saved_after_the_export(exported):
    project, store, ids, data = exported
    gate.edit(store, SLUG, ids[1], "Saved after the export", "alice", glossary=terms(project))
    gate.edit(store, SLUG, ids[2], "Also saved after the export", "alice", glossary=terms(project))
    back = retarget(data, {ids[1]: "Policy overview"}, state="final")
    back = retarget(back, {ids[2]: "EN 2: " + segment_states(store, SLUG)[2].source}, state="final")
    report = import_xliff(project, store, back, "alice", approve_final=True)
    assert set(report.refused) == {f"{SLUG}/{ids[1]}", f"{SLUG}/{ids[2]}"} and report.approved == []
    assert "Saved after the export" in report.refused[f"{SLUG}/{ids[1]}"]
    segs = {s.seg_id: s for s in segment_states(store, SLUG)}
    assert (segs[ids[1]].target, segs[ids[1]].state) == ("Saved after the export", "draft")
    assert (segs[ids[2]].target, segs[ids[2]].state) == ("Also saved after the export", "draft")


def test_units_whose_chinese_changed_are_refused_one_by_one(exported):
    project, store, ids, data = exported
    path = project.content_dir / "guides" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("240小时", "10天"), encoding="utf-8")
    ingest(project, store)
    back = retarget(data, {ids[2]: "Foreign nationals may use visa-free transit.", ids[3]: "The stay is 240 hours."})
    report = import_xliff(project, store, back, "alice")
    assert report.updated == [f"{SLUG}/{ids[2]}"]
    assert list(report.refused) == [f"{SLUG}/{ids[3]}"]
    assert "no longer in the document" in report.refused[f"{SLUG}/{ids[3]}"]
    assert report.lines() == [f"refused {SLUG}/{ids[3]}: " + report.refused[f"{SLUG}/{ids[3]}"]]


def test_a_unit_whose_source_text_differs_is_refused(exported):
    project, store, ids, data = exported
    back = retarget(data, {ids[4]: "Call 12367."}, sources={ids[4]: "请拨打12345热线咨询。"})
    report = import_xliff(project, store, back, "alice")
    assert "source no longer matches" in report.refused[f"{SLUG}/{ids[4]}"]
    assert segment_states(store, SLUG)[4].target == "EN 4: 请拨打12367热线咨询。"


def test_import_needs_a_reviewer_and_a_real_xliff_file(exported):
    project, store, _ids, data = exported
    with pytest.raises(ReviewError, match="editor"):
        import_xliff(project, store, data, "eve")
    with pytest.raises(ReviewError, match="XLIFF"):
        import_xliff(project, store, b"<html/>", "alice")
    entity = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
              b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0"><file id="visa">'
              b'<unit id="u"><segment><source>&e;</source><target>x</target></segment></unit></file></xliff>')
    with pytest.raises(ReviewError, match="DOCTYPE") as refused:
        import_xliff(project, store, entity, "alice")
    assert "root:" not in str(refused.value)  # the external entity was not read


def cli_import(project, store, tmp_path, data: bytes, *args: str):
    """`zaitun review import-xliff FILE ARGS` as alice, the reviewer who imports."""
    path = tmp_path / "back.xlf"
    path.write_bytes(data)
    return run(project, "review", "import-xliff", str(path), *args, token=issue_token(store, "alice", actor="test"))


def all_final(data: bytes) -> bytes:
    """A CAT tool's "mark everything final"."""
    root = etree.fromstring(data)
    for segment in root.iter(f"{X}segment"):
        segment.set("state", "final")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_approve_final_leaves_units_qa_flags_as_drafts_and_names_the_flags(exported, tmp_path):
    project, store, ids, data = exported
    back = all_final(retarget(data, {ids[1]: "Policy overview", ids[3]: "The stay is 240 小 时."}))
    result = cli_import(project, store, tmp_path, back, "--approve-final")
    assert result.exit_code == 1
    assert (f"not approved {SLUG}/{ids[3]}, left as a draft: flagged: Chinese characters or full-width "
            "punctuation left in the English: 小 时; review it in the UI or CLI") in result.output
    assert "approved 1, not approved 3," in result.output  # ids[2] and ids[4] still hold Chinese
    segs = segment_states(store, SLUG)
    assert [s.state for s in segs] == ["approved", "approved", "draft", "draft", "draft"]
    assert segs[3].target == "The stay is 240 小 时." and segs[3].issues and not segs[3].unflagged_draft


def test_approve_final_leaves_a_unit_holding_a_carriage_return_as_a_draft(exported, tmp_path):
    """`&#13;` in a final unit (a line break to Markdown, a heading of its own on the page) is flagged as a line
    break is, so not approved unread."""
    project, store, ids, data = exported
    back = all_final(retarget(data, {ids[1]: "Policy overview\r# Visa-free transit is suspended"}))
    assert b"&#13;" in back
    result = cli_import(project, store, tmp_path, back, "--approve-final")
    assert f"not approved {SLUG}/{ids[1]}, left as a draft: flagged: the English holds a carriage return" \
        in result.output
    assert segment_states(store, SLUG)[1].state == "draft"


def test_approve_final_leaves_a_unit_without_zt_version_as_a_draft(exported, tmp_path):
    project, store, ids, data = exported
    root = etree.fromstring(retarget(data, {ids[1]: "Policy overview"}, state="final"))
    for unit in root.iter(f"{X}unit"):
        del unit.attrib[f"{{{ZT}}}version"]
    result = cli_import(project, store, tmp_path, etree.tostring(root), "--approve-final")
    assert result.exit_code == 1 and "approved 0, not approved 1," in result.output
    assert f"not approved {SLUG}/{ids[1]}, left as a draft: it has no zt:version" in result.output
    seg = segment_states(store, SLUG)[1]
    assert (seg.target, seg.state) == ("Policy overview", "draft")


def test_an_xliff_with_a_doctype_is_refused_naming_the_file(exported, tmp_path):
    project, store, ids, data = exported
    back = retarget(data, {ids[1]: "@@"}).replace(b"@@", b"&x;").replace(
        b"?>", b'?>\n<!DOCTYPE xliff [<!ENTITY x "Policy overview">]>', 1)
    result = cli_import(project, store, tmp_path, back)
    assert isinstance(result.exception, ReviewError) and result.exit_code == 1
    assert str(result.exception).startswith(f"{tmp_path / 'back.xlf'}: refused: it has a DOCTYPE")
    assert segment_states(store, SLUG)[1].target == "EN 1: 政策概况"


@pytest.mark.parametrize("handed_back", ["Policy overvue", "Policy\u00a0overvue", "Policy \u200bovervue",
                                         "Pοlicy overvue"])  # a no-break space, a zero-width one, an omicron
def test_approve_final_never_approves_english_a_reviewer_rejected_handed_back_unchanged(exported, handed_back):
    """A CAT tool marks units final on its own; the English a reviewer rejected comes back as it was, or as it
    reads: spaced or spelt with characters a reader cannot tell from those rejected."""
    project, store, ids, _ = exported
    gate.edit(store, SLUG, ids[1], "Policy overvue", "alice", glossary=terms(project))
    gate.reject(store, SLUG, ids[1], "alice", "misspelt", seen=segment_states(store, SLUG)[1].version)
    quick_user(store, "bob")
    back = retarget(export_xliff(store, SLUG), {ids[1]: handed_back}, state="final")
    report = import_xliff(project, store, back, "bob", approve_final=True)
    assert report.approved == []
    assert report.not_approved[f"{SLUG}/{ids[1]}"].startswith("it is the English alice rejected (misspelt)")
    seg = segment_states(store, SLUG)[1]
    assert (seg.target, seg.state) == ("Policy overvue", "rejected")


def split_unit(data: bytes, unit_id: str, english: tuple[str | None, str], states: tuple[str, str]) -> bytes:
    """The unit as a CAT tool splits it: its Chinese in two segments, each with its own target (or none) and
    state."""
    root = etree.fromstring(data)
    unit = next(u for u in root.iter(f"{X}unit") if u.get("id") == unit_id)
    first = unit.find(f"{X}segment")
    chinese = first.find(f"{X}source").text
    second = etree.SubElement(unit, f"{X}segment")
    etree.SubElement(second, f"{X}source").text = chinese[len(chinese) // 2:]
    first.find(f"{X}source").text = chinese[:len(chinese) // 2]
    for segment, en, state in zip((first, second), english, states, strict=True):
        target = segment.find(f"{X}target")
        if en is None and target is not None:
            segment.remove(target)
        elif en is not None:
            (target if target is not None else etree.SubElement(segment, f"{X}target")).text = en
        segment.set("state", state)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize(("english", "states", "stored"), [
    # the first part not translated yet: half the English is neither approved nor stored
    ((None, "may use visa-free transit."), ("initial", "final"), "EN 2: 外国人可以过境免签。"),
    # the first part translated but not final: the whole is a draft
    (("Foreign nationals ", "may use visa-free transit."), ("translated", "final"),
     "Foreign nationals may use visa-free transit."),
])
def test_a_unit_split_in_segments_is_final_only_when_every_segment_is(exported, english, states, stored):
    project, store, ids, data = exported
    report = import_xliff(project, store, split_unit(data, ids[2], english, states), "alice", approve_final=True)
    seg = segment_states(store, SLUG)[2]
    assert report.approved == [] and seg.state != "approved" and seg.target == stored, report.lines()
    if english[0] is None:
        assert report.refused == {f"{SLUG}/{ids[2]}": "segment 1 of this unit has no target: translate every "
                                                     "segment, then import it"}


def another_document(project, store, slug: str = "hotline") -> str:
    """A second document in review, sharing no sentence with the first."""
    write_doc(project.root, f"guides/{slug}.md", FRONT, "## 热线\n\n外籍人士可拨打12345热线。服务时间为全天。\n")
    ingest(project, store)
    return slug


def test_a_file_whose_id_names_another_document_is_refused_whole_in_one_message(exported, tmp_path):
    project, store, ids, data = exported
    other = another_document(project, store)
    back = all_final(retarget(data, {ids[1]: "Policy overview"})).replace(
        f'id="{SLUG}"'.encode(), f'id="{other}"'.encode()).replace(
        f"guides/{SLUG}.md".encode(), f"guides/{other}.md".encode())
    result = cli_import(project, store, tmp_path, back, "--approve-final")
    assert result.exit_code == 1
    refusal, summary = result.output.splitlines()
    assert refusal.startswith(f"refused {other}: none of this <file>'s 5 unit ids is a segment of document '{other}', "
                              "now or before: its <file id> was edited, or it was exported for another document; "
                              "nothing of it was imported")
    assert summary == "updated 0, approved 0, not approved 0, unchanged 0, refused 1"
    assert store.current_translations(other) == {}
    assert [s.target for s in segment_states(store, SLUG)][1] == "EN 1: 政策概况"


def test_a_file_whose_id_names_no_document_is_refused_whole_in_one_message(exported):
    project, store, ids, data = exported
    back = retarget(data, {ids[1]: "Policy overview"}).replace(f'id="{SLUG}"'.encode(), b'id="no-such-guide"')
    report = import_xliff(project, store, back, "alice")
    assert list(report.refused) == ["no-such-guide"] and report.updated == []
    assert report.refused["no-such-guide"].startswith("no document 'no-such-guide' in review: this <file>'s id "
                                                      "names none")


def test_a_unit_of_another_document_among_the_files_own_is_refused_as_never_its_segment(exported):
    project, store, ids, data = exported
    other = another_document(project, store)
    stray = segment_states(store, other)[0].seg_id
    back = retarget(data, {ids[1]: "Policy overview"}).replace(f'id="{ids[2]}"'.encode(), f'id="{stray}"'.encode())
    report = import_xliff(project, store, back, "alice")
    assert report.updated == [f"{SLUG}/{ids[1]}"]
    assert report.refused == {f"{SLUG}/{stray}": f"document '{SLUG}' never had this segment: check the unit id, "
                                                 "or export the document again"}


def test_a_file_whose_every_chinese_sentence_changed_since_the_export_is_refused_unit_by_unit(exported):
    """Segments the document once had are its own: the file is stale, not another document's."""
    project, store, ids, data = exported
    path = project.content_dir / "guides" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("概况", "简介").replace("指南", "说明")
                    .replace("。", "！"),
                    encoding="utf-8")
    ingest(project, store)
    assert not {s.seg_id for s in segment_states(store, SLUG)} & set(ids)
    report = import_xliff(project, store, retarget(data, {ids[1]: "Policy overview"}), "alice")
    assert set(report.refused) == {f"{SLUG}/{seg_id}" for seg_id in ids}
    assert all("no longer in the document" in why for why in report.refused.values())


def test_a_unit_id_twice_in_a_file_refuses_the_file_naming_the_line_and_the_id(exported, tmp_path):
    """A copy of the approved unit with another target would otherwise be saved over the approval."""
    project, store, ids, data = exported
    root = etree.fromstring(retarget(data, {ids[1]: "Policy overview"}))
    copied = copy.deepcopy(next(root.iter(f"{X}unit")))
    copied.find(f"{X}segment/{X}target").text = "Transit without a visa"
    root.find(f"{X}file").append(copied)
    back = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    first, second = [u.sourceline for u in etree.fromstring(back).iter(f"{X}unit") if u.get("id") == ids[0]]
    result = cli_import(project, store, tmp_path, back)
    assert isinstance(result.exception, ReviewError) and result.exit_code == 1
    assert str(result.exception).startswith(
        f"{tmp_path / 'back.xlf'}: refused: line {second}: unit id {ids[0]!r} again in <file id='{SLUG}'> "
        f"(first at line {first}); XLIFF 2.0 wants unit ids unique within a file")
    segs = segment_states(store, SLUG)
    assert (segs[0].state, segs[0].target) == ("approved", "EN 0: " + segs[0].source)
    assert segs[1].target == "EN 1: 政策概况"


FEES = "## 收费标准\n\n以下费用自2025年起执行。\n\n| 项目 | 收费（元） |\n|---|---|\n| 签证办理费 | 100 |\n"
ENGLISH = {"过境免签指南": "Visa-free transit guide", "收费标准": "Fees", "以下费用自2025年起执行。":
           "The following fees apply from 2025.", "项目": "Item", "收费（元）": "Fee (yuan)", "签证办理费": "Visa fee",
           "100": "100", "999": "999"}


def translated_by_xliff(project, store, tmp_path, reviewer: str, *args: str, touch=lambda text: text):
    """The document exported with `review export-xliff`, every unit not approved given English and marked final
    (a CAT tool's "confirm all"; `touch` applied to the English it held), and imported with `review import-xliff
    ARGS` by `reviewer`."""
    out = tmp_path / "out.xlf"
    assert run(project, "review", "export-xliff", SLUG, "-o", str(out)).exit_code == 0
    root = etree.fromstring(out.read_bytes())
    for segment in root.iter(f"{X}segment"):
        if segment.get("state") != "final":
            target = segment.find(f"{X}target")
            if target is None or not (target.text or "").strip():
                target = etree.SubElement(segment, f"{X}target") if target is None else target
                target.text = ENGLISH[segment.find(f"{X}source").text]
            else:
                target.text = touch(target.text)
            segment.set("state", "final")
    out.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return run(project, "review", "import-xliff", str(out), *args, token=issue_token(store, reviewer, actor="test"))


@pytest.mark.parametrize("touch", [lambda text: text, lambda text: text.replace(" ", "\u00a0", 1)],
                         ids=["unchanged", "a no-break space"])
def test_approve_final_leaves_a_draft_sent_back_beside_changed_numbers_as_a_draft(tmp_path, touch):
    """The fee beside 签证办理费 changed: its English comes back flagged `beside-changed` for a reader, and a CAT
    tool's "confirm all" handed back unchanged (or as a reader sees it unchanged: a space made a no-break one) does
    not approve it over the flag; the other units are approved."""
    project, store = review_project(tmp_path / "proj", body=FEES)
    quick_user(store, "alice")
    quick_user(store, "bob")
    pipeline.translate(project, store, engine=OfflineEngine())
    first = translated_by_xliff(project, store, tmp_path, "alice", "--approve-final")
    assert first.exit_code == 0, first.output
    assert store.latest_release(SLUG) is not None
    path = project.content_dir / "guides" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("| 100 |", "| 999 |"), encoding="utf-8")
    ingest(project, store)
    pipeline.translate(project, store, engine=OfflineEngine())
    fee = next(s for s in segment_states(store, SLUG) if s.source == "签证办理费")
    assert fee.state == "draft" and fee.issues[0]["check"] == BESIDE_CHANGED
    exported = export_xliff(store, SLUG)

    result = translated_by_xliff(project, store, tmp_path, "bob", "--approve-final", touch=touch)
    assert result.exit_code == 1, result.output
    assert f"not approved {SLUG}/{fee.seg_id}, left as a draft: flagged: {fee.issues[0]['message']}" in result.output
    assert "approved 0, not approved 1," in result.output
    now = next(s for s in segment_states(store, SLUG) if s.seg_id == fee.seg_id)
    assert (now.state, now.target, now.issues) == ("draft", fee.target, fee.issues)
    assert store.latest_release(SLUG)["raw_hash"] != store.document(SLUG)["raw_hash"]  # 999 is not online
    # the translator saw the flag: the export carries it as a note on the unit
    unit = next(u for u in etree.fromstring(exported).iter(f"{X}unit") if u.get("id") == fee.seg_id)
    note = unit.find(f"{X}notes/{X}note")
    assert (note.get("category"), note.get("priority"), note.text) == (BESIDE_CHANGED, "1", fee.issues[0]["message"])


def test_approve_final_approves_english_the_translator_rewrote_for_a_flagged_draft(exported, tmp_path):
    """A flag stored with the draft holds that English; English the translator wrote instead is checked on its own,
    as an edit in the review UI replaces the flagged draft."""
    project, store, ids, _ = exported
    with store.tx() as conn:
        seg = segment_states(store, SLUG, conn)[1]
        store.add_translation(conn, SLUG, seg.seg_id, seg.source, "Policy overview", origin="engine",
                              replaces=seg.translation, issues=[{"check": "placeholder", "message": "the engine "
                                                                 "dropped a link; add it back"}])
    back = retarget(export_xliff(store, SLUG), {ids[1]: "Policy overview"}, state="final")
    report = import_xliff(project, store, back, "alice", approve_final=True)
    assert report.approved == [] and report.not_approved == {
        f"{SLUG}/{ids[1]}": "flagged: the engine dropped a link; add it back; review it in the UI or CLI"}
    report = import_xliff(project, store, retarget(export_xliff(store, SLUG), {ids[1]: "Overview of the policy"},
                                                   state="final"), "alice", approve_final=True)
    assert report.approved == [f"{SLUG}/{ids[1]}"]
    seg = segment_states(store, SLUG)[1]
    assert (seg.state, seg.target, seg.issues) == ("approved", "Overview of the policy", [])


@pytest.mark.parametrize("flag", [MOVED, BESIDE_CHANGED, MEMORY_REJECTED, MEMORY_CONTESTED])
def test_english_imported_for_a_flagged_draft_keeps_the_flags_of_where_it_stands(exported, flag):
    """A draft flagged for where its segment stands (moved, beside-changed, memory-rejected...) and given new English
    by a translator keeps that flag, so "approve all unflagged" leaves it to a reviewer; a flag about the old English
    goes with it, and QA checks the new English."""
    project, store, ids, _ = exported
    situation = {"check": flag, "message": f"{flag}: check that its English fits here"}
    with store.tx() as conn:
        seg = segment_states(store, SLUG, conn)[3]
        store.add_translation(conn, SLUG, seg.seg_id, seg.source, seg.target, origin="engine", replaces=seg.translation,
                              issues=[situation, {"check": "placeholder", "message": "the engine dropped a link"}])
    back = retarget(export_xliff(store, SLUG), {ids[3]: "The stay is 240 小 时."})
    assert import_xliff(project, store, back, "alice").updated == [f"{SLUG}/{ids[3]}"]
    seg = segment_states(store, SLUG)[3]
    assert (seg.state, seg.target, seg.translation["created_by"]) == ("draft", "The stay is 240 小 时.", "alice")
    assert [i["check"] for i in seg.issues] == [flag, "chinese"] and seg.issues[0] == situation
    assert not seg.unflagged_draft
    assert ids[3] not in gate.approve_unflagged(store, SLUG, read_unflagged(store), "alice",
                                                glossary=terms(project)).approved


def test_a_translators_rewrite_of_a_draft_sent_back_beside_changed_numbers_stays_flagged(tmp_path):
    """The fee beside 签证办理费 changed, and a translator rewrote its English: imported without `--approve-final`,
    the new draft still says what changed beside it, so no bulk approval takes it unread."""
    project, store = review_project(tmp_path / "proj", body=FEES)
    quick_user(store, "alice")
    pipeline.translate(project, store, engine=OfflineEngine())
    assert translated_by_xliff(project, store, tmp_path, "alice", "--approve-final").exit_code == 0
    path = project.content_dir / "guides" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("| 100 |", "| 999 |"), encoding="utf-8")
    ingest(project, store)
    pipeline.translate(project, store, engine=OfflineEngine())
    fee = next(s for s in segment_states(store, SLUG) if s.source == "签证办理费")
    assert fee.issues[0]["check"] == BESIDE_CHANGED

    result = translated_by_xliff(project, store, tmp_path, "alice", touch=lambda text: "Visa application fee")
    assert result.exit_code == 0, result.output
    now = next(s for s in segment_states(store, SLUG) if s.seg_id == fee.seg_id)
    assert (now.state, now.target, now.issues) == ("draft", "Visa application fee", fee.issues[:1])
    assert fee.seg_id not in read_unflagged(store)


@pytest.mark.parametrize(("old", "new", "said"), [
    (b'trgLang="en"', b'trgLang="fr"', "its <xliff> trgLang is 'fr', not English"),
    (b'srcLang="zh"', b'srcLang="ja"', "its <xliff> srcLang is 'ja', not Simplified Chinese"),
    (b'srcLang="zh"', b'srcLang="zh-TW"', "its <xliff> srcLang is Traditional Chinese, not Simplified Chinese"),
    (b' trgLang="en"', b"", "its <xliff> trgLang is missing, not English"),
    (b"<target>Bonjour", b'<target xml:lang="fr">Bonjour', "<target> xml:lang is 'fr', not English"),
])
def test_a_file_that_is_not_chinese_to_english_is_refused_whole_naming_the_attribute(exported, tmp_path, old, new,
                                                                                     said):
    project, store, ids, data = exported
    back = all_final(retarget(data, {ids[1]: "Bonjour", ids[2]: "Foreign nationals may use visa-free transit."}))
    assert old in back
    result = cli_import(project, store, tmp_path, back.replace(old, new, 1), "--approve-final")
    assert isinstance(result.exception, ReviewError) and result.exit_code == 1
    assert str(result.exception).startswith(f"{tmp_path / 'back.xlf'}: refused: ")
    assert said in str(result.exception) and "nothing of it was imported" in str(result.exception)
    assert [s.state for s in segment_states(store, SLUG)] == ["approved"] + ["draft"] * 4
    assert segment_states(store, SLUG)[1].target == "EN 1: 政策概况"


@pytest.mark.parametrize(("src", "trg"), [("zh-CN", "en-US"), ("zh-Hans", "en-GB"), ("zh_CN", "EN")])
def test_a_file_in_a_variant_of_chinese_to_english_is_taken(exported, src, trg):
    """The tags TMX and TBX imports read as Simplified Chinese and English."""
    project, store, ids, data = exported
    back = retarget(data, {ids[1]: "Policy overview"}, state="final").replace(
        b'srcLang="zh"', f'srcLang="{src}"'.encode()).replace(b'trgLang="en"', f'trgLang="{trg}"'.encode())
    assert import_xliff(project, store, back, "alice", approve_final=True).approved == [f"{SLUG}/{ids[1]}"]


def test_export_marks_a_segment_with_no_english_initial_without_a_target_and_carries_its_flags(tmp_path):
    """XLIFF 2.0 lets a segment have no <target> in state initial only: a draft the engine left empty is not
    translated. Its QA flag (translate this segment) goes with it as a note."""
    project, store = review_project(tmp_path / "proj")
    pipeline.translate(project, store, engine=OfflineEngine())
    empty = [s for s in segment_states(store, SLUG) if s.state == "draft" and not s.target.strip()]
    assert empty and all(s.issues for s in empty)
    units = {u.get("id"): u for u in etree.fromstring(export_xliff(store, SLUG)).iter(f"{X}unit")}
    for seg in empty:
        segment = units[seg.seg_id].find(f"{X}segment")
        assert segment.get("state") == "initial" and segment.find(f"{X}target") is None
        assert [(n.get("category"), n.text) for n in units[seg.seg_id].iter(f"{X}note")] == [
            (i["check"], i["message"]) for i in seg.issues]
    assert len(Xliff2File.parsestring(export_xliff(store, SLUG)).units) == len(units)
