"""Quoting people's text in messages: a long text is shown by its start and its end around "…".

A refusal quoting a 900 KB draft stays a message a reviewer reads in a terminal, a note the audit
log keeps, and (in the review UI) part of a session cookie a browser does not drop.
"""

from __future__ import annotations

from collections.abc import Callable

QUOTE_CHARS = 300  # of a draft, a comment or a list of QA issues quoted in a refusal


def shortened(text: str, budget: int = QUOTE_CHARS, cost: Callable[[str], int] = len) -> str:
    """`text`, or its start and its end around "…", within `budget` as `cost` counts each character
    (one each, unless the caller counts, say, bytes of JSON)."""
    if _start_within(text, budget, cost) == text:
        return text
    room = budget - cost("…")
    return _start_within(text, room * 2 // 3, cost) + "…" + _start_within(text[::-1], room // 3, cost)[::-1]


def _start_within(text: str, budget: int, cost: Callable[[str], int]) -> str:
    """The longest start of `text` within `budget`: counting stops there, whatever the text's length."""
    used = 0
    for n, char in enumerate(text):
        used += cost(char)
        if used > budget:
            return text[:n]
    return text
