"""Review gate speed: print the figures (run: `.venv/bin/python bench/approval_bench.py`).

1. One reviewer approving a 200-segment document segment by segment (each its own
   transaction, as clicks in the UI are): approvals per second. Target: over 50/s.
2. "Approve all unflagged" on the same size of document: seconds. Target: under one second.
3. Eight reviewers approving different segments of one document at once (threads on one
   SQLite store): approvals per second, and a check that none was lost.
4. Rendering the document view (segment cards with glossary terms) for 200 segments.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zaitun.content.intake import ingest  # noqa: E402
from zaitun.project import Project  # noqa: E402
from zaitun.review import gate, qa, views  # noqa: E402
from zaitun.state.segments import progress, segment_states  # noqa: E402
from zaitun.state.store import Store  # noqa: E402

SEGMENTS = 200


def project_with_drafts(root: Path) -> tuple[Project, Store, dict[str, str]]:
    for name in ("content/guides", "glossary", "tm", "publish"):
        (root / name).mkdir(parents=True)
    (root / "glossary" / "g.csv").write_text("zh,en,forbidden,note\n过境免签,visa-free transit,,\n", encoding="utf-8")
    body = "\n\n".join(f"第{n}条：外国人可以过境免签，停留{n}天。" for n in range(SEGMENTS - 1))
    (root / "content/guides/big.md").write_text(f"---\ntitle: 大文件\ndate: 2025-01-01\n---\n\n{body}\n",
                                                encoding="utf-8")
    project = Project(root)
    store = Store.open(project.database_url)
    ingest(project, store)
    with store.tx() as conn:
        for seg in store.segments("big"):
            store.add_translation(conn, "big", seg["seg_id"], seg["source"], "EN " + seg["source"], origin="engine",
                                  replaces=None)
        for name in ("alice", *(f"r{n}" for n in range(8))):
            store.add_user(conn, name, "reviewer", "-")
    return project, store, gate.shown(segment_states(store, "big"))


def one_by_one() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project, store, ids = project_with_drafts(Path(tmp))
        glossary = qa.glossary(project.glossary_dir)
        start = time.perf_counter()
        for seg_id, version in ids.items():
            gate.approve(store, "big", {seg_id: version}, "alice", glossary=glossary)
        took = time.perf_counter() - start
        print(f"approve one by one: {len(ids)} segments in {took:.2f} s = {len(ids) / took:.0f} approvals/s")


def all_unflagged() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project, store, ids = project_with_drafts(Path(tmp))
        start = time.perf_counter()
        result = gate.approve_unflagged(store, "big", ids, "alice", glossary=qa.glossary(project.glossary_dir))
        took = time.perf_counter() - start
        print(f"approve all unflagged: {len(result.approved)} segments in {took:.2f} s "
              f"(document complete: {result.completed})")


def concurrent() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project, store, ids = project_with_drafts(Path(tmp))
        glossary = qa.glossary(project.glossary_dir)
        shares = [list(ids.items())[n::8] for n in range(8)]
        threads = [threading.Thread(target=lambda n=n: [gate.approve(store, "big", dict([i]), f"r{n}",
                                                                     glossary=glossary) for i in shares[n]])
                   for n in range(8)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - start
        approved = progress(segment_states(store, "big"))["approved"]
        print(f"8 concurrent reviewers: {len(ids)} approvals in {took:.2f} s = {len(ids) / took:.0f}/s; "
              f"{approved}/{len(ids)} approved (none lost: {approved == len(ids)})")


def document_view() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project, store, ids = project_with_drafts(Path(tmp))
        start = time.perf_counter()
        cards = views.segment_views(project, store, "big")
        took = time.perf_counter() - start
        print(f"document view data: {len(cards)} segment cards in {took * 1000:.0f} ms")


if __name__ == "__main__":
    one_by_one()
    all_unflagged()
    concurrent()
    document_view()
