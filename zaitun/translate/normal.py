"""The one form in which renderings are compared: the words a reader sees, however they are typed.

A forbidden rendering must be caught however the English spaces, breaks, hyphenates or quotes it
("Propaganda  Department", a no-break space, "Propaganda-Department", a line break between the
words, "Foreigners’ Office"), and an approved one found the same way; so QA, the glossary's own
lint and the gate compare texts in this form. Runs of spaces of any kind, line breaks, hyphens and
dashes (and underscores) become one space; curly quotes, and the letters and accents drawn like an apostrophe,
straight; invisible characters (soft hyphens, zero-width
spaces) go; letters of any script drawn like Latin ones ("Prοpaganda" with an omicron, "Proρaganda" with a
rho) become those; letters are case-folded unless case is what a rule is about (MasterCard for Mastercard).
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path

QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                        # letters and accents drawn like an apostrophe: "Departmentʼs" (U+02BC) reads as "Department's"
                        "\u02bc": "'", "\u02bb": "'", "\u02bd": "'", "\u02b9": "'", "\u0060": "'", "\u00b4": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})
SEPARATOR = r"[\s_\-\u2010-\u2015\u2212\u2e3a\u2e3b]"  # NFKC has made every other space and dash one of these
# (an underscore joins words as a hyphen does: "Propaganda_Department" shows those words)
SEPARATORS_RE = re.compile(SEPARATOR + "+")
IS_SEPARATOR = re.compile(SEPARATOR).fullmatch


@functools.lru_cache(maxsize=4096)
def _character(c: str, fold: bool) -> str:
    if unicodedata.category(c) == "Cf":  # soft hyphen, zero-width space and joiners, byte order mark
        return ""
    c = unicodedata.normalize("NFKC", c).translate(QUOTES)
    if not c.isascii() and any(map(_may_look_latin, c)):  # (English of curly quotes and dashes loads no table)
        c = c.translate(_look_alikes())
    return c.casefold() if fold else c


def _may_look_latin(c: str) -> bool:
    """A letter beyond ASCII that is not drawn wide (a Chinese character never looks like a Latin letter)."""
    return c.isalpha() and unicodedata.east_asian_width(c) not in ("W", "F")


@functools.cache
def _look_alikes() -> dict[int, str]:
    """Each letter of any script that Unicode's confusables (UTS #39, as the confusable_homoglyphs package keeps
    them) list as drawn like a Latin letter, and that letter, of its own case where it has several: Greek rho and
    alpha, Cyrillic о, Armenian ո, Latin script ɡ and alpha. Read the first time a text holds a letter beyond ASCII
    (orjson: a tenth of json's time)."""
    import orjson
    from confusable_homoglyphs.utils import path

    pairs = [(char, entry["c"]) for char, listed in orjson.loads(Path(path("confusables.json")).read_bytes()).items()
             for entry in listed if len(char) == 1 == len(entry["c"])]
    latin: dict[str, set[str]] = {}  # Latin letters drawn like each other (I and l): a capital iota is an I
    for one, other in pairs:
        if one in LATIN and other in LATIN:
            latin.setdefault(one, set()).add(other)
            latin.setdefault(other, set()).add(one)
    alikes: dict[str, list[str]] = {}
    for pair in pairs:
        for letter, alike in (pair, pair[::-1]):
            # letters only (not digits, signs or the ideographic zero of 二〇二五)
            if letter in LATIN and not alike.isascii() and _may_look_latin(alike):
                alikes.setdefault(alike, []).extend([letter, *sorted(latin.get(letter, ()))])
    return {ord(alike): next((letter for letter in letters if letter.isupper() == alike.isupper()), letters[0])
            for alike, letters in alikes.items()}


LATIN = frozenset(string.ascii_letters)


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
