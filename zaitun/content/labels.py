"""Structure labels of Chinese regulations: 第一编, 第二章, 第三节, 第四条, 第五款, 第（六）项.

One table says what each label is in English — the house style is Part I, Chapter II,
Section 3, Article 4, paragraph 5, item (6) — and which anchor a heading that starts with it
gets (#chapter-2, #article-4). The importer, the translation glossary and the site renderer
all read labels here, so a link to "Article 3" works on the Chinese and the English page alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zaitun.content.hanzi import NUMERALS, cn_int, fold, from_roman, roman


@dataclass(frozen=True)
class Kind:
    """One kind of label: its anchor name, its English word and how its number is written."""

    name: str
    english: str
    numeral: str  # roman | arabic | paren


KINDS = {
    "编": Kind("part", "Part", "roman"),
    "章": Kind("chapter", "Chapter", "roman"),
    "节": Kind("section", "Section", "arabic"),
    "条": Kind("article", "Article", "arabic"),
    "款": Kind("paragraph", "paragraph", "arabic"),
    "项": Kind("item", "item", "paren"),
}
HEADING_KINDS = "编章节条"  # the labels that open a heading; 款 and 项 are paragraphs and list items
# the kind character in either script (編/節/條/項 are read as 编/节/条/项), so no text is folded whole
_ONE = rf"第\s*(?:([{NUMERALS}]+)|[（(]([{NUMERALS}]+)[）)])\s*([编章节条款项編節條項])"
_ONE_RE = re.compile(_ONE)
_RUN_RE = re.compile(rf"(?:{_ONE})+")
# Characters after which 第一条/第二节 count things, not provisions: 第一条线路, 第二节课
_NOT_AFTER = {"条": set("线路街河道船鱼腿龙"), "节": set("课车"), "款": set("车产手式")}
_ENGLISH_RE = re.compile(r"^\s*(Part|Chapter|Section|Article|Art\.)\s+([IVXLCDM]+|\d+)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Label:
    """A label found in a text: its kind, its number and where it ends."""

    kind: Kind
    number: int
    start: int
    end: int

    @property
    def english(self) -> str:
        return english(self.kind, self.number)

    @property
    def anchor(self) -> str:
        return f"{self.kind.name}-{self.number}"


def english(kind: Kind, number: int) -> str:
    """Chapter II, Article 3, item (1): the English of one label."""
    if kind.numeral == "roman":
        return f"{kind.english} {roman(number)}"
    if kind.numeral == "paren":
        return f"{kind.english} ({number})"
    return f"{kind.english} {number}"


def _labels(text: str, start: int, end: int) -> list[Label]:
    out = []
    for m in _ONE_RE.finditer(text, start, end):
        digits, in_paren, char = m.group(1), m.group(2), fold(m.group(3))
        if (in_paren is None) == (char == "项"):  # 第（一）项 only; 第一项 is "the first item" of anything
            return []
        out.append(Label(KINDS[char], cn_int(digits or in_paren), m.start(), m.end()))
    return out


def _counts_things(text: str, end: int) -> bool:
    """第一条线路, 第二节课: the label's character is a measure word here."""
    return fold(text[end:end + 1]) in _NOT_AFTER.get(fold(text[end - 1]), ())


def find(text: str) -> list[tuple[int, int, str]]:
    """(start, end, English) of every label run: 第三条第二款 is one, "Article 3, paragraph 2"."""
    if "第" not in text:
        return []
    found = []
    for m in _RUN_RE.finditer(text):
        labels = _labels(text, m.start(), m.end())
        if labels and not _counts_things(text, m.end()):
            found.append((m.start(), m.end(), ", ".join(label.english for label in labels)))
    return found


def heading_label(text: str) -> Label | None:
    """The 编/章/节/条 label a line starts with (第一章　总则, 第三條 本辦法…), if any."""
    m = _ONE_RE.match(text)
    if not m or fold(m.group(3)) not in HEADING_KINDS or m.group(1) is None or _counts_things(text, m.end()):
        return None
    return Label(KINDS[fold(m.group(3))], cn_int(m.group(1)), 0, m.end())


def anchor(heading: str) -> str | None:
    """The anchor of a heading that starts with a label, in Chinese or in English; None otherwise."""
    label = heading_label(heading.strip())
    if label:
        return label.anchor
    m = _ENGLISH_RE.match(heading)
    if not m:
        return None
    word = m.group(1).lower().rstrip(".")
    name = {"art": "article"}.get(word, word)
    number = int(m.group(2)) if m.group(2).isdigit() else from_roman(m.group(2))
    return f"{name}-{number}" if number else None
