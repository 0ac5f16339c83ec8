"""One translate pass at a time per document: cron's `zaitun run`, the flow of `zaitun up` and a person's
`zaitun translate` may start together; a pass that finds a document taken waits for it, then reads it again
and drafts only what is still to do. A lock per document, not per project: the flow's batches of other
documents go on at once (translate.concurrency), and no pass waits longer than one document takes.
Reviewers never take it: they approve and edit while a pass runs (the store keeps their work: see
Store.add_translation).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from zaitun import locks
from zaitun.errors import Busy
from zaitun.project import Project

WAIT_AT_MOST = 600.0  # seconds one document may be waited for; then it is held back until the next pass


def say(line: str) -> None:
    """Where a pass says it waits: stderr (stdout may be `--json`), which Prefect's log_prints takes too."""
    print(line, file=sys.stderr, flush=True)


class Turns:
    """The document locks one pass takes in turn; it says once per other pass that it waits for it."""

    def __init__(self, project: Project, echo: Callable[[str], None] = say):
        self.folder = project.state_dir / "translating"
        self.echo, self.told = echo, set()

    @contextmanager
    def document(self, slug: str) -> Iterator[None]:
        """Hold `slug`'s lock for the block; Busy when another pass keeps it past WAIT_AT_MOST."""
        try:
            handle = locks.take(self.folder / f"{slug}.lock", lambda pid: self._waiting(pid, slug), WAIT_AT_MOST)
        except Busy as busy:
            raise Busy(f"another translate pass{_pid(busy.pid)} has been translating it for over "
                       f"{WAIT_AT_MOST:g} s", busy.pid) from None
        try:
            yield
        finally:
            locks.free(handle)

    def _waiting(self, pid: int | None, slug: str) -> None:
        if pid not in self.told:
            self.told.add(pid)
            self.echo(f"waiting for another translate pass{_pid(pid)} to finish with {slug} (one pass at a time "
                      "drafts a document) ...")


def _pid(pid: int | None) -> str:
    return f" (pid {pid})" if pid else ""
