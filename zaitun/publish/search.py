"""Search in both languages: Pagefind indexes the built site; each language searches its own pages.

Pagefind (the extended build, which segments Chinese) reads the document pages' `data-pagefind-body`
and writes a static index and its scripts into `pagefind/` of the site: search needs no server.
The search page of each language loads it with `assets/search.js`, allowed by the page's
Content-Security-Policy (scripts from the site itself, and WebAssembly).
"""

from __future__ import annotations

import ctypes
import hashlib
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from zaitun.errors import PublishError
from zaitun.publish import layout

SCRIPT = Path(__file__).parent / "static" / "search.js"
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'")
# only document pages carry data-pagefind-body: the indexer reads no other (the index is the same, byte for
# byte, made with a tenth less CPU and memory at 5,000 documents)
DOCUMENT_PAGES = layout.file_of(layout.document("*", "*", "*"))
TIMEOUT = 600  # seconds: a large site indexes in seconds; a hung indexer must not hold the build forever


@dataclass
class IndexReport:
    pages: int = 0  # document pages indexed, all languages
    bytes: int = 0  # size of the index folder
    seconds: float = 0.0

    def summary(self) -> str:
        return f"search index: {self.pages} pages, {self.bytes / 1e6:.1f} MB in {self.seconds:.2f}s"


def script_path() -> str:
    """The search page's script, named by its content so browsers may cache it for ever."""
    return layout.script("search", hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:10])


def script_output():
    """The script as an output of the build (an asset, like the stylesheet)."""
    from zaitun.publish.pages import Output

    data = SCRIPT.read_bytes()
    return Output(script_path(), (hashlib.sha256(data).hexdigest(),), lambda: data, kind="asset")


def needs_index(site_dir: Path, rendered: list[str], removed: list[str]) -> bool:
    """A page was written or removed, or there is no index yet: only then is the site indexed again."""
    return bool(rendered or removed) or not (site_dir / layout.SEARCH_DIR / "pagefind-ui.js").is_file()


def _indexer() -> str:
    try:
        from pagefind.service import get_executable
    except ImportError:  # pragma: no cover - a dependency of zaitun
        executable = None
    else:
        executable = get_executable()
    if executable is None:
        raise PublishError("the search indexer (PyPI package pagefind[extended]) is not installed: "
                           "pip install 'pagefind[extended]'")
    return str(executable)


def _die_with_parent() -> None:
    """In the indexer: end when the build is killed, rather than write on into a version folder that the
    next build removes (Linux's PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)


def _has_document_pages(site_dir: Path) -> bool:
    """Some page at a document's place is one (a site whose documents are all withdrawn has none)."""
    return any(b"data-pagefind-body" in page.read_bytes() for page in site_dir.glob(DOCUMENT_PAGES))


def index_site(site_dir: Path) -> IndexReport:
    """Write `pagefind/` into a complete built site; the previous index stays until the new one is whole."""
    started = time.perf_counter()
    target = site_dir / layout.SEARCH_DIR
    fresh = site_dir / f".{layout.SEARCH_DIR}.new"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        glob = ["--glob", DOCUMENT_PAGES] if _has_document_pages(site_dir) else []  # none: the whole site, as ever
        done = subprocess.run([_indexer(), "--site", str(site_dir), "--output-path", str(fresh), "--silent", *glob],
                              capture_output=True, text=True, timeout=TIMEOUT, check=False,
                              preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:
        raise PublishError(f"the search indexer took over {TIMEOUT}s on {site_dir}; the previous index was kept") \
            from None
    if done.returncode != 0:
        raise PublishError(f"the search indexer failed on {site_dir}: {done.stderr.strip()[-500:]}")
    old = site_dir / f".{layout.SEARCH_DIR}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    files = [p for p in target.rglob("*") if p.is_file()]
    pages = sum(1 for p in files if p.parent.name == "fragment")
    return IndexReport(pages, sum(p.stat().st_size for p in files), time.perf_counter() - started)
