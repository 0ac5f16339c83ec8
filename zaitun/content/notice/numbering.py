"""Word's automatic paragraph numbers (word/numbering.xml), shown as Word shows them.

A notice's 第一条, 一、 and （一） are often Word's automatic numbering: the number is in no `w:t`,
so without it structure detection sees neither parts nor measures. A paragraph's number comes from
its own `w:numPr` or its style's; counters run per abstract numbering (Word continues a list across
the `w:num` instances of one abstract numbering, as LibreOffice's import does by giving them one list;
"restart at 1" is a new instance with a `w:startOverride`, which restarts its level once: at the
instance's first paragraph on that level), and a level restarts after a higher one as `w:lvlRestart`
says. A format whose numbers cannot be shown faithfully is refused (`Unshowable`), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zaitun.content import hanzi

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
LEVELS = 9

_DIGITS = "〇一二三四五六七八九"
_SERIES = {  # formats that are a fixed series: the n-th entry, or refused past its end
    "ideographTraditional": "甲乙丙丁戊己庚辛壬癸",
    "ideographZodiac": "子丑寅卯辰巳午未申酉戌亥",
    "chineseLegalSimplified": "壹贰叁肆伍陆柒捌玖",  # 10 may be 拾 or 壹拾: not guessed
    "ideographDigital": "一二三四五六七八九",  # 10 may be 一〇 or 十: not guessed
    "decimalEnclosedCircle": "".join(map(chr, range(0x2460, 0x2474))),  # ①..⑳
    "decimalEnclosedCircleChinese": "".join(map(chr, range(0x2460, 0x2474))),
    "decimalEnclosedParen": "".join(map(chr, range(0x2474, 0x2488))),  # ⑴..⒇
    "decimalEnclosedFullstop": "".join(map(chr, range(0x2488, 0x249C))),  # ⒈..⒛
}
_SUFFIX = {"tab": "\t", "space": " ", "nothing": ""}


class Unshowable(Exception):
    """A paragraph's automatic number in a format (or beyond a range) this module cannot show as Word does."""


def _val(element, name: str, default: str | None = None) -> str | None:
    child = element.find(W + name) if element is not None else None
    return child.get(W + "val", default) if child is not None else default


def _int(element, name: str, default: int | None = None) -> int | None:
    value = _val(element, name)
    return int(value) if value is not None else default


@dataclass
class _Level:
    fmt: str
    text: str
    start: int
    restart: int | None  # w:lvlRestart: None = after any higher level, 0 = never
    legal: bool
    suffix: str

    @classmethod
    def of(cls, lvl) -> _Level:
        fmt = lvl.find(W + "numFmt")
        if fmt is None:  # Word 2010+ writes its newer formats as a choice: the custom one, and a fallback
            fmt = lvl.find(f"{MC}AlternateContent/{MC}Choice/{W}numFmt")
        name = fmt.get(W + "val", "decimal") if fmt is not None else "decimal"
        if name == "custom":
            name = f"custom {fmt.get(W + 'format', '')}"
        return cls(name, _val(lvl, "lvlText", "") or "", _int(lvl, "start", 0), _int(lvl, "lvlRestart"),
                   lvl.find(W + "isLgl") is not None and _val(lvl, "isLgl", "1") not in ("0", "false"),
                   _SUFFIX.get(_val(lvl, "suff", "tab") or "tab", "\t"))


@dataclass
class Numbering:
    """The numbering definitions of one document and the counters of the paragraphs numbered so far."""

    abstracts: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, _Level], dict[int, int]]] = field(default_factory=dict)
    styles: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)
    counters: dict[str, list[int | None]] = field(default_factory=dict)
    restarted: set[tuple[str, int]] = field(default_factory=set)  # (numId, level) whose startOverride is spent

    @classmethod
    def of(cls, numbering, styles) -> Numbering:
        """From the w:numbering and w:styles elements (either may be None)."""
        found = cls()
        for style in styles.iter(W + "style") if styles is not None else ():
            found.styles[style.get(W + "styleId")] = _style_numbering(style, styles)
        if numbering is None:
            return found
        links = {}
        for item in numbering.iter(W + "abstractNum"):
            found.abstracts[item.get(W + "abstractNumId")] = {
                int(lvl.get(W + "ilvl", "0")): _Level.of(lvl) for lvl in item.iter(W + "lvl")}
            links[item.get(W + "abstractNumId")] = _val(item, "numStyleLink")
        for item in numbering.iter(W + "num"):
            abstract = _val(item, "abstractNumId")
            if links.get(abstract):  # a list style's instance: its levels are the style's numbering's
                abstract = found._style_abstract(links[abstract], numbering) or abstract
            overrides = item.findall(W + "lvlOverride")
            found.nums[item.get(W + "numId")] = (
                abstract, {int(o.get(W + "ilvl", "0")): _Level.of(o.find(W + "lvl"))
                           for o in overrides if o.find(W + "lvl") is not None},
                {int(o.get(W + "ilvl", "0")): _int(o, "startOverride")
                 for o in overrides if o.find(W + "startOverride") is not None})
        return found

    def _style_abstract(self, style_id: str, numbering) -> str | None:
        num_id = self.styles.get(style_id, (None, None))[0]
        for item in numbering.iter(W + "num"):
            if item.get(W + "numId") == num_id:
                return _val(item, "abstractNumId")
        return None

    def label(self, paragraph) -> str:
        """The number Word shows before this paragraph, with its suffix; "" for none or a bullet.
        Called once per paragraph, in document order (it counts)."""
        num_id, ilvl = self._num_pr(paragraph)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract, level_overrides, starts = self.nums[num_id]
        levels = {**self.abstracts.get(abstract, {}), **level_overrides}
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(abstract, [None] * LEVELS)
        if ilvl in starts and (num_id, ilvl) not in self.restarted:
            self.restarted.add((num_id, ilvl))
            counts[ilvl] = None
        start = {at: starts.get(at, level.start) for at, level in levels.items()}
        counts[ilvl] = start[ilvl] if counts[ilvl] is None else counts[ilvl] + 1
        for deeper in range(ilvl + 1, LEVELS):
            restart = levels[deeper].restart if deeper in levels else None
            if restart != 0 and ilvl < (deeper if restart is None else restart):
                counts[deeper] = None
        level = levels[ilvl]
        if level.fmt == "bullet":  # a list marker, not a number: the item stays its own paragraph
            return ""
        return self._render(level, levels, counts, start) + level.suffix

    def numbered(self, paragraph) -> bool:
        """The paragraph has automatic numbering (a number or a bullet), without counting it."""
        num_id, _ = self._num_pr(paragraph)
        return num_id in self.nums and num_id != "0"

    def _render(self, level: _Level, levels: dict[int, _Level], counts: list, start: dict) -> str:
        text = level.text
        for at in range(LEVELS):
            if f"%{at + 1}" in text:
                count = counts[at] if counts[at] is not None else start.get(at, 1)
                fmt = "decimal" if level.legal else levels[at].fmt if at in levels else "decimal"
                text = text.replace(f"%{at + 1}", shown(count, fmt))
        return text

    def _num_pr(self, paragraph) -> tuple[str | None, int]:
        ppr = paragraph.find(W + "pPr")
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        style_num, style_level = self.styles.get(_val(ppr, "pStyle"), (None, None)) if ppr is not None else (None, None)
        num_id = _val(num_pr, "numId") if num_pr is not None else None
        ilvl = _int(num_pr, "ilvl") if num_pr is not None else None
        return num_id or style_num, ilvl if ilvl is not None else (style_level or 0)


def _style_numbering(style, styles) -> tuple[str | None, int | None]:
    """A paragraph style's numbering (w:numPr), from it or the styles it is based on."""
    seen = set()
    while style is not None and style.get(W + "styleId") not in seen:
        seen.add(style.get(W + "styleId"))
        num_pr = style.find(f"{W}pPr/{W}numPr")
        if num_pr is not None:
            return _val(num_pr, "numId"), _int(num_pr, "ilvl")
        based = _val(style, "basedOn")
        style = next((s for s in styles.iter(W + "style") if s.get(W + "styleId") == based), None)
    return None, None


def shown(count: int, fmt: str) -> str:
    """`count` in the number format `fmt` as Word shows it; Unshowable when not known for sure."""
    if fmt in ("decimal", "decimalHalfWidth") or (fmt == "decimalZero" and count >= 10):
        return str(count)
    if fmt == "decimalZero":
        return f"{count:02d}"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(c) + 0xFEE0) for c in str(count))
    if fmt == "none":
        return ""
    if count >= 1:
        if fmt in ("lowerLetter", "upperLetter"):  # a..z, then aa..zz: Word repeats the letter
            letter = chr(ord("a") + (count - 1) % 26) * ((count - 1) // 26 + 1)
            return letter if fmt == "lowerLetter" else letter.upper()
        if fmt in ("lowerRoman", "upperRoman") and count < 4000:
            roman = hanzi.roman(count)
            return roman if fmt == "upperRoman" else roman.lower()
        if fmt == "chineseCounting" and count < 100 or fmt == "chineseCountingThousand" and count < 10000:
            return _chinese(count)
        if fmt in _SERIES and count <= len(_SERIES[fmt]):
            return _SERIES[fmt][count - 1]
    raise Unshowable(fmt, count)


def _chinese(count: int) -> str:
    """1..9999 in Chinese counting: 十, 十一, 二十, 一百, 一百零一, 一百一十, 一千零一."""
    if count < 10:
        return _DIGITS[count]
    if count < 20:
        return "十" + (_DIGITS[count % 10] if count % 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = count // value % 10
        if digit:
            out += ("零" if zero and out else "") + _DIGITS[digit] + unit
            zero = False
        else:
            zero = True
    return out
