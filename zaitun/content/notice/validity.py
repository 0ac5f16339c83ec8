"""The validity a notice states of itself, read from its text: `自…起施行，有效期至…` and the other wordings of
government notices. The importer reads it to write `valid_from`/`valid_until`; check and intake read it again, with
the same rules, in a document's text (`stated_validity`) to refuse front matter that contradicts it. Kept apart from
the importer, so intake and status load only this."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from zaitun.content.hanzi import NUMERALS, cn_int, fold
from zaitun.content.notice.lines import DATE_RE, to_date
from zaitun.errors import NoticeImportError

_IN_FORCE = r"(?:施行|实施|执行|生效|试行)"
_START_RE = re.compile(rf"(?:自|从)(.{{0,30}}?)起{_IN_FORCE}")
# `自印发之日起30日后施行`: in force a number of days after the date of issue
_LATER_START_RE = re.compile(rf"自[^。；，]{{0,8}}之日起([{NUMERALS}]{{1,4}})(?:日|天)后{_IN_FORCE}")
# `自2025年1月1日起至2027年12月31日止施行`: both ends in one phrase
_SPAN_RE = re.compile(rf"自(?P<start>{DATE_RE.pattern})起?(?:至|到)(?P<until>{DATE_RE.pattern})止?(?:{_IN_FORCE}|有效)")
# `有效期为2025年1月1日至…`, `有效期自…至…`, `执行期限为…至…`, `实施期限：…—…`: the period's first day is its start
_PERIOD = r"(?:有效|执行|实施|试行)期限?"
_TO = r"(?:至|到|—{1,2}|－|~|～)"  # (not '-', which a date like 2025-01-01 holds)
_PERIOD_START_RE = re.compile(rf"{_PERIOD}(?:为|自|从|：|:)?(?={DATE_RE.pattern}起?{_TO})")
# `有效期至…`, and `自…起施行至2026年12月31日`: the last day
_UNTIL_RE = re.compile(rf"(?:{_PERIOD}[^。；]{{0,20}}?|起{_IN_FORCE}){_TO}(?={DATE_RE.pattern})")
# `有效期至2027年底` (年末): the year's last day; `有效期至2027年12月`: the month's
_UNTIL_MONTH_RE = re.compile(rf"{_PERIOD}[^。；]{{0,20}}?{_TO}([{NUMERALS}]{{4}})年(?:(底|末)|([{NUMERALS}]{{1,2}})月"
                             rf"(?:底|末)?)(?![{NUMERALS}日])")
# `2027年12月31日废止`, `至…自行失效`: the notice's last day; `自2028年1月1日起废止`: void from that day, so
# in force until the day before. A date must stand right before the word: `2023年5月1日印发的旧措施同时废止`
# ends another notice, not this one.
_LAPSE = r"(?:自行|自动)?(?:失效|废止)"
_LAPSES_ON_RE = re.compile(rf"(?:至|到|于)?(?={DATE_RE.pattern}{_LAPSE})")
_LAPSES_FROM_RE = re.compile(rf"自(?={DATE_RE.pattern}起{_LAPSE})")
# `有效期5年`, `有效期限为三年`, `有效期两年`, `有效期一年半`, `有效期三年零六个月`, `有效期三十个月`, `试行期2年`,
# `有效期暂定三年`; never the year of a date (`有效期为2024年1月1日至…`)
_DURATION_RE = re.compile(rf"(?:有效|试行)期限?(?:为|暂定为?|暂为)?([{NUMERALS}]{{1,4}})(?:个)?(年|月)"
                          rf"(半|零?([{NUMERALS}]{{1,2}})个月)?(?![{NUMERALS}元]{{1,3}}月|底|末)")
# what follows a phrase qualifying a thing: `有效期至2026年6月30日的外国人护照`, `有效期3年的营业执照`,
# `自2025年1月1日起实施的项目`, `2023年5月1日废止的旧措施` are that passport's, licence's, project's or other
# measure's dates, never the notice's, whatever stands before them. Read from where a pattern's match ends: past the
# date it looks ahead at, and the period's other end (`有效期为…至…的许可证`).
_QUALIFIES_RE = re.compile(rf"(?:{DATE_RE.pattern})?(?:起?{_TO}(?:{DATE_RE.pattern}))?止?(?:起?{_LAPSE})?"
                           r"(?:[（(]含[）)]|以前|之前|前|届满|到期|期满){0,2}的")


# what a document calls itself: `本通知自…起施行` is its own validity, `对有效期至…的企业` someone else's
_OWN_RE = re.compile(r"本(?:通知|办法|措施|规定|意见|方案|细则|决定|公告|通告|条例|规则|政策|文件|指引|指南|规划|计划|"
                     r"令)|此件")


# a day the text gives, and the match of the phrase giving it
_Read = tuple[dt.date, re.Match] | None


def start_and_until(text: str, issued: dt.date, date_at: Callable[[int], dt.date],
                    impossible: Callable[[str], NoticeImportError]) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day in force the text (folded) states: `date_at` reads the date at a place in it,
    `impossible` makes the error of a date no calendar has. A period is counted from the start, else from the
    date of issue (`issued`)."""
    start, until = _start_and_until(text, issued, date_at, impossible)
    return _day(start), _day(until)


def _start_and_until(text: str, issued: dt.date, date_at: Callable[[int], dt.date],
                     impossible: Callable[[str], NoticeImportError],
                     since: dt.date | None = None) -> tuple[_Read, _Read]:
    """The start and end read, with their phrases; a period is counted from `since` if given."""
    start = _start(text, issued, date_at)
    return start, _until(text, since or _day(start) or issued, date_at, impossible)


def _day(read: _Read) -> dt.date | None:
    return read[0] if read else None


def stated_validity(body: str, issued: dt.date, since: dt.date | None = None) -> dict[str, tuple[dt.date, int]]:
    """The validity a document's text states of itself, read by the importer's rules: key -> (its date, the
    0-based line of the body saying it). An end is stated however the text gives it: a day, a month or year
    (`2027年底`), or a period (`有效期3年`) counted as the importer counts it, from `since` (the front matter's
    `valid_from`) if given, else from the start. A start is stated only when the text writes its day out (not
    `自印发之日起`, taken from the date of issue); what the text cannot read (an impossible date) is the front
    matter's to say."""
    text = fold(body)
    said: dict[dt.date, int] = {}  # each day the text writes out, and its line

    def date_at(at: int) -> dt.date:
        date = to_date(DATE_RE.match(text, at), Path(), None)
        said.setdefault(date, text.count("\n", 0, at))
        return date

    def impossible(words: str) -> NoticeImportError:
        return NoticeImportError(Path(), words)

    try:
        start, until = _start_and_until(text, issued, date_at, impossible, since)
    except NoticeImportError:
        return {}
    stated = {}
    if start and start[0] in said:
        stated["valid_from"] = start[0], said[start[0]]
    if until:  # a day counted (a period, a month's end, the eve of `自…起废止`) is said where its phrase is
        stated["valid_until"] = until[0], said.get(until[0], text.count("\n", 0, until[1].end()))
    return stated


def _clause(text: str, rules: list) -> _Read:
    """The date the first rule (pattern, reading) gives in the document's own sentence, else in any sentence, and
    the match it reads it from."""
    found = [(match, read) for rx, read in rules if (match := _stated(rx, text))]
    own = [(match, read) for match, read in found if _is_own(text, match)]
    match, read = (own or found or [(None, None)])[0]
    day = read(match) if match else None
    return (day, match) if day else None


def _stated(rx: re.Pattern, text: str) -> re.Match | None:
    """The pattern's first match in the last sentence about the document itself (`本通知自…起施行，原自…起施行的
    《办法》同时废止`; one about the measures a notice issues before one about the notice), else its last
    match that opens a sentence (`有效期至2027年12月31日。`): one inside a sentence about something else
    (`对有效期至2025年6月30日的许可证`, `对居留许可有效期至…届满的外国人`) is that thing's date, not the document's,
    and so is one qualifying a thing wherever it stands (`一、有效期至2026年6月30日的外国人护照`)."""
    matches = [match for match in rx.finditer(text) if not _QUALIFIES_RE.match(text, match.end())]
    own = [match for match in matches if _is_own(text, match)]
    own = [match for match in own if not _of_the_notice(text, match)] or own  # (the measures it issues, first)
    if own:
        return next(match for match in own if _sentence(text, match) == _sentence(text, own[-1]))
    opening = [match for match in matches if _OPENS_RE.fullmatch(text, _sentence(text, match), match.start())]
    return opening[-1] if opening else None


# what may stand before a validity phrase that opens its sentence: a list number (`五、`, `（三）`, `3.`,
# `第十条`) and spaces
_OPENS_RE = re.compile(r"[\s　]*+(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|"
                       r"第[一二三四五六七八九十百零〇\d]+条)?[\s　]*+")


def _sentence(text: str, match: re.Match) -> int:
    """Where the sentence holding the match starts."""
    return max(text.rfind(stop, 0, match.start()) for stop in "。；\n") + 1


def _own_word(text: str, match: re.Match) -> str | None:
    """What the sentence holding the match calls the document it is about (`本通知`, `本措施`), if it does."""
    own = _OWN_RE.search(text, _sentence(text, match), match.start())
    return own.group() if own else None


def _is_own(text: str, match: re.Match) -> bool:
    return _own_word(text, match) is not None


def _of_the_notice(text: str, match: re.Match) -> bool:
    """Whether the sentence is the notice's about itself (`本通知自印发之日起施行`): a notice issuing measures
    (`印发…措施的通知`) takes its validity from theirs (`本措施自2025年1月1日起施行`), wherever either stands."""
    return _own_word(text, match) == "本通知"


def _start(text: str, issued: dt.date, date_at: Callable[[int], dt.date]) -> _Read:
    def in_force(start: re.Match) -> dt.date | None:
        date = DATE_RE.search(start.group(1))
        if date:
            return date_at(start.start(1) + date.start())
        if "之日" in start.group(1):  # `自印发之日起`, `自公布之日起`: the day of issue
            return dt.date.fromordinal(issued.toordinal())  # a copy: the same object twice would make YAML write an
        return None  # anchor (&id001) and an alias; a day it cannot read (`自2025年底起`) is no day of issue

    return _clause(text, [
        (_LATER_START_RE, lambda later: issued + dt.timedelta(days=cn_int(later.group(1)))),
        (_START_RE, in_force),
        (_SPAN_RE, lambda span: date_at(span.start("start"))),
        (_PERIOD_START_RE, lambda period: date_at(period.end())),
    ])


def _until(text: str, start: dt.date, date_at: Callable[[int], dt.date],
           impossible: Callable[[str], NoticeImportError]) -> _Read:
    def lasting(duration: re.Match) -> dt.date:
        count, unit, more, months = duration.groups()
        more = 6 if more == "半" else cn_int(months) if months else 0
        return _months_later(start, cn_int(count) * (12 if unit == "年" else 1) + more)

    def month_end(until: re.Match) -> dt.date:
        year, year_end, month = until.groups()
        try:
            return _months_later(dt.date(cn_int(year), 1 if year_end else cn_int(month), 1), 12 if year_end else 1)
        except ValueError:
            raise impossible(until.group(0)[until.start(1) - until.start():]) from None

    return _clause(text, [
        (_UNTIL_RE, lambda until: date_at(until.end())),
        (_UNTIL_MONTH_RE, month_end),
        (_SPAN_RE, lambda span: date_at(span.start("until"))),
        (_LAPSES_FROM_RE, lambda lapses: date_at(lapses.end()) - dt.timedelta(days=1)),
        (_LAPSES_ON_RE, lambda lapses: date_at(lapses.end())),
        (_DURATION_RE, lasting),
    ])


def _months_later(start: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` from `start`: `有效期5年` from 2024-12-20 runs to 2029-12-19."""
    year, month = divmod(start.month - 1 + months, 12)
    try:
        end = start.replace(year=start.year + year, month=month + 1)
    except ValueError:  # from the 29th-31st into a shorter month: the period ends with that month
        end = dt.date(start.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return end - dt.timedelta(days=1)
