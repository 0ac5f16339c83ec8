"""Files known changed by their size and modification time, not their bytes: zaitun's own code (what a build
makes pages with, what intake parses content with), and the files beside the store a build reads.

A stamp changes with an edit, an upgrade or a checkout. A file modified within the clock's granularity of
now may be modified again unseen with the same stamp: such a digest is made unique (it matches nothing
kept), so whatever it keys is made again.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import zaitun

CODE = Path(zaitun.__file__).parent
RACY_NS = 2_000_000_000  # a file modified this recently could be modified again with the same time stamp


def code_digest() -> str:
    """zaitun's code and templates, by size and modification time."""
    return stamped(hashlib.sha256(b"code"), files_under(CODE))


def stamped(digest, paths: list[str]) -> str:
    """`digest` updated with each path's stamp (see the module)."""
    newest = 0
    for path in paths:
        text, mtime = stamp(path)
        digest.update(f"{text}\n".encode("utf-8", "surrogateescape"))  # a name not UTF-8 as its bytes on the disk
        newest = max(newest, mtime)
    if newest > time.time_ns() - RACY_NS:  # it may change again within the clock's granularity, unseen
        digest.update(str(time.time_ns()).encode())
    return digest.hexdigest()[:24]


def files_under(folder: Path) -> list[str]:
    """Every file under a folder, in a stable order (compiled bytecode left out)."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [os.path.join(root, n) for n in sorted(names) if not n.endswith(".pyc")]
    return found


def stamp(path: str) -> tuple[str, int]:
    """A file named by its path, size and modification time (a missing one by its path), and that time."""
    try:
        st = os.lstat(path)
    except OSError:
        return f"{path}\0-", 0
    return f"{path}\0{st.st_size}\0{st.st_mtime_ns}", st.st_mtime_ns
