"""A small bilingual fixture project for the publishing tests: content, intake, review, releases."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from zaitun.content.intake import ingest
from zaitun.project import Project
from zaitun.publish import layout, output, search, warm
from zaitun.publish.site import BuildReport, build_site
from zaitun.review.gate import approve, shown
from zaitun.state import heads
from zaitun.state.segments import segment_states
from zaitun.state.store import Store
from zaitun.translate.glossary import load_glossary

GLOSSARY = "zh,en,forbidden,note\n泉州晋江国际机场,Quanzhou Jinjiang International Airport,,\n" \
           "240小时过境免签,240-hour visa-free transit,,\n"
TODAY = dt.date(2025, 7, 1)


@dataclass
class FixtureProject:
    project: Project
    store: Store

    def write(self, section: str, slug: str, front: str, body: str) -> Path:
        path = self.project.content_dir / section / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{textwrap.dedent(front).strip()}\n---\n\n{textwrap.dedent(body).strip()}\n",
                        encoding="utf-8")
        return path

    def ingest(self):
        return ingest(self.project, self.store)

    def translate_and_approve(self, slug: str, english=None) -> None:
        """Give every pending segment an English draft and approve it (making a release)."""
        english = english or (lambda source: f"EN[{source}]")
        states = segment_states(self.store, slug)
        with self.store.tx() as conn:
            for state in states:
                if state.state != "approved":
                    self.store.add_translation(conn, slug, state.seg_id, state.source, english(state.source),
                                               origin="engine", replaces=state.translation, engine="fixture-mt",
                                               glossary_version="g1")
        approve(self.store, slug, shown(segment_states(self.store, slug),
                                        [s.seg_id for s in states if s.state != "approved"]), "rita",
                glossary=load_glossary(self.project.glossary_dir))

    def redate(self, rel: str, old: str, new: str) -> None:
        """Give content/<rel> another `date` and take it in (a notice issued before it takes effect, say)."""
        path = self.project.content_dir / rel
        path.write_text(path.read_text(encoding="utf-8").replace(f"date: {old}", f"date: {new}"), encoding="utf-8")
        self.ingest()

    def build(self, today: dt.date = TODAY) -> BuildReport:
        return build_site(self.project, self.store, today=today)

    @property
    def out(self) -> Path:
        return self.project.publish_dir


def edit_stored_file(project: Project, slug: str, old: str, new: str) -> None:
    """Change a document's stored file with plain SQL, as a person at a database prompt would: no zaitun
    code runs, so only the store's own triggers can tell a build."""
    db = sqlite3.connect(project.state_dir / "state.db")
    with db:
        db.execute("UPDATE documents SET raw = replace(raw, ?, ?), raw_hash = 'edited' WHERE slug = ?",
                   (old, new, slug))
    db.close()


def edit_manifest_record(out: Path, path: str, edit) -> None:
    """Change one file's record in the manifest of the build online (`edit(record)` changes it in place),
    as if that build had recorded it so: in new part files, since a part may be shared with other versions."""
    for part in (output.current(out) / output.PARTS).glob("files.*[0-9].json"):
        records = json.loads(part.read_text(encoding="utf-8"))
        if path in records:
            facts_file = part.with_name(part.name.removesuffix(".json") + output.FACTS)
            facts = json.loads(facts_file.read_text(encoding="utf-8"))
            record = records[path] | {"facts": json.loads(facts[path])}  # kept apart, as their JSON text
            edit(record)
            facts[path] = json.dumps(record.pop("facts"), ensure_ascii=False)
            records[path] = record
            for file, content in ((part, records), (facts_file, facts)):
                file.unlink()
                file.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
            return
    raise AssertionError(f"no record of {path} in the manifest online")


def leftovers(out: Path) -> list[str]:
    """What a stopped build or switch left beside publish/: anything but complete versions, the outbox and
    folders already renamed for deletion (removed in the background)."""
    complete = {v.name for v in output.complete_versions(out)}
    return sorted(p.name for p in output.versions_dir(out).iterdir()
                  if p.name not in complete and p.name != "social" and not p.name.endswith(output.DELETING))


def make_fixture(root: Path) -> FixtureProject:
    root.mkdir(parents=True, exist_ok=True)
    (root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org"\n', encoding="utf-8")
    (root / "glossary").mkdir(exist_ok=True)
    (root / "glossary" / "terms.csv").write_text(GLOSSARY, encoding="utf-8")
    project = Project(root)
    store = Store.open(project.database_url)
    with store.tx() as conn:
        store.add_user(conn, "rita", "reviewer", "x")
    return FixtureProject(project, store)


TRANSIT = """\
    title: 240小时过境免签政策指南
    date: 2025-06-20
    summary: 经泉州晋江国际机场过境前往第三国，可免签停留最长10天。
    programme: 240-hour-transit
    tags: [visa-free, 出入境]
    social: 240小时过境免签政策已适用于55个国家的公民。经泉州晋江国际机场过境前往第三国（地区），可停留最长10天。
"""
TRANSIT_BODY = """\
    ## 政策概况

    外国人过境免签停留时间延长为240小时。

    ## 适用条件

    - 持有有效国际旅行证件。
    - 持有联程客票。

    | 口岸 | 城市 |
    | --- | --- |
    | 泉州晋江国际机场 | 泉州 |
"""
NOTICE = """\
    title: 泉州市营商环境若干措施
    date: 2023-01-05
    doc_number: 泉政办规〔2023〕1号
    issuer: 泉州市人民政府办公室
    valid_from: 2023-01-05
    valid_until: 2024-12-31
    summary: 关于印发营商环境若干措施的通知
"""
NOTICE_BODY = """\
    各县（市、区）人民政府：

    ## 一、总体要求

    现印发给你们，请认真贯彻执行。
"""
PAYING = """\
    title: 境外银行卡支付指南
    date: 2025-05-01
    summary: 在泉州使用境外银行卡。
    tags: [payments]
"""
PAYING_BODY = """\
    ## 刷卡

    大型商场均可使用境外银行卡。
"""


def standard_project(root: Path) -> FixtureProject:
    """Three documents: transit guide (approved), expired notice (approved), payments (never approved)."""
    fx = make_fixture(root)
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY)
    fx.write("policies", "notice-2023-1", NOTICE, NOTICE_BODY)
    fx.write("guides", "paying", PAYING, PAYING_BODY)
    fx.ingest()
    fx.translate_and_approve("transit")
    fx.translate_and_approve("notice-2023-1")
    return fx


def age(root: Path) -> None:
    """Files written by the test a moment ago carry time stamps a build cannot trust yet (they could change
    again within the clock's granularity); a person's edits are seconds apart."""
    past = time.time() - 60
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), (past, past), follow_symlinks=False)


@contextmanager
def aged_project(root: Path) -> Iterator[FixtureProject]:
    """The standard project, its files aged (see age); what this process keeps of its builds (warm.py, the
    store's heads) is forgotten after, as a new process would not have it."""
    fx = standard_project(root)
    age(fx.project.root)
    try:
        yield fx
    finally:
        warm.forget(fx.out)
        heads.forget(fx.store)


def copy_store(project: Project, folder: Path) -> None:
    """The project's store copied into the project at `folder` through SQLite: reading its files directly
    would drop this process's locks on them (POSIX locks are per process), and a build in another process
    could then remove the WAL files the test's store still uses."""
    source, copy = sqlite3.connect(project.state_dir / "state.db"), sqlite3.connect(folder / ".zaitun" / "state.db")
    source.backup(copy)
    source.close()
    copy.close()


def searchable_pages(site: Path, lang: str) -> list[str]:
    """A built site's pages of a language that Pagefind indexes (their data-pagefind-body), by name."""
    return sorted(p.relative_to(site).as_posix() for p in site.glob(f"{lang}/*/*/index.html")
                  if b"data-pagefind-body" in p.read_bytes())


def search_index_whole(site: Path) -> bool:
    """The site has a search index: its interface, and every bundle its list names."""
    index = site / layout.SEARCH_DIR
    if not (index / search.LIST).is_file():
        return False
    listed = json.loads((index / search.LIST).read_text(encoding="utf-8"))["languages"]
    return bool(listed) and (index / search.UI / "pagefind-ui.js").is_file() and (
        index / search.VISIBLE / "pagefind.js").is_file() and all(
        (index / bundles[0] / "pagefind.js").is_file()
        and all((index / bundle / "pagefind-entry.json").is_file() for bundle in bundles)
        for bundles in listed.values())
