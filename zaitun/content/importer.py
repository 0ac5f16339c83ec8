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
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from zaitun import progress
from zaitun.config import Limits
from zaitun.content.hanzi import fold
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
from zaitun.content.notice.validity import start_and_until
from zaitun.content.pinyin import PINYIN, slug_syllable
from zaitun.content.schema import CONTROL_RE, SEPARATORS
from zaitun.content.unread import WORD_PROCESSOR, why_unread
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
    unread = why_not_read(path)
    if unread:
        raise NoticeImportError(path, unread)
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


def why_not_read(path: Path) -> str | None:
    """Why a file is no notice zaitun reads, by its kind (None: a .txt or .docx), so that an old Word file or a
    content document is not read as text and refused for its bytes or its missing date of issue."""
    suffix = path.suffix.lower()
    if suffix in NOTICE_SUFFIXES:
        return None
    if suffix in WORD_PROCESSOR:  # the advice `zaitun check` gives
        return why_unread(PurePosixPath(path.name), instead="or import the .docx")
    if suffix == ".md":
        return ("a Markdown file is already a content document, not a notice to convert: copy it into "
                "content/<section>/ instead")
    what = f"a {suffix} file" if suffix else "a file without an extension"
    return f"{what} is not a notice zaitun reads (.txt or .docx)"


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
    if data.startswith(_OLE):  # an old Word file named .txt: said as for a .doc
        raise NoticeImportError(path, "is an old Word (.doc) file named .txt, not text: save it as a Word document "
                                "(.docx) — in WPS: 另存为 → .docx — and drop that", 1) from None
    if data.startswith(b"PK\x03\x04"):
        raise NoticeImportError(path, "is a Word document (.docx) or another zip file named .txt, not text: name it "
                                ".docx if it is a Word document", 1) from None
    line = data[: utf8_error.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    raise NoticeImportError(path, "undecodable bytes: save the notice as UTF-8 or GBK text", line) from None


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old Office file's first bytes (.doc, .wps, .xls)


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
    checked against the limits first, so a zip bomb is refused before anything is unpacked. A header
    or footer holding more than page furniture refuses the file, as a footnote does: it is not the body.
    """
    _check_zip(path, limits)
    import docx  # after the check: a refused file costs no python-docx import

    from zaitun.content.notice.headers_footers import refuse_header_footer_text
    from zaitun.content.notice.word import Unfaithful, notice_lines

    try:
        document = docx.Document(str(path))
        lines = notice_lines(document)
        refuse_header_footer_text(document, lines)
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
    elements = _elements(path, [e for e in entries if e.filename.endswith((".xml", ".rels"))])
    if elements > limits.docx_elements:
        raise NoticeImportError(path, f"the .docx holds {elements} XML elements, over the limit of "
                                f"{limits.docx_elements} (limits.docx_elements)")


def _elements(path: Path, parts: list[zipfile.ZipInfo]) -> int:
    """The XML elements (start and empty tags) of the parts of a zip, counted as they unpack, a block at a time
    (whichever part the text is in): parsing costs memory and time by the element, which the size in bytes does
    not bound (`<w:p/>` is 6 bytes)."""
    count = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for part in parts:
                with archive.open(part) as stream:
                    while block := stream.read(1 << 20):
                        count += block.count(b"<") - block.count(b"</")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise NoticeImportError(path, f"not a readable .docx file ({exc}): re-save it from Word") from None
    return count


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

    start, until = start_and_until(text, issued, date_at, impossible)
    if start and until and until < start:  # a notice never in force: a mistyped year, as a rule
        said = next((m.group(0) for m in DATE_RE.finditer(text) if to_date(m, source, None) == until), "")
        raise NoticeImportError(source, f"the notice says it is valid until {until}, before it takes effect "
                                        f"({start}): correct the date in the notice", _line_of(lines, said) if said
                                else None)
    return {key: value for key, value in (("valid_from", start), ("valid_until", until)) if value}


def _line_of(lines: list[Line], said: str) -> int | None:
    """The source line where `said` starts (it may wrap onto the next line)."""
    said = re.sub(r"\s", "", said)
    for i, line in enumerate(lines):
        here = line.folded.replace(" ", "")
        at = (here + "".join(after.folded.replace(" ", "") for after in lines[i + 1:i + 2])).find(said)
        if 0 <= at < len(here):
            return line.no
    return None


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
    """What `import_notices` did: documents written, each notice it could not convert, with why, and each other
    file of a folder named, skipped with why (a folder is for notices, but nothing in it is passed over unsaid)."""

    written: list[Path] = field(default_factory=list)
    errors: list[LocatedError] = field(default_factory=list)
    skipped: list[LocatedError] = field(default_factory=list)

    def summary(self) -> str:
        failed = f"; {len(self.errors)} could not be imported" if self.errors else ""
        skipped = f"; {len(self.skipped)} skipped (not notices)" if self.skipped else ""
        return f"imported {len(self.written)} of {len(self.written) + len(self.errors)} notice(s){failed}{skipped}"

    def failed(self) -> bool:
        """A notice not imported fails the import; skipped files fail it only when nothing at all was imported
        (the folder named held no notice zaitun reads)."""
        return bool(self.errors) or (bool(self.skipped) and not self.written)


def notice_files(paths: list[Path]) -> tuple[list[Path], list[LocatedError]]:
    """The notices named, and the entries of named folders skipped, each with why. Files named are taken as given
    (`read_notice` refuses the kinds it cannot read); a folder gives its .txt/.docx notices and its word processors'
    files (an old .doc: a notice, to be refused with what to do). Hidden and scratch files are passed over
    silently, as intake does."""
    found: list[Path] = []
    skipped: list[LocatedError] = []
    for path in map(Path, paths):
        if not path.is_dir():
            found.append(path)
            continue
        for entry in sorted(p for p in path.iterdir() if not is_scratch(p.name)):
            if entry.is_dir():
                skipped.append(NoticeImportError(entry, "a folder inside the folder named is not read: name it "
                                                 "too to import its notices"))
            elif entry.suffix.lower() in (*NOTICE_SUFFIXES, *WORD_PROCESSOR):
                found.append(entry)
            else:
                skipped.append(NoticeImportError(entry, why_not_read(entry)))
    return list(dict.fromkeys(found)), list({str(s.path): s for s in skipped}.values())


def import_notices(paths: list[Path], content_dir: Path, section: str = "policies", force: bool = False,
                   limits: Limits = Limits()) -> ImportReport:
    """Import each notice on its own: one that fails is reported with why and the others are imported."""
    files, skipped = notice_files(paths)
    report = ImportReport(skipped=skipped)
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
        raise NoticeImportError(notice, f"slug {slug!r} is already used by {holder}: if that is this notice, "
                                f"dropped in before, it is in already: delete this copy (to re-issue it, edit that "
                                f"file); if it is another notice, {rename}")
    if holder == target:
        raise NoticeImportError(notice, f"{target} already exists: pass --force to replace it, "
                                "or --slug to import under another name")
    raise NoticeImportError(notice, f"slug {slug!r} is already used by {holder}: choose another with --slug")


def _free_slug(content_dir: Path, slug: str) -> str:
    """The first of slug-2, slug-3, ... that no document has: a name to suggest."""
    taken = {p.stem for p in content_files(content_dir)}
    return next(f"{slug}-{n}" for n in itertools.count(2) if f"{slug}-{n}" not in taken)
