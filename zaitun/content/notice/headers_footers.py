"""The headers and footers of a .docx notice: page furniture is left out, any other text refuses the file.

A notice is taken in from its body alone, so text in a header or footer would be lost without a word:
a footer saying `本办法自2026年1月5日起施行，有效期至2026年12月31日。` would leave the notice with no validity,
a watermark saying `征求意见稿` would publish a draft as final. Only what a page repeats is passed over (page numbers
and their fields, `第 1 页 共 3 页`, `- 1 -`, a line of the body such as its title or its document number in any
brackets) and what the body reader leaves out of the body as furniture, recognised as it recognises it (the red
header, `抄送：` and printing lines, `此件公开发布`, urgency marks); other text, a watermark's or a text box's too,
is refused as a footnote is, with what to do, and a secrecy mark (`机密`) as the body's is.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from zaitun.content.hanzi import fold
from zaitun.content.notice.head import classified, doc_number_key, is_mark, is_secret, letterhead
from zaitun.content.notice.lines import DATE_RE, stamp, tail_line
from zaitun.content.notice.numbering import MC, W
from zaitun.content.notice.word import Unfaithful

R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
V = "{urn:schemas-microsoft-com:vml}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_PARTS = {W + "headerReference": "header", W + "footerReference": "footer"}
_TYPES = {"default": "", "first": "first-page ", "even": "even-page "}
# Fields whose result is a page's number or count: the result is the page's, not the notice's.
_PAGE_FIELDS = {"PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION"}
# What Word puts between the left, centre and right parts of a header line.
_GAP = re.compile(r"[\t\n]|\s{2,}")
# A page number as typed or around a PAGE field: digits (or 一二三), 第/页/共/page/of, dashes, brackets, slashes.
# One character at a time, so a line that is not one fails at once rather than after trying every split.
_PAGE_NUMBER = re.compile(r"(?:page|of|[第共总總页頁码碼0-9一二三四五六七八九十百〇零\s\-‐‒–—―−~·•.,:/|()\[\]])*")
# Its numbers: a page's and the count of pages, of three figures at most (`2025.1.1-2027.12.31` is a date range).
_NUMBER = re.compile(r"[0-9]+|[一二三四五六七八九十百〇零]+")
# What Word (`PowerPlusWaterMarkObject…`) and WPS name the shape of a watermark.
_WATERMARK_NAME = re.compile(r"watermark|水印", re.IGNORECASE)


class _Shown(NamedTuple):
    """A line a header or footer shows, and whether a watermark shows it."""

    text: str
    watermark: bool


def refuse_header_footer_text(document, body: list[str]) -> None:
    """Raise `Unfaithful` naming the first header or footer holding a secrecy mark, else the first holding text
    other than page furniture; `body` is the notice's lines as read from the body, which a header may repeat."""
    repeated = _repeatable(body)
    shown = [(kind, line) for kind, part in _parts(document) for line in _lines(part)]
    for kind, line in shown:  # a classified notice is refused as one, whatever else its pages hold
        if mark := next((piece.strip() for piece in _GAP.split(line.text) if is_secret(_normal(piece))), None):
            raise Unfaithful(classified(mark, f" ({'a watermark in' if line.watermark else 'in'} the {kind.where})"))
    for kind, line in shown:
        # a 抄送 line is one whatever gaps part the organs it names, as the body reader takes it
        pieces = _GAP.split(line.text)
        if not (tail_line(_normal(line.text)) or all(_furniture(piece, repeated) for piece in pieces)):
            raise Unfaithful((_watermark_refusal if line.watermark else _refusal)(kind, line.text))


class _Kind(NamedTuple):
    """Which header or footer: `first-page footer`, of section 2."""

    name: str
    section: int

    @property
    def where(self) -> str:
        return f"{self.name} of section {self.section}"


def _parts(document) -> list[tuple[_Kind, object]]:
    """Each header and footer part, a part several sections share named once, at its first."""
    parts, seen = [], set()
    for number, sect_pr in enumerate(_sections(document), 1):
        for reference in sect_pr:
            part = document.part.related_parts.get(reference.get(R + "id")) if reference.tag in _PARTS else None
            if part is not None and part not in seen:
                seen.add(part)
                name = _TYPES.get(reference.get(W + "type"), "") + _PARTS[reference.tag]
                parts.append((_Kind(name, number), part.element))
    return parts


def _refusal(kind: _Kind, line: str) -> str:
    return (f"{kind.where} holds text the notice would lose (“{_shown(line)}”): zaitun takes in the body only, "
            "and passes over nothing in a header or footer but page furniture: page numbers, a line the body already "
            "has (its title, its document number) and what the body leaves out too (the red header, 抄送 and 印发 "
            f"lines, 此件公开发布): move the text into the body, delete it from the {kind.name}, then save")


def _watermark_refusal(kind: _Kind, line: str) -> str:
    return (f"{kind.where} holds a watermark the notice would lose (“{_shown(line)}”): zaitun takes in the body only, "
            "and a watermark such as 征求意见稿 or 草稿 says the notice is not the one to publish: if it is final, "
            "remove the watermark (Design > Watermark > Remove Watermark), then save")


def _shown(line: str) -> str:
    return line if len(line) <= 40 else line[:40] + "…"


def _sections(document) -> list:
    """The sections' properties in document order: each section break's, then the last section's."""
    body = document.element.body
    return [s for s in body.iter(W + "sectPr") if s.getparent() is body or s.getparent().tag == W + "pPr"]


def _lines(part) -> list[_Shown]:
    """The non-blank lines a header or footer part shows, without the results of page-number fields: its
    paragraphs' (a text box's too) and a watermark's, whose text is an attribute (`<v:textpath string="机密"/>`)."""
    lines = []
    for element in part.iter(W + "p", V + "textpath"):
        if element.tag == V + "textpath":
            text, watermark = element.get("string", ""), True
        else:
            pieces: list[str] = []
            _text(element, pieces, fields=[])
            text, watermark = "".join(pieces), _in_watermark(element)
        lines += [_Shown(line.strip(), watermark) for line in text.split("\n") if line.strip()]
    return lines


def _in_watermark(p) -> bool:
    """A paragraph in a shape named a watermark (Word's DrawingML or VML one), or in WordArt's warped text."""
    for shape in p.iterancestors(V + "shape", WP + "anchor", WP + "inline"):
        names = [shape.get("id", "")] + [doc.get("name", "") for doc in shape.iterchildren(WP + "docPr")]
        warps = [warp.get("prst") for warp in shape.iter(A + "prstTxWarp")]
        if any(_WATERMARK_NAME.search(name) for name in names) or any(w != "textNoShape" for w in warps):
            return True
    return False


def _text(parent, pieces: list[str], fields: list[list]) -> None:
    """A paragraph's own text into `pieces` (a text box's paragraphs are lines of their own), `fields` the
    complex fields open around it, each [its code, showing its result yet]."""
    for child in parent:
        tag = child.tag
        if tag in (W + "t", W + "delText"):  # hidden or tracked, text refuses alike: no guessing what is meant
            if not any(showing and _page_field(code) for code, showing in fields):
                pieces.append(child.text or "")
        elif tag in (W + "tab", W + "ptab"):
            pieces.append("\t")
        elif tag in (W + "br", W + "cr"):
            pieces.append("\n")
        elif tag == W + "instrText":
            if fields:
                fields[-1][0] += child.text or ""
        elif tag == W + "fldChar":
            _field_char(child.get(W + "fldCharType"), fields)
        elif tag == W + "fldSimple" and _page_field(child.get(W + "instr", "")):
            continue
        elif tag == W + "sdt" and child.find(f"{W}sdtPr/{W}showingPlcHdr") is not None:
            continue  # an unfilled content control's grey prompt, as the body reader leaves it
        elif tag not in (W + "p", MC + "Fallback", W + "rPr", W + "pPr", W + "sdtPr") and isinstance(tag, str):
            _text(child, pieces, fields)


def _field_char(kind: str | None, fields: list[list]) -> None:
    if kind == "begin":
        fields.append(["", False])
    elif kind == "separate" and fields:
        fields[-1][1] = True
    elif kind == "end" and fields:
        fields.pop()


def _page_field(code: str) -> bool:
    return (code.split() or [""])[0].upper() in _PAGE_FIELDS


def _normal(text: str) -> str:
    return fold(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


def _repeatable(body: list[str]) -> set[str]:
    """What a header may repeat: each line of the body, each part of one set apart by a tab or a wide gap,
    two or three lines running on (a title Word wraps over two paragraphs), and each document number as compared
    (`doc_number_key`)."""
    lines = [_normal(line) for line in body]
    pieces = {_normal(piece) for line in body for piece in _GAP.split(line)}
    runs = {"".join(lines[i:i + n]) for n in (2, 3) for i in range(len(lines) - n + 1)}
    numbers = {doc_number_key(text) for text in pieces | set(lines)}
    return (set(lines) | pieces | runs | numbers) - {"", None}


def _furniture(piece: str, repeated: set[str]) -> bool:
    """A line the body already has (its document number in any brackets), what the body leaves out of it as
    furniture (the red header, a stamp such as `（此件主动公开）`, a 版记 line, a mark above the red header), or a
    page number (typed or a field's surroundings). A date is the notice's, its validity say, unless the body has it
    or it dates the printing (`…2024年12月23日印发`)."""
    normal = _normal(piece)
    if normal in repeated or doc_number_key(normal) in repeated or tail_line(normal):
        return True
    if DATE_RE.search(normal):
        return False
    return (letterhead(normal) is not None or stamp(normal) or _publication_note(normal) or is_mark(normal)
            or _page_number(normal))


def _publication_note(normal: str) -> bool:
    """`此件公开发布` without the brackets of the body's stamp (`（此件公开发布）`): a header's line is no sentence."""
    return "公开" in normal and stamp(f"（{normal}）")


def _page_number(normal: str) -> bool:
    numbers = _NUMBER.findall(normal)
    return (_PAGE_NUMBER.fullmatch(normal.lower()) is not None and len(numbers) <= 2
            and all(len(number) <= 3 for number in numbers))
