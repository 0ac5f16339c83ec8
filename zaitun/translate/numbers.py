"""Numbers and dates in Chinese sources and English targets, as comparable values.

The source side reads Arabic digits, Chinese numerals (十六, 二百四十, 两), 万/亿 amounts,
百分之 percentages and dates (2024年12月20日, 6月12日, 2025年6月). The target side reads
digits, English number words and ordinals, "million"/"thousand" amounts and dates in the
forms English text uses (December 20, 2024; 20 December 2024; 2024-12-20).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10_000, "亿": 100_000_000}
CN_NUM_RE = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
# A lone numeral counts as a number only before one of these (三天, 五个, 十项); 一 alone never
# does, since it is mostly an article or part of a word (统一, 一窗通办).
MEASURES = set("个天日年月次项条名家人种位岁倍周元件座所批类届期章节款点时分秒公里米%")
NOT_NUMBERS = {"十分", "万一", "千万", "一一", "三三两两", "百分"}  # words, not quantities (百分点, 百分比)
VAGUE_BEFORE = set("数几")  # 数十 "dozens", 几百 "hundreds": no exact value to check
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]
MONTH_RE = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
ORDINALS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
EXTRA_WORDS = {"midnight": 0, "noon": 12, "once": 1, "twice": 2, "double": 2, "dozen": 12, "hundred": 100,
               "thousand": 1000}
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


@dataclass
class Quantities:
    """The numbers (as floats) and dates (as tuples keyed by their parts) of a text."""

    numbers: list[tuple[float, str]] = field(default_factory=list)  # (value, as written)
    dates: list[tuple[tuple, str]] = field(default_factory=list)  # (("ymd", y, m, d), as written)


def cn_numeral(text: str) -> int | None:
    """Value of a Chinese numeral (二百四十 -> 240, 二〇二四 -> 2024), None if it is not one."""
    if not text or not set(text) - set(CN_BIG):
        return None  # 万 or 亿 alone is a unit, not a number
    if all(ch in CN_DIGITS for ch in text):
        return int("".join(str(CN_DIGITS[ch]) for ch in text)) if len(text) > 1 else CN_DIGITS[text]
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in CN_DIGITS:
            if digit is not None and CN_DIGITS[ch] != 0 and digit != 0:
                return None  # two digits in a row without a unit: 十四五
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            section += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:
            total = (total + section + (digit or 0)) * CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def numeral_value(text: str, start: int, end: int) -> int | None:
    """The value of the Chinese numeral text[start:end] when it stands for a quantity there, else None."""
    run, before, after = text[start:end], text[start - 1:start], text[end:end + 1]
    if run in NOT_NUMBERS or run + after in NOT_NUMBERS or before in VAGUE_BEFORE:
        return None
    if run == "一" and not ((before == "月" and after in "日号") or (before == "年" and after == "月")):
        return None  # "a", "one", as in 一律 and 统一; but the first of a month, and January, in a date
    if before.isdigit() or before == "." or not set(run) - set(CN_BIG):  # 1.5万: read with the digits
        return None
    if len(run) == 1 and after not in MEASURES and before != "第":
        return None
    return cn_numeral(run)


def _convert_numerals(text: str) -> str:
    """Replace Chinese numerals that stand for quantities by digits, so one pass reads both."""
    def repl(m: re.Match) -> str:
        value = numeral_value(text, m.start(), m.end())
        return m.group(0) if value is None else str(value)
    text = re.sub(r"百分之([零〇一二两三四五六七八九十百千.\d]+)", lambda m: m.group(1) + "%", text)
    return CN_NUM_RE.sub(repl, text)


SRC_DATE_RES = (
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), "ymd"),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?![\d份]*[日号])"), "ym"),
    (re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), "md"),
    (re.compile(r"(?<![\d个])(\d{1,2})\s*月(?!\d)"), "m"),
)
SRC_NUMBER_RE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)(?!\d)\s*([万亿]?)")


def source_quantities(text: str) -> Quantities:
    """Numbers and dates of a Chinese text, each with the text it was read from."""
    text = _convert_numerals(unicodedata.normalize("NFKC", text))
    out = Quantities()
    for regex, kind in SRC_DATE_RES:
        for m in regex.finditer(text):
            out.dates.append(((kind, *(int(g) for g in m.groups())), m.group(0)))
        text = regex.sub(" ", text)
    for m in SRC_NUMBER_RE.finditer(text):
        value = float(m.group(1).replace(",", ""))
        out.numbers.append((value * CN_BIG.get(m.group(2), 1), m.group(0)))
    return out


TGT_DATE_RES = (
    (re.compile(rf"\b{MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I), ("m", "d", "y")),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH_RE},?\s+(\d{{4}})\b", re.I), ("d", "m", "y")),
    (re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b"), ("y", "m", "d")),
    (re.compile(rf"\b{MONTH_RE},?\s+(\d{{4}})\b", re.I), ("m", "y")),
    (re.compile(rf"\b{MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\d|:)", re.I), ("m", "d")),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH_RE}", re.I), ("d", "m")),
    (re.compile(rf"\b{MONTH_RE}", re.I), ("m",)),
)


def _month(token: str) -> int:
    token = token.lower().rstrip(".")
    return next(i for i, name in enumerate(MONTHS, start=1) if name.startswith(token[:3]))


def target_date_keys(text: str) -> set[tuple]:
    """Every date key an English text satisfies: a full date also gives its (y, m), (m, d) and (m)."""
    keys: set[tuple] = set()
    for regex, order in TGT_DATE_RES:
        for m in regex.finditer(text):
            parts = dict(zip(order, m.groups(), strict=True))
            month = _month(parts["m"]) if not parts["m"].isdigit() else int(parts["m"])
            if not 1 <= month <= 12:
                continue
            year, day = parts.get("y"), parts.get("d")
            keys.add(("m", month))
            if year:
                keys.add(("ym", int(year), month))
            if day:
                keys.add(("md", month, int(day)))
            if year and day:
                keys.add(("ymd", int(year), month, int(day)))
    return keys


PM_RE = re.compile(r"(?<![\w.:])(\d{1,2})(?::\d\d)?\s*p\.?\s?m\b", re.I)  # 2:30 p.m. is 14时30分
TGT_NUMBER_RE = re.compile(r"(?<!\w)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*+-?\s*+(thousand|million|billion)\b)?", re.I)
WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)?", re.I)


def target_numbers(text: str) -> set[float]:
    """Every value an English text writes, in digits or in words (both 1.5 and 1,500,000 for 1.5 million)."""
    text = unicodedata.normalize("NFKC", text)
    values: set[float] = set()
    for m in TGT_NUMBER_RE.finditer(text):
        value = float(m.group(1).replace(",", "") + (m.group(2) or ""))
        values.add(value)
        if m.group(3):
            values.add(value * SCALES[m.group(3).lower()])
    for m in WORD_RE.finditer(text):
        values.update(_word_values(m.group(0).lower()))
    values.update(float(int(m.group(1)) + 12) for m in PM_RE.finditer(text) if int(m.group(1)) < 12)
    return {round(v, 6) for v in values}


def _word_values(word: str) -> set[float]:
    if "-" in word:
        tens, _, unit = word.partition("-")
        if tens in TENS and unit in WORDS:
            return {float(TENS[tens] + WORDS[unit])}
        return set()
    for table in (WORDS, TENS, ORDINALS, EXTRA_WORDS):
        if word in table:
            return {float(table[word])}
    return set()


# (?<!\d): from the start of a run of digits only, and blanks taken whole (*+), so that a run of 30,000 digits
# or blanks is read once, not once from each of its characters (minutes of QA on one segment)
ZH_POINTS_RE = re.compile(r"(?<!\d)(\d+(?:\.\d+)?)\s*+个?\s*+百分点")
ZH_PERCENT_RE = re.compile(r"(?<!\d)(\d+(?:\.\d+)?)\s*+%")
EN_AMOUNT = r"(?<![\d,.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"  # 5,000 or 12.5
EN_POINTS_RE = re.compile(EN_AMOUNT + r"\s*+-?\s*+(?:(?:percent(?:age)?[\s-]+)?points?|pp|ppts?)\b", re.I)
EN_PERCENT_RE = re.compile(EN_AMOUNT + r"\s*+-?\s*+(?:%|per\s*cent(?!age|[\s-]+points?))", re.I)


def percent_kinds(source: str, target: str) -> tuple[list[tuple[float, str]], set[float], set[float]]:
    """(value, kind) of each percentage (%) and change in percentage points (百分点) of the Chinese, and the
    values the English writes as each: 10个百分点 is not 10%, and a rate rising from 20% to 30% rose by ten
    points, not by ten percent."""
    text = _convert_numerals(unicodedata.normalize("NFKC", source))
    wanted = [(float(m.group(1)), "points") for m in ZH_POINTS_RE.finditer(text)]
    wanted += [(float(m.group(1)), "percent") for m in ZH_PERCENT_RE.finditer(text)]
    target = unicodedata.normalize("NFKC", target)
    points = {float(m.group(1).replace(",", "")) for m in EN_POINTS_RE.finditer(target)}
    percents = {float(m.group(1).replace(",", "")) for m in EN_PERCENT_RE.finditer(target)}
    return wanted, points, percents


ZH_PER_MILLE_RE = re.compile(r"(?<!\d)(\d+(?:\.\d+)?)\s*+‰")
EN_PER_MILLE_RE = re.compile(EN_AMOUNT + r"\s*+-?\s*+(?:‰|per\s*mille?\b|per\s*thousand\b)", re.I)


def per_mille(source: str, target: str) -> tuple[list[float], set[float]]:
    """The values the Chinese gives per mille (‰, 千分之五 as 5‰), and those the English writes so: 5‰ as 5% is
    ten times as much, and every digit is still there for check_numbers."""
    text = re.sub(r"千分之([零〇一二两三四五六七八九十百.\d]+)", lambda m: m.group(1) + "‰",
                  unicodedata.normalize("NFKC", source))
    text = _convert_numerals(text)
    wanted = [float(m.group(1)) for m in ZH_PER_MILLE_RE.finditer(text)]
    target = unicodedata.normalize("NFKC", target)
    written = {float(m.group(1).replace(",", "")) for m in EN_PER_MILLE_RE.finditer(target)}
    return wanted, written


ZH_MONEY_RE = re.compile(r"(?<!\d)(\d+(?:,\d{3})*(?:\.\d+)?)\s*+([万亿]?)\s*+元")


def money_values(source: str) -> set[float]:
    """The amounts a Chinese text gives in yuan (5000元, 1.5万元: both 1.5 and 15000)."""
    text = _convert_numerals(unicodedata.normalize("NFKC", source))
    values: set[float] = set()
    for m in ZH_MONEY_RE.finditer(text):
        value = float(m.group(1).replace(",", ""))
        values.update((value, value * CN_BIG.get(m.group(2), 1)))
    return values


def describe(key: tuple) -> str:
    """A source date key for messages: 2024-12-20, 2025-06, month 6 day 12, month 6."""
    kind, *parts = key
    return {"ymd": "{}-{:02d}-{:02d}", "ym": "{}-{:02d}", "md": "month {} day {}", "m": "month {}"}[kind].format(*parts)


EN_WRITTEN_RE = re.compile(r"(?<![\w.:+])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?!\d)"
                           r"(?P<clock>:\d\d)?(?P<pm>\s*+p\.?\s?m\b\.?)?(?:\s*+-?\s*+(?P<scale>thousand|million|billion)\b)?",
                           re.I)


def source_values(text: str) -> set[float]:
    """Every value a Chinese text could stand for, read generously: all digits (1.5万 also as 15000), every
    Chinese numeral (一 alone too, and 十四 and 五 of 十四五), percentages as their number. For asking whether
    the English added a number, a reading too wide only keeps the check silent."""
    text = unicodedata.normalize("NFKC", text)
    values: set[float] = set()
    for m in SRC_NUMBER_RE.finditer(text):
        value = float(m.group(1).replace(",", ""))
        values.update((value, value * CN_BIG.get(m.group(2), 1)))
    for m in CN_NUM_RE.finditer(text):
        run = m.group(0)[:12]
        parts = (run[i:j] for i in range(len(run)) for j in range(i + 1, len(run) + 1))
        values.update(float(v) for v in map(cn_numeral, parts) if v is not None)  # 十四五: 14, 45, 5…
    return {round(v, 6) for v in values}


def target_written_numbers(text: str) -> list[tuple[int, int, set[float]]]:
    """(start, end, the values it may stand for) of each number an English text writes in digits: 150 million
    is 150 or 150,000,000; 2:30 p.m. is 2 or 14 (a clock's minutes are not read). Words are not read: "one"
    is mostly no number at all."""
    out = []
    for m in EN_WRITTEN_RE.finditer(unicodedata.normalize("NFKC", text)):
        value = float(m.group(1).replace(",", "") + (m.group(2) or ""))
        values = {value}
        if m["scale"]:
            values.add(value * SCALES[m["scale"].lower()])
        if m["pm"] and value < 12:
            values.add(value + 12)
        out.append((m.start(), m.end(), {round(v, 6) for v in values}))
    return out
