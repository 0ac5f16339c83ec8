"""Build the static site: the whole publishing pass on one screen (`build_site`).

store -> entries -> planned outputs -> written into a staging folder (unchanged files are
hard-linked from the previous build) -> self-lint -> social outbox -> swapped into place.
A failed or interrupted build leaves the previous site untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
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

MANIFEST_VERSION = 1


@dataclass
class BuildReport:
    """What a build did, for the CLI, flows and tests."""

    out_dir: Path
    rendered: list[str] = field(default_factory=list)  # site paths written anew
    reused: list[str] = field(default_factory=list)  # unchanged, carried over from the last build
    removed: list[str] = field(default_factory=list)  # in the last build, gone now (withdrawn...)
    skipped: list[str] = field(default_factory=list)  # "slug (en): why" for pages not published
    under_review: list[str] = field(default_factory=list)  # English kept while an update is reviewed
    problems: list[str] = field(default_factory=list)  # non-fatal problems (fatal ones raise)
    social: list[str] = field(default_factory=list)  # ids of posts queued in the outbox
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"built {self.out_dir}: rendered {len(self.rendered)}, unchanged {len(self.reused)}, "
                f"removed {len(self.removed)}, social posts queued {len(self.social)} "
                f"in {self.seconds:.2f}s")


def build_site(project: Project, store: Store, today: dt.date | None = None) -> BuildReport:
    """Build publish/ from the store: Chinese from current content, English only from releases."""
    started = time.perf_counter()
    out = project.publish_dir
    report = BuildReport(out)
    state = load_manifest(project)
    entries = collect(store, state.setdefault("docs", {}))
    _explain(entries, store, report)
    site = site_settings(project, today or dt.date.today())
    specs = plan(entries, site)
    items = outputs(specs, site) + feed_outputs(entries, site) + extra_outputs(specs, site)
    _refuse_duplicates(items)
    with staging(out, keep=(layout.SOCIAL_DIR,)) as tmp:
        files = write_outputs(items, out, tmp, state.get("files", {}), report)
        problems = lint.lint_site(files, site.urls, lint.sitemap_facts((tmp / layout.SITEMAP).read_bytes()))
        lint.raise_problems(problems)
    report.removed = sorted(set(state.get("files", {})) - set(files))
    save_manifest(project, {"version": MANIFEST_VERSION, "docs": state["docs"], "files": files})
    # announced only once the pages are online; a crash before this re-queues next time
    report.social = queue_posts(project, entries, site, out / layout.SOCIAL_DIR)
    report.seconds = time.perf_counter() - started
    return report


def site_settings(project: Project, today: dt.date) -> Site:
    cfg = project.config
    titles = {lang: cfg.get(f"site.title.{lang}") for lang in layout.LANGS}
    return Site(layout.Urls(cfg.get("site.base_url")), titles, today, layout.stylesheet(css_digest()))


def _explain(entries: list[Entry], store: Store, report: BuildReport) -> None:
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


def write_outputs(items: list[Output], old: Path, tmp: Path, manifest: dict, report: BuildReport) -> dict:
    """Write each output into tmp, reusing the previous file when its input key is unchanged."""
    files: dict[str, dict] = {}
    made: set[Path] = set()
    for item in items:
        name = layout.file_of(item.path)
        target = tmp / name
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        previous = manifest.get(item.path)
        if previous and previous["key"] == item.key and _carry(old / name, target):
            files[item.path] = previous
            report.reused.append(item.path)
            continue
        data = item.render()
        write_file(target, data)
        files[item.path] = {"key": item.key, "kind": item.kind, "facts": _facts(item.kind, data)}
        report.rendered.append(item.path)
    return files


def write_file(target: Path, data: bytes) -> None:
    target.write_bytes(data)


def _carry(source: Path, target: Path) -> bool:
    """Hard-link (or copy) an unchanged file from the previous build; False if it is gone."""
    try:
        os.link(source, target)
    except FileNotFoundError:
        return False
    except OSError:
        shutil.copy2(source, target)
    return True


def _facts(kind: str, data: bytes) -> dict:
    if kind == "page":
        return lint.page_facts(data.decode("utf-8"))
    if kind == "feed":
        return lint.feed_facts(data)
    return {}


@contextmanager
def staging(out: Path, keep: tuple[str, ...] = ()) -> Iterator[Path]:
    """A fresh folder next to `out`; swapped in only if the block finishes without error.

    Folders named in `keep` (the social outbox) are not built: they move over from the old site.
    """
    tmp = out.parent / f".{out.name}.building"
    old = out.parent / f".{out.name}.previous"
    for leftover in (tmp, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    tmp.mkdir(parents=True)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for name in keep:
        if (out / name).is_dir():
            (out / name).rename(tmp / name)
    if out.exists():
        out.rename(old)
    try:
        tmp.rename(out)
    except OSError as exc:
        if old.exists():
            old.rename(out)
        raise PublishError(f"could not move the new site into {out}: {exc}") from exc
    shutil.rmtree(old, ignore_errors=True)


def manifest_path(project: Project) -> Path:
    return project.state_dir / "publish-manifest.json"


def load_manifest(project: Project) -> dict:
    """The last build's input keys and lint facts per file; an unreadable one means a full build."""
    try:
        state = json.loads(manifest_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if state.get("version") == MANIFEST_VERSION else {}


def save_manifest(project: Project, state: dict) -> None:
    path = manifest_path(project)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)
