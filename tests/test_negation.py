"""QA of prohibitions: 不得, 禁止, 不予 rendered with no "not" of any kind read as permissions, so they are
flagged and a memory match holding one waits for a reviewer; every way English says "not" passes."""

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
WORK = "持停留证件的外国人不得在华工作。"


def negation_issues(source: str, target: str) -> list[str]:
    return [i["message"] for i in check_translation(source, target, GLOSSARY) if i["check"] == "negation"]


def test_a_memory_match_dropping_a_prohibition_waits_for_a_reviewer(tmp_path):
    project = make_project(tmp_path / "p", document=f"---\ntitle: 须知\ndate: 2025-01-01\n---\n\n{WORK}\n")
    store = open_ingested(project)
    write_tmx(project.tm_dir / "approved.tmx",
              tu(WORK, "Foreign nationals holding a stay permit may work in China."))
    drafts = drafts_by_source(pipeline.translate(project, store, engine=OfflineEngine()))
    assert [i["message"] for i in drafts[WORK].issues] == [
        'the Chinese says 不得 (not, prohibited) but the English has no "not", "no" or "prohibited": check that '
        'it still forbids what the Chinese forbids']
    assert {s.source: s.state for s in segment_states(store, "notice")}[WORK] == "draft"
    store.close()


@pytest.mark.parametrize(("source", "target"), [
    (WORK, "Foreign nationals holding a stay permit may work in China."),
    ("禁止携带易燃易爆物品。", "Carrying flammable and explosive items is allowed."),
    ("材料不全的，不予受理。", "Incomplete applications will be accepted."),
    ("请勿在公共场所吸烟。", "Please smoke in public places."),
    ("严禁酒后驾驶。", "Drink-driving is strictly regulated."),
    # the "not" of another clause does not stand for this one's
    ("个人不得转让；单位可以申请。", "Individuals may transfer; units may not apply."),
    ("持停留证件的外国人不得在华工作。未满十六周岁的不需要申请。",
     "Foreign nationals holding a stay permit may work in China. Those under sixteen need not apply."),
    # the English has more or fewer clauses: the clauses at the prohibition's place in the segment
    ("持停留证件的外国人不得在华工作。未满十六周岁的不需要申请，可直接入境。",
     "Foreign nationals holding a stay permit may work in China; those under sixteen need not apply. "
     "They may enter directly."),
    ("请勿在公共场所吸烟，未成年人不需要出示证件。", "Please smoke in public places. Minors need not show ID."),
    ("禁止吸烟。禁止饮食。请勿触摸展品。", "No smoking, eating or drinking. Please touch the exhibits."),
    # a glossary term takes its whole length in the segment, so "Only" of the first clause is not this one's
    ("仅由市行政服务中心管委会受理申请，不得代办，申请人须本人到场。",
     "Only the Administrative Committee of the Quanzhou Administrative Service Center accepts applications. "
     "Agents may apply for others. Applicants must be present in person."),
])
def test_a_prohibition_rendered_as_a_permission_is_flagged(source, target):
    assert len(negation_issues(source, target)) == 1


@pytest.mark.parametrize(("source", "target"), [
    (WORK, "Foreign nationals holding a stay permit may not work in China."),
    (WORK, "Foreign nationals holding a stay permit shall not take up employment in China."),
    (WORK, "Foreign nationals holding a stay permit are prohibited from working in China."),
    (WORK, "Foreign nationals holding a stay permit mustn't work in China."),
    (WORK, "Working in China is forbidden to foreign nationals holding a stay permit."),
    (WORK, "A stay permit does not allow foreign nationals to work in China."),
    ("如不能按时办理的，应说明理由。", "If an application fails to be processed in time, the reasons must be given."),
    ("如不能按时办理的，应说明理由。", "Where processing in time is impossible, the reasons must be given."),
    ("禁止携带易燃易爆物品。", "No flammable or explosive items."),
    ("禁止携带易燃易爆物品。", "Flammable and explosive items are banned."),
    ("材料不全的，不予受理。", "Incomplete applications will be rejected."),
    ("材料不全的，不予受理。", "Incomplete applications are refused."),
    ("请勿在公共场所吸烟。", "Please refrain from smoking in public places."),
    ("请勿在公共场所吸烟。", "Never smoke in public places."),
    ("过境须前往第三国（地区），不能返回出发地。",
     "The transit must lead on to a third country or region, not back to the place of departure."),
    # not prohibitions: a limit (the role check's), force majeure, "had to", "indispensable"
    ("停留时间不得超过30天。", "You may stay up to 30 days."),
    ("每次停留不应超过30天。", "Each stay should be 30 days at most."),
    ("申请人不要求提供担保。", "A guarantee is optional for applicants."),  # 不要求: "not required"
    ("因不可抗力导致的延误。", "Delays caused by force majeure."),
    ("不得不推迟活动。", "The event had to be postponed."),
    ("人才是不可或缺的。", "Talent is indispensable."),
    # clause by clause
    ("个人不得转让；单位可以申请。", "Individuals may not transfer; units may apply."),
    ("单位可以申请；个人不得转让。", "Units may apply, but individuals may not transfer."),  # clauses joined
    ("禁止吸烟。禁止饮食。", "No smoking. No food or drink."),
    # more or fewer clauses in the English: merged, split at commas, or a condition put after its rule
    ("禁止吸烟。禁止饮食。", "Smoking, eating and drinking are prohibited."),
    ("外国人不得在华工作，持有工作许可的除外。",
     "Foreign nationals may not work in China. Holders of a work permit are the exception."),
    ("申请人应当如实填写申请表，不得隐瞒有关情况或者提供虚假材料，并对材料的真实性负责。",
     "Applicants must fill in the application form truthfully; they must not conceal relevant information or "
     "provide false materials. They are responsible for the authenticity of their materials."),
    ("如不能按时办理的，应说明理由。",
     "Reasons must be given. This applies where processing cannot be completed in time."),
    ("仅由市行政服务中心管委会受理申请，不得代办，申请人须本人到场。",
     "Only the Administrative Committee of the Quanzhou Administrative Service Center accepts applications. "
     "Agents may not apply for others. Applicants must be present in person."),
    ("不得逾期，外国人入境后应当在24小时内办理住宿登记。",  # the rule moved to a sentence of its own
     "Foreign nationals must register their accommodation within 24 hours of entry. No delay is allowed."),
])
def test_every_way_english_says_not_passes(source, target):
    assert negation_issues(source, target) == []


def test_no_approved_translation_is_flagged_by_the_negation_check():
    pairs = approved_pairs()
    with_prohibition = [zh for zh, _ in pairs if any(w in zh for w in ("不得", "不能"))]
    flagged = {zh: issues for zh, en in pairs if (issues := negation_issues(zh, en))}
    assert len(pairs) > 250 and len(with_prohibition) >= 3 and flagged == {}
