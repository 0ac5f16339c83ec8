"""Fuzzy memory speed and the re-issued notice: print the figures (run: `.venv/bin/python bench/fuzzy_bench.py`).

1. A memory of 100,000 entries made from the shipped TMX (its sentences cut into clauses and
   put together again, with other numbers and dates): index build time, lookup time per
   segment (median, 95th percentile; target <= 5 ms), how often the index finds the best match
   a full scan finds, and a concordance search.
2. The sample notice re-issued a year later, and the transit guide brought up to date
   (tests/fixtures/reissue/): translated offline, the share of their changed segments that get a
   correct repaired draft (aim >= 80%).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zaitun import pipeline  # noqa: E402
from zaitun.content.intake import ingest  # noqa: E402
from zaitun.project import Project  # noqa: E402
from zaitun.scaffold import init_project  # noqa: E402
from zaitun.state.store import Store  # noqa: E402
from zaitun.translate.facts import RULE_KINDS  # noqa: E402
from zaitun.translate.fuzzy import Entry, MemoryIndex, normalise  # noqa: E402
from zaitun.translate.memory import read_tmx  # noqa: E402

SIZE, QUERIES, SCANNED = 100_000, 1000, 100
REISSUES = sorted((ROOT / "tests" / "fixtures" / "reissue").glob("*.yaml"))


def clauses(sources: list[str]) -> list[str]:
    return [c for s in sources for c in s.replace("。", "，").replace("；", "，").split("，") if len(c) > 3]


def make_memory(rng: random.Random, sources: list[str]) -> list[str]:
    """Sentences of two to four clauses of the shipped memory, some with a number or a date."""
    parts, out = clauses(sources), set(sources)
    while len(out) < SIZE:
        sentence = "，".join(rng.choices(parts, k=rng.randint(2, 4)))
        if rng.random() < 0.5:
            sentence += f"，有效期至{rng.randint(2020, 2035)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
        out.add(sentence + "。")
    return sorted(out)


def near(rng: random.Random, text: str) -> str:
    """A segment as a re-issue writes it: a few characters or a number changed."""
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(chars))
        chars[at] = str(rng.randint(0, 9)) if chars[at].isdigit() else rng.choice(text)
    return "".join(chars)


def bench_lookup() -> None:
    rng = random.Random(16)
    pairs = read_tmx(ROOT / "tm" / "approved.tmx")[0]
    memory = make_memory(rng, [zh for zh, _ in pairs])
    english = [rng.choice(pairs)[1] for _ in memory]  # an English sentence of the shipped memory each
    started = time.perf_counter()
    index = MemoryIndex([Entry(zh, en) for zh, en in zip(memory, english, strict=True)])
    built = time.perf_counter() - started
    queries = [near(rng, rng.choice(memory)) for _ in range(QUERIES)]
    times, cpu, found = [], [], 0
    for query in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        found += bool(index.lookup(query, 70, 3))
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(f"memory of {len(memory):,} entries: index built in {built:.2f} s (load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs)")
    print(f"  lookup per segment: median {statistics.median(times):.2f} ms, "
          f"95th percentile {statistics.quantiles(times, n=20)[-1]:.2f} ms, mean {statistics.mean(times):.2f} ms "
          f"(target <= 5 ms); CPU time mean {statistics.mean(cpu):.2f} ms, 95th percentile "
          f"{statistics.quantiles(cpu, n=20)[-1]:.2f} ms; {found} of {QUERIES} segments had a match >= 70%")
    norms = [normalise(m) for m in memory]
    agree, scan_times = 0, []
    for query in queries[:SCANNED]:
        started = time.perf_counter()
        best = process.extractOne(normalise(query), norms, scorer=fuzz.ratio, score_cutoff=70)
        scan_times.append((time.perf_counter() - started) * 1000)
        mine = index.lookup(query, 70, 1)
        agree += (not best and not mine) or bool(best and mine and round(best[1]) == mine[0].similarity)
    print(f"  best match as good as a full scan's for {agree} of {SCANNED} segments "
          f"(a full scan takes {statistics.median(scan_times):.1f} ms per segment)")
    started = time.perf_counter()
    index.containing("营商环境")  # the first search builds the English index
    first = time.perf_counter() - started
    started = time.perf_counter()
    hits, english = index.containing("营商环境"), index.containing("business environment")
    print(f"  concordance: {len(hits):,} entries use 营商环境 and {len(english):,} 'business environment'; "
          f"{(time.perf_counter() - started) * 500:.1f} ms per search ({first * 1000:.0f} ms for the first, "
          "which builds the index of the English)")


def bench_reissue(scenario: Path) -> None:
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        init_project(root)
        project = Project(root)
        store = Store.open(project.database_url)
        ingest(project, store)
        pipeline.translate(project, store)
        path = project.content_dir / data["file"]
        text = path.read_text(encoding="utf-8")
        for old, new in data["replace"]:
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
        ingest(project, store)
        started = time.perf_counter()
        report = pipeline.translate(project, store)
        took = time.perf_counter() - started
        kinds = {s["seg_id"]: s["kind"] for d in report.documents for s in store.segments(d.slug)}
        store.close()
    changed = [s for d in report.documents for s in d.segments if s.origin != "memory"]
    text = [s for s in changed if kinds[s.id] not in RULE_KINDS]  # facts of the front matter are drafted by rule
    correct = [s for s in text if s.origin == "repair" and s.target == data["expected"].get(s.source)]
    facts = [s for s in changed if kinds[s.id] in RULE_KINDS and s.target == data["expected"].get(s.source)]
    print(f"{scenario.stem} (offline): {len(correct)} of {len(text)} changed segments of text got a correct "
          f"repaired draft ({100 * len(correct) / max(len(text), 1):.0f}%, aim >= 80%); {len(facts)} of "
          f"{len(changed) - len(text)} changed facts a correct draft by rule; translate took {took:.2f} s")


if __name__ == "__main__":
    bench_lookup()
    for scenario in REISSUES:
        bench_reissue(scenario)
