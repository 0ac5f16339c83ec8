"""Fuzzy memory lookups: character similarity, the bigram index against a full scan, live updates."""

from __future__ import annotations

import random

from rapidfuzz import fuzz, process

from zaitun.translate.fuzzy import Entry, MemoryIndex, memory_index, normalise, similarity

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"


def sentence(rng: random.Random) -> str:
    return "".join(rng.choice(HAN) for _ in range(rng.randint(12, 40))) + "。"


def test_similarity_counts_characters_and_ignores_width_case_and_spaces():
    assert similarity("有效期至2026年12月31日", "有效期至2027年12月31日") == 93
    assert similarity("ＡＢＣ 有效", "abc有效") == 100
    assert normalise("１２ 月") == "12月"


def test_lookup_returns_the_best_entries_above_the_threshold_best_first():
    index = MemoryIndex([Entry("本措施自印发之日起施行，有效期至2026年12月31日。", "valid until December 31, 2026"),
                         Entry("本措施自印发之日起施行。", "in force on issue"),
                         Entry("外国人可以过境免签。", "visa-free transit")])
    found = index.lookup("本措施自印发之日起施行，有效期至2027年12月31日。", threshold=70)
    assert [m.target for m in found] == ["valid until December 31, 2026"]
    assert found[0].similarity == 96  # 27 of 28 characters in common: 2 * 27 / 56
    assert index.lookup("与此无关的句子。", threshold=70) == []


def test_the_index_finds_what_a_full_scan_finds():
    rng = random.Random(16)
    sources = list(dict.fromkeys(sentence(rng) for _ in range(3000)))
    index = MemoryIndex([Entry(s, f"en {i}") for i, s in enumerate(sources)])
    for n in range(60):
        chars = list(rng.choice(sources))
        for _ in range(rng.randint(1, 4)):  # a few characters changed, as in a re-issued sentence
            chars[rng.randrange(len(chars))] = rng.choice(HAN)
        query = "".join(chars)
        best = process.extractOne(query, sources, scorer=fuzz.ratio, score_cutoff=70)
        found = index.lookup(query, threshold=70, limit=1)
        assert found and round(best[1]) == found[0].similarity, (n, query)


def test_a_newly_approved_pair_is_found_without_rebuilding_the_index(store):
    with store.tx() as conn:
        store.remember(conn, "外国人可以过境免签停留十天。", "Foreign nationals may stay ten days visa-free.", "review")
    index = memory_index(store)
    with store.tx() as conn:
        store.remember(conn, "外国人入境后须办理住宿登记。", "Foreign nationals must register their stay.", "review")
        store.remember(conn, "外国人可以过境免签停留十天。", "Visa-free stays of ten days.", "review")
    again = memory_index(store)
    assert again is index
    assert again.lookup("外国人入境后须办理住宿登记手续。")[0].target == "Foreign nationals must register their stay."
    assert again.lookup("外国人可以过境免签停留五天。")[0].target == "Visa-free stays of ten days."


def test_containing_finds_a_phrase_in_either_language_and_follows_changes():
    index = MemoryIndex([Entry("优化营商环境。", "Improve the business environment."),
                         Entry("营商环境评价。", "Assessment of the business climate."),
                         Entry("外国人过境免签。", "Visa-free transit for foreign nationals.")])
    assert {e.source for e in index.containing("营商环境")} == {"优化营商环境。", "营商环境评价。"}
    assert [e.source for e in index.containing("Business  Environment")] == ["优化营商环境。"]
    assert index.containing("商环境评价优化") == []
    assert [e.source for e in index.containing("免")] == ["外国人过境免签。"]
    index.update("营商环境评价。", "Assessment of the business environment.")
    index.update("新的营商环境。", "A new business environment.")
    assert {e.source for e in index.containing("business environment")} == {
        "优化营商环境。", "营商环境评价。", "新的营商环境。"}
    index.update("优化营商环境。", "Improve the climate for business.")
    assert "优化营商环境。" not in {e.source for e in index.containing("business environment")}
