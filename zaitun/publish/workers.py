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
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from zaitun import progress
from zaitun.errors import PublishError, machine_trouble
from zaitun.publish import bodies, layout, lint, pages
from zaitun.publish.inputs import Entry, forget_bodies, load_bodies
from zaitun.publish.pages import Output, PageEntries
from zaitun.publish.render import warm

if TYPE_CHECKING:  # multiprocessing is imported where workers are started (see worker_count)
    import multiprocessing
    from multiprocessing.connection import Connection

PARALLEL_MIN = 200  # below this many files to render, forking workers costs more than it saves
SERIAL_CHUNK = 64  # outputs rendered in this process between two advances of the progress bar
# outputs a worker renders at once at most: what a chunk leaves behind (its bodies, the garbage of its pages)
# adds to the worker's size, which starts at the size of the build's process (10,000 pages: 740 a chunk
# took a worker from 110 to 147 MB; 200, to 140)
CHUNK_MAX = 200
# outputs rendered in this process below which its heap is not trimmed after them: the few pages of a rebuild
# free less than trimming a 5,000-document build's heap costs (1-2 ms), and glibc reuses it
TRIM_AFTER = 16
WHOLE_SITE = (layout.PROVENANCE,)  # the outputs made from the whole site (see schedule), with the sitemap's files


def _of_whole_site(items: list[Output], chunk: list[int]) -> bool:
    """A chunk of the outputs made from the whole site: provenance.json, or the files listing the sitemap's URLs
    (made together: extras.sitemap_paths)."""
    return (len(chunk) == 1 and items[chunk[0]].path in WHOLE_SITE) or all(
        items[i].kind == "sitemap" for i in chunk)


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
                records.append({"error": f"{exc.__class__.__name__}: {exc}"}
                               | ({"machine": str(trouble)} if (trouble := machine_trouble(exc)) else {}))
    finally:
        forget_bodies()
        bodies.done()  # the chunk's bodies are kept on disk, not in this process
        if _IN_WORKER:
            _forget_memos()
        if _IN_WORKER or len(items) >= TRIM_AFTER:
            trim()
    return records


def trim() -> None:
    """Give the memory freed by a chunk back to the system (glibc keeps it otherwise, and the peak of every
    worker would be the sum of its chunks' leftovers, not its largest chunk's)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def lean_heap() -> None:
    """Have glibc map each block of MAP_LARGE bytes or more on its own, so that it goes back to the system
    when freed (else glibc raises that threshold to the largest block freed so far, and the sitemap's text,
    a chunk's records or the search indexer's messages, MB each, are carved from the heap and leave it
    larger and full of holes), and give threads no heap of their own (the render pool's result handler and
    the indexer's lanes: Python lets one thread run at a time anyway). At 5,000 documents the build's peak
    was 10 MB higher without."""
    if _LIBC is not None:
        _LIBC.mallopt(M_MMAP_THRESHOLD, MAP_LARGE)
        _LIBC.mallopt(M_ARENA_MAX, 1)


M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's mallopt parameters
MAP_LARGE = 128 * 1024  # glibc's own threshold before it starts raising it
_LIBC = ctypes.CDLL(None) if sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "mallopt") else None
_JOBS: list[Output] = []  # read by forked workers, which inherit it
_ENTRIES: PageEntries | dict[str, Entry] = {}  # document page -> its entry, whose body outputs naming it render
_SCOPE: lint.Scope | None = None  # the site the pages rendered belong to, for their own lint
_IN_WORKER = False  # a forked render worker, which ends with the batch: nothing of a chunk is worth keeping


def _render_job(args: tuple[list[int], str]) -> list[dict]:
    indexes, stage = args
    return _render_chunk([_JOBS[i] for i in indexes], Path(stage))


def _start_worker() -> None:
    global _IN_WORKER
    _IN_WORKER = True
    gc.enable()


def _forget_memos() -> None:
    """In a worker, after each chunk: what the chunk memoised for a process that builds again (list lines,
    quoted links) would stay till the worker ends and grow it by the whole site's (12 MB at 5,000
    documents); the next chunk shows other pages and makes again the few it needs."""
    pages.forget_lines()
    if _SCOPE is not None:
        _SCOPE.urls.forget()


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
               entries: PageEntries | None = None, written: Written | None = None) -> list[dict]:
    """Render, write and check outputs (pages on their own, in the site of `scope`), returning their records
    in order; with several workers, forked processes share the planned outputs. `entries` (document page
    -> entry) lets each chunk read its bodies at once; `written` is told the outputs written as each chunk
    is done, and orders them (ahead.py)."""
    global _ENTRIES, _SCOPE
    _ENTRIES, _SCOPE = entries or {}, scope
    try:
        return _render_all(todo, stage, workers, written)
    finally:
        _ENTRIES, _SCOPE = {}, None


class Written(Protocol):
    """What is told of the outputs written (ahead.Ahead)."""

    def rank(self, path: str) -> str: ...

    def written(self, paths: list[str]) -> None: ...


def _render_all(todo: list[Output], stage: Path, workers: int, told: Written | None) -> list[dict]:
    size = min(max(16, len(todo) // (workers * 8)), CHUNK_MAX) if workers > 1 else SERIAL_CHUNK
    chunks = schedule(todo, size, told.rank if told else None)  # outputs sharing a body share a chunk, here too
    records: list[dict] = [{}] * len(todo)
    shared: dict = {}
    done = _in_workers(todo, chunks, stage, workers) if workers > 1 else \
        (_render_chunk([todo[i] for i in chunk], stage) for chunk in chunks)
    with progress.task("Rendering pages", total=len(todo)) as bar, closing(done):  # closed: the pool ends
        for chunk, chunk_records in zip(chunks, done, strict=True):
            for i, record in zip(chunk, chunk_records, strict=True):
                records[i] = _shared_record(record, shared)
            if told is not None:
                told.written([todo[i].path for i, record in zip(chunk, chunk_records, strict=True)
                              if "error" not in record])
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
    whole = [chunk for chunk in chunks if _of_whole_site(todo, chunk)]  # the first ones
    alone: list[tuple[multiprocessing.Process, Connection]] = []
    try:
        alone += [_on_its_own(chunk, str(stage)) for chunk in whole]  # forked before the pool has threads
        with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker) as pool:
            rest = pool.imap(_render_job, [(chunk, str(stage)) for chunk in chunks[len(whole):]], chunksize=1)
            for chunk, (process, receive) in zip(whole, alone, strict=True):
                yield _records_of(process, receive, todo[chunk[0]].path)
            yield from rest
    finally:
        for process, receive in alone:
            receive.close()
            if process.is_alive():  # the build stopped before its records were read
                process.kill()
            process.join()
        gc.unfreeze()
        _JOBS = []


def _on_its_own(chunk: list[int], stage: str) -> tuple[multiprocessing.Process, Connection]:
    """Render a chunk of one output of the whole site in a process of its own, forked now, beside the
    workers: what making it leaves (20 MB, its memos) then ends with that process instead of staying in a
    worker for the rest of the batch."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_render_alone, args=(chunk, stage, send), daemon=True)
    process.start()
    send.close()
    return process, receive


def _render_alone(chunk: list[int], stage: str, send: Connection) -> None:
    _start_worker()
    send.send(_render_job((chunk, stage)))
    send.close()


def _records_of(process: multiprocessing.Process, receive: Connection, path: str) -> list[dict]:
    try:
        return receive.recv()
    except EOFError:
        process.join()
        raise PublishError(f"{path} could not be rendered: its process ended (exit code {process.exitcode}); "
                           "the previous site was kept") from None


def schedule(items: list[Output], size: int, rank: Callable[[str], str] | None = None) -> list[list[int]]:
    """Chunks of item indexes for the workers, largest first. Items that render the same Markdown body
    (a feed and the pages of its entries) share a chunk, so no body is rendered in two workers. The files
    of the whole site (the sitemap's, all together, and provenance.json: 20 MB each while made and read at 5,000
    documents) come first, each on its own: a worker is smallest before its first chunk. The others are chunked in the
    order of `rank` (of their paths) when given."""
    groups = _sharing_bodies(items)
    sitemap = [i for i, item in enumerate(items) if item.kind == "sitemap"]
    whole = ([sitemap] if sitemap else []) + [group for group in groups
                                             if len(group) == 1 and items[group[0]].path in WHOLE_SITE]
    chunks = [group for group in groups if len(group) > 1]
    apart = set(sitemap)
    alone = [group[0] for group in groups if len(group) == 1 and group[0] not in apart and group not in whole]
    if rank is not None:
        alone.sort(key=lambda i: rank(items[i].path))
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
        record["facts"] = lint.sitemap_facts(data, item.path)
    elif item.kind == "sitemapindex":
        record["facts"] = lint.sitemap_index_facts(data)
    return _shared_record(record, shared)


def _shared_record(record: dict, shared: dict) -> dict:
    """A record with its values shared (`_shared`), but a sitemap's facts: they hold each document's
    alternates once already (lint.sitemap_facts), and going through every URL's again took longer than the
    rest of a one-change rebuild."""
    if record.get("kind") != "sitemap":
        return _shared(record, shared)
    return _shared({k: v for k, v in record.items() if k != "facts"}, shared) | {"facts": record.get("facts", {})}
