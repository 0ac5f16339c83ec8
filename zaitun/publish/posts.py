"""Social post text: each platform's length rule, and truncation that never cuts a term.

X counts weighted characters (CJK 2, a URL 23) up to 280; Mastodon counts characters with a
URL as 23 up to 500; Bluesky counts graphemes up to 300. Text is cut at a sentence end if
one fits, else at a word (or Chinese clause) boundary, never inside a protected glossary term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zaitun.content.model import is_han

URL_RE = re.compile(r"https?://\S+")
SENTENCE_END = re.compile(r"[。！？!?；;]|[.](?=\s|$)")
CLAUSE_END = re.compile(r"[，、：,:]")
ELLIPSIS = "…"
# twitter-text v3: these code point ranges weigh 1, everything else 2.
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


@dataclass(frozen=True)
class Platform:
    name: str
    limit: int
    counter: str  # x | mastodon | graphemes | chars
    languages: tuple[str, ...] = ("zh", "en")
    hashtag_style: str = "#{}"


PLATFORMS: dict[str, Platform] = {p.name: p for p in (
    Platform("x", 280, "x"),
    Platform("mastodon", 500, "mastodon"),
    Platform("bluesky", 300, "graphemes"),
    Platform("weibo", 2000, "chars", ("zh",), "#{}#"),
    Platform("linkedin", 3000, "chars"),
    Platform("facebook", 63206, "chars"),
)}


def _x_weight(ch: str) -> int:
    code = ord(ch)
    return 1 if any(lo <= code <= hi for lo, hi in _LIGHT) else 2


def length(text: str, platform: Platform) -> int:
    """The length of text as the platform counts it."""
    if platform.counter == "graphemes":
        import regex  # for a post composed only: 10 ms of the start-up of every build otherwise

        return len(regex.findall(r"\X", text))
    if platform.counter == "chars":
        return len(text)
    urls = URL_RE.findall(text)
    rest = URL_RE.sub("", text)
    weight = sum(map(_x_weight, rest)) if platform.counter == "x" else len(rest)
    return weight + 23 * len(urls)


def term_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where protected terms occur in text (case-insensitive, overlaps kept)."""
    lowered = text.lower()
    spans = []
    for term in terms:
        needle = term.lower()
        start = lowered.find(needle) if needle else -1
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + 1)
    return spans


def cut_points(text: str, terms: list[str]) -> list[tuple[int, bool]]:
    """Positions text may be cut at, with whether the cut ends a sentence (no ellipsis needed)."""
    spans = term_spans(text, terms)

    def free(pos: int) -> bool:
        return not any(start < pos < end for start, end in spans)

    points = {m.end(): True for m in SENTENCE_END.finditer(text)}
    for m in CLAUSE_END.finditer(text):
        points.setdefault(m.end(), False)
    for m in re.finditer(r"\s+", text):
        points.setdefault(m.start(), False)
    for i in range(1, len(text)):  # Chinese has no spaces: any boundary between two CJK characters
        if is_han(text[i - 1]) and is_han(text[i]):
            points.setdefault(i, False)
    return sorted((p, s) for p, s in points.items() if 0 < p < len(text) and free(p))


def shorten(text: str, fits, terms: list[str]) -> str:
    """The longest cut of text for which fits(candidate) holds ('' if none does)."""
    text = text.strip()
    if fits(text):
        return text
    best = {True: "", False: ""}
    for pos, sentence in cut_points(text, terms):
        candidate = text[:pos].rstrip()
        candidate = candidate if sentence else candidate.rstrip("，、：,:;；") + ELLIPSIS
        if fits(candidate):
            best[sentence] = candidate
    # a whole sentence reads better than a longer cut-off one, unless it wastes most of the room
    longest = max(best.values(), key=len)
    return best[True] if len(best[True]) >= 0.6 * len(longest) else longest


def compose(text: str, url: str, hashtags: list[str], platform: Platform, terms: list[str]) -> str:
    """A post within the platform's limit: text, then hashtags, then the link. Hashtags go before the text is
    cut (the last first): a whole announcement says more than a tag; a text too long even without them is cut
    with them kept, as far as the text still fits beside them."""
    tags = [platform.hashtag_style.format(tag) for tag in hashtags]
    whole = text.strip()
    for kept in range(len(tags), -1, -1) if whole else ():  # the whole text, with as many hashtags as fit
        if length(whole + _tail(tags[:kept], url), platform) <= platform.limit:
            return whole + _tail(tags[:kept], url)
    while True:
        tail = _tail(tags, url)

        def fits(candidate: str, tail: str = tail) -> bool:
            return length(candidate + tail, platform) <= platform.limit

        body = shorten(text, fits, terms)
        if body or not tags:
            return (body + tail) if body else url
        tags = tags[:-1]


def _tail(tags: list[str], url: str) -> str:
    return ("\n\n" + " ".join(tags) if tags else "") + "\n" + url
