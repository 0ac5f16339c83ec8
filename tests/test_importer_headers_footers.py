"""A .docx notice's headers and footers: page furniture is passed over, any other text refuses the file.

Each file here is a real .docx (tests/docx_support.py) given the header or footer markup Word writes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from docx_support import NAMESPACES, p, refusal, word_file
from lxml import etree

from zaitun.content.importer import convert_notice, read_notice
from zaitun.errors import NoticeImportError

TITLE = "泉州市人民政府办公室关于印发泉州市外籍人士服务措施的通知"
NUMBER = "泉政办〔2025〕3号"
HEAD = [TITLE, NUMBER, "各县（市、区）人民政府：", "《泉州市外籍人士服务措施》已经市政府同意，现印发给你们。"]
SIGNED = ["泉州市人民政府办公室", "2025年3月1日"]
VALIDITY = "本办法自2026年1月5日起施行，有效期至2026年12月31日。"
_VML = {"o": "urn:schemas-microsoft-com:office:office", "w10": "urn:schemas-microsoft-com:office:word"}
_DECLS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in {**NAMESPACES, **_VML}.items())


def notice(path: Path, *lines: str) -> Path:
    return word_file(path, *map(p, [*HEAD, *lines, *SIGNED]))


def with_margin(path: Path, *paragraphs: str, kind: str = "footer", section: int = 0) -> Path:
    """The .docx at `path` given a header or footer (`kind`: footer, header, first_page_footer…) in a
    section, holding `paragraphs` (WordprocessingML); a `section` past the last adds a section break."""
    document = docx.Document(str(path))
    while len(document.sections) <= section:
        document.add_section()
    margin = getattr(document.sections[section], kind)
    margin.is_linked_to_previous = False
    element = margin.paragraphs[0]._p.getparent()
    for old in list(element):
        element.remove(old)
    for new in etree.fromstring(f"<w:wrap {_DECLS}>{''.join(paragraphs)}</w:wrap>"):
        element.append(new)
    document.save(str(path))
    return path


def field(code: str, result: str) -> str:
    """A field as Word writes it from Insert > Page Number: begin, code, separate, result, end."""
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {code} '
            f'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{result}</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


# ---- text a notice would lose ----------------------------------------------------------------------

def test_a_footer_holding_the_validity_refuses_the_file_naming_the_footer_and_its_text(tmp_path):
    path = with_margin(notice(tmp_path / "footer.docx", "一、适用范围"), p(VALIDITY))
    assert refusal(path) == (
        f"footer of section 1 holds text the notice would lose (“{VALIDITY}”): zaitun takes in the body only, "
        "and passes over nothing in a header or footer but page furniture: page numbers, a line the body already "
        "has (its title, its document number) and what the body leaves out too (the red header, 抄送 and 印发 lines, "
        "此件公开发布): move the text into the body, delete it from the footer, then save")


def test_the_validity_moved_from_the_footer_into_the_body_is_read(tmp_path):
    meta, body = convert_notice(read_notice(path := notice(tmp_path / "body.docx", VALIDITY)), path)
    assert (meta["valid_from"], meta["valid_until"]) == (dt.date(2026, 1, 5), dt.date(2026, 12, 31))
    assert VALIDITY in body


@pytest.mark.parametrize(("kind", "section", "paragraphs", "where"), [
    ("header", 0, [p("内部资料　注意保存")], "header of section 1"),
    ("first_page_footer", 1, [p("第 ", field("PAGE", "1"), " 页", "<w:r><w:tab/></w:r>", VALIDITY)],
     "first-page footer of section 2"),
    ("even_page_header", 0, [p("本页无正文")], "even-page header of section 1"),
    ("footer", 0, [p('<w:r><w:rPr><w:vanish/></w:rPr><w:t>有效期至2026年12月31日</w:t></w:r>')],
     "footer of section 1"),
    ("footer", 0, [p(f"{NUMBER}　　{TITLE}　　另行通知")], "footer of section 1"),
])
def test_other_text_in_any_header_or_footer_refuses_the_file_naming_where_it_is(tmp_path, kind, section,
                                                                                paragraphs, where):
    path = with_margin(notice(tmp_path / "notice.docx"), *paragraphs, kind=kind, section=section)
    assert refusal(path).startswith(f"{where} holds text the notice would lose (“")


def test_a_footer_notice_dropped_into_content_is_quarantined_and_named_by_check_and_intake(tmp_project, store):
    from zaitun.check import content_problems
    from zaitun.content.intake import ingest

    section = tmp_project.content_dir / "policies"
    path = with_margin(notice(section / "footer.docx"), p(VALIDITY))
    predicted = [str(problem) for problem in content_problems(tmp_project)]
    report = ingest(tmp_project, store)
    assert len(predicted) == 1 and predicted[0].startswith(f"{path}: footer of section 1 holds text")
    assert len(report.errors) == 1 and str(report.errors[0]).startswith(predicted[0])
    assert not path.exists() and not (section / "footer.md").exists()


# ---- page furniture, passed over -------------------------------------------------------------------

PAGE_NUMBER_CONTROL = ('<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Page Numbers (Bottom of Page)"/>'
                       f'<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>{p("- ", field("PAGE", "1"), " -")}'
                       '</w:sdtContent></w:sdt>')


@pytest.mark.parametrize("paragraphs", [
    [p(field("PAGE", "1"))],
    [p("第 ", field("PAGE", "2"), " 页 共 ", field("NUMPAGES", "3"), " 页")],
    [p("— 1 —")],
    [p("- ", field("PAGE \\* ROMAN", "IV"), " -")],  # a field's result is passed over whatever its format
    [p("第１页／共３页")],
    [p('<w:fldSimple w:instr=" PAGE \\* MERGEFORMAT "><w:r><w:t>7</w:t></w:r></w:fldSimple>')],
    [p("Page ", field("PAGE", "1"), " of ", field("NUMPAGES", "2"))],
    [PAGE_NUMBER_CONTROL],
    [p(), p("   ")],
])
def test_a_footer_holding_only_a_page_number_imports_as_before(tmp_path, paragraphs):
    plain = read_notice(notice(tmp_path / "plain.docx", "一、适用范围"))
    assert read_notice(with_margin(notice(tmp_path / "paged.docx", "一、适用范围"), *paragraphs)) == plain


@pytest.mark.parametrize("paragraphs", [
    [p(NUMBER)],
    [p(TITLE)],
    [p(NUMBER, "<w:r><w:tab/></w:r>", TITLE, "<w:r><w:tab/></w:r>", "第", field("PAGE", "1"), "页")],
    [p(f"　{NUMBER}　　"), p()],
])
def test_a_header_repeating_the_document_number_or_title_of_the_body_imports_as_before(tmp_path, paragraphs):
    plain = read_notice(notice(tmp_path / "plain.docx"))
    path = with_margin(notice(tmp_path / "headed.docx"), *paragraphs, kind="header")
    assert read_notice(path) == plain


def test_a_title_wrapped_over_two_body_paragraphs_may_be_repeated_whole_in_the_header(tmp_path):
    path = word_file(tmp_path / "wrapped.docx", p("泉州市人民政府办公室关于印发"), p("泉州市外籍人士服务措施的通知"),
                     *map(p, HEAD[1:] + SIGNED))
    assert read_notice(with_margin(path, p(TITLE), kind="header")).count("泉州市外籍人士服务措施的通知") == 1


# ---- watermarks and text boxes ---------------------------------------------------------------------

def vml_watermark(text: str, name: str = "PowerPlusWaterMarkObject357831064") -> str:
    """A text watermark as Word writes it from Design > Watermark: VML WordArt, its text an attribute, in the
    gallery's content control."""
    shape = ('<w:r><w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
             'path="m@7,l@8,m@5,21600l@6,21600e"><v:textpath on="t" fitshape="t"/></v:shapetype>'
             f'<v:shape id="{name}" o:spid="_x0000_s2049" type="#_x0000_t136" style="position:absolute;'
             'margin-left:0;margin-top:0;width:415pt;height:207pt;rotation:315;z-index:-251657216" fillcolor="silver" '
             f'stroked="f"><v:fill opacity=".5"/><v:textpath style="font-family:&quot;宋体&quot;" string="{text}"/>'
             '<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>')
    return ('<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Watermarks"/><w:docPartUnique/></w:docPartObj>'
            f'</w:sdtPr><w:sdtContent>{p(shape)}</w:sdtContent></w:sdt>')


def drawing_box(text: str, name: str = "文本框 1", warp: str = "textNoShape") -> str:
    """A DrawingML shape holding text (a text box, a watermark, WordArt), with its VML fallback, in a paragraph."""
    content = f"<w:txbxContent>{p(text)}</w:txbxContent>"
    return p('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
             f'<wp:docPr id="1" name="{name}"/><a:graphic>'
             '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
             f'<wps:wsp><wps:txbx>{content}</wps:txbx><wps:bodyPr><a:prstTxWarp prst="{warp}"/></wps:bodyPr>'
             '</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict>'
             f'<v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>')


@pytest.mark.parametrize(("paragraphs", "mark"), [
    ([vml_watermark("机密")], "机密"),
    ([p("泉政办〔2025〕3号"), vml_watermark("绝密★启用前")], "绝密★启用前"),
    ([drawing_box("秘密", name="PowerPlusWaterMarkObject1")], "秘密"),
])
def test_a_classified_watermark_refuses_the_file_as_a_mark_in_the_body_does(tmp_path, paragraphs, mark):
    path = with_margin(notice(tmp_path / "notice.docx"), *paragraphs, kind="header")
    assert refusal(path) == (f"the notice is marked '{mark}' (a watermark in the header of section 1), a classified "
                             "document, which is never published: if it has been declassified, delete the mark")


def test_the_classified_refusal_is_the_one_a_mark_typed_in_the_body_gets(tmp_path):
    marked = word_file(tmp_path / "marked.docx", *map(p, ["机密★1年", *HEAD, *SIGNED]))
    with pytest.raises(NoticeImportError) as caught:
        convert_notice(read_notice(marked), marked)
    assert caught.value.message == ("the notice is marked '机密★1年', a classified document, which is never "
                                    "published: if it has been declassified, delete the mark")


def test_a_secrecy_mark_typed_in_a_header_beside_the_document_number_refuses_the_file_as_classified(tmp_path):
    path = with_margin(notice(tmp_path / "notice.docx"), p(NUMBER, "<w:r><w:tab/></w:r>", "机密★1年"), kind="header")
    assert refusal(path).startswith("the notice is marked '机密★1年' (in the header of section 1), a classified "
                                    "document")


@pytest.mark.parametrize(("paragraphs", "text"), [
    ([vml_watermark("征求意见稿")], "征求意见稿"),
    ([vml_watermark("样稿", name="WordPictureWatermark1")], "样稿"),
    ([drawing_box("草　稿", name="PowerPlusWaterMarkObject2")], "草　稿"),
    ([drawing_box("征求意见稿", warp="textPlain")], "征求意见稿"),  # WordArt typed in by hand
])
def test_a_draft_watermark_refuses_the_file_saying_it_is_a_watermark(tmp_path, paragraphs, text):
    path = with_margin(notice(tmp_path / "notice.docx"), *paragraphs, kind="header")
    assert refusal(path) == (
        f"header of section 1 holds a watermark the notice would lose (“{text}”): zaitun takes in the body only, and "
        "a watermark such as 征求意见稿 or 草稿 says the notice is not the one to publish: if it is final, remove the "
        "watermark (Design > Watermark > Remove Watermark), then save")


def test_a_text_box_in_a_header_is_read_and_its_text_refuses_the_file(tmp_path):
    path = with_margin(notice(tmp_path / "notice.docx"), drawing_box(VALIDITY), kind="header")
    assert refusal(path).startswith(f"header of section 1 holds text the notice would lose (“{VALIDITY}”)")


# ---- what the body leaves out is furniture in a header or footer too ---------------------------------

@pytest.mark.parametrize(("kind", "paragraphs"), [
    ("header", [p("泉州市人民政府办公室文件")]),
    ("header", [p("泉州市人民政府规范性文件")]),
    ("footer", [p("抄送：市委办公室，市人大常委会办公室。")]),
    ("footer", [p("抄送：市委办公室，　　市人大常委会办公室。"), p("泉州市人民政府办公室　　2025年3月1日印发")]),
    ("header", [p("泉政办[2025]3号")]),
    ("header", [p("泉政办（2025）3号")]),
    ("header", [p("泉政办［２０２５］03号")]),
    ("header", [p("此件公开发布")]),
    ("header", [p("（此件主动公开）")]),
    ("header", [p("特急")]),
    ("header", [p("泉州市人民政府规范性文件", "<w:r><w:tab/></w:r>", "泉政办[2025]3号"), p("━━━━━━━━━━━━")]),
])
def test_furniture_the_body_leaves_out_imports_as_before_in_a_header_or_footer(tmp_path, kind, paragraphs):
    plain = read_notice(notice(tmp_path / "plain.docx"))
    assert read_notice(with_margin(notice(tmp_path / "headed.docx"), *paragraphs, kind=kind)) == plain


@pytest.mark.parametrize("text", [
    "泉政办〔2024〕9号",  # a number the body does not have: another document's, or the right one lost
    "此件有效期至2026年12月31日",
    "（此件于2026年12月31日废止）",
    "此件请妥善保管",
    "2026年12月31日前有效文件",
    vml_watermark("泉州市人民政府办公室文件有效期至2026年12月31日"),
    p("本办法长期有效", "<w:r><w:tab/></w:r>", "泉州市人民政府办公室文件"),  # a red header's line is no 抄送 line
])
def test_what_only_looks_like_furniture_still_refuses_the_file(tmp_path, text):
    paragraphs = [text] if text.startswith("<") else [p(text)]
    path = with_margin(notice(tmp_path / "notice.docx"), *paragraphs, kind="header")
    assert refusal(path).startswith("header of section 1 holds ")


# ---- a date range is no page number -------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2025.1.1-2027.12.31", "2025.1.1", "2025-2027", "二〇二五", "1.1-12.31"])
def test_a_footer_holding_dates_made_of_digits_and_dashes_refuses_the_file(tmp_path, text):
    path = with_margin(notice(tmp_path / "notice.docx", "一、适用范围"), p(text))
    assert refusal(path).startswith(f"footer of section 1 holds text the notice would lose (“{text}”)")


@pytest.mark.parametrize("text", ["1/3", "- 12 -", "第12页 共123页", "Page 1 of 2", "·3·", "第一页", "(7)"])
def test_a_typed_page_number_and_count_still_pass_as_page_numbers(tmp_path, text):
    plain = read_notice(notice(tmp_path / "plain.docx", "一、适用范围"))
    assert read_notice(with_margin(notice(tmp_path / "paged.docx", "一、适用范围"), p(text))) == plain
