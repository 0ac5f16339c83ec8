"""English that changes what the page shows beyond the sentence (an address the Chinese does not hold, a
line break or table pipe that ends the heading, list item or cell, a heading or quote marker it opens with,
HTML tags) is flagged, so a memory match holding it
waits for a reviewer instead of being approved at once."""


import pytest
from translate_support import STAY, drafts_by_source, make_project, open_ingested, write_tm

from zaitun import pipeline
from zaitun.state.segments import segment_states
from zaitun.translate.checks import check_translation
from zaitun.translate.engines import OfflineEngine
from zaitun.translate.glossary import Glossary

STAY_EN = "Foreign nationals transiting via Quanzhou Jinjiang International Airport may stay for 10 days."


@pytest.mark.parametrize(("english", "message"), [
    (STAY_EN + " Book at https://visa-quanzhou.example.com/apply.", "is in the English but not in the Chinese"),
    (STAY_EN + " Write to visa@quanzhou-help.example.com.", "is in the English but not in the Chinese"),
    (STAY_EN + "\n\n## Apply now", "breaks the line"),
    (STAY_EN + "\r# Visa-free transit is suspended", "carriage return"),  # a line break to Markdown too
    ("Pay the officer in cash.\r" + STAY_EN, "carriage return"),  # a terminal shows only what follows
    (STAY_EN.replace("may stay", "| may stay"), "splits a table cell"),
    ("# " + STAY_EN, "opens with \"#\""),
    ("> " + STAY_EN, "opens with \">\""),
    (STAY_EN + "<script>alert(1)</script>", "HTML in the English shows as text"),
    (STAY_EN.replace("10 days", '<a href="https://x.example">10 days</a>'), "HTML in the English shows as text"),
])
def test_a_memory_match_changing_the_page_beyond_its_sentence_waits_for_a_reviewer(tmp_path, english, message):
    project = make_project(tmp_path / "p")  # memory matches are approved at once by default
    store = open_ingested(project)
    write_tm(project, tmp_path, {STAY: english})
    report = pipeline.translate(project, store, engine=OfflineEngine())
    stay = drafts_by_source(report)[STAY]
    assert stay.origin == "memory" and any(message in i["message"] for i in stay.issues), stay.issues
    assert {s.source: s.state for s in segment_states(store, "notice")}[STAY] == "draft"
    store.close()


@pytest.mark.parametrize(("source", "target"), [
    ("详见https://www.qzwb.com/a。", "See https://www.qzwb.com/a."),
    ("网址：www.qzwb.com。", "Website: https://www.qzwb.com."),
    ("详见[通知](https://a.example/x)。", "See the [notice](https://a.example/x)."),
    ("邮箱：qzfao@163.com。", "Email: qzfao@163.com."),
    ("| 外国人 |", "| foreign national |"),
    ("选项：是\\|否", "Options: yes \\| no"),
])
def test_addresses_pipes_and_lines_the_chinese_holds_too_are_not_flagged(source, target):
    issues = check_translation(source, target, Glossary())
    assert [i for i in issues if i["check"] in ("address", "markdown")] == []
