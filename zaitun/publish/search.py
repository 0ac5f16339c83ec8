"""Search in both languages: Pagefind indexes the built site; each language searches its own pages.

Pagefind (the extended build, which segments Chinese) reads the document pages' `data-pagefind-body`
and writes a static index and its scripts: search needs no server. Pagefind cannot update an index, so
each language's document pages are split into SHARDS of at most MAX_PAGES pages, each indexed as its
own bundle (`pagefind/<lang>/h<bits>/`). A shard holds the pages whose hash (of section and slug) starts
with its bits; a shard grown past MAX_PAGES splits in two (one more bit), so the number of shards grows
with the site and a document never moves but by a split.
A rebuild leaves the shards as they are and indexes the pages it wrote into the language's RECENT
bundle (`pagefind/<lang>/r/`, indexed again whole: a few pages); past RECENT_PAGES these move into its
MIDDLE bundle (`m/`), past MIDDLE_PAGES those into its OLDER bundle (`o/`), and past OLDER_PAGES all are
indexed again in their shards (a fold): each bundle indexed again whole, a deeper one more rarely. A page
is shown from the first of these bundles that lists it (newest first), else from its shard: its other
copies that differ lose their fragment (the text of a result) and the search page hides their results. A
removed page's shard (and any bundle of the tiers holding it) is indexed again at once: nothing of it stays
in the index. `pagefind/bundles.json` names the bundles of each language, the shards, the pages of each
tier's bundle and the results to hide; the search page of a language loads them with
`assets/search.js` (one bundle, the others merged, however many), its interface once from `pagefind/ui/`
and Pagefind through `pagefind/visible/` (which hides those results), allowed by the page's
Content-Security-Policy (scripts from the site itself, and WebAssembly). The pages go to Pagefind's service
(`indexer.py`): services side by side as CPUs allow, taking the shards from the two ends of one queue, the
Chinese end the warm service's (kept between the builds of a long-running process), which alone indexes a rebuild's few
pages; a first build's shards are indexed while its pages are rendered (`ahead.py`). A new version of
Pagefind indexes all again (its code would not read the bundles of the one before).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import json
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from zaitun.publish import layout
from zaitun.publish.indexer import Indexer, indexed_part, warm, warming

SCRIPT = Path(__file__).parent / "static" / "search.js"
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'")
# pages of one language in a shard: a re-index costs at most this many pages (about 1.3 ms each) at any
# size of site, and a reader's first search loads one bundle per MAX_PAGES / 2 to MAX_PAGES pages
MAX_PAGES = 200
# pages still to index for which a service without the Chinese dictionary loads it (0.2 s) to take Chinese
# shards too: at about 1.3 ms a page, shared by two services, that many save more than the load costs
LANE_PAGES = 400
# pages in all below which the warm service indexes them alone: a rebuild's recent bundles (a few pages a
# language) cost less on it than a second service's start, and no CPU is taken from the build's other work
SHARE_PAGES = 32
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
# in pagefind/<lang>/, the bundles of the pages written since their shards were indexed, newest first: the
# recent one, indexed again on each rebuild of its language (a Chinese bundle costs Pagefind about 8 ms and
# 2.8 ms a page); the middle one, indexed again with the recent pages when these pass RECENT_PAGES; the older
# one, with the middle's and recent's when these pass MIDDLE_PAGES; past OLDER_PAGES, all go into their
# shards (a fold: the shards of those pages indexed again, most of a language's at 250 pages). Three tiers:
# over 300 one-page rebuilds, 3 pages a build sent to Pagefind (median; 8 on average) instead of 9 (14) with
# a recent bundle of 16 pages and an older one
RECENT, MIDDLE, OLDER = "r", "m", "o"
TIERS = {RECENT: "recent", MIDDLE: "middle", OLDER: "older"}  # each bundle, and the key of its pages in bundles.json
RECENT_PAGES = 4
MIDDLE_PAGES = 32
OLDER_PAGES = 250
PAGES = "pages.json"  # in each bundle: its pages, each with its results' id (the hash of its fragment)
FRAGMENT = "pagefind_dcd"  # what a fragment starts with, once unzipped (then its JSON)
# in pagefind/: the Pagefind the search page loads, which hides the results bundles.json lists as hidden
VISIBLE = "visible"
VISIBLE_SCRIPT = Path(__file__).parent / "static" / "pagefind-visible.js"

Leaves = dict[str, list[str]]  # site language folder -> the bits of its shards (a prefix-free cover)


@dataclass
class IndexReport:
    pages: int = 0  # document pages indexed in the bundles indexed, all languages
    bytes: int = 0  # size of the bundles indexed
    seconds: float = 0.0  # what indexing added to the build, once its pages were written
    shards: list[str] = field(default_factory=list)  # the bundles indexed (the others were kept)
    total: int = 0  # the bundles of the site with pages in them
    ahead: int = 0  # of the bundles indexed, those made while the pages were being written (ahead.py)
    # what of the index now differs from the one it was made from (the version online's, linked): bundles
    # written or removed by folder (`pagefind/zh/h01/`), other files by name; `pagefind/` when it was made anew.
    # Told as it is written, so a rebuild need not compare 20,000 files (output.recyclable reads it)
    changed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        early = f" ({self.ahead} while its pages were written)" if self.ahead else ""
        return (f"search index: {len(self.shards)} of {self.total} bundles{early}, {self.pages} pages, "
                f"{self.bytes / 1e6:.1f} MB in {self.seconds:.2f}s")


def script_path() -> str:
    """The search page's script, named by its content so browsers may cache it for ever."""
    return layout.script("search", hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:10])


def script_output():
    """The script as an output of the build (an asset, like the stylesheet)."""
    from zaitun.publish.pages import Output

    data = SCRIPT.read_bytes()
    return Output(script_path(), (hashlib.sha256(data).hexdigest(),), lambda: data, kind="asset")


def placed(path: str) -> bool:
    """Whether a page is at a document's place (`<lang>/<section>/<slug>/`): one the index may hold."""
    return _parts(path) is not None


def _parts(path: str) -> list[str] | None:
    if not path.endswith(("/", "index.html")):  # a file: a picture beside a document has a page's depth
        return None
    parts = path.removesuffix("index.html").strip("/").split("/")
    return None if len(parts) != 3 or parts[1] in NOT_DOCUMENTS else parts


@functools.lru_cache(maxsize=1 << 16)  # a rebuild places every page of the site: each is hashed once a process
def place_of(path: str) -> tuple[str, str] | None:
    """The language folder and hash bits of a page at a document's place (`<lang>/<section>/<slug>/`):
    both are fixed for a document. None for any other page (not indexed)."""
    if (parts := _parts(path)) is None:
        return None
    digest = hashlib.sha256(f"{parts[1]}/{parts[2]}".encode()).digest()[:8]
    return parts[0], format(int.from_bytes(digest, "big"), "064b")


def shard_of(path: str, leaves: Leaves) -> str | None:
    """The shard (`<lang>/h<bits>`) of a page at a document's place, among these shards; None for any
    other page. A language without shards yet has one, of every page (no bits)."""
    place = place_of(path)
    if place is None:
        return None
    lang, bits = place
    held = set(leaves.get(lang) or [""])
    return f"{lang}/h{next(bits[:n] for n in range(len(bits) + 1) if bits[:n] in held)}"


def read_list(site_dir: Path) -> dict | None:
    """A site's `bundles.json`, None when it has no index of this layout (sharded, with recent bundles)."""
    listed = site_dir / layout.SEARCH_DIR / LIST
    if not listed.is_file():
        return None
    found = json.loads(listed.read_text(encoding="utf-8"))
    return found if "recent" in found and "older" in found else None


def read_leaves(site_dir: Path) -> Leaves | None:
    """The shards of a site's index, None when it has no index of this layout (or none)."""
    listed = read_list(site_dir)
    return None if listed is None else listed["shards"]


def stale_shards(site_dir: Path, rendered: list[str], removed: list[str]) -> set[str]:
    """The bundles to index again: the shards of the pages removed (a withdrawn page leaves nothing of
    itself in the index), and the recent bundle of each language with a page written, or a page removed from
    a bundle of its tiers or from the shard of one of their pages, which takes the pages written (see
    written_anew); a deeper tier too when the pages of those above it would pass their limit (it takes
    them) or it holds a page removed, and the tiers above it (emptied); and once the older would pass
    OLDER_PAGES, the shards of all their pages (a fold). ALL when the index is not yet of this layout (or
    missing)."""
    listed = read_list(site_dir)
    if listed is None:
        return {ALL}
    leaves = listed["shards"]
    stale = {shard for path in removed if (shard := shard_of(path, leaves)) is not None}
    gone = {layout.file_of(path) for path in removed}
    written = _written(rendered)
    for lang in set(written) | {place[0] for path in removed if (place := place_of(path)) is not None}:
        held = _held(listed, lang, written)
        holding = [i for i, tier in enumerate(TIERS) if i and gone & set(_pages_of(site_dir / layout.SEARCH_DIR
                                                                                   / lang / tier))]
        if lang not in written and not gone & held[0] and not holding and not any(
                shard_of(page, leaves) in stale for page in set().union(*held)):
            continue  # only pages removed, in no bundle of the tiers nor a shard of theirs: their shards alone
        deepest = _deepest(held, gone, max(holding, default=0))
        stale |= {f"{lang}/{tier}" for tier in list(TIERS)[:deepest + 1]}
        if deepest == len(TIERS) - 1 and len(set().union(*held) - gone) > OLDER_PAGES:
            stale |= {shard_of(page, leaves) for page in set().union(*held)}
    return stale


def _held(listed: dict, lang: str, written: dict[str, set[str]]) -> list[set[str]]:
    """The pages each tier of a language lists (newest first), the pages written in the recent one."""
    held = [set(listed.get(key, {}).get(lang, ())) for key in TIERS.values()]
    held[0] |= written.get(lang, set())
    return held


def _deepest(held: list[set[str]], gone: set[str], deepest: int) -> int:
    """The deepest tier to index again, from `deepest` on: the next one while the pages of the tiers above it
    pass their limit (the older's, OLDER_PAGES, is a fold's)."""
    limits = (RECENT_PAGES, min(MIDDLE_PAGES, OLDER_PAGES))
    while deepest < len(limits) and len(set().union(*held[:deepest + 1]) - gone) > limits[deepest]:
        deepest += 1
    return deepest


def written_anew(before: Path, site_dir: Path, rendered: list[str]) -> list[str]:
    """The outputs written but the document pages whose indexed part (what Pagefind is sent) is the same as in
    the site `before` (the version online): a page written again for its head, navigation or a note Pagefind
    ignores alone would be indexed into the same fragment; its copy in the index stays as it is."""
    return [path for path in rendered if place_of(path) is None or _sent(site_dir, path) != _sent(before, path)]


def _sent(site_dir: Path, path: str) -> str | None:
    try:
        return indexed_part((site_dir / layout.file_of(path)).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def _written(rendered: list[str]) -> dict[str, set[str]]:
    """The pages written at a document's place (`<lang>/<section>/<slug>/index.html`), by language."""
    written: dict[str, set[str]] = {}
    for path in rendered:
        if (place := place_of(path)) is not None:
            written.setdefault(place[0], set()).add(layout.file_of(path))
    return written


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


def _members(site_dir: Path, stale: set[str], leaves: Leaves,
             pages: Iterable[str] | None = None) -> dict[str, list[str]]:
    """The document pages of each stale shard (a page at a document's place that is not one, such as a
    programme's, carries no data-pagefind-body). Only the stale shards' languages are listed, and only
    their pages read: listed with os.scandir and placed from the names (10,000 pages on every rebuild of
    a large site), or taken from `pages`, the site's pages at a document's place when the build knows them."""
    every = ALL in stale
    if not stale:  # only recent and older bundles to index: no shard's pages to find
        return {}
    members: dict[str, list[str]] = {} if every else {k: [] for k in stale}
    # language folders only: not a folder the build is removing beside them (`*.deleting`)
    langs = ({d.name for d in site_dir.iterdir() if d.is_dir() and "." not in d.name} if every
             else {k.split("/")[0] for k in stale})
    names = (name for lang in sorted(langs) for name in _document_pages(site_dir, lang)) if pages is None or every \
        else sorted(_in_shards(pages, stale), key=lambda name: name.split("/"))  # in the order listed
    for name in names:
        shard = shard_of(name, leaves)
        if shard is not None and (every or shard in members) and _indexed(site_dir, name):
            members.setdefault(shard, []).append(name)
    return members


def _in_shards(pages: Iterable[str], shards: set[str]) -> list[str]:
    """The pages in these shards (`<lang>/h<bits>`), told from their (remembered) places."""
    wanted: dict[str, tuple[str, ...]] = {}
    for shard in shards:
        lang, bits = shard.split("/h", 1)
        wanted[lang] = (*wanted.get(lang, ()), bits)
    return [name for name in pages if (place := place_of(name)) and place[1].startswith(wanted.get(place[0], "-"))]


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


def split_shards(members: dict[str, list[str]], leaves: Leaves) -> dict[str, list[str]]:
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
            todo.append((f"{lang}/h{bits + bit}", [n for n in names if place_of(n)[1][len(bits)] == bit]))
    return done


def index_site(site_dir: Path, stale: set[str], rendered: list[str] = (), pages: Iterable[str] | None = None,
               ahead: tuple[dict[str, list[str]], dict[str, bytes]] = ({}, {}),
               owner: threading.Thread | None = None) -> IndexReport:
    """Index the stale bundles of a complete built site (see stale_shards; the others stay as they are):
    the stale shards' pages into `pagefind/<lang>/h<bits>/`, the pages written since their shards were
    indexed into `pagefind/<lang>/r/` and `o/`; the search page hides the results of their versions
    below, whose fragments (their text) are removed. Each bundle's previous index stays until its new
    one is whole. `pages`: the site's pages at a document's place, when known (else they are listed).
    `ahead`: the bundles already in their fresh folders (shard -> the pages indexed) and their interface
    (ahead.py), kept when they hold the very pages to index. `owner`: the build's thread, whose warm service
    indexes (when another thread runs this one)."""
    started = time.perf_counter()
    index = site_dir / layout.SEARCH_DIR
    listed = None if ALL in stale else read_list(site_dir)
    changed: set[str] = set()  # the bundles written or removed (a stale one that was not there: neither)
    if listed is None:  # not of this layout yet (or no index): start clean (but for the bundles made ahead)
        if not ahead[0]:
            shutil.rmtree(index, ignore_errors=True)
        listed, stale = {"shards": {}, "hidden": {}} | {key: {} for key in TIERS.values()}, {ALL}
        changed = {f"{layout.SEARCH_DIR}/"}
    index.mkdir(exist_ok=True)
    leaves = listed["shards"]
    members = split_shards(_members(site_dir, {k for k in stale if k.rpartition("/")[2] not in TIERS}, leaves, pages),
                           leaves)
    for held in leaves.values():
        held.sort()
    tiers = _tiers(site_dir, listed, rendered, stale, leaves, members)
    bundles = members | tiers
    fresh = {k: index / fresh_folder(k) for k, names in bundles.items() if names}
    kept = {k for k in fresh if ahead[0].get(k) == bundles[k]}
    interface = _write_bundles(site_dir, {k: bundles[k] for k in fresh if k not in kept}, fresh, owner)
    interface = ahead[1] | interface if kept else interface
    made = json.loads((next(iter(fresh.values())) / "pagefind-entry.json").read_bytes())["version"] if fresh else None
    recorded = listed.get("pagefind")
    if recorded and made and made != recorded:  # another Pagefind: its code would not read the bundles kept
        shutil.rmtree(index)
        return index_site(site_dir, {ALL}, owner=owner)
    if interface:
        _write_interface(index, interface, changed)
    before = {folder for folders in listed.get("languages", {}).values() for folder in folders}  # (`zh/r/`)
    for k in bundles:
        shutil.rmtree(index / k, ignore_errors=True)  # a bundle left with no page is no bundle
        if k in fresh:
            fresh[k].rename(index / k)
        if k in fresh or f"{k}/" in before or ALL in stale:
            changed.add(f"{layout.SEARCH_DIR}/{k}/")
    for lang in {k.split("/")[0] for k in tiers}:
        lists = [tiers[f"{lang}/{tier}"] if f"{lang}/{tier}" in tiers
                 else _unmoved(listed.get(key, {}).get(lang, ()), leaves, members) for tier, key in TIERS.items()]
        kept_lists, listed["hidden"][lang] = _hide(index, lang, lists, leaves, changed)
        for key, names in zip(TIERS.values(), kept_lists, strict=True):
            listed.setdefault(key, {})[lang] = names
    total = _write_list(index, leaves, made or recorded,
                        {key: listed.get(key, {}) for key in (*TIERS.values(), "hidden")},
                        changed, _languages(listed.get("languages", {}), changed))
    return IndexReport(sum(len(names) for names in bundles.values()), sum(_size(index / k) for k in fresh),
                       time.perf_counter() - started, sorted(fresh), total, ahead=len(kept),
                       changed=_outermost(changed))


def _outermost(names: set[str]) -> list[str]:
    """These names less those inside a folder also named (`pagefind/` when the index was made anew)."""
    folders = {name for name in names if name.endswith("/")}
    return sorted(name for name in names if not any(name != f and name.startswith(f) for f in folders))


def _bundle(index: Path, folder: Path) -> str:
    """A bundle's name in the site's files (`pagefind/zh/h01/`), as IndexReport.changed names it."""
    return f"{_name(index, folder)}/"


def _name(index: Path, path: Path) -> str:
    """A file's name in the site's files (`pagefind/zh/h01/fragment/…`): a bundle kept whole but for a
    fragment or Pagefind's code linked in or out is named by those files alone, so a reused version replaces
    them, not the bundle."""
    return f"{layout.SEARCH_DIR}/{path.relative_to(index).as_posix()}"


def _size(folder: Path) -> int:
    """The bytes of the files under a folder, counted as they are listed (a full index has 20,000 files: as
    Path objects all at once, 15 MB)."""
    total = 0
    for root, _dirs, names in os.walk(folder):
        total += sum(os.stat(f"{root}/{name}").st_size for name in names)
    return total


def _tiers(site_dir: Path, listed: dict, rendered: list[str], stale: set[str], leaves: Leaves,
           members: dict[str, list[str]]) -> dict[str, list[str]]:
    """The pages of each stale bundle of the tiers: those they held and those written, all in the deepest
    stale one (the recent bundle when it is the only one; those above it then left empty), less the pages
    removed and those whose shard is indexed now."""
    written = _written(rendered)
    found: dict[str, list[str]] = {}
    for lang in {k.split("/")[0] for k in stale if k.endswith(f"/{RECENT}")}:
        held = _held(listed, lang, written)
        deepest = max(i for i, tier in enumerate(TIERS) if f"{lang}/{tier}" in stale)
        for i, tier in enumerate(list(TIERS)[:deepest + 1]):
            pages = set().union(*held[:deepest + 1]) if i == deepest else set()
            found[f"{lang}/{tier}"] = _live(site_dir, pages, leaves, members)
    return found


def _live(site_dir: Path, names: set[str], leaves: Leaves, members: dict[str, list[str]]) -> list[str]:
    """These pages, less those removed and those whose shard is indexed now."""
    return sorted(name for name in names if shard_of(name, leaves) not in members and _indexed(site_dir, name))


def _unmoved(names: list[str], leaves: Leaves, members: dict[str, list[str]]) -> list[str]:
    """The pages of a bundle not indexed again, less those whose shard is: it shows them now."""
    return [name for name in names if shard_of(name, leaves) not in members]


def _indexed(site_dir: Path, name: str) -> bool:
    """Whether a page at a document's place is on the site and indexed (a programme's page is not)."""
    try:
        with open(f"{site_dir}/{name}", "rb") as page:
            return b"data-pagefind-body" in page.read()
    except FileNotFoundError:
        return False


def _hide(index: Path, lang: str, lists: list[list[str]], leaves: Leaves,
          changed: set[str]) -> tuple[list[list[str]], list[str]]:
    """Each page in a language's bundles of the tiers is shown from the first of them that lists it,
    else from its shard: its other copies that differ are hidden (their ids returned) and their fragments
    (their text) leave this version of the site; a copy the same keeps its fragment (the search page
    shows it once, from either). A page listed but the same where it would be shown from without that
    leaves the list. Bundles and fragments named by plain strings (`zh/r`; up to OLDER_PAGES pages a build)."""
    root = f"{index}/"
    folders = [f"{lang}/{tier}" for tier in TIERS]
    held = [_pages_of(index / folder) for folder in folders]
    listed = [{name for name in names if name in pages} for names, pages in zip(lists, held, strict=True)]
    shards: dict[str, dict[str, str]] = {}
    hidden: set[str] = set()
    kept: list[list[str]] = [[] for _ in TIERS]
    for name in sorted(set().union(*listed, *held)):
        shard = shard_of(name, leaves)
        if shard not in shards:  # each shard's pages read once, not once a page of it
            shards[shard] = _pages_of(index / shard)
        where = [(folder, pages[name]) for folder, pages, names in zip(folders, held, listed, strict=True)
                 if name in names] + [(shard, shards[shard].get(name))]
        shown = where[0]  # the first bundle that lists it, else its shard (None: no page there)
        copies = [(folder, pages[name]) for folder, pages in zip(folders, held, strict=True) if name in pages]
        for folder, copy in copies + ([where[-1]] if where[-1][1] is not None else []):
            fragment = f"{folder}/fragment/{copy}.pf_fragment"
            if copy != shown[1]:
                hidden.add(copy)
                if os.path.exists(root + fragment):
                    os.unlink(root + fragment)
                    changed.add(f"{layout.SEARCH_DIR}/{fragment}")
            elif not os.path.exists(root + fragment):  # (its folder too, when the page was its bundle's only one)
                with contextlib.suppress(FileExistsError):
                    os.mkdir(f"{root}{folder}/fragment")
                os.link(f"{root}{shown[0]}/fragment/{copy}.pf_fragment", root + fragment)
                changed.add(f"{layout.SEARCH_DIR}/{fragment}")
        if len(where) > 1 and where[1][1] != shown[1]:
            kept[folders.index(shown[0])].append(name)
    return kept, sorted(hidden)


def _pages_of(bundle: Path) -> dict[str, str]:
    """A bundle's pages, each with the hash of its fragment (none for a shard not written)."""
    try:
        return json.loads((bundle / PAGES).read_bytes())
    except FileNotFoundError:
        return {}


def fresh_folder(shard: str) -> str:
    """Where a shard's new bundle is written, beside the old one (hidden: not a bundle yet)."""
    lang, bits = shard.split("/")
    return f"{lang}/.{bits}.new"


def _write_bundles(site_dir: Path, members: dict[str, list[str]], fresh: dict[str, Path],
                   owner: threading.Thread | None = None) -> dict[str, bytes]:
    """Each shard's pages through a Pagefind service into its fresh folder, the services side by side (as
    CPUs allow; the warm one alone for fewer than SHARE_PAGES pages), each taking the next shard from its
    end of one queue (see _queue): this thread's service, the one kept warm between builds, from the
    Chinese end; the others from the other. No shard Chinese while the warm service is still loading the
    dictionary (a small site's rebuild in a new process, after an approval): a new one instead, not waiting
    0.2 s for a dictionary none of these pages needs. Returns the search interface and code (the same in
    every bundle)."""
    queue = _queue(members)
    interface: dict[str, bytes] = {}
    services = max(1, min(os.cpu_count() or 1, len(queue)))
    if sum(len(names) for names in members.values()) < SHARE_PAGES:
        services = 1

    def run(service, chinese_end: bool) -> None:
        with service() as indexer:
            while (k := _take(queue, members, chinese_end, indexer.chinese)) is not None:
                interface.update(write_bundle(indexer.index(site_dir, members[k], UNUSED), fresh[k]))
                indexer.chinese |= k.startswith("zh")

    first = (lambda: warm(owner)) if any(k.startswith("zh") for k in queue) or not warming(owner) else Indexer
    with ThreadPoolExecutor(max_workers=services) as pool:
        others = [pool.submit(run, Indexer, False) for _ in range(services - 1)]
        try:
            run(first, True)
        except BaseException:
            queue.clear()  # the others stop after their bundle under way
            for other in others:
                other.exception()
            raise
        for other in others:
            other.result()
    if queue:  # a Chinese shard another service put back as the Chinese end found the queue empty: indexed still
        run(first, True)
    return interface


def _queue(members: dict[str, list[str]]) -> deque[str]:
    """The shards to index: Chinese first, biggest first, then the others, smallest first (taken from the
    other end biggest first). A service's first Chinese page loads the segmenter's dictionary (0.2 s): the
    Chinese end is the warm service's, and the others take Chinese shards last."""
    chinese = sorted((k for k in members if k.startswith("zh")), key=lambda k: (-len(members[k]), k))
    others = sorted((k for k in members if not k.startswith("zh")), key=lambda k: (-len(members[k]), k))
    return deque(chinese + others[::-1])


def _take(queue: deque[str], members: dict[str, list[str]], chinese_end: bool, chinese: bool) -> str | None:
    """The next shard from this end of the queue, None when there is none worth taking: a service of the other
    end without the Chinese dictionary takes a Chinese shard only while LANE_PAGES pages are still to index. The
    Chinese end's takes every shard, loading the dictionary if it must: a build with no document changed did not
    load it ahead (a redirect come back can make a Chinese shard stale), and a shard no service takes would be
    missing from the index."""
    try:
        k = queue.popleft() if chinese_end else queue.pop()
    except IndexError:
        return None
    if not chinese and not chinese_end and k.startswith("zh") \
            and sum(len(members[j]) for j in queue) + len(members[k]) < LANE_PAGES:
        queue.append(k)
        return None
    return k


def write_bundle(files: Iterable[tuple[str, bytes]], folder: Path) -> dict[str, bytes]:
    """Write a bundle's index, a file at a time as the indexer's answer is decoded, not its code: the
    interfaces the search page does not use are dropped, and the search interface, Pagefind's code and the
    WebAssembly of the bundle's languages (a language without its own loads `unknown`) returned, to be
    written once for all bundles."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    code: dict[str, bytes] = {}  # the interface, Pagefind's code and every WebAssembly, until the entry is read
    folders, pages = {""}, {}
    for name, data in files:
        if name in UI_FILES or name in CORE or name.startswith("wasm."):
            code[name] = data
        elif name not in UNUSED:
            if (parent := name.rpartition("/")[0]) not in folders:
                (folder / parent).mkdir(parents=True, exist_ok=True)
                folders.add(parent)
            (folder / name).write_bytes(data)
            if name.startswith("fragment/"):
                pages.update(_fragment(name, data))
    entry = json.loads((folder / "pagefind-entry.json").read_bytes())
    (folder / PAGES).write_text(json.dumps(pages, sort_keys=True), encoding="utf-8")
    return {name: code[name] for name in set(UI_FILES + CORE) | {_wasm(lang) for lang in entry["languages"].values()}}


def _fragment(name: str, data: bytes) -> dict[str, str]:
    """The page of a fragment of a bundle (`<lang>/<section>/<slug>/index.html`) and the fragment's hash,
    which Pagefind gives its results as their id."""
    url = json.loads(gzip.decompress(data).removeprefix(FRAGMENT.encode()))["url"]
    return {layout.file_of(url.removeprefix("/")): name.removeprefix("fragment/").removesuffix(".pf_fragment")}


def _wasm(language: dict) -> str:
    return f"wasm.{language['wasm'] or 'unknown'}.pagefind"


def _write_interface(index: Path, interface: dict[str, bytes], changed: set[str]) -> None:
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
    changed.update(f"{layout.SEARCH_DIR}/{UI}/{name}" for name in old.keys() | interface.keys())


def _write_list(index: Path, leaves: Leaves, version: str | None, tiers: dict[str, dict[str, list[str]]],
                changed: set[str], known: dict[str, list[str]] | None = None) -> int:
    """`bundles.json`: for each language, the bundles with pages in it (Pagefind would answer a search in
    a language a bundle lacks from another language's pages), the recent and older bundles' pages and
    the results to hide, and the shards. A bundle no longer a shard (split, or left over in a reused
    version) is removed. Replaced, never written into: the old one may be a hard link into the version
    online. `known`: the languages of the bundles not written since the list before (`_languages`), which
    are not read again. Returns the number of bundles."""
    bundles = {f"{lang}/h{bits}" for lang, held in leaves.items() for bits in held}
    bundles |= {f"{lang}/{tier}" for tier, key in TIERS.items() for lang, pages in tiers[key].items() if pages}
    known = known or {}
    langs: dict[str, list[str]] = {}
    for name in _bundle_folders(index):
        folder = index / name
        if name not in bundles:
            shutil.rmtree(folder)
            changed.add(_bundle(index, folder))
            continue
        found = known.get(name)
        if found is None:
            found = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"]
        for lang in sorted(found):
            langs.setdefault(lang, []).append(name + "/")
    for lang, found in langs.items():
        _link_code(index, [index / bundle for bundle in found], lang, changed)
    _write_visible(index, changed)
    temporary = index / f".{LIST}.new"
    listed = {"languages": langs, "shards": leaves, "pagefind": version}
    listed |= {key: {lang: items for lang, items in sorted(by_lang.items()) if items} for key, by_lang in tiers.items()}
    temporary.write_text(json.dumps(listed, sort_keys=True), encoding="utf-8")
    temporary.replace(index / LIST)
    changed.add(f"{layout.SEARCH_DIR}/{LIST}")
    return sum(len(found) for found in langs.values())


def _bundle_folders(index: Path) -> list[str]:
    """The folders two levels down in the index (`zh/h01`, hidden ones too), but the interface's, in the order
    of their parts: plain strings from os.scandir."""
    found = []
    with os.scandir(index) as tops:
        for top in tops:
            if top.is_dir(follow_symlinks=False) and top.name not in (UI, VISIBLE):
                with os.scandir(top.path) as entries:
                    found += [(top.name, e.name) for e in entries if e.is_dir()]
    return [f"{top}/{name}" for top, name in sorted(found)]


def _languages(listed: dict[str, list[str]], changed: set[str]) -> dict[str, list[str]]:
    """The languages of each bundle as a list (`bundles.json`'s "languages") says, but those written or removed
    since (`changed`): a bundle's own (its `pagefind-entry.json`) change only when it is written."""
    if f"{layout.SEARCH_DIR}/" in changed:
        return {}
    found: dict[str, list[str]] = {}
    for lang, folders in listed.items():
        for folder in folders:
            if f"{layout.SEARCH_DIR}/{folder}" not in changed:
                found.setdefault(folder.removesuffix("/"), []).append(lang)
    return found


def _write_visible(index: Path, changed: set[str]) -> None:
    """The search page's Pagefind (`visible/pagefind.js`), written with the list it reads; replaced, never
    written into."""
    data = VISIBLE_SCRIPT.read_bytes()
    script = index / VISIBLE / "pagefind.js"
    if script.is_file() and script.read_bytes() == data:
        return
    new = index / f".{VISIBLE}.new"
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    (new / "pagefind.js").write_bytes(data)
    shutil.rmtree(index / VISIBLE, ignore_errors=True)
    new.rename(index / VISIBLE)
    changed.add(f"{layout.SEARCH_DIR}/{VISIBLE}/pagefind.js")


def _link_code(index: Path, bundles: list[Path], lang: str, changed: set[str]) -> None:
    """Pagefind's code linked from ui/ into the first bundle of a language, which the search page loads
    it from, and out of the others (a first bundle no longer first)."""
    entry = json.loads((bundles[0] / "pagefind-entry.json").read_text(encoding="utf-8"))
    for name in CORE + (_wasm(entry["languages"][lang]),):
        path = bundles[0] / name
        if not (path.exists() and path.samefile(index / UI / name)):
            path.unlink(missing_ok=True)
            os.link(index / UI / name, path)
            changed.add(_name(index, path))
    for bundle in bundles[1:]:
        with os.scandir(bundle) as entries:  # one listing a bundle, not a look-up a file
            code = [e.name for e in entries if e.name in CORE or _is_wasm(e.name)]
        for name in code:
            (bundle / name).unlink()
            changed.add(_name(index, bundle / name))


def _is_wasm(name: str) -> bool:
    """Whether a file is Pagefind's WebAssembly of a language (`wasm.*.pagefind`)."""
    return name.startswith("wasm.") and name.endswith(".pagefind") and len(name) >= len("wasm..pagefind")
