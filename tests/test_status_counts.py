"""The status of every document (`zaitun status`, the review queue, the expiry check) is read in a few queries
for all of them, and says of each what its own segments and release say."""

from __future__ import annotations

import datetime as dt

from conftest import write_doc
from test_databases import sample_project

from zaitun.content.intake import ingest
from zaitun.pipeline import run_once
from zaitun.review.status import project_status, queue
from zaitun.state.segments import progress, segment_states
from zaitun.state.store import Store

TODAY = dt.date(2026, 11, 25)
GUIDE = "guides/240-hour-visa-free-transit.md"


def test_each_documents_status_is_what_its_own_segments_and_release_say(tmp_path, database_url):
    project = sample_project(tmp_path / "site", database_url)
    store = Store.open(project.database_url)
    try:
        run_once(project, store)  # every document approved from memory
        changed = project.content_dir / GUIDE
        changed.write_text(changed.read_text(encoding="utf-8") + "\n新增一段说明。\n", encoding="utf-8")
        write_doc(project.root, "guides/held.md", "title: 暂不发布\ndate: 2026-01-05\ndraft: true", "草稿正文。\n")
        run_once(project, store)  # the changed guide back in review, its English online
        write_doc(project.root, "guides/fresh.md", "title: 新指南\ndate: 2026-01-05", "尚未翻译的正文。\n")
        (project.content_dir / "about" / "about.md").unlink()
        ingest(project, store, allow_empty=True)  # taken in, not translated; the page about withdrawn
        statuses = {s.slug: s for s in project_status(store, TODAY, 60)}
        for slug, status in statuses.items():
            states = segment_states(store, slug)
            counted = progress(states)
            assert (status.approved, status.total, status.flagged) == (
                counted["approved"], counted["total"], counted["flagged"]), slug
        stages = {slug: s.stage for slug, s in statuses.items()}
        assert stages["240-hour-visa-free-transit"] == "update in review"
        assert stages["held"] == "draft" and stages["fresh"] == "translating" and stages["about"] == "withdrawn"
        assert stages["quan-zheng-ban-gui-2024-11"] == "approved"
        assert statuses["240-hour-visa-free-transit"].approved < statuses["240-hour-visa-free-transit"].total
        rows = {r.slug: r for r in queue(project, store)}
        assert {slug: r.stage for slug, r in rows.items()} == stages
        assert rows["240-hour-visa-free-transit"].programme == "240-hour-transit"
    finally:
        store.close()
