"""Structure labels (第三条, 第二章): recognised, translated alike by every engine, checked, anchored."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from libre_server import LibreServer
from translate_support import drafts_by_source, libre_settings, make_project, open_ingested

from zaitun import pipeline
from zaitun.content import labels
from zaitun.content.hanzi import cn_int, fold, from_roman, roman, variants
from zaitun.content.importer import convert_notice, read_notice
from zaitun.content.markdown import reference_render, render_markdown
from zaitun.content.segmenter import render_pieces, segment_body
from zaitun.translate.checks import check_translation
from zaitun.translate.engines import make_engine
from zaitun.translate.glossary import Entry, Glossary, load_glossary
from zaitun.translate.masking import mask, restore

ROOT = Path(__file__).parent.parent
ORDER = Path(__file__).parent / "fixtures" / "notices" / "order-chapters-articles.txt"


def test_folding_reads_traditional_as_simplified_without_moving_a_character():
    text = "東府〔2021〕54號 關於貫徹落實的實施意見（市商務局負責）"
    assert fold(text) == "东府〔2021〕54号 关于贯彻落实的实施意见（市商务局负责）"
    assert len(fold(text)) == len(text)
    assert all(len(t) == len(s) == 1 and t != s for t, s in variants().items())


@pytest.mark.parametrize(("text", "value"), [("2024", 2024), ("２０２４", 2024), ("二〇二四", 2024), ("二○二四", 2024),
                                             ("二零二四", 2024), ("二O二四", 2024), ("十二", 12), ("二十一", 21),
                                             ("一百零三", 103), ("三", 3)])
def test_numerals_in_every_form(text, value):
    assert cn_int(text) == value


def test_roman_numerals_both_ways():
    assert [roman(n) for n in (1, 4, 9, 14, 40)] == ["I", "IV", "IX", "XIV", "XL"]
    assert all(from_roman(roman(n)) == n for n in range(1, 200))
    assert from_roman("IIII") is None and from_roman("Art") is None


@pytest.mark.parametrize(("text", "english"), [
    ("第三条", "Article 3"), ("第十二条", "Article 12"), ("第一百零三条", "Article 103"), ("第3条", "Article 3"),
    ("第二章", "Chapter II"), ("第十四章", "Chapter XIV"), ("第一编", "Part I"), ("第三节", "Section 3"),
    ("第三條", "Article 3"), ("第二節", "Section 2"), ("第二款", "paragraph 2"), ("第（一）项", "item (1)"),
    ("第三条第二款", "Article 3, paragraph 2"), ("第五条第一款第（二）项", "Article 5, paragraph 1, item (2)"),
])
def test_labels_in_the_house_style(text, english):
    assert labels.find(f"依照{text}的规定") == [(2, 2 + len(text), english)]


@pytest.mark.parametrize("text", ["第一项工作", "第一条线路", "第二节课", "第三国（地区）", "第一批"])
def test_ordinals_that_are_not_labels_are_left_alone(text):
    assert labels.find(text) == []


@pytest.mark.parametrize(("heading", "anchor"), [
    ("第三条", "article-3"), ("第二章　总则", "chapter-2"), ("第一节 规划", "section-1"), ("第一编", "part-1"),
    ("Article 3", "article-3"), ("Chapter II General Provisions", "chapter-2"), ("Art. 12", "article-12"),
    ("Section 1 Planning", "section-1"), ("Part IV", "part-4"), ("一、总体要求", None), ("Articles of faith", None),
])
def test_a_heading_starting_with_a_label_has_the_same_anchor_in_both_languages(heading, anchor):
    assert labels.anchor(heading) == anchor


def test_glossary_matches_labels_and_renders_a_label_heading_whole():
    glossary = Glossary([Entry("总则", "General Provisions"), Entry("外国人", "foreign national")])
    found = [(m.entry.zh, m.entry.en) for m in glossary.matches("外国人依照第三条第二款办理")]
    assert found == [("外国人", "foreign national"), ("第三条第二款", "Article 3, paragraph 2")]
    assert glossary.rendering("第三条") == "Article 3"
    assert glossary.rendering("第一章　总则") == "Chapter I General Provisions"
    assert glossary.rendering("第二款") == "Paragraph 2"
    assert glossary.rendering("第二章　规划与建设") is None  # the rest needs an engine
    assert glossary.rendering("外国人外国人") is None


def test_masking_hands_the_engine_a_placeholder_and_restores_the_label():
    glossary = Glossary([])
    masked = mask("违反本办法第五条规定的，依照第二十条处理。", glossary)
    assert "第五条" not in masked.text and "第二十条" not in masked.text
    text, issues = restore("Whoever violates {ZT1} of these Measures shall be dealt with under {ZT2}.", masked)
    assert text == "Whoever violates Article 5 of these Measures shall be dealt with under Article 20."
    assert issues == []


def test_qa_flags_a_label_rendered_otherwise_and_not_its_number():
    glossary = Glossary([])
    issues = check_translation("依照第三条的规定。", "In accordance with Article 4.", glossary)
    assert [i["check"] for i in issues] == ["term"]
    assert 'must be rendered "Article 3" (glossary structure label)' in issues[0]["message"]
    assert check_translation("第二章　附则", "Chapter II Supplementary Provisions", glossary) == []


ORDER_DOCUMENT = """\
---
title: 停车设施管理办法
date: 2017-10-20
---

## 第一章　总则

### 第三条

外国人依照第二条第一款的规定，可以停留10天。
"""


def test_offline_provider_translates_label_headings_from_the_glossary(tmp_path):
    project = make_project(tmp_path, document=ORDER_DOCUMENT)
    (project.glossary_dir / "regulations.csv").write_text("zh,en,forbidden,note\n总则,General Provisions,,\n",
                                                          encoding="utf-8")
    report = pipeline.translate(project, open_ingested(project))
    drafts = drafts_by_source(report)
    assert (drafts["第三条"].target, drafts["第三条"].origin, drafts["第三条"].issues) == ("Article 3", "engine", [])
    assert drafts["第一章　总则"].target == "Chapter I General Provisions"
    assert drafts["外国人依照第二条第一款的规定，可以停留10天。"].origin == "none"


def test_an_engine_never_sees_a_label_and_gets_it_right(tmp_path):
    with LibreServer() as server:
        project = make_project(tmp_path, libre_settings(server.url), document=ORDER_DOCUMENT)
        store = open_ingested(project)
        report = pipeline.translate(project, store, engine=make_engine(project.config, backoff=0.01))
    sentence = drafts_by_source(report)["外国人依照第二条第一款的规定，可以停留10天。"]
    assert "Article 2, paragraph 1" in sentence.target
    assert not any(re.search(r"第.条", text) for text in server.texts_seen())


def test_article_and_chapter_anchors_survive_on_both_language_pages():
    _, body = convert_notice(read_notice(ORDER), ORDER)
    glossary = load_glossary(ROOT / "glossary")
    pieces = segment_body(body, "order")

    def engine(source: str) -> str:  # an engine that writes "text" for the Chinese it is given
        masked = mask(source, glossary)
        return restore(re.sub(r"[^\x00-\x7f]+", " text ", masked.text), masked)[0]

    targets = {p.segment.id: glossary.rendering(p.segment.source) or engine(p.segment.source)
               for p in pieces if p.segment}
    english = render_pieces(pieces, targets)
    assert "### Article 3\n" in english and "## Chapter I General Provisions\n" in english
    assert "## Chapter II text\n" in english

    def anchors(markdown: str) -> list[str]:
        return re.findall(r'<h[2-6] id="((?:part|chapter|section|article)-[\d-]+)"', render_markdown(markdown))

    assert anchors(body) == anchors(english)
    assert render_markdown(body) == reference_render(body) and render_markdown(english) == reference_render(english)
    assert anchors(body)[:4] == ["chapter-1", "article-1", "article-2", "article-3"]
    assert "article-6" in anchors(body)


def test_built_site_links_to_the_same_article_on_the_chinese_and_the_english_page(tmp_path):
    from publish_helpers import make_fixture

    from zaitun.content.importer import import_notice

    fixture = make_fixture(tmp_path / "site")
    import_notice(ORDER, fixture.project.content_dir)
    fixture.ingest()
    glossary = Glossary([Entry("总则", "General Provisions"), Entry("附则", "Supplementary Provisions")])

    def english(source: str) -> str:  # what a masked engine returns: labels and terms as approved
        masked = mask(source, glossary)
        return glossary.rendering(source) or restore(re.sub(r"[^\x00-\x7f]+", " text ", masked.text), masked)[0]

    fixture.translate_and_approve("order-2017-77", english)
    fixture.build()

    def ids(lang: str) -> list[str]:
        page = (fixture.out / lang / "policies" / "order-2017-77" / "index.html").read_text(encoding="utf-8")
        return re.findall(r'<h[2-6] id="((?:chapter|section|article)-[\d-]+)">', page)

    assert ids("zh") == ids("en")
    assert {"chapter-1", "chapter-3", "article-1", "article-3", "article-6"} <= set(ids("en"))
    english_page = (fixture.out / "en" / "policies" / "order-2017-77" / "index.html").read_text(encoding="utf-8")
    assert '<h3 id="article-3">Article 3</h3>' in english_page
