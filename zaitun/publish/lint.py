"""The build checks its own output and refuses to publish a site with a mistake in it.

Each page is checked on its own where it is written (`check_page`, in the render workers): its
language, heading, images, fragments, links and hreflang codes. What the checks across pages need
(its links between pages, its hreflang alternates; each feed's ids; the sitemap's alternates) is kept
in the build manifest, so a rebuild lints the whole site (`lint_site`) without re-reading the files it
did not change, and the build's own process holds only those facts.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Collection, Container
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from zaitun.config import LANGUAGES
from zaitun.errors import PublishError
from zaitun.publish import layout
from zaitun.publish.memo import not_the_same

HREFLANGS = set(LANGUAGES.values()) | {"x-default"}
_TAG = re.compile(r"<(a|link|img)\s([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"([a-zA-Z:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_HTML_LANG = re.compile(r"<html\s[^>]*lang=\"([^\"]*)\"", re.IGNORECASE)
_ID = re.compile(r"id=\"([^\"]+)\"")  # an id attribute when whitespace precedes it (see _ids)
_H1 = re.compile(r"<h1[\s>]", re.IGNORECASE)
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml",
      "atom": "http://www.w3.org/2005/Atom"}


def page_facts(text: str) -> dict:
    """What the lint needs to know about one HTML page."""
    facts: dict = {"lang": "", "links": [], "alternates": [], "canonical": "", "h1": len(_H1.findall(text)),
                   "no_alt": []}
    match = _HTML_LANG.search(text)
    facts["lang"] = match.group(1) if match else ""
    ids = _ids(text)
    for tag, attr_text in _TAG.findall(text):
        attrs = _attrs(attr_text)
        tag = tag.lower()
        rel = attrs.get("rel", "") if tag == "link" else ""
        if rel == "alternate" and "hreflang" in attrs:
            facts["alternates"].append([attrs["hreflang"], attrs.get("href", "")])
        elif rel == "canonical":
            facts["canonical"] = attrs.get("href", "")
        else:
            target = attrs.get("src" if tag == "img" else "href")
            if tag == "img" and not attrs.get("alt", "").strip():
                facts["no_alt"].append(target or "")
            # fragments kept only when broken; a browser matches `#%E6%A6%82` to id="概"
            if target and (target[0] != "#" or unquote(target[1:]) not in ids):
                facts["links"].append(target)
    return facts


def _ids(text: str) -> set[str]:
    """Values of `id` attributes preceded by whitespace. A regex starting with `\\s` cannot use the fast
    literal search and took a third of the lint's time; this finds `id="` first, then looks back."""
    ids, pos = set(), 0
    while match := _ID.search(text, pos):
        if match.start() > pos and text[match.start() - 1].isspace():
            ids.add(match.group(1))
            pos = match.end()
        else:
            pos = match.start() + 1
    return ids


def _attrs(attr_text: str) -> dict[str, str]:
    attrs = {}
    for name, double, single in _ATTR.findall(attr_text):
        value = double or single
        attrs[name.lower()] = html.unescape(value) if "&" in value else value
    return attrs


def feed_facts(data: bytes) -> dict:
    root = etree.fromstring(data)
    if root.tag == "rss":
        ids = [g.text for g in root.iter("guid")]
        self_links = [e.get("href") for e in root.iter("{http://www.w3.org/2005/Atom}link") if e.get("rel") == "self"]
        return {"id": self_links[0] if self_links else "", "entries": ids}
    feed_id = root.findtext("atom:id", namespaces=NS)
    return {"id": feed_id, "entries": [e.findtext("atom:id", namespaces=NS) for e in root.iterfind("atom:entry", NS)]}


def sitemap_index_facts(data: bytes) -> dict[str, list[str]]:
    """The URLs of the sitemaps a sitemap index lists."""
    root = etree.fromstring(data)
    if root.tag != f"{{{NS['s']}}}sitemapindex":
        return {"sitemaps": []}
    return {"sitemaps": [sitemap.findtext("s:loc", namespaces=NS) for sitemap in root.iterfind("s:sitemap", NS)]}


def sitemap_facts(data: bytes, name: str = layout.SITEMAP) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each URL's alternates, sorted, of the sitemap's file `name`. A rebuild changes a line or two of a sitemap
    of thousands of URLs: each <url> element is read once a process while its text is the same, where the file
    is the <urlset> of those elements (SITEMAP_HEAD, each element ending its line, SITEMAP_TAIL); else the file
    is read whole (and the same alternates held once: a document's URLs share theirs). A file read whole is cut
    into its elements only when it is read again (a render worker, which reads it once, never pays for it)."""
    _cut_last(name)
    read = _URLS_READ.get(name)
    urls = _url_elements(data) if read else None
    known = None if urls is None else list(map(read.get, urls))
    if known is None or known.count(None) > len(known) // 2:
        return _read_whole(data, name)
    for i in [i for i, facts in enumerate(known) if facts is None]:
        known[i] = _read_url(urls[i])
        if known[i] is None:  # text around or between the elements: read as a whole file is
            return _read_whole(data, name)
    _URLS_READ[name] = dict(zip(urls, known, strict=True))
    return dict(known)


def _read_whole(data: bytes, name: str) -> dict[str, tuple[tuple[str, str], ...]]:
    out = _read_sitemap(data)
    _URLS_READ.pop(name, None)
    _LAST[name] = (data, out)
    return out


def _cut_last(name: str) -> None:
    """The elements of the file `name` as read whole last, remembered with their facts (in order, one each)."""
    if name in _LAST:
        data, out = _LAST.pop(name)
        urls = _url_elements(data)
        if urls is not None and len(urls) == len(out):
            _URLS_READ[name] = dict(zip(urls, out.items(), strict=True))


SITEMAP_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                b'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')
SITEMAP_TAIL = b"</urlset>\n"
SITEMAP_INDEX_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
SITEMAP_INDEX_TAIL = b"</sitemapindex>\n"
URL_END = "  </url>\n"  # each <url> element of the sitemap ends so (extras.sitemap_xml)
_URLS_READ: dict[str, dict[str, tuple[str, tuple]]] = {}  # a file of the sitemap -> its <url> elements' texts, but
# their end -> their URL and alternates
_LAST: dict[str, tuple[bytes, dict]] = {}  # a file of the sitemap read whole, and its facts, until read again


def _url_elements(data: bytes) -> list[str] | None:
    """The texts of the sitemap's <url> elements but their end (URL_END), if it is SITEMAP_HEAD, those and
    SITEMAP_TAIL."""
    if not data.startswith(SITEMAP_HEAD) or not data.endswith(SITEMAP_TAIL):
        return None
    try:
        middle = data[len(SITEMAP_HEAD):len(data) - len(SITEMAP_TAIL)].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if middle and not middle.endswith(URL_END):
        return None
    return middle.split(URL_END)[:-1]


def _read_url(text: str) -> tuple[str, tuple] | None:
    """A <url> element's URL and alternates (`text`: but its end), read in the <urlset> it is written in; None
    for a text that is not one whole <url> element and whitespace."""
    try:
        root = etree.fromstring(SITEMAP_HEAD + (text + URL_END).encode("utf-8") + SITEMAP_TAIL)
    except etree.XMLSyntaxError:
        return None
    if len(root) != 1 or root[0].tag != f"{{{NS['s']}}}url" or (root.text or "").strip() \
            or (root[0].tail or "").strip():
        return None
    return root[0].findtext("s:loc", namespaces=NS), _alternates_of(root[0])


def _read_sitemap(data: bytes) -> dict[str, tuple[tuple[str, str], ...]]:
    """Read as a stream, each <url> let go once read: a large site's sitemap as a tree takes tens of MB."""
    out, seen = {}, {}
    for _, url in etree.iterparse(io.BytesIO(data), tag=f"{{{NS['s']}}}url"):
        links = _alternates_of(url)
        out[url.findtext("s:loc", namespaces=NS)] = seen.setdefault(links, links)
        url.clear()
        while url.getprevious() is not None:
            del url.getparent()[0]
    return out


def _alternates_of(url) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((link.get("hreflang"), link.get("href")) for link in url.iterfind("x:link", NS)))


@dataclass(frozen=True)
class Scope:
    """What checking one page on its own needs to know of the site being built."""

    urls: layout.Urls
    existing: Container[str]  # the names of the site's files (layout.file_of of each path: FileNames)


INDEX = "index.html"


class FileNames:
    """The names of a site's files (layout.file_of of each path), answered from its paths: a rebuild keeps
    most of its thousands of paths as they were, and naming each one took longer than the few lookups."""

    def __init__(self, paths: Container[str]) -> None:
        self._paths = paths

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        folder = name[:-len(INDEX)] if name.endswith(INDEX) else None  # a page's name: its folder's path
        return any(path in self._paths and layout.file_of(path) == name for path in (name, folder)
                   if path is not None)


class _EveryName:
    """Every name a file of the site: a page written before the site's files are known (a rebuild's document
    pages, written first for its search index) has its links checked across, once they are (lint_site)."""

    def __contains__(self, name: object) -> bool:
        return True


EVERY_NAME = _EveryName()


def check_page(path: str, text: str, scope: Scope) -> tuple[list[str], dict]:
    """A page's problems of its own, and the facts the checks across pages need (kept in the manifest):
    its internal links, once each, and its hreflang alternates, sorted."""
    facts = page_facts(text)
    where = layout.file_of(path)
    targets = {href: link_target(path, href, scope.urls) for href in facts["links"] if href[0] != "#"}
    problems = _own_problems(path, facts, scope.urls)
    problems += [f"{where}: link to missing fragment {href}" for href in facts["links"] if href[0] == "#"]
    problems += _broken(where, [(href, targets[href]) for href in facts["links"] if href[0] != "#"], scope.existing)
    problems += [f"{where}: image {src} has no alt text" for src in facts["no_alt"]]
    problems += _alternates_problems(path, facts, scope.urls)
    internal = tuple(href for href, target in targets.items() if target is not None)
    return problems, {"links": internal, "alternates": tuple(sorted(map(tuple, facts["alternates"])))}


def lint_site(files: dict[str, dict], urls: layout.Urls, sitemap: dict[str, list],
              only: set[str] | None = None, fresh: set[str] = frozenset(), sitemap_before: dict | None = None,
              sitemap_files: Collection[str] = (layout.SITEMAP,)) -> list[str]:
    """The problems across the pages of a built site; `files` maps each path to its kind and facts. With
    `only`, the pages checked are those: the rest were checked when they were written, and only what those
    pages point at is looked up. The sitemap (`sitemap`: the facts of its `sitemap_files` listing URLs, all
    together) is checked whole when one of those is among them, but for the URLs it lists as the build online's
    did (`sitemap_before`, its facts) whose pages were not written: they agreed then, and neither side changed;
    a sitemap index, that it lists those files and no other. The links of pages not `fresh` (checked on their
    own in this build) are checked against the files of this one: a file they link to may be gone. The feeds
    are checked across when one was written (or `only` is not given): else they are those of the build online,
    checked then."""
    problems: list[str] = []
    written = only is None or any(path in only for path in sitemap_files)
    whole = only is None or (written and sitemap_before is None)
    pages = {p: f["facts"] for p, f in files.items() if f["kind"] == "page"} if whole else _Pages(files)
    by_url = {urls.absolute(p): p for p in pages} if whole else _ByUrl(urls, pages)
    existing = FileNames(files)
    for path in (pages if only is None else [p for p in only if p in pages]):
        if path not in fresh:
            links = [(href, link_target(path, href, urls)) for href in pages[path]["links"]]
            problems += _broken(layout.file_of(path), links, existing)
        if pages[path]["alternates"]:
            problems += _hreflang_problems(path, pages[path], pages, by_url)
    if whole:
        problems += _sitemap_problems(pages, by_url, sitemap)
    elif written:
        problems += _sitemap_problems(pages, by_url, _changed_urls(sitemap, sitemap_before, only, urls),
                                      {urls.absolute(p): p for p in only if p in pages} | _dropped(sitemap,
                                                                                                sitemap_before, by_url))
    if only is None or layout.SITEMAP in only:
        problems += _index_problems(files.get(layout.SITEMAP), [urls.absolute(path) for path in sitemap_files])
    if only is None or any(files[p]["kind"] == "feed" for p in only if p in files):  # else the feeds checked online
        problems += _feed_problems({p: f["facts"] for p, f in files.items() if f["kind"] == "feed"})
    return problems


def _changed_urls(sitemap: dict[str, list], before: dict[str, list], written: set[str],
                  urls: layout.Urls) -> dict[str, list]:
    """The URLs of the sitemap listed otherwise than in the build online's (`before`), and those of pages
    written since (the alternates of a URL as read from its manifest are lists)."""
    pages_written = {urls.absolute(path) for path in written}
    differ = not_the_same(sitemap, before)  # in C: a warm process reads the same elements into the same facts
    return {loc: sitemap[loc] for loc in [*differ, *pages_written]
            if loc in sitemap and (loc in pages_written or not _same_links(sitemap[loc], before.get(loc)))}


def _same_links(links, was) -> bool:
    return links is was or (was is not None and len(links) == len(was)
                            and all(tuple(a) == tuple(b) for a, b in zip(links, was, strict=True)))


def _dropped(sitemap: dict[str, list], before: dict[str, list], by_url) -> dict[str, str]:
    """The pages at the URLs the build online's sitemap listed and this one does not."""
    return {url: path for url in before.keys() - sitemap.keys() if (path := by_url.get(url)) is not None}


class _Pages:
    """The facts of the site's pages, looked up one at a time (a check of a few pages needs a few)."""

    def __init__(self, files: dict[str, dict]) -> None:
        self._files = files

    def __contains__(self, path: str) -> bool:
        return path in self._files and self._files[path]["kind"] == "page"

    def __getitem__(self, path: str) -> dict:
        if path not in self:
            raise KeyError(path)
        return self._files[path]["facts"]


class _ByUrl:
    """The page at an absolute URL, found from the URL instead of listing every page's."""

    def __init__(self, urls: layout.Urls, pages: _Pages) -> None:
        self._urls, self._pages = urls, pages

    def get(self, url: str) -> str | None:
        path = self._urls.path_of(url)
        return path if path is not None and path in self._pages and self._urls.absolute(path) == url else None


def link_target(page: str, href: str, urls: layout.Urls) -> str | None:
    """The site path a link on page `page` points to; None for an external link. A colon makes no scheme
    by itself: `java%09script:x` and `&#0;javascript:x` are relative links, as a browser reads them."""
    relative = not href.startswith("/") and not urlsplit(href).scheme
    return urls.path_of(urljoin(urls.absolute(page), href) if relative else href)


def exists(path: str, existing: Container[str]) -> bool:
    """A link target exists as a file, or as a folder with an index.html (served at path/)."""
    return layout.file_of(path) in existing or (path + "/index.html") in existing


def _broken(where: str, links: list[tuple[str, str | None]], existing: Container[str]) -> list[str]:
    """The internal links (href, site path they point to; None: external) to no file of the site."""
    return [f"{where}: broken internal link {href}" for href, target in links
            if target is not None and not exists(target, existing)]


def _own_problems(path: str, facts: dict, urls: layout.Urls) -> list[str]:
    """What is wrong with a page whatever the other pages are: its language and its h1 headings."""
    where = layout.file_of(path)
    problems = []
    if facts["lang"] not in LANGUAGES.values():
        problems.append(f"{where}: html lang {facts['lang']!r} is not one of {sorted(LANGUAGES.values())}")
    if path != layout.NOT_FOUND and facts["h1"] != 1:
        problems.append(f"{where}: has {facts['h1']} h1 elements (a page needs exactly one)")
    return problems


def _alternates_problems(path: str, facts: dict, urls: layout.Urls) -> list[str]:
    """The hreflang alternates a page names: known codes, an x-default, the page itself among them."""
    if not facts["alternates"]:
        return []
    where, problems = layout.file_of(path), []
    alternates = dict(facts["alternates"])
    for lang in alternates:
        if lang not in HREFLANGS:
            problems.append(f"{where}: wrong hreflang code {lang!r} (use {', '.join(sorted(HREFLANGS))})")
    if "x-default" not in alternates:
        problems.append(f"{where}: hreflang alternates without x-default")
    if path != layout.ROOT and alternates.get(facts["lang"]) != urls.absolute(path):
        problems.append(f"{where}: hreflang alternates do not include the page itself")
    return problems


def _hreflang_problems(path: str, facts: dict, pages: dict, by_url: dict) -> list[str]:
    """Each alternate a page names is a page naming the same alternates."""
    where = layout.file_of(path)
    problems = []
    mine = sorted(map(tuple, facts["alternates"]))
    for lang, href in mine:
        other = by_url.get(href)
        if other is None:
            problems.append(f"{where}: hreflang {lang} points at a missing page {href}")
        elif lang != "x-default" and sorted(map(tuple, pages[other]["alternates"])) != mine:
            problems.append(f"{where}: hreflang {lang} -> {href} is not reciprocal")
    return problems


def _sitemap_problems(pages: dict, by_url, sitemap: dict[str, list], listing: dict[str, str] | None = None
                      ) -> list[str]:
    """The URLs of `sitemap` that are no page or whose alternates are not the page's, and the pages of `listing`
    (URL -> page; all pages when not given) it does not list."""
    problems = []
    for loc, links in sitemap.items():
        path = by_url.get(loc)
        if path is None:
            problems.append(f"{layout.SITEMAP}: lists {loc}, which is not a page")
        elif sorted(map(tuple, links)) != sorted(map(tuple, pages[path]["alternates"])):
            problems.append(f"{layout.SITEMAP}: alternates of {loc} disagree with the page")
    listed = set(sitemap)
    for url, path in (by_url if listing is None else listing).items():
        if pages[path]["alternates"] and url not in listed:
            problems.append(f"{layout.SITEMAP}: page {url} is missing")
    return problems


def _index_problems(record: dict | None, shards: list[str]) -> list[str]:
    """A sitemap index (the record of sitemap.xml, when it is one) lists the site's sitemaps, and no other."""
    if record is None or record["kind"] != "sitemapindex":
        return []
    listed = record["facts"]["sitemaps"]
    return [f"{layout.SITEMAP}: lists {url}, which is not a sitemap of the site" for url in listed
            if url not in shards] + [f"{layout.SITEMAP}: sitemap {url} is missing" for url in shards
                                     if url not in listed]


def _feed_problems(feeds: dict[str, dict]) -> list[str]:
    problems = []
    seen: dict[str, str] = {}
    for path, facts in sorted(feeds.items()):
        if facts["id"] in seen:
            problems.append(f"{path}: feed id {facts['id']} is also the id of {seen[facts['id']]}")
        seen[facts["id"]] = path
        if len(set(facts["entries"])) != len(facts["entries"]):
            problems.append(f"{path}: two entries share an id")
    return problems


def raise_problems(problems: list[str]) -> None:
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise PublishError(f"the built site failed its lint ({len(problems)} problem(s)); the previous "
                           f"site was kept:\n  {shown}{more}")
