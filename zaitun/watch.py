"""Watch content/ and announce changes as `zaitun.content.changed` events, debounced.

Editors save a file several times in a row; one event goes out once the folder has been
quiet for `debounce` seconds, naming every path touched in the burst. A file written while
open is held back until its writer closes it (inotify's open and close events, on Linux), so a
slow copy or a writer pausing between chunks is never taken in half-written; the other files of
its burst are announced without it (a document dropped beside a long copy does not wait for it);
a rename into place, a file moved in and a deletion are complete at once. One still open after
`LONGEST_WRITE_WAIT` seconds is announced anyway, with a warning, in case its close was lost.
Where the platform reports no opens, a file counts as written once the folder is quiet.
Documents and notices are announced, and so are the files documents link (images, PDFs),
whose new version must go online too; hidden files and editors' temporary files are not.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from zaitun.content.model import DOCUMENT_SUFFIXES, is_scratch
from zaitun.stack import file_identity

log = logging.getLogger(__name__)


def is_watched(path: str) -> bool:
    """A content file worth announcing: not in a hidden folder, not an editor's or a download's scratch file."""
    return "/." not in path and not is_scratch(Path(path).name)


def linked_files(paths: list[str]) -> list[str]:
    """The announced paths that are not documents: files that documents link."""
    return [p for p in paths if not p.lower().endswith(DOCUMENT_SUFFIXES)]


LONGEST_WRITE_WAIT = 60.0
"""Seconds a path may stay open for writing before its burst is announced anyway: a close event may be lost."""


class DebouncedHandler(FileSystemEventHandler):
    """Collects touched paths; calls `on_batch(paths)` after a quiet period once none of them is open for writing."""

    def __init__(self, on_batch: Callable[[list[str]], None], debounce: float = 1.0,
                 longest_wait: float = LONGEST_WRITE_WAIT):
        self.on_batch = on_batch
        self.debounce = debounce
        self.longest_wait = longest_wait
        self._paths: set[str] = set()
        self._opens: dict[str, int] = {}  # path -> opened and not yet closed, by readers too
        self._writing: dict[str, float] = {}  # path written while open -> since when (time.monotonic)
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type != "deleted":  # a folder moved in or renamed: its files are
            return  # told one by one; one moved out (to the Trash, say) is told only as the folder, deleted
        paths = [p for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        relevant = [str(p) for p in paths if is_watched(str(p))]
        if not relevant:
            return
        with self._lock:
            self._track_writers(event.event_type, relevant)
            if event.event_type in ("opened", "closed_no_write"):  # readers, our own intake among them
                return
            self._paths.update(relevant)
            self._schedule(self.debounce)

    def _track_writers(self, kind: str, paths: list[str]) -> None:
        """Count who holds each path open, and note the open paths being written: they are not complete yet."""
        now = time.monotonic()
        for path in paths:
            if kind == "opened":
                self._opens[path] = self._opens.get(path, 0) + 1
                if path in self._paths:  # created, then opened: the first bytes may be slow to come
                    self._writing.setdefault(path, now)
            elif kind == "closed_no_write" and self._opens.get(path, 0) > 1:
                self._opens[path] -= 1  # a reader is done; a writer may still hold the file
            elif kind in ("closed", "closed_no_write", "moved", "deleted"):  # written, renamed into place, gone
                self._opens.pop(path, None)
                self._writing.pop(path, None)
            elif self._opens.get(path):  # created or modified while open; without an open seen, a move in
                self._writing.setdefault(path, now)

    def _schedule(self, delay: float) -> None:
        if self._timer:
            self._timer.cancel()
        self._timer = threading.Timer(delay, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if threading.current_thread() is not self._timer:
                return  # replaced while it waited for the lock: its successor fires
            wait = self._wait_for_writers()
            writing = {p for p in self._paths if p in self._writing} if wait else set()
            if wait:
                self._schedule(wait)  # an event, the writer's close among them, reschedules sooner
            if not self._paths - writing:
                return
            paths, self._paths = sorted(self._paths - writing), writing  # the others go now: the pass they start
            # leaves the open ones as they are (content/writing.py), and each one's close makes a burst of its own
        try:
            self.on_batch(paths)
        except Exception:  # a failed announcement must not kill the watcher
            log.exception("could not announce content change")

    def _wait_for_writers(self) -> float:
        """Seconds to hold the burst for paths still being written; 0 when none is, or each waited `longest_wait`."""
        now = time.monotonic()
        held = {p: since for p, since in self._writing.items() if p in self._paths}
        left = [since + self.longest_wait - now for since in held.values()]
        if any(t > 0 for t in left):
            return min(t for t in left if t > 0)
        for path, since in held.items():
            log.warning("%s is still open for writing after %.0f s (its close was not seen): announcing it "
                        "as it is", path, now - since)
            self._writing[path] = now  # its writer may still be at it: the next burst waits as long again
        return 0


class HeldBatches:
    """Batches announced only once `release` is called, those before it as one: `zaitun up` watches from
    before its first pass (a file dropped while that runs is not in it), but an event sent before the flows
    have registered their triggers starts nothing."""

    def __init__(self, on_batch: Callable[[list[str]], None]) -> None:
        self.on_batch = on_batch
        self._held: set[str] | None = set()  # None once released
        self._lock = threading.Lock()

    def __call__(self, paths: list[str]) -> None:
        with self._lock:
            if self._held is not None:
                self._held.update(paths)
                return
        self.on_batch(paths)

    def hold(self) -> None:
        """Hold batches again until the next `release` (the flows are being started again)."""
        with self._lock:
            if self._held is None:
                self._held = set()

    def release(self) -> None:
        with self._lock:
            held, self._held = sorted(self._held or ()), None
            if held:  # under the lock: a batch coming meanwhile goes out after these
                self.on_batch(held)


def emit_content_changed(paths: list[str]) -> None:
    """Announce a batch of changes; a name that is not UTF-8 as its bytes (errors.shown), or the event, and with
    it the others' changes, would not be sent."""
    from zaitun import events
    from zaitun.errors import shown

    events.emit(events.CONTENT_CHANGED, resource_id=events.CONTENT_BATCH, paths=[shown(path) for path in paths])


def start_watcher(content_dir: Path, on_batch: Callable[[list[str]], None] = emit_content_changed,
                  debounce: float = 1.0, longest_wait: float = LONGEST_WRITE_WAIT):
    """Start watching; returns the observer (call .stop() and .join() to end)."""
    content_dir.mkdir(parents=True, exist_ok=True)
    observer = Observer()
    observer.schedule(DebouncedHandler(on_batch, debounce, longest_wait), str(content_dir), recursive=True)
    observer.daemon = True
    observer.start()
    return observer


class ContentWatcher:
    """The watcher of content/, started again on the folder found there when it is another than the one watched:
    inotify follows the folder it was given, not its name, so the files of a share mounted over content/ after the
    start, or of a folder or link a deploy script put in its place, would otherwise never be seen. Which folder is
    there is looked at in a thread of its own: on a share that stopped answering, a look may hang."""

    def __init__(self, content_dir: Path, on_batch: Callable[[list[str]], None], debounce: float = 1.0,
                 every: float = 0.5) -> None:
        self.content_dir, self.on_batch, self.debounce = content_dir, on_batch, debounce
        self.observer = start_watcher(content_dir, on_batch, debounce)
        self.watched = self.there = file_identity(content_dir)
        self._ended = threading.Event()
        threading.Thread(target=self._look, args=(every,), daemon=True, name="content folder").start()

    def _look(self, every: float) -> None:
        while not self._ended.wait(every):
            self.there = file_identity(self.content_dir)

    def replaced(self) -> bool:
        """Whether content/ is now another folder than the one watched; if so, it watches that one from now on.
        A content/ gone is not made anew (read as empty, it would withdraw every document): it waits."""
        now = self.there
        if now is None or now == self.watched:
            return False
        self.observer.stop()
        self.observer.join(4)
        self.observer, self.watched = start_watcher(self.content_dir, self.on_batch, self.debounce), now
        return True

    def stop(self) -> None:
        self._ended.set()
        self.observer.stop()
        self.observer.join(4)


def watch(content_dir: Path, echo: Callable[[str], object] = lambda line: None) -> None:
    """Announce content changes until Ctrl-C or SIGTERM: the watcher role when Prefect runs elsewhere. It says
    it is watching only once it is (not before refusing to start)."""
    import signal
    import time

    from zaitun.errors import ZaitunError
    from zaitun.events import api_configured, flush, stay_connected

    if not api_configured():
        raise ZaitunError("PREFECT_API_URL is not set: point it at the Prefect server the workers use "
                          "(`zaitun up` needs no watcher of its own)")
    stay_connected()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a service manager's stop ends it like Ctrl-C
    content = ContentWatcher(content_dir, emit_content_changed)
    echo(f"watching {content_dir}; Ctrl-C to stop")
    try:
        while content.observer.is_alive():
            time.sleep(0.5)
            if content.replaced():  # what the new folder holds was told by no event: an intake takes it in
                echo(f"{content_dir} is another folder now (a share mounted over it, or a folder or link put in "
                     "its place): watching it")
                emit_content_changed([])
    except KeyboardInterrupt:
        pass
    finally:
        content.stop()
        flush()
