"""A review project whose memory holds near matches of its segments, translated offline."""

from __future__ import annotations

from pathlib import Path

from review_support import review_project

from zaitun import pipeline
from zaitun.project import Project
from zaitun.state.store import Store

# the document of review_support: 过境免签指南 / 政策概况 / 外国人可以过境免签。停留时间为240小时。请拨打12367热线咨询。
MEMORY = {
    "停留时间为144小时。": "The stay may last 144 hours.",  # numbers differ: repaired
    "外国人可以过境免签证。": "Foreign nationals may transit without a visa <b>now</b>.",  # words differ: suggested
    "请拨打12345热线咨询。": "Call the 12345 hotline for advice.",
    "过境免签指南": "Guide to visa-free transit",  # exact: approved from memory
}
STAY, TRANSIT, CALL = "停留时间为240小时。", "外国人可以过境免签。", "请拨打12367热线咨询。"


def suggest_project(root: Path, database_url: str = "") -> tuple[Project, Store]:
    project, store = review_project(root, database_url=database_url)
    with store.tx() as conn:
        for zh, en in MEMORY.items():
            store.remember(conn, zh, en, origin="review", approved_by="earlier")
    pipeline.translate(project, store)
    return project, store


def seg_id(store: Store, source: str, slug: str = "visa") -> str:
    return next(s["seg_id"] for s in store.segments(slug) if s["source"] == source)
