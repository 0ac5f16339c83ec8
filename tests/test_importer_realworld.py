"""Notices as publicity staff drop them in: tables and rosters in the body, validity phrases about other
documents, titles wrapped onto two lines, attachments printed after the distribution lines."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.content.importer import convert_notice, read_notice
from zaitun.content.intake import ingest
from zaitun.content.model import load_document


def convert(text: str) -> tuple[dict, str]:
    return convert_notice(text, Path("notice.txt"))


def word_notice(path: Path, before: list[str], rows: list[tuple[str, ...]], after: list[str]) -> Path:
    """A .docx as staff write it in Word: paragraphs, a table, paragraphs."""
    document = docx.Document()
    for text in before:
        document.add_paragraph(text)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    for text in after:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def test_a_document_number_in_a_table_of_the_body_is_another_documents_and_stays_in_the_body(tmp_path):
    notice = word_notice(
        tmp_path / "repeal.docx",
        ["泉州市人民政府关于废止部分规范性文件的决定", "各县（市、区）人民政府，市直各单位：",
         "经清理，市人民政府决定废止以下规范性文件："],
        [("文件名称", "文号"), ("泉州市城市道路管理办法", "泉政文〔2015〕12号"),
         ("泉州市停车场管理规定", "泉政文〔2016〕7号")],
        ["本决定自公布之日起施行。", "泉州市人民政府", "二〇二四年十二月二十日"])
    meta, body = convert_notice(read_notice(notice), notice)
    assert "doc_number" not in meta
    assert re.findall(r"泉政文〔\d+〕\d+号", body) == ["泉政文〔2015〕12号", "泉政文〔2016〕7号"]
    assert meta["date"] == dt.date(2024, 12, 20)


def test_a_document_number_under_the_title_or_under_the_date_of_issue_is_the_notices():
    title, body = "厦门市人民政府关于公布名录的通知\n", "各区人民政府：\n　　现予公布。\n"
    signature = "厦门市人民政府\n2024年3月5日\n"
    on_top = title + "厦府〔2024〕5号\n" + body + signature
    under_date = title + body + signature + "厦府〔2024〕5号\n"
    assert convert(on_top)[0]["doc_number"] == convert(under_date)[0]["doc_number"] == "厦府〔2024〕5号"


def test_a_date_in_a_table_of_the_body_is_not_the_date_of_issue_and_stays_in_the_body(tmp_path):
    notice = word_notice(
        tmp_path / "training.docx",
        ["泉州市商务局关于开展2025年外贸企业培训的通知", "各县（市、区）商务主管部门：", "现将培训安排通知如下："],
        [("场次", "时间", "地点"), ("第一场", "2025年3月10日", "晋江市"), ("第二场", "2025年3月20日", "石狮市")],
        ["请各地于2025年3月1日前报送参训名单。本通知自印发之日起施行。", "泉州市商务局", "2025年2月20日"])
    meta, body = convert_notice(read_notice(notice), notice)
    assert (meta["date"], meta["issuer"]) == (dt.date(2025, 2, 20), "泉州市商务局")
    assert meta["valid_from"] == dt.date(2025, 2, 20)
    assert "第一场\n\n2025年3月10日\n\n晋江市" in body
    assert "泉州市商务局" not in body.split("本通知自印发之日起施行。")[1]


def test_a_signed_date_in_the_body_is_not_the_date_of_issue_after_the_closing_formula():
    text = ("关于做好2025年春节期间安全生产工作的通知\n\n各县（市、区）应急管理局：\n\n"
            "　　一、加强值班值守。值班安排表如下：\n\n　　市应急管理局\n\n　　2025年1月28日\n\n"
            "　　二、各单位要压实责任。\n\n　　特此通知。\n\n泉州市应急管理局\n2025年1月10日\n")
    meta, body = convert(text)
    assert (meta["date"], meta["issuer"]) == (dt.date(2025, 1, 10), "泉州市应急管理局")
    assert "市应急管理局\n\n2025年1月28日\n\n## 二、各单位要压实责任。" in body


def test_validity_is_the_notices_own_clause_not_a_date_an_earlier_measure_mentions():
    text = ("泉州市人民政府办公室关于延续实施部分惠企政策的通知\n\n泉政办〔2024〕30号\n\n各县（市、区）人民政府：\n\n"
            "　　一、对有效期至2024年12月31日的“白名单”企业，自动延续资格一年。\n\n"
            "　　二、原定自2024年1月1日起施行的《泉州市稳岗补贴办法》继续执行。\n\n"
            "　　三、本通知自2025年1月1日起施行，有效期至2027年12月31日。\n\n"
            "泉州市人民政府办公室\n二〇二四年十二月二十日\n")
    meta, _ = convert(text)
    assert (meta["valid_from"], meta["valid_until"]) == (dt.date(2025, 1, 1), dt.date(2027, 12, 31))


def test_the_notices_own_duration_wins_over_an_earlier_measures_end_date():
    text = ("关于支持企业发展的若干措施\n\n　　一、对有效期至2025年6月30日的资质证书，予以延期。\n\n"
            "　　二、本措施自2025年1月1日起施行，有效期3年。\n\n泉州市人民政府\n2024年12月20日\n")
    meta, _ = convert(text)
    assert (meta["valid_from"], meta["valid_until"]) == (dt.date(2025, 1, 1), dt.date(2027, 12, 31))


def test_a_standalone_title_wrapped_onto_two_lines_is_the_whole_title():
    text = ("泉州市数字经济高质量发展\n三年行动方案（2025—2027年）\n\n　　为加快数字经济发展，制定本方案。\n\n"
            "泉州市人民政府\n2025年2月1日\n")
    meta, body = convert(text)
    assert meta["title"] == "泉州市数字经济高质量发展三年行动方案（2025—2027年）"
    assert body == "为加快数字经济发展，制定本方案。\n"


def test_an_attachment_printed_after_the_distribution_lines_is_kept():
    text = ("泉州市财政局关于下达专项资金的通知\n\n各县（市、区）财政局：\n\n　　现将专项资金下达给你们。\n\n"
            "　　附件：专项资金分配表\n\n泉州市财政局\n2024年12月20日\n\n抄送：市农业农村局，市审计局。\n"
            "泉州市财政局办公室　　2024年12月23日印发\n\n"
            "附件\n\n专项资金分配表\n\n　　晋江市1000万元，南安市800万元。\n")
    _, body = convert(text)
    assert body.endswith("附件\n\n专项资金分配表\n\n晋江市1000万元，南安市800万元。\n")
    assert "抄送" not in body and "印发" not in body


def test_an_impossible_date_in_the_validity_clause_is_named_at_its_line(tmp_path):
    section = tmp_path / "content" / "policies"
    section.mkdir(parents=True)
    (section / "notice.txt").write_text(
        "泉州市关于测试的通知\n\n　　内容如下。\n\n　　本通知自印发之日起施行，有效期至2026年2月30日。\n\n"
        "泉州市人民政府\n2024年2月3日\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--project", str(tmp_path), "check"])
    assert result.exit_code == 1
    assert f"{section / 'notice.txt'}:5: impossible date '2026年2月30日'" in result.output


def test_a_dropped_word_notice_with_a_repeal_table_takes_no_other_documents_number(tmp_project, store):
    section = tmp_project.content_dir / "policies"
    section.mkdir()
    word_notice(section / "repeal.docx",
                ["泉州市人民政府关于废止部分规范性文件的决定", "各县（市、区）人民政府：", "决定废止以下文件："],
                [("文件名称", "文号"), ("泉州市城市道路管理办法", "泉政文〔2015〕12号")],
                ["本决定自公布之日起施行。", "泉州市人民政府", "2024年12月20日"])
    report = ingest(tmp_project, store)
    assert report.errors == [] and report.ingested == ["repeal"]
    document = load_document(section / "repeal.md", tmp_project.content_dir)
    assert document.meta.get("doc_number") is None
    assert "泉政文〔2015〕12号" in document.body


def test_number_only_cells_of_a_word_table_are_kept_not_taken_for_page_numbers(tmp_path):
    notice = word_notice(
        tmp_path / "roads.docx",
        ["泉州市交通运输局关于下达2025年农村公路建设计划的通知", "各县（市、区）交通运输局：",
         "现将建设计划下达如下："],
        [("序号", "项目名称", "补助（万元）"), ("1", "晋江市安海至东石公路", "500"),
         ("2", "南安市官桥至水头公路", "320")],
        ["特此通知。", "泉州市交通运输局", "2025年1月6日"])
    _, body = convert_notice(read_notice(notice), notice)
    assert "1\n\n晋江市安海至东石公路\n\n500\n\n2\n\n南安市官桥至水头公路\n\n320" in body


def test_a_page_number_line_of_a_text_notice_is_still_dropped():
    _, body = convert("关于测试的通知\n\n　　内容如下。\n\n— 2 —\n\n　　续页内容。\n\n泉州市人民政府\n2024年2月3日\n")
    assert body == "内容如下。\n\n续页内容。\n"


def test_a_document_number_in_full_width_digits_is_written_and_slugged_in_ascii_digits(tmp_path):
    (tmp_path / "content").mkdir()
    notice = tmp_path / "notice.txt"
    notice.write_text("泉州市人民政府办公室关于加强管理的通知\n\n泉政办〔２０２４〕１２号\n\n各县（市、区）人民政府：\n\n"
                      "　　现将有关事项通知如下。\n\n泉州市人民政府办公室\n2024年12月20日\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--project", str(tmp_path), "import", str(notice)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "content" / "policies" / "quan-zheng-ban-2024-12.md"
    assert load_document(written, tmp_path / "content").meta["doc_number"] == "泉政办〔2024〕12号"


def test_a_title_wrapped_after_a_word_that_also_ends_titles_takes_its_last_line():
    text = ("泉州市自然资源和规划局\n关于泉州市中心城区控制性详细规划\n修编的公告\n\n"
            "　　现将有关事项公告如下：\n　　①公示时间：2025年1月1日至2025年1月30日。\n\n　　特此公告。\n\n"
            "泉州市自然资源和规划局\n2024年12月25日\n")
    meta, body = convert(text)
    assert meta["title"] == "泉州市自然资源和规划局关于泉州市中心城区控制性详细规划修编的公告"
    assert body.startswith("现将有关事项公告如下：\n")


def test_organs_issuing_jointly_stay_apart_in_the_issuer_and_the_title(tmp_path):
    text = ("泉州市发展和改革委员会　泉州市财政局\n关于印发《泉州市重点项目前期工作经费管理办法》的通知\n\n"
            "各县（市、区）发改局、财政局：\n\n　　现将《泉州市重点项目前期工作经费管理办法》印发给你们。\n\n"
            "泉州市发展和改革委员会　　　　　泉州市财政局\n二〇二四年十二月二十日\n")
    meta, _ = convert(text)
    assert meta["issuer"] == "泉州市发展和改革委员会\u3000泉州市财政局"
    assert meta["summary"].startswith("泉州市发展和改革委员会\u3000泉州市财政局关于印发")
    (tmp_path / "content").mkdir()
    (tmp_path / "notice.txt").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["--project", str(tmp_path), "import", str(tmp_path / "notice.txt")])
    assert result.exit_code == 0, result.output
    written = Path(result.output.strip().splitlines()[0])
    assert load_document(written, tmp_path / "content").meta["issuer"] == "泉州市发展和改革委员会\u3000泉州市财政局"


def test_a_traditional_notice_saved_as_big5_is_read_not_turned_into_other_characters(tmp_path):
    text = ("東莞市人民政府關於加強公共衛生管理的通知\n\n東府〔2024〕12號\n\n各鎮人民政府（街道辦事處）：\n\n"
            "　　為加強公共衛生管理，現將有關事項通知如下。本通知自印發之日起施行，有效期三年。\n\n"
            "東莞市人民政府\n2024年6月1日\n")
    notice = tmp_path / "notice.txt"
    notice.write_bytes(text.encode("big5"))
    assert read_notice(notice) == text
    meta, _ = convert_notice(read_notice(notice), notice)
    assert (meta["title"], meta["doc_number"]) == ("東莞市人民政府關於加強公共衛生管理的通知", "東府〔2024〕12號")


def test_a_gb18030_notice_with_a_katakana_middle_dot_stays_gb18030(tmp_path):
    text = "关于“宋元中国・海丝泉州”宣传推介的通知\n\n　　现将有关事项通知如下。\n\n泉州市人民政府\n2024年6月1日\n"
    notice = tmp_path / "notice.txt"
    notice.write_bytes(text.encode("gb18030"))
    assert read_notice(notice) == text


@pytest.mark.parametrize(("bom", "encoding"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
                         ids=["little-endian", "big-endian"])
def test_a_notice_saved_as_unicode_from_notepad_is_read(tmp_path, bom, encoding):
    text = "关于测试的通知\r\n\r\n　　内容如下。\r\n\r\n泉州市人民政府\r\n2024年2月3日\r\n"
    notice = tmp_path / "notice.txt"
    notice.write_bytes(bom + text.encode(encoding))
    assert read_notice(notice) == text.replace("\r\n", "\n")


def test_a_repealed_documents_start_in_the_notices_own_sentence_is_not_the_notices():
    text = ("关于调整最低工资标准的通知\n\n各县（市、区）人民政府：\n\n"
            "　　本通知自2025年1月1日起施行，原自2022年1月1日起施行的最低工资标准同时废止。\n\n"
            "泉州市人民政府\n2024年12月10日\n")
    assert convert(text)[0]["valid_from"] == dt.date(2025, 1, 1)
