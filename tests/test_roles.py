"""QA of what dates and numbers do: a start date rendered as the end, a maximum as a notice period, a
document number's year and serial changed places. Every value is still in the English, so the number
check cannot see these; many correct renderings of the same Chinese must stay unflagged."""

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
VALIDITY = "本措施自2025年1月1日起施行，有效期至2026年12月31日。"
STAY = "外国人最长可停留10天，须提前3天申请。"
# the seed notice's validity sentence, and the 240-hour transit guide's dates
SEED_VALIDITY = "本措施自印发之日起施行，有效期至2026年12月31日，由市外事办负责解释。"
TRANSIT_FROM = ("自2024年12月17日起，国家移民管理局全面放宽优化过境免签政策，"
                "外国人过境免签停留时间由原来的72小时和144小时统一延长为240小时（10天）。")
TRANSIT_AS_OF = "截至2025年6月12日，240小时过境免签政策适用于55个国家的公民。"


def role_issues(source: str, target: str) -> list[dict]:
    """What QA says about roles: swapped dates and numbers, document numbers out of place."""
    return [i for i in check_translation(source, target, GLOSSARY)
            if i["check"] == "swapped" or i["message"].startswith("document number")]


@pytest.mark.parametrize(("source", "target"), [
    (VALIDITY, "It shall come into force on December 31, 2026 and remain valid until January 1, 2025."),
    (VALIDITY, "These measures take effect on 31 December 2026 and remain valid until 1 January 2025."),
    (VALIDITY, "These measures are valid from December 31, 2026 to January 1, 2025."),
    (VALIDITY, "Effective from 2026-12-31, these measures expire on 2025-01-01."),
    (VALIDITY, "These measures take effect on December 31, 2026 and are valid until January 1, 2025."),
    (VALIDITY, "These measures are effective December 31, 2026 through January 1, 2025."),
    ("有效期为2025年1月1日至2026年12月31日。",
     "The period of validity is from December 31, 2026 until January 1, 2025."),
    ("申报时间为2025年3月1日至2025年3月31日。", "Applications are accepted from March 31, 2025 to March 1, 2025."),
    ("请于2025年6月30日前提交申请，自2025年7月1日起开始审核。",
     "Please apply by July 1, 2025; review begins on June 30, 2025."),
    ("请于2025年6月30日前提交申请。", "Please apply after June 30, 2025."),
    ("2025年1月1日后出生的儿童可以申请。", "Children born before January 1, 2025 may apply."),
])
def test_swapped_validity_dates_are_flagged(source, target):
    assert {i["check"] for i in role_issues(source, target)} == {"swapped"}


@pytest.mark.parametrize(("source", "target"), [
    (VALIDITY, "These measures take effect on January 1, 2025 and remain valid until December 31, 2026."),
    (VALIDITY, "They shall come into force on 1 January 2025 and expire on 31 December 2026."),
    (VALIDITY, "Effective from January 1, 2025 to December 31, 2026."),
    (VALIDITY, "These measures are in force from 2025-01-01 through 2026-12-31."),
    (VALIDITY, "These measures, effective as of January 1, 2025, are valid up to and including December 31, 2026."),
    (VALIDITY, "The measures enter into force on January 1, 2025; their validity ends on December 31, 2026."),
    (VALIDITY, "These measures apply from January 1, 2025. They are valid till December 31, 2026."),
    (VALIDITY, "Dated January 1, 2025 and December 31, 2026."),  # no role words in the English: left alone
    ("本办法自2017年12月1日起施行。", "These Measures shall come into force on December 1, 2017."),
    ("《潍坊市城市公共停车设施管理办法》已经2017年9月28日市政府第12次常务会议通过，现予公布，自2017年12月1日起施行。",
     "The Measures of Weifang for the Administration of Urban Public Parking Facilities, adopted at the 12th "
     "executive meeting of the municipal government on September 28, 2017, are hereby promulgated and shall "
     "take effect on December 1, 2017."),
    ("本意见自印发之日起施行，有效期至2023年12月31日。",
     "This opinion takes effect on the date of issue and is valid until December 31, 2023."),
    ("本规定自印发之日起施行，有效期至2030年2月13日。",
     "These provisions take effect on the date of issue and remain in force through February 13, 2030."),
    ("有效期为2025年1月1日至2026年12月31日。", "The period of validity is from January 1, 2025 to December 31, 2026."),
    ("一、管制时间：2024年12月8日6时至13时。", "1. Traffic control: from 6:00 to 13:00 on December 8, 2024."),
    ("截至2025年6月12日，240小时过境免签政策适用于55个国家的公民。",
     "By June 12, 2025, the 240-hour visa-free transit policy applied to citizens of 55 countries."),
    ("请于2025年6月30日前提交申请。", "Please submit your application by June 30, 2025."),
    ("请于2025年6月30日前提交申请。", "Applications must be submitted no later than 30 June 2025."),
    ("请于2025年6月30日前提交申请。", "Please apply before June 30, 2025."),
    ("该政策有效期延长至2027年12月31日。", "The policy has been extended to December 31, 2027."),
    ("该政策有效期延长至2027年12月31日。", "The validity of the policy is extended until 31 December 2027."),
    ("自2025年1月1日起施行，2020年3月1日印发的原办法同时废止。",
     "These measures take effect on January 1, 2025, and the former measures issued on March 1, 2020 are "
     "repealed at the same time."),
    ("2025年1月1日以来，共受理申请3000件。", "Since January 1, 2025, 3,000 applications have been received."),
    ("本通知自2025年7月1日起生效，原通知同时废止。",
     "This notice takes effect on July 1, 2025, and the previous notice is repealed at the same time."),
    ("该办法推迟至2025年1月1日起施行。", "The implementation of the measures is postponed to January 1, 2025."),
    ("2025年6月1日前已取得许可的，可继续使用至2025年12月31日。",
     "A permit obtained before June 1, 2025 may continue to be used until December 31, 2025."),
    ("自2025年1月1日起至2025年12月31日止，开展专项行动。",
     "A special campaign will run from January 1, 2025 to December 31, 2025."),
    ("2024年12月20日起，外国人可以在线申请。", "Starting December 20, 2024, foreign nationals may apply online."),
    ("本措施2026年12月31日到期。", "These measures expire on December 31, 2026."),
    ("本措施2026年12月31日到期。", "These measures remain valid until 31 December 2026."),
    (VALIDITY, "These measures shall be implemented from January 1, 2025 and remain valid through December 31, 2026."),
    (VALIDITY, "Implemented as of January 1, 2025, these measures are valid until December 31, 2026."),
    (VALIDITY, "These measures are valid until December 31, 2026, taking effect on January 1, 2025."),
    (VALIDITY, "These measures are effective January 1, 2025 through December 31, 2026."),
    (SEED_VALIDITY, "These measures take effect upon issuance and expire on December 31, 2026. The Quanzhou "
                    "Municipal Foreign Affairs Office is responsible for their interpretation."),
    (SEED_VALIDITY, "These measures, valid till Dec. 31, 2026, take effect on the date of issue. The Quanzhou "
                    "Municipal Foreign Affairs Office is responsible for their interpretation."),
    (TRANSIT_FROM, "Starting from December 17, 2024, the National Immigration Administration has fully relaxed and "
                   "optimized the visa-free transit policy, extending the permitted visa-free transit stay for "
                   "foreign nationals from the previous 72 hours and 144 hours to 240 hours (10 days)."),
    (TRANSIT_FROM, "Effective December 17, 2024, the National Immigration Administration fully relaxed and optimized "
                   "the visa-free transit policy, extending the visa-free transit stay for foreign nationals from "
                   "the previous 72 and 144 hours to 240 hours (10 days)."),
    (TRANSIT_AS_OF, "Until June 12, 2025, the 240-hour visa-free transit policy applies to citizens of 55 countries."),
    (TRANSIT_AS_OF, "As at 12 June 2025, the 240-hour visa-free transit policy applies to citizens of 55 countries."),
    (TRANSIT_AS_OF, "Up to June 12, 2025, the 240-hour visa-free transit policy has applied to citizens of 55 "
                    "countries."),
    ("2025年1月1日后出生的儿童可以申请。", "Children born after January 1, 2025 may apply."),
    ("2025年1月1日以后出生的儿童可以申请。", "Children born on or after January 1, 2025 may apply."),
    ("2025年1月1日后续工作另行通知。", "Follow-up work after January 1, 2025 will be announced separately."),
])
def test_dates_in_their_roles_pass(source, target):
    assert role_issues(source, target) == []


@pytest.mark.parametrize(("source", "target"), [
    (STAY, "Foreign nationals may stay for up to 3 days and must apply 10 days in advance."),
    ("最长停留30天，须提前7个工作日申请。", "You may stay at most 7 days; apply 30 working days ahead."),
    ("培训时长不少于40学时，不超过60学时。", "Training lasts at least 60 class hours and no more than 40."),
    ("停留时间由原来的72小时延长为240小时。", "The stay is extended from 240 hours to 72 hours."),
    ("自2025年起执行新标准，旧标准沿用至2024年。",
     "The new standard applies until 2025; the old one is used from 2024."),
    ("60岁以上老人免票。", "Seniors under 60 enter free."),
    ("60岁以上老人免票。", "Seniors aged 60 and under enter free."),
    ("6岁以下儿童免票。", "Children over 6 enter free."),
    ("6岁以下儿童免票。", "Children more than 6 years old enter free."),
    ("停留时间不超过30天。", "The stay lasts more than 30 days."),
    ("培训不少于40学时。", "Training takes fewer than 40 class hours."),
])
def test_numbers_that_changed_roles_are_flagged(source, target):
    assert {i["check"] for i in role_issues(source, target)} == {"swapped"}


@pytest.mark.parametrize(("source", "target"), [
    (STAY, "Foreign nationals may stay for up to 10 days and must apply 3 days in advance."),
    (STAY, "Foreign nationals may stay a maximum of ten days; applications are due at least three days ahead."),
    (STAY, "Stays are limited to 10 days at most. Apply three days beforehand."),
    (STAY, "Foreign nationals may stay 10 days and apply 3 days before arrival."),
    ("停留时间自入境次日零时起计算，最长不超过240小时（10天）。",
     "The length of stay is counted from 00:00 on the day after entry and may not exceed 240 hours (10 days)."),
    ("外国人过境免签停留时间由原来的72小时和144小时统一延长为240小时（10天）。",
     "The visa-free transit stay for foreign nationals is extended from the previous 72 hours and 144 hours "
     "to 240 hours (10 days)."),
    ("可根据实际需求签发1至3年多次入境有效的商贸签证。",
     "Multiple-entry business visas valid for 1 to 3 years may be issued according to actual need."),
    ("企业开办时间压缩至1个工作日以内。", "The time needed to start a business is cut to within one working day."),
    ("企业开办时间压缩至1个工作日以内。", "The time needed to start a business is cut to 1 working day or less."),
    ("建筑面积九十平方米以下的，每户不少于一个车位。",
     "For a floor area of 90 square metres or less, at least one parking space per household."),
    ("建筑面积九十平方米以上的，每户不少于一点二个车位。",
     "For a floor area above 90 square metres, at least 1.2 parking spaces per household."),
    ("单笔奖励最高不超过50万元。", "Each award is capped at RMB 500,000."),
    ("单笔奖励最高不超过50万元。", "Each award is up to 500,000 yuan."),
    ("须提前5个工作日向市外事办提出申请。",
     "An application must be made to the Quanzhou Municipal Foreign Affairs Office 5 working days in advance."),
    ("请至少提前3天预约。", "Please book at least 3 days in advance."),
    ("在3个工作日内办结。", "It is completed within three working days."),
    ("补贴标准由每人每月500元提高到800元。", "The subsidy is raised from RMB 500 to RMB 800 per person per month."),
    ("停留期限不超过30日，确需延长的，可延长至90日。",
     "The stay may not exceed 30 days; where an extension is really needed, it may be extended to 90 days."),
    ("培训时长不少于40学时，最多不超过60学时。", "Training lasts at least 40 class hours and no more than 60."),
    ("有效期届满前30日内申请延期。", "Apply for an extension within 30 days before the expiry date."),
    ("到2023年，全市外贸进出口总额保持稳定增长。",
     "By 2023, the city's total foreign trade will keep growing steadily."),
    ("3个月至1年的，按月计算。", "For periods from 3 months to 1 year, it is calculated by the month."),
    ("自2025年起执行新标准，旧标准沿用至2024年。",
     "The new standard applies from 2025; the old one is used until 2024."),
    ("2021年以来，共举办活动30场。", "Since 2021, 30 events have been held."),
    ("2026年底前完成。", "It is to be completed by the end of 2026."),
    ("2026年底前完成。", "It is to be completed through 2026."),
    ("适用国家已达到55个。", "The policy now covers citizens from 55 countries."),
    ("由3个部门联合办理。", "The matter is assigned to 3 departments, which handle it jointly."),
    ("届满前3日内提出申请。", "Apply within the 3 days before expiry."),
    ("届满前3日内提出申请。", "Apply no later than 3 days before expiry."),
    ("前3天免费。", "The first 3 days are free."),
    ("收到3份申请后，从中选出1份。", "After receiving 3 applications, select 1 from them."),
    ("60岁以上老人免票。", "Seniors aged 60 and over enter free."),
    ("60岁以上老人免票。", "Seniors over 60 enter free."),
    ("60岁以上老人免票。", "Seniors aged 60 or above enter free."),
    ("6岁以下儿童免票。", "Children under 6 enter free."),
    ("6岁以下儿童免票。", "Children aged 6 and under enter free."),
    ("6岁以下儿童免票。", "Children below the age of 6 enter free."),
    ("停留时间不超过30天。", "The stay lasts no more than 30 days."),
    ("停留时间不超过30天。", "The stay lasts less than 30 days."),
    ("停留时间不超过30天。", "The stay lasts not more than 30 days."),
    ("培训不少于40学时。", "Training takes no fewer than 40 class hours."),
    ("培训不少于40学时。", "Training takes more than 40 class hours."),
    ("培训不少于40学时。", "Training takes not less than 40 class hours."),
])
def test_numbers_in_their_roles_pass(source, target):
    assert role_issues(source, target) == []


@pytest.mark.parametrize(("source", "target"), [
    ("泉政办规〔2024〕11号", "Quanzhengbangui [11] No. 2024"),
    ("泉政办规〔2024〕11号", "Quanzhengbangui No. 2024 [11]"),
    ("泉政办规〔2024〕11号", "Quanzhengbangui [2024] No. 12"),
    ("泉政办规〔2024〕11号", "Quanzhengbangui [2011] No. 24"),
    ("根据泉政办规〔2024〕11号文件精神，制定本细则。",
     "These rules are formulated in the spirit of Document Quanzhengbangui [11] No. 2024."),
    ("根据泉政办规〔2024〕11号文件精神，制定本细则。",
     "These rules are formulated in the spirit of Document No. 2024 (11) of the General Office."),
    ("根据泉政办规〔2024〕11号和泉政文〔2023〕45号，",
     "Under Quanzhengbangui [2024] No. 45 and Quanzhengwen [2023] No. 11,"),
    ("國家移民管理局公告〔2024〕11號", "NIA Announcement [11] No. 2024"),
    ("泉政办规„2024‟11号", "Quanzhengbangui [11] No. 2024"),
    ("国家移民管理局公告2024年第3号", "National Immigration Administration Announcement No. 2024 of 3"),
    ("根据国家移民管理局公告2024年第3号，", "Under Announcement No. 4 of 2024 of the National Immigration "
                                         "Administration,"),
])
def test_a_document_number_with_its_year_and_serial_out_of_place_is_flagged(source, target):
    assert [i["check"] for i in role_issues(source, target)] != []


@pytest.mark.parametrize(("source", "target"), [
    ("泉政办规〔2024〕11号", "Quanzhengbangui [2024] No. 11"),
    ("泉政办规〔2024〕11号", "Quanzhengbangui (2024) No. 11"),
    ("泉政办规〔2024〕11号", "Quanzhengbangui No. 11 [2024]"),
    ("泉政办规〔2024〕11号", "Quanzhengbangui No. 11 (2024)"),
    ("泉政办规〔2024〕11号", "Quanzhengbangui No. 11 of 2024"),
    ("泉政办规〔2024〕11号", "Quanzhengbangui [2024] 11"),
    ("根据泉政办规〔2024〕11号文件精神，制定本细则。",
     "These rules are formulated in the spirit of Document Quanzhengbangui [2024] No. 11."),
    ("根据泉政办规〔2024〕11号文件精神，制定本细则。",
     "These rules follow Document No. 11, issued by the General Office in 2024."),
    ("根据泉政办规〔2024〕11号和泉政文〔2023〕45号，",
     "Under Quanzhengbangui [2024] No. 11 and Quanzhengwen [2023] No. 45,"),
    ("泉政文[2023]45号", "Quanzhengwen [2023] No. 45"),
    ("泉政办（2025）8号", "Quanzhengban (2025) No. 8"),
    ("泉政办规〔2025〕9号", "Quanzhengbangui [2025] No. 9"),
    ("國家移民管理局公告〔2024〕11號", "NIA Announcement [2024] No. 11"),
    ("泉政办规„2024‟11号", "Quanzhengbangui [2024] No. 11"),
    ("国家移民管理局公告2024年第3号", "National Immigration Administration Announcement No. 3 of 2024"),
    ("国家移民管理局公告2024年第3号", "National Immigration Administration Announcement [2024] No. 3"),
    ("2024年第3号公告发布后，申请量增加了10%。", "After Announcement No. 3 of 2024, applications rose by 10%."),
])
def test_document_numbers_in_their_roles_pass(source, target):
    assert role_issues(source, target) == []


def test_a_swap_message_quotes_both_dates_with_their_words():
    issues = role_issues(VALIDITY, "It shall come into force on December 31, 2026 and remain valid until "
                                   "January 1, 2025.")
    assert [i["message"] for i in issues] == [
        '2025年1月1日 is a start date in the Chinese ("本措施自2025年1月1日起") but an end date in the English '
        '("until January 1, 2025"): check whether the dates changed places',
        '2026年12月31日 is an end date in the Chinese ("有效期至2026年12月31日") but a start date in the English '
        '("come into force on December 31, 2026"): check whether the dates changed places']


def test_a_swap_message_quotes_both_numbers_with_their_units():
    issues = role_issues(STAY, "Foreign nationals may stay for up to 3 days and must apply 10 days in advance.")
    assert [i["message"] for i in issues] == [
        '10 is a maximum in the Chinese ("最长可停留10天") but a time in advance in the English ("10 days in '
        'advance"): check whether the numbers changed places',
        '3 is a time in advance in the Chinese ("提前3天") but a maximum in the English ("up to 3 days"): '
        'check whether the numbers changed places']


def test_a_document_number_message_says_what_to_write():
    [issue] = role_issues("泉政办规〔2024〕11号", "Quanzhengbangui [11] No. 2024")
    assert issue == {"check": "number", "message": 'document number 〔2024〕11号 reads "[11] No. 2024" in the '
                                                   'English: write the year 2024 and No. 11 ("[2024] No. 11")'}


def test_a_date_whose_role_the_chinese_leaves_open_is_left_alone():
    """2024年12月20日印发 starts nothing and ends nothing, whatever the English says around it."""
    assert role_issues("2024年12月20日印发，自印发之日起施行。", "Issued on December 20, 2024, effective until "
                                                          "December 20, 2024.") == []
    assert role_issues("自2025年1月1日起施行，2025年1月1日前已办理的继续有效。",
                       "Applications filed until January 1, 2025 remain valid; it takes effect then.") == []


def test_words_that_begin_like_a_month_are_not_read_as_dates():
    """Neither "from marketing" nor "before may" dates anything: only a month's name makes a date."""
    assert role_issues("营销活动持续至3月。",
                       "The campaign runs from marketing fairs to the end of the third month.") == []
    assert role_issues("自5月起施行。", "It applies in May; what was filed before may be kept.") == []


def test_no_approved_translation_is_flagged_by_the_role_checks():
    pairs = approved_pairs()
    flagged = {zh: issues for zh, en in pairs if (issues := role_issues(zh, en))}
    assert len(pairs) > 250 and flagged == {}


def test_a_memory_match_with_swapped_dates_or_another_document_number_waits_for_a_reviewer(tmp_path):
    """The translate step with memory: English holding every value, but in other places, is not approved
    from memory unread."""
    doc_number = "根据泉政办规〔2024〕11号文件精神，制定本细则。"
    document = f"---\ntitle: 细则\ndate: 2025-01-01\n---\n\n{VALIDITY}\n\n{doc_number}\n"
    project = make_project(tmp_path / "p", document=document)  # memory matches are approved at once by default
    store = open_ingested(project)
    write_tmx(project.tm_dir / "approved.tmx", tu(VALIDITY, "These measures take effect on December 31, 2026 "
                                                            "and are valid until January 1, 2025.")
              + tu(doc_number, "These rules follow Document Quanzhengbangui [2024] No. 12."))
    drafts = drafts_by_source(pipeline.translate(project, store, engine=OfflineEngine()))
    assert [i["check"] for i in drafts[VALIDITY].issues] == ["swapped", "swapped"]
    assert any("document number 〔2024〕11号" in i["message"] for i in drafts[doc_number].issues)
    states = {s.source: s.state for s in segment_states(store, "notice")}
    assert (states[VALIDITY], states[doc_number]) == ("draft", "draft")
    store.close()
