"""Index a first build's search shards while its pages are still being rendered.

A build with no version online writes every page and indexes every shard (search.ALL). Which document
pages each shard holds is known before any is written (the pages planned, split as search.split_shards
splits them), so the pages are rendered shard by shard (`rank`), and each shard, once all its pages are
written, is indexed in a thread of this process into the folder search.index_site writes it to: the
indexing runs beside the rendering. The Chinese shards go to the warm service (started early, its
dictionary loaded: indexer.prepare), the others to a service of their own (as CPUs allow), which never
loads the dictionary (0.2 s). index_site then keeps each bundle made of the very pages, in the same order,
it would index (the same bundle, byte for byte) and indexes any other itself. An attempt that fails or holds
a document back cancels it (its version folder is discarded with what was indexed).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path

from zaitun.publish import layout, search
from zaitun.publish.indexer import Indexer, warm


class Ahead:
    """The shards of one attempt's pages, indexed as their pages are written (`written`), then handed to
    index_site (`finish`)."""

    def __init__(self, site_dir: Path, planned: list[str], services: int) -> None:
        self.site_dir = site_dir
        names = sorted((layout.file_of(path) for path in planned if search.place_of(path)), key=lambda n: n.split("/"))
        members: dict[str, list[str]] = {}
        for name in names:  # as index_site lists a site without an index: every page, in the order of the names
            members.setdefault(search.shard_of(name, {}), []).append(name)
        self.members = search.split_shards(members, {})
        self._shard = {name: k for k, held in self.members.items() for name in held}
        self._left = {k: len(held) for k, held in self.members.items()}
        self._ranks = _ranks(self.members)
        self._lanes = max(1, min(services, len({k.split("/")[0] for k in self.members})))
        self._ready: list[queue.Queue[str | None]] = [queue.Queue() for _ in range(self._lanes)]
        self._threads: list[threading.Thread] = []
        self._owner = threading.current_thread()  # whose service is the warm one
        self._failure: BaseException | None = None
        self._stopped = False
        self.done: dict[str, list[str]] = {}  # shard -> the pages its bundle was made of
        self.interface: dict[str, bytes] = {}

    def rank(self, path: str) -> int:
        """Where a page is rendered: a shard's pages together, the shards of the languages in turn; any other
        output after them."""
        return self._ranks.get(layout.file_of(path), len(self._ranks))

    def written(self, paths: list[str]) -> None:
        """These outputs are written: each shard whose pages all are goes to the services."""
        for path in paths:
            k = self._shard.get(layout.file_of(path))
            if k is None:
                continue
            self._left[k] -= 1
            if self._left[k] == 0:
                self._start()
                self._ready[0 if k.startswith("zh") or self._lanes == 1 else 1].put(k)

    def finish(self) -> tuple[dict[str, list[str]], dict[str, bytes]]:
        """Wait for the shards under way and ready; the bundles made (shard -> its pages) and the search
        interface. A service that failed fails the build here, named."""
        self._join()
        if self._failure is not None:
            raise self._failure
        return self.done, self.interface

    def cancel(self) -> None:
        """Index nothing more (the attempt is discarded); wait for the bundles under way."""
        self._stopped = True
        self._join()

    def _start(self) -> None:
        if self._threads:
            return
        lanes: list[Callable] = [lambda: warm(self._owner)] + [Indexer] * (self._lanes - 1)
        self._threads = [threading.Thread(target=self._lane, args=(service, ready), name=f"index-{i}", daemon=True)
                         for i, (service, ready) in enumerate(zip(lanes, self._ready, strict=True))]
        for thread in self._threads:
            thread.start()

    def _lane(self, service: Callable, ready: queue.Queue[str | None]) -> None:
        try:
            with service() as indexer:
                while (k := ready.get()) is not None:
                    if self._stopped or self._failure is not None:
                        continue
                    folder = self.site_dir / layout.SEARCH_DIR / search.fresh_folder(k)
                    self.interface.update(search.write_bundle(indexer.index(self.site_dir, self.members[k]), folder))
                    self.done[k] = self.members[k]
        except BaseException as exc:  # told by finish, in the build's thread; the other lanes stop
            self._failure = self._failure or exc

    def _join(self) -> None:
        for ready in self._ready:
            ready.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []


def _ranks(members: dict[str, list[str]]) -> dict[str, int]:
    """Each page's place in the rendering: the shards of each language in turn, interleaved (the services
    then index both languages from the start), each shard's pages in its order."""
    by_lang: dict[str, list[str]] = {}
    for k in sorted(members):
        by_lang.setdefault(k.split("/")[0], []).append(k)
    order = [k for i in range(max(map(len, by_lang.values()), default=0)) for held in by_lang.values()
             for k in held[i:i + 1]]
    return {name: rank for rank, name in enumerate(name for k in order for name in members[k])}
