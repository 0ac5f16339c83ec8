"""Convert a Chinese government notice (plain text or .docx) into a content document.

Notices usually arrive as text extracted from a PDF: hard-wrapped at about 30 characters,
with page numbers, headers and distribution lines mixed in. The pass is
`read_notice` (bytes -> text) -> `convert_notice` (text -> front matter + Markdown)
-> `import_notice` (writes `content/<section>/<slug>.md`, never overwriting silently).
Recognition lives in `zaitun.content.notice`: lines, head (number, title, issuer, date),
body (paragraphs and structure), units, Markdown.
"""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zaitun import progress
from zaitun.config import Limits
from zaitun.content.hanzi import NUMERALS, cn_int, fold
from zaitun.content.model import (
    NOTICE_SUFFIXES,
    SLUG_CHARS,
    SLUG_RE,
    content_files,
    dump_document,
    is_scratch,
    too_long,
)
from zaitun.content.notice.body import classify, paragraphs, shape
from zaitun.content.notice.head import DOC_NUMBER_RE, Head, take_head
from zaitun.content.notice.lines import DATE_RE, Line, clean_lines, cut_tail, to_date
from zaitun.content.notice.markdown import render
from zaitun.content.pinyin import PINYIN, slug_syllable
from zaitun.content.schema import CONTROL_RE, SEPARATORS
from zaitun.errors import LocatedError, NoticeImportError

TAGS = ["政策文件"]
PARAGRAPH_INDENT = "\u3000\u3000"

_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")  # not ・ or ー, which Chinese text uses too


# ---- reading ---------------------------------------------------------------------------------

def read_notice(path: Path, limits: Limits = Limits()) -> str:
    """Return the notice's text with LF line ends: UTF-8 (BOM allowed), UTF-16 (with its BOM), GB18030/GBK,
    Big5 or .docx.

    Control characters are dropped: they are debris of the extraction, and PostgreSQL refuses a NUL. A form
    feed (a PDF's page break) ends its line and stays at its end, for `clean_lines` to know where pages break.
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
    # a page break keeps its place at the end of its line (`clean_lines` drops a page number standing at it)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\f\n").translate(SEPARATORS)
    return CONTROL_RE.sub(lambda found: found[0] if found[0] == "\f" else "", text)


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 first; GB18030 only when the bytes do not look like UTF-8 with a few bad bytes. UTF-16 has a
    byte-order mark (Notepad's "Unicode")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # a GB18030 text may start with these bytes too
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for c in lenient if ord(c) > 127) - bad
    if good <= 10 * bad:
        try:
            return _big5_or(data.decode("gb18030"), data)
        except UnicodeDecodeError as exc:
            if exc.start > utf8_error.start:
                utf8_error = exc
    line = data[: utf8_error.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    raise NoticeImportError(path, "undecodable bytes: save the notice as UTF-8 or GBK text", line) from None


def _big5_or(gb18030: str, data: bytes) -> str:
    """Big5 (traditional text from Taiwan or Hong Kong) decodes as GB18030 too, into rare characters and kana,
    about one character in nine (`東莞市` reads `狥拆カ`): such text that decodes as Big5 without kana is Big5."""
    if len(_KANA.findall(gb18030)) < 0.02 * sum(1 for c in gb18030 if ord(c) > 127):
        return gb18030
    try:
        big5 = data.decode("big5hkscs")
    except UnicodeDecodeError:
        return gb18030
    return gb18030 if _KANA.search(big5) else big5


def _read_docx(path: Path, limits: Limits) -> str:
    """Paragraph and table-cell texts in document order, one per line (`zaitun.content.notice.word`).

    Each line starts with the customary ideographic indent, which tells `convert_notice`
    that it is a whole paragraph rather than a hard-wrapped piece of one. The zip's directory is
    checked against the limits first, so a zip bomb is refused before anything is unpacked.
    """
    _check_zip(path, limits)
    import docx  # after the check: a refused file costs no python-docx import

    from zaitun.content.notice.word import Unfaithful, notice_lines

    try:
        lines = notice_lines(docx.Document(str(path)))
    except Unfaithful as exc:  # readable, but not faithfully: what to do is in the message
        raise NoticeImportError(path, str(exc)) from None
    except Exception as exc:  # broken XML, missing parts, anything: the file is unreadable, not zaitun
        raise NoticeImportError(path, f"not a readable .docx file ({exc.__class__.__name__}: "
                                f"{str(exc)[:200]}): re-save it from Word") from None
    return "\n".join(PARAGRAPH_INDENT + line for line in lines)


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


# ---- converting ------------------------------------------------------------------------------

def convert_notice(text: str, source: Path) -> tuple[dict, str]:
    """Return (front matter, Markdown body) for the text of one notice."""
    source = Path(source)
    lines = cut_tail(clean_lines(text, paged=source.suffix.lower() != ".docx"))
    if not lines:
        raise NoticeImportError(source, "the notice is empty: nothing to import", 1)
    head, rest = take_head(lines, source)
    classify(rest)
    blocks = shape(paragraphs(rest))
    meta = _front_matter(head, _validity(blocks, head.date, source, rest))
    return meta, render(blocks)


# ---- front matter --------------------------------------------------------------------------

_IN_FORCE = r"(?:施行|实施|执行|生效|试行)"
_START_RE = re.compile(rf"(?:自|从)(.{{0,30}}?)起{_IN_FORCE}")
# `自印发之日起30日后施行`: in force a number of days after the date of issue
_LATER_START_RE = re.compile(rf"自[^。；，]{{0,8}}之日起([{NUMERALS}]{{1,4}})(?:日|天)后{_IN_FORCE}")
# `自2025年1月1日起至2027年12月31日止施行`: both ends in one phrase
_SPAN_RE = re.compile(rf"自(?P<start>{DATE_RE.pattern})起?(?:至|到)(?P<until>{DATE_RE.pattern})止?(?:{_IN_FORCE}|有效)")
# `有效期为2025年1月1日至…`, `有效期自…至…`, `执行期限为…至…`, `实施期限：…—…`: the period's first day is its start
_PERIOD = r"(?:有效|执行|实施|试行)期限?"
_TO = r"(?:至|到|—{1,2}|－|~|～)"  # (not '-', which a date like 2025-01-01 holds)
_PERIOD_START_RE = re.compile(rf"{_PERIOD}(?:为|自|从|：|:)?(?={DATE_RE.pattern}起?{_TO})")
# `有效期至…`, and `自…起施行至2026年12月31日`: the last day
_UNTIL_RE = re.compile(rf"(?:{_PERIOD}[^。；]{{0,20}}?|起{_IN_FORCE}){_TO}(?={DATE_RE.pattern})")
# `有效期至2027年底` (年末): the year's last day; `有效期至2027年12月`: the month's
_UNTIL_MONTH_RE = re.compile(rf"{_PERIOD}[^。；]{{0,20}}?{_TO}([{NUMERALS}]{{4}})年(?:(底|末)|([{NUMERALS}]{{1,2}})月"
                             rf"(?:底|末)?)(?![{NUMERALS}日])")
# `2027年12月31日废止`, `至…自行失效`: the notice's last day; `自2028年1月1日起废止`: void from that day, so
# in force until the day before. A date must stand right before the word: `2023年5月1日印发的旧措施同时废止`
# ends another notice, not this one.
_LAPSE = r"(?:自行|自动)?(?:失效|废止)"
_LAPSES_ON_RE = re.compile(rf"(?:至|到|于)?(?={DATE_RE.pattern}{_LAPSE})")
_LAPSES_FROM_RE = re.compile(rf"自(?={DATE_RE.pattern}起{_LAPSE})")
# `有效期5年`, `有效期限为三年`, `有效期两年`, `有效期一年半`, `有效期三十个月`, `试行期2年`, `有效期暂定三年`
_DURATION_RE = re.compile(rf"(?:有效|试行)期限?(?:为|暂定为?|暂为)?([{NUMERALS}]{{1,4}})(?:个)?(年|月)(半)?")


# what a document calls itself: `本通知自…起施行` is its own validity, `对有效期至…的企业` someone else's
_OWN_RE = re.compile(r"本(?:通知|办法|措施|规定|意见|方案|细则|决定|公告|通告|条例|规则|政策|文件|指引|指南|规划|计划|"
                     r"令)")


def _validity(blocks: list, issued: dt.date, source: Path, lines: list[Line]) -> dict:
    """valid_from / valid_until from `自…起施行，有效期至…`, `有效期为…至…`, `自…至…施行`, `…废止` or a duration
    (`有效期3年`, counted from the start, else from the date of issue). A sentence naming the document itself
    (`本通知…`) is its validity clause; without one, the last phrase of a kind is (it stands at the end)."""
    text = fold("\n".join(block.text for block in blocks))

    def date_at(at: int) -> dt.date:
        match = DATE_RE.match(text, at)
        return to_date(match, source, _line_of(lines, match.group(0)))

    def impossible(said: str) -> NoticeImportError:
        return NoticeImportError(source, f"impossible date {said!r}: correct it in the notice", _line_of(lines, said))

    start = _start(text, issued, date_at)
    until = _until(text, start or issued, date_at, impossible)
    if start and until and until < start:  # a notice never in force: a mistyped year, as a rule
        said = next((m.group(0) for m in DATE_RE.finditer(text) if to_date(m, source, None) == until), "")
        raise NoticeImportError(source, f"the notice says it is valid until {until}, before it takes effect "
                                        f"({start}): correct the date in the notice", _line_of(lines, said) if said
                                else None)
    return {key: value for key, value in (("valid_from", start), ("valid_until", until)) if value}


def stated_validity(body: str, issued: dt.date) -> dict[str, tuple[dt.date, int]]:
    """The validity a document's text states of itself, read as a notice is imported: key -> (its date, the
    0-based line of the body saying it). Only a date the text writes out is stated: not a start taken from the
    date of issue (`自印发之日起`), nor an end counted (`有效期5年`, `2027年底`), nor what it cannot read (an
    impossible date is the front matter's to say)."""
    text = fold(body)
    said: dict[dt.date, int] = {}  # each date the text writes out, and its line

    def date_at(at: int) -> dt.date:
        date = to_date(DATE_RE.match(text, at), Path(), None)
        said.setdefault(date, text.count("\n", 0, at))
        return date

    def impossible(words: str) -> NoticeImportError:
        return NoticeImportError(Path(), words)

    try:
        start = _start(text, issued, date_at)
        until = _until(text, start or issued, date_at, impossible)
    except NoticeImportError:
        return {}
    return {key: (date, said[date]) for key, date in (("valid_from", start), ("valid_until", until)) if date in said}


def _clause(text: str, rules: list) -> dt.date | None:
    """The date the first rule (pattern, reading) gives in the document's own sentence, else in any sentence."""
    found = [(match, read) for rx, read in rules if (match := _stated(rx, text))]
    own = [(match, read) for match, read in found if _is_own(text, match)]
    match, read = (own or found or [(None, None)])[0]
    return read(match) if match else None


def _stated(rx: re.Pattern, text: str) -> re.Match | None:
    """The pattern's first match in the last sentence about the document itself (`本通知自…起施行，原自…起施行的
    《办法》同时废止`), else its last match that opens a sentence (`有效期至2027年12月31日。`): one inside a
    sentence about something else (`对有效期至2025年6月30日的许可证`, `对居留许可有效期至…届满的外国人`) is
    that thing's date, not the document's."""
    matches = list(rx.finditer(text))
    own = [match for match in matches if _is_own(text, match)]
    if own:
        return next(match for match in own if _sentence(text, match) == _sentence(text, own[-1]))
    opening = [match for match in matches if _OPENS_RE.fullmatch(text, _sentence(text, match), match.start())]
    return opening[-1] if opening else None


# what may stand before a validity phrase that opens its sentence: a list number (`五、`, `（三）`, `3.`,
# `第十条`) and spaces
_OPENS_RE = re.compile(r"[\s　]*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|"
                       r"第[一二三四五六七八九十百零〇\d]+条)?[\s　]*")


def _sentence(text: str, match: re.Match) -> int:
    """Where the sentence holding the match starts."""
    return max(text.rfind(stop, 0, match.start()) for stop in "。；\n") + 1


def _is_own(text: str, match: re.Match) -> bool:
    return bool(_OWN_RE.search(text, _sentence(text, match), match.start()))


def _start(text: str, issued: dt.date, date_at: Callable[[int], dt.date]) -> dt.date | None:
    def in_force(start: re.Match) -> dt.date | None:
        date = DATE_RE.search(start.group(1))
        if date:
            return date_at(start.start(1) + date.start())
        if "之日" in start.group(1):  # `自印发之日起`, `自公布之日起`: the day of issue
            return dt.date.fromordinal(issued.toordinal())  # a copy: the same object twice would make YAML write an
        return None  # anchor (&id001) and an alias; a day it cannot read (`自2025年底起`) is no day of issue

    return _clause(text, [
        (_LATER_START_RE, lambda later: issued + dt.timedelta(days=cn_int(later.group(1)))),
        (_START_RE, in_force),
        (_SPAN_RE, lambda span: date_at(span.start("start"))),
        (_PERIOD_START_RE, lambda period: date_at(period.end())),
    ])


def _until(text: str, start: dt.date, date_at: Callable[[int], dt.date],
           impossible: Callable[[str], NoticeImportError]) -> dt.date | None:
    def lasting(duration: re.Match) -> dt.date:
        count, unit, half = duration.groups()
        return _months_later(start, cn_int(count) * (12 if unit == "年" else 1) + (6 if half else 0))

    def month_end(until: re.Match) -> dt.date:
        year, year_end, month = until.groups()
        try:
            return _months_later(dt.date(cn_int(year), 1 if year_end else cn_int(month), 1), 12 if year_end else 1)
        except ValueError:
            raise impossible(until.group(0)[until.start(1) - until.start():]) from None

    return _clause(text, [
        (_UNTIL_RE, lambda until: date_at(until.end())),
        (_UNTIL_MONTH_RE, month_end),
        (_SPAN_RE, lambda span: date_at(span.start("until"))),
        (_LAPSES_FROM_RE, lambda lapses: date_at(lapses.end()) - dt.timedelta(days=1)),
        (_LAPSES_ON_RE, lambda lapses: date_at(lapses.end())),
        (_DURATION_RE, lasting),
    ])


def _line_of(lines: list[Line], said: str) -> int | None:
    """The source line where `said` starts (it may wrap onto the next line)."""
    said = re.sub(r"\s", "", said)
    for i, line in enumerate(lines):
        here = line.folded.replace(" ", "")
        at = (here + "".join(after.folded.replace(" ", "") for after in lines[i + 1:i + 2])).find(said)
        if 0 <= at < len(here):
            return line.no
    return None


def _months_later(start: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` from `start`: `有效期5年` from 2024-12-20 runs to 2029-12-19."""
    year, month = divmod(start.month - 1 + months, 12)
    try:
        end = start.replace(year=start.year + year, month=month + 1)
    except ValueError:  # from the 29th-31st into a shorter month: the period ends with that month
        end = dt.date(start.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return end - dt.timedelta(days=1)


def _front_matter(head: Head, validity: dict) -> dict:
    meta: dict = {"title": head.title, "date": head.date}
    if head.doc_number:
        meta["doc_number"] = head.doc_number
    if head.issuer:
        meta["issuer"] = head.issuer
    if head.signer:
        meta["signer"] = head.signer
    meta.update(validity)
    if head.summary:
        meta["summary"] = head.summary
    meta["tags"] = list(TAGS)
    return meta


# ---- writing ---------------------------------------------------------------------------------

def default_slug(meta: dict) -> str:
    """泉政办规〔2024〕11号 -> quan-zheng-ban-gui-2024-11; an order 第77号 -> order-<year>-77; an announcement
    公告2025年第1号 -> announcement-2025-1 (通告: circular-…); notice-2024-11 or notice-<date> otherwise.
    Traditional characters read as simplified."""
    number = fold(str(meta.get("doc_number") or ""))
    match = DOC_NUMBER_RE.fullmatch(number)
    order = re.search(r"令第(\d{1,6})号$", number)
    if order:
        return f"order-{meta['date'].year}-{int(order.group(1))}"
    announced = re.search(r"(公告|通告)(\d{4})年第(\d{1,6})号$", number)
    if announced:  # an announcement numbered by the year: 公告2025年第1号
        kind = "announcement" if announced.group(1) == "公告" else "circular"
        return f"{kind}-{announced.group(2)}-{int(announced.group(3))}"
    if not match:
        return f"notice-{meta['date'].isoformat()}"
    prefix, year, number = match.groups()
    if all(c in PINYIN for c in prefix):
        return "-".join([slug_syllable(c) for c in prefix] + [str(int(year)), str(int(number))])
    return f"notice-{int(year)}-{int(number)}"


def import_notice(path: Path, content_dir: Path, section: str = "policies", slug: str | None = None,
                  force: bool = False, limits: Limits = Limits(), dropped: bool = False) -> Path:
    """Convert one notice and write `content_dir/<section>/<slug>.md`; return the written path. `dropped`: a
    notice dropped into content/ (intake), which names its slug by its file name, not by --slug."""
    return write_converted(*converted_notice(path, content_dir, section, slug, force, limits, dropped))


def write_converted(target: Path, text: str) -> Path:
    """Write a converted notice whole or not at all (a reader never sees half a document)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_suffix(".md.tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(target)
    return target


def converted_notice(path: Path, content_dir: Path, section: str = "policies", slug: str | None = None,
                     force: bool = False, limits: Limits = Limits(), dropped: bool = False) -> tuple[Path, str]:
    """The document import_notice writes, and where, without writing it (`zaitun check` asks this)."""
    path, content_dir = Path(path), Path(content_dir)
    meta, body = convert_notice(read_notice(path, limits), path)
    numbered = meta.get("doc_number") if slug is None else None  # the slug made of the document number
    slug = slug or default_slug(meta)
    for name, value in (("section", section), ("slug", slug)):
        if not SLUG_RE.match(value):
            raise NoticeImportError(path, f"bad {name} {value!r}: use lowercase a-z, 0-9 and '-'")
    if len(slug) > SLUG_CHARS:
        raise NoticeImportError(path, too_long(slug))
    target = content_dir / section / f"{slug}.md"
    _check_free(path, target, content_dir, force, dropped, numbered)
    return target, dump_document(meta, body)


@dataclass
class ImportReport:
    """What `import_notices` did: documents written, and each notice it could not convert, with why."""

    written: list[Path] = field(default_factory=list)
    errors: list[LocatedError] = field(default_factory=list)

    def summary(self) -> str:
        failed = f"; {len(self.errors)} could not be imported" if self.errors else ""
        return f"imported {len(self.written)} of {len(self.written) + len(self.errors)} notice(s){failed}"


def notice_files(paths: list[Path]) -> list[Path]:
    """The notices named: files as given, folders for the .txt/.docx notices directly in them."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.is_file() and p.suffix.lower() in NOTICE_SUFFIXES and not is_scratch(p.name))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def import_notices(paths: list[Path], content_dir: Path, section: str = "policies", force: bool = False,
                   limits: Limits = Limits()) -> ImportReport:
    """Import each notice on its own: one that fails is reported with why and the others are imported."""
    report = ImportReport()
    files = notice_files(paths)
    with progress.task("Importing notices", total=len(files)) as bar:
        for path in files:
            try:
                report.written.append(import_notice(path, content_dir, section=section, force=force, limits=limits))
            except Exception as exc:  # the file's boundary
                report.errors.append(exc if isinstance(exc, LocatedError) else
                                     NoticeImportError(path, f"could not be imported: {exc.__class__.__name__}: "
                                                       f"{exc}", 1))
            bar.advance()
    return report


def _check_free(notice: Path, target: Path, content_dir: Path, force: bool, dropped: bool,
                numbered: str | None = None) -> None:
    """Never overwrite silently, and never give two documents the same slug. The error names the notice (the
    document holding the slug is fine) and says how to fix it where the notice came from. `numbered`: the document
    number the slug was made of: the holder is most likely the same notice, dropped in before (twice.py)."""
    slug = target.stem
    holder = target if target.exists() and not force else next(
        (p for p in content_files(content_dir) if p.stem == slug and p.resolve() != target.resolve()), None)
    if holder is None:
        return
    if dropped:
        rename = (f"rename the notice to the slug it should have (e.g. {_free_slug(content_dir, slug)}"
                  f"{notice.suffix}) and drop it in again")
        if numbered:
            raise NoticeImportError(notice, f"slug {slug!r}, made of its document number {numbered}, is already used "
                                    f"by {holder}: if that is this notice, it is in already: delete this copy (to "
                                    f"re-issue it, edit that file); if it is another notice, {rename}")
        raise NoticeImportError(notice, f"slug {slug!r} is already used by {holder}: {rename}")
    if holder == target:
        raise NoticeImportError(notice, f"{target} already exists: pass --force to replace it, "
                                "or --slug to import under another name")
    raise NoticeImportError(notice, f"slug {slug!r} is already used by {holder}: choose another with --slug")


def _free_slug(content_dir: Path, slug: str) -> str:
    """The first of slug-2, slug-3, ... that no document has: a name to suggest."""
    taken = {p.stem for p in content_files(content_dir)}
    return next(f"{slug}-{n}" for n in itertools.count(2) if f"{slug}-{n}" not in taken)
