"""Protect what an engine must not translate, and put it back afterwards.

Glossary terms, URLs and email addresses, inline code spans and link targets become
placeholders `{ZT1}`, `{ZT2}`... before the engine sees the text; afterwards each placeholder is
replaced by the approved rendering (or the original URL, address or code). Engines damage
placeholders, so restoring accepts added spaces, changed case and other brackets
(`zaitun.translate.repair` tidies the spacing left around them); a placeholder the engine
dropped, duplicated or invented is reported as an issue instead of being silently lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zaitun.translate.glossary import Glossary

CODE_RE = re.compile(r"`[^`\n]+`")
LINK_TARGET_RE = re.compile(r"(?<=\])\([^()\s]+(?:\s+\"[^\"]*\")?\)")
URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+[A-Za-z0-9/#=_\-~]")
WWW_RE = re.compile(r"(?<![A-Za-z0-9.@/-])www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
                    r"(?:/(?:[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*[A-Za-z0-9/#=_\-~])?)?")
EMAIL_RE = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
ADDRESS_RE = re.compile("|".join(r.pattern for r in (URL_RE, WWW_RE, EMAIL_RE)))  # copied as they are
CORE_RE = re.compile(r"(?<![A-Za-z])[zｚ]\s?[tｔ]\s?[-_#:]?\s?(\d{1,4})(?!\d)", re.IGNORECASE)  # \d: full-width too
OPENERS = "[{(<⟦【（「〔｛［＜"
CLOSERS = "]})>⟧】）」〕｝］＞"
OPENERS_OF_SENTENCE = "*_#>\"“([-"  # what may stand, with blanks, between a sentence's start and its first word


@dataclass(frozen=True)
class Protected:
    """What a placeholder stands for: the text to restore and where it came from."""

    restore: str
    original: str
    kind: str  # term | url | code | link


@dataclass
class Masked:
    """A masked text and what each placeholder number stands for."""

    text: str
    slots: dict[int, Protected] = field(default_factory=dict)


def placeholder(n: int) -> str:
    return "{ZT" + str(n) + "}"


def _protected_spans(text: str) -> list[tuple[int, int, str]]:
    """Code spans, link targets and bare URLs and email addresses, without overlaps, in text order."""
    spans: list[tuple[int, int, str]] = []
    taken = [False] * (len(text) + 1)
    for regex, kind in ((CODE_RE, "code"), (LINK_TARGET_RE, "link"), (ADDRESS_RE, "url")):
        for m in regex.finditer(text):
            if not any(taken[m.start():m.end()]):
                spans.append((m.start(), m.end(), kind))
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
    return sorted(spans)


def mask(text: str, glossary: Glossary) -> Masked:
    """Replace protected spans and glossary terms by numbered placeholders."""
    spans = _protected_spans(text)
    covered = set()
    for start, end, _ in spans:
        covered.update(range(start, end))
    renderings = {}  # start -> approved English of the term or structure label there
    for m in glossary.matches(text):
        if not covered.intersection(range(m.start, m.end)):
            spans.append((m.start, m.end, "term"))
            renderings[m.start] = m.entry.en
    spans.sort()
    out, slots, pos = [], {}, 0
    for n, (start, end, kind) in enumerate(spans, start=1):
        original = text[start:end]
        restore = renderings[start] if kind == "term" else original
        slots[n] = Protected(restore, original, kind)
        out.append(text[pos:start])
        out.append(placeholder(n))
        pos = end
    out.append(text[pos:])
    return Masked("".join(out), slots)


def _find_placeholders(text: str) -> list[tuple[int, int, int]]:
    """(start, end, number) of each placeholder, however the engine bracketed or spaced it."""
    found = []
    for m in CORE_RE.finditer(text):
        start, end = m.start(), m.end()
        for _ in range(2):  # a pair of brackets on each side, of any kind
            left, right = _skip_spaces(text, start, -1), _skip_spaces(text, end, 1)
            if left > 0 and text[left - 1] in OPENERS and right < len(text) and text[right] in CLOSERS:
                start, end = left - 1, right + 1
            else:
                break
        left, right = _skip_spaces(text, start, -1), _skip_spaces(text, end, 1)
        if left > 0 and text[left - 1] == "{":  # our own brackets, even unpaired
            start = left - 1
        if right < len(text) and text[right] == "}":
            end = right + 1
        found.append((start, end, int(m.group(1))))
    return found


def _skip_spaces(text: str, i: int, step: int) -> int:
    if step < 0:
        while i > 0 and text[i - 1] == " ":
            i -= 1
    else:
        while i < len(text) and text[i] == " ":
            i += 1
    return i


def restore(target: str, masked: Masked) -> tuple[str, list[dict]]:
    """Put the protected texts back; return the text and issues for dropped or extra placeholders."""
    found = _find_placeholders(target)
    issues: list[dict] = []
    counts: dict[int, int] = {}
    out, pos = [], 0
    for start, end, n in found:
        out.append(target[pos:start])
        pos = end
        slot = masked.slots.get(n)
        counts[n] = counts.get(n, 0) + 1
        if slot is None:
            issues.append({"check": "placeholder", "message": f"the engine invented placeholder {n}; removed it"})
            continue
        if slot.kind == "link" and out and re.search(r"\][ \t]+$", out[-1]):
            out[-1] = out[-1].rstrip(" \t")  # `[text] (url)` is no link: Markdown needs `[text](url)`
        out.append(_fit(slot, "".join(out), target[end:]))
    out.append(target[pos:])
    issues.extend(_count_issues(counts, masked))
    return "".join(out).strip(), issues  # the spacing around is tidied by `repair`


def opens_sentence(before: str) -> bool:
    """Whether a word after `before` starts a sentence: nothing but blanks and openers (`**`, `> `, `(`) stand
    between it and the text's start, a line break, or a stop and a blank. Read back from the end once (a pattern
    searched from every character cost minutes on a run of line breaks)."""
    start = len(before)
    while start and (before[start - 1].isspace() or before[start - 1] in OPENERS_OF_SENTENCE):
        start -= 1
    run = before[start:]
    return not start or "\n" in run or (before[start - 1] in ".!?" and run[:1].isspace())


def _fit(slot: Protected, before: str, after: str) -> str:
    """The text for one placeholder, capitalised at a sentence start and spaced from words."""
    text = slot.restore
    if slot.kind == "link":
        return text
    if slot.kind == "term" and opens_sentence(before) and text[:1].islower():
        text = text[0].upper() + text[1:]
    if before[-1:].isalnum():
        text = " " + text
    if after[:1].isalnum():
        text += " "
    return text


def _count_issues(counts: dict[int, int], masked: Masked) -> list[dict]:
    issues = []
    for n, slot in masked.slots.items():
        seen = counts.get(n, 0)
        what = f"{slot.original} ({slot.restore})" if slot.kind == "term" else slot.original
        if seen == 0:
            issues.append({"check": "placeholder", "message": f"the engine dropped {what}; add it back"})
        elif seen > 1:
            issues.append({"check": "placeholder", "message": f"the engine repeated {what} {seen} times"})
    return issues

