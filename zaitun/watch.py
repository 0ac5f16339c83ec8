"""Watch content/ and announce changes as `zaitun.content.changed` events, debounced.

Editors save a file several times in a row; one event goes out once the folder has been
quiet for `debounce` seconds, naming every path touched in the burst. Documents and notices
are announced, and so are the files documents link (images, PDFs), whose new version must go
online too; hidden files and editors' temporary files are not.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from zaitun.content.model import DOCUMENT_SUFFIXES, is_scratch

log = logging.getLogger(__name__)


def is_watched(path: str) -> bool:
    """A content file worth announcing: not in a hidden folder, not an editor's or a download's scratch file."""
    return "/." not in path and not is_scratch(Path(path).name)


def linked_files(paths: list[str]) -> list[str]:
    """The announced paths that are not documents: files that documents link."""
    return [p for p in paths if not p.lower().endswith(DOCUMENT_SUFFIXES)]


class DebouncedHandler(FileSystemEventHandler):
    """Collects touched paths; calls `on_batch(paths)` after a quiet period."""

    def __init__(self, on_batch: Callable[[list[str]], None], debounce: float = 1.0):
        self.on_batch = on_batch
        self.debounce = debounce
        self._paths: set[str] = set()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or event.is_directory:
            return
        paths = [p for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        relevant = [str(p) for p in paths if is_watched(str(p))]
        if not relevant:
            return
        with self._lock:
            self._paths.update(relevant)
            if self._timer:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            paths, self._paths = sorted(self._paths), set()
        try:
            self.on_batch(paths)
        except Exception:  # a failed announcement must not kill the watcher
            log.exception("could not announce content change")


def emit_content_changed(paths: list[str]) -> None:
    from zaitun import events

    events.emit(events.CONTENT_CHANGED, resource_id=events.CONTENT_BATCH, paths=paths)


def start_watcher(content_dir: Path, on_batch: Callable[[list[str]], None] = emit_content_changed,
                  debounce: float = 1.0):
    """Start watching; returns the observer (call .stop() and .join() to end)."""
    content_dir.mkdir(parents=True, exist_ok=True)
    observer = Observer()
    observer.schedule(DebouncedHandler(on_batch, debounce), str(content_dir), recursive=True)
    observer.daemon = True
    observer.start()
    return observer


def watch(content_dir: Path) -> None:
    """Announce content changes until Ctrl-C or SIGTERM: the watcher role when Prefect runs elsewhere."""
    import signal
    import time

    from zaitun.errors import ZaitunError
    from zaitun.events import api_configured

    if not api_configured():
        raise ZaitunError("PREFECT_API_URL is not set: point it at the Prefect server the workers use "
                          "(`zaitun up` needs no watcher of its own)")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a service manager's stop ends it like Ctrl-C
    observer = start_watcher(content_dir)
    try:
        while observer.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join(5)
