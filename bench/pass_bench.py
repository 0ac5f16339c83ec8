"""Pass benchmark: what a cron `zaitun run` and a look at the status cost when nothing changed.

    .venv/bin/python bench/pass_bench.py [--docs 1000] [--repeat 3] [--keep DIR]

For each corpus size: the build bench's documents taken in and translated offline once (glossary and
memory only, as a site without a translation provider runs: most segments wait for a person, as empty
drafts), a few segments approved by a reviewer (so the memory has entries); then, as whole processes,
`zaitun run` with nothing changed (intake, translate, build and the expiry check), `zaitun status`, and,
in this process, the status of every document (what the review queue shows). Prints min/median/max and
the median per document. A pass with nothing to do should cost little more than reading what is there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from build_bench import corpus, figures, run, start_launcher, zaitun_file

from zaitun.content.intake import ingest
from zaitun.pipeline import run_once
from zaitun.project import Project
from zaitun.review.status import project_status
from zaitun.state.store import Store

APPROVED = 200  # segments a reviewer approved: entries in the memory, near matches for some drafts


def make_project(root: Path, n: int) -> Path:
    root.mkdir(parents=True)
    (root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org"\n[social]\nmax_age_days = 0\n')
    (root / "glossary").mkdir()
    for doc in corpus(n):
        path = root / "content" / doc["section"] / f"{doc['slug']}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(zaitun_file(doc), encoding="utf-8")
    project = Project(root)
    store = Store.open(project.database_url)
    ingest(project, store)
    run_once(project, store)  # every segment drafted offline
    with store.tx() as conn:  # a reviewer's approvals, in the memory as the review gate puts them
        for _, seg_id, source in store.active_segment_rows()[:APPROVED]:
            store.remember(conn, source, f"EN {seg_id}", origin="review", approved_by="bench")
    run_once(project, store)  # the pass after those approvals: what it repairs, it drafts
    store.close()
    return root


def bench_size(work: Path, n: int, repeat: int) -> None:
    print(f"\n== {n} documents, in {work}")
    started = time.perf_counter()
    root = make_project(work, n)
    print(f"setup (corpus, intake, two offline passes; not timed below): {time.perf_counter() - started:.1f}s")
    zaitun = [sys.executable, "-m", "zaitun", "--project", str(root)]
    for label, args in (("zaitun run, nothing changed", ["run"]), ("zaitun status", ["status"])):
        runs = [run(zaitun + args)[0] for _ in range(repeat)]
        print(figures(label, runs) + f"  {statistics.median(runs) / n * 1000:.2f} ms a document")
    project = Project(root)
    store = Store.open(project.database_url)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        project_status(store, dt.date.today(), 30)
        runs.append(time.perf_counter() - started)
    store.close()
    print(figures("status of every document (the review queue)", runs)
          + f"  {statistics.median(runs) / n * 1000:.2f} ms a document")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="1000", help="corpus sizes, comma-separated")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    args = parser.parse_args()
    start_launcher()
    work = args.keep or Path(tempfile.mkdtemp(prefix="zaitun-pass-bench-"))
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for n in (int(size) for size in args.docs.split(",")):
        bench_size(work / str(n), n, args.repeat)
    print(f"\nload average (1 min) at end: {os.getloadavg()[0]:.2f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
