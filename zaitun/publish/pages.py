"""Plan every HTML page of the site: what it shows, its language alternates and its input key.

A page's key hashes everything it is rendered from (the document's hash instead of its body,
the design digest, its alternates and navigation), so an unchanged key means the file from
the previous build can be reused as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from zaitun import days
from zaitun.config import LANGUAGES
from zaitun.content.validity import EXPIRED, EXPIRING, NOT_YET, VALID
from zaitun.errors import PublishError
from zaitun.publish import layout
from zaitun.publish.i18n import UI, programme_name, section_name
from zaitun.publish.inputs import Entry
from zaitun.publish.memo import ByIdentity
from zaitun.publish.render import design_digest, icon_digest, render_page

LATEST = 20  # documents listed on a home page


@dataclass
class Site:
    """Build-wide facts every page needs."""

    urls: layout.Urls
    titles: dict[str, str]
    today: dt.date
    css_path: str
    zone: dt.tzinfo  # site.timezone: the day of every instant shown (zaitun.days)
    expiry_warning_days: int = 60  # a document this close to its valid_until is marked as expiring
    page_size: int = 20  # documents per section, programme or tag page
    tag_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # tag -> {lang: label}
    same_tags: dict[str, str] = field(default_factory=dict)  # a tag written as another's Chinese label -> that tag
    withheld: frozenset[str] = frozenset()  # tags, programmes, sections whose English held a forbidden rendering
    feed_ids: dict[tuple[str, str], str] = field(default_factory=dict)  # (lang, slug) -> first page of a moved
    # document (redirects.py): its feed entries keep that page's URL as their id
    websub_hub: str = ""  # publish.websub_hub: every feed names it, for readers to subscribe there
    icon_path: str = field(default_factory=lambda: layout.icon(icon_digest()))  # every page links the site's icon

    def tag_label(self, tag: str, lang: str) -> str:
        """A tag as readers of a language see it; a tag with no label is shown as written."""
        return self.tag_labels.get(tag, {}).get(lang) or tag


@dataclass
class Output:
    """One file of the site: its path, what it is made from (hashed into its key) and how to make its bytes."""

    path: str
    inputs: tuple | Callable[[], tuple]  # plain data (see key_of), or what makes it on demand; the file is
    # rendered from these and nothing else
    render: Callable[[], bytes]
    kind: str = "page"  # page | feed | asset | meta
    bodies: tuple[str, ...] = ()  # document pages whose Markdown body this output renders (see workers.schedule)
    shows: tuple | None = None  # a list page: its documents (slugs), then all else it shows but their lines

    def known(self, key: str) -> None:
        """Take a key known without hashing (a warm process's list page, see site.py): same inputs."""
        self.__dict__["key"] = key

    @cached_property
    def key(self) -> str:
        """Hashed on demand: a rebuild compares keys before rendering, a full build has the render
        workers compute them, outside the serial part of the build."""
        return key_of(*(self.inputs() if callable(self.inputs) else self.inputs))


@dataclass(slots=True)
class PageSpec:
    group: tuple  # pages in the same group are language versions of each other
    lang: str
    path: str
    template: str
    title: str
    data: dict | None  # everything the template shows except the document body and a list's lines; None: a
    # document page's, made when the page is rendered (see document_data), so the build's own process never
    # holds them all
    description: str = ""
    entry: Entry | None = None
    feeds: list[str] = field(default_factory=list)  # feed paths for autodiscovery
    listed: tuple[str, ...] = ()  # a list page's documents (slugs), in order
    items: tuple[Entry, ...] | None = None  # a list page's documents, whose lines (`item`) it shows: made only
    # for a page keyed or rendered, which a rebuild does for the lists showing a changed document


def key_of(*parts) -> str:
    """Hash of plain data (str, numbers, dates, lists, dicts built in a fixed order); repr is fast and
    stable for these, and every build constructs them the same way."""
    if not any(type(part) in (list, dict) and len(part) > STREAMED for part in parts):
        return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:24]
    digest = hashlib.sha256(b"(")  # the same hash, without the whole repr at once (see _hash_repr)
    for i, part in enumerate(parts):
        digest.update(b", " if i else b"")
        _hash_repr(digest, part)
    digest.update(b",)" if len(parts) == 1 else b")")
    return digest.hexdigest()[:24]


STREAMED = 1000  # a list or dict longer than this (the sitemap's rows, provenance) is hashed item by item


def _hash_repr(digest, part) -> None:
    """Feed `repr(part)` to digest a top-level item at a time: the repr of every page's row is tens of MB."""
    if type(part) is list:
        items, ends = (repr(item) for item in part), (b"[", b"]")
    elif type(part) is dict:
        items, ends = (f"{key!r}: {value!r}" for key, value in part.items()), (b"{", b"}")
    else:
        digest.update(repr(part).encode("utf-8"))
        return
    digest.update(ends[0])
    for i, text in enumerate(items):
        digest.update((", " + text if i else text).encode("utf-8"))
    digest.update(ends[1])


def by_date(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.date, e.slug), reverse=True)


def item(entry: Entry, site: Site) -> dict:
    """A document as a line in a list page: made once per entry and build settings, so a process that builds
    again with the same entries (inputs.collect keeps them) makes only its changed documents' lines."""
    return _LINES.get(entry, lambda e: _line(e, site),
                      (site.urls.base_url, site.today, site.expiry_warning_days, site.tag_labels.get(entry.section)))


_LINES: ByIdentity[Entry, dict] = ByIdentity()  # an entry -> its line, for a base URL and date


def forget_lines() -> None:
    """Let the lines made so far go (a render worker, between its chunks)."""
    _LINES.clear()


def _line(entry: Entry, site: Site) -> dict:
    state = entry.validity(site.today, site.expiry_warning_days)
    return {"href": site.urls.link(layout.document(entry.lang, entry.section, entry.slug)), "title": entry.title,
            "date": entry.date.isoformat(), "summary": entry.summary, "expired": state == EXPIRED,
            "not_yet": state == NOT_YET, "expiring": state == EXPIRING,
            "valid_until": str(entry.meta.get("valid_until") or ""), "under_review": entry.under_review,
            "section": section_name(entry.section, entry.lang, site.tag_labels)}


def plan(entries: list[Entry], site: Site, before: Plan | None = None) -> Plan:
    """Every page of the site (root chooser and 404 excluded), in a stable order. Given the plan of the build
    online made by this process (`before`, kept by warm.py), only the lists showing a document changed, come
    or gone since are planned again: an entry unchanged is the very same object (inputs.collect keeps it)."""
    _LINES.keep_only(entries)  # lines of entries gone since go
    settings = _settings(site)
    if before is not None and before.settings != settings:
        before = None
    mine: dict[str, dict[str, Entry]] = {lang: {} for lang in layout.LANGS}
    for entry in entries:
        if mine[entry.lang].setdefault(entry.slug, entry) is not entry:
            raise PublishError(f"two documents are both named {entry.slug} ({entry.lang}): rename one")
    langs = {lang: _Lang.made(lang, mine[lang], site, before.langs[lang] if before else None)
             for lang in layout.LANGS}
    fresh = None if before is None else {group for lang in langs.values() for group in lang.fresh}
    return Plan([spec for lang in langs.values() for spec in lang.specs()], settings, langs, fresh, site.zone)


def _settings(site: Site) -> tuple:
    """What of the site's settings lists are planned with (tag labels in order: they come in any)."""
    return (site.urls.base_url, site.today, site.page_size, repr(site.titles), repr(sorted(site.tag_labels.items())),
            str(site.zone))


@dataclass
class Plan:
    """The pages planned (`specs`), and what the next plan of the same site in this process starts from."""

    specs: list[PageSpec]
    settings: tuple  # the site's settings the lists were planned with: any other, and all are planned again
    langs: dict[str, _Lang]
    fresh: set[tuple] | None  # the groups of list pages planned anew or gone since `before` (None: all were)
    zone: dt.tzinfo  # the site's (Site.zone): whose day a document's last change is saved as (plan_saved)

    def unchanged_lists(self) -> list[PageSpec]:
        """List pages planned as `before` planned them, as were the other language versions of each: the same
        documents, the same entries (their lines), the same pager and alternates."""
        if self.fresh is None:
            return []
        return [s for lang in self.langs.values() for s in (lang.home, *lang.list_pages()) if s.group not in self.fresh]

    def versions(self, group: tuple) -> dict[str, str]:
        """The language versions of a page (its group): language -> path."""
        return {lang: spec.path for lang, mine in self.langs.items() if (spec := mine.page(group)) is not None}

    def newest(self, lang: str) -> list[Entry]:
        """A language's documents, newest first."""
        return self.langs[lang].order

    def programmes(self, lang: str) -> dict[str, list[Entry]]:
        """A language's programmes and their documents, newest first."""
        return self.langs[lang].groups["programme"]

    def entries_by_page(self) -> PageEntries:
        """Each document page's entry, by the page's path."""
        return PageEntries(self.langs)

    def same_pages(self) -> bool:
        """Whether the site has the pages `before` had, in the same order, each document's last change on the
        same day: what the sitemap shows (besides the settings)."""
        return self.fresh is not None and all(lang.same_pages for lang in self.langs.values())


KINDS = ("section", "programme", "tag")


def _keys(entry: Entry, kind: str) -> list[str]:
    """The lists of a kind a document is shown in (tags that fold to one path are one list)."""
    if kind == "section":
        return [entry.section]
    if kind == "programme":
        return [entry.programme] if entry.programme else []
    return [_FOLDED.get(tag) or _FOLDED.setdefault(tag, layout.tag_key(tag)) for tag in entry.tags]


_FOLDED: dict[str, str] = {}  # tag -> its list's key (layout.tag_key): a site has a few tags, shown thousands of times


class PageEntries:
    """A document page's entry by its path (`zh/guides/a/`), looked up in its language's planned pages: a rebuild
    that renders a few pages makes no map of every page (10,000 at 5,000 documents) to find their bodies."""

    def __init__(self, langs: dict[str, _Lang]) -> None:
        self._langs = langs

    def get(self, path: str) -> Entry | None:
        lang, _, rest = path.partition("/")
        mine = self._langs.get(lang)
        spec = mine.docs.get(rest[:-1].rpartition("/")[2]) if mine is not None and path.endswith("/") else None
        return spec.entry if spec is not None and spec.path == path else None

    def __contains__(self, path: str) -> bool:
        return self.get(path) is not None

    def __getitem__(self, path: str) -> Entry:
        entry = self.get(path)
        if entry is None:
            raise KeyError(path)
        return entry


@dataclass
class _Lang:
    """One language's planned pages, by what they show, so that a later plan replaces only what changed."""

    lang: str
    entries: dict[str, Entry]  # slug -> entry
    order: list[Entry]  # by date, newest first
    groups: dict[str, dict[str, list[Entry]]]  # kind -> list key -> its documents, in order
    lists: dict[str, dict[str, list[PageSpec]]]  # kind -> list key -> its pages
    docs: dict[str, PageSpec]  # slug -> its document page
    home: PageSpec
    search: PageSpec
    every: dict[str, PageSpec]  # "tags", "programmes" -> the page listing every one (always keyed: one small
    # page each, made of the links it shows)
    fresh: set[tuple] = field(default_factory=set)  # groups of list pages planned anew or gone
    same_pages: bool = False
    paths: frozenset[str] | None = None  # its document pages' paths, made once a process while they stay

    def doc_paths(self) -> frozenset[str]:
        """The paths of its document pages: a later plan of the same documents at the same paths takes them as
        they are (one change costs no pass over every page)."""
        if self.paths is None:
            self.paths = frozenset(spec.path for spec in self.docs.values())
        return self.paths

    @classmethod
    def made(cls, lang: str, entries: dict[str, Entry], site: Site, before: _Lang | None) -> _Lang:
        if before is None:
            order = by_date(list(entries.values()))
            groups = {kind: _grouped(order, kind) for kind in KINDS}
            lists = {kind: {key: _list_pages(lang, kind, key, members, site) for key, members in groups[kind].items()}
                     for kind in KINDS}
            programmes = _programme_links(lang, sorted(groups["programme"]), site)
            tags = _tag_links(lang, groups["tag"], site)
            return cls(lang, entries, order, groups, lists, {e.slug: _document(e, site) for e in order},
                       _home(lang, order, programmes, tags, site), _search(lang, site),
                       _every_pages(lang, tags, programmes))
        return before._replanned(entries, site)

    def _replanned(self, entries: dict[str, Entry], site: Site) -> _Lang:
        changed = [slug for slug, e in entries.items() if self.entries.get(slug) is not e]
        changed += [slug for slug in self.entries.keys() - entries.keys()]
        if not changed:
            return _Lang(self.lang, entries, self.order, self.groups, self.lists, self.docs, self.home, self.search,
                         self.every, same_pages=True, paths=self.paths)
        moved = any(slug not in entries or slug not in self.entries
                    or entries[slug].date != self.entries[slug].date for slug in changed)
        order = by_date(list(entries.values())) if moved else [entries[e.slug] for e in self.order]
        groups, lists, fresh, reshaped = dict(self.groups), dict(self.lists), set(), set()
        for kind in KINDS:
            groups[kind], lists[kind] = self._regrouped(kind, changed, entries, site, fresh, reshaped)
        docs = dict(self.docs)
        for slug in changed:
            docs.pop(slug, None)
            if slug in entries:
                docs[slug] = _document(entries[slug], site)
        programmes = _programme_links(self.lang, sorted(groups["programme"]), site)
        tags = _tag_links(self.lang, groups["tag"], site)
        home = self.home
        if not _same(home.items, order[:LATEST]) or home.data["programmes"] != programmes \
                or home.data.get("tags") != tags:
            home, fresh = _home(self.lang, order, programmes, tags, site), fresh | {("home",)}
        same = not moved and not reshaped and all(  # then only its documents' pages may have changed
            docs[s].path == self.docs[s].path
            and days.day_of(entries[s].updated, site.zone) == days.day_of(self.entries[s].updated, site.zone)
            for s in changed)
        placed = all(s in entries and s in self.docs and docs[s].path == self.docs[s].path for s in changed)
        links = {"tags": tags, "programmes": programmes}
        every = {kind: was if was.data[kind] == links[kind] else _every(self.lang, kind, links[kind])
                 for kind, was in self.every.items()}
        return _Lang(self.lang, entries, order, groups, lists, docs, home, self.search, every, fresh, same,
                     self.paths if placed else None)

    def _regrouped(self, kind: str, changed: list[str], entries: dict[str, Entry], site: Site,
                   fresh: set[tuple], reshaped: set[tuple]) -> tuple[dict, dict]:
        """A kind's lists, those showing a changed document (before or now) planned again; their pages showing
        the same entries as before stay the same objects (not `fresh`)."""
        touched = set(changed)
        keys = {key for slug in changed for e in (self.entries.get(slug), entries.get(slug)) if e
                for key in _keys(e, kind)}
        if not keys:
            return self.groups[kind], self.lists[kind]
        groups, lists = dict(self.groups[kind]), dict(self.lists[kind])
        for key in keys:
            members, at = self._members(kind, key, groups.pop(key, []), touched, entries)
            old = lists.pop(key, [])
            new = _list_pages(self.lang, kind, key, members, site, old, at) if members else []
            if len(new) != len(old):
                reshaped.add((kind, key))
            fresh.update((kind, key, n) for n in range(1, max(len(old), len(new)) + 1)
                         if n > min(len(old), len(new)) or new[n - 1] is not old[n - 1])
            if members:
                groups[key], lists[key] = members, new
        return groups, lists

    def _members(self, kind: str, key: str, before: list[Entry], touched: set[str],
                 entries: dict[str, Entry]) -> tuple[list[Entry], list[int] | None]:
        """A list's documents now, in order: where its changed documents were, when they are still in it, on the
        same date (and those places); else sorted again (None)."""
        joined = [e for slug in touched if (e := entries.get(slug)) is not None and key in _keys(e, kind)]
        stayed = all((old := self.entries.get(e.slug)) is not None and old.date == e.date
                     and key in _keys(old, kind) for e in joined)
        if stayed:
            at = [i for i, e in enumerate(before) if e.slug in touched]
            if len(at) == len(joined):
                members = list(before)
                for i in at:
                    members[i] = entries[members[i].slug]
                return members, at
        return by_date([e for e in before if e.slug not in touched] + joined), None

    def page(self, group: tuple) -> PageSpec | None:
        """This language's version of a page (`group`, see PageSpec), if it has one."""
        if group[0] in ("home", "search"):
            return self.home if group[0] == "home" else self.search
        if group[0] in self.every:
            return self.every[group[0]]
        if group[0] == "doc":
            return self.docs.get(group[1])
        pages = self.lists[group[0]].get(group[1], ())
        return pages[group[2] - 1] if group[2] <= len(pages) else None

    def list_pages(self) -> list[PageSpec]:
        return [spec for lists in self.lists.values() for specs in lists.values() for spec in specs]

    def sections(self) -> list[PageSpec]:
        """Each section's first page, in the order of their names."""
        return [self.lists["section"][key][0] for key in sorted(self.lists["section"])]

    def specs(self) -> list[PageSpec]:
        """In the order a full plan makes them: home, lists by kind and key, every tag and every programme,
        documents by date, search."""
        specs = [self.home]
        for kind in KINDS:
            for key in sorted(self.lists[kind]):
                specs += self.lists[kind][key]
        specs += self.every.values()
        docs = self.docs
        specs += [docs[e.slug] for e in self.order]
        specs.append(self.search)
        return specs


def _grouped(order: list[Entry], kind: str) -> dict[str, list[Entry]]:
    grouped: dict[str, list[Entry]] = defaultdict(list)
    for entry in order:
        for key in _keys(entry, kind):
            if not grouped[key] or grouped[key][-1] is not entry:
                grouped[key].append(entry)
    return dict(grouped)


def _search(lang: str, site: Site) -> PageSpec:
    from zaitun.publish.search import CSP, script_path

    data = {"kind": "search", "csp": CSP, "bundle": site.urls.link(layout.SEARCH_DIR + "/"),
            "script": site.urls.link(script_path())}
    return PageSpec(("search",), lang, layout.search(lang), "search.html", UI[lang]["search"], data,
                    description=UI[lang]["search"], feeds=_FEEDS[lang])


def _home(lang: str, entries: list[Entry], programmes: list[dict], tags: list[dict], site: Site) -> PageSpec:
    """The latest documents, and links to every programme and tag (`_programme_links`, `_tag_links`)."""
    data = {"programmes": programmes, "tags": tags, "kind": "home", "pager": None}
    return PageSpec(("home",), lang, layout.home(lang), "list.html", site.titles[lang], data,
                    description=site.titles[lang], feeds=[layout.feed(lang, "rss"), layout.feed(lang, "atom")],
                    listed=tuple(e.slug for e in entries[:LATEST]), items=tuple(entries[:LATEST]))


def _every_pages(lang: str, tags: list[dict], programmes: list[dict]) -> dict[str, PageSpec]:
    """The pages listing every tag (`_tag_links`) and every programme (`_programme_links`)."""
    return {"tags": _every(lang, "tags", tags), "programmes": _every(lang, "programmes", programmes)}


def _every(lang: str, kind: str, links: list[dict]) -> PageSpec:
    """The page listing every tag or programme (`kind`, "tags" or "programmes"): where a reader goes up from one."""
    title = UI[lang][kind]
    data = {"programmes": [], kind: links, "kind": kind, "pager": None}
    return PageSpec((kind,), lang, _EVERY[kind](lang), "list.html", title, data, description=title, feeds=_FEEDS[lang])


_EVERY = {"tags": layout.tags, "programmes": layout.programmes}  # the path of the page listing every one
_UP = {"tag": "tags", "programme": "programmes"}  # a list's kind -> the page listing every list of that kind


def _programme_links(lang: str, programmes: list[str], site: Site) -> list[dict]:
    return [{"href": site.urls.link(layout.programme(lang, p)), "label": programme_name(p, lang, site.tag_labels)}
            for p in programmes]


def _tag_links(lang: str, tags: dict[str, list[Entry]], site: Site) -> list[dict]:
    """Every tag's page (a list's key: tags.yaml's one label), the most used first, with how many documents it
    lists: the home page is where readers find a topic's documents without a document of it at hand."""
    links = [{"href": site.urls.link(layout.tag(lang, key)), "label": site.tag_label(key, lang), "count": len(listed)}
             for key, listed in tags.items()]
    return sorted(links, key=lambda link: (-link["count"], link["label"]))


def _list_pages(lang: str, kind: str, key: str, listed: list[Entry], site: Site,
                old: list[PageSpec] = (), at: list[int] | None = None) -> list[PageSpec]:
    """One section's, programme's or tag's list, cut into pages of `site.page_size` documents. Tags that fold
    to one page path share it, under the name of the first one shown. A page the same as in `old` (the list as
    planned before) is that very object. `at`: the only places where `listed` differs from the list `old` was
    cut from (a changed document where it was): only their pages are looked at."""
    name = key if kind != "tag" else next(t for e in listed for t in e.tags if layout.tag_key(t) == key)
    path, title, feeds = _list_target(lang, kind, name, site)
    size = site.page_size
    total = -(-len(listed) // size)
    same = len(old) == total and old[0].description == title  # the same pager, path and title
    if same and at is not None:
        specs = list(old)
        for number in sorted({i // size + 1 for i in at}):
            chunk = listed[(number - 1) * size:number * size]
            if not _same(old[number - 1].items, chunk):
                specs[number - 1] = _list_page(lang, kind, key, number, total, chunk, (path, title, feeds), site)
        return specs
    specs = []
    for number, start in enumerate(range(0, len(listed), size), start=1):
        chunk = listed[start:start + size]
        if same and _same(old[number - 1].items, chunk):
            specs.append(old[number - 1])
        else:
            specs.append(_list_page(lang, kind, key, number, total, chunk, (path, title, feeds), site))
    return specs


def _list_page(lang: str, kind: str, key: str, number: int, total: int, chunk: list[Entry],
               target: tuple[str, str, list[str]], site: Site) -> PageSpec:
    path, title, feeds = target
    data = {"programmes": [], "kind": kind, "pager": _pager(lang, path, number, total, site)}
    if kind in _UP:
        data["every"] = site.urls.link(_EVERY[_UP[kind]](lang))
    page_title = title if number == 1 else UI[lang]["page_title"].format(title=title, n=number)
    return PageSpec((kind, key, number), lang, layout.paged(path, number), "list.html", page_title, data,
                    description=title, feeds=feeds, listed=tuple(e.slug for e in chunk), items=tuple(chunk))


def _same(entries: tuple[Entry, ...], others: list[Entry] | tuple[Entry, ...]) -> bool:
    return len(entries) == len(others) and all(a is b for a, b in zip(entries, others, strict=True))


def _pager(lang: str, path: str, number: int, total: int, site: Site) -> dict | None:
    """Previous/next links of a list page; None when the list fits on one page."""
    if total == 1:
        return None

    def href(n: int) -> str | None:
        return site.urls.link(layout.paged(path, n)) if 1 <= n <= total else None

    return {"label": UI[lang]["page_of"].format(n=number, total=total), "prev": href(number - 1),
            "next": href(number + 1)}


def _list_target(lang: str, kind: str, key: str, site: Site) -> tuple[str, str, list[str]]:
    ui = UI[lang]
    if kind == "section":  # (a section's and a tag's readers subscribe to the language's feeds)
        return layout.section(lang, key), section_name(key, lang, site.tag_labels), _FEEDS[lang]
    if kind == "programme":
        feeds = [layout.feed(lang, "rss", key), layout.feed(lang, "atom", key)]
        name = programme_name(key, lang, site.tag_labels)
        return layout.programme(lang, key), ui["programme_title"].format(name=name), feeds
    return layout.tag(lang, key), ui["tag_title"].format(name=site.tag_label(key, lang)), _FEEDS[lang]


def _document(entry: Entry, site: Site) -> PageSpec:
    # (PageSpec's fields in their order, not by keyword: a plan makes 10,000 at 5,000 documents)
    return PageSpec(("doc", entry.slug), entry.lang, layout.document(entry.lang, entry.section, entry.slug),
                    "document.html", entry.title, None, entry.summary, entry, _FEEDS[entry.lang])


_FEEDS = {lang: [layout.feed(lang, "rss"), layout.feed(lang, "atom")] for lang in layout.LANGS}  # a document
# page's feeds (those of its language), one list for all: no page changes it


def document_data(entry: Entry, site: Site) -> dict:
    meta = entry.meta
    return {"kind": "document", "summary": entry.summary, "date": entry.date.isoformat(),
            "doc_number": meta.get("doc_number"), "doc_number_en": meta.get("doc_number_en"),
            "issuer": meta.get("issuer"),
            "valid_from": meta.get("valid_from"), "valid_until": meta.get("valid_until"),
            "expired": entry.is_expired(site.today),
            "validity": entry.validity(site.today, site.expiry_warning_days),
            "under_review": entry.under_review, "provenance": entry.provenance,
            "approved_on": days.day_of_text(entry.provenance.get("approved_at") or "", site.zone),
            "section": {"href": site.urls.link(layout.section(entry.lang, entry.section)),
                        "label": section_name(entry.section, entry.lang, site.tag_labels)},
            "programme": _programme_link(entry, site),
            "tags": [{"href": site.urls.link(layout.tag(entry.lang, t)), "label": site.tag_label(t, entry.lang)}
                     for t in entry.tags],
            "source_hash": entry.source_hash, "updated": entry.updated.isoformat()}


def shown_since(entry: Entry, site: Site) -> dt.datetime:
    """When an entry last changed as a feed shows it: its document's last change, or the start of the day (in
    the site's zone) its validity line last changed on ("expiring soon", "expired"), whichever is later."""
    day = _validity_since(entry, site)
    if day is None or day > site.today:
        return entry.updated
    return max(entry.updated, dt.datetime.combine(day, dt.time(), tzinfo=site.zone).astimezone(dt.UTC))


def _validity_since(entry: Entry, site: Site) -> dt.date | None:
    """The first day of the validity the entry has today (content.validity); None for one it always had."""
    state, warning = entry.validity(site.today, site.expiry_warning_days), site.expiry_warning_days
    start, until = entry.valid_from, entry.meta.get("valid_until")
    until = dt.date.fromisoformat(str(until)) if until else None
    if state == EXPIRED and until is not None:
        return until + dt.timedelta(days=1)
    if state == EXPIRING and until is not None:
        return max(filter(None, (start, until - dt.timedelta(days=warning))))
    return start if state == VALID else None


def _programme_link(entry: Entry, site: Site) -> dict | None:
    if not entry.programme:
        return None
    return {"href": site.urls.link(layout.programme(entry.lang, entry.programme)),
            "label": programme_name(entry.programme, entry.lang, site.tag_labels)}


def alternates_of(specs: list[PageSpec]) -> dict[tuple, dict[str, str]]:
    groups: dict[tuple, dict[str, str]] = defaultdict(dict)
    for spec in specs:
        groups[spec.group][spec.lang] = spec.path
    return groups


def outputs(planned: Plan, site: Site, skip: set[str] = frozenset()) -> list[Output]:
    """Turn planned pages (but those in `skip`, known unchanged) into outputs with keys, alternates and
    navigation filled in."""
    shared = {lang: _shared(lang, planned, site) for lang in layout.LANGS}
    navs = {lang: repr(s.nav) for lang, s in shared.items()}
    made = []
    for spec in planned.specs:
        if spec.path not in skip:
            versions = planned.versions(spec.group)
            made.append(_output(spec, versions, shared[spec.lang], site))
            if spec.items is not None:
                made[-1].shows = _shows(spec, versions, shared[spec.lang], navs[spec.lang])
    return made


def _shows(spec: PageSpec, versions: dict[str, str], shared: Shared, nav: str) -> tuple:
    """What a list page is made from, its documents' lines left out (they change only with their document):
    cheap to compare, where its key hashes every line."""
    return (spec.listed, design_digest(), spec.template, shared.key, nav, spec.group, spec.title, spec.description,
            tuple(spec.feeds), tuple(sorted(versions.items())), repr(spec.data))


def shared_keys(planned: Plan, site: Site) -> dict[str, str]:
    """Per language, the key of what all its pages show alike: while it holds, so do they."""
    shared = {lang: _shared(lang, planned, site) for lang in layout.LANGS}
    return {lang: key_of(design_digest(), s.key, s.nav) for lang, s in shared.items()}


@dataclass
class Shared:
    """What every page of a language shows alike: hashed once (key) instead of into every page's key."""

    context: dict
    nav: list[dict]
    key: str


def _shared(lang: str, planned: Plan, site: Site) -> Shared:
    context = common_context(lang, site)
    return Shared(context, _nav(lang, planned.langs[lang].sections(), site), key_of(context))


def _nav(lang: str, sections: list[PageSpec], site: Site) -> list[dict]:
    """Home, then each section's first page."""
    links = [{"href": site.urls.link(layout.home(lang)), "label": UI[lang]["home"], "path": layout.home(lang)}]
    links += [{"href": site.urls.link(spec.path), "label": spec.title, "path": spec.path} for spec in sections]
    return links


def alternate_links(versions: dict[str, str], site: Site, x_default: str | None = None) -> list[dict]:
    """hreflang links of a group: every existing language version plus x-default (the Chinese)."""
    links = [{"hreflang": LANGUAGES[lang], "href": site.urls.absolute(versions[lang])}
             for lang in layout.LANGS if lang in versions]
    default = x_default if x_default is not None else versions.get("zh", next(iter(versions.values())))
    links.append({"hreflang": "x-default", "href": site.urls.absolute(default)})
    return links


def _output(spec: PageSpec, versions: dict[str, str], shared: Shared, site: Site) -> Output:
    """A page's context is made when it is first needed: by a render worker in a full build (so the build's
    own process never holds every page's), by the key comparison in a rebuild."""
    made: list[tuple] = []

    def inputs() -> tuple:
        if not made:
            made.append((design_digest(), spec.template, shared.key, _page(spec, versions, shared, site)))
        return made[0]

    def render() -> bytes:
        page = inputs()[3]
        made.clear()  # the key is made before the page is rendered (workers._render_chunk): let it go
        body = spec.entry.html if spec.entry else ""
        return render_page(spec.template, shared.context | page | {"body": body})

    bodies = (spec.path,) if spec.entry else ()
    return Output(spec.path, inputs, render, bodies=bodies)


def _page(spec: PageSpec, versions: dict[str, str], shared: Shared, site: Site) -> dict:
    x_default = layout.ROOT if spec.group == ("home",) else None
    return {
        "title": spec.title, "description": spec.description,
        "data": _data(spec, site),
        "canonical": site.urls.absolute(spec.path), "alternates": alternate_links(versions, site, x_default),
        "nav": [n | {"current": n["path"] == spec.path} for n in shared.nav],
        "switch": _switch(spec, versions, site), "feeds": _feed_links(spec, site),
        "og_type": "article" if spec.entry else "website", "jsonld": _jsonld(spec, site),
    }


def _data(spec: PageSpec, site: Site) -> dict:
    """What the template shows of the page: a document's, or a list's with its documents' lines first."""
    if spec.data is None:
        return document_data(spec.entry, site)
    if spec.items is None:
        return spec.data
    return {"items": [item(e, site) for e in spec.items]} | spec.data


def common_context(lang: str, site: Site) -> dict:
    return {"lang": lang, "html_lang": LANGUAGES[lang], "ui": UI[lang], "site_title": site.titles[lang],
            "css": site.urls.link(site.css_path), "icon": site.urls.link(site.icon_path),
            "home_href": site.urls.link(layout.home(lang)), "search_href": site.urls.link(layout.search(lang))}


def _switch(spec: PageSpec, versions: dict[str, str], site: Site) -> dict | None:
    other = "en" if spec.lang == "zh" else "zh"
    if other not in versions:
        return None
    return {"href": site.urls.link(versions[other]), "hreflang": LANGUAGES[other],
            "label": UI[spec.lang]["other_language"]}


def _feed_links(spec: PageSpec, site: Site) -> list[dict]:
    ui = UI[spec.lang]
    links = []
    for path in spec.feeds:
        rss = path.endswith(layout.FEED_FILES["rss"])
        name = spec.title if spec.group[0] == "programme" else site.titles[spec.lang]
        links.append({"type": "application/rss+xml" if rss else "application/atom+xml",
                      "title": f"{name} – {ui['feed'] if rss else ui['atom']}",
                      "href": site.urls.absolute(path), "local": site.urls.link(path)})
    return links


def _jsonld(spec: PageSpec, site: Site) -> dict:
    url = site.urls.absolute(spec.path)
    if spec.entry is None:
        return {"@context": "https://schema.org", "@type": "CollectionPage", "name": spec.title, "url": url,
                "inLanguage": LANGUAGES[spec.lang]}
    entry = spec.entry
    issuer = entry.meta.get("issuer")
    publisher = {"@type": "GovernmentOrganization", "name": issuer or site.titles[entry.lang]}
    if entry.section == "guides":
        return {"@context": "https://schema.org", "@type": "GovernmentService", "name": entry.title,
                "description": entry.summary, "url": url, "provider": publisher,
                "areaServed": {"@type": "City", "name": "Quanzhou"}, "inLanguage": LANGUAGES[entry.lang]}
    return {"@context": "https://schema.org", "@type": "Article", "headline": entry.title,
            "description": entry.summary, "url": url, "datePublished": entry.date.isoformat(),
            "dateModified": shown_since(entry, site).isoformat(), "inLanguage": LANGUAGES[entry.lang],
            "publisher": publisher, "mainEntityOfPage": url}


# -- the plan of the build online, for a new process ----------------------------------------------------
def plan_saved(planned: Plan) -> tuple:
    """A plan as plain data (snapshot.py saves it beside its version): each language's documents in order, its
    lists' documents and pages, and what a plan needs of each document to see what changed (`plan_of`)."""
    saved = repr(planned.settings), [_lang_saved(lang, planned.zone) for lang in planned.langs.values()]
    _DOC_SAVED.keep_only([e for lang in planned.langs.values() for e in lang.entries.values()])
    _PAGE_SAVED.keep_only([s for lang in planned.langs.values() for s in lang.list_pages()])
    return saved


def _lang_saved(lang: _Lang, zone: dt.tzinfo) -> tuple:
    pages = {kind: {key: [_PAGE_SAVED.get(spec, _page_saved) for spec in specs] for key, specs in lists.items()}
             for kind, lists in lang.lists.items()}
    docs = dict(zip(lang.entries, _DOC_SAVED.get_all(list(lang.entries.values()), lambda e: _doc_saved(e, zone)),
                    strict=True))
    return (lang.lang, [e.slug for e in lang.order],
            {kind: {key: [e.slug for e in members] for key, members in groups.items()}
             for kind, groups in lang.groups.items()}, pages, _page_saved(lang.home), docs)


_DOC_SAVED: ByIdentity[Entry, tuple] = ByIdentity()  # made plain once per entry and list page: a process that
_PAGE_SAVED: ByIdentity[PageSpec, tuple] = ByIdentity()  # builds again keeps those of unchanged documents


def _doc_saved(entry: Entry, zone: dt.tzinfo) -> tuple:
    """The last change as the day the sitemap shows (another change that day leaves the plan as it was)."""
    return (entry.date.toordinal(), entry.section, entry.programme, entry.tags,
            days.day_of(entry.updated, zone).toordinal())


def _page_saved(spec: PageSpec) -> tuple:
    return spec.path, spec.title, spec.data, spec.description, spec.feeds, spec.listed


@dataclass(frozen=True)
class _Was:
    """A document as the plan of the build online knew it, where it changed since: what a plan compares."""

    slug: str
    date: dt.date
    section: str
    programme: str | None
    tags: list[str]
    updated: dt.datetime


def plan_of(saved: tuple | None, entries: list[Entry], site: Site, changed: set[str] | None) -> Plan | None:
    """The plan of the build online from what it saved (`plan_saved`), as if this process had made it (`plan`'s
    `before`): its documents not written since (`changed`) are these entries, the others as they were. None
    when it does not read whole or does not agree with the entries."""
    if saved is None or changed is None:
        return None
    try:
        settings, langs = saved
        if settings != repr(_settings(site)):
            return None
        now: dict[str, dict[str, Entry]] = {lang: {} for lang in layout.LANGS}
        for entry in entries:
            now[entry.lang][entry.slug] = entry
        restored = {lang[0]: _lang_of(lang, now[lang[0]], site, changed) for lang in langs}
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError):
        return None
    if set(restored) != set(layout.LANGS) or None in restored.values():
        return None
    return Plan([], _settings(site), restored, None, site.zone)


def _lang_of(saved: tuple, now: dict[str, Entry], site: Site, changed: set[str]) -> _Lang | None:
    lang, order, groups, pages, home, docs = saved
    was: dict[str, Entry] = {}
    documents: dict[str, PageSpec] = {}
    for slug, doc in docs.items():
        entry = now.get(slug)
        if entry is not None and slug not in changed:
            if _doc_saved(entry, site.zone) != doc:
                return None  # not what the build online planned: plan everything
            was[slug], documents[slug] = entry, _document(entry, site)
            _DOC_SAVED.put(entry, doc)  # as plan_saved makes it (a tuple, as marshal gives it back)
        else:
            date, section, programme, tags, updated = doc
            was[slug] = _Was(slug, dt.date.fromordinal(date), section, programme, tags,  # type: ignore[assignment]
                             days.start_of(dt.date.fromordinal(updated), site.zone))
            documents[slug] = _was_document(was[slug], lang)  # type: ignore[arg-type]
    lists = {kind: {key: [_page_of(lang, kind, key, n, page, was, site) for n, page in enumerate(specs, start=1)]
                    for key, specs in by_key.items()} for kind, by_key in pages.items()}
    if set(lists) != set(KINDS) or set(groups) != set(KINDS):
        return None
    restored = {kind: {key: [was[slug] for slug in members] for key, members in by_key.items()}
                for kind, by_key in groups.items()}
    return _Lang(lang, was, [was[slug] for slug in order], restored, lists, documents,
                 _page_of(lang, "home", "", 0, home, was, site), _search(lang, site),
                 _every_pages(lang, _tag_links(lang, restored["tag"], site),
                              _programme_links(lang, sorted(restored["programme"]), site)))


def _page_of(lang: str, kind: str, key: str, number: int, saved: tuple, was: dict, site: Site) -> PageSpec:
    path, title, data, description, feeds, listed = saved
    group = ("home",) if kind == "home" else (kind, key, number)
    spec = PageSpec(group, lang, path, "list.html", title, data, description=description, feeds=list(feeds),
                    listed=tuple(listed), items=tuple(was[slug] for slug in listed))
    _PAGE_SAVED.put(spec, saved)
    return spec


def _was_document(was: _Was, lang: str) -> PageSpec:
    """The page a document changed since had in the plan of the build online: only its path is compared."""
    return PageSpec(("doc", was.slug), lang, layout.document(lang, was.section, was.slug), "document.html", "", None)
