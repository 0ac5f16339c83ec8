"""What a long-running process (`zaitun up`) keeps from its last build, so the next one costs what changed.

Kept in memory: the manifest that build wrote (and its parts, so the next one rewrites only those that
changed, and the records they were made of, so it places only the records it changed); its records of list
pages say what each showed (site.Planned.recall_keys); its pages as planned, so the next build plans again
only the lists showing a document changed since (pages.plan).
Used only while the version online is the very one this process built, its manifest file unchanged:
a build by another process, a rollback or a stopped build puts another version online, and the memory
is forgotten (the manifest is read from disk, as a new process would). Taken out at the start of a
build and put back only once it is online, so a build that fails leaves nothing half-updated behind.
What changed in the store since is still asked of the store (delta.py), never remembered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from zaitun.publish.output import MANIFEST, PARTS, Parts, records_of
from zaitun.publish.pages import Plan


@dataclass
class Memory:
    version: Path  # the version folder this process put online
    stamp: tuple  # its manifest files' inodes, modification times and sizes
    manifest: dict  # what read_manifest would read from it
    parts: Parts | None = None  # the manifest's parts as written (output.write_manifest)
    plan: Plan | None = None  # its pages as planned (pages.plan): the next plan replans only what changed
    records: dict[str, dict] | None = None  # the records `parts` were made of (output.records_of): the next
    # build places only those that are not the very same objects


_KEPT: dict[str, Memory] = {}  # publish folder -> the memory of its last build in this process


def recall(out: Path, online: Path | None) -> Memory | None:
    """The memory of the build online, if this process made it and nothing changed it since; forgotten
    either way (a build puts back what it leaves)."""
    memory = _KEPT.pop(str(out), None)
    if memory is None or online is None or memory.version != online or _stamp(online) != memory.stamp:
        return None
    return memory


def keep(out: Path, version: Path, manifest: dict, parts: Parts, plan: Plan | None = None) -> None:
    """Remember the build just put online (`version`) for this process's next build."""
    stamp = _stamp(version)
    if stamp is not None:
        _KEPT[str(out)] = Memory(version, stamp, manifest, parts, plan, records_of(manifest))


def forget(out: Path) -> None:
    _KEPT.pop(str(out), None)


def _stamp(version: Path) -> tuple | None:
    """The manifest's files as the system describes them: a write to any of them changes it."""
    try:
        files = [(MANIFEST, os.stat(version / MANIFEST))]
        with os.scandir(version / PARTS) as parts:
            files += [(entry.name, entry.stat()) for entry in parts]
    except OSError:
        return None
    return tuple(sorted((name, st.st_ino, st.st_mtime_ns, st.st_size) for name, st in files))
