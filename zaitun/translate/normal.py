"""The one form in which renderings are compared: the words a reader sees, however they are typed.

A forbidden rendering must be caught however the English spaces, breaks, hyphenates or quotes it
("Propaganda  Department", a no-break space, "Propaganda-Department", a line break between the
words, "Foreigners’ Office"), and an approved one found the same way; so QA, the glossary's own
lint and the gate compare texts in this form. Runs of spaces of any kind, line breaks, hyphens and
dashes (and underscores) become one space; curly quotes, and the letters and accents drawn like an apostrophe,
straight; invisible characters (soft hyphens, zero-width
spaces) go; Greek and Cyrillic letters drawn like Latin ones ("Prοpaganda" with an omicron) become
those; letters are case-folded unless case is what a rule is about (MasterCard for Mastercard).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                        # letters and accents drawn like an apostrophe: "Departmentʼs" (U+02BC) reads as "Department's"
                        "\u02bc": "'", "\u02bb": "'", "\u02bd": "'", "\u02b9": "'", "\u0060": "'", "\u00b4": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})
# Greek and Cyrillic letters a reader cannot tell from Latin ones (after NFKC)
CONFUSABLES = str.maketrans("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧονАВЕЅІЈКМНОРСТХУаеіјорсхуѕԁһӏ",
                            "ABEZHIKMNOPTYXovABESIJKMHOPCTXYaeijopcxysdhl")
SEPARATOR = r"[\s_\-\u2010-\u2015\u2212\u2e3a\u2e3b]"  # NFKC has made every other space and dash one of these
# (an underscore joins words as a hyphen does: "Propaganda_Department" shows those words)
SEPARATORS_RE = re.compile(SEPARATOR + "+")
IS_SEPARATOR = re.compile(SEPARATOR).fullmatch


@functools.lru_cache(maxsize=4096)
def _character(c: str, fold: bool) -> str:
    if unicodedata.category(c) == "Cf":  # soft hyphen, zero-width space and joiners, byte order mark
        return ""
    c = unicodedata.normalize("NFKC", c).translate(QUOTES).translate(CONFUSABLES)
    return c.casefold() if fold else c


def normal(text: str, fold: bool = True) -> str:
    """`text` in the compared form; `fold=False` keeps case."""
    return _normal_short(text, fold) if len(text) <= SHORT else _normal(text, fold)


SHORT = 120  # characters: a rendering or a term, normalised again for every segment QA checks (held once each)


@functools.lru_cache(maxsize=16384)
def _normal_short(text: str, fold: bool) -> str:
    return _normal(text, fold)


def _normal(text: str, fold: bool) -> str:
    return SEPARATORS_RE.sub(" ", "".join(_character(c, fold) for c in text)).strip()


@dataclass(frozen=True)
class Normal:
    """A text in the compared form, knowing where each of its characters came from."""

    text: str
    origins: tuple[int, ...]  # for each character of `text`, its index in the original

    def original(self, written: str, start: int, end: int) -> str:
        """The original text of this form's [start, end)."""
        return written[self.origins[start]:self.origins[end - 1] + 1]


def normal_with_origins(text: str, fold: bool = True) -> Normal:
    """`normal(text, fold)` character by character, so a match in it can be shown as the text has it."""
    chars: list[str] = []
    origins: list[int] = []
    for i, c in enumerate(text):
        for d in _character(c, fold):
            if not IS_SEPARATOR(d):
                chars.append(d)
                origins.append(i)
            elif chars and chars[-1] != " ":  # a run becomes one space; leading ones go
                chars.append(" ")
                origins.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        origins.pop()
    return Normal("".join(chars), tuple(origins))


def case_matters(forbidden: str, approved: str) -> bool:
    """A forbidden spelling that differs from the approved rendering only in case (MasterCard for
    Mastercard) is matched with its case; any other is matched in any case."""
    return normal(forbidden) == normal(approved)
