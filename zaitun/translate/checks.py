"""QA checks on every draft: each returns issues `{check, message}` for reviewers.

The checks look for what machine translation gets wrong and a reader would notice: a term
not rendered as the glossary says (or one the glossary itself is in conflict about), a forbidden
rendering however it is spaced or hyphenated, a number or date that changed (or changed places, or
the number a list item opens with, or percent for percentage points), a prohibition left with no
"not", a URL or email address changed or dropped, Chinese (or Korean, Cyrillic…) in the English, placeholder debris,
Markdown that lost a link or emphasis or gained a heading, quote or list marker, HTML tags (pages show
them as text), an empty or untranslated segment, a length that does not
fit; and what makes published text look careless: a double space, a space before punctuation,
emphasis or a link that will not render, a term repeated more often than in the Chinese, a lone
`s` cut off a word. They must not flag correct translations, so each one errs on the side of
silence when a text is ambiguous.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator

from zaitun.content import markdown
from zaitun.translate import list_numbers, negation, numbers, repair, roles
from zaitun.translate.glossary import Entry, Glossary, term_form, whole_word
from zaitun.translate.masking import ADDRESS_RE, CORE_RE, _protected_spans
from zaitun.translate.normal import Normal, case_matters, normal, normal_with_origins

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e\uff5f-\uffef]+")
DEBRIS_RE = re.compile(r"[{⟦]\s*z\s?t|z\s?t\s?\d+\s*[}⟧]|\{ZT|ZT\d+", re.IGNORECASE)
INLINE_CODE_RE = re.compile(r"`[^`\n]+`")
BOLD_RE = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")
ITALICS_RE = re.compile(r"(?<![*\w])\*[^*\s][^*\n]*\*(?![*\w])|(?<![_\w])_[^_\s][^_\n]*_(?![_\w])")
LINK_TARGET_RE = re.compile(r"\]\(([^)\s]+)")
GLUED_QUOTE_RE = re.compile(r"\w[“‘]|[”]\w")  # Chinese writes quotes without spaces; English needs them
REPEAT_GAP_RE = re.compile(r"[\s,;/&*_-]*+(?:(?:and|or|the|a|an)\s++){0,2}[\s*_]*", re.IGNORECASE)  # *+: once
FRAGMENT_RE = re.compile(r"(?<=[^\s\d.,]) +(s|es|['’]s)(?=[\s.,;:!?)]|$)")
PIPE_RE = re.compile(r"(?<!\\)\|")  # a cell separator, not an escaped `\|`
# what a line opening with it becomes on the page: a heading, quote, list item, code block or rule
BLOCK_RE = re.compile(r"^[ \t]{0,3}(?:#{1,6}(?=\s|$)|>|[-*+][ \t]+(?=\S)|```|~~~|(?:[-*_][ \t]*){3,}$)")
HTML_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--")  # not an autolink <https://…>
# letters of scripts English is never written in: an engine answering in the wrong language
OTHER_SCRIPTS = {"Japanese kana": "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f",
                 "Korean": "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af", "Cyrillic": "\u0400-\u052f",
                 "Arabic": "\u0600-\u06ff\u0750-\u077f", "Hebrew": "\u0590-\u05ff", "Thai": "\u0e00-\u0e7f",
                 "Devanagari": "\u0900-\u097f"}
OTHER_SCRIPT_RE = {name: re.compile(f"[{chars}]+") for name, chars in OTHER_SCRIPTS.items()}
BIDI_RE = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")  # direction marks, embeddings, overrides
OVERRIDDEN_RE = re.compile("\u202e([^\u202c\n]*)")  # right-to-left override: shown reversed up to its PDF
HANZI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_GAP_RE = re.compile(rf"(?<=[{HANZI}])\s+(?=[{HANZI}])")  # a reader takes 宣 传部 for 宣传部
MARKUP_RE = re.compile(r"[*_`&\\\[<]")  # what Markdown may render as other text than it is written
CHARS_PER_HANZI = 3.0  # English characters per Chinese one, measured on the shipped TMX
MIN_RATIO, MAX_RATIO, MIN_LENGTH = 0.4, 2.5, 12  # bounds of length / expected length
# English longer than this many times its expected length (or OVERLONG_FLOOR characters, for a short segment)
# is no translation of it (a document pasted into one segment): some checks take time growing with the square
# of the length, so it is not checked further, and a reviewer's edit of it is refused (review/gate.py)
OVERLONG_RATIO, OVERLONG_FLOOR = 10, 4000


def check_translation(source: str, target: str, glossary: Glossary) -> list[dict]:
    """All issues of one translation; an empty list means nothing for a reviewer to look at."""
    if not "".join(c for c in target if unicodedata.category(c) != "Cf").strip():  # zero-width ones show nothing
        return [_issue("empty", "no English yet: translate this segment")]
    if normal(target) == normal(source) and CJK_RE.search(source):
        return [_issue("untranslated", "the English is the Chinese source unchanged")]
    if why := overlong(source, target):
        return [_issue("length", why)]
    issues: list[dict] = []
    for check in (check_conflicts, check_terms, check_forbidden, check_numbers, check_added_numbers,
                  check_list_number, check_roles, check_doc_numbers, check_percent_points, check_percent_units,
                  check_negation, check_addresses, check_lines, check_blocks, check_html, check_bidi, check_cjk,
                  check_script, check_debris, check_markdown, check_length, check_spacing, check_emphasis,
                  check_repeats, check_fragments):
        issues.extend(check(source, target, glossary))
    return issues


def overlong(source: str, target: str) -> str | None:
    """Why this English cannot be a translation of this Chinese, by its length alone (None when it can)."""
    limit = max(OVERLONG_FLOOR, int(OVERLONG_RATIO * CHARS_PER_HANZI * len(source)))
    if len(target) <= limit:
        return None
    return (f"the English is {len(target):,} characters long for {len(source):,} of Chinese, far longer than any "
            f"translation of it (at most {limit:,}): check what was pasted")


def _issue(check: str, message: str) -> dict:
    return {"check": check, "message": message}


def _term_matches(source: str, glossary: Glossary, nested: bool = False):
    """Glossary matches outside code spans, URLs and link targets (those are copied verbatim)."""
    spans = _protected_spans(source)
    found = glossary.all_matches(source) if nested else glossary.matches(source)
    return [m for m in found if not any(s < m.end and m.start < e for s, e, _ in spans)]


def check_conflicts(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A term the glossary gives two renderings (or a rendering it forbids elsewhere): which is right is for
    a person to decide, so every segment holding it waits for a reviewer."""
    terms = dict.fromkeys(m.entry.zh for m in _term_matches(source, glossary) if m.entry.zh in glossary.conflicts)
    return [_issue("glossary", glossary.conflicts[zh]) for zh in terms]


def check_terms(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A term not rendered as the glossary says (a term in conflict is flagged as such instead)."""
    norm, issues, seen = normal(target), [], set()
    for m in _term_matches(source, glossary):
        entry = m.entry
        if entry.zh in seen or entry.zh in glossary.conflicts or _rendered(entry.en).search(norm):
            continue
        seen.add(entry.zh)
        issues.append(_issue("term", f"{entry.zh} must be rendered \"{entry.en}\" (glossary {entry.place})"))
    return issues


@functools.lru_cache(maxsize=4096)
def _rendered(en: str) -> re.Pattern:
    """The approved rendering as a word of the normal-form English, inflected too ("stays", "transiting"), but
    not inside another word: "port" is not rendered by "passport", nor "transit" by "transition"."""
    rendering = normal(en)
    start = r"(?<!\w)" if re.match(r"\w", rendering) else ""
    end = r"(?:s|es|ed|d|ing)?(?!\w)" if re.search(r"\w$", rendering) else ""
    return re.compile(start + re.escape(rendering) + end)


def check_forbidden(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A forbidden rendering of a term in the source, unless it is inside an approved rendering (the gate refuses
    it); and one of a term the source does not hold, flagged for a reviewer to read ("organised by the Propaganda
    Department" for a sentence naming no 宣传部): English the Chinese did not ask for, or a term missed."""
    found = forbidden_renderings(source, target, glossary)
    return [*(_issue("forbidden", forbidden_message(text, entry)) for text, entry in found),
            *(_issue("forbidden", f"\"{text}\" is a forbidden rendering of {entry.zh}, which this Chinese does not "
                                  "hold: check what the English names here")
              for text, entry in _forbidden_elsewhere(source, target, glossary, {text for text, _ in found}))]


def forbidden_anywhere(source: str, target: str, glossary: Glossary) -> list[tuple[str, Entry]]:
    """Forbidden renderings in `target` of the terms of `source` (`forbidden_renderings`) and of any other term: for
    English no reviewer read as a translation of a source (a tag's label), where none may stand."""
    found = forbidden_renderings(source, target, glossary)
    return found + _forbidden_elsewhere(source, target, glossary, {text for text, _ in found})


def _forbidden_elsewhere(source: str, target: str, glossary: Glossary, seen: set[str]) -> list[tuple[str, Entry]]:
    """The forbidden renderings, outside approved renderings of the source's terms, of terms it does not hold."""
    here = [e for m in glossary.all_matches(source) for e in glossary.lines_of(m.entry)]
    held = {term_form(e.zh) for e in here}
    others = sorted((e for e in glossary.banning if term_form(e.zh) not in held), key=lambda e: len(e.zh))
    if not others:
        return []
    found: list[tuple[str, Entry]] = []
    _find_forbidden(target, [*others, *here], found, set(seen))
    approved = {normal(e.en) for e in here if e.en}  # a term's own rendering another forbids: check_conflicts'
    return [(text, entry) for text, entry in found if term_form(entry.zh) not in held and normal(text) not in approved]


def forbidden_renderings(source: str, target: str, glossary: Glossary) -> list[tuple[str, Entry]]:
    """(the text found, its glossary entry) of each forbidden rendering in `target` of a term in `source`:
    what QA flags, the review gate refuses to approve and the build refuses to put online. The English is
    compared in its normal form (spaces, hyphens, quotes, case: `zaitun.translate.normal`), and a term's
    renderings forbidden on any of its glossary lines count."""
    shown = _shown(source)
    entries = list(dict.fromkeys([*(e for m in _term_matches(source, glossary, nested=True)
                                    for e in glossary.lines_of(m.entry)), *glossary.bans_in(source),
                                  *(e for m in glossary.all_matches(shown) for e in glossary.lines_of(m.entry)),
                                  *glossary.bans_in(shown)]))
    found: list[tuple[str, Entry]] = []
    seen: set[str] = set()
    _find_forbidden(target, entries, found, seen)
    if MARKUP_RE.search(target):  # what the page shows: `**Propaganda** Department`, `&#80;ropaganda`
        _find_forbidden(markdown.visible_text(target), entries, found, seen)
    if "\u202e" in target:  # "\u202etnemtrapeD adnagaporP" shows as "Propaganda Department"
        _find_forbidden(OVERRIDDEN_RE.sub(lambda m: m.group(1)[::-1], target), entries, found, seen)
    return found


def _shown(source: str) -> str:
    """The Chinese as its page shows it, where a reader sees a term the source writes apart: 市委**宣传**部,
    宣&#20256;部, 宣 传部 or a line break inside it all read 市委宣传部 ("" when it is the source as written)."""
    shown = markdown.visible_text(source) if MARKUP_RE.search(source) else source
    shown = CJK_GAP_RE.sub("", shown)
    return "" if shown == source else shown


def _find_forbidden(target: str, entries: list[Entry], found: list[tuple[str, Entry]], seen: set[str]) -> None:
    """Add to `found` each forbidden rendering of `entries` in `target` not in `seen` yet."""
    forms: dict[bool, Normal] = {}  # the English folded, and with its case
    for entry in entries:
        for banned in filter(normal, entry.forbidden):  # one of invisible characters only would be found anywhere
            fold = not case_matters(banned, entry.en)
            text = forms.get(fold) or forms.setdefault(fold, normal_with_origins(target, fold))
            hit = _forbidden_hit(normal(banned, fold), entry, entries, text.text, fold) \
                or _joined_hit(normal(banned, fold), entry, entries, text.text, fold)
            if hit and banned not in seen:
                seen.add(banned)
                found.append((" ".join(text.original(target, *hit).split()), entry))


def _forbidden_hit(banned: str, entry: Entry, entries: list[Entry], text: str, fold: bool) -> tuple[int, int] | None:
    """Where `banned` (plurals too) is in `text` outside every approved rendering of the segment's terms
    that contains it; a rendering another line forbids protects nothing (the glossary is in conflict)."""
    approved = _approved_spans(banned, entry, entries, text, fold)
    for hit in re.finditer(whole_word(banned), text):
        if not any(s <= hit.start() and hit.end() <= e for s, e in approved):
            return hit.start(), hit.end()
    return None


# in the English as the page shows it (raw HTML is text there): a tag or comment a writer put between the words of
# a forbidden rendering is read past as the words are ("Propaganda<br>Department", "Propaganda<!-- x -->Department")
_TAG_RE = re.compile(r"<!--.*?-->|<[^<>]{0,40}>", re.S)
# a gap no phrase is read across: "We reject propaganda. Department staff …" (an ellipsis is no end)
_SENTENCE_END_RE = re.compile(r"(?<!\.)[.!?](?!\.)\s|[。！？]")


def _joined_hit(banned: str, entry: Entry, entries: list[Entry], text: str, fold: bool) -> tuple[int, int] | None:
    """Where the words of a forbidden rendering of several words stand with nothing between them, or other
    marks than a space ("PropagandaDepartment", "Propaganda/Department", "P r o p a g a n d a Department",
    "Propaganda ... Department", a tag between them), or a note's mark ("Propaganda[^1] Department",
    "Propaganda^a^ Department", "Propaganda<sup>1</sup> Department"): the letters of the rendering in a row, a
    whole word at each end, read across no sentence's end (nor, past a note's mark, a table's cell); outside every
    approved rendering of the segment's terms, as `_forbidden_hit`."""
    if " " not in banned:  # one word: found as a word already
        return None
    letters = "".join(c for c in banned if c.isalnum())
    approved = None
    for marks in (False, True):
        untagged, kept, joined = _letters_of(text, marks)
        if letters not in joined:
            continue
        approved = _approved_spans(banned, entry, entries, text, fold) if approved is None else approved
        for hit in re.finditer(re.escape(letters), joined):
            start, end = kept[hit.start()], kept[hit.end() - 1] + 1
            before, after = text[:start][-1:], re.match(r"(?:e?s)?(.?)", text[end:]).group(1)  # (plurals too)
            if (before.isalpha() or after.isalpha() or _SENTENCE_END_RE.search(untagged, start, end)
                    or marks and "|" in untagged[start:end]  # "| Propaganda | (1) |\n| Department |"
                    or any(s <= start and end <= e for s, e in approved)):
                continue
            return start, end
    return None


# a note's mark between the words of a forbidden rendering is read past too: a footnote's or a reference's
# ("[^1]", "[^note]", "[1]", "[a]", "[sic]"), a superscript's ("^1^", "<sup>a</sup>"), a numbered one's ("(1)")
_MARK_RE = re.compile(r"\[\^[^\[\]\s]{1,20}\]|\[[^\[\]\s]{1,4}\]|\^[^^\s]{1,4}\^|\([^()\s]{1,4}\)|\{[^{}\s]{1,4}\}"
                      r"|<su[pb]\b[^<>]{0,40}>[^<>]{0,8}</su[pb]\s*>", re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def _letters_of(text: str, marks: bool = False) -> tuple[str, list[int], str]:
    """The text with its tags (and with `marks`, its notes' marks) blanked, each character where it was, where its
    letters and digits are, and those in a row: read once a text, for every rendering looked for in it."""
    untagged = _TAG_RE.sub(_blank, _MARK_RE.sub(_blank, text) if marks else text)
    kept = [i for i, c in enumerate(untagged) if c.isalnum()]
    return untagged, kept, "".join(text[i] for i in kept)


def _blank(found: re.Match) -> str:
    return " " * len(found.group())


def _approved_spans(banned: str, entry: Entry, entries: list[Entry], text: str, fold: bool) -> list[tuple[int, int]]:
    """Where the approved renderings of the segment's terms that could hold `banned` are in `text`; a rendering
    another line forbids protects nothing (the glossary is in conflict), nor one of a term holding `entry`'s: that
    rendering renders it ("propaganda departments" for 宣传部门 says "Propaganda Department" for its 宣传部)."""
    form = term_form(entry.zh)
    renderings = {normal(v, fold) for e in entries for v in (e.en, e.en[:1].upper() + e.en[1:])
                  if e.en and (e is entry or normal(e.en, fold) != banned and form not in term_form(e.zh))}
    return [span for en in renderings if en for span in _occurrences(en, text)]


def _occurrences(needle: str, text: str) -> Iterator[tuple[int, int]]:
    """Where `needle` is in `text`, left to right, not overlapping (as re.finditer of it finds it, without a
    pattern compiled, and soon compiled again, for each of a glossary's renderings)."""
    at = text.find(needle)
    while at >= 0:
        yield at, at + len(needle)
        at = text.find(needle, at + len(needle))


def forbidden_message(found: str, entry: Entry) -> str:
    if not entry.en:  # a line whose English is still to be filled in
        return f"\"{found}\" is a forbidden rendering of {entry.zh} (glossary {entry.place}, no approved rendering yet)"
    return f"\"{found}\" is a forbidden rendering of {entry.zh}; write \"{entry.en}\""


def check_numbers(source: str, target: str, glossary: Glossary) -> list[dict]:
    """Numbers, amounts, percentages and dates of the source (outside glossary terms) missing in the English."""
    opening = list_numbers.chinese(source)  # check_list_number's, in whatever form the English numbers it
    plain = _without_terms(" " * opening.end + source[opening.end:] if opening else source, glossary)
    found = numbers.source_quantities(plain)
    values = numbers.target_numbers(target)
    dates = numbers.target_date_keys(target)
    issues = []
    for key, written in found.dates:
        if key not in dates:
            issues.append(_issue("number", f"date {written} ({numbers.describe(key)}) is missing or "
                                           "different in the English"))
    for value, written in found.numbers:
        if round(value, 6) not in values:
            issues.append(_issue("number", f"{written} ({value:.15g}) is missing or different in the English"))
    return issues


def check_added_numbers(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A number or date the English writes in digits that the Chinese holds in no form: an engine's invention
    or an edit ("extended to February 28, 2027") would publish a fact no one issued. Digits inside a glossary
    rendering ("14th Five-Year Plan") or an address (which check_addresses compares) are not read."""
    have, terms = numbers.source_values(source), _terms_of(source, glossary)
    skip = [(s, e) for spans in _rendering_spans(target, terms).values() for s, e in spans]
    # a term written with another number ("Article 4" for 第三条) is check_terms' to report
    skip += [m.span() for entry in terms if re.search(r"\d", entry.en)
             for m in re.finditer(re.sub(r"\d+", r"\\d+", re.escape(entry.en)), target, re.I)]
    skip += [m.span() for m in ADDRESS_RE.finditer(target)]
    added = [(s, e) for s, e, values in numbers.target_written_numbers(target)
             if not values & have and not any(a < e and s < b for a, b in skip)]
    shown = dict.fromkeys(_date_around(target, s, e) or target[s:e] for s, e in added)
    return [_issue("number", f"{written} is in the English but not in the Chinese: check that the English "
                             "adds no number or date") for written in shown]


def _terms_of(source: str, glossary: Glossary) -> list[Entry]:
    return list({m.entry.zh: m.entry for m in glossary.all_matches(source) if m.entry.en}.values())


def _date_around(text: str, start: int, end: int) -> str | None:
    """The whole date a number is part of (February 28, 2027), so a message names the date, once."""
    for regex, _ in numbers.TGT_DATE_RES[:3]:
        for m in regex.finditer(text):
            if m.start() <= start and end <= m.end():
                return m.group(0)
    return None


def check_list_number(source: str, target: str, glossary: Glossary) -> list[dict]:
    """The number a list item or heading opens with (三、, （三）, (3), 3.) not the English's first: readers
    cite measures by it, and a lone numeral is no quantity the number check reads."""
    found = list_numbers.mismatch(source, target)
    if found is None:
        return []
    number, written = found
    if written is None:
        return [_issue("number", f"list number {number.shown} is missing at the start of the "
                                 f"English: begin it with \"{number.english}\" as the Chinese begins with it")]
    return [_issue("number", f"list number {number.shown} reads \"{written}\" in the English: "
                             f"number it {number.value} as the Chinese does (\"{number.english}\")")]


def check_roles(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A date or number in the opposite role in the English (the start date as the end, the maximum stay as
    the notice period): every value is still there, so check_numbers cannot see the swap."""
    issues = []
    for zh, en in roles.swapped(source, target, glossary):
        what = "dates" if zh.kind == "date" else "numbers"
        issues.append(_issue("swapped", f"{zh.written} is {roles.describe(zh.kind, zh.roles)} in the Chinese "
                                        f"(\"{zh.context}\") but {roles.describe(en.kind, en.roles)} in the "
                                        f"English (\"{en.context}\"): check whether the {what} changed places"))
    return issues


def check_doc_numbers(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A document number (〔2024〕11号) whose year and serial are not both in their places in the English."""
    issues = []
    for written, (year, serial), forms in roles.doc_numbers_changed(source, target, glossary):
        found = ", ".join(f"\"{f}\"" for f in forms)
        issues.append(_issue("number", f"document number {written} reads {found} in the English: write the year "
                                       f"{year} and No. {serial} (\"[{year}] No. {serial}\")"))
    return issues


def check_percent_points(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A change in percentage points (个百分点) written as a percentage in the English, or the reverse: the
    value is the same, so check_numbers cannot see that the amount changed."""
    wanted, points, percents = numbers.percent_kinds(_without_terms(source, glossary), target)
    issues = []
    for value, kind in dict.fromkeys(wanted):
        mine, other = (points, percents) if kind == "points" else (percents, points)
        if value in other and value not in mine:
            said, meant = ("percent", "percentage points") if kind == "points" else ("percentage points", "percent")
            shown = f"{value:.15g}"
            issues.append(_issue("number", f"{shown} {meant} in the Chinese reads {shown} {said} in the English, "
                                           f"not the same amount: write \"{shown} {meant}\""))
    return issues


def check_percent_units(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A percentage of the Chinese the English writes with no percent ("15 times" for 15%), or an amount of yuan
    the English gives as a percentage: every value is still there, so check_numbers cannot see that amounts
    and rates traded places."""
    plain = _without_terms(source, glossary)
    wanted, points, percents = numbers.percent_kinds(plain, target)
    written = numbers.target_numbers(target)
    issues = [_issue("number", f"{value:.15g}% in the Chinese has no percent in the English: write \"{value:.15g}%\" "
                               f"or \"{value:.15g} percent\"")
              for value, kind in dict.fromkeys(wanted) if kind == "percent" and value in written
              and value not in percents and value not in points]
    rates = {value for value, _ in wanted}
    issues += [_issue("number", f"{value:.15g} is an amount in yuan in the Chinese but a percentage in the English")
               for value in sorted(percents & numbers.money_values(plain) - rates)]
    per_mille, written_per_mille = numbers.per_mille(plain, target)
    issues += [_issue("number", f"{value:.15g}‰ (per thousand) in the Chinese reads {value:.15g}% in the English, "
                                f"ten times as much: write \"{value:.15g}‰\" or \"{value:.15g} per thousand\"")
               for value in dict.fromkeys(per_mille) if value in percents and value not in written_per_mille]
    return issues


def check_negation(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A prohibition (不得, 禁止, 不予) whose English says no kind of "not": it reads as a permission."""
    word = negation.dropped(_without_terms(source, glossary, keep_length=True), target)
    if word is None:
        return []
    return [_issue("negation", f"the Chinese says {word} (not, prohibited) but the English has no \"not\", "
                               "\"no\" or \"prohibited\": check that it still forbids what the Chinese forbids")]


def _without_terms(source: str, glossary: Glossary, keep_length: bool = False) -> str:
    """The source with glossary terms blanked: their numbers come with the approved rendering. keep_length
    blanks each character, for checks that read where a word sits in the segment."""
    out, pos = [], 0
    for m in glossary.matches(source):
        out.append(source[pos:m.start] + " " * ((m.end - m.start) if keep_length else 1))
        pos = m.end
    out.append(source[pos:])
    return "".join(out)


def check_addresses(source: str, target: str, glossary: Glossary) -> list[dict]:
    """Every URL and email address of the source (those of links and code check_markdown compares) copied
    unchanged into the English: a changed or dropped one sends readers elsewhere, or nowhere."""
    written = set(ADDRESS_RE.findall(target))
    schemeless = {w.split("://", 1)[-1] for w in written}  # www.qzwb.com may be written https://www.qzwb.com
    wanted = dict.fromkeys(source[s:e] for s, e, kind in _protected_spans(source) if kind == "url")
    missing = [_issue("address", f"{a} is missing or changed in the English: copy it as it is")
               for a in wanted if a not in written and not (a.startswith("www.") and a in schemeless)]
    # one the Chinese does not hold sends readers where no one asked (an engine's invention, a planted link)
    added = [_issue("address", f"{a} is in the English but not in the Chinese: remove it")
             for a in dict.fromkeys(ADDRESS_RE.findall(target)) if a not in source and a.split("://", 1)[-1]
             not in ADDRESS_RE.findall(source)]
    return missing or added


def check_lines(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A line break or table pipe the Chinese has not: on the page it ends the heading, list item or table row
    the segment is in, and what follows becomes a paragraph, heading or cell of its own."""
    issues = []
    if "\r" in target.strip():  # a line break to Markdown, and a terminal shows only what follows it on the line
        issues.append(_issue("markdown", "the English holds a carriage return (\\r): on the page it breaks the "
                                         "line, and a terminal hides what comes before it; remove it"))
    elif "\n" in target.strip() and "\n" not in source.strip():
        issues.append(_issue("markdown", "the English breaks the line where the Chinese does not: on the page "
                                         "it starts a new line, paragraph or heading; join the lines"))
    if len(PIPE_RE.findall(target)) > len(PIPE_RE.findall(source)):
        issues.append(_issue("markdown", "a | in the English splits a table cell on the page: write \\| or "
                                         "another word"))
    return issues


def check_blocks(source: str, target: str, glossary: Glossary) -> list[dict]:
    """English opening with Markdown the Chinese does not open with (`# `, `> `, `- `, a fence): on the page
    the segment becomes a heading, quote, list item or code block of its own."""
    found = BLOCK_RE.match(target)
    if found is None or BLOCK_RE.match(source):
        return []
    return [_issue("markdown", f"the English opens with \"{found.group(0).strip()}\", which makes it a heading, "
                               "quote, list or code block on the page: remove it")]


def check_html(source: str, target: str, glossary: Glossary) -> list[dict]:
    """HTML tags the Chinese has not: pages show them as text (`<script>…`), which no reader should see."""
    added = [tag for tag in dict.fromkeys(HTML_TAG_RE.findall(target)) if tag not in source]
    if not added:
        return []
    return [_issue("markdown", f"HTML in the English shows as text on the page: {' '.join(added)[:80]}; "
                               "remove it")]


def check_bidi(source: str, target: str, glossary: Glossary) -> list[dict]:
    """Invisible direction controls the Chinese has not: they reorder what readers see (U+202E shows the text
    after it backwards), so the page need not say what the English seems to hold."""
    found = [f"U+{ord(c):04X}" for c in dict.fromkeys(BIDI_RE.findall(target)) if c not in source]
    if not found:
        return []
    return [_issue("characters", f"invisible direction controls ({', '.join(found)}) in the English change the "
                                 "order readers see: remove them")]


def check_cjk(source: str, target: str, glossary: Glossary) -> list[dict]:
    found = CJK_RE.findall(target)
    if not found:
        return []
    return [_issue("chinese", "Chinese characters or full-width punctuation left in the English: "
                              + " ".join(dict.fromkeys(found)))]


def check_script(source: str, target: str, glossary: Glossary) -> list[dict]:
    """Korean, Japanese kana, Cyrillic… in the English that the Chinese does not hold: the engine answered in
    another language (the Chinese left in is check_cjk's)."""
    issues = []
    for name, regex in OTHER_SCRIPT_RE.items():
        if found := [w for w in dict.fromkeys(regex.findall(target)) if w not in source]:
            issues.append(_issue("language", f"{name} in the English ({' '.join(found)[:60]}): it is not "
                                             "English; translate this segment"))
    return issues


def check_debris(source: str, target: str, glossary: Glossary) -> list[dict]:
    hit = DEBRIS_RE.search(target) or CORE_RE.search(target)
    if hit is None:
        return []
    return [_issue("placeholder", f"placeholder debris {hit.group(0)!r} left in the English")]


def bracketed(text: str, images: bool) -> int:
    """How many links (`[a](b)`, not after `!`) or images (`![a](b)`) the text holds: a `[`, the first `]` after
    it, `(` at once, the first `)` after that (as the patterns counting them did). Each `[` is looked at once, the
    `]` and `)` found once for all the `[` before them: the patterns scanned the rest of the text from every `[`,
    minutes on a run of them."""
    found, pos, close, end = 0, 0, -1, -1
    while (start := text.find("[", pos)) >= 0:
        if (text[start - 1:start] == "!") != images:
            pos = start + 1
            continue
        if close <= start:
            close = text.find("]", start + 1)
            if close < 0:
                return found
        if text[close + 1:close + 2] != "(":
            pos = start + 1
            continue
        if end < close + 2:
            end = text.find(")", close + 2)
            if end < 0:
                return found
        found, pos = found + 1, end + 1
    return found


MARKDOWN: dict[str, Callable[[str], int]] = {  # what the English keeps as many of as the source holds
    "links": lambda text: bracketed(text, images=False),
    "images": lambda text: bracketed(text, images=True),
    "inline code": lambda text: len(INLINE_CODE_RE.findall(text)),
    "bold": lambda text: len(BOLD_RE.findall(text)),
    "italics": lambda text: len(ITALICS_RE.findall(text)),
}


def check_markdown(source: str, target: str, glossary: Glossary) -> list[dict]:
    issues = []
    for name, count in MARKDOWN.items():
        n_src, n_tgt = count(source), count(target)
        if n_src != n_tgt:
            issues.append(_issue("markdown", f"{name}: {n_src} in the source, {n_tgt} in the English"))
    lost = set(LINK_TARGET_RE.findall(source)) - set(LINK_TARGET_RE.findall(target))
    if lost:
        issues.append(_issue("markdown", "link target changed or missing: " + ", ".join(sorted(lost))))
    code = [c for c in INLINE_CODE_RE.findall(source) if c not in target]
    if code:
        issues.append(_issue("markdown", "inline code changed: " + ", ".join(code)))
    return issues


def check_length(source: str, target: str, glossary: Glossary) -> list[dict]:
    """Far from the expected length (terms at their rendering's length, other Chinese ~3 chars each)."""
    plain = _prose(source)
    if len(plain) < MIN_LENGTH:
        return []
    terms = glossary.matches(plain)
    expected = sum(len(m.entry.en) for m in terms) + CHARS_PER_HANZI * (len(plain) - sum(m.end - m.start
                                                                                         for m in terms))
    ratio = len(_prose(target)) / expected
    if MIN_RATIO <= ratio <= MAX_RATIO:
        return []
    what = "short" if ratio < MIN_RATIO else "long"
    return [_issue("length", f"the English is suspiciously {what} ({len(_prose(target))} characters where "
                             f"about {expected:.0f} are expected)")]


def _prose(text: str) -> str:
    for start, end, _ in reversed(_protected_spans(text)):
        text = text[:start] + text[end:]
    return re.sub(r"\s+", " ", text).strip()


def check_spacing(source: str, target: str, glossary: Glossary) -> list[dict]:
    """Double spaces, a space before `. , ; : ! ? )` or after `(`, quotes glued to words."""
    plain = repair.shield(target)
    if plain is None:
        return []
    text, kept = plain
    found = [(repair.DOUBLE_SPACE_RE, "double space"), (repair.SPACE_BEFORE_RE, "space before punctuation"),
             (repair.SPACE_AFTER_RE, "space after an opening bracket"),
             (GLUED_QUOTE_RE, "quotation mark without a space")]
    return [_issue("spacing", f"{what}: \"{_context(text, hit, kept)}\"")
            for regex, what in found if (hit := regex.search(text))]


def _context(text: str, hit: re.Match, kept: list[str]) -> str:
    """A few words around a hit, as the reviewer will find them in the English."""
    start, end = max(0, hit.start() - 20), min(len(text), hit.end() + 12)
    return ("…" if start else "") + repair.unshield(text[start:end], kept) + ("…" if end < len(text) else "")


def check_emphasis(source: str, target: str, glossary: Glossary) -> list[dict]:
    """Emphasis and link brackets that will not render: unbalanced, or padded (`** x **`)."""
    plain, src = repair.shield(target), repair.shield(source)
    if plain is None or src is None:
        return []
    issues = []
    for marker in repair.MARKERS:
        found = repair.pairs(plain[0], marker)
        if found is None and repair.pairs(src[0], marker):  # a lone `*` of the English alone shows as it is
            issues.append(_issue("markdown", f"unbalanced {_name(marker)}: a {marker} has no partner"))
        elif found and any(repair.padded(plain[0], p) for p in found) and (
                marker in ("**", "__") or repair.tight_in_source(source, marker, 2 * len(found))):
            pair = next(p for p in found if repair.padded(plain[0], p))
            shown = repair.unshield(plain[0][pair[0]:pair[3]], plain[1])
            issues.append(_issue("markdown", f"spaces inside {_name(marker)} keep it from showing: \"{shown}\""))
    return issues


def _name(marker: str) -> str:
    return {"**": "bold", "__": "bold", "*": "italics", "_": "italics", "[": "link brackets"}[marker]


def check_repeats(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A glossary rendering more often in the English than its term in the Chinese, twice in a row
    (`work permit work permit`, `airport and airport`): an engine repeating a placeholder. English
    may name a thing again where Chinese says 该 or 来泉, so a repetition at a distance is left alone."""
    wanted: dict[str, int] = {}
    entries = {}
    for m in _term_matches(source, glossary):
        wanted[m.entry.zh] = wanted.get(m.entry.zh, 0) + 1
        entries[m.entry.zh] = m.entry
    issues = []
    for zh, spans in _rendering_spans(target, entries.values()).items():
        gaps = [target[a[1]:b[0]] for a, b in zip(spans, spans[1:], strict=False)]
        if len(spans) > wanted[zh] and any(REPEAT_GAP_RE.fullmatch(gap) for gap in gaps):
            issues.append(_issue("repeated", f"\"{entries[zh].en}\" twice in a row; {zh} occurs {wanted[zh]} "
                                             f"time(s) in the Chinese and {len(spans)} in the English"))
    return issues


def _rendering_spans(target: str, entries) -> dict[str, list[tuple[int, int]]]:
    """Where each rendering occurs (plurals too), in order; a longer rendering hides those inside it."""
    hits = [(m.start(), m.end(), e.zh) for e in entries
            for m in re.finditer(rf"(?<!\w){re.escape(e.en)}(?:s|es)?(?!\w)", target, re.IGNORECASE)]
    taken: list[tuple[int, int, str]] = []
    for start, end, zh in sorted(hits, key=lambda h: h[0] - h[1]):
        if not any(s < end and start < e for s, e, _ in taken):
            taken.append((start, end, zh))
    spans: dict[str, list[tuple[int, int]]] = {}
    for start, end, zh in sorted(taken):
        spans.setdefault(zh, []).append((start, end))
    return spans


def check_fragments(source: str, target: str, glossary: Glossary) -> list[dict]:
    """A lone `s`, `es` or `'s` cut off the word before it (`work permit s`)."""
    plain = repair.shield(target)
    hit = FRAGMENT_RE.search(plain[0]) if plain else None
    if hit is None:
        return []
    return [_issue("fragment", f"\"{hit.group(1)}\" stands alone: \"{_context(plain[0], hit, plain[1])}\"; "
                               "join it to the word before")]
