"""Render outputs into the staging folder, in forked worker processes when the batch is large.

Workers inherit the planned outputs (and the compiled templates) from the parent at fork time
instead of receiving them pickled; each checks the pages it wrote on their own (lint.check_page) and
returns the manifest record of each, with only the facts the checks across pages need. Outputs
that render the same Markdown body share a chunk, so no body is rendered twice.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from zaitun import progress
from zaitun.publish import bodies, layout, lint
from zaitun.publish.inputs import Entry, forget_bodies, load_bodies
from zaitun.publish.pages import Output
from zaitun.publish.render import warm

PARALLEL_MIN = 200  # below this many files to render, forking workers costs more than it saves
SERIAL_CHUNK = 64  # outputs rendered in this process between two advances of the progress bar
# outputs a worker renders at once at most: what a chunk leaves behind (its bodies, the garbage of its pages)
# adds to the worker's size, which starts at the size of the build's process (10,000 pages: 740 a chunk
# took a worker from 110 to 147 MB; 200, to 140)
CHUNK_MAX = 200


def write_file(target: str, data: bytes) -> None:
    """Plain strings and one system call each: this runs for every file of a full build."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _render_chunk(items: list[Output], stage: Path) -> list[dict]:
    """Render and write items in turn; return the manifest record of each (input key, kind, lint facts, and
    its own lint problems if it has any), or {"error": why} for one that raised: one output's failure is
    the build's to judge, not the end of it. The chunk's bodies are read from the store here, together,
    and let go at its end."""
    records, folder, shared = [], f"{stage}/", {}
    try:
        with contextlib.suppress(Exception):  # not read here: each page reads its own, and says why it cannot
            load_bodies([_ENTRIES[page] for item in items for page in item.bodies if page in _ENTRIES])
        for item in items:
            try:
                key = item.key  # before rendering, which lets go of what the key is made from
                data = item.render()
                write_file(folder + layout.file_of(item.path), data)
                records.append(_record(item, key, data, shared))
            except Exception as exc:
                records.append({"error": f"{exc.__class__.__name__}: {exc}"})
    finally:
        forget_bodies()
        bodies.done()  # the chunk's bodies are kept on disk, not in this process
        trim()
    return records


def trim() -> None:
    """Give the memory freed by a chunk back to the system (glibc keeps it otherwise, and the peak of every
    worker would be the sum of its chunks' leftovers, not its largest chunk's)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


_MALLOC_TRIM = getattr(ctypes.CDLL(None), "malloc_trim", None) if sys.platform.startswith("linux") else None
_JOBS: list[Output] = []  # read by forked workers, which inherit it
_ENTRIES: dict[str, Entry] = {}  # document page -> its entry, whose body the outputs naming the page render
_SCOPE: lint.Scope | None = None  # the site the pages rendered belong to, for their own lint


def _render_job(args: tuple[list[int], str]) -> list[dict]:
    indexes, stage = args
    return _render_chunk([_JOBS[i] for i in indexes], Path(stage))


def worker_count(jobs: int) -> int:
    """Processes for a batch: forking is only safe in a single-threaded process (not inside a Prefect task
    runner's thread, for instance) and only pays for large batches."""
    if jobs < PARALLEL_MIN or threading.active_count() > 1:
        return 1
    import multiprocessing  # here: a build of a few pages renders them in this process and never loads it

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(os.cpu_count() or 1, 8)


def render_all(todo: list[Output], stage: Path, scope: lint.Scope, workers: int = 1,
               entries: dict[str, Entry] | None = None) -> list[dict]:
    """Render, write and check outputs (pages on their own, in the site of `scope`), returning their records
    in order; with several workers, forked processes share the planned outputs. `entries` (document page
    -> entry) lets each chunk read its bodies at once."""
    global _ENTRIES, _SCOPE
    _ENTRIES, _SCOPE = entries or {}, scope
    try:
        return _render_all(todo, stage, workers)
    finally:
        _ENTRIES, _SCOPE = {}, None


def _render_all(todo: list[Output], stage: Path, workers: int) -> list[dict]:
    size = min(max(16, len(todo) // (workers * 8)), CHUNK_MAX) if workers > 1 else SERIAL_CHUNK
    chunks = schedule(todo, size)  # outputs sharing a body share a chunk, in this process too
    records: list[dict] = [{}] * len(todo)
    shared: dict = {}
    done = _in_workers(todo, chunks, stage, workers) if workers > 1 else \
        (_render_chunk([todo[i] for i in chunk], stage) for chunk in chunks)
    with progress.task("Rendering pages", total=len(todo)) as bar, closing(done):  # closed: the pool ends
        for chunk, chunk_records in zip(chunks, done, strict=True):
            for i, record in zip(chunk, chunk_records, strict=True):
                records[i] = _shared(record, shared)
            bar.advance(len(chunk))  # here in the parent, once per chunk: workers never report
    return records


def _in_workers(todo: list[Output], chunks: list[list[int]], stage: Path, workers: int) -> Iterator[list[dict]]:
    """Render chunks of `todo` in forked processes, which inherit it (and the warm templates) from here;
    yield each chunk's records, in order, as soon as it is done."""
    import multiprocessing  # only a batch worth several processes gets here (see worker_count)

    global _JOBS
    _JOBS = todo
    warm()
    gc.freeze()  # the workers' collector then skips the objects they inherit, which stay shared, not copied
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=gc.enable) as pool:
            yield from pool.imap(_render_job, [(chunk, str(stage)) for chunk in chunks], chunksize=1)
    finally:
        gc.unfreeze()
        _JOBS = []


def schedule(items: list[Output], size: int) -> list[list[int]]:
    """Chunks of item indexes for the workers, largest first. Items that render the same Markdown body
    (a feed and the pages of its entries) share a chunk, so no body is rendered in two workers. The
    sitemap, one file of the whole site (and MB while it is made and read), comes first on its own: a
    worker is smallest before its first chunk."""
    groups = _sharing_bodies(items)
    whole = [group for group in groups if len(group) == 1 and items[group[0]].kind == "sitemap"]
    chunks = [group for group in groups if len(group) > 1]
    alone = [group[0] for group in groups if len(group) == 1 and group not in whole]
    chunks += [alone[i:i + size] for i in range(0, len(alone), size)]
    return whole + sorted(chunks, key=len, reverse=True)


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


def _shared(value, shared: dict):
    """The same value with one object per distinct string and tuple of `shared`: the links pages share
    (navigation, stylesheet) and the alternates of a document's pages and of the sitemap are then held
    once. A table of this build, not sys.intern's, which would keep its size after the build."""
    if type(value) is str:
        return shared.setdefault(value, value)
    if type(value) is tuple:
        value = tuple([_shared(v, shared) for v in value])
        return shared.setdefault(value, value)
    if type(value) is list:
        return [_shared(v, shared) for v in value]
    if type(value) is dict:
        return {shared.setdefault(k, k): _shared(v, shared) for k, v in value.items()}
    return value


def _record(item: Output, key: str, data: bytes, shared: dict) -> dict:
    """An output's manifest record; its values shared with the chunk's other records, so each is pickled
    once per chunk."""
    record: dict = {"key": key, "kind": item.kind, "facts": {}}
    if item.kind == "page":
        problems, record["facts"] = lint.check_page(item.path, data.decode("utf-8"), _SCOPE)
        if problems:
            record["problems"] = problems
    elif item.kind == "feed":
        record["facts"] = lint.feed_facts(data)
    elif item.kind == "sitemap":
        record["facts"] = lint.sitemap_facts(data)
    return _shared(record, shared)
