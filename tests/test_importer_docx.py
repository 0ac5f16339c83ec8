"""The .docx reader takes in every piece of text Word shows, once and in order, or refuses the file saying why.

Each file here is a real .docx (tests/docx_support.py) holding the markup Word writes for one feature:
tracked changes, content controls, smart tags, fields, text boxes, automatic numbering, footnotes.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from docx_support import abstract, level, num, numbered, p, r, refusal, row, table, word_file

from zaitun.content.importer import convert_notice, read_notice

TITLE = "泉州市人民政府办公室关于印发泉州市外籍人士服务措施的通知"
HEAD = [TITLE, "闽政办〔2025〕3号", "各县（市、区）人民政府：",
        "《泉州市外籍人士服务措施》已经市政府同意，现印发给你们。",
        "泉州市人民政府办公室", "2025年3月1日"]


def lines(path: Path) -> list[str]:
    return [line.removeprefix("\u3000\u3000") for line in read_notice(path).split("\n")]


def converted(path: Path) -> tuple[dict, str]:
    return convert_notice(read_notice(path), path)


# ---- tracked changes and what cannot be read faithfully --------------------------------------------

def test_unaccepted_tracked_changes_refuse_the_file_saying_to_accept_or_reject_them(tmp_path):
    path = word_file(tmp_path / "notice.docx", p(TITLE), p(
        "有效期至",
        '<w:del w:id="1" w:author="张三" w:date="2025-03-01T00:00:00Z">'
        '<w:r><w:delText>2025年</w:delText></w:r></w:del>',
        '<w:ins w:id="2" w:author="张三" w:date="2025-03-01T00:00:00Z"><w:r><w:t>2026年</w:t></w:r></w:ins>',
        "12月31日。"))
    message = refusal(path)
    assert "tracked changes" in message and "paragraph 2" in message
    assert "accept or reject the tracked changes in Word (Review > Accept/Reject), then save" in message


def test_a_tracked_deletion_alone_also_refuses_the_file(tmp_path):
    path = word_file(tmp_path / "notice.docx", p(TITLE), p(
        "本措施", '<w:del w:id="1" w:author="张三"><w:r><w:delText>不</w:delText></w:r></w:del>', "适用。"))
    assert "tracked changes" in refusal(path)


def test_a_tracked_row_change_is_read_when_the_row_shows_nothing_either_way_and_refused_otherwise(tmp_path):
    """An empty row deleted or inserted reads the same whichever way the change is decided, so it is read; a
    row holding an automatic number is not: accepting the deletion drops "2." and makes 后 number 2."""
    header = row(p("事项"), p("责任单位"))
    for tracked in ("del", "ins"):
        path = word_file(tmp_path / f"{tracked}.docx", p(TITLE), table(header, row(p(""), p(""), tracked=tracked)))
        assert lines(path) == [TITLE, "事项", "责任单位"]
    numbering = abstract(0, level(0, "decimal", "%1.")) + num(1, 0)
    path = word_file(tmp_path / "numbered.docx", numbered("前", 1),
                     table(header, row(numbered("", 1), p(""), tracked="del")), numbered("后", 1), numbering=numbering)
    assert "tracked changes" in refusal(path)
    deleted_cell = '<w:tcPr><w:cellDel w:id="91" w:author="张三" w:date="2025-03-01T00:00:00Z"/></w:tcPr>'
    path = word_file(tmp_path / "cell.docx", p(TITLE), table(header, row(p("设立专线"), deleted_cell + p("市外事办"))))
    assert "tracked changes" in refusal(path)


def test_embedded_html_or_rtf_is_refused_not_dropped(tmp_path):
    chunk = "<html><body><p>第二条 外籍人士可申请服务。</p></body></html>".encode()
    path = word_file(tmp_path / "notice.docx", p(TITLE), chunk=chunk)
    assert "embedded document (w:altChunk" in refusal(path)


def test_footnotes_are_refused_with_how_to_keep_their_text(tmp_path):
    footnotes = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                 '<w:footnote w:id="1"><w:p><w:r><w:t>指持有效护照的外国人。</w:t></w:r></w:p></w:footnote>')
    path = word_file(tmp_path / "notice.docx", p(TITLE),
                     p("外籍人士", '<w:r><w:footnoteReference w:id="1"/></w:r>', "可申请服务。"), footnotes=footnotes)
    message = refusal(path)
    assert "footnote" in message and "paragraph 2" in message and "into the text" in message


@pytest.mark.parametrize(("markup", "said"), [
    ('<w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>', "a symbol from the Wingdings font"),
    ('<w:r><w:object><v:shape/></w:object></w:r>', "an embedded object"),
    ("<m:oMath><m:r><m:t>x</m:t></m:r></m:oMath>", "an equation"),
    ('<w:r><w:drawing><wp:inline><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/'
     'diagram"/></a:graphic></wp:inline></w:drawing></w:r>', "a SmartArt diagram"),
])
def test_text_that_cannot_be_read_as_text_is_refused_naming_the_paragraph(tmp_path, markup, said):
    path = word_file(tmp_path / "notice.docx", p(TITLE), p("申请表", markup, "勾选。"))
    message = refusal(path)
    assert message.startswith("paragraph 2 (“申请表勾选。”) holds ") and said in message


def test_a_picture_word_inserted_is_refused_naming_the_paragraph_not_dropped(tmp_path):
    """A map or a QR code holds no text, but the page would go out without what it shows."""
    import struct
    import zlib

    import docx

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))
    (tmp_path / "map.png").write_bytes(png)
    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph("扫码办理：").add_run().add_picture(str(tmp_path / "map.png"))
    document.save(tmp_path / "notice.docx")
    message = refusal(tmp_path / "notice.docx")
    assert message.startswith("paragraph 2 (“扫码办理：”) holds a picture") and "save it as an image file" in message


@pytest.mark.parametrize(("markup", "said"), [
    ('<w:r><w:pict><v:shape><v:imagedata r:id="rId9"/></v:shape></w:pict></w:r>', "a picture"),
    ('<w:r><w:drawing><wp:inline><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/'
     'chart"/></a:graphic></wp:inline></w:drawing></w:r>', "a chart"),
])
def test_an_old_picture_or_a_chart_is_refused_naming_the_paragraph_not_dropped(tmp_path, markup, said):
    path = word_file(tmp_path / "notice.docx", p(TITLE), p("办理流程", markup, "如下。"))
    assert refusal(path).startswith(f"paragraph 2 (“办理流程如下。”) holds {said}, which zaitun does not take in")


def test_hidden_text_is_refused_naming_the_paragraph_and_unhidden_text_is_read(tmp_path):
    hidden = '<w:r><w:rPr><w:vanish/></w:rPr><w:t>（内部意见：暂不公开）</w:t></w:r>'
    path = word_file(tmp_path / "notice.docx", p(TITLE), p("外籍人士可申请服务。", hidden))
    message = refusal(path)
    assert message.startswith("paragraph 2 (“外籍人士可申请服务。（内部意见") and "holds hidden text" in message
    assert "unhide it" in message
    shown = '<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>请携带护照。</w:t></w:r>'
    path = word_file(tmp_path / "shown.docx", p("外籍人士可申请服务。", shown))
    assert lines(path) == ["外籍人士可申请服务。请携带护照。"]


def test_a_refusal_names_the_paragraph_as_staff_find_it_in_word(tmp_path):
    """Paragraphs in tables and text boxes are not counted as the document's paragraphs: they are named by
    table, row and cell, or by the paragraph the text box is in, with their first words."""
    hidden = '<w:r><w:rPr><w:vanish/></w:rPr><w:t>内部意见</w:t></w:r>'
    grid = table(row(p("事项"), p("责任单位")), row(p("设立专线"), p("市外事办")))
    in_cell = table(row(p("事项"), p("责任单位")), row(p("设立专线"), p("市外事办", hidden)))
    cases = {"table 1, row 2, cell 2 (“市外事办内部意见”)": [in_cell],
             "paragraph 3 (“请携带护照。内部意见”)": [grid, p("外籍人士可申请服务。"), p("请携带护照。", hidden)],
             "a text box in paragraph 3 (“内部意见”)": [grid, p("外籍人士可申请服务。"), p("附件", text_box(hidden))]}
    for n, (where, blocks) in enumerate(cases.items()):
        assert refusal(word_file(tmp_path / f"{n}.docx", p(TITLE), *blocks)).startswith(f"{where} holds hidden text")


def test_a_symbol_with_a_unicode_character_is_read(tmp_path):
    path = word_file(tmp_path / "notice.docx", p("已阅", '<w:r><w:sym w:font="SimSun" w:char="2714"/></w:r>'))
    assert lines(path) == ["已阅✔"]


# ---- text Word shows that python-docx's Paragraph.text leaves out ---------------------------------

def test_title_and_document_number_in_content_controls_are_read(tmp_path):
    control = '<w:sdt><w:sdtPr><w:alias w:val="{0}"/></w:sdtPr><w:sdtContent>{1}</w:sdtContent></w:sdt>'
    path = word_file(tmp_path / "notice.docx", control.format("标题", p(TITLE)),
                     control.format("文号", p(HEAD[1])), *map(p, HEAD[2:]))
    assert lines(path) == HEAD
    assert converted(path)[0]["doc_number"] == "闽政办〔2025〕3号"


def test_placeholder_text_of_an_unfilled_content_control_is_not_taken_in(tmp_path):
    path = word_file(tmp_path / "notice.docx", p(TITLE), p(
        "联系人：", '<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>'
        f'{r("单击或点击此处输入文字。")}</w:sdtContent></w:sdt>'))
    assert lines(path) == [TITLE, "联系人："]


def test_custom_xml_smart_tags_inline_controls_simple_fields_and_hyperlinks_keep_their_text(tmp_path):
    path = word_file(tmp_path / "notice.docx", p(
        "请于", f'<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="date">{r("2025年3月1日")}'
        "</w:smartTag>", "前到", f'<w:customXml w:element="place">{r("市行政服务中心")}</w:customXml>',
        f'<w:sdt><w:sdtPr/><w:sdtContent>{r("一楼")}</w:sdtContent></w:sdt>', "办理，共",
        f'<w:fldSimple w:instr=" NUMPAGES ">{r("3")}</w:fldSimple>', "页，详见",
        f'<w:hyperlink r:id="rId99">{r("泉州市人民政府网")}</w:hyperlink>', "。"))
    assert lines(path) == ["请于2025年3月1日前到市行政服务中心一楼办理，共3页，详见泉州市人民政府网。"]


def test_a_field_shows_its_result_and_never_its_code(tmp_path):
    path = word_file(tmp_path / "notice.docx", p(
        "印发日期：", '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:instrText xml:space="preserve"> DATE \\@ "yyyy年M月d日" </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', r("2025年3月1日"),
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
    assert lines(path) == ["印发日期：2025年3月1日"]


def text_box(*paragraphs: str) -> str:
    """A text box as Word 2010+ writes it: DrawingML, and the same text again in a VML fallback."""
    content = f"<w:txbxContent>{''.join(map(p, paragraphs))}</w:txbxContent>"
    return ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic>'
            '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            f'<wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor>'
            f'</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape>'
            '</w:pict></mc:Fallback></mc:AlternateContent></w:r>')


def test_a_text_box_is_read_once_after_the_paragraph_it_is_anchored_in(tmp_path):
    path = word_file(tmp_path / "notice.docx", p("泉州市人民政府办公室文件", text_box("泉政办规〔2024〕11号")),
                     p(TITLE))
    assert lines(path) == ["泉州市人民政府办公室文件", "泉政办规〔2024〕11号", TITLE]


def test_wordart_text_is_read_after_the_paragraph_it_is_anchored_in_not_dropped(tmp_path):
    """WordArt as Word 2003 wrote it keeps its text in an attribute (`<v:textpath string=…>`): a notice whose
    sentence was set as WordArt lost it without a word."""
    art = ('<w:r><w:pict><v:shape><v:textpath string="外籍人士可拨打12345热线。"/></v:shape></w:pict>'
           '<w:t>为便利外籍人士：</w:t></w:r>')
    path = word_file(tmp_path / "notice.docx", p(TITLE), p(art), p("本通知自发布之日起施行。"))
    assert lines(path) == [TITLE, "为便利外籍人士：", "外籍人士可拨打12345热线。", "本通知自发布之日起施行。"]


def test_line_breaks_tabs_and_non_breaking_hyphens_are_read_as_word_shows_them(tmp_path):
    path = word_file(tmp_path / "notice.docx", p(
        "牵头单位：市外事办", "<w:r><w:br/><w:t>责任单位：市公安局</w:t></w:r>"),
        p("编号", "<w:r><w:tab/><w:t>FJ</w:t><w:noBreakHyphen/><w:t>2025</w:t><w:softHyphen/></w:r>"))
    assert lines(path) == ["牵头单位：市外事办", "责任单位：市公安局", "编号\tFJ-2025"]


# ---- automatic numbering ---------------------------------------------------------------------------

def test_automatic_part_and_measure_numbers_are_read_and_make_the_structure(tmp_path):
    numbering = (abstract(0, level(0, "chineseCounting", "%1、"), level(1, "chineseCounting", "（%2）"),
                        level(2, "decimal", "（%3）"))
                 + num(1, 0))
    path = word_file(tmp_path / "notice.docx", *map(p, HEAD), p("泉州市外籍人士服务措施"),
                     numbered("总体要求", 1), numbered("设立服务专线。为外籍人士提供咨询服务。", 1, 1),
                     numbered("优化签证办理。简化申报材料。", 1, 1), numbered("开通绿色通道。", 1, 2),
                     numbered("保障措施", 1), numbered("加强组织领导。明确责任分工。", 1, 1),
                     numbering=numbering)
    assert lines(path)[7:] == ["一、总体要求", "（一）设立服务专线。为外籍人士提供咨询服务。",
                               "（二）优化签证办理。简化申报材料。", "（1）开通绿色通道。", "二、保障措施",
                               "（一）加强组织领导。明确责任分工。"]
    _, body = converted(path)
    assert re.findall(r"^#+ .*$", body, flags=re.M) == [
        "## 一、总体要求", "### （一）设立服务专线。", "### （二）优化签证办理。", "## 二、保障措施",
        "### （一）加强组织领导。"]


def test_automatic_article_numbers_count_on_across_numbering_instances_and_restart_on_start_override(tmp_path):
    """Word continues a list across w:num elements of one abstract numbering; "restart at 1" is a new w:num
    with a startOverride."""
    numbering = (abstract(0, level(0, "chineseCountingThousand", "第%1条")) + num(1, 0) + num(2, 0)
                 + num(3, 0, '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="10"/></w:lvlOverride>'))
    path = word_file(tmp_path / "notice.docx", numbered("为了规范管理，制定本办法。", 1),
                     numbered("本办法适用于本市。", 1), numbered("市外事办负责实施。", 2),
                     numbered("本办法自发布之日起施行。", 3), numbered("附则。", 3), numbering=numbering)
    assert lines(path) == ["第一条为了规范管理，制定本办法。", "第二条本办法适用于本市。", "第三条市外事办负责实施。",
                           "第十条本办法自发布之日起施行。", "第十一条附则。"]


def test_a_start_override_restarts_its_level_where_its_instance_first_reaches_that_level(tmp_path):
    """Instances of one abstract numbering share its counters (LibreOffice's import gives them one list id); an
    instance's startOverride restarts its level once, at the instance's first paragraph on that level. A
    deeper paragraph of the instance before then shows the higher level's number as it stands."""
    restart = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
    numbering = abstract(0, level(0, "decimal", "%1."), level(1, "decimal", "%1.%2")) + num(1, 0) + num(2, 0, restart)
    path = word_file(tmp_path / "notice.docx", numbered("甲", 1), numbered("乙", 1), numbered("丙", 2, 1),
                     numbered("丁", 2), numbered("戊", 1), numbered("己", 2), numbered("庚", 2, 1),
                     numbering=numbering)
    assert lines(path) == ["1.甲", "2.乙", "2.1丙", "1.丁", "2.戊", "3.己", "3.1庚"]


@pytest.mark.parametrize(("fmt", "start", "shown"), [
    ("decimal", 9, ["9.", "10."]), ("decimalZero", 9, ["09.", "10."]), ("decimalFullWidth", 9, ["９.", "１０."]),
    ("decimalEnclosedCircle", 19, ["⑲.", "⑳."]), ("lowerLetter", 26, ["z.", "aa."]), ("upperRoman", 3, ["III.", "IV."]),
    ("chineseCounting", 19, ["十九.", "二十."]), ("chineseCountingThousand", 99, ["九十九.", "一百."]),
    ("chineseCountingThousand", 100, ["一百.", "一百零一."]), ("ideographTraditional", 3, ["丙.", "丁."]),
    ("chineseLegalSimplified", 8, ["捌.", "玖."]), ("none", 1, [".", "."]),
])
def test_numbers_are_shown_in_their_format(tmp_path, fmt, start, shown):
    numbering = abstract(0, level(0, fmt, "%1.", start=start)) + num(1, 0)
    path = word_file(tmp_path / "notice.docx", numbered("甲", 1), numbered("乙", 1), numbering=numbering)
    assert lines(path) == [shown[0] + "甲", shown[1] + "乙"]


def test_numbering_from_a_paragraph_style_is_read(tmp_path):
    """Chinese templates number their headings through the style (标题 1 = 第X章), not the paragraph."""
    style = ('<w:style w:type="paragraph" w:styleId="Chapter"><w:name w:val="章标题"/><w:pPr><w:numPr>'
             '<w:numId w:val="1"/></w:numPr></w:pPr></w:style>')
    numbering = abstract(0, level(0, "chineseCounting", "第%1章")) + num(1, 0)
    path = word_file(tmp_path / "notice.docx", p("总则", ppr='<w:pStyle w:val="Chapter"/>'), p("正文。"),
                     p("附则", ppr='<w:pStyle w:val="Chapter"/>'), numbering=numbering, styles=style)
    assert lines(path) == ["第一章总则", "正文。", "第二章附则"]


def test_bullets_are_left_out_and_the_item_stays_its_own_paragraph(tmp_path):
    numbering = abstract(0, level(0, "bullet", "\uf06c")) + num(1, 0)
    path = word_file(tmp_path / "notice.docx", numbered("护照", 1), numbered("签证", 1), numbering=numbering)
    assert lines(path) == ["护照", "签证"]


@pytest.mark.parametrize(("fmt", "where"), [("hebrew1", "paragraph 2 (“第一项”)"),
                                           ("ideographTraditional", "paragraph 3 (“第二项”)")])  # 甲…癸 ends at 10
def test_a_number_that_cannot_be_shown_faithfully_is_refused_naming_the_paragraph(tmp_path, fmt, where):
    numbering = abstract(0, level(0, fmt, "%1、", start=10)) + num(1, 0)
    path = word_file(tmp_path / "notice.docx", p(TITLE), numbered("第一项", 1), numbered("第二项", 1),
                     numbering=numbering)
    message = refusal(path)
    assert f"automatic numbering ({fmt}" in message and where in message and "type the numbers" in message


def test_a_custom_number_format_word_writes_for_newer_formats_is_refused(tmp_path):
    custom = ('<mc:AlternateContent><mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="001, 002, 003, ..."/>'
              '</mc:Choice><mc:Fallback><w:numFmt w:val="decimal"/></mc:Fallback></mc:AlternateContent>')
    numbering = (f'<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>{custom}'
                 '<w:lvlText w:val="%1."/></w:lvl></w:abstractNum>' + num(1, 0))
    path = word_file(tmp_path / "notice.docx", numbered("第一项", 1), numbering=numbering)
    assert "automatic numbering (custom 001, 002, 003, ...)" in refusal(path)


# ---- the whole notice ------------------------------------------------------------------------------

def test_every_sentence_is_read_exactly_once(tmp_path):
    """A notice using all of the above: no sentence is lost, none is doubled."""
    control = f'<w:sdt><w:sdtPr/><w:sdtContent>{p(TITLE)}</w:sdtContent></w:sdt>'
    numbering = abstract(0, level(0, "chineseCounting", "%1、"), level(1, "chineseCounting", "（%2）")) + num(1, 0)
    path = word_file(tmp_path / "notice.docx", p("泉州市人民政府办公室文件", text_box("闽政办〔2025〕3号")), control,
                     *map(p, HEAD[2:]), p("泉州市外籍人士服务措施"), numbered("总体要求", 1),
                     numbered("设立服务专线。为外籍人士提供咨询服务。", 1, 1),
                     p("牵头单位：市外事办", "<w:r><w:br/><w:t>责任单位：市公安局</w:t></w:r>"),
                     numbering=numbering)
    meta, body = converted(path)
    assert (meta["title"], meta["doc_number"], meta["date"]) == ("泉州市外籍人士服务措施", "闽政办〔2025〕3号",
                                                                 dt.date(2025, 3, 1))
    for sentence in ("为外籍人士提供咨询服务。", "市外事办", "市公安局", "设立服务专线。", "总体要求"):
        assert body.count(sentence) == 1
    assert body.endswith("## 一、总体要求\n\n### （一）设立服务专线。\n\n为外籍人士提供咨询服务。\n\n"
                         "**牵头单位**：市外事办\n\n**责任单位**：市公安局\n")


# ---- the seed notice as staff's Word writes it, dropped into content/ ----------------------------------

SEED_MD = Path(__file__).parent / "fixtures" / "seed-notice.expected.md"
SEED_HEAD = ["泉州市人民政府办公室关于印发泉州市加快提升国际化营商环境若干措施（试行）的通知",
             "各县（市、区）人民政府，泉州开发区、泉州台商投资区管委会，市人民政府各部门、各直属机构，各大企业，各高等院校：",
             "《泉州市加快提升国际化营商环境若干措施（试行）》已经市政府研究同意，现印发给你们，请认真贯彻执行。",
             "泉州市人民政府办公室", "2024年12月20日", "（此件主动公开）"]
SEED_TAIL = ["泉州市人民政府办公室 2024年12月23日印发",
             "抄送：市委办公室、市委各部门，省部属驻泉各单位，泉州军分区，各人民团体。"]
PARTS = abstract(0, level(0, "chineseCounting", "%1、"),  # measures count on across parts: （八） follows 二、
                 level(1, "chineseCounting", "（%2）", extra='<w:lvlRestart w:val="0"/>'),
                 level(2, "decimal", "（%3）")) + num(1, 0)


def seed_word_blocks() -> list[str]:
    """The seed notice's paragraphs as Word holds them: title in a content control, document number in a
    text box, parts, measures and items numbered automatically, each pair of unit lines one paragraph
    split by a line break (Shift+Enter)."""
    body = SEED_MD.read_text(encoding="utf-8").split("---\n", 2)[2].strip().split("\n\n")
    assert body[:2] == SEED_HEAD[1:3]  # the letter's addressees and text lead the body; in Word, the head
    body = body[2:]
    blocks = [p("泉州市人民政府办公室文件", text_box("泉政办规〔2024〕11号")),
              f'<w:sdt><w:sdtPr><w:alias w:val="标题"/></w:sdtPr><w:sdtContent>{p(SEED_HEAD[0])}</w:sdtContent>'
              '</w:sdt>',
              *map(p, SEED_HEAD[1:]), p("泉州市加快提升国际化营商环境", "若干措施（试行）")]
    units: list[str] = []
    for i, block in enumerate(body):
        text = re.sub(r"\*\*(.+?)\*\*", r"\1", block.strip().removeprefix("- "))
        if text.startswith(("牵头单位", "责任单位")):
            units.append(text)
            if i + 1 < len(body) and re.sub(r"\*\*", "", body[i + 1].strip()).startswith("责任单位"):
                continue
            blocks.append(p(units[0], *(f"<w:r><w:br/><w:t>{unit}</w:t></w:r>" for unit in units[1:])))
            units = []
        elif match := re.match(r"## [一二三四五六七八九十]+、(.*)", text):
            blocks.append(numbered(match.group(1), 1, 0))
        elif match := re.match(r"### （[一二三四五六七八九十]+）(.*)", text):
            blocks.append(numbered(match.group(1) + body[i + 1], 1, 1))  # the heading is the paragraph's first sentence
        elif match := re.match(r"（\d）(.*)", text):
            blocks.append(numbered(match.group(1), 1, 2))
        elif not (i and body[i - 1].startswith("### ")):
            blocks.append(p(text))
    return blocks + [p(line) for line in SEED_TAIL]


def test_the_seed_notice_written_by_word_and_dropped_into_content_reads_as_its_text_version(tmp_project, store):
    """Every sentence once and the same parts, measures and items: the Markdown is the golden file of the
    seed notice's text version."""
    from zaitun.content.intake import ingest

    section = tmp_project.content_dir / "policies"
    word_file(section / "notice.docx", *seed_word_blocks(), numbering=PARTS)
    report = ingest(tmp_project, store)
    assert report.errors == [] and report.ingested == ["notice"]
    written = (section / "notice.md").read_text(encoding="utf-8")
    assert written == SEED_MD.read_text(encoding="utf-8")
    sentences = re.findall(r"[^。！？；\n]+[。！？；]", re.sub(r"[#*\-]+ ?", "", written.split("---\n", 2)[2]))
    assert len(sentences) > 50 and all(written.count(s) == 1 for s in sentences if len(s) > 12)


def typed_indents(blocks: list[str]) -> list[str]:
    """The seed's paragraphs as staff type indents in Word instead of setting one: each starts with spaces
    or a tab (after its properties), and each line after a line break with spaces."""
    indents = iter(["    ", "<w:tab/>", "  ", "\u3000\u3000"] * len(blocks) * 4)

    def indent(match: re.Match) -> str:
        typed = next(indents)
        run = f"<w:r>{typed}</w:r>" if typed.startswith("<") else r(typed)
        return match.group(0) + run

    typed = [re.sub(r"<w:p>(?:<w:pPr>.*?</w:pPr>)?", indent, block) for block in blocks]
    return [block.replace("<w:br/><w:t>", '<w:br/><w:t xml:space="preserve">    ') for block in typed]


def test_the_seed_notice_with_indents_typed_as_spaces_or_tabs_in_word_reads_as_its_text_version(tmp_project, store):
    from zaitun.content.intake import ingest

    section = tmp_project.content_dir / "policies"
    blocks = typed_indents(seed_word_blocks())
    assert sum('<w:t xml:space="preserve">    ' in block for block in blocks) > 20
    word_file(section / "notice.docx", *blocks, numbering=PARTS)
    report = ingest(tmp_project, store)
    assert report.errors == [] and report.ingested == ["notice"]
    assert (section / "notice.md").read_text(encoding="utf-8") == SEED_MD.read_text(encoding="utf-8")


def test_a_word_notice_with_tracked_changes_is_quarantined_and_reported_alike_by_intake_check_and_upload(
        tmp_project, store):
    from zaitun.check import content_problems
    from zaitun.content.intake import ingest
    from zaitun.content.upload import prepare
    from zaitun.errors import ContentError

    section = tmp_project.content_dir / "policies"
    notice = word_file(section / "notice.docx", p(TITLE), p(
        "本措施", '<w:ins w:id="1" w:author="张三"><w:r><w:t>自印发之日起</w:t></w:r></w:ins>', "施行。"))
    data = notice.read_bytes()
    predicted = [str(problem) for problem in content_problems(tmp_project)]
    with pytest.raises(ContentError) as uploaded:
        prepare(tmp_project, "通知.docx", data, "policies")
    report = ingest(tmp_project, store)
    expected = (f"{notice}: paragraph 2 (“本措施自印发之日起施行。”) has tracked changes that are not accepted or "
                "rejected, so it is not clear which text is meant: accept or reject the tracked changes in Word "
                "(Review > Accept/Reject), then save")
    assert predicted == [expected] and len(report.errors) == 1
    assert str(report.errors[0]).startswith(f"{expected} (moved to .zaitun/quarantine/")
    assert not notice.exists() and not (section / "notice.md").exists()
    assert str(uploaded.value) == expected.replace(str(notice), "通知.docx")
