"""The order of a deploy's uploads in which no page a reader can reach links to a file not there yet.

    assets, static files, media          linked by pages, linking nothing
    new pages                            each after the new pages it links to
    new feeds                            a changed page may link a new programme's feed
    changed pages                        everything they link to is there now
    changed feeds, sitemap, robots.txt   last: they list pages
    (deletions come after all uploads)

A new page is reachable only through a link from a page already online, and those are all changed
pages, uploaded after every new one; so a cycle among new pages (two guides linking each other) is
broken at the first name without a reader ever meeting the missing page. Links between changed
pages never break: both are online before and after.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from zaitun.publish import layout, lint

_HOST = "http://site.invalid/"  # resolves relative links; a link to any other host is not the site's


def upload_order(site_dir: Path, names: list[str], exists: Callable[[str], bool]) -> list[str]:
    """`names` (files to upload, relative with '/') in the order above; `exists` says whether the
    target has a file of that name already."""
    first = [n for n in names if rank(n) == 0]
    new = [n for n in names if rank(n) > 0 and not exists(n)]
    changed = sorted((n for n in names if rank(n) > 0 and exists(n)), key=lambda n: (rank(n), n))
    pages = dependencies_first([n for n in new if rank(n) == 1], lambda n: links_of(site_dir, n))
    return first + pages + [n for n in new if rank(n) == 2] + changed


def rank(name: str) -> int:
    """0: files pages link to (assets, static, media); 1: pages; 2: files that list pages (feeds, sitemap)."""
    if name.startswith((layout.ASSETS_DIR + "/", layout.STATIC_DIR + "/", layout.MEDIA_DIR + "/")):
        return 0
    if name.endswith(".xml") or name == layout.ROBOTS:
        return 2
    return 1


def dependencies_first(names: list[str], links: Callable[[str], Iterable[str]]) -> list[str]:
    """Each name after the names it links to; a cycle is broken at its smallest name (deterministic)."""
    todo = set(names)
    needs = {n: {t for t in links(n) if t in todo and t != n} for n in names}
    needed_by: dict[str, set[str]] = {n: set() for n in names}
    for name, targets in needs.items():
        for target in targets:
            needed_by[target].add(name)
    ready = [n for n in names if not needs[n]]
    heapq.heapify(ready)
    out: list[str] = []
    while todo:
        name = heapq.heappop(ready) if ready else min(todo)  # min: the cycle's break
        if name not in todo:
            continue
        todo.discard(name)
        out.append(name)
        for other in needed_by[name]:
            needs[other].discard(name)
            if not needs[other] and other in todo:
                heapq.heappush(ready, other)
    return out


def links_of(site_dir: Path, name: str) -> set[str]:
    """The files of the site an HTML page links to (by file name), read from the page itself."""
    if not name.endswith(".html"):
        return set()
    try:
        text = (site_dir / name).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return set()  # an unreadable file is reported by the upload itself
    base = urljoin(_HOST, name.removesuffix("index.html"))
    found = set()
    for href in lint.page_facts(text)["links"]:
        parts = urlsplit(urljoin(base, href))
        if f"{parts.scheme}://{parts.netloc}/" == _HOST and parts.path:
            path = unquote(parts.path).lstrip("/")
            found |= {path + "index.html"} if path.endswith("/") or not path else {path, path + "/index.html"}
    return found
