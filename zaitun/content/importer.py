"""Convert a Chinese government notice (plain text or .docx) into a content document.

Notices usually arrive as text extracted from a PDF: hard-wrapped at about 30 characters,
with page numbers, headers and distribution lines mixed in. The pass is
`read_notice` (bytes -> text) -> `convert_notice` (text -> front matter + Markdown)
-> `import_notice` (writes `content/<section>/<slug>.md`, never overwriting silently).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from zaitun.config import Limits
from zaitun.content.model import SLUG_RE, content_files, dump_document
from zaitun.content.schema import CONTROL_RE
from zaitun.errors import NoticeImportError

TAGS = ["政策文件"]
PARAGRAPH_INDENT = "\u3000\u3000"
# Characters that may appear in Chinese text; spaces between them are PDF artefacts.
_CJK = "\u3001-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uffef\u201c\u201d\u2018\u2019\u00b7\u2014\u2026"
_ARTEFACT_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}0-9])|(?<=[0-9])[ \t\u3000]+(?=[{_CJK}])")
_NUM = "0-9０-９〇○零一二三四五六七八九十"
DATE_RE = re.compile(rf"([{_NUM}]{{4}})\s*年\s*([{_NUM}]{{1,3}})\s*月\s*([{_NUM}]{{1,3}})\s*日")
DOC_NUMBER_RE = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[〔\[【［(（]\s*(\d{4})\s*[〕\]】］)）]\s*(\d{1,4})\s*号")
_DEBRIS = [
    re.compile(r"^[—–\-－~]*\s*\d{1,3}\s*[—–\-－~]*$"),  # — 1 —, - 2 -, lone page numbers
    re.compile(r"^第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?$"),
    re.compile(r"^[（(]此件.{0,12}[）)]$"),  # （此件主动公开）
]
_SIGNED_DATE_RE = re.compile(rf"([^，。；：、]{{2,40}}?)?{DATE_RE.pattern}")
# Printing line (`泉州市人民政府办公室 2024年12月23日印发`) and distribution lines (`抄送：…`).
_TAIL = re.compile(rf"^(?:抄送|分送)[：:]|^[^，。；：]{{0,30}}?{DATE_RE.pattern}印发$")
_KINDS = [
    ("part", re.compile(r"^[一二三四五六七八九十]{1,3}、")),
    ("measure", re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")),
    ("item", re.compile(r"^(?:[（(]\d{1,2}[）)]|\d{1,2}[.．](?!\d))")),
    ("unit", re.compile(r"^(?:牵头|责任|配合|主办|协办)(?:单位|部门)[：:]")),
]
_TITLE_END = re.compile(r"(通知|通告|公告|意见|决定|批复|函|报告|办法|规定|方案|措施|细则)$")
_ORG_END = re.compile(r"(办公室|人民政府|委员会|办公厅|局|厅|部|委|院|中心|办|政府|会)$")
_STOP = "。！？；"
_CLOSERS = "”’）)》」』"
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}

# Pinyin for characters common in document-number prefixes (泉政办规 -> quan-zheng-ban-gui).
_PINYIN_TABLE = """
泉quan 政zheng 办ban 规gui 发fa 闽min 文wen 函han 国guo 厦xia 福fu 榕rong 莆pu 漳zhang 龙long
宁ning 明ming 南nan 平ping 晋jin 石shi 安an 惠hui 德de 永yong 春chun 丰feng 泽ze 综zong 字zi
电dian 令ling 告gao 通tong 知zhi 委wei 府fu 市shi 人ren 社she 财cai 教jiao 卫wei 商shang 外wai
事shi 公gong 局ju 厅ting 部bu 省sheng 县xian 区qu 经jing 信xin 科ke 技ji 农nong 交jiao 建jian
环huan 水shui 资zi 源yuan 划hua 审shen 计ji 统tong 金jin 融rong 监jian 管guan 税shui 务wu
侨qiao 台tai 港gang 澳ao 粤yue 浙zhe 沪hu 京jing 津jin 苏su 鲁lu 赣gan 湘xiang 鄂e 川chuan 渝yu
贵gui 云yun 陕shan 甘gan 青qing 新xin 藏zang 桂gui 琼qiong 冀ji 蒙meng 辽liao 吉ji 黑hei 皖wan
豫yu 常chang 议yi 纪ji 组zu 宣xuan 传chuan 法fa 检jian 察cha 院yuan 司si 中zhong 共gong 党dang
团tuan 妇fu 联lian 工gong 会hui 协xie 民min 族zu 宗zong 旅lv 体ti 育yu 健jian 医yi 保bao 应ying
急ji 消xiao 防fang 质zhi 粮liang 储chu 海hai 关guan 边bian 行xing 批pi 数shu 据ju 城cheng
乡xiang 住zhu 房fang 运yun 输shu 渔yu 林lin 退tui 役yi 军jun 残can 贸mao 促cu 复fu 意yi 见jian
"""
PINYIN = {pair[0]: pair[1:] for pair in _PINYIN_TABLE.split()}


@dataclass
class Line:
    """One non-blank source line, cleaned of PDF spacing artefacts."""

    no: int
    text: str
    lead: bool = False  # began with an ASCII space: a page-break continuation
    indent: bool = False  # began with an ideographic space: a new paragraph
    width: float = 0.0

    @property
    def kind(self) -> str:
        return next((kind for kind, rx in _KINDS if rx.match(self.text)), "para")


@dataclass
class Block:
    """One paragraph of the body: part, measure, item, unit or para."""

    kind: str
    text: str


@dataclass
class Head:
    """What the covering notice says about itself."""

    title: str
    summary: str | None
    issuer: str | None
    date: dt.date
    doc_number: str | None


# ---- reading ---------------------------------------------------------------------------------

def read_notice(path: Path, limits: Limits = Limits()) -> str:
    """Return the notice's text with LF line ends: UTF-8 (BOM allowed), GB18030/GBK or .docx.

    Control characters are dropped (a form feed, a PDF's page break, becomes a line end): they are
    debris of the extraction, and PostgreSQL refuses a NUL.
    """
    path = Path(path)
    if not path.is_file():
        raise NoticeImportError(path, "no such file: check the path of the notice")
    if path.suffix.lower() == ".docx":
        text = _read_docx(path, limits)
    else:
        size = path.stat().st_size
        if size > limits.text_bytes:
            raise NoticeImportError(path, f"file is {size} bytes, over the {limits.text_bytes}-byte limit "
                                    "(limits.text_bytes)", 1)
        text = _decode(path.read_bytes(), path)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return CONTROL_RE.sub("", text)


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 first; GB18030 only when the bytes do not look like UTF-8 with a few bad bytes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for c in lenient if ord(c) > 127) - bad
    if good <= 10 * bad:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            if exc.start > utf8_error.start:
                utf8_error = exc
    line = data[: utf8_error.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    raise NoticeImportError(path, "undecodable bytes: save the notice as UTF-8 or GBK text", line) from None


def _read_docx(path: Path, limits: Limits) -> str:
    """Paragraph and table-cell texts in document order, one per line.

    Each line starts with the customary ideographic indent, which tells `convert_notice`
    that it is a whole paragraph rather than a hard-wrapped piece of one. The zip's directory is
    checked against the limits first, so a zip bomb is refused before anything is unpacked.
    """
    _check_zip(path, limits)
    import docx  # after the check: a refused file costs no python-docx import

    try:
        return _docx_text(docx.Document(str(path)))
    except Exception as exc:  # broken XML, missing parts, anything: the file is unreadable, not zaitun
        raise NoticeImportError(path, f"not a readable .docx file ({exc.__class__.__name__}: "
                                f"{str(exc)[:200]}): re-save it from Word") from None


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse a .docx whose parts are too many or would unpack too large, reading only the zip's directory
    (zipfile never unpacks more than an entry's declared size, so the declared sizes bound the work)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NoticeImportError(path, f"not a readable .docx file ({exc}): re-save it from Word") from None
    if len(entries) > limits.docx_entries:
        raise NoticeImportError(path, f"the .docx holds {len(entries)} files, over the limit of "
                                f"{limits.docx_entries} (limits.docx_entries)")
    unpacked = sum(e.file_size for e in entries)
    if unpacked > limits.docx_unpacked_bytes:
        raise NoticeImportError(path, f"the .docx would unpack to {unpacked} bytes, over the limit of "
                                f"{limits.docx_unpacked_bytes} (limits.docx_unpacked_bytes)")


def _docx_text(document) -> str:
    from docx.table import Table

    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            lines.extend(_table_lines(item))
        else:
            lines.append(item.text)
    return "\n".join(PARAGRAPH_INDENT + line.strip() for line in lines if line.strip())


def _table_lines(table) -> list[str]:
    seen: set[int] = set()
    lines: list[str] = []
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:  # merged cells repeat the same cell
                continue
            seen.add(id(cell._tc))
            lines.extend(p.text for p in cell.paragraphs)
    return lines


# ---- converting ------------------------------------------------------------------------------

def convert_notice(text: str, source: Path) -> tuple[dict, str]:
    """Return (front matter, Markdown body) for the text of one notice."""
    source = Path(source)
    lines = _cut_tail(_clean_lines(text))
    if not lines:
        raise NoticeImportError(source, "the notice is empty: nothing to import", 1)
    head, rest = _take_head(lines, source)
    blocks = _paragraphs(rest)
    meta = _front_matter(head, _validity(blocks, head.date, source))
    return meta, _render(blocks)


def _clean_lines(text: str) -> list[Line]:
    lines = []
    for no, raw in enumerate(text.split("\n"), start=1):
        stripped = _ARTEFACT_SPACE.sub("", raw.strip(" \t\u3000\ufeff\xa0"))
        if not stripped or any(rx.match(stripped) for rx in _DEBRIS):
            continue
        width = sum(0.5 if ord(c) < 128 else 1 for c in stripped.replace(" ", ""))
        lines.append(Line(no, stripped, raw.startswith((" ", "\xa0")), raw.startswith("\u3000"), width))
    return lines


def _cut_tail(lines: list[Line]) -> list[Line]:
    """Drop the printing line (`…印发`), `抄送：` and everything after them."""
    for i, line in enumerate(lines):
        if i > 0 and _TAIL.match(line.text.replace(" ", "")):
            return lines[:i]
    return lines


def _take_head(lines: list[Line], source: Path) -> tuple[Head, list[Line]]:
    """Pick out header, title, signature, date and number lines; return the rest as body lines."""
    used: set[int] = set()
    header = _header_issuer(lines, used)
    doc_number = _doc_number(lines, used)
    notice_title = _notice_title(lines, used)
    date, signer = _issue_date(lines, used, source)
    enclosed = _enclosed_name(notice_title)
    if enclosed:
        _drop_enclosed_title(lines, used, enclosed)
    title = enclosed or notice_title or _first_line_title(lines, used)
    if not title:
        raise NoticeImportError(source, "no title found: put the notice's title on its first line", 1)
    issuer = signer or header or _title_issuer(notice_title)
    summary = notice_title if notice_title and notice_title != title else None
    head = Head(title, summary, issuer, date, doc_number)
    return head, [line for i, line in enumerate(lines) if i not in used]


def _header_issuer(lines: list[Line], used: set[int]) -> str | None:
    """The red header `泉州市人民政府办公室文件` names the issuer."""
    for i, line in enumerate(lines[:3]):
        match = re.fullmatch(r"(.{2,40}?)文件", line.text)
        if match and not re.search(r"[，。：；]", line.text):
            used.add(i)
            return match.group(1)
    return None


def _doc_number(lines: list[Line], used: set[int]) -> str | None:
    """A line that is only a document number; numbers quoted in sentences are other documents."""
    for i, line in enumerate(lines):
        match = DOC_NUMBER_RE.fullmatch(line.text.replace(" ", ""))
        if match:
            used.add(i)
            prefix, year, number = match.groups()
            return f"{prefix}〔{year}〕{int(number)}号"
    return None


def _notice_title(lines: list[Line], used: set[int]) -> str | None:
    """The `…关于…的通知` title, joined from up to four wrapped lines near the top."""
    for i, line in enumerate(lines[:8]):
        if i in used or "关于" not in line.text or line.text.endswith("："):
            continue
        parts = []
        for j in range(i, min(i + 4, len(lines))):
            if lines[j].text.endswith("：") or lines[j].kind != "para":
                break
            parts.append(lines[j].text)
            if _TITLE_END.search(lines[j].text):
                used.update(range(i, j + 1))
                return "".join(parts)
    return None


def _issue_date(lines: list[Line], used: set[int], source: Path) -> tuple[dt.date, str | None]:
    """The first line that is only a date (or `issuer date`); the line above it may be the issuer."""
    for i, line in enumerate(lines):
        match = _SIGNED_DATE_RE.fullmatch(line.text.replace(" ", ""))
        if i in used or not match or (match.group(1) and not _looks_like_org(match.group(1))):
            continue
        used.add(i)
        date = _to_date(DATE_RE.search(line.text.replace(" ", "")), source, line.no)
        prev = lines[i - 1] if i > 0 else None
        if match.group(1) or not prev or i - 1 in used or not _looks_like_org(prev.text):
            return date, match.group(1)
        used.add(i - 1)
        return date, prev.text
    raise NoticeImportError(source, "no date of issue found: add the date under the issuer's name, "
                            "on its own line (e.g. 2024年12月20日)", None)


def _looks_like_org(text: str) -> bool:
    return len(text) <= 40 and bool(_ORG_END.search(text)) and not re.search(r"[，。：；、]", text)


def _enclosed_name(notice_title: str | None) -> str | None:
    """`…关于印发X的通知` encloses X: the measures are the document's real subject."""
    match = re.search(r"关于(?:印发|转发|发布)《?(.+?)》?的通知$", notice_title or "")
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


def _first_line_title(lines: list[Line], used: set[int]) -> str | None:
    for i, line in enumerate(lines):
        if i in used:
            continue
        if len(line.text) <= 60 and line.kind == "para" and not line.text.endswith(tuple(_STOP + "：")):
            used.add(i)
            return line.text
        return None
    return None


def _title_issuer(notice_title: str | None) -> str | None:
    match = re.match(r"(.{2,30}?)关于", notice_title or "")
    return match.group(1) if match and _ORG_END.search(match.group(1)) else None


def _cn_number(text: str) -> int:
    """Arabic or Chinese numerals: 2024, 二〇二四, 十二, 二十一."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in text))


def _to_date(match: re.Match, source: Path, line: int | None) -> dt.date:
    try:
        return dt.date(*(_cn_number(g) for g in match.groups()))
    except (ValueError, KeyError):
        raise NoticeImportError(source, f"impossible date {match.group(0)!r}: correct it in the notice",
                                line) from None


# ---- paragraphs ------------------------------------------------------------------------------

def _paragraphs(lines: list[Line]) -> list[Block]:
    """Join hard-wrapped lines into paragraphs; one line is one paragraph in unwrapped text."""
    wrapped = _is_wrapped(lines)
    full = _full_width(lines)
    blocks: list[Block] = []
    current: list[Line] = []
    for line in lines:
        starts_new = line.kind != "para" or line.indent or not wrapped or _ends(current, full)
        if current and starts_new and not (wrapped and line.lead and line.kind == "para"):
            blocks.append(_block(current))
            current = []
        current.append(line)
    if current:
        blocks.append(_block(current))
    return blocks


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _is_wrapped(lines: list[Line]) -> bool:
    """PDF text wraps at ~30 characters; Word paragraphs and hand-typed text do not."""
    return _percentile([line.width for line in lines], 0.9) <= 40


def _full_width(lines: list[Line]) -> float:
    return _percentile([line.width for line in lines], 0.8)


def _ends(current: list[Line], full: float) -> bool:
    """Does the paragraph end after its last line? A full line may have wrapped after a stop."""
    if not current:
        return False
    last = current[-1]
    text = last.text.rstrip(_CLOSERS)
    is_full = last.width >= (full - 3 if len(current) == 1 else full - 1)
    if text.endswith(("：", ":")):
        return True
    if text.endswith(tuple(_STOP)):
        return not is_full
    if current[0].kind in ("part", "unit") and not text.endswith(("，", "、")):
        return not is_full
    return False


def _block(lines: list[Line]) -> Block:
    text = lines[0].text
    for line in lines[1:]:
        gap = " " if text[-1:].isascii() and text[-1:].isalnum() and line.text[:1].isascii() else ""
        text += gap + line.text
    return Block(lines[0].kind, _ARTEFACT_SPACE.sub("", text))


# ---- front matter and Markdown ---------------------------------------------------------------

def _validity(blocks: list[Block], issued: dt.date, source: Path) -> dict:
    """valid_from / valid_until from `自…起施行，有效期至…`."""
    text = "".join(block.text for block in blocks)
    found: dict = {}
    start = re.search(r"自(.{0,30}?)起(?:施行|实施|执行|生效)", text)
    if start:
        date = DATE_RE.search(start.group(1))
        # A copy: the same object twice would make YAML write an anchor (&id001) and an alias.
        found["valid_from"] = _to_date(date, source, None) if date else dt.date.fromordinal(issued.toordinal())
    until = re.search(rf"有效期[^。；]{{0,20}}?(?:至|到)(?={DATE_RE.pattern})", text)
    years = re.search(r"有效期(?:为)?([0-9一二三四五六七八九十]{1,3})年", text)
    if until:
        found["valid_until"] = _to_date(DATE_RE.match(text, until.end()), source, None)
    elif years:
        found["valid_until"] = _years_later(found.get("valid_from", issued), _cn_number(years.group(1)))
    return found


def _years_later(start: dt.date, years: int) -> dt.date:
    """`有效期5年` from 2024-12-20 runs to 2029-12-19."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # from 29 February into a common year
        end = dt.date(start.year + years, 3, 1)
    return end - dt.timedelta(days=1)


def _front_matter(head: Head, validity: dict) -> dict:
    meta: dict = {"title": head.title, "date": head.date}
    if head.doc_number:
        meta["doc_number"] = head.doc_number
    if head.issuer:
        meta["issuer"] = head.issuer
    meta.update(validity)
    if head.summary:
        meta["summary"] = head.summary
    meta["tags"] = list(TAGS)
    return meta


def _render(blocks: list[Block]) -> str:
    """Parts become `##`, measures `###` (title sentence only), items a list, units bold labels."""
    out: list[str] = []
    in_item = False
    for block in blocks:
        if block.kind == "unit":
            label, rest = re.split(r"[：:]", block.text, maxsplit=1)
            out.append(("  " if in_item else "") + f"**{label}**：{_inline(rest)}")
            continue
        in_item = block.kind == "item"
        if block.kind == "part":
            out.append("## " + _inline(block.text))
        elif block.kind == "measure":
            heading, rest = _split_measure(block.text)
            out.extend(["### " + _inline(heading)] + ([_inline(rest)] if rest else []))
        elif block.kind == "item":
            out.append("- " + re.sub(r"^(\d+)\.", r"\1\\.", _inline(block.text)))
        else:
            out.append(_escape_start(_inline(block.text)))
    return "\n\n".join(out) + "\n"


def _split_measure(text: str) -> tuple[str, str]:
    """`（一）Title sentence。Rest…` -> ("（一）Title sentence。", "Rest…")."""
    cut = text.find("。")
    if cut < 0:
        return text, ""
    return text[: cut + 1], text[cut + 1:].strip()


def _inline(text: str) -> str:
    return re.sub(r"([\\*_`<])", r"\\\1", text)


def _escape_start(text: str) -> str:
    """Keep a paragraph that starts like Markdown syntax (`# `, `- `, `1. `) a plain paragraph."""
    if re.match(r"^(?:[#>+\-=|]|\d+[.)])", text):
        return "\\" + text if not text[0].isdigit() else re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return text


# ---- writing ---------------------------------------------------------------------------------

def default_slug(meta: dict) -> str:
    """泉政办规〔2024〕11号 -> quan-zheng-ban-gui-2024-11; notice-2024-11 or notice-<date> otherwise."""
    match = DOC_NUMBER_RE.fullmatch(str(meta.get("doc_number") or ""))
    if not match:
        return f"notice-{meta['date'].isoformat()}"
    prefix, year, number = match.groups()
    if all(c in PINYIN for c in prefix):
        return "-".join([PINYIN[c] for c in prefix] + [year, str(int(number))])
    return f"notice-{year}-{int(number)}"


def import_notice(path: Path, content_dir: Path, section: str = "policies",
                  slug: str | None = None, force: bool = False, limits: Limits = Limits()) -> Path:
    """Convert one notice and write `content_dir/<section>/<slug>.md`; return the written path."""
    path, content_dir = Path(path), Path(content_dir)
    meta, body = convert_notice(read_notice(path, limits), path)
    slug = slug or default_slug(meta)
    for name, value in (("section", section), ("slug", slug)):
        if not SLUG_RE.match(value):
            raise NoticeImportError(path, f"bad {name} {value!r}: use lowercase a-z, 0-9 and '-'")
    target = content_dir / section / f"{slug}.md"
    _check_free(target, content_dir, slug, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_suffix(".md.tmp")
    temp.write_text(dump_document(meta, body), encoding="utf-8")
    temp.replace(target)
    return target


def _check_free(target: Path, content_dir: Path, slug: str, force: bool) -> None:
    """Never overwrite silently, and never give two documents the same slug."""
    if target.exists() and not force:
        raise NoticeImportError(target, "already exists: pass --force to replace it, "
                                "or --slug to import under another name")
    for other in content_files(content_dir):
        if other.stem == slug and other.resolve() != target.resolve():
            raise NoticeImportError(other, f"slug {slug!r} is already used by this document: "
                                    "choose another with --slug")
