"""Drafts of the front-matter facts: dates as they are, document numbers in their English rendering."""

import pytest

from zaitun.translate.checks import check_translation
from zaitun.translate.facts import doc_number_english, fact_draft
from zaitun.translate.glossary import Entry, Glossary

EMPTY = Glossary()


@pytest.mark.parametrize(("number", "english"), [
    ("泉政办规〔2024〕11号", "Quanzhengbangui [2024] No. 11"),
    ("湘政办发〔2009〕24号", "Xiangzhengbanfa [2009] No. 24"),
    ("東府〔2021〕54號", "Dongfu [2021] No. 54"),  # traditional characters
    ("闽政[2023]7号", "Minzheng [2023] No. 7"),
    ("泉政文（2022）003号", "Quanzhengwen [2022] No. 3"),
    ("潍坊市人民政府令第77号", "潍坊市人民政府令 No. 77"),  # no table entry for 坊: left for the reviewer
    ("第77号", "No. 77"),
    ("2024年第3号", "No. 3 of 2024"),
    ("公告2024年第3号", "公告 No. 3 of 2024"),  # no table entry for 告: left for the reviewer
])
def test_document_numbers_get_their_usual_english_rendering(number, english):
    assert doc_number_english(number, EMPTY) == english


def test_the_glossary_names_an_abbreviation_first_and_unknown_ones_are_flagged():
    glossary = Glossary([Entry("潍坊市人民政府令", "Order of the Weifang Municipal People's Government", ())])
    assert doc_number_english("潍坊市人民政府令第77号", glossary) == \
        "Order of the Weifang Municipal People's Government No. 77"
    announcement = Glossary([Entry("国家移民管理局公告", "National Immigration Administration Announcement", ())])
    assert doc_number_english("国家移民管理局公告2024年第3号", announcement) == \
        "National Immigration Administration Announcement No. 3 of 2024"
    draft = doc_number_english("某局〔2024〕1号", EMPTY)
    assert draft == "某局 [2024] No. 1"
    assert any(i["check"] == "chinese" for i in check_translation("某局〔2024〕1号", draft, EMPTY))


def test_dates_are_drafted_as_they_are_and_text_facts_are_left_to_the_translators():
    assert fact_draft("valid_until", "2026-12-31", EMPTY) == "2026-12-31"
    assert check_translation("2026-12-31", "2026-12-31", EMPTY) == []
    assert fact_draft("issuer", "泉州市人民政府办公室", EMPTY) is None
