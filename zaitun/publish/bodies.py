"""Each document body is parsed once: its HTML is kept by the source's hash and the renderer's version.

Within a chunk of outputs (a feed and the pages of its entries share one, see workers.schedule) a
body is rendered once and shared; `done` then writes the new ones to `.zaitun/bodies.sqlite` and
lets them go, so no process holds the whole site's HTML. A later build (a template changed, a
cold build into a new folder) reads the HTML back instead of parsing the Markdown again. The cache
is only a shortcut: when it cannot be read or written the body is rendered as before.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from zaitun.stamps import stamp
from zaitun.state.bodies import BodyCache

FILE = "bodies.sqlite"

_path: Path | None = None  # the cache of the project being built; None: no cache (tests, `zaitun check`)
_conn: tuple[int, BodyCache] | None = None  # opened in this process (a forked worker opens its own)
_memo: dict[str, Markup] = {}  # rendered or read in the current chunk
_new: dict[str, str] = {}  # rendered in the current chunk, to be written by `done`
_live: set[str] | None = None  # the keys the last keep_only of this process kept


def use(state_dir: Path | None) -> None:
    """Keep bodies in this project's state folder (None: keep nothing); the same folder again (a process
    that builds again) keeps its connection."""
    global _path, _conn, _live
    path = state_dir / FILE if state_dir else None
    if path != _path:
        if _conn is not None and _conn[0] == os.getpid():
            _conn[1].close()
        _path, _conn, _live = path, None, None
    _memo.clear()
    _new.clear()


@lru_cache(maxsize=1)
def renderer_version() -> str:
    """Changes with the code that turns Markdown into body HTML and with the parsers it uses."""
    from zaitun.content import labels, markdown
    from zaitun.publish import render

    digest = hashlib.sha256()
    for module in (markdown, render, labels):
        digest.update(Path(module.__file__).read_bytes())
    for package in PARSERS:
        digest.update(f"{package}={_installed(package)}".encode())
    return digest.hexdigest()[:16]


PARSERS = ("markdown_it", "mdit_py_plugins", "markdown_it_pyrs")


def _installed(package: str) -> str:
    """Which copy of a parser is installed: its entry file's stamp (size and time), which an upgrade changes.
    Found without importing it, or importlib.metadata (a build would load that and the email package for this
    alone)."""
    spec = importlib.util.find_spec(package)
    return stamp(spec.origin)[0] if spec is not None and spec.origin else "none"


def key_of(lang: str, source_hash: str, file_links: dict[str, str]) -> str:
    """A body's HTML depends on its source, where its linked files were published and the renderer."""
    return _key(lang, source_hash, tuple(sorted(file_links.items())) if file_links else ())


@lru_cache(maxsize=1 << 16)  # a build not told what changed keys every entry's body: once a process each
def _key(lang: str, source_hash: str, links: tuple[tuple[str, str], ...]) -> str:
    parts = (lang, source_hash, list(links), renderer_version())
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def html(key: str, render: Callable[[], Markup]) -> Markup:
    """The body HTML of `key`: from this chunk, from the cache, or rendered now (and kept)."""
    found = _memo.get(key)
    if found is None:
        stored = _read(key)
        if stored is None:
            found = render()
            _new[key] = str(found)
        else:
            found = Markup(stored)
        _memo[key] = found
    return found


def known(key: str) -> bool:
    """Whether the HTML of `key` is at hand (read from the cache now, for `html` to find)."""
    if key in _memo:
        return True
    stored = _read(key)
    if stored is not None:
        _memo[key] = Markup(stored)
    return stored is not None


def done() -> None:
    """End of a chunk: write the bodies rendered in it to the cache and let them all go."""
    new = list(_new.items())
    _memo.clear()
    _new.clear()
    if new and (cache := _cache()) is not None:
        cache.put(new)


def keep_only(keys: set[str]) -> None:
    """Forget bodies no entry of the last build has (old versions of changed documents): after the first
    time in a process, those of the keys it kept last time that are gone (what another process put there
    since is left for that process, or the next to start, to forget)."""
    global _live
    if (cache := _cache()) is None:
        return
    if _live is None:
        cache.keep_only(keys)
    elif _live - keys:
        cache.forget(_live - keys)
    _live = set(keys)


def forget(keys: set[str]) -> None:
    """Forget the bodies of these keys (those of documents' versions replaced since), leaving what this process
    knows as it was: its next keep_only looks at every key."""
    if keys and (cache := _cache()) is not None:
        cache.forget(keys)


def _read(key: str) -> str | None:
    cache = _cache()
    return cache.get(key) if cache is not None else None


def _cache() -> BodyCache | None:
    global _conn
    if _path is None:
        return None
    if _conn is None or _conn[0] != os.getpid():
        _conn = (os.getpid(), BodyCache(_path))
    return _conn[1]


@atexit.register
def _close() -> None:
    """At exit, close this process's connection: the last one to close moves the bodies written since into
    the cache's file (SQLite's checkpoint) and removes its log, which a process ending without its teardown
    (zaitun.leaving) would otherwise leave, however large, for the next to read and move."""
    if _conn is not None and _conn[0] == os.getpid():
        _conn[1].close()
