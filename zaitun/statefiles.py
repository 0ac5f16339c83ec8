"""The small JSON records zaitun keeps in .zaitun/ of what it told, sent and queued.

A record that does not read (cut short by a full disk or a kill, hand-edited into invalid JSON, the wrong
shape, not text) is never taken for none: that would tell or post again everything it recorded, or drop
what waited in it. `read` raises `StateUnreadable` instead. Where zaitun cannot go on without the record
(social.json: posts would go out twice) its reader refuses until the file is restored or deleted; where it
can, the file is set aside (`set_aside`): moved, as it is, to .zaitun/unreadable/, with a note of what that
means and what to do, which the command logs and `zaitun status` shows while the file is kept there.
The caches kept beside them (`keep_cache`) are another matter: one not written only means work done again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from zaitun.errors import StateUnreadable
from zaitun.project import Project

log = logging.getLogger(__name__)

UNREADABLE = "unreadable"  # .zaitun/unreadable/: records set aside, each with a `.note` beside it
NOTE = ".note"


def read(path: Path, fits: Callable[[Any], bool]) -> tuple[Any, bytes] | None:
    """The record at `path` and its bytes; None when there is none. `fits` tells whether what the JSON holds
    is the record zaitun writes. Raises StateUnreadable when the file does not read or is not that."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateUnreadable(path, exc.strerror or str(exc)) from None
    try:
        value = orjson.loads(data)
    except ValueError as exc:  # binary garbage too (orjson's error is a ValueError)
        raise StateUnreadable(path, str(exc)) from None
    if not fits(value):
        raise StateUnreadable(path, "not the record zaitun writes")
    return value, data


def encoded(value: Any) -> bytes:
    """A record's bytes as `write` writes them."""
    # (indented for a person to read; orjson writes 5,000 documents' redirects.json in 1 ms, json in 25)
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def digest(data: bytes) -> str:
    """What tells a record's file from another (its bytes, as `read` returns and `write` wrote them): a build
    keeps it to know, next time, that the file is still the one it left."""
    return hashlib.sha256(data).hexdigest()[:24]


def write(path: Path, value: Any, data: bytes | None = None) -> bytes:
    """Replace the record at `path` whole (a temporary file renamed over it: a kill leaves the old one); `data`:
    its bytes, encoded already."""
    data = encoded(value) if data is None else data
    temp = path.with_name(path.name + ".tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
    return data


def set_aside(project: Project, error: StateUnreadable, meaning: str) -> Path | None:
    """Move the record that did not read to .zaitun/unreadable/ as it is (never overwritten), and log and keep
    (for `zaitun status`) what happened, what that `meaning`s and what to do; None when another process set it
    aside first. Raises StateUnreadable, with that said, when it cannot be moved: the caller then must not
    write the record either."""
    try:
        kept = project.set_aside(error.path, project.state_dir / UNREADABLE,
                                 lambda stamp: f"{stamp}-{error.path.name}")
    except FileNotFoundError:  # set aside by another process meanwhile, which said so
        return None
    except OSError as exc:
        raise StateUnreadable(error.path, error.why, f"{error}, nor moved aside ({exc.strerror or exc}): {meaning}; "
                              f"move it away (or delete it) so zaitun can write a new one") from exc
    note = (f"{error.path} could not be read ({error.why}); it is kept as {kept}: {meaning}. Delete it once "
            "looked at (zaitun status lists it until then)")
    log.error("%s", note)
    try:
        kept.with_name(kept.name + NOTE).write_text(note + "\n", encoding="utf-8")
    except OSError as exc:  # the disk full: the line above said it; zaitun status cannot
        log.error("could not keep that note for zaitun status (%s)", exc.strerror or exc)
    return kept


def notes(project: Project) -> list[str]:
    """What `zaitun status` shows of records set aside: the note of each one still kept, oldest first."""
    folder = project.state_dir / UNREADABLE
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        if name.endswith(NOTE) and (folder / name.removesuffix(NOTE)).exists():
            try:
                found.append((folder / name).read_text(encoding="utf-8").strip())
            except (OSError, ValueError):
                found.append(f"{folder / name.removesuffix(NOTE)}: set aside (its note does not read)")
    return found


def keep_cache(path: Path, data: bytes) -> None:
    """Replace a cache file whole, or leave it as it was (a temporary file of this process renamed over it): a
    cache not written is only work done again, never a reason to fail."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
