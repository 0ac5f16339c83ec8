"""What a date or a number does in its sentence, read on both sides, so QA sees two that changed places.

A date may start a period (自2025年1月1日起, "from", "take effect on") or end one (有效期至…, "until",
"expire on"); an amount may be a maximum (最长, "up to"), a minimum (不少于, "at least") or a time
in advance (提前3天, "3 days in advance"); a number may start or end a range (由72小时延长为240小时,
"from … to"). The counts agree when two values swap, so QA compares what each value does instead.
Only words right beside a value count, and a role is evidence only when both sides state one: a value
the Chinese leaves open anywhere, or the English states no role for, is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from zaitun.translate import numbers, placeables, placeables_en
from zaitun.translate.glossary import Glossary

START, END, MAX, MIN, ADVANCE = "start", "end", "maximum", "minimum", "advance"
OPPOSED = {frozenset(pair) for pair in ((START, END), (MAX, MIN), (MAX, ADVANCE))}
NAMES = {("date", START): "a start date", ("date", END): "an end date",
         ("number", START): "the start of a range", ("number", END): "the end of a range",
         ("number", MAX): "a maximum", ("number", MIN): "a minimum", ("number", ADVANCE): "a time in advance"}
MONTH_WORDS = {*numbers.MONTHS, *(m[:3] for m in numbers.MONTHS), "sept"}
WINDOW = 40  # characters either side read for role words
# What a message quotes besides the role words: the word before a Chinese one (有效期至…) and a number's
# unit on both sides (提前3天, "up to 3 days").
ZH_MORE = (re.compile(r"[\u4e00-\u9fff]{1,3}$"), re.compile(r"^(?:个)?(?:工作日|小时|个月|[日天周月年元人次项])"))
EN_MORE = (None, re.compile(r"^\s*[A-Za-z%]+"))


def _zh(before: str | None = None, after: str | None = None) -> tuple[re.Pattern | None, re.Pattern | None]:
    """One way the Chinese marks a role: words right before the value, right after it, or both."""
    return (re.compile(before + r"\s*$") if before else None, re.compile(r"^\s*" + after) if after else None)


def _en(before: str | None = None, after: str | None = None) -> tuple[re.Pattern | None, re.Pattern | None]:
    """One way the English marks a role: words right before the value (Markdown, quotes and a currency may
    come between) or right after it."""
    fill = r"[\s*_\"“]*(?:(?:RMB|CNY|USD|US\$|\$|¥|yuan)\s*)?$"
    return (re.compile(rf"(?<![\w-])(?:{before}){fill}", re.I) if before else None,
            re.compile(rf"^[\s*_\"”]*(?:{after})(?![\w-])", re.I) if after else None)


SPAN = r"[^\d，。；：、,;:（）()]{0,4}"  # a few characters between a word and its number: 最长停留10天
UNIT_ZH = r"[^\d，。；、,;]{0,4}?"  # a number's unit: 3个工作日以内
NUMERAL = r"(?=\s*[\d零〇一二两三四五六七八九十])"
RANGE_TO = r"(?:(?<![达甚])至|(?<![达收得做遇看找受拿])到|(?:延长|提高|增加|调整|扩大|降低|缩短|压缩)[为至到])"
ZH_ROLES = {  # role: the ways the Chinese marks it
    "date": {
        START: (_zh(r"(?:自|从)"), _zh(None, r"(?:\d{1,2}\s*[时點点]\s*)?(?:起|开始|以来|生效|施行|实施|至|到(?!期)"
                                           r"|以后|之后|后(?!续|期))")),
        END: (_zh(r"(?:至|到|截止)"), _zh(None, r"(?:\d{1,2}\s*[时點点]\s*)?(?:止|前(?!后)|之前|以前|到期|届满|截止)")),
    },
    "number": {  # 由/从 starts a range only when the clause goes on to where it ends: 由72小时延长为240小时
        START: (_zh(r"(?:由|从)(?:原来的|原有的|原|现行的?)?", rf"[^，。；,;]*?{RANGE_TO}{NUMERAL}"),
                _zh(None, rf"[^\d，。；、,;]{{0,2}}?(?:至|到){NUMERAL}"), _zh(None, r"年(?:起|以来|开始)")),
        END: (_zh(RANGE_TO), _zh(None, r"年(?:底|末)?(?:前|止|为止)")),
        MAX: (_zh(rf"(?:最长|最多|最高|至多|不超过|不得超过|不多于|不高于|不长于|上限为?){SPAN}"),
              _zh(None, rf"{UNIT_ZH}(?:以内|以下|(?:个)?(?:工作日|日|天|小时|周|个月)内)")),
        MIN: (_zh(rf"(?:至少|最少|最低|不少于|不得少于|不低于|不得低于|不短于){SPAN}"), _zh(None, rf"{UNIT_ZH}以上")),
        ADVANCE: (_zh(rf"(?:提前{SPAN}|前)"),),  # 提前3天, 届满前30日内
    },
}
NOT_NO = r"(?<!\bno )(?<!\bnot )(?<!\bnot be )"  # "less than" alone is a maximum, "no less than" a minimum
EN_FILLER = r"(?:\s+(?:on|from|as of|at|of|in|and including|the))*\s*"
UNIT = r"(?:working\s+|calendar\s+|business\s+|natural\s+)?(?:days?|hours?|weeks?|months?|years?)"
EN_ROLES = {
    "date": {
        START: (_en(r"(?:from|since|starting|beginning|commencing|effective|as from|with effect from"
                    r"|(?:comes?|came|coming) into (?:force|effect)|(?:enters?|entered|entering) into force"
                    r"|(?:takes?|took|taking|taken) effect|in (?:force|effect) from|(?:commence|start|begin)s?"
                    rf"|commenced|started|began|after|no earlier than|not earlier than){EN_FILLER}"),),
        END: (_en(r"(?:until|till|to|through|thru|by|before|up to|no later than|not later than"
                  rf"|expir(?:es?|ed|ing)|ends?|ended|ending|terminat(?:es?|ed|ing)|deadline(?: is)?){EN_FILLER}"),),
    },
    "number": {
        START: (_en(r"from|since"),),
        END: (_en(r"to|until|till|through"),),
        MAX: (_en(r"up to|at most|(?:no|not(?: be)?) (?:more|longer|higher|greater) than|(?:a )?maximum(?: of)?"
                  rf"|not (?:to )?exceed(?:ing)?|within|capped at|{NOT_NO}(?:less|fewer|shorter|younger) than"
                  r"|under|below"),
              _en(None, r"(?:[\w-]+\s+){0,2}?(?:(?:or|and) (?:less|fewer|below|under|shorter|younger)"
                        r"|at (?:the )?most)")),
        MIN: (_en(r"at least|(?:no|not(?: be)?) (?:less|fewer|lower|shorter) than|(?:a )?minimum(?: of)?"
                  rf"|{NOT_NO}(?:more|longer|older) than|over|above"),
              _en(None, r"(?:[\w-]+\s+){0,2}?(?:(?:or|and) (?:more|above|over|longer|older)|at (?:the )?least)")),
        ADVANCE: (_en(None, rf"{UNIT}\s+(?:in advance|ahead|beforehand|before|prior)"),),
    },
}
OPEN, CLOSE, NO = r"[\[(（〔【［]\s*", r"\s*[\])）〕】］]\s*", r"(?:(?<!\w)No\.?|Number|#)\s*"
EN_DOCNO_RE = re.compile(  # a document number's year and serial as English writes them, in either order
    rf"{OPEN}(?P<y1>\d+){CLOSE}{NO}(?P<n1>\d+)|{OPEN}(?P<y2>\d{{4}}){CLOSE}(?P<n2>\d+)(?!\d)"
    rf"|{NO}(?P<n3>\d+)(?:\s*{OPEN}(?P<y3>\d+)\s*[\])）〕】］]|,?\s+(?:of\s+)?(?P<y4>\d{{4}})\b)?")


@dataclass(frozen=True)
class Placed:
    """A date or number where a text writes it, with the roles the words beside it give it."""

    kind: str  # date | number
    values: frozenset  # a date's keys (an English date gives all it satisfies), a number's value
    written: str
    roles: frozenset[str]
    context: str  # the value with its role words, for messages


def swapped(source: str, target: str, glossary: Glossary) -> list[tuple[Placed, Placed]]:
    """(Chinese, English) of each value whose English role is opposed to its Chinese one and none agrees,
    each with the roles that disagree."""
    zh, en = chinese_placed(source, glossary), english_placed(target)
    out = []
    for kind, value in dict.fromkeys((p.kind, v) for p in zh for v in p.values):
        mine = [p for p in zh if p.kind == kind and value in p.values]
        if not all(p.roles for p in mine):
            continue  # the Chinese leaves this value's role open somewhere
        wanted = frozenset().union(*(p.roles for p in mine))
        theirs = [p for p in en if p.kind == kind and value in p.values]
        wrong = [p for p in theirs if opposed(wanted, p.roles)]
        if wrong and not any(p.roles & wanted for p in theirs):
            shown = frozenset(r for r in wrong[0].roles if opposed(wanted, frozenset([r])))
            out.append((replace(mine[0], roles=wanted), replace(wrong[0], roles=shown)))
    return out


def opposed(roles: frozenset[str], others: frozenset[str]) -> bool:
    return any(frozenset((a, b)) in OPPOSED for a in roles for b in others)


def describe(kind: str, roles: frozenset[str]) -> str:
    return " and ".join(NAMES[kind, r] for r in sorted(roles))


def chinese_placed(source: str, glossary: Glossary) -> list[Placed]:
    """The dates and numbers of the Chinese outside glossary terms (their numbers are the term's)."""
    out, pos = [], 0
    for piece in placeables.pieces(source, glossary):
        start, pos = pos, pos + len(piece.text)
        if piece.kind in ("date", "number"):
            value = piece.value if piece.kind == "date" else round(piece.value, 6)
            out.append(_placed(piece.kind, source, start, pos, frozenset([value]), ZH_ROLES, ZH_MORE))
    return out


def english_placed(target: str) -> list[Placed]:
    """The dates and numbers of the English, numbers inside dates and document numbers left out."""
    dates = [d for d in placeables_en.date_spans(target, []) if _written_as_date(target[d[0]:d[1]])]
    taken = [d[:2] for d in dates] + [m.span() for m in EN_DOCNO_RE.finditer(target)]
    out = [_placed("date", target, s, e, frozenset(numbers.target_date_keys(target[s:e])), EN_ROLES, EN_MORE)
           for s, e, *_ in dates]
    out += [_placed("number", target, s, e, frozenset([round(value, 6)]), EN_ROLES, EN_MORE)
            for s, e, value, *_ in placeables_en.number_spans(target, taken)]
    return out


def _written_as_date(text: str) -> bool:
    """Not a word that starts like a month ("marketing", "decide", "may" the verb): its role is no date's."""
    words = [w for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in ("of", "st", "nd", "rd", "th")]
    return all(w[0].isupper() and w.lower() in MONTH_WORDS for w in words)


def _placed(kind: str, text: str, start: int, end: int, values: frozenset, table: dict, more: tuple) -> Placed:
    before, after = text[max(0, start - WINDOW):start], text[end:end + WINDOW]
    roles, first, last = set(), start, end
    for role, ways in table[kind].items():
        for lead, trail in ways:
            hits = (lead.search(before) if lead else None, trail.match(after) if trail else None)
            if (lead and not hits[0]) or (trail and not hits[1]):
                continue
            roles.add(role)
            first = min(first, start - len(before) + hits[0].start()) if hits[0] else first
            last = max(last, end + hits[1].end()) if hits[1] else last
    return Placed(kind, values, text[start:end], frozenset(roles), _context(text, first, last, kind, more))


def _context(text: str, first: int, last: int, kind: str, more: tuple) -> str:
    """The value with its role words, and the word before a Chinese date's (有效期至) or a number's unit."""
    lead, unit = more
    hit = lead.search(text[max(0, first - 3):first]) if lead and kind == "date" else None
    first -= len(hit.group(0)) if hit else 0
    hit = unit.match(text[last:last + 12]) if kind == "number" else None
    last += len(hit.group(0)) if hit else 0
    return " ".join(text[first:last].replace("*", "").split())


def doc_numbers_changed(source: str, target: str, glossary: Glossary) -> list[tuple[str, tuple, list[str]]]:
    """(the Chinese, its (year, serial), the English forms) of each document number (〔2024〕11号) the English
    writes only with another year or serial ("[11] No. 2024", "No. 12 [2024]"); an English with no such
    form is left to the number check."""
    forms = [(m.group(0), _docno_value(m)) for m in EN_DOCNO_RE.finditer(target)]
    out = []
    for piece in placeables.pieces(source, glossary):
        if piece.kind != "docno" or not forms:
            continue
        year, serial = piece.value
        if not any(n == serial and y in (year, None) for _, (y, n) in forms):
            out.append((piece.text, piece.value, [written for written, _ in forms]))
    return out


def _docno_value(m: re.Match) -> tuple[int | None, int]:
    """(year, serial) of an English document number; a lone "No. 11" has no year."""
    year = m["y1"] or m["y2"] or m["y3"] or m["y4"]
    return (int(year) if year else None), int(m["n1"] or m["n2"] or m["n3"])
