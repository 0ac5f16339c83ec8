"""Tidy what engines do around restored terms and Markdown, so reviewers get clean English.

Engines pad placeholders and Markdown markers with spaces: `work permit s`, `** x **`,
`e-CNY .`. `repair` undoes exactly these, deterministically: it is idempotent, never changes
code spans, link targets or URLs, and returns text without such artifacts unchanged. What it
cannot decide safely is left for the QA checks (`zaitun.translate.checks`) to flag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from zaitun.translate.masking import _protected_spans

SHIELD_BASE = 0xE000  # private-use characters stand for protected spans while repairing
SHIELD_RE = re.compile("[\ue000-\uf8ff]")
DOUBLE_SPACE_RE = re.compile(r"(?<=\S) {2,}(?=\S)")  # two spaces before a newline are a hard break
SPACE_BEFORE_RE = re.compile(r"(?<=[^\s(\[])[ \t]+([.,;:!?)])(?![\w\ue000-\uf8ff])")
SPACE_AFTER_RE = re.compile(r"\([ \t]+(?=[^\s)])")
LINK_GAP_RE = re.compile(r"\][ \t]+\(")
MARKERS = {  # emphasis delimiters, each not part of a longer run and not inside a word (for `_`)
    "**": re.compile(r"(?<!\*)\*\*(?!\*)"),
    "__": re.compile(r"(?<![_\w])__(?!_)|(?<!_)__(?![_\w])"),
    "*": re.compile(r"(?<!\*)\*(?!\*)"),
    "_": re.compile(r"(?<![_\w])_(?!_)|(?<!_)_(?![_\w])"),
    "[": re.compile(r"[\[\]]"),  # link text
}
PLURAL_ENDINGS = ("s", "x", "z", "ch", "sh")  # a term ending so takes "es"


def repair(text: str, source: str, terms: Iterable[str] = ()) -> str:
    """`text` with engine spacing artifacts removed; `source` is the Chinese it translates and
    `terms` the renderings restored into it."""
    shielded = shield(text)
    if shielded is None:
        return text
    plain, kept = shielded
    for step in _steps(source, terms):
        plain = step(plain)
    return unshield(plain, kept)


def _steps(source: str, terms: Iterable[str]) -> list[Callable[[str], str]]:
    return [lambda t: join_plurals(t, terms), lambda t: tighten_pairs(t, source),
            lambda t: SPACE_AFTER_RE.sub("(", SPACE_BEFORE_RE.sub(r"\1", t)),
            lambda t: DOUBLE_SPACE_RE.sub(" ", t)]


def shield(text: str) -> tuple[str, list[str]] | None:
    """Code spans, link targets and URLs replaced by one private-use character each; None when
    the text already holds such characters (then nothing can be repaired safely)."""
    if SHIELD_RE.search(text):
        return None
    spans = _protected_spans(text)
    if len(spans) > 0xF8FF - SHIELD_BASE:
        return None
    out, kept, pos = [], [], 0
    for start, end, _ in spans:
        out.append(text[pos:start] + chr(SHIELD_BASE + len(kept)))
        kept.append(text[start:end])
        pos = end
    out.append(text[pos:])
    return "".join(out), kept


def unshield(text: str, kept: list[str]) -> str:
    return SHIELD_RE.sub(lambda m: kept[ord(m.group(0)) - SHIELD_BASE], text)


def join_plurals(text: str, terms: Iterable[str]) -> str:
    """`work permit s` -> `work permits`: a lone ending after a restored term belongs to it."""
    for term in sorted(set(terms), key=len, reverse=True):
        endings = r"s|['’]s|es" if term.endswith(PLURAL_ENDINGS) else r"s|['’]s"
        text = re.sub(rf"(?<!\w)({re.escape(term)}) +({endings})(?![\w'’])", r"\1\2", text, flags=re.IGNORECASE)
    return text


def pairs(text: str, marker: str) -> list[tuple[int, int, int, int]] | None:
    """(open start, open end, close start, close end) of each `marker` pair in order (`[` pairs
    with `]`); None when the markers do not pair up."""
    found = [(m.start(), m.end(), m.group(0)) for m in MARKERS[marker].finditer(text)]
    if len(found) % 2 or (marker == "[" and any(f[2] != "[]"[i % 2] for i, f in enumerate(found))):
        return None
    return [(*found[i][:2], *found[i + 1][:2]) for i in range(0, len(found), 2)]


def padded(text: str, pair: tuple[int, int, int, int]) -> bool:
    """Whether a marker pair has spaces just inside it (`** x **`), which Markdown does not render."""
    inner = text[pair[1]:pair[2]]
    return bool(inner.strip()) and "\n" not in inner and inner != inner.strip(" ")


def tight_in_source(source: str, marker: str, count: int) -> bool:
    """The Chinese has `count` such markers, paired and tight: so should the English."""
    plain = shield(source)
    found = pairs(plain[0], marker) if plain else None
    return found is not None and 2 * len(found) == count and not any(padded(plain[0], p) for p in found)


def tighten_pairs(text: str, source: str) -> str:
    """`** x **` -> `**x**`, `[ x ] (url)` -> `[x](url)`, for each kind of marker the Chinese
    has, tight, as often."""
    for marker in MARKERS:
        found = pairs(text, marker)
        if not found or not tight_in_source(source, marker, 2 * len(found)):
            continue
        for pair in reversed(found):
            if padded(text, pair):
                inner = text[pair[1]:pair[2]].strip(" ")
                text = text[:pair[1]] + inner + text[pair[2]:]
        if marker == "[":
            text = LINK_GAP_RE.sub("](", text)
    return text
