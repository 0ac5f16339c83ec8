"""Files in content/ another program is still writing: a notice being copied in, a large file being saved.

Read mid-copy, a .docx is a broken zip (quarantined, and the copy then finishes inside the quarantine folder)
and a .txt or .md is half a notice (taken in, published in Chinese, and an edit of a document half its text,
sending the rest to review). The watcher of `zaitun up` waits for its writer's close, but a pass started any
other way (the hourly run, `zaitun intake`, a change to another file) reads every file. So a pass first asks
which files under content/ a process holds open for writing (Linux's /proc: the writer's open file, not a time
stamp, which `cp -p` would set in the past), waits a little for them to close, and leaves those still open for
its next pass, untouched and told. Where /proc cannot tell (another system, another user's process, a writer on
another machine of a shared folder), no file is taken as being written.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from zaitun.errors import ContentError

WAIT = 3.0  # seconds a pass waits for writers to close their files before leaving them to its next pass
EVERY = 0.1  # seconds between two looks
PROC = Path("/proc")
WRITE_MODES = (os.O_WRONLY, os.O_RDWR)


def wait_for_writers(folder: Path, wait: float | None = None) -> dict[Path, str]:
    """The files under `folder` still open for writing after waiting up to `wait` seconds (WAIT) for them to be
    closed, each with who writes it (`cp (pid 1234)`)."""
    deadline = time.monotonic() + (WAIT if wait is None else wait)
    while (writing := being_written(folder)) and time.monotonic() < deadline:
        time.sleep(EVERY)
    return writing


def still_written(writing: dict[Path, str], then: str) -> list[ContentError]:
    """Each file of `writing`, in order, as `path:1: still being written by WHO: then` (what becomes of it)."""
    return [ContentError(path, f"still being written by {who}: {then}", 1) for path, who in sorted(writing.items())]


def being_written(folder: Path) -> dict[Path, str]:
    """The files under `folder` a process holds open for writing now, as paths under `folder`, with who."""
    try:
        root = str(folder.resolve(strict=True)) + os.sep
        pids = [name for name in os.listdir(PROC) if name.isdigit()]
    except OSError:
        return {}
    found: dict[Path, str] = {}
    for pid in pids:
        try:
            fds = os.scandir(PROC / pid / "fd")
        except OSError:  # gone meanwhile, or another user's
            continue
        with fds:
            for fd in fds:
                try:
                    target = os.readlink(fd.path)
                except OSError:
                    continue
                if target.startswith(root) and _open_for_writing(pid, fd.name):
                    found[folder / target[len(root):]] = _who(pid)
    return found


def _open_for_writing(pid: str, fd: str) -> bool:
    try:
        info = (PROC / pid / "fdinfo" / fd).read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    flags = next((line.split()[1] for line in info.splitlines() if line.startswith("flags:")), "0")
    return (int(flags, 8) & os.O_ACCMODE) in WRITE_MODES


def _who(pid: str) -> str:
    try:
        name = (PROC / pid / "comm").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        name = "a process"
    return f"{name} (pid {pid})"
