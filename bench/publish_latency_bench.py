"""From a reviewer's last approval to the site and feeds updated in publish/ (target: under 3 s).

A 100-document project (the sample content, plus generated guides) is taken in and fully
published; then one document's last segment is approved and we time until its English page
and the English feed show the new text:

1. library path: the approval, then the publish stage (what the `publish` flow runs);
2. event path (skip with --no-prefect): a temporary Prefect server, the `publish` deployment of
   prefect.yaml served by a Runner polling every second, the approval emitting
   `zaitun.document.approved`, the run building the site.

Run: `.venv/bin/python bench/publish_latency_bench.py [--no-prefect]`.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from zaitun.pipeline import publish_stage, run_once  # noqa: E402
from zaitun.project import Project  # noqa: E402
from zaitun.review import actions, gate, qa  # noqa: E402
from zaitun.review.users import add_user  # noqa: E402
from zaitun.scaffold import init_project  # noqa: E402
from zaitun.state.segments import segment_states  # noqa: E402
from zaitun.state.store import Store  # noqa: E402

DOCUMENTS = 100
ROUNDS = 5


def make_project(root: Path) -> tuple[Project, Store]:
    init_project(root)
    guides = root / "content" / "guides"
    existing = len(list((root / "content").rglob("*.md")))
    for n in range(DOCUMENTS - existing):
        parts = (f"## 第{k}部分\n\n泉州第{n}号指南第{k}段。外国游客可以在泉州停留{k}天。" for k in range(1, 6))
        body = "\n\n".join(parts)
        (guides / f"guide-{n:03d}.md").write_text(
            f"---\ntitle: 泉州指南{n}\ndate: 2026-0{1 + n % 9}-1{n % 10}\nsummary: 指南{n}。\n---\n\n{body}\n",
            encoding="utf-8")
    project = Project(root)
    store = Store.open(project.database_url)
    add_user(store, "rev", "reviewer", "bench password")
    run_once(project, store)
    for row in store.documents():  # approve everything so the site starts complete
        for s in segment_states(store, row["slug"]):
            if s.state != "approved":
                gate.edit(store, row["slug"], s.seg_id, f"Segment {s.position}.", "rev", approve_now=True,
                          glossary=qa.glossary(project.glossary_dir))
    publish_stage(project, store)
    return project, store


def change_last_segment(project: Project, store: Store, slug: str, text: str) -> None:
    """Give the document a new draft for one segment, so one approval completes it again."""
    last = segment_states(store, slug)[-1]
    gate.edit(store, slug, last.seg_id, text, "rev", glossary=qa.glossary(project.glossary_dir))


def page_shows(project: Project, slug: str, text: str) -> bool:
    page = project.publish_dir / "en" / "guides" / slug / "index.html"
    feed = project.publish_dir / "en" / "feed.xml"
    try:
        return text in page.read_text(encoding="utf-8") and text in feed.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False


def approval_rounds(project: Project, store: Store, slug: str, until_published, pause: float = 0.0) -> list[float]:
    """Seconds from each last approval to `until_published(text, start)` returning with the page updated;
    `pause` before each round lets the previous round's run finish."""
    times = []
    for n in range(ROUNDS):
        time.sleep(pause)
        text = f"Round {n} of {slug}."
        change_last_segment(project, store, slug, text)
        start = time.perf_counter()
        last = segment_states(store, slug)[-1]
        assert actions.approve(project, store, slug, {last.seg_id: last.version}, "rev").completed
        until_published(text, start)
        times.append(time.perf_counter() - start)
        assert page_shows(project, slug, text)
    return times


def library_path(project: Project, store: Store) -> list[float]:
    return approval_rounds(project, store, "guide-007", lambda _text, _start: publish_stage(project, store))


def event_path(project: Project, store: Store) -> list[float]:
    from prefect.runner import Runner
    from prefect.testing.utilities import prefect_test_harness

    from zaitun.flows.serve import deployment_specs, to_deployment

    os.environ["ZAITUN_PROJECT"] = str(project.root)
    with prefect_test_harness(server_startup_timeout=90):
        from prefect.settings import PREFECT_API_URL

        os.environ["PREFECT_API_URL"] = PREFECT_API_URL.value()
        runner = Runner(query_seconds=1, prefetch_seconds=1)
        spec = next(s for s in deployment_specs(ROOT / "prefect.yaml") if s["name"] == "publish")
        runner.add_deployment(to_deployment({**spec, "schedules": []}, project.root))  # only the event starts runs
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_until_complete, args=(runner.start(),), daemon=True)
        thread.start()
        time.sleep(2)

        def wait_for_page(text: str, start: float) -> None:
            while not page_shows(project, "guide-008", text):
                if time.perf_counter() - start > 30:
                    raise SystemExit("the publish run did not update the site within 30 s")
                time.sleep(0.05)

        times = approval_rounds(project, store, "guide-008", wait_for_page, pause=1.0)
        asyncio.run_coroutine_threadsafe(runner.astop(), loop).result(timeout=30)
        os.environ.pop("PREFECT_API_URL", None)
    return times


def show(name: str, times: list[float]) -> None:
    print(f"{name}: median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s "
          f"over {len(times)} approvals (target: under 3 s)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        project, store = make_project(Path(tmp) / "site")
        print(f"{DOCUMENTS}-document project set up and published in {time.perf_counter() - start:.1f} s")
        show("approval -> publish/ (library path)", library_path(project, store))
        if "--no-prefect" not in sys.argv:
            show("approval -> event -> Prefect run -> publish/ (event path)", event_path(project, store))


if __name__ == "__main__":
    main()
