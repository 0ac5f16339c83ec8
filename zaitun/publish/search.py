"""Search in both languages: Pagefind indexes the built site; each language searches its own pages.

Pagefind (the extended build, which segments Chinese) reads the document pages' `data-pagefind-body`
and writes a static index and its scripts: search needs no server. Pagefind cannot update an index, so
the documents are split into SHARDS by a hash of their section and slug, each indexed as its own bundle
(`pagefind/<shard>/`): a rebuild indexes again only the shards of the pages it wrote or removed.
`pagefind/shards.json` names the shards holding each language; the search page of a language loads
them with `assets/search.js` (one bundle, the others merged), allowed by the page's
Content-Security-Policy (scripts from the site itself, and WebAssembly).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from zaitun.errors import PublishError
from zaitun.publish import layout

SCRIPT = Path(__file__).parent / "static" / "search.js"
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'")
SHARDS = 16  # a fixed number: a document stays in its shard as the site grows (see CHANGELOG for the figures)
NOT_DOCUMENTS = {layout.programme("x", "y").split("/")[1], layout.tag("x", "y").split("/")[1]}  # same depth
LIST = "shards.json"  # in pagefind/: language -> the shards with pages in it
# only document pages carry data-pagefind-body: the indexer reads no other (each shard's run reads
# only its document pages, linked into a folder of their own)
DOCUMENT_PAGES = layout.file_of(layout.document("*", "*", "*"))
TIMEOUT = 600  # seconds: a large site indexes in seconds; a hung indexer must not hold the build forever


@dataclass
class IndexReport:
    pages: int = 0  # document pages indexed in the shards indexed, all languages
    bytes: int = 0  # size of the shards indexed
    seconds: float = 0.0
    shards: list[int] = field(default_factory=list)  # the shards indexed (the others were kept)

    def summary(self) -> str:
        return (f"search index: {len(self.shards)} of {SHARDS} shards, {self.pages} pages, "
                f"{self.bytes / 1e6:.1f} MB in {self.seconds:.2f}s")


def script_path() -> str:
    """The search page's script, named by its content so browsers may cache it for ever."""
    return layout.script("search", hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:10])


def script_output():
    """The script as an output of the build (an asset, like the stylesheet)."""
    from zaitun.publish.pages import Output

    data = SCRIPT.read_bytes()
    return Output(script_path(), (hashlib.sha256(data).hexdigest(),), lambda: data, kind="asset")


def shard_of(path: str) -> int | None:
    """The shard of a page at a document's place (`<lang>/<section>/<slug>/`): both languages of a
    document share it, and it never changes. None for any other page (not indexed)."""
    parts = path.removesuffix("index.html").strip("/").split("/")
    if len(parts) != 3 or parts[1] in NOT_DOCUMENTS:
        return None
    return int.from_bytes(hashlib.sha256(f"{parts[1]}/{parts[2]}".encode()).digest()[:4], "big") % SHARDS


def stale_shards(site_dir: Path, rendered: list[str], removed: list[str]) -> set[int]:
    """The shards to index again: those of the pages written or removed; all when the index is not yet
    sharded (or missing)."""
    if not (site_dir / layout.SEARCH_DIR / LIST).is_file():
        return set(range(SHARDS))
    return {shard for path in rendered + removed if (shard := shard_of(path)) is not None}


def kept_files(site_dir: Path, stale: set[int]) -> list[str]:
    """The index files of the other shards (and the list), to keep as they are."""
    index = site_dir / layout.SEARCH_DIR
    return [p.relative_to(site_dir).as_posix() for p in index.rglob("*")
            if p.is_file() and p.relative_to(index).parts[0] not in {str(k) for k in stale}]


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


def _members(site_dir: Path, stale: set[int]) -> dict[int, list[str]]:
    """The document pages of each stale shard (a page at a document's place that is not one, such as a
    programme's, carries no data-pagefind-body)."""
    members: dict[int, list[str]] = {k: [] for k in stale}
    for page in site_dir.glob(DOCUMENT_PAGES):
        name = page.relative_to(site_dir).as_posix()
        shard = shard_of(name)
        if shard in members and b"data-pagefind-body" in page.read_bytes():
            members[shard].append(name)
    return members


def _index_shard(site_dir: Path, names: list[str], output: Path) -> None:
    """One Pagefind run over a folder of hard links to the shard's pages, at their places in the site
    (Pagefind takes a page's URL from its place)."""
    source = Path(tempfile.mkdtemp(prefix=".search-", dir=site_dir.parent))
    try:
        for name in names:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            os.link(site_dir / name, source / name)
        done = subprocess.run([_indexer(), "--site", str(source), "--output-path", str(output), "--silent"],
                              capture_output=True, text=True, timeout=TIMEOUT, check=False,
                              preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:
        raise PublishError(f"the search indexer took over {TIMEOUT}s on {site_dir}; the previous index was kept") \
            from None
    finally:
        shutil.rmtree(source, ignore_errors=True)
    if done.returncode != 0:
        raise PublishError(f"the search indexer failed on {site_dir}: {done.stderr.strip()[-500:]}")


def index_site(site_dir: Path, stale: set[int]) -> IndexReport:
    """Index the stale shards of a complete built site into `pagefind/<shard>/` (the others stay as they
    are); each shard's previous index stays until its new one is whole. Shards run side by side."""
    started = time.perf_counter()
    index = site_dir / layout.SEARCH_DIR
    if not (index / LIST).is_file():  # not sharded yet (or no index): start clean
        shutil.rmtree(index, ignore_errors=True)
    index.mkdir(exist_ok=True)
    members = {k: names for k, names in _members(site_dir, stale).items() if names}
    fresh = {k: index / f".{k}.new" for k in members}
    for folder in fresh.values():
        shutil.rmtree(folder, ignore_errors=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(lambda k: _index_shard(site_dir, members[k], fresh[k]), sorted(members)))
    for k in sorted(stale):
        shutil.rmtree(index / str(k), ignore_errors=True)  # a shard left with no page has no bundle
        if k in fresh:
            fresh[k].rename(index / str(k))
    _write_list(index)
    files = [p for k in members for p in (index / str(k)).rglob("*") if p.is_file()]
    return IndexReport(sum(len(names) for names in members.values()), sum(p.stat().st_size for p in files),
                       time.perf_counter() - started, sorted(members))


def _write_list(index: Path) -> None:
    """`shards.json`: for each language, the shards with pages in it (Pagefind would answer a search in
    a language a shard lacks from another language's pages). Replaced, never written into: the old one
    may be a hard link into the version online."""
    langs: dict[str, list[str]] = {}
    for folder in sorted((p for p in index.iterdir() if p.name.isdigit()), key=lambda p: int(p.name)):
        entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        for lang in sorted(entry["languages"]):
            langs.setdefault(lang, []).append(folder.name + "/")
    temporary = index / f".{LIST}.new"
    temporary.write_text(json.dumps(langs, sort_keys=True), encoding="utf-8")
    temporary.replace(index / LIST)
