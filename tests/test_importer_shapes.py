"""Notices in the shapes a city office sends them, dropped into content/ and taken in by `zaitun intake` run as
staff run it: an upward document whose number line names its signers, attachment lists, tables in plain text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx_support import p, row, table, word_file
from hypothesis import given, settings
from hypothesis import strategies as st

from zaitun.content.importer import convert_notice
from zaitun.content.model import load_document


def zaitun(project, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {"PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "zaitun", "--project", str(project.root), *args],
                          capture_output=True, text=True, timeout=300, env=env)


def intake(project, name: str, text: str) -> tuple[dict, str]:
    """Drop `content/policies/<name>.txt` in, run `zaitun intake`; the document it became (meta, body)."""
    section = project.content_dir / "policies"
    section.mkdir(exist_ok=True)
    (section / f"{name}.txt").write_text(text, encoding="utf-8")
    return intake_dropped(project, name)


def intake_dropped(project, name: str) -> tuple[dict, str]:
    """Run `zaitun intake` on the notice dropped into content/policies/ as `<name>.txt` or `.docx`."""
    section = project.content_dir / "policies"
    result = zaitun(project, "intake")
    assert result.returncode == 0 and "errors 0" in result.stdout, result.stdout + result.stderr
    document = load_document(section / f"{name}.md", project.content_dir)
    return document.meta, document.body.strip()


UPWARD = """泉州市人民政府文件

泉政文〔2024〕5号{gap}签发人：张三{more}

泉州市人民政府关于申请设立泉州综合保税区的请示

省人民政府：

　　为扩大对外开放，推动外贸高质量发展，我市拟申请设立泉州综合保税区。现将有关情况请示如下。

　　妥否，请批示。

泉州市人民政府
2024年3月5日
"""


def test_an_upward_documents_number_line_gives_its_number_and_signer_and_leaves_the_body_whole(tmp_project):
    meta, body = intake(tmp_project, "request", UPWARD.format(gap="\u3000" * 4, more=""))
    assert meta["doc_number"] == "泉政文〔2024〕5号"
    assert meta["signer"] == "张三"
    assert meta["title"] == "泉州市人民政府关于申请设立泉州综合保税区的请示"
    assert body.startswith("省人民政府：\n\n为扩大对外开放")
    assert "签发人" not in body and "张三" not in body


def test_signers_of_a_joint_upward_document_stay_apart_whether_ascii_spaces_or_lines_part_them(tmp_project):
    meta, body = intake(tmp_project, "joint-request", UPWARD.format(gap=" " * 16, more="  李四\n" + " " * 40 + "王五"))
    assert (meta["doc_number"], meta["signer"]) == ("泉政文〔2024〕5号", "张三\u3000李四\u3000王五")
    assert body.startswith("省人民政府：\n\n")


def test_every_attachment_of_a_list_begun_on_the_attachments_line_is_an_item_even_when_it_starts_with_a_year(
        tmp_project):
    meta, body = intake(tmp_project, "plans", (
        "泉州市人民政府办公室关于印发2025年重点项目计划的通知\n\n各县（市、区）人民政府，市直各单位：\n\n"
        "　　现将有关计划印发给你们，请认真贯彻执行。\n\n"
        "　　附件：1．2025年泉州市重点项目建设计划\n　　　　　2．2025年泉州市重点项目责任分工表\n"
        "　　　　　3．泉州市重点项目联系人名单\n\n泉州市人民政府办公室\n2025年1月6日\n"))
    assert body.endswith("附件：\n\n- 1．2025年泉州市重点项目建设计划\n\n- 2．2025年泉州市重点项目责任分工表\n\n"
                         "- 3．泉州市重点项目联系人名单")


def test_number_only_cells_of_a_table_in_a_text_notice_stay_and_page_numbers_still_go(tmp_project):
    meta, body = intake(tmp_project, "roads", (
        "泉州市交通运输局关于下达2025年农村公路建设计划的通知\n\n各县（市、区）交通运输局：\n\n"
        "　　根据省交通运输厅年度计划安排，结合各地上报的项目\n\n3\n\n前期工作情况，现将建设计划下达如下：\n\n"
        "序号\n项目名称\n补助（万元）\n1\n晋江市安海至东石公路\n500\n2\n南安市官桥至水头公路\n12\n\n— 4 —\n\n"
        "3\n永春县五里街至岵山公路\n2024\n\n　　特此通知。\n\n泉州市交通运输局\n2025年1月6日\n"))
    assert "根据省交通运输厅年度计划安排，结合各地上报的项目前期工作情况，现将建设计划下达如下：" in body
    cells = ["序号", "项目名称", "补助（万元）", "1", "晋江市安海至东石公路", "500", "2", "南安市官桥至水头公路", "12",
             "3", "永春县五里街至岵山公路", "2024"]
    assert "\n\n".join(cells) + "\n\n特此通知。" in body
    assert "4" not in body.replace("2024", "")


JOINT = """{top}关于做好外贸企业资金申报工作的通知

各县（市、区）财政局、商务局：

　　现将有关事项通知如下。

{bottom}
2024年12月20日
"""


@pytest.mark.parametrize(("top", "bottom"), [
    ("泉州市财政局\n泉州市商务局\n", "泉州市财政局　　　　泉州市商务局"),
    ("泉州市财政局　泉州市商务局", "泉州市财政局\n泉州市商务局"),
], ids=["organs a line each above the title", "organs a line each above the date"])
def test_organs_issuing_jointly_one_a_line_are_the_issuer_and_stay_out_of_the_body(tmp_project, top, bottom):
    meta, body = intake(tmp_project, "funds", JOINT.format(top=top, bottom=bottom))
    assert meta["issuer"] == "泉州市财政局\u3000泉州市商务局"
    assert meta["title"] == "泉州市财政局\u3000泉州市商务局关于做好外贸企业资金申报工作的通知"
    assert body == "各县（市、区）财政局、商务局：\n\n现将有关事项通知如下。"


def test_a_chaobao_distribution_line_goes_with_the_printing_line_and_does_not_run_into_the_last_paragraph(
        tmp_project):
    meta, body = intake(tmp_project, "holiday", (
        "泉州市人民政府办公室关于做好春节期间安全工作的通知\n\n各县（市、区）人民政府：\n\n"
        "　　现将有关事项通知如下。\n\n泉州市人民政府办公室\n2024年12月20日\n\n抄报：省政府办公厅。\n"
        "泉州市人民政府办公室　　　　　　2024年12月23日印发\n"))
    assert body == "各县（市、区）人民政府：\n\n现将有关事项通知如下。"
    assert meta["date"].isoformat() == "2024-12-20"


ROADS = """泉州市交通运输局关于下达2025年农村公路建设计划的通知

各县（市、区）交通运输局：

　　现将建设计划下达如下：

{rows}

　　特此通知。

泉州市交通运输局
2025年1月6日
"""
ROWS = [("序号", "项目名称", "补助（万元）"), ("1", "晋江市安海至东石公路", "500"),
        ("2", "南安市官桥至水头公路", "320")]


@pytest.mark.parametrize("gap", ["\t", "        ", "\u3000\u3000"], ids=["tabs", "spaces", "ideographic spaces"])
def test_a_tables_rows_written_a_row_a_line_keep_their_cells_apart(tmp_project, gap):
    rows = "\n".join(gap.join(cell.ljust(12) if gap == "        " else cell for cell in row).rstrip() for row in ROWS)
    meta, body = intake(tmp_project, "roads", ROADS.format(rows=rows))
    cells = [cell for row in ROWS for cell in row]
    assert body == "各县（市、区）交通运输局：\n\n现将建设计划下达如下：\n\n" + "\n\n".join(cells) + "\n\n特此通知。"


def test_organs_of_a_joint_red_header_written_one_a_line_are_the_issuer_not_the_first_words_of_the_body(
        tmp_project):
    meta, body = intake(tmp_project, "funds", (
        "泉州市财政局\n泉州市商务局文件\n\n泉财〔2024〕88号\n\n" + JOINT.format(
            top="泉州市财政局　泉州市商务局", bottom="泉州市财政局　　　　泉州市商务局").replace("2024年12月20日\n", "")
        + "2024年12月20日\n"))
    assert (meta["doc_number"], meta["issuer"]) == ("泉财〔2024〕88号", "泉州市财政局\u3000泉州市商务局")
    assert body == "各县（市、区）财政局、商务局：\n\n现将有关事项通知如下。"


def test_what_follows_the_date_of_issue_never_runs_into_the_last_paragraph_above_it(tmp_project):
    meta, body = intake(tmp_project, "grants", (
        "泉州市财政局关于下达专项资金的通知\n\n各县（市、区）财政局：\n\n　　现将专项资金下达给你们。\n\n"
        "　　附件：专项资金分配表\n\n泉州市财政局\n2024年12月20日\n\n（联系人：李四；联系电话：0595-23333333）\n\n"
        "抄送：市农业农村局。\n泉州市财政局办公室　　2024年12月23日印发\n\n"
        "附件\n\n专项资金分配表\n\n　　晋江市1000万元，南安市800万元。\n"))
    assert body.split("\n\n") == ["各县（市、区）财政局：", "现将专项资金下达给你们。", "附件：专项资金分配表",
                                  "（联系人：李四；联系电话：0595-23333333）", "附件", "专项资金分配表",
                                  "晋江市1000万元，南安市800万元。"]


def test_a_signer_in_the_word_table_cell_beside_the_document_number_is_the_signer(tmp_project):
    word_file(tmp_project.content_dir / "policies" / "request.docx", p("泉州市人民政府文件"),
              table(row(p("泉政文〔2024〕5号"), p("签发人：张三"))),
              *(p(text) for text in ["泉州市人民政府关于申请设立泉州综合保税区的请示", "省人民政府：",
                                        "现将有关情况请示如下。", "妥否，请批示。", "泉州市人民政府", "2024年3月5日"]))
    meta, body = intake_dropped(tmp_project, "request")
    assert (meta["doc_number"], meta["signer"]) == ("泉政文〔2024〕5号", "张三")
    assert body == "省人民政府：\n\n现将有关情况请示如下。\n\n妥否，请批示。"


def test_a_paragraph_wrapped_under_a_table_printed_a_cell_a_line_is_one_paragraph_not_cells(tmp_project):
    cells = "\n".join(cell for row in ROWS for cell in row)
    meta, body = intake(tmp_project, "roads", ROADS.format(rows=cells).replace(
        "\n\n　　特此通知。", "\n各地要按照上述安排，认真组织实施，确保资金\n按时足额到位。特此通知。"))
    assert body.endswith("\n\n320\n\n各地要按照上述安排，认真组织实施，确保资金按时足额到位。特此通知。")


@pytest.mark.parametrize("between", ["\u3000\u3000", "；", " "], ids=["ideographic spaces", "semicolon", "space"])
def test_attachments_written_on_the_attachments_line_together_are_each_an_item(tmp_project, between):
    meta, body = intake(tmp_project, "plans", (
        "泉州市人民政府办公室关于印发2025年重点项目计划的通知\n\n各县（市、区）人民政府：\n\n"
        "　　现将有关计划印发给你们，请认真贯彻执行。\n\n"
        f"　　附件：1．第2批重点项目清单{between}2．重点项目责任分工表\n\n泉州市人民政府办公室\n2025年1月6日\n"))
    first = "1．第2批重点项目清单" + ("；" if between == "；" else "")
    assert body.endswith(f"附件：\n\n- {first}\n\n- 2．重点项目责任分工表")


@pytest.mark.parametrize("under", ["\u3000" * 7, " " * 14], ids=["ideographic spaces", "spaces"])
def test_an_attachments_name_wrapped_to_stand_under_it_stays_one_item(tmp_project, under):
    meta, body = intake(tmp_project, "measures", (
        "泉州市人民政府办公室关于印发泉州市加快提升国际化营商环境\n若干措施实施细则的通知\n\n"
        "各县（市、区）人民政府，泉州开发区、泉州台商投资区管委会，\n市人民政府各部门、各直属机构：\n\n"
        "　　经市人民政府同意，现将有关细则和清单印发给你们，请结合\n实际认真贯彻执行。\n\n"
        f"　　附件：1．泉州市加快提升国际化营商环境若干措施实施\n{under}细则\n"
        "　　　　　2．泉州市外籍人才服务事项清单\n\n泉州市人民政府办公室\n2024年12月20日\n"))
    assert body.endswith("附件：\n\n- 1．泉州市加快提升国际化营商环境若干措施实施细则\n\n"
                         "- 2．泉州市外籍人才服务事项清单")


_NAMES = st.text(alphabet="晋江南安石狮惠安永春德化安溪市县区镇公路大桥改造工程", min_size=2, max_size=14)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_NAMES, st.integers(0, 99999)), min_size=1, max_size=12),
       st.sampled_from(["\n", "\t", "    ", "\u3000\u3000"]), st.integers(1, 99))
def test_every_cell_of_a_text_table_is_kept_in_order_whatever_its_numbers_and_layout(rows, gap, page):
    table = [("序号", "项目名称", "补助（万元）")] + [(str(n), name, str(amount)) for n, (name, amount) in
                                                 enumerate(rows, start=1)]
    printed = "\n".join(gap.join(row) for row in table)
    text = ROADS.format(rows=printed).replace("　　特此通知。", f"— {page} —\n\n　　特此通知。")
    _, body = convert_notice(text, Path("roads.txt"))
    assert "\n\n".join(cell for row in table for cell in row) + "\n\n特此通知。" in body


def test_a_zhusong_line_of_the_foot_goes_with_the_distribution_lines_under_it(tmp_project):
    meta, body = intake(tmp_project, "minutes", (
        "泉州市人民政府办公室关于春节期间安全工作会议的纪要\n\n　　现将会议议定事项纪要如下。\n\n"
        "泉州市人民政府办公室\n2024年12月20日\n\n主送：各县（市、区）人民政府，市直有关单位。\n抄送：市委办公室。\n"
        "泉州市人民政府办公室　　　　　　2024年12月23日印发\n"))
    assert body == "现将会议议定事项纪要如下。"


def test_zhusong_and_chaosong_lines_above_the_date_of_issue_are_the_notices_text_and_cut_nothing(tmp_project):
    meta, body = intake(tmp_project, "meeting", (
        "泉州市人民政府办公室关于召开安全工作会议的通知\n\n主送：各县（市、区）人民政府\n抄送：市委办公室\n\n"
        "　　定于2025年1月10日召开全市安全工作会议。\n\n泉州市人民政府办公室\n2024年12月20日\n"))
    assert body.split("\n\n") == ["主送：各县（市、区）人民政府", "抄送：市委办公室",
                                  "定于2025年1月10日召开全市安全工作会议。"]


def test_the_copy_number_and_urgency_above_the_red_header_stay_out_of_the_body(tmp_project):
    meta, body = intake(tmp_project, "request", "000123\n特急\n" + UPWARD.format(gap="\u3000" * 4, more=""))
    assert (meta["doc_number"], meta["signer"]) == ("泉政文〔2024〕5号", "张三")
    assert body.startswith("省人民政府：\n\n为扩大对外开放")


def test_a_notice_marked_classified_is_refused_at_its_line_by_check_and_intake(tmp_project):
    section = tmp_project.content_dir / "policies"
    section.mkdir()
    (section / "request.txt").write_text("000123\n机密★1年\n" + UPWARD.format(gap="\u3000", more=""), encoding="utf-8")
    for command in ("check", "intake"):
        result = zaitun(tmp_project, command)
        assert result.returncode != 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
        assert f"{section / 'request.txt'}:2: the notice is marked '机密★1年', a classified document" in \
            result.stdout + result.stderr
    assert not (section / "request.md").exists()


@pytest.mark.parametrize(("written", "items"), [
    ("附件1．泉州市重点项目管理办法\n　　　　2．泉州市重点项目责任分工表",
     ["1．泉州市重点项目管理办法", "2．泉州市重点项目责任分工表"]),
    ("附件：①泉州市重点项目管理办法\n　　　　②泉州市重点项目责任分工表\n　　　　③泉州市重点项目联系人名单",
     ["①泉州市重点项目管理办法", "②泉州市重点项目责任分工表", "③泉州市重点项目联系人名单"]),
    ("附件：①泉州市重点项目管理办法　②泉州市重点项目责任分工表",
     ["①泉州市重点项目管理办法", "②泉州市重点项目责任分工表"]),
], ids=["number straight after 附件", "circled numbers a line each", "circled numbers on one line"])
def test_an_attachment_list_numbered_straight_after_fujian_or_with_circled_numbers_is_a_list_of_every_item(
        tmp_project, written, items):
    meta, body = intake(tmp_project, "plans", (
        "泉州市人民政府办公室关于印发重点项目管理办法的通知\n\n各县（市、区）人民政府：\n\n"
        "　　现将办法印发给你们，请认真贯彻执行\n"
        f"{written}\n\n泉州市人民政府办公室\n2025年1月6日\n"))
    assert "请认真贯彻执行\n\n附件" in body
    assert body.endswith("\n\n".join("- " + item for item in items))


@pytest.mark.parametrize("page", ["3", "- 3 -"])
@pytest.mark.parametrize("where", ["before", "after"], ids=["number ends the page", "number starts the next"])
def test_a_page_number_at_a_form_feed_inside_or_under_a_text_table_goes_and_number_cells_stay(
        tmp_project, page, where):
    broken = f"{page}\f" if where == "before" else f"\f{page}\n"
    meta, body = intake(tmp_project, "roads", (
        "泉州市交通运输局关于下达2025年农村公路建设计划的通知\n\n各县（市、区）交通运输局：\n\n"
        "　　现将建设计划下达如下：\n\n"
        "序号\t项目名称\t补助（万元）\n1\t晋江市安海至东石公路\t500\n2\t南安市官桥至水头公路\t12\n"
        f"{broken}\n3\t永春县五里街至岵山公路\t2024\n{broken}\n"
        "　　特此通知。\n\n泉州市交通运输局\n2025年1月6日\n"))
    cells = ["序号", "项目名称", "补助（万元）", "1", "晋江市安海至东石公路", "500", "2", "南安市官桥至水头公路", "12",
             "3", "永春县五里街至岵山公路", "2024"]
    assert "\n\n".join(cells) + "\n\n特此通知。" in body


@pytest.mark.parametrize("gap", ["\t", "    ", "\u3000\u3000"], ids=["tab", "spaces", "ideographic spaces"])
@pytest.mark.parametrize("lead", ["　　现将名单公布如下：", "2025年泉州市重点项目名单"], ids=["colon", "names a list"])
def test_a_text_table_without_a_header_cell_keeps_its_cells_apart_under_a_line_that_leads_to_it(
        tmp_project, gap, lead):
    table = [("项目名称", "建设单位", "所在地"), ("安海至东石公路", "晋江市交通局", "晋江市"),
             ("官桥至水头公路", "南安市交通局", "南安市")]
    meta, body = intake(tmp_project, "list", (
        "泉州市交通运输局关于公布2025年重点项目名单的通知\n\n各县（市、区）交通运输局：\n\n"
        f"　　经研究，确定以下项目为重点项目。\n\n{lead}\n\n" + "\n".join(gap.join(row) for row in table) +
        "\n\n　　特此通知。\n\n泉州市交通运输局\n2025年1月6日\n"))
    assert "\n\n".join(cell for row in table for cell in row) + "\n\n特此通知。" in body
    assert "经研究，确定以下项目为重点项目。" in body


_SEED = Path(__file__).parent / "fixtures" / "seed-notice.txt"


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(["\t", "  ", "\u3000\u3000"]))
def test_gaps_inside_the_lines_under_a_lead_in_of_the_seed_notice_never_cut_a_paragraph_into_cells(random, gap):
    text = _SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    above = ""
    for i, line in enumerate(lines):
        chinese = [j for j in range(1, len(line)) if all("\u4e00" <= c <= "\u9fff" for c in line[j - 1:j + 1])]
        if above.endswith(("：", "表", "名单")) and chinese:
            j = random.choice(chinese)
            lines[i] = line[:j] + gap + line[j:]
        above = line.strip() or above  # the line above, past blank ones
    assert "\n".join(lines) != text  # the seed has lines under a lead-in, and they got gaps
    assert convert_notice("\n".join(lines), _SEED) == convert_notice(text, _SEED)


FORWARDING = (Path(__file__).parent / "fixtures" / "forwarding-notice.txt").read_text(encoding="utf-8")
MEASURES = "泉州市促进外贸稳定增长若干措施"


@pytest.mark.parametrize("title", [
    "泉州市人民政府办公室关于转发市商务局等部门泉州市促进外贸稳定增长若干措施的通知",  # the body says 《…》
    "泉州市人民政府办公室关于转发市商务局等部门《泉州市促进外贸稳定增长若干措施》的通知",
])
def test_a_forwarding_notice_is_titled_by_the_measures_it_forwards_not_by_who_made_them(tmp_project, title):
    """`关于转发市商务局等部门X的通知`: the title was `市商务局等部门X` (with a stray 《 when bracketed), and the
    forwarded measures' own title line stayed in the body, as it did not match."""
    text = FORWARDING.replace(FORWARDING.splitlines()[0], title, 1)
    meta, body = intake(tmp_project, "forwarded", text)
    assert meta["title"] == MEASURES and meta["summary"] == title
    assert meta["issuer"] == "泉州市人民政府办公室" and str(meta["date"]) == "2025-03-10"
    assert f"\n{MEASURES}\n" not in f"\n{body}\n"  # its title line: the front matter's title now
    assert "为稳定外贸增长，制定以下措施。" in body


def test_the_forwarded_measures_joint_signature_keeps_its_organs_apart(tmp_project):
    """The organs signing the forwarded measures on one line (`泉州市商务局　　泉州市财政局`) ran together into
    `泉州市商务局泉州市财政局`: the gap kept when the line was read was taken out again with the paragraph."""
    _, body = intake(tmp_project, "forwarded", FORWARDING)
    assert body.endswith("泉州市商务局\u3000泉州市财政局\n\n2025年3月1日"), body[-80:]


def test_a_notice_enclosing_two_documents_is_titled_by_both():
    text = "泉州市人民政府关于印发《泉州市甲办法》和《泉州市乙细则》的通知\n\n各单位：\n\n现印发给你们。\n\n"
    meta, _ = convert_notice(text + "泉州市人民政府\n2025年1月2日\n", Path("two.txt"))
    assert meta["title"] == "《泉州市甲办法》和《泉州市乙细则》"
