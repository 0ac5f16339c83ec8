"""QA of percentages against changes in percentage points: 10个百分点 written "10%" (or 10% written "10
percentage points") keeps the value, so only this check sees the amount changed; and 百分点 is no 100."""

from __future__ import annotations

from pathlib import Path

import pytest
from translate_support import approved_pairs, drafts_by_source, make_project, open_ingested, tu, write_tmx

from zaitun import pipeline
from zaitun.state.segments import segment_states
from zaitun.translate.checks import check_translation
from zaitun.translate.engines import OfflineEngine
from zaitun.translate.glossary import load_glossary

REPO = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(REPO / "glossary")
RISE, RATE = "外资企业数量同比增长3个百分点。", "申请通过率达到90%。"


def number_issues(source: str, target: str) -> list[str]:
    return [i["message"] for i in check_translation(source, target, GLOSSARY) if i["check"] == "number"]


def test_memory_matches_with_points_and_percent_swapped_wait_and_correct_ones_are_approved(tmp_path):
    document = f"---\ntitle: 统计\ndate: 2025-01-01\n---\n\n{RISE}\n\n{RATE}\n"
    project = make_project(tmp_path / "p", document=document)  # memory matches are approved at once by default
    store = open_ingested(project)
    write_tmx(project.tm_dir / "approved.tmx",
              tu(RISE, "The number of foreign-invested enterprises rose by 3% year on year.")
              + tu(RATE, "The approval rate for applications reached 90 percentage points."))
    drafts = drafts_by_source(pipeline.translate(project, store, engine=OfflineEngine()))
    assert {s: [i["message"] for i in drafts[s].issues] for s in (RISE, RATE)} == {
        RISE: ['3 percentage points in the Chinese reads 3 percent in the English, not the same amount: write '
               '"3 percentage points"'],
        RATE: ['90 percent in the Chinese reads 90 percentage points in the English, not the same amount: write '
               '"90 percent"']}
    assert {s.source: s.state for s in segment_states(store, "notice")}[RISE] == "draft"

    write_tmx(project.tm_dir / "approved.tmx",
              tu(RISE, "The number of foreign-invested enterprises rose by 3 percentage points year on year."))
    drafts = drafts_by_source(pipeline.translate(project, store, engine=OfflineEngine()))
    assert drafts[RISE].issues == []  # 百分点 is no "100" missing from the English
    assert {s.source: s.state for s in segment_states(store, "notice")}[RISE] == "approved"
    store.close()


@pytest.mark.parametrize(("source", "target"), [
    ("增长10个百分点。", "An increase of 10%."),
    ("增长10个百分点。", "An increase of 10 per cent."),
    ("提高三个百分点，达到30%。", "Up 3% to 30 percentage points."),
    ("增长10%。", "An increase of 10 percentage points."),
    ("增长百分之十。", "Up 10 points."),
])
def test_points_written_as_percent_or_the_reverse_are_flagged(source, target):
    assert any("not the same amount" in m for m in number_issues(source, target))


@pytest.mark.parametrize(("source", "target"), [
    ("增长10个百分点。", "An increase of 10 percentage points."),
    ("增长10个百分点。", "Up 10 points."),
    ("增长10个百分点。", "A rise of 10 pp."),
    ("提高三个百分点，达到30%。", "Up 3 percentage points to 30%."),
    ("提高三个百分点，达到30%。", "Up three percentage points to 30 percent."),
    ("增长10%。", "An increase of 10 percent."),
    ("增长10%。", "A 10-percent increase."),
    ("增长百分之十。", "An increase of 10 per cent."),
    ("占比百分之五十。", "It accounts for 50% of the total."),
])
def test_points_and_percent_in_their_own_words_pass(source, target):
    assert number_issues(source, target) == []


def test_no_approved_translation_is_flagged_by_the_number_checks():
    pairs = approved_pairs()
    flagged = {zh: issues for zh, en in pairs if (issues := number_issues(zh, en))}
    assert len(pairs) > 250 and flagged == {}
