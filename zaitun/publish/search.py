"""Search in both languages: Pagefind indexes the built site; each language searches its own pages.

Pagefind (the extended build, which segments Chinese) reads the document pages' `data-pagefind-body`
and writes a static index and its scripts: search needs no server. Pagefind cannot update an index, so
each language's document pages are split into SHARDS of at most MAX_PAGES pages, each indexed as its
own bundle (`pagefind/<lang>/h<bits>/`): a rebuild indexes again only the shards of the pages it wrote
or removed, so its cost does not grow with the site. A shard holds the pages whose hash (of section
and slug) starts with its bits; a shard grown past MAX_PAGES splits in two (one more bit), so the
number of shards grows with the site and a document never moves but by a split.
`pagefind/bundles.json` names the bundles of each language and the shards; the search page of a
language loads them with `assets/search.js` (one bundle, the others merged), its interface once from
`pagefind/ui/`, allowed by the page's Content-Security-Policy (scripts from the site itself, and
WebAssembly). The pages go to Pagefind's service (`indexer.py`): one process a language, side by side
as CPUs allow (a language split between two only for a long run), the Chinese one kept warm between
the builds of a long-running process. A new version of Pagefind indexes all
again (its code would not read the bundles of the one before).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from zaitun.publish import layout
from zaitun.publish.indexer import Indexer, warm

SCRIPT = Path(__file__).parent / "static" / "search.js"
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'")
# pages of one language in a shard: a re-index costs at most this many pages (about 1.3 ms each) at any
# size of site, and a reader's first search loads one bundle per MAX_PAGES / 2 to MAX_PAGES pages
MAX_PAGES = 200
LANE_PAGES = 1000  # pages worth splitting a language between two services (a full build, not a rebuild)
NOT_DOCUMENTS = {layout.programme("x", "y").split("/")[1], layout.tag("x", "y").split("/")[1]}  # same depth
LIST = "bundles.json"  # in pagefind/: the bundles of each language, and the shards
UI = "ui"  # in pagefind/: the search interface and Pagefind's code, once for all bundles
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")
# Pagefind's code, loaded from the first bundle of a language only (the others are merged into it, in
# its worker): linked into that one from ui/, with the WebAssembly of its language
CORE = ("pagefind.js", "pagefind-worker.js")
# Pagefind writes other interfaces into every bundle: the search page uses none of them
UNUSED = ("pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-highlight.js")
ALL = "*"  # the stale shards of a site without a (sharded) index: every page is indexed anew

Leaves = dict[str, list[str]]  # site language folder -> the bits of its shards (a prefix-free cover)


@dataclass
class IndexReport:
    pages: int = 0  # document pages indexed in the shards indexed, all languages
    bytes: int = 0  # size of the shards indexed
    seconds: float = 0.0
    shards: list[str] = field(default_factory=list)  # the shards indexed (the others were kept)
    total: int = 0  # the shards of the site with pages in them

    def summary(self) -> str:
        return (f"search index: {len(self.shards)} of {self.total} shards, {self.pages} pages, "
                f"{self.bytes / 1e6:.1f} MB in {self.seconds:.2f}s")


def script_path() -> str:
    """The search page's script, named by its content so browsers may cache it for ever."""
    return layout.script("search", hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:10])


def script_output():
    """The script as an output of the build (an asset, like the stylesheet)."""
    from zaitun.publish.pages import Output

    data = SCRIPT.read_bytes()
    return Output(script_path(), (hashlib.sha256(data).hexdigest(),), lambda: data, kind="asset")


@functools.lru_cache(maxsize=1 << 16)  # a rebuild places every page of the site: each is hashed once a process
def _place(path: str) -> tuple[str, str] | None:
    """The language folder and hash bits of a page at a document's place (`<lang>/<section>/<slug>/`):
    both are fixed for a document. None for any other page (not indexed)."""
    parts = path.removesuffix("index.html").strip("/").split("/")
    if len(parts) != 3 or parts[1] in NOT_DOCUMENTS:
        return None
    digest = hashlib.sha256(f"{parts[1]}/{parts[2]}".encode()).digest()[:8]
    return parts[0], format(int.from_bytes(digest, "big"), "064b")


def shard_of(path: str, leaves: Leaves) -> str | None:
    """The shard (`<lang>/h<bits>`) of a page at a document's place, among these shards; None for any
    other page. A language without shards yet has one, of every page (no bits)."""
    place = _place(path)
    if place is None:
        return None
    lang, bits = place
    held = set(leaves.get(lang) or [""])
    return f"{lang}/h{next(bits[:n] for n in range(len(bits) + 1) if bits[:n] in held)}"


def read_leaves(site_dir: Path) -> Leaves | None:
    """The shards of a site's index, None when it has no sharded index (or none)."""
    listed = site_dir / layout.SEARCH_DIR / LIST
    if not listed.is_file():
        return None
    return json.loads(listed.read_text(encoding="utf-8"))["shards"]


def stale_shards(site_dir: Path, rendered: list[str], removed: list[str]) -> set[str]:
    """The shards to index again: those of the pages written or removed; ALL when the index is not yet
    sharded (or missing)."""
    leaves = read_leaves(site_dir)
    if leaves is None:
        return {ALL}
    return {shard for path in rendered + removed if (shard := shard_of(path, leaves)) is not None}


def kept_files(site_dir: Path, stale: set[str]) -> list[str]:
    """The index files of the other shards (and the interface and the list), to keep as they are: plain
    strings from os.scandir (every rebuild lists them, 10,000 at 5,000 documents)."""
    index = site_dir / layout.SEARCH_DIR
    if ALL in stale or not (index / LIST).is_file():
        return []
    skip = {f"{layout.SEARCH_DIR}/{k}" for k in stale}
    found: list[str] = []
    folders = [layout.SEARCH_DIR]
    while folders:
        folder = folders.pop()
        with os.scandir(f"{site_dir}/{folder}") as entries:
            for entry in entries:
                name = f"{folder}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    if name not in skip:
                        folders.append(name)
                else:
                    found.append(name)
    return found


def _members(site_dir: Path, stale: set[str], leaves: Leaves, pages: list[str] | None = None) -> dict[str, list[str]]:
    """The document pages of each stale shard (a page at a document's place that is not one, such as a
    programme's, carries no data-pagefind-body). Only the stale shards' languages are listed, and only
    their pages read: listed with os.scandir and placed from the names (10,000 pages on every rebuild of
    a large site), or taken from `pages`, the site's pages at a document's place when the build knows them."""
    every = ALL in stale
    members: dict[str, list[str]] = {} if every else {k: [] for k in stale}
    # language folders only: not a folder the build is removing beside them (`*.deleting`)
    langs = ({d.name for d in site_dir.iterdir() if d.is_dir() and "." not in d.name} if every
             else {k.split("/")[0] for k in stale})
    names = (name for lang in sorted(langs) for name in _document_pages(site_dir, lang)) if pages is None or every \
        else sorted(_in_shards(pages, stale), key=lambda name: name.split("/"))  # in the order listed
    for name in names:
        shard = shard_of(name, leaves)
        if shard is not None and (every or shard in members):
            with open(f"{site_dir}/{name}", "rb") as page:
                if b"data-pagefind-body" in page.read():
                    members.setdefault(shard, []).append(name)
    return members


def _in_shards(pages: list[str], shards: set[str]) -> list[str]:
    """The pages in these shards (`<lang>/h<bits>`), told from their (remembered) places."""
    wanted: dict[str, tuple[str, ...]] = {}
    for shard in shards:
        lang, bits = shard.split("/h", 1)
        wanted[lang] = (*wanted.get(lang, ()), bits)
    return [name for name in pages if (place := _place(name)) and place[1].startswith(wanted.get(place[0], "-"))]


def _document_pages(site_dir: Path, lang: str) -> Iterator[str]:
    """`<lang>/<section>/<slug>/index.html` of every folder at a document's place, in the order of the
    names."""
    top = f"{site_dir}/{lang}"
    for section in _folders(top):
        for slug in _folders(f"{top}/{section}"):
            name = f"{lang}/{section}/{slug}/index.html"
            if os.path.isfile(f"{site_dir}/{name}"):
                yield name


def _folders(path: str) -> list[str]:
    try:
        with os.scandir(path) as entries:
            return sorted(e.name for e in entries if e.is_dir(follow_symlinks=False) and not e.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _split(members: dict[str, list[str]], leaves: Leaves) -> dict[str, list[str]]:
    """Split each shard of more than MAX_PAGES pages in two by the next bit of its pages' hashes, until
    none is; `leaves` follows."""
    done: dict[str, list[str]] = {}
    todo = list(members.items())
    while todo:
        shard, names = todo.pop()
        lang, bits = shard.split("/h", 1)
        held = leaves.setdefault(lang, [""])  # a language new to the index: one shard of all its pages
        if len(names) <= MAX_PAGES or len(bits) >= 64:
            done[shard] = names
            continue
        held.remove(bits)
        for bit in "01":
            held.append(bits + bit)
            todo.append((f"{lang}/h{bits + bit}", [n for n in names if _place(n)[1][len(bits)] == bit]))
    return done


def index_site(site_dir: Path, stale: set[str], pages: list[str] | None = None) -> IndexReport:
    """Index the stale shards of a complete built site into `pagefind/<lang>/h<bits>/` (the others stay
    as they are); each shard's previous index stays until its new one is whole. `pages`: the site's pages
    at a document's place, when known (else they are listed)."""
    started = time.perf_counter()
    index = site_dir / layout.SEARCH_DIR
    leaves = None if ALL in stale else read_leaves(site_dir)
    if leaves is None:  # not sharded yet (or no index): start clean
        shutil.rmtree(index, ignore_errors=True)
        leaves, stale = {}, {ALL}
    index.mkdir(exist_ok=True)
    recorded = json.loads((index / LIST).read_text(encoding="utf-8")).get("pagefind") if ALL not in stale else None
    members = _split(_members(site_dir, stale, leaves, pages), leaves)
    for held in leaves.values():
        held.sort()
    fresh = {k: index / _fresh(k) for k, names in members.items() if names}
    interface = _write_bundles(site_dir, {k: members[k] for k in fresh}, fresh)
    made = json.loads((next(iter(fresh.values())) / "pagefind-entry.json").read_bytes())["version"] if fresh else None
    if recorded and made and made != recorded:  # another Pagefind: its code would not read the bundles kept
        shutil.rmtree(index)
        return index_site(site_dir, {ALL})
    if interface:
        _write_interface(index, interface)
    for k in members:
        shutil.rmtree(index / k, ignore_errors=True)  # a shard left with no page has no bundle
        if k in fresh:
            fresh[k].rename(index / k)
    total = _write_list(index, leaves, made or recorded)
    files = [p for k in fresh for p in (index / k).rglob("*") if p.is_file()]
    return IndexReport(sum(len(names) for names in members.values()), sum(p.stat().st_size for p in files),
                       time.perf_counter() - started, sorted(fresh), total)


def _fresh(shard: str) -> str:
    """Where a shard's new bundle is written, beside the old one (hidden: not a bundle yet)."""
    lang, bits = shard.split("/")
    return f"{lang}/.{bits}.new"


def _write_bundles(site_dir: Path, members: dict[str, list[str]], fresh: dict[str, Path]) -> dict[str, bytes]:
    """Each shard's pages through a Pagefind service into its fresh folder, the services side by side
    (see _lanes), each taking its shards in turn. This thread's service is the one kept warm between
    builds. Returns the search interface and code (the same in every bundle)."""
    lanes = _lanes(members, os.cpu_count() or 1)
    interface: dict[str, bytes] = {}

    def run(lane: list[str], service) -> None:
        with service() as indexer:
            for k in lane:
                interface.update(_write_bundle(indexer.index(site_dir, members[k]), fresh[k]))

    with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        others = [pool.submit(run, lane, Indexer) for lane in lanes[1:]]
        run(lanes[0], warm)
        for other in others:
            other.result()
    return interface


def _lanes(members: dict[str, list[str]], cpus: int) -> list[list[str]]:
    """The shards each service takes, biggest first: one service a language (Chinese in the first, the
    warm one: a service's first Chinese page loads the segmenter's dictionary, 0.2 s), as CPUs allow;
    a language's shards split between services only for a long run (LANE_PAGES)."""
    by_lang: dict[str, list[str]] = {}
    for k in sorted(members, key=lambda k: (-len(members[k]), k)):
        by_lang.setdefault(k.split("/")[0], []).append(k)
    lanes = [by_lang[lang] for lang in sorted(by_lang, key=lambda lang: (not lang.startswith("zh"), lang))]
    while len(lanes) > max(1, cpus):
        lanes[-2].extend(lanes.pop())
    size = {id(lane): sum(len(members[k]) for k in lane) for lane in lanes}
    while len(lanes) < cpus and sum(size.values()) >= LANE_PAGES:
        big = max(lanes, key=lambda lane: size[id(lane)])
        if len(big) < 2:
            break
        lanes.append(big[1::2])
        big[:] = big[0::2]
        size = {id(lane): sum(len(members[k]) for k in lane) for lane in lanes}
    return lanes or [[]]


def _write_bundle(files: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Write a bundle's index, not its code: the interfaces the search page does not use are dropped, and
    the search interface, Pagefind's code and the WebAssembly of the bundle's languages (a language
    without its own loads `unknown`) returned, to be written once for all bundles."""
    entry = json.loads(files["pagefind-entry.json"])
    shared = set(UI_FILES + CORE) | {_wasm(lang) for lang in entry["languages"].values()}
    shutil.rmtree(folder, ignore_errors=True)
    for name in sorted({name.rpartition("/")[0] for name in files} - {""}):
        (folder / name).mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        if name not in UNUSED and name not in shared and not name.startswith("wasm."):
            (folder / name).write_bytes(data)
    return {name: files[name] for name in shared}


def _wasm(language: dict) -> str:
    return f"wasm.{language['wasm'] or 'unknown'}.pagefind"


def _write_interface(index: Path, interface: dict[str, bytes]) -> None:
    """The search interface and Pagefind's code once in `pagefind/ui/` (with what the bundles kept need,
    from the one before), replaced, never written into: the old one may be hard links into the version
    online."""
    old = {p.name: p for p in (index / UI).iterdir()} if (index / UI).is_dir() else {}
    if all(name in old and old[name].read_bytes() == data for name, data in interface.items()):
        return  # the same Pagefind: the bundles linking its code keep it
    new = index / f".{UI}.new"
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    for name, path in old.items():
        if name not in interface:
            os.link(path, new / name)
    for name, data in interface.items():
        (new / name).write_bytes(data)
    shutil.rmtree(index / UI, ignore_errors=True)
    new.rename(index / UI)


def _write_list(index: Path, leaves: Leaves, version: str | None) -> int:
    """`bundles.json`: for each language, the bundles with pages in it (Pagefind would answer a search in
    a language a bundle lacks from another language's pages), and the shards. A bundle no longer a shard
    (split, or left over in a reused version) is removed. Replaced, never written into: the old one may be
    a hard link into the version online. Returns the number of bundles."""
    shards = {f"{lang}/h{bits}" for lang, held in leaves.items() for bits in held}
    langs: dict[str, list[str]] = {}
    for folder in sorted(p for p in index.glob("*/h*") if p.is_dir()):
        name = folder.relative_to(index).as_posix()
        if name not in shards:
            shutil.rmtree(folder)
            continue
        entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        for lang in sorted(entry["languages"]):
            langs.setdefault(lang, []).append(name + "/")
    for lang, bundles in langs.items():
        _link_code(index, [index / bundle for bundle in bundles], lang)
    temporary = index / f".{LIST}.new"
    listed = {"languages": langs, "shards": leaves, "pagefind": version}
    temporary.write_text(json.dumps(listed, sort_keys=True), encoding="utf-8")
    temporary.replace(index / LIST)
    return sum(len(bundles) for bundles in langs.values())


def _link_code(index: Path, bundles: list[Path], lang: str) -> None:
    """Pagefind's code linked from ui/ into the first bundle of a language, which the search page loads
    it from, and out of the others (a first bundle no longer first)."""
    entry = json.loads((bundles[0] / "pagefind-entry.json").read_text(encoding="utf-8"))
    for name in CORE + (_wasm(entry["languages"][lang]),):
        path = bundles[0] / name
        if not (path.exists() and path.samefile(index / UI / name)):
            path.unlink(missing_ok=True)
            os.link(index / UI / name, path)
    for bundle in bundles[1:]:
        for path in [bundle / name for name in CORE] + list(bundle.glob("wasm.*.pagefind")):
            path.unlink(missing_ok=True)
