"""The validity a notice states of itself, read by one reader (zaitun/content/notice/validity.py): the importer writes
it as `valid_from`/`valid_until`, and check and intake refuse front matter that contradicts it, or leaves it out
beside the other. A date qualifying a thing (`有效期至2026年6月30日的外国人护照`) is that thing's, never the
notice's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import write_doc
from docx_support import p, word_file

from zaitun.config import Limits
from zaitun.content.importer import convert_notice, import_notice, read_notice
from zaitun.content.intake import checked_segments
from zaitun.content.model import load_document
from zaitun.content.notice.validity import stated_validity
from zaitun.errors import ContentError

START = "本通知自2025年1月1日起施行。"
# a date, a month or a period qualifying a passport, permit, licence or project: with or without a list number
OTHERS_DATES = [
    "一、有效期至2026年6月30日的外国人护照，持有人应及时换发。",
    "（二）有效期至2026年12月31日的居留许可，持有人应提前申请延期。",
    "一、有效期至2025年12月31日的营业执照，可在到期前办理延续。",
    "有效期至2026年6月30日的外国人护照，持有人应及时换发。",
    "3. 有效期至2026年6月30日前届满的工作许可，可提前申请延续。",
    "二、有效期至2026年底的经营许可证，统一换发新证。",
    "二、有效期3年的资质证书，期满前办理延续。",
    "二、有效期为2024年1月1日至2026年6月30日的许可证，继续有效。",
]


def notice(tmp_project, front: str, body: str) -> Path:
    return write_doc(tmp_project.root, "policies/notice.md", f"title: 通知\ndate: 2025-01-01\n{front}", body)


def checked(path: Path, content_dir: Path) -> None:
    """What check and intake do with one document: refuse it (ContentError) or pass it."""
    checked_segments(load_document(path, content_dir), Limits())


def refusal(path: Path, content_dir: Path) -> ContentError:
    with pytest.raises(ContentError) as info:
        checked(path, content_dir)
    return info.value


# ---- D2: a permit's or passport's date is never the notice's -------------------------------------------

@pytest.mark.parametrize("others", OTHERS_DATES)
def test_a_date_qualifying_a_passport_or_permit_is_not_the_notices_end_in_check_and_intake(tmp_project, others):
    """Check asked to add `valid_until: 2026-06-30`: following it would mark the notice expired on the passport's
    date."""
    path = notice(tmp_project, "valid_from: 2025-01-01", f"{START}\n\n{others}\n")
    checked(path, tmp_project.content_dir)
    assert "valid_until" not in stated_validity(path.read_text(encoding="utf-8"), dt.date(2025, 1, 1))


@pytest.mark.parametrize("others", OTHERS_DATES)
def test_a_date_qualifying_a_passport_or_permit_is_not_the_notices_end_when_imported(tmp_path, others):
    """`zaitun import` of a .txt notice wrote the passport's date as `valid_until`, without a word."""
    source = tmp_path / "notice.txt"
    source.write_text(f"泉州市公安局关于外国人证件换发有关事项的通知\n泉公〔2025〕1号\n各县（市、区）公安局：\n"
                      f"　　{START}\n　　{others}\n泉州市公安局\n2024年12月20日\n", encoding="utf-8")
    written = import_notice(source, tmp_path / "content")
    meta = load_document(written, tmp_path / "content").meta
    assert (meta.get("valid_from"), meta.get("valid_until")) == (dt.date(2025, 1, 1), None)


def test_a_start_qualifying_a_project_is_not_the_notices_start():
    body = "有效期至2026年12月31日。\n\n一、自2024年1月1日起实施的项目，继续享受补贴。\n"
    assert stated_validity(body, dt.date(2025, 1, 1)) == {"valid_until": (dt.date(2026, 12, 31), 0)}


def test_the_notices_own_end_is_read_beside_a_passports_date_in_its_own_sentence(tmp_project):
    body = ("一、有效期至2026年6月30日的外国人护照，持有人应及时换发。\n\n"
            "本通知自2025年1月1日起施行，有效期至2026年11月30日。\n")
    path = notice(tmp_project, "valid_from: 2025-01-01", body)
    error = refusal(path, tmp_project.content_dir)
    assert error.line == 9 and "add 'valid_until: 2026-11-30'" in error.message


# ---- D3: an end given as a month, a year's end or a period is stated too ----------------------------------

ENDS = [  # (sentence, the last day the importer reads from it, with valid_from 2025-01-01)
    ("本办法自2025年1月1日起施行，有效期3年。", dt.date(2027, 12, 31)),
    ("本办法自2025年1月1日起施行，有效期至2027年底。", dt.date(2027, 12, 31)),
    ("本办法自2025年1月1日起施行，有效期至2026年11月。", dt.date(2026, 11, 30)),
    ("本办法自2025年1月1日起施行，有效期一年半。", dt.date(2026, 6, 30)),
    ("本办法自2025年1月1日起施行，有效期三年零六个月。", dt.date(2028, 6, 30)),
    ("本办法自2025年1月1日起施行，自2027年1月1日起废止。", dt.date(2026, 12, 31)),
    ("有效期3年。", dt.date(2027, 12, 31)),  # counted from the front matter's start, the text giving none
]


@pytest.mark.parametrize("sentence, until", ENDS)
def test_an_end_given_as_a_month_or_a_period_that_the_front_matter_leaves_out_is_refused(tmp_project, sentence,
                                                                                          until):
    """The page said "In force" for ever above a text saying the measures last three years."""
    path = notice(tmp_project, "valid_from: 2025-01-01", f"一、做好工作。\n\n{sentence}\n")
    error = refusal(path, tmp_project.content_dir)
    assert error.line == 9
    assert error.message == (f"the text says the document is valid until {until}, its front matter gives no "
                             f"'valid_until': the page would show it in force after that day; add 'valid_until: "
                             f"{until}'")


@pytest.mark.parametrize("sentence, until", ENDS)
def test_an_end_given_as_a_month_or_a_period_that_the_front_matter_contradicts_is_refused(tmp_project, sentence,
                                                                                           until):
    path = notice(tmp_project, "valid_from: 2025-01-01\nvalid_until: 2029-06-30", f"一、做好工作。\n\n{sentence}\n")
    error = refusal(path, tmp_project.content_dir)
    assert error.line == 10
    assert error.message == (f"the text says the document is valid until {until}, its front matter 'valid_until: "
                             "2029-06-30': the page would show both; make them agree")


@pytest.mark.parametrize("sentence, until", ENDS)
def test_an_end_given_as_a_month_or_a_period_is_the_one_the_importer_writes(tmp_project, sentence, until):
    """One reader: what check compares with the front matter is what `zaitun import` writes into it."""
    meta, _ = convert_notice(f"泉州市人民政府关于测试的通知\n各县（市、区）人民政府：\n　　一、做好工作。\n"
                             f"　　{sentence}\n泉州市人民政府\n2025年1月1日\n", Path("notice.txt"))
    assert meta["valid_until"] == until
    path = notice(tmp_project, f"valid_from: 2025-01-01\nvalid_until: {until}", f"一、做好工作。\n\n{sentence}\n")
    checked(path, tmp_project.content_dir)


def test_the_year_of_a_date_is_never_read_as_a_period_of_years():
    """`有效期为2026年12月31日` was read as a period of 2026 years, valid until 4050."""
    meta, _ = convert_notice("泉州市人民政府关于测试的通知\n各县（市、区）人民政府：\n"
                             "　　本办法自2025年1月1日起施行，有效期为2026年12月31日。\n泉州市人民政府\n2025年1月1日\n",
                             Path("notice.txt"))
    assert meta["valid_from"] == dt.date(2025, 1, 1) and "valid_until" not in meta  # a wording it does not read


def test_a_period_counts_from_the_start_the_front_matter_gives():
    body = "本办法自印发之日起施行，有效期3年。\n"
    assert stated_validity(body, dt.date(2024, 12, 20)) == {"valid_until": (dt.date(2027, 12, 19), 0)}
    assert stated_validity(body, dt.date(2024, 12, 20), dt.date(2025, 1, 1)) == {
        "valid_until": (dt.date(2027, 12, 31), 0)}


# ---- what worked before still works ---------------------------------------------------------------------

@pytest.mark.parametrize("body, start, until", [
    ("本措施自2025年1月1日起施行，有效期至2026年11月30日。", dt.date(2025, 1, 1), dt.date(2026, 11, 30)),
    ("一、做好工作。\n\n有效期至2026年12月31日。", None, dt.date(2026, 12, 31)),
    ("一、做好工作。\n\n五、有效期至2026年12月31日。", None, dt.date(2026, 12, 31)),
    ("本措施自2025年1月1日起施行，有效期2年。", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    ("本公告自2025年1月1日起施行，有效期一年。", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ("本措施自2025年1月1日起施行，有效期至2026年底。", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    ("本措施自2025年1月1日起至2026年12月31日止施行。", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    ("本措施有效期自2025年1月1日至2026年12月31日。", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    ("本措施自二〇二五年一月一日起施行，有效期至二〇二六年十二月三十一日。", dt.date(2025, 1, 1),
     dt.date(2026, 12, 31)),
    ("本措施自2025年1月1日起施行，有效期至2026年\n12月31日。", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    ("| 事项 | 说明 |\n| --- | --- |\n| 期限 | 本措施自2025年1月1日起施行，有效期至2026年12月31日。 |",
     dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    ("一、有效期至2026年6月30日的外国人护照，持有人应及时换发。\n\n本措施自2025年1月1日起施行，有效期3年。",
     dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
])
def test_the_notices_own_validity_in_its_usual_forms_is_read_and_checked(tmp_project, body, start, until):
    read = {key: date for key, (date, _) in stated_validity(body, dt.date(2025, 1, 1)).items()}
    assert (read.get("valid_from"), read.get("valid_until")) == (start, until)
    agreeing = "\n".join(f"{key}: {date}" for key, date in (("valid_from", start or dt.date(2025, 1, 1)),
                                                              ("valid_until", until)))
    checked(notice(tmp_project, agreeing, body), tmp_project.content_dir)
    error = refusal(notice(tmp_project, "valid_from: 2025-01-01", body), tmp_project.content_dir)
    assert f"add 'valid_until: {until}'" in error.message


def test_a_date_split_across_runs_of_a_word_notice_is_still_read(tmp_path):
    path = word_file(tmp_path / "notice.docx", p("泉州市人民政府关于测试的通知"), p("各县（市、区）人民政府："),
                     p("本措施自2025年1月1日起施行，有效期至", "2026年", "12月", "31日。"),
                     p("泉州市人民政府"), p("2025年1月1日"))
    meta, _ = convert_notice(read_notice(path), path)
    assert (meta["valid_from"], meta["valid_until"]) == (dt.date(2025, 1, 1), dt.date(2026, 12, 31))
