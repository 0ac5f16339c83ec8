"""The one place that knows the file layout inside `publish/` and the URL of every output.

Paths here are relative to the site root and use "/" (a page path ends in "/" and is
written as `<path>index.html`); `Urls` turns them into links under the site's base URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

from zaitun.content.schema import tag_key

LANGS = ("zh", "en")  # zh first: the source language is the x-default of every alternate group
NAMES = {"zh": "Chinese", "en": "English"}  # each language as messages to people name it
ROOT = ""
NOT_FOUND = "404.html"
SITEMAP = "sitemap.xml"
SITEMAP_SHARD = "sitemap-{}.xml"  # a shard of a large site's sitemap, listed by sitemap.xml (extras.sitemap_paths)
ROBOTS = "robots.txt"
PROVENANCE = "provenance.json"
ASSETS_DIR = "assets"
STATIC_DIR = "static"  # the project's static/ folder (images, PDFs), copied as it is
MEDIA_DIR = "media"  # files beside content documents (content/guides/map.png -> media/guides/map.png)
SEARCH_DIR = "pagefind"  # the search index and its scripts, written by the indexer after the pages
SOCIAL_DIR = "social"  # the social outbox; not part of the site (never deployed or linted)
FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml"}


def home(lang: str) -> str:
    return f"{lang}/"


def document(lang: str, section: str, slug: str) -> str:
    return f"{lang}/{section}/{slug}/"


def section(lang: str, name: str) -> str:
    return f"{lang}/{name}/"


def programme(lang: str, name: str) -> str:
    return f"{lang}/programmes/{name}/"


def tag(lang: str, name: str) -> str:
    return f"{lang}/tags/{tag_key(name)}/"


def tags(lang: str) -> str:
    """The page listing every tag of a language."""
    return f"{lang}/tags/"


def programmes(lang: str) -> str:
    """The page listing every programme of a language."""
    return f"{lang}/programmes/"


def paged(path: str, number: int) -> str:
    """Page `number` of a list page: the first is the list's own path, then <path>page/<n>/."""
    return path if number == 1 else f"{path}page/{number}/"


def feed(lang: str, kind: str, programme_name: str | None = None) -> str:
    """Feed file of a language (or of one programme in a language): kind is rss or atom."""
    folder = programme(lang, programme_name) if programme_name else home(lang)
    return folder + FEED_FILES[kind]


def stylesheet(digest: str) -> str:
    return f"{ASSETS_DIR}/style.{digest}.css"


def icon(digest: str) -> str:
    return f"{ASSETS_DIR}/icon.{digest}.svg"


def search(lang: str) -> str:
    return f"{lang}/search/"


def script(name: str, digest: str) -> str:
    return f"{ASSETS_DIR}/{name}.{digest}.js"


def static(rel: str) -> str:
    """Where a file of the project's static/ folder is published; content links it as /static/..."""
    return f"{STATIC_DIR}/{rel}"


def media(rel: str) -> str:
    """Where a file beside the documents is published: its path under content/, so both language
    versions of a page, and every document linking it, share one file."""
    return f"{MEDIA_DIR}/{rel}"


def file_of(path: str) -> str:
    """The file written for a site path (pages are folders with an index.html)."""
    return path + "index.html" if path == ROOT or path.endswith("/") else path


@dataclass(frozen=True)
class Urls:
    """Links to site paths: absolute (canonical, feeds, sitemap) or root-relative (in pages).

    A build asks for the same few links thousands of times (navigation, tags, alternates), so each is
    quoted once; the memo lives as long as this object, which a process that builds again keeps."""

    base_url: str
    _quoted: dict[tuple[bool, str], str] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def base_path(self) -> str:
        path = urlsplit(self.base_url).path
        return path.rstrip("/") + "/"

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    def link(self, path: str) -> str:
        quoted = self._quoted.get((False, path))
        if quoted is None:
            quoted = self._quoted[False, path] = _quote(self.base_path + path)
        return quoted

    def absolute(self, path: str) -> str:
        quoted = self._quoted.get((True, path))
        if quoted is None:
            quoted = self._quoted[True, path] = self.base_url.rstrip("/") + _quote("/" + path)
        return quoted

    def forget(self) -> None:
        """Let the links quoted so far go (a render worker, between its chunks)."""
        self._quoted.clear()

    def path_of(self, href: str) -> str | None:
        """The site path an absolute or root-relative href points to, or None for an external link."""
        return _path_of(self.base_url, href)


_UNQUOTED = re.compile(r"[A-Za-z0-9_.~/-]*")  # what quote() leaves as it is


def _quote(path: str) -> str:
    """quote(path), without its cost for the plain ASCII paths most pages have (a rebuild links them all)."""
    return path if _UNQUOTED.fullmatch(path) else quote(path)


@lru_cache(maxsize=65536)
def _path_of(base_url: str, href: str) -> str | None:
    href = href.split("#", 1)[0].split("?", 1)[0]
    root = base_url.rstrip("/")
    if href.startswith(root + "/") or href == root:  # an absolute URL of the site: the rest is the path
        return unquote(href[len(root) + 1:])
    if urlsplit(href).scheme or href.startswith("//"):
        return None
    href = unquote(href)
    base = urlsplit(base_url).path.rstrip("/") + "/"
    return href[len(base):] if href.startswith(base) else None


def alias_path(alias: str) -> tuple[str, str]:
    """An alias as a site path (a folder's, ending in '/', unless its last part names a file such as
    old.html) and the language of the page it leads to: the one it starts with, else Chinese."""
    parts = unquote(alias.strip()).strip("/").split("/")
    path = "/".join(parts) + ("" if "." in parts[-1] else "/")
    return path, parts[0] if parts[0] in LANGS else "zh"
