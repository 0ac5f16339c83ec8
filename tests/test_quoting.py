"""Quoting long texts in messages: start and end kept around "…", within the budget however counted."""

import json

from hypothesis import given
from hypothesis import strategies as st

from zaitun.review.quoting import shortened


def escaped(char: str) -> int:
    """Bytes of a character in JSON, as the review UI's session cookie counts them."""
    return len(json.dumps(char)) - 2


@given(text=st.text(), budget=st.integers(10, 400), in_bytes=st.booleans())
def test_a_shortened_text_keeps_its_start_and_end_within_the_budget(text, budget, in_bytes):
    cost = escaped if in_bytes else len
    short = shortened(text, budget, cost)
    assert sum(map(cost, short)) <= budget
    if sum(map(cost, text)) <= budget:
        assert short == text
    else:  # some "…" in it is the one put in (the text may hold its own)
        assert any(text.startswith(short[:i]) and text.endswith(short[i + 1:])
                   for i, char in enumerate(short) if char == "…")
