"""QA of the number a heading or list item opens with (三、, （三）, (1), 1.): rendered with another number
("4." for 三、) or none, it is flagged, so a memory match holding it waits for a reviewer; written in any form a
real translation uses ("III.", "3.", "(c)", "Article 3"), it passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from translate_support import approved_pairs, drafts_by_source, make_project, open_ingested, write_tm

from zaitun import pipeline
from zaitun.state.segments import segment_states
from zaitun.translate.checks import check_translation
from zaitun.translate.engines import OfflineEngine
from zaitun.translate.glossary import load_glossary

REPO = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(REPO / "glossary")
PART, MEASURE = "三、其他事项", "（三）依法保障外商投资企业市场准入和公平竞争。"
ITEM, POINT = "（1）便利办理外国人来华商贸签证。", "2．外国人可以在线申请。"
DOCUMENT = f"""\
---
title: 若干措施
date: 2025-01-01
---

## {PART}

### {MEASURE}

{ITEM}

{POINT}
"""


def list_issues(source: str, target: str) -> list[str]:
    return [i["message"] for i in check_translation(source, target, GLOSSARY) if "list number" in i["message"]]


def test_a_memory_match_numbering_a_part_or_measure_otherwise_waits_for_a_reviewer(tmp_path):
    project = make_project(tmp_path / "p", document=DOCUMENT)  # memory matches are approved at once by default
    store = open_ingested(project)
    write_tm(project, tmp_path, {
        PART: "IV. Other matters",
        MEASURE: "(4) Guarantee market access and fair competition for foreign-invested enterprises by law.",
        ITEM: "(2) Make it easier for foreign nationals to obtain business visas.",
        POINT: "Foreign nationals may apply online.",
    })
    drafts = drafts_by_source(pipeline.translate(project, store, engine=OfflineEngine()))
    assert {source: [i["message"] for i in drafts[source].issues if "list number" in i["message"]]
            for source in (PART, MEASURE, ITEM, POINT)} == {
        PART: ['list number 三、 (3) reads "IV." in the English: number it 3 as the Chinese does ("III.")'],
        MEASURE: ['list number （三） (3) reads "(4)" in the English: number it 3 as the Chinese does ("3.")'],
        ITEM: ['list number （1） reads "(2)" in the English: number it 1 as the Chinese does ("(1)")'],
        POINT: ['list number 2． is missing at the start of the English: begin it with "2." as the Chinese '
                'begins with it'],
    }
    states = {s.source: s.state for s in segment_states(store, "notice")}
    assert [states[s] for s in (PART, MEASURE, ITEM, POINT)] == ["draft"] * 4
    store.close()


def test_a_memory_match_with_the_same_list_number_is_approved_from_memory(tmp_path):
    project = make_project(tmp_path / "p", document=DOCUMENT)
    store = open_ingested(project)
    write_tm(project, tmp_path, {PART: "III. Other matters", POINT: "2. Foreign nationals may apply online."})
    pipeline.translate(project, store, engine=OfflineEngine())
    states = {s.source: s.state for s in segment_states(store, "notice")}
    assert (states[PART], states[POINT]) == ("approved", "approved")
    store.close()


@pytest.mark.parametrize(("source", "target"), [
    ("三、申请条件", "4. Eligibility"),
    ("三、申请条件", "Eligibility"),
    ("（三）申请条件", "(4) Eligibility"),
    ("（三）申请条件", "Article 4 Eligibility"),
    ("(3)申请条件", "(4) Eligibility"),
    ("3.申请条件", "4. Eligibility"),
    ("3、申请条件", "Eligibility (3)"),
    ("3．申请条件", "IV. Eligibility"),
    ("（十一）提升外籍友人就医便利。", "12. Make it easier for foreign friends to obtain medical care."),
    ("**（三）牵头单位**", "**(4) Lead units**"),
    ("### （二）建立政企沟通服务机制。", "### Third, establish a communication mechanism."),
])
def test_a_list_number_rendered_otherwise_or_dropped_is_flagged(source, target):
    assert len(list_issues(source, target)) == 1


@pytest.mark.parametrize(("source", "target"), [
    ("三、申请条件", "III. Eligibility"),
    ("三、申请条件", "3. Eligibility"),
    ("三、申请条件", "Part III Eligibility"),
    ("（三）申请条件", "3. Eligibility"),
    ("（三）申请条件", "(3) Eligibility"),
    ("（三）申请条件", "(c) Eligibility"),
    ("（三）申请条件", "(iii) Eligibility"),
    ("（三）申请条件", "3) Eligibility"),
    ("（三）申请条件", "Third, eligibility"),
    ("（三）申请条件", "Measure 3: eligibility"),
    ("(3)申请条件", "(3) Eligibility"),
    ("3.申请条件", "3. Eligibility"),
    ("3、申请条件", "3\\. Eligibility"),
    ("３．申请条件", "3. Eligibility"),
    ("（十一）提升外籍友人就医便利。", "11. Make it easier for foreign friends to obtain medical care."),
    ("十一、其他事项", "XI. Other matters"),  # the number check reads no 11 there, nor needs to
    ("**（三）牵头单位**", "**3. Lead units**"),
    ("## 四、其他事项", "## IV. Other matters"),
    ("### （二）建立政企沟通服务机制。", "### Second, establish a communication mechanism."),
    # not list numbers: an amount, a hotline, "first- and second-grade", "lines 1 and 2", a year
    ("1.5万元以下的，予以补贴。", "Amounts under 15,000 yuan are subsidised."),
    ("12345热线外籍人士服务专线", "Foreigner Service Line of the 12345 Hotline"),
    ("一、二级医院均可就诊。", "Both first- and second-grade hospitals treat patients."),
    ("1、2号线均可到达。", "Lines 1 and 2 both go there."),
    ("2021年，泉州列入世界遗产名录。", "In 2021, Quanzhou was inscribed on the World Heritage List."),
])
def test_a_list_number_in_any_form_a_translation_uses_passes(source, target):
    assert list_issues(source, target) == []
    assert [i for i in check_translation(source, target, GLOSSARY) if i["check"] == "number"] == []


def test_a_structure_label_numbered_otherwise_is_flagged_by_the_glossary():
    """第三条 is a structure label: the glossary check wants "Article 3", so the list check leaves it alone."""
    issues = check_translation("第三条 本办法适用于全市。", "Article 4 These measures apply to the whole city.",
                               GLOSSARY)
    assert issues == [{"check": "term", "message": '第三条 must be rendered "Article 3" (glossary structure label)'}]


def test_no_approved_translation_is_flagged_by_the_list_number_check():
    pairs = approved_pairs()
    numbered = [zh for zh, _ in pairs if zh.startswith(("一、", "二、", "（一）", "（1）"))]
    flagged = {zh: issues for zh, en in pairs if (issues := list_issues(zh, en))}
    assert len(pairs) > 250 and len(numbered) >= 4 and flagged == {}
