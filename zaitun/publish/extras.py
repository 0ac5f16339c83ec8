"""Site-wide files: the root language chooser, 404 page, stylesheet, sitemap, robots.txt, provenance."""

from __future__ import annotations

import hashlib
import json
import operator
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from itertools import accumulate, chain, repeat
from pathlib import Path
from typing import Generic, TypeVar

import orjson

from zaitun import days
from zaitun.content.model import name_problem
from zaitun.errors import ContentError, PublishError, utf8_name
from zaitun.publish import layout, lint
from zaitun.publish.inputs import Entry
from zaitun.publish.memo import other_places
from zaitun.publish.pages import Output, PageSpec, Site, alternate_links, alternates_of, key_of, shown_since
from zaitun.publish.render import design_digest, icon, render_page, stylesheet
from zaitun.statefiles import keep_cache

T = TypeVar("T")


def extra_outputs(specs: list[PageSpec], site: Site, seed: Seed | None = None) -> list[Output]:
    """Everything besides document, list and feed files (`seed`: see provenance_json)."""
    home = {lang: layout.home(lang) for lang in layout.LANGS}
    base = {"css": site.urls.link(site.css_path), "icon": site.urls.link(site.icon_path),
            "zh_href": site.urls.link(home["zh"]), "en_href": site.urls.link(home["en"]), "titles": site.titles}
    root = base | {"canonical": site.urls.absolute(layout.ROOT),
                   "alternates": alternate_links(home, site, x_default=layout.ROOT)}
    sitemap = _Sitemap(specs, site)
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {site.urls.absolute(layout.SITEMAP)}\n".encode()
    provenance = _Once(lambda: provenance_json(specs, site, seed))  # its bytes, and their key
    return [
        Output(site.css_path, (design_digest(),), stylesheet, kind="asset"),
        Output(site.icon_path, (design_digest(),), icon, kind="asset"),
        Output(layout.ROOT, (design_digest(), root), lambda: render_page("root.html", root)),
        Output(layout.NOT_FOUND, (design_digest(), base), lambda: render_page("404.html", base)),
        *sitemap.outputs(),
        Output(layout.ROBOTS, (robots.decode(),), lambda: robots, kind="meta"),
        Output(layout.PROVENANCE, lambda: (provenance()[1],), lambda: provenance.take()[0], kind="meta"),
    ]


class _Once(Generic[T]):
    """`make`, called once for the key and the render: the sitemap's and provenance's data, one entry per
    page, are made when first needed (by a render worker in a full build), not by the build's own process
    beforehand, and let go once rendered (`take`), not held while the worker renders the next file."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make, self._made = make, None

    def __call__(self) -> T:
        if self._made is None:
            self._made = (self._make(),)
        return self._made[0]

    def take(self) -> T:
        made, self._made = self(), None
        return made


def static_outputs(folder: Path) -> list[Output]:
    """The project's static/ files (images, PDFs), copied as they are; symlinks and hidden files are left
    out (`static_files` says which, for the build report and `zaitun check`)."""
    return [copied_file(layout.static(rel), path) for rel, path in static_files(folder)[0]]


KEEP = ".gitkeep"  # git's placeholder for an empty folder: neither published nor reported
SYMLINK = "a symlink is never published; copy the file into static/ instead"
HIDDEN = "hidden files are never published; rename it without the leading dot, or remove it"


def static_files(folder: Path) -> tuple[list[tuple[str, Path]], list[ContentError]]:
    """(path under static/, file) of every file to publish, and an error for each refused one. Symlinked
    folders are never entered: a link could reach anything on the machine."""
    files: list[tuple[str, Path]] = []
    refused: list[ContentError] = []
    for root, dirs, names in os.walk(folder):
        base = Path(root)
        for name in sorted(dirs + names):
            path = base / name
            if name == KEEP:
                continue
            if not utf8_name(name):  # no page, feed or store can carry its name
                refused.append(ContentError(path, name_problem(path)))
            elif path.is_symlink():
                refused.append(ContentError(path, SYMLINK))
            elif name.startswith("."):
                refused.append(ContentError(path, HIDDEN))
            elif path.is_file():
                files.append((path.relative_to(folder).as_posix(), path))
        dirs[:] = [d for d in dirs if not d.startswith(".") and not (base / d).is_symlink() and utf8_name(d)]
    return sorted(files), refused


def copied_file(site_path: str, path: Path) -> Output:
    """A file published as it is (static/, files beside documents), keyed by its content so a rebuild
    reuses it while it is unchanged; it is read again only when it has to be written."""
    return Output(site_path, (hashlib.sha256(_read(path)).hexdigest(),), lambda: _read(path), kind="asset")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PublishError(f"{path}: could not read a file to publish ({exc.strerror}); the previous site was kept") \
            from None


SHARD_URLS = 1000  # URLs a sitemap lists in one file at most; more, and sitemap.xml is an index of shards
SHARD_PAGES = 250  # documents' pages a shard lists, about: a rebuild makes and reads back its shard's alone
LISTS = "lists"  # the shard of the root, the home pages and the list pages (sitemap-lists.xml)


def sitemap_paths(pages: int, documents: int) -> tuple[str, ...]:
    """The sitemap's files, empty shards among them, for a site of `pages` pages (the root aside), `documents` of
    them documents' pages. A site of up to SHARD_URLS URLs: sitemap.xml. A larger one: sitemap.xml is an index
    of shards (the protocol allows 50,000 URLs a file, which 25,000 documents reach), the root, home and list
    pages in one, documents' pages spread by slug over a power of two of them, about SHARD_PAGES pages each: a
    change of a document's page writes its shard again, not every URL of the site (and the number of shards
    changes, and every shard with it, only as the site doubles)."""
    if pages < SHARD_URLS:  # and the root
        return (layout.SITEMAP,)
    shards = 1
    while documents > shards * SHARD_PAGES:
        shards *= 2
    return (layout.SITEMAP, layout.SITEMAP_SHARD.format(LISTS),
            *(layout.SITEMAP_SHARD.format(n) for n in range(1, shards + 1)))


def sitemap_files(pages: int, slugs: list[str]) -> set[str]:
    """The sitemap's files a build writes (`zaitun check`'s, which knows the documents, not their pages): those of
    sitemap_paths but the shards no document's pages fall in; `slugs`: each document page's."""
    paths = sitemap_paths(pages, len(slugs))
    if len(paths) == 1:
        return set(paths)
    return {*paths[:2], *(paths[2 + _shard(slug, len(paths) - 2)] for slug in slugs)}


def sitemap_files_in(records: dict) -> list[str]:
    """The files listing URLs of the sitemap a build wrote (its manifest's records): sitemap.xml, or its shards."""
    return [path for path in filter(_SITEMAP_NAME, records) if records[path]["kind"] == "sitemap"]  # (filtered in C)


_SITEMAP_NAME = operator.methodcaller("startswith", layout.SITEMAP.removesuffix(".xml"))  # sitemap.xml, sitemap-*.xml


class _Sitemap:
    """The sitemap's files (sitemap_paths). Their <url> elements are made when one is first keyed or rendered (by
    whichever process does it: in a full build, the render worker given them all together), each file's let go
    once rendered. A shard says what it shows (its documents, its pages in order, the settings and day its
    elements are made with): while that is what it showed online and none of its documents changed, its key is
    the one online (site.Planned.recall_keys), and its elements are not made."""

    def __init__(self, specs: list[PageSpec], site: Site) -> None:
        self.specs, self.site = specs, site
        self.layout = _Layout.of(specs, _element_settings(site))
        self.paths = self.layout.paths
        self._outputs: dict[str, Output] = {}
        self._made = _Once(lambda: self._files())

    def outputs(self) -> list[Output]:
        if len(self.paths) == 1:
            return [self._file(layout.SITEMAP)]
        urls = [self.site.urls.absolute(path) for path in self.paths[1:]]
        files = [self._file(path, shows) for path, shows in zip(self.paths[1:], self.layout.shows, strict=True)]
        return [Output(layout.SITEMAP, (urls,), lambda: sitemap_index_xml(urls), kind="sitemapindex"), *files]

    def _file(self, path: str, shows: tuple | None = None) -> Output:
        made = self._outputs[path] = Output(path, lambda: (self._made()[path][2],),
                                            lambda: sitemap_xml(self._take(path), self.site), kind="sitemap",
                                            shows=shows)
        return made

    def _files(self, every: bool = False) -> dict[str, _File]:
        """The files not known as online (but `every`), made: each file's pages are whole groups of alternates (a
        document's pages, or the home and list pages), so each is made from its own pages alone."""
        known = set() if every else {path for path, output in self._outputs.items() if "key" in output.__dict__}
        head = self.paths[0] if len(self.paths) == 1 else self.paths[1]
        made = {}
        for path, members in [(head, self.layout.lists), *zip(self.paths[2:], self.layout.shards, strict=True)]:
            if path not in known:
                rows = sitemap_rows([self.specs[i] for i in members], self.site, path)
                made[path] = _joined(path, [_root(self.site), *rows] if path == head else rows)
        for gone in _FILES.keys() - set(self.paths):  # (a file of an earlier build's sitemap)
            del _FILES[gone]
        for gone in _ELEMENTS.made.keys() - set(self.paths):
            del _ELEMENTS.made[gone]
        return made

    def _take(self, path: str) -> bytes:
        made = self._made()
        if path not in made:  # known as online, but its file is not there: made after all
            return self._files(every=True)[path][1]
        data = made.pop(path)[1]
        if not made:
            self._made.take()
        return data


@dataclass(frozen=True)
class _Layout:
    """Which of the planned pages each file of the sitemap lists, and what each shard shows (_Sitemap). A process
    that builds again keeps it while the pages at each place are those of the same documents at the same paths
    (a one-change rebuild plans a changed document's pages anew, in their places), instead of spreading 12,000
    pages over the shards again: each shard's shows, the very same object, is then hashed once (Planned.recall_keys)."""

    specs: list[PageSpec]  # the pages planned, in order
    settings: tuple  # the elements' (_element_settings), SHARD_URLS and SHARD_PAGES
    paths: tuple[str, ...]  # the files: sitemap.xml, or the index, the lists' shard and each shard not empty
    lists: list[int]  # the indexes in `specs` of the pages in the lists' shard (or in sitemap.xml)
    shards: list[list[int]]  # of each shard's (documents' pages), in the order of `paths`
    shows: list[tuple]  # of the lists' shard, then of each shard: its documents, its pages' paths, the settings

    @classmethod
    def of(cls, specs: list[PageSpec], elements: tuple) -> _Layout:
        settings = (elements, SHARD_URLS, SHARD_PAGES)
        last = _LAYOUT[0] if _LAYOUT else None
        if last is not None and last.settings == settings and _same_places(last.specs, specs):
            made = cls(list(specs), last.settings, last.paths, last.lists, last.shards, last.shows)
        else:
            made = cls.made(specs, settings)
        _LAYOUT[:] = [made]
        return made

    @classmethod
    def made(cls, specs: list[PageSpec], settings: tuple) -> _Layout:
        documents = sum(1 for spec in specs if spec.entry is not None)
        paths = sitemap_paths(len(specs), documents)
        lists, shards = _partition(specs, max(0, len(paths) - 2))
        # a <urlset> lists one <url> at least: an empty shard is no file
        kept = [(path, members) for path, members in zip(paths[2:], shards, strict=True) if members]
        paths, shards = paths[:2] + tuple(path for path, _ in kept), [members for _, members in kept]
        elements = settings[0]
        shows = [((), (layout.ROOT, *(specs[i].path for i in lists)), elements)] if len(paths) > 1 else []
        shows += [(tuple(specs[i].entry.slug for i in members), tuple(specs[i].path for i in members), elements)
                  for members in shards]
        return cls(list(specs), settings, paths, lists, shards, shows)


_LAYOUT: list[_Layout] = []  # the sitemap's layout as this process's last build made it


def _same_places(before: list[PageSpec], now: list[PageSpec]) -> bool:
    """Whether each place holds a page of the same document (or none) at the same path as before: the pages
    not the very same objects are looked at (found in C), not every page."""
    if len(before) != len(now):
        return False
    for i in other_places(before, now):
        was, spec = before[i], now[i]
        if was.path != spec.path or (was.entry is None) != (spec.entry is None) or (
                spec.entry is not None and was.entry.slug != spec.entry.slug):
            return False
    return True


def _partition(specs: list[PageSpec], shards: int) -> tuple[list[int], list[list[int]]]:
    """The indexes of the pages in the sitemap's shard of lists, and in each shard of documents' pages."""
    lists: list[int] = []
    documents: list[list[int]] = [[] for _ in range(shards)]
    for i, spec in enumerate(specs):
        if spec.entry is None or not shards:
            lists.append(i)
        else:
            documents[_shard(spec.entry.slug, shards)].append(i)
    return lists, documents


def _joined(path: str, rows: list[str]) -> _File:
    """A file of the sitemap: its rows, their bytes and key (sitemap_key). A process that builds again joins and
    hashes again only a file whose rows are not the very ones of its last build's, in order."""
    was = _FILES.get(path)
    if was is None or len(was[0]) != len(rows) or not all(map(operator.is_, was[0], rows)):
        data = "".join(rows).encode("utf-8")
        was = _FILES[path] = (rows, data, sitemap_key(data))
    return was


def _root(site: Site) -> str:
    """The root's <url> element, the first of the sitemap (the same object while it is the same text)."""
    home = {lang: layout.home(lang) for lang in layout.LANGS}
    text = _url(layout.ROOT, alternate_links(home, site, layout.ROOT), None, site)
    if text != _ELEMENTS.root:
        _ELEMENTS.root = text
    return _ELEMENTS.root


_File = tuple[list[str], bytes, str]  # a file of the sitemap: its rows, their bytes, its key
_FILES: dict[str, _File] = {}  # the sitemap's files as this process's last build made them


def _shard(slug: str, shards: int) -> int:
    """The shard of a document's pages (both languages'): by its slug, the same in every process."""
    return zlib.crc32(slug.encode("utf-8")) % shards


def sitemap_rows(specs: list[PageSpec], site: Site, file: str = layout.SITEMAP) -> list[str]:
    """Each <url> element of the pages of one file of the sitemap (whole groups of alternates), with their language
    alternates and last change. A rebuild changes a URL or two of thousands: a process that builds again keeps
    the pages of unchanged documents (pages.plan), and makes a page's element again only when its alternates or
    the site's settings or day changed."""
    groups = alternates_of(specs)
    settings = _element_settings(site)
    if _ELEMENTS.settings != settings:
        _ELEMENTS.settings, _ELEMENTS.made = settings, {}
    before, made = _ELEMENTS.made.get(file, {}), {}
    rows = []
    for spec in specs:
        versions, found = groups[spec.group], before.get(id(spec))
        if found is None or found[0] is not spec or found[1] != versions:
            lastmod = _lastmod(spec.entry, site) if spec.entry is not None else None
            x_default = layout.ROOT if spec.group == ("home",) else None
            found = spec, versions, _url(spec.path, alternate_links(versions, site, x_default), lastmod, site)
        made[id(spec)] = found
        rows.append(found[2])
    _ELEMENTS.made[file] = made
    return rows


def _element_settings(site: Site) -> tuple:
    """What of the site's settings and day a <url> element is made with, besides its page."""
    return site.urls.base_url, site.today, str(site.zone), site.expiry_warning_days


@dataclass
class _Elements:
    """The sitemap's <url> elements made by this process's last builds, for its settings and day: by file, id of a
    page -> the page (kept, so the id names no other), its alternates and its element; and the root's."""

    settings: tuple = ()
    made: dict[str, dict[int, tuple[PageSpec, dict[str, str], str]]] = field(default_factory=dict)
    root: str = ""


_ELEMENTS = _Elements()


def _lastmod(entry: Entry, site: Site) -> str:
    """A document page's last change as the sitemap gives it (the project's day of its instant): its document's
    last change, or the day its validity line last changed ("expired"), as its feed entry says."""
    return days.day_of(shown_since(entry, site), site.zone).isoformat()


def sitemap_xml(elements: bytes, site: Site) -> bytes:
    """sitemap.xml with an xhtml:link alternate for every language version of each page (`elements`: its <url>
    elements, from sitemap_rows; lint.sitemap_facts reads it by them)."""
    return lint.SITEMAP_HEAD + elements + lint.SITEMAP_TAIL


def sitemap_index_xml(shards: list[str]) -> bytes:
    """sitemap.xml of a large site: the index of its shards (their URLs)."""
    return lint.SITEMAP_INDEX_HEAD + "".join(
        f"  <sitemap>\n    <loc>{escape(url, quote=False)}</loc>\n  </sitemap>\n" for url in shards
    ).encode("utf-8") + lint.SITEMAP_INDEX_TAIL


def sitemap_key(elements: bytes) -> str:
    """The sitemap's key: the digest of its elements (all it is made of), not of a structure of every URL."""
    return hashlib.sha256(elements).hexdigest()[:24]


def _url(path: str, alternates: list[dict], lastmod: str | None, site: Site) -> str:
    links = "".join(f'    <xhtml:link rel="alternate" hreflang="{escape(a["hreflang"])}" '
                    f'href="{escape(a["href"])}"/>\n' for a in alternates)
    mod = f"    <lastmod>{lastmod}</lastmod>\n" if lastmod else ""
    return f"  <url>\n    <loc>{escape(site.urls.absolute(path), quote=False)}</loc>\n{mod}{links}  </url>\n"


def provenance_json(specs: list[PageSpec], site: Site, seed: Seed | None = None) -> tuple[bytes, str]:
    """`{"pages": {url: record}}` as indented JSON: who and what produced every published document page
    (engines, glossary versions, approvers); and its key, the digest of its pages' marks in order (each names
    what its lines are made from), not of all its bytes. The json module indents in Python, slowly, and a
    one-change rebuild alters a page or two: each page's lines are kept with its page as planned (a process
    that builds again keeps the pages of unchanged documents: pages.plan), or taken from the lines cache
    (`keep_lines_in`) when its record is the same, so only a changed page's are encoded, and only those are
    looked at. A new process given the pages of the build online (`seed`) starts from them as if it had made them."""
    global _PROVENANCE
    last = _PROVENANCE if _PROVENANCE.cache == _LINES_CACHE.path else _Provenance(_LINES_CACHE.path)
    if last.text is None and seed is not None:
        _PROVENANCE = _seeded({id(spec): spec for spec in specs if spec.entry is not None}, site, seed, last.cache)
        _PROVENANCE.specs = list(specs)
        return _PROVENANCE.text, _PROVENANCE.key
    if last.text is not None and last.specs is not None and len(last.specs) == len(specs):
        # the pages planned as last time are the very same objects, at the same places: only those that are not
        # are looked at (a one-change rebuild in a process that builds again), not every page
        differ = [(last.specs[i], specs[i]) for i in other_places(last.specs, specs)]
        left = {id(was) for was, _ in differ if was.entry is not None}
        new = [spec for _, spec in differ if spec.entry is not None]
    else:
        docs = {id(spec): spec for spec in specs if spec.entry is not None}
        left = last.pages.keys() - docs.keys()  # pages gone, or replaced by a changed document's
        new = [spec for key, spec in docs.items() if (found := last.pages.get(key)) is None or found[0] is not spec]
    if not new and not left and last.text is not None:
        last.specs = list(specs)
        return last.text, last.key
    stored = _LINES_CACHE.read() if last.text is None else {}  # a new process: its first build
    now = _Provenance(last.cache, dict(last.pages), dict(last.lines), dict(last.places),
                      encoded=None if last.text is None else last.encoded or {},  # from a process's second build
                      specs=list(specs), joined=last.joined)
    gone = set()
    for key in left:
        gone.add(now.pages.pop(key)[1])
    ordered, made, touched = True, 0, []
    for spec in new:
        url = site.urls.absolute(spec.path)
        record = _record(spec)
        mark = _mark(url, record)
        if (text := stored.get(mark)) is None:
            text, made = _provenance_lines(url, record), made + 1
        now.pages[id(spec)] = (spec, url)
        now.places[url] = (spec.path, spec.entry.slug)
        gone.discard(url)
        ordered = ordered and url in now.lines
        now.lines[url] = (mark, text)
        touched.append(url)
    now.finish(gone, ordered, bool(now.pages), touched)
    if last.text is None and (made or len(stored) != len(now.lines)):  # then kept by this process
        _LINES_CACHE.write(dict(now.lines.values()))
    _PROVENANCE = now
    return now.text, now.key


@dataclass
class _Provenance:
    """provenance.json as last made in this process, for the project whose lines cache is `cache`."""

    cache: Path | None
    pages: dict[int, tuple[PageSpec, str]] = field(default_factory=dict)  # id of a page -> (the page, its URL)
    lines: dict[str, tuple[str, str]] = field(default_factory=dict)  # URL -> (the mark of its record, its lines),
    # in the order of the URLs
    places: dict[str, tuple[str, str]] = field(default_factory=dict)  # URL -> its page's path and document
    text: bytes | None = None
    key: str = ""
    encoded: dict[str, tuple[str, bytes]] | None = None  # URL -> its lines and their UTF-8, kept by a process
    # that builds again: its next text is joined from them, not all encoded again (3 MB at 5,000 documents)
    specs: list[PageSpec] | None = None  # the pages it was made of, in the order planned
    joined: _Joined | None = None  # its pages' lines encoded in order, and their marks (a process that builds
    # again): a rebuild that changes a few pages' lines puts them in their places, and looks at no other

    def finish(self, gone: set[str], ordered: bool, any_pages: bool, touched: list[str] = ()) -> None:
        """Drop the lines of pages `gone`, order them by URL (unless known `ordered`), make the text and key
        (`touched`: the pages whose lines were put, when `joined` holds the others)."""
        joined, self.joined = self.joined, None
        if self.encoded is not None and joined is not None and not gone and ordered and any_pages:
            self.joined = joined.put([(url, *self.lines[url]) for url in touched], self._bytes)
            if self.joined is not None:
                self.text, self.key = self.joined.text(), self.joined.key()
                return
        for url in gone:
            del self.lines[url]
            self.places.pop(url, None)
        if not ordered:
            self.lines = dict(sorted(self.lines.items()))
        if not any_pages:
            self.text = json.dumps({"pages": {}}, indent=1).encode("utf-8")
        elif self.encoded is None:  # (3 MB at 5,000 documents: made once, not copied with its head and tail)
            texts = [text for _, text in self.lines.values()]
            texts[0] = HEAD + texts[0]
            texts[-1] += TAIL  # (the same text, for one page)
            self.text = ",\n".join(texts).encode("utf-8")
        else:
            for url in gone:
                self.encoded.pop(url, None)
            known = self.encoded
            parts = [found[1] if (found := known.get(url)) is not None and found[0] is text else self._bytes(url, text)
                     for url, (_, text) in self.lines.items()]
            self.joined = _Joined.of(list(self.lines), parts, [mark for mark, _ in self.lines.values()])
            if self.joined is not None:
                self.text, self.key = self.joined.text(), self.joined.key()
                return
            parts[0] = HEAD_BYTES + parts[0]  # the text made in one piece: each MB of it is 256 page faults
            parts[-1] = parts[-1] + TAIL_BYTES  # (the same part, for one page)
            self.text = b",\n".join(parts)
        self.key = _key_of([mark for mark, _ in self.lines.values()])

    def _bytes(self, url: str, text: str) -> bytes:
        """A page's lines in UTF-8, encoded once while they are the same lines (the very same text)."""
        known = self.encoded.get(url)
        if known is None or known[0] is not text:
            known = self.encoded[url] = (text, text.encode("utf-8"))
        return known[1]


@dataclass(frozen=True)
class _Joined:
    """provenance.json's pages in order: each one's place, its lines in UTF-8 (the first led by the file's
    head, the last followed by its tail: joined, they are the file in one piece) and the marks joined by
    newlines as the key hashes them (`_key_of`; each MARK long, so a page's is at a known offset)."""

    at: dict[str, int]  # URL -> its place
    parts: list[bytes]
    marks: bytearray

    @classmethod
    def of(cls, urls: list[str], parts: list[bytes], marks: list[str]) -> _Joined | None:
        """None when a mark is not MARK characters long (then the marks are not at known offsets)."""
        if not parts or any(len(mark) != MARK for mark in marks):
            return None
        parts = list(parts)
        parts[0] = HEAD_BYTES + parts[0]
        parts[-1] = parts[-1] + TAIL_BYTES
        return cls({url: i for i, url in enumerate(urls)}, parts, bytearray("\n".join(marks).encode()))

    def put(self, pages: list[tuple[str, str, str]], encode) -> _Joined | None:
        """A copy with these pages' (URL, mark, lines) put in their places (each page already has one)."""
        parts, marks, last = list(self.parts), bytearray(self.marks), len(self.parts) - 1
        for url, mark, text in pages:
            i = self.at[url]
            if len(mark) != MARK:
                return None
            part = encode(url, text)
            parts[i] = (HEAD_BYTES if i == 0 else b"") + part + (TAIL_BYTES if i == last else b"")
            marks[i * (MARK + 1):i * (MARK + 1) + MARK] = mark.encode()
        return _Joined(self.at, parts, marks)

    def text(self) -> bytes:
        return b",\n".join(self.parts)

    def key(self) -> str:
        return hashlib.sha256(self.marks).hexdigest()[:24]


MARK = 32  # characters of a page's mark (`_mark`)


_PROVENANCE = _Provenance(None)


def _key_of(marks) -> str:
    """provenance.json's key: the digest of its pages' marks, in order."""
    return hashlib.sha256("\n".join(marks).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Seed:
    """provenance.json's pages as the build online made them, and the documents written since (delta.py): the
    pages of the others have the same record, so a new process marks and encodes only theirs. The build saves
    each page's URL, mark, place and the length of its lines (snapshot.py); the lines are those of its file."""

    urls: list[str]  # in order
    lines: list[tuple[str, str]]  # each URL's mark and lines
    places: list[tuple[str, str]]  # each URL's page path and document (slug)
    changed: set[str]

    @classmethod
    def of(cls, saved: tuple | None, key: str | None, changed: set[str] | None, file: Path) -> Seed | None:
        """The seed of the pages saved, when they are whole and those of the build online (`key`: its
        provenance.json's output key, from its manifest; `file`, that provenance.json) and what changed since
        is known."""
        if not saved or changed is None or key is None:
            return None
        try:
            urls, marks, places, lengths = saved
            whole = (len(urls) == len(marks) == len(places) == len(lengths) > 0 and set(map(len, places)) == {2}
                     and set(map(type, urls)) == set(map(type, marks)) == {str}  # (each list's types, in C)
                     and set(map(type, chain.from_iterable(places))) == {str} and set(map(type, lengths)) == {int})
            if not whole or key_of(_key_of(marks)) != key:
                return None
            lines = _lines_of(file.read_bytes().decode("utf-8"), marks, lengths)
        except (OSError, UnicodeDecodeError, TypeError, ValueError):
            return None
        return cls(urls, lines, places, changed) if lines is not None else None


HEAD, TAIL = '{\n "pages": {\n', "\n }\n}"  # around provenance.json's pages' lines, ",\n" between them
HEAD_BYTES, TAIL_BYTES = HEAD.encode(), TAIL.encode()


def _lines_of(text: str, marks: list[str], lengths: list[int]) -> list[tuple[str, str]] | None:
    """Each page's lines cut from provenance.json's text, if it is made of lines of these lengths (cut in C: 10,000
    pages at 5,000 documents)."""
    if not text.startswith(HEAD) or not text.endswith(TAIL) or min(lengths) < 0:
        return None
    ends = list(accumulate(map(operator.add, lengths, repeat(len(",\n"))), initial=len(HEAD) - len(",\n")))[1:]
    if ends[-1] + len(TAIL) != len(text):
        return None
    starts = list(map(operator.sub, ends, lengths))
    if any(map(operator.ne, map(text.__getitem__, map(slice, ends[:-1], starts[1:])), repeat(",\n"))):
        return None
    return list(zip(marks, map(text.__getitem__, map(slice, starts, ends)), strict=True))


def provenance_saved() -> tuple | None:
    """provenance.json's pages as this process last made it, as plain lists (a `Seed`, once saved)."""
    last = _PROVENANCE
    if last.text is None or last.cache != _LINES_CACHE.path or len(last.places) != len(last.lines):
        return None
    urls = list(last.lines)
    return (urls, [mark for mark, _ in last.lines.values()], [last.places[url] for url in urls],
            [len(text) for _, text in last.lines.values()])


def _seeded(docs: dict[int, PageSpec], site: Site, seed: Seed, cache: Path | None) -> _Provenance:
    """provenance_json in a new process, from the pages of the build online: only the pages of documents
    changed since, or not among them, are marked and encoded."""
    now = _Provenance(cache, {}, dict(zip(seed.urls, seed.lines, strict=True)),
                      dict(zip(seed.urls, seed.places, strict=True)))
    places = list(now.places.values())
    at = dict(zip(map(_FIRST, places), zip(map(_SECOND, places), now.places, strict=True), strict=True))  # path ->
    # (slug, URL)
    specs, ordered = list(docs.values()), True
    found = list(map(at.get, map(_PATH, specs)))  # each page's place online, looked up in C
    for i in [i for i, (was, slug) in enumerate(zip(found, map(_SLUG, specs), strict=True))
              if was is None or was[0] != slug or slug in seed.changed]:  # (a few: the documents written since)
        spec = specs[i]
        url = site.urls.absolute(spec.path)
        record = _record(spec)
        ordered = ordered and url in now.lines
        now.lines[url] = (_mark(url, record), _provenance_lines(url, record))
        now.places[url] = (spec.path, spec.entry.slug)
        found[i] = (spec.entry.slug, url)
    urls = list(map(_SECOND, found))
    now.pages = dict(zip(docs, zip(specs, urls, strict=True), strict=True))
    now.finish(set(now.lines).difference(urls), ordered, bool(docs))
    return now


_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
_PATH, _SLUG = operator.attrgetter("path"), operator.attrgetter("entry.slug")


def _record(spec: PageSpec) -> dict:
    """A document page's record in provenance.json."""
    return {"lang": spec.entry.lang, "slug": spec.entry.slug} | spec.entry.provenance


def _mark(url: str, record: dict) -> str:
    """A page's record as the lines cache knows it: repr tells apart what JSON would write differently
    (True and 1, 1 and 1.0, a string and a date)."""
    return hashlib.sha256(repr((url, record)).encode("utf-8")).hexdigest()[:32]


def _provenance_lines(url: str, record: dict) -> str:
    """One page's lines of provenance.json, as json.dumps indents them two levels down."""
    text = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    return f"  {json.dumps(url, ensure_ascii=False)}: {text.replace(chr(10), chr(10) + '  ')}"


class _LinesCache:
    """provenance.json's lines of each page by its mark, in a file of the project's state folder, so a new
    process re-encodes only the pages whose record changed. A cache: one that cannot be read or written is
    as if empty, and any process may use it, since a mark names exactly what its lines are made from."""

    def __init__(self) -> None:
        self.path: Path | None = None

    def read(self) -> dict[str, str]:
        if self.path is None:
            return {}
        try:
            found = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        return found if isinstance(found, dict) else {}

    def write(self, lines: dict[str, str]) -> None:
        if self.path is not None:
            keep_cache(self.path, orjson.dumps(lines))


LINES_FILE = "provenance-lines.json"
_LINES_CACHE = _LinesCache()


def keep_lines_in(state_dir: Path | None) -> None:
    """Keep provenance.json's lines in this project's state folder (None: keep none, as `bodies.use`)."""
    _LINES_CACHE.path = state_dir / LINES_FILE if state_dir else None
