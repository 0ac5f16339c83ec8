"""The placeables of a memory entry's English: where a number, date, document number or term is
written, and how to write another value the same way (December 31, 2026; 31 December 2026;
2026-12-31; three; Third; 15,000; III.; [2024] No. 11; a term's approved English).
"""

from __future__ import annotations

import re

from zaitun.content.hanzi import from_roman, roman
from zaitun.translate import numbers
from zaitun.translate.glossary import Glossary

WORD_NAMES = {v: k for k, v in numbers.WORDS.items()}
TENS_NAMES = {v: k for k, v in numbers.TENS.items()}
ORDINAL_NAMES = {v: k for k, v in numbers.ORDINALS.items()}
DATE_KINDS = {("m", "d", "y"): "ymd", ("d", "m", "y"): "ymd", ("y", "m", "d"): "ymd", ("m", "y"): "ym",
              ("m", "d"): "md", ("d", "m"): "md", ("m",): "m"}
EN_DIGITS_RE = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:(?:st|nd|rd|th)\b)?"
                          r"(?:\s*+-?\s*+(thousand|million|billion)\b)?", re.I)
EN_WORD_RE = re.compile(r"(?<![\w-])[A-Za-z]+(?:-[A-Za-z]+)?(?![\w-])")
EN_ROMAN_RE = re.compile(r"^([*_\s]*)([IVXLC]+)\.(?=\s)")



def term_spans(english: str, terms: set[str], glossary: Glossary) -> dict[str, list[tuple]]:
    """Where each term's approved English is, case-insensitive, plurals too."""
    out = {}
    for zh in terms:
        en = glossary.english_of(zh)
        if en is None:  # (not a term of this glossary: nothing of it is found, so no repair is made)
            out[zh] = []
            continue
        regex = re.compile(r"(?<![\w-])" + re.escape(en) + r"(?=(?:e?s)?(?![\w-]))", re.I)
        out[zh] = [(m.start(), m.end(), zh) for m in regex.finditer(english)]
    return out


def _inside(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in taken)


def date_spans(english: str, taken: list[tuple[int, int]]) -> list[tuple]:
    """(start, end, key, match, order) of every date, longest forms first, without overlaps."""
    spans: list[tuple] = []
    for regex, order in numbers.TGT_DATE_RES:
        for m in regex.finditer(english):
            if _inside(m.start(), m.end(), taken + [s[:2] for s in spans]):
                continue
            key = _date_key(m, order)
            if key is not None:
                spans.append((m.start(), m.end(), key, m, order))
    return spans


def _date_key(m: re.Match, order: tuple) -> tuple | None:
    parts = dict(zip(order, m.groups(), strict=True))
    month = int(parts["m"]) if parts["m"].isdigit() else numbers._month(parts["m"])
    if not 1 <= month <= 12:
        return None
    values = {"y": int(parts.get("y") or 0), "m": month, "d": int(parts.get("d") or 0)}
    kind = DATE_KINDS[order]
    return (kind, *(values[p] for p in kind))


def docno_spans(english: str, value: tuple[int, int]) -> list[tuple]:
    """(start, end, value, match) of a document number's year and serial: [2024] No. 11, 〔2024〕11号."""
    year, serial = value
    regex = re.compile(rf"(?<!\d)({year})[\]〕）)］】\s]*(?:No\.?\s*|第)?0*({serial})(?!\d)")
    return [(m.start(), m.end(), value, m) for m in regex.finditer(english)]


def number_spans(english: str, taken: list[tuple[int, int]]) -> list[tuple]:
    """(start, end, value, style, match) of numbers in digits, words, ordinals and heading numerals."""
    spans = []
    for m in EN_DIGITS_RE.finditer(english):
        if not _inside(m.start(), m.end(), taken):
            raw = float(m.group(1).replace(",", "") + (m.group(2) or ""))
            value = raw * numbers.SCALES[m.group(3).lower()] if m.group(3) else raw
            spans.append((m.start(), m.end(), value, "digits", m))
    for m in EN_WORD_RE.finditer(english):
        value, style = _word_number(m.group(0).lower())
        if value is not None and not _inside(m.start(), m.end(), taken):
            spans.append((m.start(), m.end(), float(value), style, m))
    roman = EN_ROMAN_RE.match(english)
    if roman and _roman_value(roman.group(2)):
        spans.append((roman.start(2), roman.end(2), float(_roman_value(roman.group(2))), "roman", roman))
    return spans


def _word_number(word: str) -> tuple[int | None, str]:
    if word in numbers.ORDINALS:
        return numbers.ORDINALS[word], "ordinal"
    if word in numbers.WORDS:
        return numbers.WORDS[word], "word"
    tens, _, unit = word.partition("-")
    if tens in numbers.TENS and (not unit or unit in numbers.WORDS):
        return numbers.TENS[tens] + numbers.WORDS.get(unit, 0), "word"
    return None, ""


def _roman_value(text: str) -> int:
    """An upper-case Roman numeral's value (III. heads a part); 0 for anything else."""
    return (from_roman(text) or 0) if text.isupper() else 0


def render(kind: str, english: str, span: tuple, new, glossary: Glossary) -> str:
    """The text replacing `span` of the English for the new value, in the form the old one was written."""
    written = english[span[0]:span[1]]
    if kind == "term":
        en = glossary.english_of(new) or ""  # (nearmatch repairs only terms it knows the English of)
        return en[:1].upper() + en[1:] if written[:1].isupper() else en
    if kind == "docno":
        m = span[3]
        return _splice(english, span[0], span[1], {1: str(new[0]), 2: str(new[1])}, m)
    if kind == "date":
        return _render_date(english, span, new)
    return _render_number(written, span[4], new)


def _splice(english: str, start: int, end: int, groups: dict[int, str], m: re.Match) -> str:
    """The text [start, end) with the given groups of `m` replaced."""
    out, pos = [], start
    for group in sorted(groups, key=m.start):
        out += [english[pos:m.start(group)], groups[group]]
        pos = m.end(group)
    return "".join(out) + english[pos:end]


def _render_date(english: str, span: tuple, new: tuple) -> str:
    start, end, key, m, order = span
    kind, *values = new
    parts = dict(zip(kind, values, strict=True))  # the kind names its parts: "ymd" -> y, m, d
    out, pos = [], start
    for i, part in enumerate(order, start=1):
        gstart, gend = m.span(i)
        if part == "m" and not m.group(i).isdigit():
            gend = gstart + len(re.match(r"[A-Za-z]+\.?", english[gstart:]).group(0))
            text = _month_like(english[gstart:gend], parts["m"])
        elif part == "d":
            suffix = re.match(r"(?:st|nd|rd|th)?", english[gend:]).group(0)
            gend += len(suffix)
            text = _padded(parts["d"], m.group(i), order) + (_suffix(parts["d"]) if suffix else "")
        else:
            text = _padded(parts[part], m.group(i), order)
        out += [english[pos:gstart], text]
        pos = gend
    return "".join(out) + english[pos:end]


def _padded(value: int, written: str, order: tuple) -> str:
    """Zero-padded as written (01), and always in 2024-01-07 form."""
    pad = written.startswith("0") or order == ("y", "m", "d")
    return str(value).zfill(len(written)) if pad else str(value)


def _month_like(written: str, month: int) -> str:
    name = numbers.MONTHS[month - 1]
    word = written.rstrip(".")
    if word.lower() != numbers.MONTHS[numbers._month(word) - 1]:  # abbreviated: Dec, Sept
        name = name[:4] if len(word) == 4 and name.startswith("sept") else name[:3]
    name += "." if written.endswith(".") else ""
    return _cased(name, written)


def _cased(text: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return text.upper()
    return text[:1].upper() + text[1:] if like[:1].isupper() else text


def _suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _render_number(written: str, m: re.Match, new: float) -> str:
    if m.re is EN_ROMAN_RE:
        return roman(int(new))
    if m.re is EN_WORD_RE:
        return _cased(_number_word(int(new), ordinal=written.lower() in numbers.ORDINALS), written)
    digits, decimals, scale = m.group(1), m.group(2) or "", m.group(3)
    if scale:
        new = new / numbers.SCALES[scale.lower()]
    rest = written[len(digits + decimals):]
    if rest[:2].lower() in ("st", "nd", "rd", "th"):
        rest = _suffix(int(new)) + rest[2:]
    return _digits(new, digits, decimals) + rest


def _digits(value: float, digits: str, decimals: str) -> str:
    """A number written like `digits`: with thousands commas if it had them, zero-padded if it was."""
    whole = value == int(value)
    text = str(int(value)) if whole else f"{value:.{max(len(decimals) - 1, 1)}f}".rstrip("0")
    old = float(digits.replace(",", ""))
    if "," in digits or (old < 1000 and whole and value >= 10000):
        text = f"{int(value):,}" if whole else text
    if digits.startswith("0") and len(digits) > 1:
        text = text.zfill(len(digits))
    return text


def _number_word(value: int, ordinal: bool) -> str:
    if ordinal:
        return ORDINAL_NAMES.get(value) or f"{value}{_suffix(value)}"
    if value in WORD_NAMES:
        return WORD_NAMES[value]
    tens, unit = divmod(value, 10)
    if 2 <= tens <= 9:
        return TENS_NAMES[tens * 10] + (f"-{WORD_NAMES[unit]}" if unit else "")
    return str(value)
