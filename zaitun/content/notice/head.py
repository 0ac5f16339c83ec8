"""The head of a notice: red header, document number, title, signature and date of issue.

The kinds of documents read are 通知, 意见, 办法, 规定, 决定, 令, 公告 and 通告 (and their
relatives, `TITLE_END`). A document number is `泉政办规〔2024〕11号` in any of its bracket forms,
or an order's `第77号` under `潍坊市人民政府令`; the title is the `…关于…的通知` line (with the
organ on the line above it), the document it encloses (`关于印发《X》的通知`, an order's
`《X》已经…通过`) or a title line standing alone; the issuer is the signature above the date,
or an order's signing mayor.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from zaitun.content.hanzi import NUMERALS
from zaitun.content.notice.lines import DATE_RE, SIGNERS, Line, to_date
from zaitun.errors import NoticeImportError

DOC_NUMBER_RE = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[〔\[【［(（„“\"]\s*(\d{4})\s*[〕\]】］)）‟”\"]\s*(\d{1,4})\s*号")
_NUMBER_WITHOUT_HAO = re.compile(DOC_NUMBER_RE.pattern.removesuffix(r"\s*号"))  # `泉政办规〔2024〕11`: 号 left out
_ORDER_NUMBER = rf"((?:\d{{4}}\s*年\s*)?第\s*[{NUMERALS}]{{1,6}}\s*号)"  # 第77号, 2024年第3号
_ORDER_RE = re.compile(rf"(.{{2,30}}?)(令|公告|通告)\s*+(?:[（(〔]?\s*+{_ORDER_NUMBER}\s*+[）)〕]?)?")  # blanks whole
_ORDER_NUMBER_RE = re.compile(rf"[（(〔]?\s*{_ORDER_NUMBER}\s*[）)〕]?")
TITLE_END = re.compile(r"(通知|通告|公告|意见|决定|批复|函|报告|请示|办法|规定|方案|措施|细则|条例|规则|纲要|规划|"
                       r"计划|通报|指引|指南|清单|要点|令)$")
_ORG_END = re.compile(r"(办公室|人民政府|委员会|办公厅|局|厅|部|委|院|中心|办|政府|会)$")
_OFFICIAL_RE = re.compile(r"^(.{0,20}?(?:副?(?:市|省|县|区|州|盟|旗|镇|乡)长|主席|主任|局长|厅长|部长))"
                          r"\u3000?([\u4e00-\u9fff·]{2,4})$")
_NAMES_RE = re.compile(r"[\u4e00-\u9fff·]{2,4}(?:\u3000[\u4e00-\u9fff·]{2,4})*")  # 张三　李四
_SIGNED_DATE_RE = re.compile(rf"([^，。；：、]{{2,40}}?)?{DATE_RE.pattern}")
_STOP = "。！？；"
# Above the red header: the copy's number (份号), secrecy and its term (机密★1年), urgency (特急): how the paper
# copy is handled, no part of its text.
_MARK_RE = re.compile(r"\d{6}|(?:绝密|机密|秘密)(?:★.{0,8})?|特急|加急|特提|平急")
_MARK_LINES = 4
_SECRET_RE = re.compile(r"绝密|机密|秘密")
_JOINT_ORGANS = 4  # organs issuing jointly, one a line, above the title or the date of issue
_CLOSING_RE = re.compile(r"(?:特此(?:通知|公告|通告|函告|函复|批复|决定|报告|说明)|此复|此令)[。！]?")


@dataclass
class Head:
    """What the document says about itself."""

    title: str
    summary: str | None
    issuer: str | None
    date: dt.date
    doc_number: str | None
    signer: str | None = None  # an upward document's 签发人, an order's official (`市长　张三`)


@dataclass
class Header:
    """The red header: `…文件`, or an order's/announcement's `…令` with its number."""

    organ: str | None = None
    kind: str | None = None  # 文件 | 令 | 公告 | 通告
    number: str | None = None
    line: str | None = None


def take_head(lines: list[Line], source: Path) -> tuple[Head, list[Line]]:
    """Pick out header, title, signature, date and number lines; return the rest as body lines."""
    used = _marks(lines, source)
    header = _header(lines, used)
    number, signer_of_number = _doc_number(lines, used)
    doc_number = header.number or number
    notice_title = _notice_title(lines, used)
    doc_number = doc_number or _announcement_number(lines, used, notice_title)
    date, signer = _issue_date(lines, used, source)
    enclosed = _enclosed_name(notice_title, lines, used) or (
        _promulgated_name(lines, used) if header.kind == "令" else None)
    if enclosed:
        _drop_enclosed_title(lines, used, enclosed)
    title = enclosed or notice_title or _standalone_title(lines, used, header)
    if not title:
        raise NoticeImportError(source, "no title found: put the notice's title on its first line", 1)
    official = _OFFICIAL_RE.match(signer or "")
    if official:  # `市长　张三` signs an order: the government issues it, the mayor signs it
        signer = f"{official.group(1)}\u3000{official.group(2)}"
    issuer = (header.organ or _title_issuer(notice_title) or signer) if official else \
        signer or header.organ or _title_issuer(notice_title)
    summary = notice_title if notice_title and notice_title != title else None
    head = Head(title, summary, issuer, date, doc_number, signer_of_number or (signer if official else None))
    running = _running_headers(lines, used)
    rest = []
    for i, line in enumerate(lines):
        if i in running:  # a PDF page's header, wherever the page broke: the text around it goes on
            continue
        if i not in used:
            # the lines taken out part paragraphs: what follows the date of issue never runs into the body above
            line.parted = bool(rest) and i - 1 in used
            line.indent = line.indent or line.parted
            rest.append(line)
    return head, rest


def _running_headers(lines: list[Line], used: set[int]) -> set[int]:
    """Lines below the head that are a red header (`泉州市人民政府办公室文件`), the notice's own or not: a PDF prints
    it atop each page, wherever a sentence broke."""
    found = set()
    for i, line in enumerate(lines):
        match = re.fullmatch(r"(.{2,40}?)文件", _bare(line.folded))
        if i not in used and i > min(used, default=0) and match and _ORG_END.search(match.group(1)):
            found.add(i)
    return found


def _marks(lines: list[Line], source: Path) -> set[int]:
    """The lines of the marks above the red header; a secrecy mark refuses the notice: it is not for the public
    until it is declassified, when the mark is struck out."""
    marks = {i for i, line in enumerate(lines[:_MARK_LINES]) if is_mark(line.folded)}
    for i in sorted(marks):
        if is_secret(lines[i].folded):
            raise NoticeImportError(source, classified(lines[i].text), lines[i].no)
    return marks


def is_mark(folded: str) -> bool:
    """A mark standing above the red header: a copy's number, secrecy (机密★1年) or urgency (特急)."""
    return _MARK_RE.fullmatch(folded.replace(" ", "")) is not None


def is_secret(folded: str) -> bool:
    """A secrecy mark (绝密, 机密★1年, 秘密): the notice is classified."""
    return is_mark(folded) and _SECRET_RE.match(folded.replace(" ", "")) is not None


def classified(mark: str, where: str = "") -> str:
    """Why a notice marked `mark` is refused; `where` names where the mark stands, if not in the text."""
    return (f"the notice is marked {mark!r}{where}, a classified document, which is never published: if it has "
            "been declassified, delete the mark")


def letterhead(folded: str) -> re.Match | None:
    """A red header, `泉州市人民政府办公室文件` (its organ is group 1), as the head reads one: a line without a
    sentence's punctuation."""
    text = folded.replace(" ", "")
    return None if re.search(r"[，。：；]", text) else re.fullmatch(r"(.{2,40}?)文件", text)


def doc_number_key(folded: str) -> str | None:
    """A line that is a document number, as compared: `泉政办规[2024]12号`, `（2024）` and `〔2024〕` read alike."""
    text = folded.replace(" ", "")
    match = DOC_NUMBER_RE.fullmatch(text) or _NUMBER_WITHOUT_HAO.fullmatch(text)
    return f"{match.group(1)}〔{int(match.group(2))}〕{int(match.group(3))}号" if match else None


def _header(lines: list[Line], used: set[int]) -> Header:
    """`泉州市人民政府办公室文件`, or `潍坊市人民政府令` with `第77号` on it or on the next line."""
    for i, line in enumerate(lines[:3 + len(used)]):
        text, folded = line.text.replace(" ", ""), line.folded.replace(" ", "")
        if i in used:
            continue
        if re.search(r"[，。：；]", text):
            continue
        if match := letterhead(folded):
            above = [j for j in range(i) if j not in used and looks_like_org(lines[j].folded)]  # jointly
            used.update(above + [i])
            organs = [lines[j].text for j in above] + [text[: match.end(1)]]
            return Header("\u3000".join(organs), "文件", line="\u3000".join(organs[:-1] + [text]))
        match = _ORDER_RE.fullmatch(folded)
        if match and _ORG_END.search(match.group(1)):
            number = match.group(3) and text[match.start(3): match.end(3)]
            if not number and i + 1 < len(lines):
                after = _order_number(lines[i + 1])
                if after:
                    used.add(i + 1)
                    number = after
            if match.group(2) == "令" or number:
                used.add(i)
                organ = text[: match.end(1)]
                return Header(organ, match.group(2), number and f"{organ}{match.group(2)}{number}", text)
    return Header()


def _order_number(line: Line) -> str | None:
    match = _ORDER_NUMBER_RE.fullmatch(line.folded.replace(" ", ""))
    return line.text.replace(" ", "")[match.start(1): match.end(1)] if match else None


def _doc_number(lines: list[Line], used: set[int]) -> tuple[str | None, str | None]:
    """A line that is only a document number, in the head (above the first sentence) or right under the
    date of issue; numbers quoted in sentences, or standing in a list or table of the body, are other
    documents' (`废止以下文件：` … `泉政文〔2015〕12号`). An upward document's number line names its signers
    too (`泉政文〔2024〕5号　签发人：张三`, or on the line under it), and more of them may stand alone on the lines
    under that: (number, signers)."""
    in_body = False
    for i, line in enumerate(lines):
        in_body = in_body or (i > 0 and lines[i - 1].text.endswith(tuple(_STOP + "：:")))
        signed = SIGNERS.search(line.folded)
        end = signed.start() if signed else None
        text, folded = (t[:end].replace(" ", "").rstrip("\u3000") for t in (line.text, line.folded))
        match = DOC_NUMBER_RE.fullmatch(folded) or _NUMBER_WITHOUT_HAO.fullmatch(folded)
        if match and i not in used and (not in_body or _dated(lines[i - 1])):
            used.add(i)
            prefix, year, number = text[: match.end(1)], match.group(2), match.group(3)
            if not signed and i + 1 < len(lines) and (signed := SIGNERS.match(lines[i + 1].folded)):
                i += 1  # `签发人：张三` on a line of its own under the number (in Word, the table cell beside it)
                used.add(i)
            # full-width digits (２０２４) as ASCII
            hao = text[-1] if text[-1] in "号號" else "号"  # (a line that is a number but for it: read as one)
            return f"{prefix}〔{int(year)}〕{int(number)}{hao}", signed and _signers(lines, used, i, signed)
    return None, None


def _signers(lines: list[Line], used: set[int], i: int, signed: re.Match) -> str | None:
    """The names after `签发人：` on line i, and those standing alone under it (`李四`)."""
    names = [lines[i].text[signed.end():]] if lines[i].text[signed.end():] else []
    for j in range(i + 1, min(i + 4, len(lines))):
        if not _NAMES_RE.fullmatch(lines[j].text) or TITLE_END.search(lines[j].folded):
            break
        used.add(j)
        names.append(lines[j].text)
    return "\u3000".join(names) or None


def _notice_title(lines: list[Line], used: set[int]) -> str | None:
    """The `…关于…的通知` title, joined from up to four wrapped lines near the top.

    An organ on the line just above (`湖南省人民政府办公厅` / `关于…的通知`) is part of it.
    """
    for i, line in enumerate(lines[:8]):
        if i in used or "关于" not in line.folded or line.text.endswith("："):
            continue
        parts = []
        for j in range(i, min(i + 4, len(lines))):
            if lines[j].text.endswith("：") or lines[j].kind != "para":
                break
            parts.append(lines[j].text)
            if TITLE_END.search(lines[j].folded) and not _title_goes_on(lines, used, j + 1, i + 4):
                start = _organs_above(lines, used, i)
                used.update(range(start, j + 1))
                return "\u3000".join(line.text for line in lines[start:i]) + "".join(parts)
    return None


def _title_goes_on(lines: list[Line], used: set[int], j: int, limit: int) -> bool:
    """A line ending a title that ended already: `…控制性详细规划` / `修编的公告`, where 规划 ends titles too."""
    return j < min(limit, len(lines)) and j not in used and lines[j].kind == "para" and len(lines[j].text) <= 30 \
        and not re.search(r"[，。；：:、]", lines[j].text) and bool(TITLE_END.search(lines[j].folded))


def _organs_above(lines: list[Line], used: set[int], i: int) -> int:
    """Where the title starts: `湖南省人民政府办公厅` alone above `关于…的通知` is its first words, and so are
    the organs issuing jointly, one a line (`泉州市人民政府办公室` / `泉州市财政局` / `关于…`)."""
    start = i
    while lines[i].folded.startswith("关于") and start > max(0, i - _JOINT_ORGANS) and start - 1 not in used \
            and looks_like_org(lines[start - 1].folded):
        start -= 1
    return start


def _issue_date(lines: list[Line], used: set[int], source: Path) -> tuple[dt.date, str | None]:
    """A line that is only a date (or `issuer date`); the line above it may be the issuer. A date standing
    alone in the body (a table's 完成时限 cell, a duty roster) is not the date of issue: the first date
    after the closing formula (`特此通知。`) comes first, then the first under a signature, then the first."""
    dated = [i for i, line in enumerate(lines) if i not in used and _dated(line)]
    if not dated:
        raise NoticeImportError(source, "no date of issue found: add the date under the issuer's name, "
                                "on its own line (e.g. 2024年12月20日)", None)
    closing = max((i for i, line in enumerate(lines) if _CLOSING_RE.fullmatch(line.folded)), default=-1)
    i = min(dated, key=lambda i: (i < closing, _signer(lines, used, i) is None, i))
    used.add(i)
    folded = lines[i].folded.replace(" ", "")
    date = to_date(DATE_RE.search(folded), source, lines[i].no)
    signer = _signer(lines, used, i)
    if signer is not None and not _SIGNED_DATE_RE.fullmatch(folded).group(1):
        used.update(_signing_lines(lines, used, i))
    return date, signer


def _dated(line: Line) -> bool:
    """Only a date, or an issuer and a date (`泉州市人民政府办公室 2024年12月23日`)."""
    match = _SIGNED_DATE_RE.fullmatch(line.folded.replace(" ", ""))
    return bool(match) and (not match.group(1) or _is_signature(match.group(1)))


def _signer(lines: list[Line], used: set[int], i: int) -> str | None:
    """Who signs the date on line i: the issuer before it on its line, or alone on the line above."""
    match = _SIGNED_DATE_RE.fullmatch(lines[i].folded.replace(" ", ""))
    if match.group(1):
        return lines[i].text.replace(" ", "")[: match.end(1)]
    return "\u3000".join(_joint(lines[j].text) for j in _signing_lines(lines, used, i)) or None


def _joint(text: str) -> str:
    """`泉州市商务局、泉州市外事办公室` signing on one line as the organs issuing jointly are written."""
    return "\u3000".join(text.split("、")) if _organs_listed(text) else text


def _organs_listed(text: str) -> bool:
    parts = text.split("、")
    return 1 < len(parts) <= _JOINT_ORGANS and all(looks_like_org(part) for part in parts)


def _signing_lines(lines: list[Line], used: set[int], i: int) -> list[int]:
    """The lines above line i that sign it: an organ or official, and the organs issuing with it jointly one a
    line above that (`泉州市财政局` / `泉州市商务局` / date); a table's cells are none of them."""
    if i == 0 or i - 1 in used or not _is_signature(lines[i - 1].folded):
        return []
    start = i - 1
    while start > max(0, i - _JOINT_ORGANS) and start - 1 not in used and not lines[start - 1].cell \
            and looks_like_org(lines[start - 1].folded) and looks_like_org(lines[i - 1].folded):
        start -= 1
    return list(range(start, i))


def looks_like_org(text: str) -> bool:
    return len(text) <= 40 and bool(_ORG_END.search(text)) and not re.search(r"[，。：；、]", text)


def _is_signature(text: str) -> bool:
    """An organ (泉州市人民政府办公室) or an official signing (市长　张三)."""
    return looks_like_org(text) or _organs_listed(text) or bool(_OFFICIAL_RE.match(text))


def _enclosed_name(notice_title: str | None, lines: list[Line], used: set[int]) -> str | None:
    """`…关于印发X的通知` encloses X: the measures are the document's real subject. A forwarding notice names
    who made them first (`关于转发市商务局等部门《X》的通知`, or without the brackets, when its body says `《X》已经…`):
    X alone is the name."""
    name = _enclosed_text(notice_title or "")
    if not name:
        return None
    quoted = re.findall(r"《([^《》]+)》", name)
    if len(quoted) == 1 and name.endswith("》"):
        return quoted[0]
    if quoted:  # `《A》和《B》`: both, as the title says them
        return name
    said = re.search(r"《([^《》]{2,60})》", "".join(line.text for i, line in enumerate(lines[:15]) if i not in used))
    return said.group(1) if said and name.endswith(said.group(1)) and len(said.group(1)) < len(name) else name


_ENCLOSING = re.compile(r"关于(?:印发|转发|发布)")


def _enclosed_text(title: str) -> str | None:
    """The X of a title `…关于印发X的通知` (as `关于(?:印发|转发|发布)(.+?)的通知$` finds it), from the first such
    `关于…` after the last line break; found once, not looked for again from each `关于印发` of a crafted line."""
    text = title.removesuffix("\n")
    if not text.endswith("的通知"):
        return None
    end = len(text) - len("的通知")
    first = _ENCLOSING.search(text, text.rfind("\n") + 1)
    return text[first.end():end] if first and first.end() < end else None


def _promulgated_name(lines: list[Line], used: set[int]) -> str | None:
    """An order's `《X》已经…通过，现予公布` names the regulation it promulgates."""
    text = "".join(line.text for i, line in enumerate(lines[:15]) if i not in used)
    match = re.search(r"《([^《》]{2,60})》(?:已经|经|业经)", text)
    return match.group(1) if match else None


def _drop_enclosed_title(lines: list[Line], used: set[int], name: str) -> None:
    """Remove the enclosed document's own title lines (they repeat the front matter title)."""
    for i in range(len(lines)):
        joined = ""
        for j in range(i, min(i + 3, len(lines))):
            if j in used:
                break
            joined += lines[j].text.replace(" ", "")
            if joined.strip("《》") in (name, re.sub(r"[（(][^（(]*[）)]$", "", name)):
                used.update(range(i, j + 1))
                return
            if not name.startswith(joined.strip("《》")):
                break


def _standalone_title(lines: list[Line], used: set[int], header: Header) -> str | None:
    """An order's regulation name standing alone (`潍坊市…管理办法`), an announcement's header,
    or the first line that is not a sentence."""
    if header.kind == "令":
        for i, line in enumerate(lines[:15]):
            if i not in used and len(line.text) <= 60 and line.kind == "para" \
                    and TITLE_END.search(line.folded) and not re.search(r"[，。；：:]", line.text):
                used.add(i)
                return line.text
    if header.kind in ("公告", "通告", "令") and header.line:
        return header.line
    return _first_line_title(lines, used)


def _first_line_title(lines: list[Line], used: set[int]) -> str | None:
    """The first line left, when it is no sentence; with the lines it wraps onto when only they end it as a
    title does (`泉州市数字经济高质量发展` / `三年行动方案（2025—2027年）`)."""
    first = next((i for i in range(len(lines)) if i not in used), None)
    if first is None or not _title_like(lines[first]):
        return None
    end = first + 1
    if not _ends_title(lines[first].folded):
        after = range(first + 1, min(first + 3, len(lines)))
        wrapped = itertools.takewhile(lambda j: j not in used and _title_like(lines[j]), after)
        end = next((j + 1 for j in wrapped if _ends_title("".join(line.folded for line in lines[first:j + 1]))), end)
    used.update(range(first, end))
    return "".join(line.text for line in lines[first:end])


def _title_like(line: Line) -> bool:
    return len(line.text) <= 60 and line.kind == "para" and not line.text.endswith(tuple(_STOP + "：:"))


def _ends_title(text: str) -> bool:
    """Ends as a title does, before a bracketed note (`（试行）`, `（2025—2027年）`)."""
    return bool(TITLE_END.search(re.sub(r"[（(][^（()）]*[）)]$", "", text)))


def _announcement_number(lines: list[Line], used: set[int], notice_title: str | None) -> str | None:
    """An announcement's number on a line of its own under its title (`…关于…的公告` / `（2025年第1号）`), as the
    organ's announcement number (`泉州市外事办公室公告2025年第1号`); none under another kind of title."""
    kind = re.search(r"(公告|通告)$", notice_title or "")
    if not kind:
        return None
    last = max((i for i in used if i < len(lines) and _bare(lines[i].folded) in _bare(notice_title)), default=None)
    for i in range(0 if last is None else last + 1, min(len(lines), (last or 0) + 3)):
        if i in used:
            continue
        if number := _order_number(lines[i]):
            used.add(i)
            return f"{_title_issuer(notice_title) or ''}{kind.group(1)}{number}"
        break
    return None


def _bare(text: str) -> str:
    return text.replace(" ", "").replace("\u3000", "")


def _title_issuer(notice_title: str | None) -> str | None:
    match = re.match(r"(.{2,30}?)关于", notice_title or "")
    return match.group(1) if match and _ORG_END.search(match.group(1)) else None
