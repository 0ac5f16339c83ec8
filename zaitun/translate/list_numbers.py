"""The number a list item or heading opens with (一、 （三） (1) 1. 1、), read on both sides.

A notice's parts and measures are cited by these numbers, so "4." for （三） sends a reader to the
wrong measure, and the number check cannot see it: a lone numeral with no measure word after it is
no quantity. The English may write it as the project's approved English does (一、 "I.", （一） "1.",
（1） "(1)") or in another common form ("3)", "(iii)", "(c)", "Article 3", "Third,"); only a number
that is none of the Chinese one's forms, or none at all, is reported. 第三条 and its kin are structure
labels the glossary checks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from zaitun.content.hanzi import cn_int, from_roman, roman
from zaitun.translate.numbers import ORDINALS, WORDS

CN = "零〇一二两三四五六七八九十百"
LEAD = r"^[\s#>*_]*"  # Markdown a segment may open with: a heading's #, emphasis, a quote's >
# Not followed by another numeral: 一、二级医院 ("first- and second-grade") and 1、2号线 list no items.
NEXT = rf"(?!\s*[{CN}\d])"
ZH_RE = re.compile(rf"{LEAD}(?:(?P<cn>[{CN}]+)\s*[、.]{NEXT}|\(\s*(?P<paren>[{CN}]+|\d{{1,3}})\s*\)"
                   rf"|(?P<digits>\d{{1,3}})\s*(?:、|\)|\.(?!\d)){NEXT})")
EN_RE = re.compile(
    rf"{LEAD}(?:\(\s*(?P<paren>\d{{1,3}}|[A-Za-z]+)\s*\)|(?P<num>\d{{1,3}})\s*\\?[.):、](?!\d)"
    r"|(?P<roman>[IVXLC]+|[ivxlc]+)\s*[.)]|(?P<letter>[A-Za-z])\s*\)"
    r"|(?:Part|Chapter|Section|Article|Item|Paragraph|Measure|No\.|Number)\s+(?P<label>\d{1,3}|[IVXLC]+)\b"
    r"|(?P<word>[A-Za-z]+?)(?:ly)?\s*[,:.])")


@dataclass(frozen=True)
class ListNumber:
    """The number a Chinese segment opens with, as written and as the English would write it."""

    value: int
    written: str
    english: str  # in the project's house style: "III.", "3.", "(3)"
    end: int  # where it ends in the source

    @property
    def shown(self) -> str:
        """As a message names it: 三、 (3), but (1) alone."""
        return self.written if any(c.isdigit() for c in self.written) else f"{self.written} ({self.value})"


def chinese(source: str) -> ListNumber | None:
    """The list number the Chinese opens with, or None."""
    text = unicodedata.normalize("NFKC", source)
    m = ZH_RE.match(text)
    if not m:
        return None
    written = source[:m.end()].strip(" #>*_\t\n\u3000")  # NFKC kept each character here one character
    if m["cn"]:
        value = _cn(m["cn"])
        return ListNumber(value, written, f"{roman(value)}.", m.end()) if value else None
    if m["paren"]:
        value = _cn(m["paren"])
        english = f"{value}." if m["paren"][0] in CN else f"({value})"
        return ListNumber(value, written, english, m.end()) if value else None
    return ListNumber(int(m["digits"]), written, f"{int(m['digits'])}.", m.end()) if int(m["digits"]) else None


def _cn(text: str) -> int | None:
    try:
        return cn_int(text)
    except KeyError:  # 两 or 百 where cn_int reads no number
        return None


def english(target: str) -> tuple[str, set[int]] | None:
    """(as written, the values it may stand for) of the list number the English opens with, or None:
    "(c)" is the third item or a hundred, "(i)" the first or the ninth."""
    m = EN_RE.match(unicodedata.normalize("NFKC", target))
    if not m:
        return None
    values: set[int] = set()
    if m["num"] or (m["paren"] or "").isdigit():
        values.add(int(m["num"] or m["paren"]))
    for token in (m["paren"], m["roman"], m["letter"], m["label"]):
        if token and not token.isdigit():
            values.update(v for v in (from_roman(token),) if v)
            if len(token) == 1:
                values.add(ord(token.lower()) - ord("a") + 1)
    if m["label"] and m["label"].isdigit():
        values.add(int(m["label"]))
    if m["word"]:
        word = m["word"].lower()
        values.update(v for v in (ORDINALS.get(word), WORDS.get(word)) if v)
    return (m.group(0).strip(" #>*_\t\n"), values) if values else None


def mismatch(source: str, target: str) -> tuple[ListNumber, str | None] | None:
    """(the Chinese list number, what the English opens with instead, None if nothing) when the English does
    not open with the same number; None when it does or the Chinese opens with none."""
    number = chinese(source)
    if number is None:
        return None
    found = english(target)
    if found and number.value in found[1]:
        return None
    return number, found[0] if found else None
