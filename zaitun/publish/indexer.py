"""Pagefind's service (`pagefind --service`): one process indexes bundle after bundle, the pages sent as
they are (no folder of links to read again, no command per bundle).

The protocol is Pagefind's own (what its Python package speaks, without asyncio and its 0.1 s poll per
answer): each message base64-encoded JSON ended by a comma, on standard input; each answer the same,
on standard output. A process is restarted after RESTART_PAGES pages, so its memory stays that of a few
bundles whatever the size of the site. A start costs about 5 ms, but its first Chinese page 0.2 s (the
segmenter's dictionary): a long-running process (`zaitun up`) keeps one service warm between builds.
"""

from __future__ import annotations

import atexit
import base64
import binascii
import os
import select
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from zaitun import leaving
from zaitun.children import end_with_parent
from zaitun.config import LANGUAGES
from zaitun.errors import PublishError

TIMEOUT = 120  # seconds for one answer: a bundle of MAX_PAGES pages takes well under one
RESTART_PAGES = 4000  # a service keeps a little memory of each bundle it wrote (90 MB after 12 of 125 pages)
BATCH = 64  # pages sent before their answers are read: fewer round trips, the pipes never full
# what a service is warmed with: a Chinese page, whose segmenting loads the dictionary
WARM_PAGE = (f'<html lang="{LANGUAGES["zh"]}"><body><main data-pagefind-body><p>搜索中文</p></main></body></html>')


def executable() -> str:
    """Pagefind's extended binary (it segments Chinese), found as Pagefind's Python package finds it
    (PAGEFIND_BINARY_PATH first), without importing that package's service, whose asyncio costs 15 ms."""
    if found := os.environ.get("PAGEFIND_BINARY_PATH"):
        return found
    try:
        from pagefind_bin_extended import get_executable

        return str(get_executable())
    except (ImportError, FileNotFoundError):
        raise PublishError("the search indexer (PyPI package pagefind[extended]) is not installed: "
                           "pip install 'pagefind[extended]'") from None


BODY = "<article data-pagefind-body>"  # where the part of a document page Pagefind indexes starts
# in that part, what Pagefind ignores and a page may show or not as its document's text stays the same (an
# English page's note that a revised translation is under review): never sent, so such a page's indexed part
# is the same with it or without (search.written_anew)
IGNORED = '<p class="note review" role="note" data-pagefind-ignore>'


def indexed_part(page: str) -> str:
    """A page as Pagefind needs it: its `<html lang>` and what follows its indexed body's start, without the
    head and the header before it (its links, scripts and navigation: a page's first half, and 10% of
    Pagefind's work), nor the IGNORED note. The bundles are the same, byte for byte
    (tests/test_search_indexer.py)."""
    start, head = page.find(BODY), page.find("<head>")
    part = page if start < 0 or head < 0 or head > start else f"{page[:head]}<body>\n{page[start:]}"
    if (note := part.find(IGNORED)) >= 0 and (end := part.find("</p>\n", note)) >= 0:
        part = part[:note] + part[end + len("</p>\n"):]
    return part


def _end_with_build() -> None:
    """In the indexer: killed with the build, rather than write on into a version folder that the next
    build removes."""
    end_with_parent(signal.SIGKILL)


def _decoded(files: list[dict], unused: Collection[str]) -> Iterator[tuple[str, bytes]]:
    """The files of an answer but the `unused` (never decoded: half of a small bundle's answer), each
    decoded when taken and its base64 text let go then: a bundle's files are never all held twice."""
    files.reverse()
    while files:
        file = files.pop()
        if file["path"] not in unused:
            yield file["path"], base64.b64decode(file["content"])


class Indexer:
    """A Pagefind service process, started when first used."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._errors = tempfile.TemporaryFile()
        self._message = 0
        self._pages = 0
        self._pending = bytearray()
        self._owed = 0  # answers to messages sent without waiting (warm_up), read before the next ones
        self.chinese = False  # whether this service has loaded the Chinese dictionary (or is loading it)

    def __enter__(self) -> Indexer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
        self._errors.close()

    def index(self, site_dir: Path, names: list[str], unused: Collection[str] = ()) -> Iterator[tuple[str, bytes]]:
        """One bundle of these pages of a built site (`<lang>/<section>/<slug>/index.html`), each at its URL
        (its place): its files (path, data) but the `unused`, decoded one at a time as they are taken. Taken
        as data, not written by the service: it answers WriteFiles before its last writes are on disk."""
        if self._process is None or self._pages >= RESTART_PAGES or self._process.poll() is not None:
            self.close()
            self._start()
        index = self._ask([{"type": "NewIndex", "config": None}])[0]["index_id"]
        for start in range(0, len(names), BATCH):
            self._ask([{"type": "AddFile", "index_id": index, "file_path": None,
                        "url": "/" + name.removesuffix("index.html"),
                        "file_contents": indexed_part((site_dir / name).read_text(encoding="utf-8"))}
                       for name in names[start:start + BATCH]])
        files = self._ask([{"type": "GetFiles", "index_id": index},
                           {"type": "DeleteIndex", "index_id": index}])[0]["files"]
        self._pages += len(names)
        return _decoded(files, unused)

    def warm_up(self) -> None:
        """Start the service, unless one is running that indexed or is warming already, and send it a Chinese
        page in an index deleted unwritten, without waiting for it to be segmented: the next bundle then
        finds the dictionary loaded, and its files are those it would have been without."""
        if self._process is not None and self._process.poll() is None and (self._pages or self._owed):
            return
        self.close()
        self._start()
        index = self._ask([{"type": "NewIndex", "config": None}])[0]["index_id"]
        self._send([{"type": "AddFile", "index_id": index, "file_path": None, "url": "/", "file_contents": WARM_PAGE},
                    {"type": "DeleteIndex", "index_id": index}])
        self._owed, self.chinese = 2, True

    def warming(self) -> bool:
        """Whether the Chinese page `warm_up` sent is still being segmented (the dictionary loading): its answers,
        read now as far as they are in, without waiting, are not all in."""
        while self._owed and self._process is not None:
            arrived = self._arrived()
            if arrived is None:  # it ended: `index` starts another
                return False
            if not arrived:
                return True
            self._answer()
            self._owed -= 1
        return False

    def _arrived(self) -> bool | None:
        """Whether an answer is in whole, read without waiting; None when the service ended."""
        stdout = self._process.stdout
        while self._pending.find(b",") < 0:
            if not select.select([stdout], [], [], 0)[0]:
                return False
            chunk = stdout.read1(1 << 20)
            if not chunk:
                return None
            self._pending += chunk
        return True

    def close(self, wait: bool = True) -> None:
        """Tell the service to end (its input closed) and wait for it, unless not `wait`: this process ends
        at once (leaving.end) and the service, told already, ends with it (PR_SET_PDEATHSIG)."""
        if self._process is not None:
            try:
                self._process.stdin.close()
            except BrokenPipeError:  # it ended with messages unread: nothing more to tell it
                pass
            self._process.stdout.close()
            if not wait:
                return  # (kept: the process object is never collected, the process never waited for)
            try:
                self._process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def _start(self) -> None:
        self._errors.seek(0)
        self._errors.truncate()  # before it starts: it may write and end at once
        self._process = subprocess.Popen([executable(), "--service"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=self._errors,
                                         # a terminal's Ctrl-C is for zaitun, whose stop builds once more:
                                         start_new_session=True,  # not for the service that build indexes on
                                         preexec_fn=_end_with_build)
        self._pages, self._pending, self._owed, self.chinese = 0, bytearray(), 0, False

    def _ask(self, payloads: list[dict]) -> list[dict]:
        """Send these messages, then read their answers in order (after those owed); an error answer fails
        the build."""
        self._send(payloads)
        answers = [self._answer() for _ in range(self._owed + len(payloads))]
        answers, self._owed = answers[self._owed:], 0
        for answer in answers:
            if answer["payload"].get("type") == "Error":
                raise self._failure(answer["payload"].get("message", "an error"))
        return [answer["payload"] for answer in answers]

    def _send(self, payloads: list[dict]) -> None:
        first = self._message + 1
        self._message += len(payloads)
        data = b"".join(base64.b64encode(orjson.dumps({"message_id": first + i, "payload": payload})) + b","
                        for i, payload in enumerate(payloads))
        try:
            self._process.stdin.write(data)
            self._process.stdin.flush()
        except BrokenPipeError:
            raise self._failure("ended") from None

    def _answer(self) -> dict:
        """The next answer, read into one growing buffer (an answer with a bundle's files is MB: not copied
        at each read) and parsed from it."""
        deadline = time.monotonic() + TIMEOUT
        stdout, pending = self._process.stdout, self._pending
        searched = 0  # the buffer before this holds no comma
        while (end := pending.find(b",", searched)) < 0:
            searched = len(pending)
            if not select.select([stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
                self._process.kill()
                raise PublishError(f"the search indexer answered nothing for {TIMEOUT}s; the previous index "
                                   "was kept")
            chunk = stdout.read1(1 << 20)
            if not chunk:
                raise self._failure("ended")
            pending += chunk
        with memoryview(pending) as whole, whole[:end] as message:
            answer = orjson.loads(binascii.a2b_base64(message))  # read in place (base64.b64decode copies it)
        del pending[:end + 1]
        return answer

    def _failure(self, what: str) -> PublishError:
        self._errors.seek(0)
        said = self._errors.read().decode(errors="replace").strip()[-500:]
        return PublishError(f"the search indexer failed ({what}){': ' + said if said else ''}")


_warm: dict = {"indexer": None, "thread": None, "busy": False}
_warm_lock = threading.Lock()


@contextmanager
def warm(owner: threading.Thread | None = None) -> Iterator[Indexer]:
    """The service kept between the builds of this process, when this thread (or `owner`, whose build this
    is) started it and no other build uses it; else a new one, ended after. The service ends with the
    thread that started it (PR_SET_PDEATHSIG), and at exit."""
    with _warm_lock:
        mine = _claim(owner or threading.current_thread())
        _warm["busy"] |= mine
    if not mine:
        with Indexer() as indexer:
            yield indexer
        return
    try:
        yield _warm["indexer"]
    except BaseException:
        _warm["indexer"].close()  # its answers may be half read: the next build starts another
        raise
    finally:
        _warm["busy"] = False


def _claim(owner: threading.Thread) -> bool:
    """Whether the build of this thread (`owner`) may use the service kept (under the lock): no other build
    uses it; made that thread's (a new one) if another thread started it."""
    if _warm["busy"]:
        return False
    if _warm["thread"] is not owner:
        if _warm["indexer"] is not None:
            _warm["indexer"].__exit__(None, None, None)
        else:
            atexit.register(end_warm)
        _warm.update(indexer=Indexer(), thread=owner)
    return True


def warming(owner: threading.Thread | None = None) -> bool:
    """Whether the service `warm(owner)` would give is still loading the Chinese dictionary (`prepare` started
    it): bundles of no Chinese page are then indexed by a service of their own, not made to wait for it."""
    with _warm_lock:
        service = _warm["indexer"]
        if service is None or _warm["busy"] or _warm["thread"] is not (owner or threading.current_thread()):
            return False  # warm() would start one: nothing to wait for
        return service.warming()


def prepare() -> None:
    """Have the service this build's `warm` will give start and load the Chinese dictionary now, beside the
    rest of the build (Indexer.warm_up); nothing when another build uses it."""
    with _warm_lock:
        if _claim(threading.current_thread()):
            _warm["indexer"].warm_up()


@contextmanager
def ended_on_failure() -> Iterator[None]:
    """A build that fails leaves no service behind: the one kept, if this thread's and idle, ends (the next
    build starts another)."""
    try:
        yield
    except BaseException:
        with _warm_lock:
            if _warm["thread"] is threading.current_thread() and not _warm["busy"] and _warm["indexer"]:
                _warm["indexer"].close()
        raise


def end_warm() -> None:
    """End the service kept warm (at exit; or when the indexer to run has changed): the next build
    starts one."""
    with _warm_lock:
        if _warm["indexer"] is not None and not _warm["busy"]:
            if leaving.ending():  # the process ends now, without its teardown: waiting would cost 7 ms more
                _warm["indexer"].close(wait=False)
                return
            _warm["indexer"].__exit__(None, None, None)
            _warm.update(indexer=None, thread=None)
