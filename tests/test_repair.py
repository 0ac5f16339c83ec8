"""Repairing what engines do to spacing around restored terms and Markdown."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zaitun.translate.masking import CODE_RE, URL_RE
from zaitun.translate.repair import repair

TERMS = ["work permit", "residence permit", "e-CNY", "Home for Foreign Talent", "bus"]
SOURCE = "在外国人才之家咨询**工作许可**办理，详见[通知](https://a.example/x)。"


@pytest.mark.parametrize(("damaged", "clean"), [
    ("Foreign nationals may apply for work permit s and residence permit s at the hall.",
     "Foreign nationals may apply for work permits and residence permits at the hall."),
    ("Work permit 's holder", "Work permit's holder"),
    ("two bus es", "two buses"),
    ("advice on ** work permit ** applications.", "advice on **work permit** applications."),
    ("Travellers can pay with e-CNY .", "Travellers can pay with e-CNY."),
    ("apply ( in person ) , then wait ; ok : yes !", "apply (in person), then wait; ok: yes!"),
    ("see [ notice ] (https://a.example/x) .", "see [notice](https://a.example/x)."),
    ("two  spaces   here", "two spaces here"),
    ("a hard break  \nstays", "a hard break  \nstays"),
])
def test_engine_spacing_is_repaired(damaged, clean):
    assert repair(damaged, SOURCE, TERMS) == clean


@pytest.mark.parametrize("text", [
    "Run `zaitun  check .` now.",                   # code keeps its spaces
    "See https://a.example/x?q=a%20b#s now.",
    "It costs .5 yuan and runs on .NET.",            # a point before a digit or word is no full stop
    "a permit s",                                    # `s` after a word that is no restored term: flagged, not guessed
    "2 * 3 * 4",                                     # no emphasis in the Chinese: asterisks left alone
])
def test_text_that_is_not_an_artifact_is_left_alone(text):
    assert repair(text, SOURCE, TERMS) == text


def test_emphasis_the_chinese_did_not_have_tight_is_left_as_it_is():
    assert repair("a ** b ** c", "没有强调", TERMS) == "a ** b ** c"
    assert repair("a ** b ** c", "**强调**", TERMS) == "a **b** c"


# A sentence as a careful engine writes it, and as a careless one pads it.
WORDS = st.sampled_from(["apply", "the", "hall", "Quanzhou", "may", "visit", "ticket", "3", "No.5"])
CODE = st.sampled_from(["`zaitun  check .`", "`a ( b`", "`x ** y **`"])
URL = st.sampled_from(["https://a.example/x", "https://b.example/p?q=a,b"])
PUNCT = st.sampled_from([".", ",", ";", ":", "!", "?"])


@st.composite
def item(draw):
    kind = draw(st.sampled_from(["word", "term", "plural", "punct", "bold", "link", "code", "url", "paren"]))
    words = " ".join(draw(st.lists(WORDS, min_size=1, max_size=3)))
    pad = draw(st.sampled_from(["", " ", "  "]))
    if kind == "word":
        return words, words, "字"
    if kind in ("term", "plural"):
        term = draw(st.sampled_from(TERMS))
        ending = "es" if term == "bus" else "s"
        return (term, term, "词") if kind == "term" else (term + ending, f"{term}{pad or ' '}{ending}", "词")
    if kind == "punct":
        p = draw(PUNCT)
        return p, pad + p, "。"
    if kind == "bold":
        return f"**{words}**", f"**{pad}{words}{pad}**", "**强调**"
    if kind == "link":
        url = draw(URL)
        return f"[{words}]({url})", f"[{pad}{words}{pad}]{pad}({url})", f"[链接]({url})"
    if kind == "paren":
        return f"({words})", f"({pad}{words}{pad})", "（注）"
    code = draw(CODE) if kind == "code" else draw(URL)
    return code, code, code


@st.composite
def sentence(draw):
    """(clean English, the same with engine spacing artifacts, the Chinese)."""
    clean, damaged, source = "", "", ""
    for good, bad, src in draw(st.lists(item(), min_size=1, max_size=10)):
        punct = good in ".,;:!?"
        if punct and clean[-1:] in ("", *".,;:!?"):
            continue  # a mark never starts a sentence nor follows another here
        joint = "" if punct or not clean else " "
        clean += joint + good
        damaged += (joint + draw(st.sampled_from(["", " "])) if joint else "") + bad
        source += src + "字"
    return clean, damaged, source


def protected(text: str) -> list[str]:
    """Code spans and URLs, in order (a URL may become a link target when its link is tightened)."""
    return re.findall(f"{CODE_RE.pattern}|{URL_RE.pattern}", text)


@settings(max_examples=300, deadline=None)
@given(sentence())
def test_repair_turns_a_padded_sentence_into_the_careful_one(case):
    clean, damaged, source = case
    assert repair(damaged, source, TERMS) == clean


@settings(max_examples=300, deadline=None)
@given(sentence())
def test_a_careful_sentence_is_left_unchanged(case):
    clean, _, source = case
    assert repair(clean, source, TERMS) == clean


@settings(max_examples=300, deadline=None)
@given(st.one_of(sentence().map(lambda c: (c[1], c[2])),
                 st.tuples(st.text(alphabet=" *_[]().,;:!?sSe'`xyz\n字", max_size=40), st.just(SOURCE))))
def test_repair_is_idempotent_and_keeps_code_and_urls(case):
    text, source = case
    once = repair(text, source, TERMS)
    assert repair(once, source, TERMS) == once
    assert protected(once) == protected(text)
