"""Build the static site: the whole publishing pass on one screen (`build_site`).

store -> entries -> planned outputs -> changed files rendered into a staging folder ->
self-lint -> committed into publish/ -> social outbox. Nothing in publish/ changes until the
new files passed the lint, so a failed or interrupted build leaves the previous site.

A first (or manifest-less) build renders everything into the staging folder and swaps whole
folders. A rebuild renders only outputs whose input key changed, then commits them by atomic
renames under a journal that the next build finishes if this one is stopped half-way.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from zaitun.errors import PublishError
from zaitun.project import Project
from zaitun.publish import layout, lint
from zaitun.publish.extras import extra_outputs
from zaitun.publish.feeds import feed_outputs
from zaitun.publish.inputs import Entry, collect
from zaitun.publish.pages import Output, Site, outputs, plan
from zaitun.publish.render import css_digest
from zaitun.publish.social import queue_posts
from zaitun.store import Store

MANIFEST_VERSION = 2
JOURNAL = ".journal.json"
PARALLEL_MIN = 200  # below this many files to render, forking workers costs more than it saves


@dataclass
class BuildReport:
    """What a build did, for the CLI, flows and tests."""

    out_dir: Path
    rendered: list[str] = field(default_factory=list)  # site paths written anew
    reused: list[str] = field(default_factory=list)  # unchanged since the last build
    removed: list[str] = field(default_factory=list)  # in the last build, gone now (withdrawn...)
    skipped: list[str] = field(default_factory=list)  # "slug (en): why" for pages not published
    under_review: list[str] = field(default_factory=list)  # English kept while an update is reviewed
    social: list[str] = field(default_factory=list)  # ids of posts queued in the outbox
    problems: list[str] = field(default_factory=list)  # documents left out (fatal problems raise)
    workers: int = 1  # processes that rendered
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"built {self.out_dir}: rendered {len(self.rendered)}, unchanged {len(self.reused)}, "
                f"removed {len(self.removed)}, social posts queued {len(self.social)} in {self.seconds:.2f}s")


def build_site(project: Project, store: Store, today: dt.date | None = None, social: bool = True) -> BuildReport:
    """Build publish/ from the store: Chinese from current content, English only from releases."""
    started = time.perf_counter()
    with build_lock(project):
        report = _build(project, store, today or dt.date.today(), social)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def build_lock(project: Project) -> Iterator[None]:
    """One build at a time per project (a flow and a person may start one together): the second waits."""
    with open(project.state_dir / "publish.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(project: Project, store: Store, today: dt.date, social: bool) -> BuildReport:
    out = project.publish_dir
    recover(project)
    report = BuildReport(out)
    state = load_manifest(project) if out.is_dir() else {}
    entries = collect(store, state.setdefault("docs", {}), report.problems)
    _explain(entries, report)
    site = site_settings(project, today)
    specs = plan(entries, site)
    # feeds first: they render many bodies, so a worker should start on them, not end with them
    items = feed_outputs(entries, site) + outputs(specs, site) + extra_outputs(specs, site)
    _refuse_duplicates(items)
    previous = state.get("files", {})
    stage = staging_dir(out)
    try:
        files = write_outputs(items, previous, out, stage, report)
        lint.raise_problems(lint.lint_site(files, site.urls, files[layout.SITEMAP]["facts"]))
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    report.removed = sorted(set(previous) - set(files))
    commit(out, stage, report, incremental=bool(previous))
    save_manifest(project, {"version": manifest_version(), "docs": state["docs"], "files": files})
    if social:  # announced only once the pages are online; a crash before this re-queues next time
        report.social = queue_posts(project, entries, site, out / layout.SOCIAL_DIR)
    return report


def site_settings(project: Project, today: dt.date) -> Site:
    cfg = project.config
    titles = {lang: cfg.get(f"site.title.{lang}") for lang in layout.LANGS}
    return Site(layout.Urls(cfg.get("site.base_url")), titles, today, layout.stylesheet(css_digest()))


def _explain(entries: list[Entry], report: BuildReport) -> None:
    english = {e.slug for e in entries if e.lang == "en"}
    for entry in entries:
        if entry.lang == "zh" and entry.slug not in english:
            report.skipped.append(f"{entry.slug} (en): no approved English yet")
        if entry.under_review:
            report.under_review.append(entry.slug)


def _refuse_duplicates(items: list[Output]) -> None:
    """Two outputs for one file would silently overwrite each other (e.g. a section named `tags`)."""
    seen: set[str] = set()
    for item in items:
        name = layout.file_of(item.path)
        if name in seen:
            raise PublishError(f"two outputs would both be written to {name}: rename the section or slug")
        seen.add(name)


# -- writing --------------------------------------------------------------------------------------
def write_outputs(items: list[Output], previous: dict, out: Path, stage: Path, report: BuildReport) -> dict:
    """Render outputs whose key changed (or whose file is gone) into stage; return every file's record."""
    files: dict[str, dict] = {}
    todo: list[Output] = []
    for item in items:
        old = previous.get(item.path)
        if old and old["key"] == item.key and (out / layout.file_of(item.path)).is_file():
            files[item.path] = old
            report.reused.append(item.path)
        else:
            todo.append(item)
    report.workers = worker_count(len(todo))
    for item, facts in zip(todo, render_all(todo, stage, report.workers), strict=True):
        files[item.path] = {"key": item.key, "kind": item.kind, "facts": facts}
        report.rendered.append(item.path)
    return files


def write_file(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _render_chunk(items: list[Output], stage: Path) -> list[dict]:
    """Render and write items in turn; return the lint facts of each."""
    facts = []
    for item in items:
        data = item.render()
        write_file(stage / layout.file_of(item.path), data)
        facts.append(_facts(item.kind, data))
    return facts


_JOBS: list[Output] = []  # read by forked workers, which inherit it


def _render_job(args: tuple[int, int, str]) -> list[dict]:
    start, stop, stage = args
    return _render_chunk(_JOBS[start:stop], Path(stage))


def worker_count(jobs: int) -> int:
    """Processes for a batch: forking is only safe in a single-threaded process (not inside a Prefect task
    runner's thread, for instance) and only pays for large batches."""
    if jobs < PARALLEL_MIN or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(os.cpu_count() or 1, 8)


def render_all(todo: list[Output], stage: Path, workers: int = 1) -> list[dict]:
    """Render and write outputs; with several workers, forked processes share the planned outputs."""
    if workers < 2:
        return _render_chunk(todo, stage)
    global _JOBS
    _JOBS = todo
    size = max(16, len(todo) // (workers * 4))
    chunks = [(i, min(i + size, len(todo)), str(stage)) for i in range(0, len(todo), size)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [facts for chunk in pool.map(_render_job, chunks, chunksize=1) for facts in chunk]
    finally:
        _JOBS = []


def _facts(kind: str, data: bytes) -> dict:
    if kind == "page":
        return lint.page_facts(data.decode("utf-8"))
    if kind == "feed":
        return lint.feed_facts(data)
    if kind == "sitemap":
        return lint.sitemap_facts(data)
    return {}


# -- committing -----------------------------------------------------------------------------------
def staging_dir(out: Path) -> Path:
    stage = out.parent / f".{out.name}.building"
    stage.mkdir(parents=True)
    return stage


def commit(out: Path, stage: Path, report: BuildReport, incremental: bool) -> None:
    """Put the staged files online: by journalled renames (rebuild) or by swapping folders (full)."""
    if not incremental:
        _swap(out, stage)
        return
    journal = {"replace": [layout.file_of(p) for p in report.rendered],
               "remove": [layout.file_of(p) for p in report.removed]}
    (stage / (JOURNAL + ".tmp")).write_text(json.dumps(journal), encoding="utf-8")
    os.replace(stage / (JOURNAL + ".tmp"), stage / JOURNAL)
    _apply(out, stage, journal)


def _apply(out: Path, stage: Path, journal: dict) -> None:
    for name in journal["replace"]:
        source = stage / name
        if source.is_file():  # already moved if a stopped commit is being finished
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, out / name)
    for name in journal["remove"]:
        (out / name).unlink(missing_ok=True)
        _prune(out, (out / name).parent)
    shutil.rmtree(stage)


def _prune(out: Path, folder: Path) -> None:
    """Remove folders left empty by removed pages, up to the site root."""
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _swap(out: Path, stage: Path) -> None:
    old = out.parent / f".{out.name}.previous"
    if old.exists():
        shutil.rmtree(old)
    if (out / layout.SOCIAL_DIR).is_dir():  # the outbox is not built: it moves over
        (out / layout.SOCIAL_DIR).rename(stage / layout.SOCIAL_DIR)
    if out.exists():
        out.rename(old)
    try:
        stage.rename(out)
    except OSError as exc:
        if old.exists():
            old.rename(out)
        raise PublishError(f"could not move the new site into {out}: {exc}") from exc
    shutil.rmtree(old, ignore_errors=True)


def recover(project: Project) -> None:
    """Finish a commit that was stopped half-way, or drop the staging folder of a failed build."""
    out = project.publish_dir
    stage = out.parent / f".{out.name}.building"
    if not stage.exists():
        return
    journal = stage / JOURNAL
    if journal.is_file():
        _apply(out, stage, json.loads(journal.read_text(encoding="utf-8")))
        manifest_path(project).unlink(missing_ok=True)  # records may be behind the files: start afresh
    else:
        shutil.rmtree(stage)


# -- the manifest: input key and lint facts of every file of the last build -----------------------
def manifest_path(project: Project) -> Path:
    return project.state_dir / "publish-manifest.json"


def manifest_version() -> str:
    """Changes with the manifest format and with the lint's fact extraction (kept facts must match it)."""
    return f"{MANIFEST_VERSION}-{hashlib.sha256(Path(lint.__file__).read_bytes()).hexdigest()[:12]}"


def load_manifest(project: Project) -> dict:
    """The last build's records; an unreadable or old-format one means a full build."""
    try:
        state = json.loads(manifest_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if state.get("version") == manifest_version() else {}


def save_manifest(project: Project, state: dict) -> None:
    path = manifest_path(project)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)
