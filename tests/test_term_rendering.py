"""An approved rendering counts only as a word of the English (inflected too: "ports", "transiting"), never
inside another word: "passport" does not render 口岸 "port", nor "transition" 过境 "transit". Before, such
English passed QA and memory holding it was approved at once with the term never rendered."""

from pathlib import Path

import pytest
from translate_support import drafts_by_source, make_project, open_ingested, tu, write_tmx

from zaitun import pipeline
from zaitun.state.segments import segment_states
from zaitun.translate.checks import check_translation
from zaitun.translate.engines import OfflineEngine
from zaitun.translate.glossary import load_glossary

ENTRY, TRANSIT = "经口岸入境须查验护照。", "外国人可以过境。"
DOCUMENT = f"---\ntitle: 入境须知\ndate: 2025-01-01\n---\n\n{ENTRY}\n\n{TRANSIT}\n"
TERMS = "zh,en,forbidden,note\n口岸,port,,\n过境,transit,,\n入境,entry,,\n护照,passport,,\n"


def project_with(tmp_path: Path, memory: dict[str, str]):
    project = make_project(tmp_path, document=DOCUMENT)
    (project.glossary_dir / "immigration.csv").write_text(TERMS, encoding="utf-8")
    write_tmx(project.tm_dir / "approved.tmx", "".join(tu(zh, en) for zh, en in memory.items()))
    return project


def test_a_rendering_found_only_inside_another_word_is_flagged_and_memory_waits(tmp_path):
    project = project_with(tmp_path, {ENTRY: "Passports are checked on entry at the checkpoint.",
                                      TRANSIT: "Foreign nationals may make the transition."})
    store = open_ingested(project)
    report = pipeline.translate(project, store, engine=OfflineEngine())
    drafts = drafts_by_source(report)
    assert any(i["check"] == "term" and i["message"].startswith('口岸 must be rendered "port"')
               for i in drafts[ENTRY].issues), drafts[ENTRY].issues
    assert any(i["check"] == "term" and i["message"].startswith('过境 must be rendered "transit"')
               for i in drafts[TRANSIT].issues), drafts[TRANSIT].issues
    assert {s.source: s.state for s in segment_states(store, "notice")}[ENTRY] == "draft"
    assert {s.source: s.state for s in segment_states(store, "notice")}[TRANSIT] == "draft"
    store.close()


@pytest.mark.parametrize(("source", "target"), [
    (ENTRY, "Passports are checked on entry at the port."),
    (ENTRY, "Passports are checked on entry at all ports."),
    (ENTRY, "The port's officers check passports on entry."),
    (TRANSIT, "Foreign nationals may transit."),
    (TRANSIT, "Foreign nationals transiting here may stay."),
    (TRANSIT, "Foreign nationals who transited may stay."),
])
def test_a_rendering_as_a_word_inflected_or_possessive_is_not_flagged(tmp_path, source, target):
    (tmp_path / "immigration.csv").write_text(TERMS, encoding="utf-8")
    issues = check_translation(source, target, load_glossary(tmp_path))
    assert [i for i in issues if i["check"] == "term"] == []
