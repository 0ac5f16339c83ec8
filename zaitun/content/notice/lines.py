"""Source lines of a notice, cleaned of PDF artefacts, and the dates written in them.

Every rule matches a line's `folded` text (traditional variants read as simplified, see
`zaitun.content.hanzi`) and takes what it keeps from `text`, which is never converted.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from zaitun.content.hanzi import NUMERALS, cn_int, fold
from zaitun.content.notice.units import UNIT_LABEL
from zaitun.errors import NoticeImportError

# Characters that may appear in Chinese text; spaces between them are PDF artefacts.
_CJK = "\u3001-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uffef\u201c\u201d\u2018\u2019\u00b7\u2014\u2026"
ARTEFACT_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}0-9])|(?<=[0-9])[ \t\u3000]+(?=[{_CJK}])")
# `2025年1月1日`, `二〇二五年元月一日` (元月: January), and as numbers: `2025.1.1`, `2025-01-01`, `2025/1/1` (not the
# start of a longer number); each form's year, month and day are its own three groups (to_date takes the three set)
DATE_RE = re.compile(rf"(?:([{NUMERALS}OＯ]{{4}})\s*年\s*([{NUMERALS}]{{1,3}}|元)\s*月\s*([{NUMERALS}]{{1,3}})\s*日"
                     r"|(?<![\d.\-/])(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})(?![\d.\-/]))")
_PAGE_NUMBERS = [
    re.compile(r"^[—–\-－~]*\s*\d{1,3}\s*[—–\-－~]*$"),  # — 1 —, - 2 -, lone page numbers
    re.compile(r"^第\s*+\d+\s*+页(?:\s*+[/，,]?\s*+共\s*+\d+\s*+页)?$"),
]
_BARE_NUMBER = re.compile(r"^\d{1,4}$")  # a page number, or a table's 序号, 金额 or 年份 cell
# A header cell of a table printed a cell a line: its lone numbers are cells, not page numbers.
_TABLE_HEAD = re.compile(r"序号|编号|.{1,12}[（(](?:万?元|亿元|万美元|人|人次|个|家|户|件|项|亩|吨|平方米|公里|%|％)"
                         r"[）)]")
_CELL_GAP = re.compile(r"\t+| {2,}|\u3000{2,}")  # between the cells of a table's row written on one line
_BLANK = " \t\u3000\ufeff\xa0"  # stripped from both ends of a line
_CELL_CHARS = 30  # a table's cell is shorter than a line of running text
# （此件主动公开）, （此件发至县级）: how it is published or sent, not what it says (`（此件有效期两年）` is text)
_STAMPS = [re.compile(r"^[（(]此件[^（()）]{0,10}(?:公开|发至)[^（()）]{0,6}[）)]$"),
           re.compile(r"^[━─—－\-_＿=＝═~～\s]{5,}$")]  # the red rule under the header, the lines around 抄送
UNIT_LINE = re.compile(UNIT_LABEL)  # matched (at a line's start, or at a gap's end: `_unit_gap`)
KINDS = [  # what a line's start says it is; `body.classify` confirms structure labels in context
    ("part", re.compile(r"^[一二三四五六七八九十]{1,3}、")),
    ("measure", re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")),
    # `1．` but not the decimal `1.5倍`; `1．2025年度…` is an item whose text starts with a year
    ("item", re.compile(r"^(?:[（(]\d{1,2}[）)]|\d{1,2}[.．、](?:(?!\d)|(?=\d{4}\s*年))|[①-⑳])")),
    ("unit", UNIT_LINE),
    # `附件：…`, and a list numbered straight after the word: `附件1．…办法`, `附件①…`
    ("attachments", re.compile(r"^附件(?:[：:]|\s*(?=\d{1,2}[.．、](?!\d)|[①-⑳]))")),
    ("label", re.compile(rf"^第[{NUMERALS}]{{1,5}}[编章节条]")),
]
_ORGANS_GAP = re.compile(r"[ \t\xa0]*\u3000[ \t\u3000\xa0]*|[ \t\xa0]{2,}")
# An upward document's number line: `泉政文〔2024〕5号　　签发人：张三　李四`; the gaps between the signers' names
# are kept as one ideographic space, like those between organs issuing jointly.
SIGNERS = re.compile(r"签发人\s*[：:]")
_ORGAN = re.compile(r"[\u4e00-\u9fff（）()]{2,30}(?:办公室|人民政府|委员会|办公厅|局|厅|部|委|院|中心|办|政府|会)")
_TITLED = re.compile(_ORGAN.pattern + "关于")  # the last organ issuing jointly, and the title after it
_MARGIN = " \t\u3000\xa0"  # what a line's first-line indent is made of
_LEAD = (" ", "\xa0")
_INDENT_COLUMNS = 8  # a paragraph's indent is two characters; a line pushed further is centred or signed
_ATTACHMENT = re.compile(rf"^附件\s*[{NUMERALS}0-9]{{0,3}}\s*(?:[：:]|$)")  # 附件, 附件1, 附件2：…
ATTACHMENT_HEAD = re.compile(rf"附件\s*[{NUMERALS}0-9]{{0,3}}")  # heads an attachment's text, a line of its own
# Printing line (`泉州市人民政府办公室 2024年12月23日印发`) and distribution lines (`抄送：…`, `抄报：…`).
_MAIN_ADDRESSEES = re.compile(r"主送[：:]")
ADDRESSEES = re.compile(r"(?:主送|抄送|抄报|分送)[：:]")  # starts a paragraph: whom the notice goes to
_DATE_LINE = re.compile(rf"[^，。；：]{{0,40}}?{DATE_RE.pattern}")  # `2024年12月20日`, `泉州市财政局 2024年12月20日`
_TAIL = re.compile(rf"^(?:抄送|抄报|分送)[：:]|^[^，。；：]{{0,30}}?{DATE_RE.pattern}印发$")


@dataclass
class Line:
    """One non-blank source line, cleaned of PDF spacing artefacts."""

    no: int
    text: str
    # Both read past the margin every line has, when there is one (`_common_margin`).
    lead: bool = False  # began with one ASCII space: a page-break continuation in PDF text
    indent: bool = False  # began with an ideographic space, a tab or two spaces: a new paragraph
    width: float = 0.0
    cell: bool = False  # a cell of a table printed a cell or a row a line (`_table`, `_pieces`)
    parted: bool = False  # lines taken out as the head (signature, date) stood just above it
    kind: str = field(init=False)  # from KINDS; `body.classify` may make a label a para
    folded: str = field(init=False)

    def __post_init__(self) -> None:
        self.folded = fold(self.text)
        self.kind = next((kind for kind, rx in KINDS if rx.match(self.folded)), "para")


def clean_lines(text: str, paged: bool = True) -> list[Line]:
    """Non-blank lines without page numbers and stamps, spaces between Chinese characters removed. `paged`:
    text from a printed page, whose page numbers are lines of their own; a Word file's are in its footer, so a
    line that is only a number is text (a table's 序号 or 金额 cell). In a printed page's table too (`_table`)."""
    rows = [(no, _cleaned(piece.strip(_BLANK)), margin, cell, broken)
            for no, piece, margin, cell, broken in _pieces(text)]
    rows = [row for row in rows if row[1]]
    cells = _table((fold(text), "\u3000" in margin) for _, text, margin, _, _ in rows) | {
        i for i, row in enumerate(rows) if row[3]}
    kept = [(row[:3], i in cells) for i, row in enumerate(rows)
            if not _debris(fold(row[1]), paged, i in cells and not row[4])]
    common = len(_common_margin([margin for (_, _, margin), cell in kept if not cell]))
    lines = []
    for (no, stripped, margin), cell in kept:
        width = sum(0.5 if ord(c) < 128 else 1 for c in stripped.replace(" ", ""))
        margin = margin[common:]
        # a cell is a paragraph of its own, as a Word table's is
        lines.append(Line(no, stripped, margin in _LEAD and not cell, cell or _is_indent(margin), width, cell))
    return lines


def _pieces(text: str) -> list[tuple[int, str, str, bool, bool]]:
    """(line number, text, margin, is a cell, stands at a page break) of each line; a table's row on one line,
    its cells parted by tabs or wide gaps (a Word or Excel table pasted as text, `pdftotext -layout`), cut into
    its cells, from a row holding a header cell that only a table has (`序号`) to the first line that is not
    such a row. A line at a page break is the last before a form feed or the first after it: where a page
    number stands, so a lone number there is one, in a table too."""
    out, in_table, after_break = [], False, False
    raws = text.split("\n")
    rows = [[cell for cell in _CELL_GAP.split(raw.replace("\f", "").strip(_BLANK)) if cell] for raw in raws]
    for no, raw in enumerate(raws, start=1):
        breaks = "\f" in raw
        raw = raw.replace("\f", "")
        cells = rows[no - 1]
        page_number = (after_break or breaks) and any(rx.match(fold(raw.strip(_BLANK))) for rx in _PAGE_NUMBERS)
        if cells and not page_number:  # a page number parts no table's rows
            in_table = len(cells) > 1 and (
                in_table or any(_TABLE_HEAD.fullmatch(fold(c).replace(" ", "")) for c in cells)
                or _headless_table(out, cells, next((row for row in rows[no:] if row), [])))
            pieces = [(no, cell, "", True) for cell in cells] if in_table else [(no, raw, _margin(raw), False)]
            out += [(*piece, (after_break or breaks) and len(pieces) == 1) for piece in pieces]
        elif page_number:
            out.append((no, raw, _margin(raw), False, True))
        after_break = after_break and not cells
        if breaks and out:  # a page has one number: above its break, or else below it
            alone = len(out) == 1 or out[-2][0] != out[-1][0]
            out[-1] = (*out[-1][:4], alone)  # the line above a form feed on a line of its own is at the break
            after_break = not (alone and any(rx.match(fold(out[-1][1].strip(_BLANK))) for rx in _PAGE_NUMBERS))
    return out


_TABLE_LEAD = re.compile(r".{0,40}(?:[：:]|表|名单|一览表|清单)")  # what a table without a header cell stands under


def _headless_table(above: list, cells: list[str], below: list[str]) -> bool:
    """A table whose header has no cell only a table has (`序号`): two rows, each of the same number of short
    cells without a sentence's punctuation, right under a line ending in `：` or naming a table (`…名单`)."""
    lead = above and not above[-1][3] and _TABLE_LEAD.fullmatch(fold(above[-1][1].strip(_BLANK)))
    return bool(lead) and len(below) == len(cells) and all(_is_cell(fold(c)) for c in cells + below)


def _debris(folded: str, paged: bool, cell: bool) -> bool:
    """A stamp, or a printed page's number; a number alone in a table's cell is the table's."""
    if stamp(folded):
        return True
    if not paged or (cell and _BARE_NUMBER.match(folded)):
        return False
    return any(rx.match(folded) for rx in _PAGE_NUMBERS)


def stamp(folded: str) -> bool:
    """A stamp on the page, no part of the text: `（此件主动公开）`, a rule (the red one under the header, those
    around 抄送)."""
    return any(rx.match(folded) for rx in _STAMPS)


def tail_line(folded: str) -> bool:
    """A line of the 版记 that ends the body: `抄送：…`, `抄报：…`, the printing line (`…2024年12月23日印发`)."""
    return _TAIL.match(folded.replace(" ", "")) is not None


def _table(lines) -> set[int]:
    """Which lines are the cells of a table printed a cell a line: from a header cell that only a table has
    (`序号`, `补助（万元）`) to the first line that is no cell: a paragraph's start (`　　`), a line holding a
    sentence's punctuation or longer than a cell is. `lines`: (folded text, starts with an ideographic space)."""
    cells: set[int] = set()
    in_table = False
    for i, (text, indented) in enumerate(lines):
        text = text.replace(" ", "")
        in_table = (in_table or bool(_TABLE_HEAD.fullmatch(text))) and not indented and _is_cell(text)
        if in_table:
            cells.add(i)
    return cells


def _is_cell(text: str) -> bool:
    return len(text) <= _CELL_CHARS and not re.search(r"[，。；：:！？]", text)


def _cleaned(text: str) -> str:
    """Spaces between Chinese characters removed, but for the gap between organs issuing jointly
    (`泉州市发展和改革委员会　　泉州市财政局`) or signers (`签发人：张三　李四`), which stays one ideographic space."""
    text = _NUMBER_GAP.sub(r"\1", text)  # Word's tab after a list number it numbers itself: `1.\t外事礼宾礼仪。`
    signers = SIGNERS.search(fold(text))
    if signers:
        label = re.sub(r"\s", "", text[signers.start():signers.end()])
        names = "\u3000".join(text[signers.end():].split())
        before = _cleaned(text[:signers.start()].rstrip(_MARGIN))
        return (before + "\u3000" if before else "") + label + names
    organs = _ORGANS_GAP.split(text)
    if len(organs) > 1 and all(_ORGAN.fullmatch(organ) for organ in organs[:-1]) \
            and (_ORGAN.fullmatch(organs[-1]) or _TITLED.match(fold(organs[-1]))):
        return "\u3000".join(organs[:-1] + [ARTEFACT_SPACE.sub("", organs[-1])])
    organs = text.split()  # `泉州市商务局 泉州市外事办公室`: one space between organs whole is no artefact
    if len(organs) > 1 and all(_ORGAN.fullmatch(organ) for organ in organs):
        return "\u3000".join(organs)
    folded = fold(text)  # character for character: its positions are the text's
    if UNIT_LINE.match(folded):
        return _UNIT_GAP.sub(lambda gap: _unit_gap(folded, gap), text)
    return ARTEFACT_SPACE.sub("", text)


_NUMBER_GAP = re.compile(rf"^(\d{{1,2}}[.．、]|[（(]\d{{1,2}}[）)]|[一二三四五六七八九十]{{1,3}}、|"
                         rf"[（(][一二三四五六七八九十]{{1,3}}[）)])[ \t\u3000]+(?=[{_CJK}])")
# a gap in a unit line after a unit's whole name (`市文旅局　市交通运输局`) parts two units, and before another
# label (`牵头单位：市金融办　　责任单位：…`) two lists; a gap inside a name (`市文 旅局`) is an artefact
_UNIT_GAP = re.compile(rf"(?<=[{_CJK}）)])[ \t\u3000\xa0]+(?=[{_CJK}0-9])")
_UNIT_NAME_ENDS = ("办公室", "人民政府", "委员会", "办公厅", "局", "厅", "部", "委", "院", "中心", "办", "政府", "会",
                   "分行", "支行", "公司", "集团", "所", "站", "队", "馆", "社", "关", "门", "单位", "机构", "街道")


def _unit_gap(folded: str, gap: re.Match) -> str:
    """What a gap in a unit line stands for, read from the folded line where it stands: the text on either side
    is looked at, not copied and folded again for each gap (a line of thousands of gaps took minutes)."""
    if UNIT_LINE.match(folded, gap.end()):
        return "；"
    end = gap.start() - (folded[gap.start() - 1] in "）)")  # a bracketed alias may close a name: 市监局（知识产权局）
    return "、" if folded.endswith(_UNIT_NAME_ENDS, 0, end) else ""


def _margin(raw: str) -> str:
    """The blank a line starts with (a byte-order mark before it is none of it)."""
    body = raw.lstrip("\ufeff")
    return body[: len(body) - len(body.lstrip(_MARGIN))]


def _common_margin(margins: list[str]) -> str:
    """The ASCII margin every line has, when paragraph starts stand out from it: text from
    `pdftotext -layout` starts each line with spaces and a paragraph with more. When no line but those
    centred or pushed right stands out, each line is a paragraph (text pasted from a web page): none."""
    common = os.path.commonprefix(margins)
    common = common[: len(common) - len(common.lstrip(" \t"))]
    further = [margin[len(common):] for margin in margins]
    if common and any(_is_indent(rest) and _columns(rest) <= _INDENT_COLUMNS for rest in further):
        return common
    return ""


def _columns(blank: str) -> int:
    """How wide a blank is, in the columns of monospaced text: an ideographic space takes two."""
    return sum(2 if c == "\u3000" else 4 if c == "\t" else 1 for c in blank)


def _is_indent(margin: str) -> bool:
    """Paragraphs start with `　　`; text copied from a web page or an e-mail starts them with spaces
    (no-break ones too) or a tab instead. One space alone is a PDF's page-break debris, not an indent."""
    return "\u3000" in margin or "\t" in margin or len(margin) >= 2


def cut_tail(lines: list[Line]) -> list[Line]:
    """Drop the printing line (`…印发`), `抄送：` (with a `主送：` line right above it) and everything after them, up
    to an attachment printed after them (`附件1`), which is the notice's text; only below a date (of issue)."""
    dated = False  # the 版记 comes after the date of issue: a `抄送：` line above it is the body's
    for i, line in enumerate(lines):
        dated = dated or bool(_DATE_LINE.fullmatch(line.folded.replace(" ", "")))
        if i > 0 and dated and tail_line(line.folded):
            attached = next((j for j in range(i + 1, len(lines)) if _ATTACHMENT.match(lines[j].folded)), None)
            if i > 1 and _MAIN_ADDRESSEES.match(lines[i - 1].folded):  # the 版记's `主送：` line, above `抄送：`
                i -= 1
            return lines[:i] + (cut_tail(lines[attached:]) if attached else [])
    return lines


def to_date(match: re.Match, source: Path, line: int | None) -> dt.date:
    """The date a DATE_RE match names; an impossible one is the notice's error, at its line."""
    year, month, day = (g for g in match.groups() if g is not None)
    try:
        return dt.date(cn_int(year), 1 if month == "元" else cn_int(month), cn_int(day))
    except (ValueError, KeyError):
        raise NoticeImportError(source, f"impossible date {match.group(0)!r}: correct it in the notice",
                                line) from None
