"""The importer on a corpus of notices in the shapes cities publish (tests/fixtures/notices/).

Each file was written for these tests in one shape: a traditional-character implementation
opinion, a notice whose part headings run on into their text (CRLF), a government order with
chapters, sections and articles, measures with units in parentheses (GB18030), an announcement,
a decision and a hard-wrapped regulation.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zaitun.content.importer import convert_notice, default_slug, import_notice, read_notice
from zaitun.content.model import load_document

CORPUS = Path(__file__).parent / "fixtures" / "notices"
NOTICES = sorted(CORPUS.glob("*.txt"))


def convert(name: str) -> tuple[dict, str]:
    path = CORPUS / name
    return convert_notice(read_notice(path), path)


def headings(body: str) -> list[str]:
    return re.findall(r"^#{2,6} .*$", body, flags=re.M)


EXPECTED_META = {
    "opinion-traditional.txt": {
        "title": "東莞市人民政府關於貫徹落實廣東省促進外貿穩增長若干措施的實施意見",
        "date": dt.date(2021, 6, 18), "doc_number": "東府〔2021〕54號", "issuer": "東莞市人民政府",
        "valid_from": dt.date(2021, 6, 18), "valid_until": dt.date(2023, 12, 31), "slug": "dong-fu-2021-54"},
    "notice-runon-crlf.txt": {
        "title": "湖南省人民政府办公厅关于做好2009年普通高等学校毕业生就业工作的通知",
        "date": dt.date(2009, 3, 20), "doc_number": "湘政办发〔2009〕24号", "issuer": "湖南省人民政府办公厅",
        "slug": "xiang-zheng-ban-fa-2009-24"},
    "order-chapters-articles.txt": {
        "title": "潍坊市城市公共停车设施管理办法", "date": dt.date(2017, 10, 20),
        "doc_number": "潍坊市人民政府令第77号", "issuer": "潍坊市人民政府", "signer": "市长\u3000张三",
        "valid_from": dt.date(2017, 12, 1),
        "slug": "order-2017-77"},
    "measures-units-gb18030.txt": {
        "title": "官渡区促进经济稳增长若干措施", "date": dt.date(2022, 5, 10),
        "doc_number": "官政办通〔2022〕15号", "issuer": "昆明市官渡区人民政府办公室",
        "valid_from": dt.date(2022, 5, 10), "valid_until": dt.date(2024, 5, 9),
        "summary": "昆明市官渡区人民政府办公室关于印发官渡区促进经济稳增长若干措施的通知",
        "slug": "guan-zheng-ban-tong-2022-15"},
    "announcement.txt": {
        "title": "泉州市公安局通告", "date": dt.date(2024, 12, 1), "doc_number": "泉州市公安局通告2024年第3号",
        "issuer": "泉州市公安局", "slug": "circular-2024-3"},
    "decision.txt": {
        "title": "泉州市人民政府关于废止部分规范性文件的决定", "date": dt.date(2023, 6, 30),
        "doc_number": "泉政文〔2023〕45号", "issuer": "泉州市人民政府", "valid_from": dt.date(2023, 6, 30),
        "slug": "quan-zheng-wen-2023-45"},
    "regulation-wrapped.txt": {
        "title": "泉州市涉外服务规定", "date": dt.date(2025, 2, 14), "doc_number": "泉政办〔2025〕8号",
        "issuer": "泉州市人民政府办公室", "valid_from": dt.date(2025, 2, 14),
        "valid_until": dt.date(2030, 2, 13), "summary": "泉州市人民政府办公室关于印发泉州市涉外服务规定的通知",
        "slug": "quan-zheng-ban-2025-8"},
}


def test_the_corpus_has_one_expectation_per_file_and_the_encodings_it_claims():
    assert sorted(EXPECTED_META) == [p.name for p in NOTICES]
    assert b"\r\n" in (CORPUS / "notice-runon-crlf.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        (CORPUS / "measures-units-gb18030.txt").read_bytes().decode("utf-8")


@pytest.mark.parametrize("name", sorted(EXPECTED_META))
def test_front_matter_of_each_shape(name):
    meta, _ = convert(name)
    expected = dict(EXPECTED_META[name])
    assert default_slug(meta) == expected.pop("slug")
    assert {k: v for k, v in meta.items() if k != "tags"} == expected


def test_traditional_opinion_keeps_its_characters_and_reads_its_units_and_attachments():
    _, body = convert("opinion-traditional.txt")
    assert headings(body) == ["## 一、總體要求", "## 二、主要措施", "### （一）支持企業開拓國際市場。",
                              "### （二）提升通關便利化水平。", "### （三）加大金融支持力度。", "## 三、保障措施"]
    assert "### （一）支持企業開拓國際市場。\n\n組織企業參加境外重點展會，對參展費用給予補助。\n\n" \
           "**責任單位**：市商務局\n" in body
    assert "**牽頭單位**：東莞海關\n\n**配合單位**：市商務局、市交通運輸局\n" in body
    assert "**責任單位**：人民銀行東莞市中心支行、市金融工作局按職責分工\n" in body
    assert body.endswith("附件：\n\n- 1．東莞市促進外貿穩增長重點任務分工表\n\n- 2．東莞市外貿企業服務聯絡人名單\n")
    assert "負責" not in body  # the parentheses became unit lines
    assert "抄送" not in body and "日印發" not in body


def test_run_on_part_heading_is_cut_after_its_first_sentence():
    _, body = convert("notice-runon-crlf.txt")
    assert headings(body) == ["## 一、充分认识做好高校毕业生就业工作的重要性。", "## 二、积极拓宽高校毕业生就业渠道。",
                              "### （一）引导高校毕业生到城乡基层就业。", "### （二）鼓励高校毕业生自主创业。",
                              "## 三、加强组织领导。"]
    assert "## 一、充分认识做好高校毕业生就业工作的重要性。\n\n普通高等学校毕业生是国家宝贵的人才资源。" in body
    assert ("按规定给予小额担保贷款。\n\n**牵头单位**：省人力资源社会保障厅\n\n"
            "**配合单位**：省财政厅、省教育厅\n") in body
    assert "— 2 —" not in body and "此件" not in body


def test_order_has_chapter_and_section_headings_articles_and_their_clauses():
    _, body = convert("order-chapters-articles.txt")
    assert headings(body) == [
        "## 第一章　总则", "### 第一条", "### 第二条", "### 第三条", "## 第二章　规划与建设", "### 第一节　规划",
        "#### 第四条", "### 第二节　建设", "#### 第五条", "## 第三章　附则", "### 第六条"]
    assert body.startswith("《潍坊市城市公共停车设施管理办法》已经2017年9月28日市政府第12次常务会议通过")
    # 款: the second paragraph of an article stays a paragraph under it
    assert "### 第二条\n\n本办法适用于本市城市规划区内公共停车设施的规划、建设和管理。\n\n" \
           "本办法所称公共停车设施，是指为社会公众提供停放机动车服务的场所。\n\n### 第三条" in body
    # 项 are list items, 目 nested list items
    assert "履行下列职责：\n\n- （一）组织编制公共停车设施专项规划；\n\n- （二）" in body
    assert "- （一）住宅项目：\n\n  - 1．建筑面积九十平方米以下的，每户不少于一个车位；\n\n  - 2．" in body
    assert "\n\n违反本条第一款规定的，由市住房城乡建设部门责令限期改正。\n\n## 第三章　附则" in body
    assert "市长" not in body and "潍坊市人民政府令" not in body


def test_units_in_parentheses_take_the_form_of_unit_lines_under_their_item():
    _, body = convert("measures-units-gb18030.txt")
    assert ("- 1．推行政务服务“一网通办”，企业开办时间压缩至1个工作日以内。\n\n"
            "  **牵头单位**：区政务服务局\n\n  **配合单位**：区发改局、区市场监管局\n\n"
            "- 2．落实减税降费政策，确保应享尽享。\n\n  **责任单位**：区税务局\n") in body
    assert "  **牵头单位**：区工信局\n\n  **责任单位**：各街道办事处\n" in body
    assert "  **责任单位**：区金融办、人民银行官渡支行按职责分工\n" in body
    assert body.endswith("本措施自印发之日起施行，有效期2年。\n\n附件：官渡区稳增长政策兑现流程\n")


def test_decision_items_with_ideographic_commas_are_a_list():
    _, body = convert("decision.txt")
    assert "决定废止以下规范性文件：\n\n- 1、泉州市外来务工人员服务管理办法\n\n- 2、泉州市港口岸线管理规定\n\n" \
           "本决定自公布之日起施行。\n" in body


def test_wrapped_line_starting_with_an_article_number_continues_its_sentence():
    _, body = convert("regulation-wrapped.txt")
    assert headings(body) == ["## 第一章　总则", "### 第一条", "### 第二条", "### 第三条", "## 第二章　附则",
                              "### 第四条"]
    assert "依照本规定附件及本规定第三条规定执行。\n\n### 第三条\n\n涉外服务工作应当遵循依法" in body


def test_announcement_number_under_its_header_is_the_document_number():
    meta, body = convert("announcement.txt")
    assert body.startswith("为保障第二十届泉州国际马拉松赛顺利举行")
    assert body.rstrip().endswith("特此通告。")
    assert "2024年第3号" not in body


# ---- no text is lost ---------------------------------------------------------------------------

_DROPPED = [  # what the importer drops on purpose: red header, stamps, page numbers, the date line
    re.compile(r"^.{2,40}文件$"), re.compile(r"^（此件.*）$"), re.compile(r"^—\s*\d+\s*—$"),
    re.compile(r"^[〇○零一二三四五六七八九十\d]{4}年[〇○零一二三四五六七八九十\d]{1,3}月[〇○零一二三四五六七八九十\d]{1,3}日$"),
]
_UNITS_IN_PARENS = re.compile(r"（([^（）]*(?:牵头|负责|配合|牽頭|負責|牵头单位：[^（）]*))）")
_FLAT = re.compile(r"[\s〔〕\[\]【】［］„‟（）()“”\\]")


def _source_text(text: str) -> str:
    """The notice up to its distribution and printing lines, without what is dropped on purpose."""
    kept = []
    for line in text.split("\n"):
        stripped = re.sub(r"\s", "", line)
        if stripped.startswith("抄送") or stripped.endswith("印發") or stripped.endswith("印发"):
            break
        if stripped and not any(rx.match(stripped) for rx in _DROPPED):
            kept.append(stripped)
    return "\n".join(kept)


def _output_text(meta: dict, body: str) -> str:
    body = re.sub(r"^\s*(?:#{2,6} |- )", "", body, flags=re.M)
    body = re.sub(r"\*\*([^*]{2,6})\*\*：", r"\1：", body)  # bold unit labels
    return _FLAT.sub("", " ".join(str(v) for k, v in meta.items() if isinstance(v, str)) + body)


@pytest.mark.parametrize("path", NOTICES + [Path(__file__).parent / "fixtures" / "seed-notice.txt"],
                         ids=lambda p: p.name)
def test_every_sentence_of_the_input_appears_in_the_output(path):
    meta, body = convert_notice(read_notice(path), path)
    out = _output_text(meta, body)
    source = _source_text(read_notice(path))
    for units in _UNITS_IN_PARENS.findall(source.replace("\n", "")):
        for name in re.split(r"[，,；;、]", units):
            name = re.sub(r"^(?:牵头|责任)单位：|(?:牵头|负责|配合|牽頭|負責)$", "", name)
            assert _FLAT.sub("", name) in out, name
    source = _UNITS_IN_PARENS.sub("", source.replace("\n", "\0")).replace("\0", "\n")
    for line in source.split("\n"):
        for sentence in re.split(r"(?<=[。！？；])", _FLAT.sub("", line)):
            assert sentence in out, sentence


def test_corpus_notices_import_as_loadable_documents(tmp_path):
    content = tmp_path / "content"
    for path in NOTICES:
        written = import_notice(path, content)
        doc = load_document(written, content)
        assert doc.meta["title"] == EXPECTED_META[path.name]["title"]
        assert written.stem == EXPECTED_META[path.name]["slug"]


# ---- units and heads in their other forms ------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("推行一网通办。（区政务服务局牵头，区发改局、区市场监管局配合）",
     ("推行一网通办。", ["牵头单位：区政务服务局", "配合单位：区发改局、区市场监管局"])),
    ("推行一网通办（市商务局负责）。", ("推行一网通办。", ["责任单位：市商务局"])),
    ("（市外事办、商务局，市贸促会牵头）", ("", ["牵头单位：市外事办、商务局，市贸促会"])),
    ("加大投入。（牵头单位：区工信局；责任单位：各街道办事处）",
     ("加大投入。", ["牵头单位：区工信局", "责任单位：各街道办事处"])),
    ("加強執法。（市商務局負責）", ("加強執法。", ["責任單位：市商務局"])),
    ("加强执法。（由市市场监管局（知识产权局）负责）", ("加强执法。", ["责任单位：市市场监管局（知识产权局）"])),
    ("开展培训。（市人社局牵头负责）", ("开展培训。", ["牵头单位：市人社局"])),
])
def test_units_in_parentheses_in_every_usual_form(text, expected):
    from zaitun.content.notice.units import trailing_units

    assert trailing_units(text) == expected


@pytest.mark.parametrize("text", ["若干措施（试行）", "由市外事办负责解释（由市外事办负责解释）",
                                  "另行制定（具体办法由市人社局另行制定）", "详见附件（附件1）",
                                  "请认真落实（各单位要积极配合）"])
def test_parentheses_that_do_not_name_units_stay_text(text):
    from zaitun.content.notice.units import trailing_units

    assert trailing_units(text) is None


def test_order_number_on_the_header_line_and_title_organ_on_the_line_above():
    order = (CORPUS / "order-chapters-articles.txt").read_text(encoding="utf-8")
    meta, _ = convert_notice(order.replace("潍坊市人民政府令\n第77号", "潍坊市人民政府令（第77号）"), Path("o.txt"))
    assert meta["doc_number"] == "潍坊市人民政府令第77号"
    assert meta["title"] == "潍坊市城市公共停车设施管理办法"



def test_announcement_header_with_its_number_on_the_next_line():
    text = (CORPUS / "announcement.txt").read_text(encoding="utf-8")
    text = text.replace("泉州市公安局通告\n（2024年第3号）", "泉州市人民政府公告\n第5号")
    meta, _ = convert_notice(text, Path("a.txt"))
    assert (meta["title"], meta["doc_number"]) == ("泉州市人民政府公告", "泉州市人民政府公告第5号")


def test_parts_chapters_and_articles_nest_and_read_in_traditional_characters():
    order = (CORPUS / "order-chapters-articles.txt").read_text(encoding="utf-8")
    order = order.replace("第一章　总　则", "第一編　通則\n\n第一章　总　则")
    order = order.replace("第二章　规划与建设", "第二編　分則\n\n第二章　规划与建设")
    order = order.replace("条", "條").replace("第一节", "第一節").replace("第二节", "第二節")
    _, body = convert_notice(order, Path("o.txt"))
    assert headings(body) == [
        "## 第一編　通則", "### 第一章　总则", "#### 第一條", "#### 第二條", "#### 第三條", "## 第二編　分則",
        "### 第二章　规划与建设", "#### 第一節　规划", "##### 第四條", "#### 第二節　建设", "##### 第五條",
        "### 第三章　附则", "#### 第六條"]
    assert "違反本條第一款規定的" not in body and "违反本條第一款规定的" in body  # text is never converted


def test_order_title_comes_from_its_promulgation_paragraph_even_without_a_title_line():
    order = (CORPUS / "order-chapters-articles.txt").read_text(encoding="utf-8")
    meta, body = convert_notice(order.replace("潍坊市城市公共停车设施管理办法\n\n第一章", "第一章"), Path("o.txt"))
    assert meta["title"] == "潍坊市城市公共停车设施管理办法"
    assert body.startswith("《潍坊市城市公共停车设施管理办法》已经")


# ---- any regulation, wrapped or not, keeps its articles and its text ---------------------------

_SAFE = "规划建设管理停车设施按照标准配建公共服务城市道路交通运输居民出行提供保障"


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones or not tens else "")


_SENTENCE = st.text(alphabet=_SAFE, min_size=3, max_size=40)
_ARTICLE = st.tuples(_SENTENCE, st.lists(_SENTENCE, max_size=2), st.lists(_SENTENCE, max_size=3),
                     st.integers(1, 40))


def _regulation(chapters: list[list[tuple]]) -> tuple[list[str], list[str]]:
    """Paragraphs of an order with these chapters of articles, and every sentence written in it."""
    paragraphs = ["《停车设施管理办法》已经市政府常务会议通过，现予公布。"]
    sentences, n = [], 0
    for c, articles in enumerate(chapters, start=1):
        paragraphs.append(f"\0第{_cn(c)}章　管理")
        for first, more, clauses, cited in articles:
            n += 1
            text = f"依照第{_cn(cited)}条规定，{first}。"  # a cited article may land at a line start
            paragraphs.append(f"第{_cn(n)}条　{text}")
            sentences += [f"依照第{_cn(cited)}条规定，{first}。"] + [f"{s}。" for s in more]
            paragraphs += [f"{s}。" for s in more]
            paragraphs += [f"（{_cn(k)}）{s}；" for k, s in enumerate(clauses, start=1)]
            sentences += [f"（{_cn(k)}）{s}；" for k, s in enumerate(clauses, start=1)]
    return paragraphs, sentences


def _lines(paragraphs: list[str], width: int | None) -> str:
    head = "潍坊市人民政府令\n第1号\n{}\n市长　张三\n2020年1月1日\n停车设施管理办法\n"
    out = []
    for para in paragraphs[1:]:
        if para.startswith("\0"):
            out.append(para[1:])
            continue
        chunks = [para[i:i + width] for i in range(0, len(para), width)] if width else [para]
        out += ["\u3000\u3000" + chunks[0], *chunks[1:]]
    return head.format("\u3000\u3000" + paragraphs[0]) + "\n".join(out) + "\n"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_ARTICLE, min_size=1, max_size=4), min_size=1, max_size=3),
       st.sampled_from([None, 6, 9, 13, 24, 28, 31]))
def test_any_regulation_keeps_every_article_and_sentence(chapters, width):
    paragraphs, sentences = _regulation(chapters)
    meta, body = convert_notice(_lines(paragraphs, width), Path("order.txt"))
    assert meta["title"] == "停车设施管理办法"
    total = sum(len(articles) for articles in chapters)
    assert [h for h in headings(body) if h.startswith("### ")] == [f"### 第{_cn(n)}条" for n in range(1, total + 1)]
    assert len([h for h in headings(body) if h.startswith("## ")]) == len(chapters)
    flat = re.sub(r"^\s*(?:#{2,6} |- )|\s", "", body, flags=re.M)
    for sentence in sentences:
        assert sentence in flat, sentence


def test_a_cited_next_article_wrapped_to_a_line_start_is_not_an_article():
    paragraphs, _ = _regulation([[("规划建设管理停车设施", [], [], 2), ("公共服务", [], [], 1)]])
    text = _lines(paragraphs, 6)
    assert "\n第二条规定，" in text  # the citation of article 2 starts a line inside article 1
    _, body = convert_notice(text, Path("order.txt"))
    assert [h for h in headings(body) if h.startswith("### ")] == ["### 第一条", "### 第二条"]
    assert "依照第二条规定，规划建设管理停车设施。\n\n### 第二条\n\n依照第一条规定，公共服务。" in body
