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
import gc
import multiprocessing
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from zaitun.content.tags import tag_labels, unlabelled
from zaitun.errors import PublishError
from zaitun.project import Project
from zaitun.publish import layout, lint
from zaitun.publish.extras import extra_outputs, static_outputs
from zaitun.publish.feeds import feed_outputs
from zaitun.publish.inputs import Entry, collect
from zaitun.publish.media import media_outputs
from zaitun.publish.output import (
    commit,
    load_manifest,
    manifest_version,
    recover,
    save_manifest,
    staging_dir,
)
from zaitun.publish.pages import Output, Site, outputs, plan
from zaitun.publish.render import css_digest, warm
from zaitun.publish.social import queue_posts
from zaitun.store import Store

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
    unlabelled_tags: list[str] = field(default_factory=list)  # "tag (lang)" shown as written, no label
    workers: int = 1  # processes that rendered
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"built {self.out_dir}: rendered {len(self.rendered)}, unchanged {len(self.reused)}, "
                f"removed {len(self.removed)}, social posts queued {len(self.social)} in {self.seconds:.2f}s")


def build_site(project: Project, store: Store, today: dt.date | None = None, social: bool = True) -> BuildReport:
    """Build publish/ from the store: Chinese from current content, English only from releases."""
    started = time.perf_counter()
    with build_lock(project), _collector_paused():
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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A build makes hundreds of thousands of objects that live until it ends and form no cycles (entries,
    page contexts): Python's cycle collector would walk them all again and again, about 45 ms of the
    serial part of a large build. The few cycles a build leaves are collected after it, as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(project: Project, store: Store, today: dt.date, social: bool) -> BuildReport:
    out = project.publish_dir
    recover(project)
    report = BuildReport(out)
    state = load_manifest(project) if out.is_dir() else {}
    entries = collect(store, state.setdefault("docs", {}), report.problems)
    _explain(entries, report)
    site = site_settings(project, today, {tag for e in entries for tag in e.tags})
    report.unlabelled_tags = unlabelled(site.tag_labels, {tag for e in entries for tag in e.tags})
    specs = plan(entries, site)
    media = media_outputs(entries, project.content_dir, site.urls)  # before any body is rendered
    # feeds first: they render many bodies, so a worker should start on them, not end with them
    items = (feed_outputs(entries, site) + outputs(specs, site) + extra_outputs(specs, site)
             + static_outputs(project.static_dir) + media)
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
    commit(out, stage, report.rendered, report.removed, incremental=bool(previous))
    save_manifest(project, {"version": manifest_version(), "docs": state["docs"], "files": files})
    if social:  # announced only once the pages are online; a crash before this re-queues next time
        report.social = queue_posts(project, entries, site, out / layout.SOCIAL_DIR)
    return report


def site_settings(project: Project, today: dt.date, tags: set[str]) -> Site:
    cfg = project.config
    titles = {lang: cfg.get(f"site.title.{lang}") for lang in layout.LANGS}
    return Site(layout.Urls(cfg.get("site.base_url")), titles, today, layout.stylesheet(css_digest()),
                cfg.get("site.expiry_warning_days"), cfg.get("site.page_size"),
                tag_labels(project.glossary_dir, tags))


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
    for item, record in zip(todo, render_all(todo, stage, report.workers), strict=True):
        files[item.path] = record
        report.rendered.append(item.path)
    return files


def write_file(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _render_chunk(items: list[Output], stage: Path) -> list[dict]:
    """Render and write items in turn; return the manifest record of each (input key, kind, lint facts)."""
    records = []
    for item in items:
        data = item.render()
        write_file(stage / layout.file_of(item.path), data)
        records.append({"key": item.key, "kind": item.kind, "facts": _facts(item.kind, data)})
    return records


_JOBS: list[Output] = []  # read by forked workers, which inherit it


def _render_job(args: tuple[list[int], str]) -> list[dict]:
    indexes, stage = args
    return _render_chunk([_JOBS[i] for i in indexes], Path(stage))


def worker_count(jobs: int) -> int:
    """Processes for a batch: forking is only safe in a single-threaded process (not inside a Prefect task
    runner's thread, for instance) and only pays for large batches."""
    if jobs < PARALLEL_MIN or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(os.cpu_count() or 1, 8)


def render_all(todo: list[Output], stage: Path, workers: int = 1) -> list[dict]:
    """Render and write outputs, returning their records in order; with several workers, forked processes
    share the planned outputs."""
    if workers < 2:
        return _render_chunk(todo, stage)
    chunks = schedule(todo, max(16, len(todo) // (workers * 8)))
    records: list[dict] = [{}] * len(todo)
    for chunk, chunk_records in zip(chunks, _in_workers(todo, chunks, stage, workers), strict=True):
        for i, record in zip(chunk, chunk_records, strict=True):
            records[i] = record
    return records


def _in_workers(todo: list[Output], chunks: list[list[int]], stage: Path, workers: int) -> list[list[dict]]:
    """Render chunks of `todo` in forked processes, which inherit it (and the warm templates) from here."""
    global _JOBS
    _JOBS = todo
    warm()
    gc.freeze()  # the workers' collector then skips the objects they inherit, which stay shared, not copied
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=gc.enable) as pool:
            return pool.map(_render_job, [(chunk, str(stage)) for chunk in chunks], chunksize=1)
    finally:
        gc.unfreeze()
        _JOBS = []


def schedule(items: list[Output], size: int) -> list[list[int]]:
    """Chunks of item indexes for the workers, largest first. Items that render the same Markdown body
    (a feed and the pages of its entries) share a chunk, so no body is rendered in two workers."""
    groups = _sharing_bodies(items)
    chunks = [group for group in groups if len(group) > 1]
    alone = [group[0] for group in groups if len(group) == 1]
    chunks += [alone[i:i + size] for i in range(0, len(alone), size)]
    return sorted(chunks, key=len, reverse=True)


def _sharing_bodies(items: list[Output]) -> list[list[int]]:
    """Item indexes grouped so that items with a body in common are in one group (union-find)."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, item in enumerate(items):
        for body in item.bodies:
            parent[root(owner.setdefault(body, i))] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _facts(kind: str, data: bytes) -> dict:
    if kind == "page":
        return lint.page_facts(data.decode("utf-8"))
    if kind == "feed":
        return lint.feed_facts(data)
    if kind == "sitemap":
        return lint.sitemap_facts(data)
    return {}
