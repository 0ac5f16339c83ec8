"""Glossary and memory speed: print the figures (run: `.venv/bin/python bench/glossary_bench.py`).

1. Longest-leftmost matching of 10,000 terms over 1, 2.5, 5 and 10 MB of Chinese text
   (UTF-8 bytes): MB/s and seconds per MB, which stays flat when the cost is linear.
   Target: at least 10 MB/s.
2. A 100-segment document translated entirely from memory (lookup, checks, drafts,
   approval from memory, release): target well under one second.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zaitun import pipeline  # noqa: E402
from zaitun.content.intake import ingest  # noqa: E402
from zaitun.project import Project  # noqa: E402
from zaitun.review.gate import segment_states  # noqa: E402
from zaitun.state.store import Store  # noqa: E402
from zaitun.translate.engines import OfflineEngine  # noqa: E402
from zaitun.translate.glossary import Entry, Glossary  # noqa: E402

NUMERALS = set("零〇一二两三四五六七八九十百千万亿")
CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 3000) if chr(c) not in NUMERALS]
WORDS = "the visitors may apply for a permit at any service centre in the city before travelling".split()


def make_terms(rng: random.Random, n: int = 10_000) -> list[str]:
    terms: set[str] = set()
    while len(terms) < n:
        terms.add("".join(rng.choices(CHARS, k=rng.randint(2, 8))))
    return sorted(terms)


def make_text(rng: random.Random, terms: list[str], megabytes: float) -> str:
    """Random Chinese with a glossary term about every 40 characters."""
    parts, size, target = [], 0, int(megabytes * 1_000_000)
    while size < target:
        chunk = "".join(rng.choices(CHARS, k=rng.randint(20, 60))) + rng.choice(terms) + "。"
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))
    return "".join(parts)


def bench_matching() -> None:
    rng = random.Random(42)
    terms = make_terms(rng)
    started = time.perf_counter()
    glossary = Glossary([Entry(t, f"term {i}") for i, t in enumerate(terms)])
    print(f"glossary: {len(glossary):,} terms, automaton built in {time.perf_counter() - started:.2f} s")
    for mb in (1, 2.5, 5, 10):
        text = make_text(rng, terms, mb)
        size = len(text.encode("utf-8")) / 1_000_000
        best = min(_timed(glossary, text) for _ in range(3))
        matches = len(glossary.matches(text))
        print(f"  {size:5.1f} MB ({len(text):>10,} chars, {matches:>8,} matches): {best:6.3f} s  "
              f"{size / best:6.1f} MB/s  {best / size:.3f} s/MB")


def _timed(glossary: Glossary, text: str) -> float:
    started = time.perf_counter()
    glossary.matches(text)
    return time.perf_counter() - started


def _english(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def bench_memory() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sentences = ["".join(rng.choices(CHARS, k=rng.randint(15, 40))) + "。" for _ in range(99)]
        body = "\n\n".join(sentences)
        (root / "content" / "guides").mkdir(parents=True)
        (root / "glossary").mkdir()
        (root / "content" / "guides" / "bench.md").write_text(
            f"---\ntitle: 基准文档\ndate: 2025-01-01\n---\n\n{body}\n", encoding="utf-8")
        project = Project(root)
        store = Store.open(project.database_url)
        ingest(project, store)
        with store.tx() as conn:
            for seg in store.segments("bench"):
                store.remember(conn, seg["source"], _english(rng, 3 * len(seg["source"])), origin="tmx")
        started = time.perf_counter()
        report = pipeline.translate(project, store, engine=OfflineEngine())
        elapsed = time.perf_counter() - started
        approved = sum(s.state == "approved" for s in segment_states(store, "bench"))
        print(f"memory: {report.count('memory')} segments from memory, {approved} approved, "
              f"in {elapsed:.3f} s")
        store.close()


if __name__ == "__main__":
    bench_matching()
    bench_memory()
