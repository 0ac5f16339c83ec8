"""Putting a build online atomically, and remembering what it wrote.

A full build swaps whole folders (the social outbox moves over). A rebuild writes a journal
of the files to replace and remove, then applies it with atomic renames; `recover` finishes a
journal that a stopped build left, or drops the staging folder of a failed one. The manifest
keeps each file's input key and lint facts for the next build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from zaitun.errors import PublishError
from zaitun.project import Project
from zaitun.publish import layout, lint

MANIFEST_VERSION = 2
JOURNAL = ".journal.json"


def staging_dir(out: Path) -> Path:
    stage = out.parent / f".{out.name}.building"
    stage.mkdir(parents=True)
    return stage


def commit(out: Path, stage: Path, rendered: list[str], removed: list[str], incremental: bool) -> None:
    """Put the staged files online: by journalled renames (rebuild) or by swapping folders (full)."""
    if not incremental:
        _swap(out, stage)
        return
    journal = {"replace": [layout.file_of(p) for p in rendered], "remove": [layout.file_of(p) for p in removed]}
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


KEEP = ".gitkeep"


def _swap(out: Path, stage: Path) -> None:
    old = out.parent / f".{out.name}.previous"
    if old.exists():
        shutil.rmtree(old)
    if (out / layout.SOCIAL_DIR).is_dir():  # the outbox is not built: it moves over
        (out / layout.SOCIAL_DIR).rename(stage / layout.SOCIAL_DIR)
    if (out / KEEP).is_file():  # the repository's placeholder for the git-ignored output folder
        (out / KEEP).rename(stage / KEEP)
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
