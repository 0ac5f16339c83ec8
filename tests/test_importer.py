"""The notice importer on the real seed notice and on variants of it built here."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zaitun.content.importer import convert_notice, default_slug, import_notice, read_notice
from zaitun.content.model import load_document
from zaitun.content.pinyin import PINYIN, slug_syllable
from zaitun.errors import NoticeImportError

SEED = Path(__file__).parent / "fixtures" / "seed-notice.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")


def convert(text: str) -> tuple[dict, str]:
    return convert_notice(text, Path("notice.txt"))


def seed_without(*needles: str) -> str:
    return "\n".join(line for line in SEED_TEXT.split("\n") if not any(n in line for n in needles))


def sections(body: str) -> dict[str, str]:
    """Each `### ` heading with the text up to the next heading."""
    parts = re.split(r"^(#{2,3} .*)$", body, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2) if parts[i].startswith("### ")}


@pytest.fixture(scope="module")
def seed() -> tuple[dict, str]:
    return convert_notice(read_notice(SEED), SEED)


def test_seed_front_matter_has_number_issuer_dates_and_measures_title(seed):
    meta, _ = seed
    assert list(meta) == ["title", "date", "doc_number", "issuer", "valid_from", "valid_until",
                          "summary", "tags"]
    assert meta["title"] == "泉州市加快提升国际化营商环境若干措施（试行）"
    assert meta["doc_number"] == "泉政办规〔2024〕11号"
    assert meta["issuer"] == "泉州市人民政府办公室"
    assert meta["date"] == dt.date(2024, 12, 20)  # not the 12月23日 printing date
    assert meta["valid_from"] == dt.date(2024, 12, 20)  # 自印发之日起施行
    assert meta["valid_until"] == dt.date(2026, 12, 31)
    assert meta["summary"] == "泉州市人民政府办公室关于印发泉州市加快提升国际化营商环境若干措施（试行）的通知"
    assert meta["tags"] == ["政策文件"]


def test_seed_body_has_four_parts_and_sixteen_measures(seed):
    _, body = seed
    assert len(re.findall(r"^## ", body, flags=re.M)) == 4
    assert len(re.findall(r"^### ", body, flags=re.M)) == 16
    assert "## 一、打造高效便捷的涉外政务服务环境\n" in body
    assert "## 四、其他事项\n" in body


def test_measure_heading_is_its_title_sentence_and_the_rest_a_paragraph(seed):
    _, body = seed
    assert "### （一）建设涉外政务平台，设立泉州市12345热线外籍人士服务专线。\n\n构建外资企业" in body
    assert "### （五）推动引资、引才、引智融合发展。\n\n加大引才、引智力度。" in body


def test_every_measure_keeps_its_lead_and_responsible_units(seed):
    _, body = seed
    for heading, text in sections(body).items():
        assert re.search(r"^ *\*\*(牵头|责任)单位\*\*：", text, flags=re.M), heading
    assert "**牵头单位**：市外事办、市12345政务服务便民热线中心\n" in body
    assert ("**责任单位**：各县（市、区）人民政府，泉州开发区、泉州台商投资区管委会，"
            "市人社局、科技局、公安局，市社科联\n\n优化产业结构。") in body


def test_sub_items_become_list_items_with_their_units_inside(seed):
    _, body = seed
    assert "\n- （1）进一步优化外国人来华工作许可和居留许可审批。全力建设" in body
    assert "\n\n  **牵头单位**：市公安局、科技局\n" in body
    assert "签发1至3年多次入境有效的商贸签证；或根据实际需求，在满足申请条件下" in body


def test_covering_note_then_preamble_come_before_the_parts(seed):
    _, body = seed
    blocks = body.split("\n\n")
    assert blocks[0].startswith("各县（市、区）人民政府") and blocks[0].endswith("各高等院校：")
    assert blocks[1] == ("《泉州市加快提升国际化营商环境若干措施（试行）》已经市政府研究同意，"
                         "现印发给你们，请认真贯彻执行。")
    assert blocks[2].startswith("为深入贯彻落实") and blocks[2].endswith("制定如下措施：")
    assert blocks[3].startswith("## 一、")


def test_header_stamp_signature_printing_and_distribution_lines_are_dropped(seed):
    _, body = seed
    for debris in ("文件", "此件主动公开", "抄送", "印发\n", "各民主党派", "泉政办规", "2024年12月20日"):
        assert debris not in body
    assert not body.rstrip().endswith("印发")
    assert body.rstrip().endswith("本措施自印发之日起施行，有效期至2026年12月31日，由市外事办负责解释。")


def test_paragraphs_are_never_broken_mid_sentence(seed):
    _, body = seed
    for block in body.split("\n\n"):
        block = block.strip()
        if block.startswith(("#", "**", "- ")):
            continue
        assert block.endswith(("。", "：")), block


def test_no_text_of_the_measures_is_lost(seed):
    _, body = seed
    source = re.sub(r"\s", "", SEED_TEXT)
    source = source[source.index("为深入贯彻落实"): source.index("泉州市人民政府办公室2024年12月23日印发")]
    flat = re.sub(r"^- |[\s#*]", "", body, flags=re.M)
    assert flat[flat.index("为深入贯彻落实"):] == source


def test_page_break_debris_is_dropped(seed):
    lines = SEED_TEXT.split("\n")
    for n, debris in ((200, "— 3 —"), (120, "- 2 -"), (60, "1"), (300, "第 4 页")):
        lines.insert(n, debris)
    meta, body = convert("\n".join(lines))
    assert (meta, body) == seed
    assert not re.search(r"—\s*\d+\s*—", body)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["— 7 —", "- 12 -", "9", " 第 3 页 "])),
                max_size=6))
def test_page_debris_anywhere_never_changes_the_document(seed, inserts):
    lines = SEED_TEXT.split("\n")
    for at, debris in sorted(inserts, reverse=True):
        lines.insert(at, debris)
    assert convert("\n".join(lines)) == seed


def test_a_sentence_that_wraps_after_yinfa_is_not_the_printing_line():
    text = SEED_TEXT.replace("由市外事办负责解释。", "由市外事办负责解释。原于2023年5月1日印发\n的旧措施同时废止。")
    _, body = convert(text)
    assert body.rstrip().endswith("原于2023年5月1日印发的旧措施同时废止。")


def test_empty_notice_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    with pytest.raises(NoticeImportError, match="the notice is empty"):
        convert_notice(read_notice(path), path)


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("gbk"),
    lambda t: t.encode("gb18030"),
    lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    lambda t: t.replace("\n", "\r").encode("utf-8"),
    lambda t: t.encode("utf-8-sig"),
], ids=["gbk", "gb18030", "crlf", "cr", "utf8-bom"])
def test_encodings_and_line_ends_give_the_same_document(tmp_path, seed, encode):
    path = tmp_path / "notice.txt"
    path.write_bytes(encode(SEED_TEXT))
    assert convert_notice(read_notice(path), path) == seed


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_undecodable_bytes_name_the_line(tmp_path, newline, encoding):
    data = SEED_TEXT.encode(encoding).split(b"\n")
    data[33] = data[33][:8] + b"\xff\xfe" + data[33][8:]
    path = tmp_path / "broken.txt"
    path.write_bytes(newline.join(data))
    with pytest.raises(NoticeImportError) as exc:
        read_notice(path)
    assert exc.value.line == 34
    assert str(exc.value).startswith(f"{path}:34: undecodable bytes")


@pytest.mark.parametrize("written", ["泉政办规〔2024〕11", "泉政办规〔２０２４〕１１", "泉政办规[2024]11"])
def test_a_document_number_with_its_hao_left_out_is_read_as_the_number_not_kept_as_body_text(seed, written):
    meta, body = convert(SEED_TEXT.replace("泉政办规〔2024〕11号", written))
    assert meta["doc_number"] == "泉政办规〔2024〕11号"
    assert "〔2024〕11" not in body and "11\n" not in body.split("##")[0]
    assert (meta, body) == seed


def test_notice_without_validity_line_has_no_validity_dates():
    meta, body = convert(seed_without("有效期至"))
    assert "valid_until" not in meta and "valid_from" not in meta
    assert body.rstrip().endswith("## 四、其他事项\n\n由市外事办负责解释。")


@pytest.mark.parametrize("stamp", ["（此件公开发布）", "（此件依申请公开）", "（此件不予公开）", "（此件发至县级）"])
def test_a_publication_or_distribution_stamp_is_dropped_as_the_seeds_is(seed, stamp):
    assert convert(SEED_TEXT.replace("（此件主动公开）", stamp)) == seed


def test_a_bracketed_line_saying_how_long_the_notice_holds_is_no_stamp_and_its_validity_is_read():
    """`（此件有效期两年）` was dropped as a stamp like `（此件主动公开）`: the notice lost its only validity without a
    word."""
    meta, body = convert(seed_without("有效期至").replace("（此件主动公开）", "（此件有效期两年）"))
    assert "此件有效期两年" in body
    assert meta["valid_until"] == dt.date(2026, 12, 19)


def test_explicit_start_date_is_valid_from():
    meta, _ = convert(SEED_TEXT.replace("自印发之日起施行", "自2025年1月1日起施行"))
    assert meta["valid_from"] == dt.date(2025, 1, 1)
    assert meta["date"] == dt.date(2024, 12, 20)


@pytest.mark.parametrize("date_lines", [
    "泉州市人民政府办公室\n二〇二四年十二月二十日",
    "泉州市人民政府办公室\n２０２４年１２月２０日",
    "泉州市人民政府办公室 2024年 12月 20日",
    "泉州市人民政府办公室\n二零二四年十二月二十日",
    "泉州市人民政府办公室\n二○二四年十二月二十日",
    "泉州市人民政府办公室\n二O二四年十二月二十日",
])
def test_issue_date_in_chinese_numerals_fullwidth_or_beside_the_signature(date_lines):
    meta, body = convert(SEED_TEXT.replace("泉州市人民政府办公室\n\n2024年 12月 20日", date_lines))
    assert meta["date"] == dt.date(2024, 12, 20)
    assert meta["issuer"] == "泉州市人民政府办公室"
    assert "泉州市人民政府办公室" not in body


@pytest.mark.parametrize(("sentence", "until"), [
    ("本措施有效期为2025年1月1日至2027年6月30日。", dt.date(2027, 6, 30)),
    ("本措施自印发之日起施行，有效期5年。", dt.date(2029, 12, 19)),
    ("本措施自2025年1月1日起施行，有效期三年。", dt.date(2027, 12, 31)),
])
def test_validity_period_forms(sentence, until):
    text = re.sub(r"本措施自印发之日起施行.*\n", sentence + "\n", SEED_TEXT)
    meta, _ = convert(text)
    assert meta["valid_until"] == until


@pytest.mark.parametrize(("sentence", "start", "until"), [
    # a trial start is a start: the period runs from it, not from the date of issue
    ("本措施自2025年1月1日起试行，有效期2年。", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    # a year and a half is eighteen months, not one year
    ("本措施自印发之日起施行，有效期一年半。", dt.date(2024, 12, 20), dt.date(2026, 6, 19)),
    ("本办法自2025年1月1日起施行，有效期三十个月。", dt.date(2025, 1, 1), dt.date(2027, 6, 30)),
    ("本办法自2025年1月1日起施行，有效期6个月。", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
    ("本措施自2025年1月1日起施行，有效期两年。", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    ("本措施自2025年1月1日起施行，有效期限为3年。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施自2025年1月1日起施行，有效期限至2027年12月31日。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施有效期为2025年1月1日至2027年6月30日。", dt.date(2025, 1, 1), dt.date(2027, 6, 30)),
    ("本措施有效期自２０２５年１月１日至２０２７年６月３０日。", dt.date(2025, 1, 1), dt.date(2027, 6, 30)),
    ("本措施自2025年1月1日起至2027年12月31日止施行。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施自2025年1月1日至2027年12月31日试行。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施自2025年1月1日起施行，试行期2年。", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    ("本措施自2025年1月1日起试行，试行期限为两年。", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    # a notice that says when it lapses: on that day, or from it (so in force until the day before)
    ("本措施自2025年1月1日起施行，2027年12月31日废止。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施自2025年1月1日起施行，至2027年12月31日自行失效。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施自2025年1月1日起施行，自2028年1月1日起废止。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施自印发之日起施行，二〇二七年十二月三十一日废止。", dt.date(2024, 12, 20), dt.date(2027, 12, 31)),
    # another notice repealed: not this one's end
    ("本措施自2025年1月1日起施行，2023年5月1日印发的旧措施同时废止。", dt.date(2025, 1, 1), None),
    ("本措施自2025年1月1日起施行，原《措施》（2023年5月1日起施行）同时废止。", dt.date(2025, 1, 1), None),
    # issued 2024-12-20: in force thirty days later, for five years from then
    ("本措施自印发之日起30日后施行，有效期5年。", dt.date(2025, 1, 19), dt.date(2030, 1, 18)),
    # dates written as numbers, and 元月 for January: their own days, never the date of issue
    ("本措施自2025.1.1起施行，有效期至2027.12.31。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施自2025-01-01起施行，有效期至2027-12-31。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施自2025/1/1起施行。", dt.date(2025, 1, 1), None),
    ("本措施自2025年元月1日起施行，有效期至2027年12月31日。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    # a start it cannot read is left out, not taken for the date of issue
    ("本措施自2025年春季起施行。", None, None),
    # other usual wordings of the period
    ("本措施自2025年1月1日起施行至2026年12月31日。", dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    ("本措施从2025年1月1日起施行，有效期至2027年12月31日。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施执行期限为2025年1月1日至2027年12月31日。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施实施期限：2025年1月1日—2027年12月31日。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本政策执行期为2025年1月1日起至2027年12月31日止。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施自2025年1月1日起施行，有效期至2027年底。", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ("本措施自2025年1月1日起施行，有效期至2026年2月。", dt.date(2025, 1, 1), dt.date(2026, 2, 28)),
])
def test_validity_read_as_a_period_whatever_its_usual_wording(sentence, start, until):
    text = re.sub(r"本措施自印发之日起施行.*\n", sentence + "\n", SEED_TEXT)
    meta, _ = convert(text)
    assert (meta.get("valid_from"), meta.get("valid_until")) == (start, until)


def test_a_validity_ending_before_it_starts_is_refused_at_the_notices_line():
    text = re.sub(r"本措施自印发之日起施行.*\n", "本措施自2025年1月1日起施行，有效期至2024年12月31日。\n", SEED_TEXT)
    with pytest.raises(NoticeImportError, match=r"valid until 2024-12-31, before it takes effect \(2025-01-01\)") \
            as refused:
        convert(text)
    assert refused.value.line is not None


def test_an_impossible_month_in_the_validity_is_refused_at_its_line():
    text = re.sub(r"本措施自印发之日起施行.*\n", "本措施有效期至2027年13月。\n", SEED_TEXT)
    with pytest.raises(NoticeImportError, match="impossible date '2027年13月': correct it in the notice"):
        convert(text)


MEASURE_DATES = """泉州市市场监督管理局关于做好证照到期延续服务的通知
泉市监〔2025〕33号
各县（市、区）市场监督管理局：
　　为便利经营主体办事，现就有关事项通知如下：
　　一、对有效期至2025年6月30日的食品经营许可证，可在到期前通过网上办理延续。
　　二、对居留许可有效期至2026年12月31日前届满的外国人，各地要提前提醒办理延期。
　　三、{validity}
泉州市市场监督管理局
2025年4月20日
"""


@pytest.mark.parametrize(("validity", "start", "until"), [
    # a date a measure names is that licence's or permit's, not the notice's end
    ("本通知自2025年5月1日起施行。", dt.date(2025, 5, 1), None),
    ("各地要加强窗口服务。", None, None),
    # a validity sentence of its own, naming no document, is the notice's
    ("自2025年5月1日起施行。有效期至2027年4月30日。", dt.date(2025, 5, 1), dt.date(2027, 4, 30)),
    ("本通知自2025年5月1日起施行，有效期暂定三年。", dt.date(2025, 5, 1), dt.date(2028, 4, 30)),
])
def test_a_date_inside_a_measure_about_something_else_is_not_the_notices_validity(validity, start, until):
    meta, _ = convert(MEASURE_DATES.format(validity=validity))
    assert (meta.get("valid_from"), meta.get("valid_until")) == (start, until)


@pytest.mark.parametrize("validity", [
    "本措施自2025年6月1日起施行，有效期至2027年5月31日。本通知自印发之日起施行。",
    "本通知自印发之日起施行。本措施自2025年6月1日起施行，有效期至2027年5月31日。",
])
def test_the_measures_validity_is_the_notices_whichever_sentence_comes_first(validity):
    """A notice issuing measures says when it applies, and the measures say when they do: theirs is the policy's."""
    meta, _ = convert(MEASURE_DATES.format(validity=validity))
    assert (meta.get("valid_from"), meta.get("valid_until")) == (dt.date(2025, 6, 1), dt.date(2027, 5, 31))


UNITS_NOTICE = """泉州市人民政府办公室关于推进入境旅游便利化的通知
泉政办〔2025〕9号
各县（市、区）人民政府：
　　一、提升景区外语服务水平。
　　{units}
{signature}
2025年3月3日
"""


@pytest.mark.parametrize(("units", "lines"), [
    # names a space apart (ideographic or not) are units a list
    ("责任单位：市文旅局　市交通运输局　市城管局", ["**责任单位**：市文旅局、市交通运输局、市城管局"]),
    ("责任单位:市公安局 市外办 市文旅局", ["**责任单位**：市公安局、市外办、市文旅局"]),
    # a gap inside a name is a PDF's artefact
    ("责任单位：市文 旅局", ["**责任单位**：市文旅局"]),
    # two labels on one line, however they are parted
    ("牵头单位：市金融办　　责任单位：人民银行泉州市分行、泉州金融监管分局",
     ["**牵头单位**：市金融办", "**责任单位**：人民银行泉州市分行、泉州金融监管分局"]),
    ("牵头单位：市商务局；责任单位：市发改委、市财政局",
     ["**牵头单位**：市商务局", "**责任单位**：市发改委、市财政局"]),
    ("牵头单位：市外办，责任单位：各县（市、区）人民政府",
     ["**牵头单位**：市外办", "**责任单位**：各县（市、区）人民政府"]),
])
def test_a_unit_line_keeps_each_unit_apart_and_each_label_a_line(units, lines):
    _, body = convert(UNITS_NOTICE.format(units=units, signature="泉州市人民政府办公室"))
    assert [line.strip() for line in body.splitlines() if "单位**" in line] == lines


@pytest.mark.parametrize(("steps", "body_lines"), [
    # the measure's unit, after its steps: the measure's, not its last step's
    (["1.推行网上办理。", "2.推行电子证照。", "（市市场监管局负责）"],
     ["- 1\\.推行网上办理。", "- 2\\.推行电子证照。", "**责任单位**：市市场监管局"]),
    # each step with a unit of its own: each unit under its step
    (["1.推行网上办理。", "（市政务服务中心负责）", "2.推行电子证照。", "（市市场监管局负责）"],
     ["- 1\\.推行网上办理。", "  **责任单位**：市政务服务中心", "- 2\\.推行电子证照。",
      "  **责任单位**：市市场监管局"]),
])
def test_a_unit_after_the_steps_of_a_measure_is_the_measures_unless_each_step_has_its_own(steps, body_lines):
    _, body = convert(UNITS_NOTICE.format(units="\n　　".join(steps), signature="泉州市人民政府办公室"))
    assert [line for line in body.splitlines() if line.strip() and ("单位" in line or line.lstrip().startswith("-"))
            ] == body_lines


@pytest.mark.parametrize("item", ["1.\t外事礼宾礼仪。", "（1）\t外事礼宾礼仪。"])
def test_a_tab_after_a_list_number_word_numbered_is_no_part_of_the_text(item):
    _, body = convert(UNITS_NOTICE.format(units=item, signature="泉州市人民政府办公室"))
    assert "\t" not in body and item.replace("\t", "").replace(".", "\\.") in body


def test_items_numbered_another_way_under_an_item_are_its_own_items():
    units = "\n　　".join(["1.对新认定的企业给予奖励：", "（1）年营业收入超过1亿元的，奖励50万元；",
                          "（2）其余的，奖励20万元。", "2.对新设立的企业给予开办补助。"])
    _, body = convert(UNITS_NOTICE.format(units=units, signature="泉州市人民政府办公室"))
    assert [line for line in body.splitlines() if line.lstrip().startswith("- ")] == [
        "- 1\\.对新认定的企业给予奖励：", "  - （1）年营业收入超过1亿元的，奖励50万元；",
        "  - （2）其余的，奖励20万元。", "- 2\\.对新设立的企业给予开办补助。"]


def test_rule_lines_of_the_red_header_and_the_printing_block_are_no_text():
    text = UNITS_NOTICE.format(units="责任单位：市文旅局", signature="泉州市人民政府办公室")
    text = text.replace("泉政办〔2025〕9号\n", "泉政办〔2025〕9号\n━━━━━━━━━━━━━━━━━━━━\n") + "──────────────\n"
    _, body = convert(text)
    assert "━" not in body and "─" not in body


def test_organs_signing_jointly_on_one_line_parted_by_a_pause_mark_are_both_the_issuer():
    meta, body = convert(UNITS_NOTICE.format(units="责任单位：市文旅局", signature="泉州市商务局、泉州市外事办公室"))
    assert meta["issuer"] == "泉州市商务局\u3000泉州市外事办公室" and "外事办公室" not in body


def test_organs_issuing_jointly_one_space_apart_are_both_the_issuer():
    meta, body = convert(UNITS_NOTICE.format(units="责任单位：市文旅局", signature="泉州市商务局 泉州市外事办公室"))
    assert meta["issuer"] == "泉州市商务局\u3000泉州市外事办公室" and "外事办公室" not in body


ANNOUNCEMENT = """泉州市外事办公室关于外国人来泉旅游服务的公告
（2025年第{n}号）
　　一、外国游客可拨打12345热线获取外语服务。
　　二、本公告自发布之日起施行，有效期一年。
泉州市外事办公室
2025年8月1日
"""


@pytest.mark.parametrize("n", [1, 2])
def test_an_announcements_number_under_its_title_is_its_document_number_and_names_its_file(n):
    meta, body = convert(ANNOUNCEMENT.format(n=n))
    assert meta["doc_number"] == f"泉州市外事办公室公告2025年第{n}号" and "号）" not in body
    assert default_slug(meta) == f"announcement-2025-{n}"


WRAPPED_NUMBERS = """泉州市人民政府办公室关于促进民营经济发展的通知
泉政办规〔2025〕4号
各县（市、区）人民政府，市直各单位：
　　一、加大财政支持力度
　　（一）设立民营经济发展专项资金。2025年市财政安排专项资金
1.5亿元，重点支持民营企业技术改造。推动第一、
二、三产业融合发展，对符合条件的项目给予补助。根据《泉州市
（二）类企业认定办法》认定的企业，另行给予奖励。
　　牵头单位：市财政局
　　二、优化金融服务
　　（二）扩大信贷投放。对民营企业贷款给予贴息。
泉州市人民政府办公室
2025年4月8日
"""


def test_a_wrapped_line_opening_with_a_list_number_goes_on_the_sentence_above_it():
    _, body = convert(WRAPPED_NUMBERS)
    assert "推动第一、二、三产业融合发展" in body and "根据《泉州市（二）类企业认定办法》认定的企业" in body
    assert [line for line in body.splitlines() if line.startswith("#")] == [
        "## 一、加大财政支持力度", "### （一）设立民营经济发展专项资金。", "## 二、优化金融服务",
        "### （二）扩大信贷投放。"]


def test_a_pdf_pages_running_header_is_dropped_and_the_sentence_it_broke_goes_on():
    page_break = "2025年市财政安排专项\n— 1 —\n泉州市人民政府办公室文件\n资金\n"
    text = WRAPPED_NUMBERS.replace("2025年市财政安排专项资金\n", page_break)
    _, body = convert(text)
    assert "2025年市财政安排专项资金1.5亿元" in body and "文件" not in body


def test_notice_with_measures_but_no_parts():
    text = "\n".join(line for line in SEED_TEXT.split("\n") if not re.match(r"^[一二三四]、", line))
    _, body = convert(text)
    assert not re.search(r"^## ", body, flags=re.M)
    assert len(re.findall(r"^### ", body, flags=re.M)) == 16


def test_notice_with_paragraphs_only():
    text = ("泉州市外事办公室关于做好春节期间涉外服务工作的通知\n\n各县（市、区）外事办：\n\n"
            "春节将至，为做好节日期间外籍人士服务\n工作，现将有关事项通知如下。\n\n"
            "请各地加强值班值守，及时处理涉外事务。\n\n泉州市外事办公室\n\n2025年1月20日\n")
    meta, body = convert(text)
    assert meta["title"] == "泉州市外事办公室关于做好春节期间涉外服务工作的通知"
    assert meta["issuer"] == "泉州市外事办公室"
    assert meta["date"] == dt.date(2025, 1, 20)
    assert "doc_number" not in meta and "summary" not in meta
    assert body == ("各县（市、区）外事办：\n\n春节将至，为做好节日期间外籍人士服务工作，现将有关事项通知如下。\n\n"
                    "请各地加强值班值守，及时处理涉外事务。\n")
    assert default_slug(meta) == "notice-2025-01-20"


def test_docx_paragraphs_and_table_cells_are_read(tmp_path):
    document = docx.Document()
    for text in ["泉州市人民政府办公室关于印发泉州市外籍人士服务措施的通知", "闽政办〔2025〕3号",
                 "各县（市、区）人民政府：", "《泉州市外籍人士服务措施》已经市政府同意，现印发给你们。",
                 "泉州市人民政府办公室", "2025年3月1日", "泉州市外籍人士服务措施",
                 "一、总体要求", "（一）设立服务专线。为外籍人士提供咨询服务。", "牵头单位：市外事办"]:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "（二）优化签证办理。简化申报材料。"
    table.cell(0, 1).text = "责任单位：市公安局"
    path = tmp_path / "notice.docx"
    document.save(path)
    meta, body = convert_notice(read_notice(path), path)
    assert meta["title"] == "泉州市外籍人士服务措施"
    assert meta["doc_number"] == "闽政办〔2025〕3号"
    assert meta["date"] == dt.date(2025, 3, 1)
    assert body.endswith("## 一、总体要求\n\n### （一）设立服务专线。\n\n为外籍人士提供咨询服务。\n\n"
                         "**牵头单位**：市外事办\n\n### （二）优化签证办理。\n\n简化申报材料。\n\n"
                         "**责任单位**：市公安局\n")
    assert default_slug(meta) == "min-zheng-ban-2025-3"


def test_docx_paragraphs_stay_paragraphs_even_without_final_stop(tmp_path):
    document = docx.Document()
    for text in ["关于开放外籍人士服务窗口的通知", "2025年3月1日", "各有关单位：", "服务窗口地址",
                 "泉州市丰泽区东海大街行政服务中心一楼。"]:
        document.add_paragraph(text)
    path = tmp_path / "notice.docx"
    document.save(path)
    _, body = convert_notice(read_notice(path), path)
    assert body == "各有关单位：\n\n服务窗口地址\n\n泉州市丰泽区东海大街行政服务中心一楼。\n"


def test_broken_docx_is_a_clear_error(tmp_path):
    path = tmp_path / "notice.docx"
    path.write_bytes(b"not a zip")
    with pytest.raises(NoticeImportError, match="not a readable .docx"):
        read_notice(path)


@pytest.mark.parametrize(("line", "number"), [
    ("泉政办规[2024]11号", "泉政办规〔2024〕11号"),
    ("泉政办规【2024】011号", "泉政办规〔2024〕11号"),
    ("泉政办规〔 2024〕 11号", "泉政办规〔2024〕11号"),
    ("泉政办规（2024）11号", "泉政办规〔2024〕11号"),
    ("泉政办规„2024‟11号", "泉政办规〔2024〕11号"),
    ("泉政辦規〔2024〕11號", "泉政辦規〔2024〕11號"),
])
def test_document_number_brackets_are_recognised(line, number):
    meta, _ = convert(SEED_TEXT.replace("泉政办规〔2024〕11号", line))
    assert meta["doc_number"] == number


def test_pinyin_table_gives_valid_slug_syllables():
    assert len(PINYIN) > 100
    for char in PINYIN:
        assert len(char) == 1 and "\u4e00" <= char <= "\u9fff" and re.fullmatch(r"[a-z]+", slug_syllable(char))


@pytest.mark.parametrize(("number", "slug"), [("泉发改〔2025〕50号", "quan-fa-gai-2025-50"),
                                              ("鲤政办〔2025〕50号", "li-zheng-ban-2025-50"),
                                              ("泉文旅〔2025〕3号", "quan-wen-lv-2025-3")])
def test_notices_of_two_organs_numbered_alike_get_file_names_of_their_own(number, slug):
    assert default_slug({"doc_number": number, "date": dt.date(2025, 5, 1)}) == slug


def test_slug_falls_back_when_prefix_has_unknown_characters():
    meta = {"doc_number": "鳌政〔2023〕7号", "date": dt.date(2023, 5, 1)}
    assert default_slug(meta) == "notice-2023-7"


def test_notice_without_date_is_a_clear_error():
    with pytest.raises(NoticeImportError, match="no date of issue found"):
        convert("关于做好工作的通知\n\n请认真执行。\n")


def test_import_writes_a_loadable_document(tmp_path):
    content = tmp_path / "content"
    path = import_notice(SEED, content)
    assert path == content / "policies" / "quan-zheng-ban-gui-2024-11.md"
    doc = load_document(path, content)
    assert doc.meta["doc_number"] == "泉政办规〔2024〕11号"
    assert doc.valid_until == dt.date(2026, 12, 31)
    assert doc.body.count("\n### ") == 16
    assert "valid_from: 2024-12-20\n" in doc.raw and "&id" not in doc.raw  # plain YAML, no anchors


def test_seed_import_matches_the_golden_file(tmp_path):
    """Regenerate after an intended change with:
    .venv/bin/python -c "from pathlib import Path; from zaitun.content.importer import import_notice; \
    import_notice(Path('tests/fixtures/seed-notice.txt'), Path('content'), force=True)" && \
    cp content/policies/quan-zheng-ban-gui-2024-11.md tests/fixtures/seed-notice.expected.md
    """
    path = import_notice(SEED, tmp_path / "content")
    expected = SEED.with_name("seed-notice.expected.md").read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected


def test_import_refuses_to_overwrite_without_force(tmp_path):
    content = tmp_path / "content"
    path = import_notice(SEED, content)
    path.write_text("edited by hand", encoding="utf-8")
    with pytest.raises(NoticeImportError) as exc:
        import_notice(SEED, content)
    assert exc.value.path == SEED and f"{path} already exists" in exc.value.message and "--force" in exc.value.message
    assert path.read_text(encoding="utf-8") == "edited by hand"
    import_notice(SEED, content, force=True)
    assert load_document(path, content).meta["issuer"] == "泉州市人民政府办公室"


def test_import_refuses_a_slug_used_in_another_section(tmp_path):
    content = tmp_path / "content"
    other = import_notice(SEED, content, section="guides")
    with pytest.raises(NoticeImportError) as exc:
        import_notice(SEED, content, force=True)
    assert exc.value.path == SEED and f"already used by {other}" in exc.value.message and "--slug" in exc.value.message
    assert not (content / "policies").exists()


@pytest.mark.parametrize(("section", "slug"), [("Policies", None), ("policies", "bad slug")])
def test_import_refuses_bad_section_or_slug(tmp_path, section, slug):
    with pytest.raises(NoticeImportError, match="lowercase a-z"):
        import_notice(SEED, tmp_path / "content", section=section, slug=slug)
