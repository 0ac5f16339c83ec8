"""What may change between a notice and its re-issue, as pieces of the Chinese text.

A text is cut into literal runs and placeables: numbers (digits, Chinese numerals, 万 amounts,
百分之 percentages, the numbering of measures, parts and plenary sessions), dates (2024年12月20日,
2025年6月, 6月12日, 6月, 2024-12-20), document numbers (〔2024〕11号, 2024年第3号) and glossary terms.
Two texts whose literal runs agree differ only in placeables, which a near-match repair can replace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zaitun.translate import numbers
from zaitun.translate.glossary import Glossary

N2 = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
YEAR = r"\d{4}|[〇零一二三四五六七八九]{4}"
CN_PLACEABLE_RE = re.compile(
    r"(?P<docno>[〔\[［【(（„]\s*(?P<dy>\d{4})\s*[〕\]］】)）‟”]\s*第?(?P<dn>\d{1,4})\s*[号號]"
    r"|(?<!\d)(?P<dy2>\d{4})\s*年\s*第\s*(?P<dn2>\d{1,4})\s*[号號])"
    rf"|(?P<ymd>(?P<y1>{YEAR})\s*年\s*(?P<m1>{N2})\s*月\s*(?P<d1>{N2})\s*[日号])"
    r"|(?P<iso>(?<!\d)(?P<y5>\d{4})-(?P<m5>\d{1,2})-(?P<d5>\d{1,2})(?!\d))"
    rf"|(?P<ym>(?P<y2>{YEAR})\s*年\s*(?P<m2>{N2})\s*月)"
    rf"|(?P<md>(?<![\d年])(?P<m3>{N2})\s*月\s*(?P<d3>{N2})\s*[日号])"
    rf"|(?P<m>(?<![\d年个])(?P<m4>\d{{1,2}}|十[一二]?|[一二三四五六七八九])月(?![\d份初中底末]*[日号]))"
    r"|(?P<pct>百分之(?P<pv>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+))"
    r"|(?P<num>(?P<digits>\d+(?:,\d{3})*(?:\.\d+)?)(?!\d)\s*(?P<big>[万亿]?))"
    r"|(?P<cn>[零〇一二两三四五六七八九十百千万亿]+)")
NUMERAL_RE = re.compile(r"[\d零〇一二两三四五六七八九十百千]")
PLENARY_RE = re.compile(r"中(?:[、，和及与][一二三四五六七八九十]+中)*全会")  # 二十届二中、三中全会

@dataclass(frozen=True)
class Piece:
    """A run of Chinese: literal text, or a placeable with the value it stands for."""

    kind: str  # text | number | date | docno | term
    text: str
    value: object = None


def pieces(text: str, glossary: Glossary, numbered_terms: bool = True) -> list[Piece]:
    """The text as literal runs and placeables, glossary terms first (their digits belong to them);
    without `numbered_terms`, a term with a number in it (二十届二中、三中全会) is read as text and numbers."""
    out: list[Piece] = []
    pos = 0
    for m in glossary.matches(text):
        if not numbered_terms and NUMERAL_RE.search(m.entry.zh):
            continue
        out += _placeables(text, pos, m.start)
        out.append(Piece("term", text[m.start:m.end], m.entry.zh))
        pos = m.end
    out += _placeables(text, pos, len(text))
    merged: list[Piece] = []
    for piece in out:  # literal runs in one piece each, so two texts compare piece by piece
        if piece.kind == "text" and merged and merged[-1].kind == "text":
            merged[-1] = Piece("text", merged[-1].text + piece.text)
        elif piece.text:
            merged.append(piece)
    return merged


def _placeables(text: str, start: int, end: int) -> list[Piece]:
    out, pos = [], start
    for m in CN_PLACEABLE_RE.finditer(text, start, end):
        piece = _piece(m, text)
        if piece is not None:
            out += [Piece("text", text[pos:m.start()]), piece]
            pos = m.end()
    out.append(Piece("text", text[pos:end]))
    return out


def _int(written: str) -> int | None:
    written = written.strip()
    return int(written) if written.isdigit() else numbers.cn_numeral(written)


def _piece(m: re.Match, text: str) -> Piece | None:
    g, written = m.groupdict(), m.group(0)
    if g["docno"]:
        return Piece("docno", written, (int(g["dy"] or g["dy2"]), int(g["dn"] or g["dn2"])))
    for kind, group, parts in (("ymd", "ymd", "y1 m1 d1"), ("ymd", "iso", "y5 m5 d5"), ("ym", "ym", "y2 m2"),
                               ("md", "md", "m3 d3"), ("m", "m", "m4")):
        if g[group]:
            values = tuple(_int(g[p]) for p in parts.split())
            return Piece("date", written, (kind, *values)) if None not in values else None
    if g["pct"]:
        value = _int(g["pv"]) if not re.fullmatch(r"[\d.]+", g["pv"]) else float(g["pv"])
        return Piece("number", written, float(value)) if value is not None else None
    if g["num"]:
        value = float(g["digits"].replace(",", "")) * numbers.CN_BIG.get(g["big"], 1)
        return Piece("number", written, value)
    value = numbers.numeral_value(text, m.start(), m.end()) or _ordinal_marker(text, m.start(), m.end())
    return Piece("number", written, float(value)) if value is not None else None


def _ordinal_marker(text: str, start: int, end: int) -> int | None:
    """Numerals that number things: （十五） measures, 三、 parts, 二中 plenary sessions."""
    before, after = text[start - 1:start], text[end:end + 1]
    marked = ((before in "（(" and after in "）)") or (start == 0 and after == "、")
              or PLENARY_RE.match(text, end) is not None)
    return numbers.cn_numeral(text[start:end]) if marked else None
