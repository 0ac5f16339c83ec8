"""Split a document into translatable segments with stable ids.

The body becomes a list of pieces: literal text kept as it is (Markdown syntax, fences, URLs,
numbers, blank lines) and segments to translate (headings, paragraph sentences, list items,
table cells, image alt texts and titles, and each fenced code block's text as a whole). Any text
with a letter in it, of any script, is a segment: what the English page shows beyond Markdown
syntax, numbers and URLs is what a reviewer approved. Joining every piece's text gives back the body
exactly, so the translated page is the same pieces with segment texts replaced.
An id hashes the document key and the segment's source text (plus its occurrence number),
so editing one sentence changes only that segment's id.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from zaitun.content.model import FACT_FIELDS, TRANSLATABLE_FIELDS, Document

SENTENCE_END = "。！？；"
CLOSERS = "”’」』）)】》\"'"
# CommonMark's fences: up to three spaces (a tab makes an indented code block), then three or more backticks
# (an info string holding none: else the line is a code span) or tildes; a closing fence is only that
OPENING_FENCE_RE = re.compile(r"^ {0,3}(?:(`{3,})[^`\n]*|(~{3,})[^\n]*)\n?$")
CLOSING_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*\n?$")
# Every pattern below runs in time linear in its line, whatever the line: a lazy `(.*?)` before optional blanks,
# or a scan from each `![` to a `]` that never comes, made one file of 40,000 spaces or `![` cost minutes, and
# stopped every other document's intake with it. The start of a heading, list item or quote is matched here;
# the blanks (and a heading's closing #s) at its end are found by walking back from the end (`_line_parts`).
BLOCK_STARTS = {"heading": re.compile(r"[ \t]{0,3}#{1,6}[ \t]+"),
                "list_item": re.compile(r"[ \t]*+(?:[-*+]|\d{1,9}[.)])[ \t]+"),
                "quote": re.compile(r"[ \t]{0,3}>[ \t]?")}
TABLE_SEP_RE = re.compile(r"^[ \t]*+\|?[ \t]*+:?-{3,}+:?[ \t]*+(?:\|[ \t]*+:?-{3,}+:?[ \t]*+)*+\|?[ \t]*+\n?$")
IMAGE_RE = re.compile(r'!\[([^\]]*)\]\(([^)\s<>]+)(?:\s+"([^"]*)")?\)')  # matched only where _images found one
_IMAGE_TAIL_RE = re.compile(r'\(([^)\s<>]+)(?:\s+"([^"]*)")?\)')  # what follows its alt text's `]`
_BACKTICKS_RE = re.compile(r"`+")
# a bare web address or e-mail address, nothing else: no Markdown, no entity (`&#32;`), no text after `>`
URL_ONLY_RE = re.compile(r"^(?:<?https?://[^\s<>\[\]()&\"'`]+>?|<?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?)$")
WORDY_RE = re.compile(r"[^\W\d_]")  # a letter of any script: Latin (full-width too), Greek, Cyrillic, CJK…


@dataclass(frozen=True)
class Segment:
    """A unit of translation: its id, Chinese source text and where it came from."""

    id: str
    source: str
    # title | summary | social | issuer | doc_number | valid_from | valid_until (front matter), then
    # heading | paragraph | list_item | table_cell | quote | alt | image_title | code (body)
    kind: str


@dataclass(frozen=True)
class Piece:
    """A run of the body: literal text, or the source text of a segment."""

    text: str
    segment: Segment | None = None


class _Ids:
    """Hands out stable ids: hash of document key, source and occurrence number."""

    def __init__(self, key: str):
        self.key = key
        self.seen: dict[str, int] = {}

    def __call__(self, source: str, scope: str = "body") -> str:
        n = self.seen.get(scope + source, 0)
        self.seen[scope + source] = n + 1
        digest = hashlib.sha1(f"{self.key}\x1f{scope}\x1f{source}\x1f{n}".encode()).hexdigest()
        return digest[:12]


def segment_id(key: str, source: str, scope: str = "body", occurrence: int = 0) -> str:
    """The id a segment gets; exposed so tools can predict ids."""
    digest = hashlib.sha1(f"{key}\x1f{scope}\x1f{source}\x1f{occurrence}".encode()).hexdigest()
    return digest[:12]


def split_sentences(text: str) -> list[str]:
    """Split at 。！？； (keeping closing quotes), never inside links or inline code."""
    parts, start, depth, in_code, i = [], 0, 0, False, 0
    while i < len(text):
        ch = text[i]
        if ch == "`":
            in_code = not in_code
        elif not in_code and ch in "[(":
            depth += 1
        elif not in_code and ch in "])" and depth:
            depth -= 1
        elif not in_code and not depth and ch in SENTENCE_END:
            end = i + 1
            while end < len(text) and text[end] in CLOSERS:
                end += 1
            parts.append(text[start:end])
            start = i = end
            continue
        i += 1
    if start < len(text):
        parts.append(text[start:])
    return parts


def _translatable(text: str) -> bool:
    """Whether a reader sees words in the text: letters once entities are read (`&#80;` is P) and compatibility
    forms folded (Ｐ, Ⓟ, 🄿 are P), unless it is only a web or e-mail address."""
    stripped = text.strip()
    if not stripped or URL_ONLY_RE.match(stripped):
        return False
    return bool(WORDY_RE.search(unicodedata.normalize("NFKC", html.unescape(stripped))))


def _text_pieces(text: str, kind: str, ids: _Ids) -> list[Piece]:
    """Pieces for a run of inline text: whitespace and URLs literal, sentences as segments."""
    pieces: list[Piece] = []
    lead = len(text) - len(text.lstrip())
    core = text.strip()
    trail = len(text.rstrip())
    if lead:
        pieces.append(Piece(text[:lead]))
    if core:
        if not _translatable(core):
            pieces.append(Piece(core))
        else:
            for sentence in split_sentences(core):
                pieces.extend(_sentence_pieces(sentence, kind, ids))
    if trail < len(text) and core:
        pieces.append(Piece(text[trail:]))
    elif not core and lead < len(text):
        pieces.append(Piece(text[lead:]))
    return pieces


def _sentence_pieces(sentence: str, kind: str, ids: _Ids) -> list[Piece]:
    inner_lead = len(sentence) - len(sentence.lstrip())
    pieces = [Piece(sentence[:inner_lead])] if inner_lead else []
    body = sentence[inner_lead:]
    rstripped = body.rstrip()
    if _translatable(rstripped):
        pieces.append(Piece(rstripped, Segment(ids(rstripped), rstripped, kind)))
    elif rstripped:
        pieces.append(Piece(rstripped))
    if len(rstripped) < len(body):
        pieces.append(Piece(body[len(rstripped):]))
    return pieces


def _code_pieces(text: str, ids: _Ids) -> list[Piece]:
    """A fenced code block's text is one segment, not split into sentences: the English page shows
    code only as a reviewer approved it (its draft is the code itself, which they may keep)."""
    core = text.strip()
    if not _translatable(core):
        return [Piece(text)]
    lead = text[:len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return [Piece(lead), Piece(core, Segment(ids(core), core, "code")), Piece(trail)]


def _inline_pieces(text: str, kind: str, ids: _Ids) -> list[Piece]:
    """Images are atoms whose alt text and title are their own segments."""
    pieces: list[Piece] = []
    pos = 0
    code = code_spans(text) if "`" in text else []
    for m in _images(text):
        if any(start < m.end() and m.start() < end for start, end in code):  # `![a](b)` is code: text
            continue
        pieces.extend(_text_pieces(text[pos:m.start()], kind, ids))
        pieces.append(Piece("!["))
        pieces.extend(_text_pieces(m.group(1), "alt", ids))
        if m.group(3) is None:
            pieces.append(Piece(text[m.start(1) + len(m.group(1)):m.end()]))
        else:
            pieces.append(Piece(text[m.end(1):m.start(3)]))
            pieces.extend(_text_pieces(m.group(3), "image_title", ids))
            pieces.append(Piece(text[m.end(3):m.end()]))
        pos = m.end()
    pieces.extend(_text_pieces(text[pos:], kind, ids))
    return pieces


def _images(text: str) -> Iterator[re.Match]:
    """IMAGE_RE's matches, left to right as `finditer` finds them, each `![` looked at once: its alt text runs
    to the next `]` (found once for all the `![` before it) and what follows that `]` is matched once."""
    pos, close, tails = 0, -1, {}
    while (start := text.find("![", pos)) >= 0:
        if close < start + 2:
            close = text.find("]", start + 2)
            if close < 0:
                return
        if close not in tails:
            tails[close] = _IMAGE_TAIL_RE.match(text, close + 1) is not None
        if tails[close]:
            m = IMAGE_RE.match(text, start)
            yield m
            pos = m.end()
        else:
            pos = start + 1


def code_spans(text: str) -> list[tuple[int, int]]:
    """The spans `(`+)(?!`).*?(?<!`)\\1(?!`)` finds (re.S, finditer): from a backtick (the rest of its run) to the
    next run of exactly as many backticks; where none follows, from the next backtick of the run, one fewer.
    Found from the runs' lengths, not by scanning the rest of the text from every backtick."""
    runs = [m.span() for m in _BACKTICKS_RE.finditer(text)]
    starts: dict[int, list[int]] = {}
    for start, end in runs:
        starts.setdefault(end - start, []).append(start)
    spans, after = [], 0  # where finditer looks next
    for start, end in runs:
        for p in range(max(start, after), end):
            later = starts.get(end - p, ())
            i = bisect.bisect_right(later, end)
            if i < len(later):
                spans.append((p, later[i] + end - p))
                after = spans[-1][1]
                break
    return spans


def _line_parts(line: str, kind: str) -> tuple[str, str, str] | None:
    """A heading, list item or quote line as (its start, its text, the blanks after it and a heading's closing
    #s, with the line's end), or None when the line does not start as one."""
    start = BLOCK_STARTS[kind].match(line)
    if start is None:
        return None
    first, end = start.end(), len(line) - line.endswith("\n")
    end = _back_over(line, end, first, " \t")
    if kind == "heading":
        end = _back_over(line, _back_over(line, end, first, "#"), first, " \t")
    return line[:first], line[first:end], line[end:]


def _back_over(line: str, end: int, first: int, chars: str) -> int:
    """Where the run of `chars` ending at `end` starts, not before `first`."""
    while end > first and line[end - 1] in chars:
        end -= 1
    return end


def _table_row_pieces(line: str, ids: _Ids) -> list[Piece]:
    pieces: list[Piece] = []
    cells = re.split(r"(?<!\\)(\|)", line.rstrip("\n"))
    for cell in cells:
        if cell == "|":
            pieces.append(Piece(cell))
        else:
            pieces.extend(_inline_pieces(cell, "table_cell", ids))
    if line.endswith("\n"):
        pieces.append(Piece("\n"))
    return pieces


def _prefixed(parts: tuple[str, str, str], kind: str, ids: _Ids) -> list[Piece]:
    prefix, content, suffix = parts
    return [Piece(prefix), *_inline_pieces(content, kind, ids), Piece(suffix)]


def _block_kind(line: str) -> str:
    stripped = line.strip()
    if not stripped:
        return "blank"
    if BLOCK_STARTS["heading"].match(line):
        return "heading"
    if stripped.startswith("|"):
        return "table"
    if BLOCK_STARTS["list_item"].match(line):
        return "list_item"
    if BLOCK_STARTS["quote"].match(line) and stripped.startswith(">"):
        return "quote"
    return "paragraph"


def _spaces(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content_indent(line: str) -> int | None:
    """Where a list item's text starts, as CommonMark counts it: a fence indented so far under it is the item's
    (`- 步骤` then a fence four spaces in). None when tabs indent it (not followed)."""
    prefix = line[:BLOCK_STARTS["list_item"].match(line).end()]
    if "\t" in prefix:
        return None
    marker = len(prefix.rstrip(" "))
    gap = len(prefix) - marker
    return marker + (gap if gap <= 4 else 1)


def segment_body(body: str, key: str, ids: _Ids | None = None) -> list[Piece]:
    """Split a Markdown body into pieces; `"".join(p.text for p in pieces) == body`."""
    ids = ids or _Ids(key)
    pieces: list[Piece] = []
    lines = body.splitlines(keepends=True)
    fence: str | None = None
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            pieces.extend(_inline_pieces("".join(paragraph), "paragraph", ids))
            paragraph.clear()

    code: list[str] = []

    def flush_code() -> None:
        if code:
            pieces.extend(_code_pieces("".join(code), ids))
            code.clear()

    item: int | None = None  # the content indent of the list item the lines are in, if known
    base = 0  # the indent a fence in a list item is read from (its item's content indent; 0: not in one)
    for line in lines:
        if fence and base and line.strip() and _spaces(line) < base:  # its list item ended, and the fence with it
            flush_code()
            fence, base, item = None, 0, None
        if fence:
            closing = CLOSING_FENCE_RE.match(line[base:])
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
                flush_code()
                pieces.append(Piece(line))
                fence = None
            else:
                code.append(line)
            continue
        opening, base = OPENING_FENCE_RE.match(line), 0
        if opening is None and item is not None and _spaces(line) >= item:  # in a list item, indented as its text
            opening, base = OPENING_FENCE_RE.match(line[item:]), item
        if opening:
            flush()
            pieces.append(Piece(line))
            fence = opening.group(1) or opening.group(2)
            continue
        kind = _block_kind(line)
        if kind == "list_item":
            item = _content_indent(line)
        elif kind != "blank" and item is not None and _spaces(line) < item:
            item = None
        if kind == "paragraph":
            paragraph.append(line)
            continue
        flush()
        if kind == "blank" or (kind == "table" and TABLE_SEP_RE.match(line)):
            pieces.append(Piece(line))
        elif kind == "table":
            pieces.extend(_table_row_pieces(line, ids))
        else:
            pieces.extend(_prefixed(_line_parts(line, kind), kind, ids))
    flush()
    flush_code()  # a fence never closed runs to the end of the body
    return [p for p in pieces if p.text]


def meta_segments(doc: Document, ids: _Ids) -> list[Segment]:
    """Segments for the translatable front-matter fields (title, summary, social) and the facts
    (issuer, document number, validity dates; a date as YYYY-MM-DD)."""
    out = []
    for field_name in TRANSLATABLE_FIELDS + FACT_FIELDS:
        value = doc.meta.get(field_name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        if isinstance(value, str) and value.strip():
            out.append(Segment(ids(value.strip(), field_name), value.strip(), field_name))
    return out


def document_pieces(doc: Document) -> tuple[list[Segment], list[Piece]]:
    """Front-matter segments and body pieces of a document, ids scoped by its slug."""
    ids = _Ids(doc.slug)
    meta = meta_segments(doc, ids)
    return meta, segment_body(doc.body, doc.slug, ids)


def document_segments(doc: Document) -> list[Segment]:
    """Every segment of a document in reading order: front matter first, then the body."""
    meta, pieces = document_pieces(doc)
    return meta + [p.segment for p in pieces if p.segment]


def render_pieces(pieces: list[Piece], targets: dict[str, str], sentence_gap: str = " ") -> str:
    """Rebuild a body with each segment replaced by its target (source kept where missing).

    Sentences of one Chinese paragraph follow each other without a gap; in English they
    need `sentence_gap` between them.
    """
    out: list[str] = []
    previous_was_segment = False
    for piece in pieces:
        if piece.segment is None:
            out.append(piece.text)
            previous_was_segment = False
            continue
        if previous_was_segment and sentence_gap:
            out.append(sentence_gap)
        out.append(targets.get(piece.segment.id, piece.text))
        previous_was_segment = True
    return "".join(out)
