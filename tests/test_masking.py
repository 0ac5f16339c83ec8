"""Masking terms, URLs, code and link targets, and restoring them from damaged engine output."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from zaitun.translate.glossary import Entry, Glossary
from zaitun.translate.masking import mask, restore

TERMS = {"市委宣传部": "Publicity Department of the CPC Quanzhou Municipal Committee",
         "宣传部": "Publicity Department", "外国人": "foreign national",
         "晋江国际机场": "Quanzhou Jinjiang International Airport", "机场": "airport"}
GLOSSARY = Glossary([Entry(zh, en) for zh, en in TERMS.items()])


def test_terms_urls_code_and_link_targets_become_placeholders():
    m = mask("外国人请看`zaitun check`和[说明](https://a.example/x)或https://b.example/y。", GLOSSARY)
    assert m.text == "{ZT1}请看{ZT2}和[说明]{ZT3}或{ZT4}。"
    assert [s.kind for s in m.slots.values()] == ["term", "code", "link", "url"]


def test_term_inside_code_is_kept_as_code_and_a_url_ends_before_chinese():
    m = mask("`外国人` 和外国人见 https://x.example/a机场", GLOSSARY)
    assert m.text == "{ZT1} 和{ZT2}见 {ZT3}{ZT4}"
    assert [(s.kind, s.original) for s in m.slots.values()] == [
        ("code", "`外国人`"), ("term", "外国人"), ("url", "https://x.example/a"), ("term", "机场")]


def test_restore_puts_back_renderings_and_originals():
    m = mask("外国人请看[说明](https://a.example/x)。", GLOSSARY)
    text, issues = restore("{ZT1} please see [the notes] {ZT2}.", m)
    assert text == "Foreign national please see [the notes](https://a.example/x)."
    assert issues == []


def test_rendering_mid_sentence_keeps_its_lowercase():
    m = mask("在机场", GLOSSARY)
    assert restore("at the {ZT1}", m) == ("at the airport", [])
    assert restore("Where: {ZT1}", m) == ("Where: airport", [])
    assert restore("Done. {ZT1} next", m) == ("Done. Airport next", [])


def test_markdown_hard_break_survives_restoring():
    m = mask("在机场", GLOSSARY)
    assert restore("at the {ZT1}  \nthen", m) == ("at the airport  \nthen", [])


def test_restore_tolerates_spaces_case_brackets_and_moves():
    m = mask("外国人经机场", GLOSSARY)
    for damaged in ("via { zt 2 }, ( ZT1 )", "via [Zt2], <zt 1>", "via ZT 2, {{ZT1}}", "via 【ZT2】, ZT1}",
                    "via ｛ＺＴ２｝, {Z T1}"):
        text, issues = restore(damaged, m)
        assert text == "via airport, foreign national", damaged
        assert issues == []


def test_dropped_placeholder_is_reported():
    m = mask("外国人经机场", GLOSSARY)
    text, issues = restore("via {ZT2}", m)
    assert text == "via airport"
    assert issues == [{"check": "placeholder", "message": "the engine dropped 外国人 (foreign national); add it back"}]


def test_duplicated_and_invented_placeholders_are_reported():
    m = mask("机场", GLOSSARY)
    text, issues = restore("{ZT1} and {ZT1} {ZT7}", m)
    assert text == "Airport and airport"
    assert [i["message"] for i in issues] == ["the engine invented placeholder 7; removed it",
                                              "the engine repeated 机场 (airport) 2 times"]


def test_text_without_placeholders_is_unchanged():
    m = mask("请按时办理。", GLOSSARY)
    assert m.text == "请按时办理。" and m.slots == {}
    assert restore("Please apply on time.", m) == ("Please apply on time.", [])


def _damage(placeholder: str, style: int) -> str:
    n = re.search(r"\d+", placeholder).group(0)
    return ["{ZT%s}", "{ zt %s }", "(ZT%s)", "[Zt %s]", "<zt%s>", "ZT %s"][style] % n


words = st.sampled_from(list(TERMS) + ["发布", "通知", "可以", "停留", "，", "。", "10天", "请", "https://q.example/p"])


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_mask_then_restore_gives_back_every_protected_text(parts, rnd):
    source = "".join(parts)
    m = mask(source, GLOSSARY)
    placeholders = re.findall(r"\{ZT\d+\}", m.text)
    rnd.shuffle(placeholders)  # the engine reorders them and damages each
    engine_output = " filler ".join(_damage(p, rnd.randrange(6)) for p in placeholders) + " end"
    text, issues = restore(engine_output, m)
    assert issues == []
    assert not re.search(r"zt\s?\d", text, re.IGNORECASE)
    for slot in m.slots.values():
        assert slot.restore.casefold() in text.casefold()
    assert len(m.slots) == len(placeholders)
