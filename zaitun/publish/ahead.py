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
        self.site_dir, self._planned, self._services = site_dir, planned, services
        self.members: dict[str, list[str]] = {}  # shard -> its pages, made once the workers are forked
        self._shard: dict[str, str] = {}
        self._left: dict[str, int] = {}
        self._lanes = 1
        self._ready: list[queue.Queue[str | None]] = []
        self._threads: list[threading.Thread] = []
        self._owner = threading.current_thread()  # whose service is the warm one
        self._failure: BaseException | None = None
        self._stopped = False
        self.done: dict[str, list[str]] = {}  # shard -> the pages its bundle was made of
        self.interface: dict[str, bytes] = {}

    @staticmethod
    def rank(path: str) -> str:
        """Where an output is rendered: the document pages by the hash that places them in their shard (a
        shard's pages together, the shards of both languages at the same pace), any other output after them.
        Not remembered (search.place_of would keep every page's in the process the workers are forked from)."""
        place = _place(path)
        return place[1] if place else "2"

    def written(self, paths: list[str]) -> None:
        """These outputs are written: each shard whose pages all are goes to the services."""
        if self._planned is not None:
            self._plan()
        for path in paths:
            k = self._shard.get(layout.file_of(path))
            if k is None:
                continue
            self._left[k] -= 1
            if self._left[k] == 0:
                self._start()
                self._ready[0 if k.startswith("zh") or self._lanes == 1 else 1].put(k)

    def _plan(self) -> None:
        """The shards of the pages planned, as index_site lists a site without an index: every page at a
        document's place, in the order of the names (file names, as index_site's: place_of keeps each)."""
        names = sorted((name for name in map(layout.file_of, self._planned) if search.place_of(name)),
                       key=lambda name: name.split("/"))
        members: dict[str, list[str]] = {}
        for name in names:
            members.setdefault(search.shard_of(name, {}), []).append(name)
        self.members = search.split_shards(members, {})
        self._shard = {name: k for k, held in self.members.items() for name in held}
        self._left = {k: len(held) for k, held in self.members.items()}
        self._lanes = max(1, min(self._services, len({k.split("/")[0] for k in self.members})))
        self._ready = [queue.Queue() for _ in range(self._lanes)]
        self._planned = None

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
                    files = indexer.index(self.site_dir, self.members[k], search.UNUSED)
                    self.interface.update(search.write_bundle(files, folder))
                    self.done[k] = self.members[k]
        except BaseException as exc:  # told by finish, in the build's thread; the other lanes stop
            self._failure = self._failure or exc

    def _join(self) -> None:
        for ready in self._ready:
            ready.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []


_place = search.place_of.__wrapped__  # the same, without keeping it
