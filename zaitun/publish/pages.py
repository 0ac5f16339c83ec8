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

from zaitun.config import LANGUAGES
from zaitun.publish import layout
from zaitun.publish.i18n import UI, programme_name, section_name
from zaitun.publish.inputs import Entry
from zaitun.publish.render import design_digest, render_page

LATEST = 20  # documents listed on a home page


@dataclass
class Site:
    """Build-wide facts every page needs."""

    urls: layout.Urls
    titles: dict[str, str]
    today: dt.date
    css_path: str
    expiry_warning_days: int = 60  # a document this close to its valid_until is marked as expiring
    page_size: int = 20  # documents per section, programme or tag page
    tag_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # tag -> {lang: label}

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
    mark = (id(entry), site.urls.base_url, site.today)
    found = _LINES.get(mark)
    if found is None or found[0] is not entry:
        found = _LINES[mark] = (entry, _line(entry, site))
    return found[1]


_LINES: dict[tuple, tuple[Entry, dict]] = {}  # (id of an entry, base URL, date) -> (the entry, its line)


def forget_lines() -> None:
    """Let the lines made so far go (a render worker, between its chunks)."""
    _LINES.clear()


def _line(entry: Entry, site: Site) -> dict:
    return {"href": site.urls.link(layout.document(entry.lang, entry.section, entry.slug)), "title": entry.title,
            "date": entry.date.isoformat(), "summary": entry.summary, "expired": entry.is_expired(site.today),
            "section": section_name(entry.section, entry.lang)}


def plan(entries: list[Entry], site: Site) -> list[PageSpec]:
    """Every page of the site (root chooser and 404 excluded), in a stable order."""
    specs: list[PageSpec] = []
    kept = {id(e) for e in entries}
    for mark in [m for m in _LINES if m[0] not in kept]:  # lines of entries gone since
        del _LINES[mark]
    for lang in layout.LANGS:
        mine = by_date([e for e in entries if e.lang == lang])
        specs.append(_home(lang, mine, site))
        specs += _lists(lang, mine, site, "section", lambda e: [e.section])
        specs += _lists(lang, mine, site, "programme", lambda e: [e.programme] if e.programme else [])
        specs += _lists(lang, mine, site, "tag", lambda e: e.tags)
        specs += [_document(e, site) for e in mine]
        specs.append(_search(lang, site))
    return specs


def _search(lang: str, site: Site) -> PageSpec:
    from zaitun.publish.search import CSP, script_path

    data = {"kind": "search", "csp": CSP, "bundle": site.urls.link(layout.SEARCH_DIR + "/"),
            "script": site.urls.link(script_path())}
    return PageSpec(("search",), lang, layout.search(lang), "search.html", UI[lang]["search"], data,
                    description=UI[lang]["search"])


def _home(lang: str, entries: list[Entry], site: Site) -> PageSpec:
    programmes = sorted({e.programme for e in entries if e.programme})
    data = {"programmes": [{"href": site.urls.link(layout.programme(lang, p)), "label": programme_name(p, lang)}
                           for p in programmes], "kind": "home",
            "pager": None}
    return PageSpec(("home",), lang, layout.home(lang), "list.html", site.titles[lang], data,
                    description=site.titles[lang], feeds=[layout.feed(lang, "rss"), layout.feed(lang, "atom")],
                    listed=tuple(e.slug for e in entries[:LATEST]), items=tuple(entries[:LATEST]))


def _lists(lang: str, entries: list[Entry], site: Site, kind: str, keys_of) -> list[PageSpec]:
    """One list per section, programme or tag, cut into pages of `site.page_size` documents."""
    grouped: dict[str, list[Entry]] = defaultdict(list)
    names: dict[str, str] = {}  # tags that fold to one page path share it, under the first one's name
    for entry in entries:
        for key in keys_of(entry):
            group = layout.tag_key(key) if kind == "tag" else key
            names.setdefault(group, key)
            if not grouped[group] or grouped[group][-1] is not entry:
                grouped[group].append(entry)
    specs = []
    for group_key in sorted(grouped):
        path, title, feeds = _list_target(lang, kind, names[group_key], site)
        listed = grouped[group_key]
        pages = [listed[i:i + site.page_size] for i in range(0, len(listed), site.page_size)]
        for number, chunk in enumerate(pages, start=1):
            data = {"programmes": [], "kind": kind, "pager": _pager(lang, path, number, len(pages), site)}
            page_title = title if number == 1 else UI[lang]["page_title"].format(title=title, n=number)
            specs.append(PageSpec((kind, group_key, number), lang, layout.paged(path, number), "list.html",
                                  page_title, data, description=title, feeds=feeds,
                                  listed=tuple(e.slug for e in chunk), items=tuple(chunk)))
    return specs


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
    if kind == "section":
        return layout.section(lang, key), section_name(key, lang), []
    if kind == "programme":
        feeds = [layout.feed(lang, "rss", key), layout.feed(lang, "atom", key)]
        return layout.programme(lang, key), f"{ui['programme']}: {programme_name(key, lang)}", feeds
    return layout.tag(lang, key), f"{ui['tag']}: {site.tag_label(key, lang)}", []


def _document(entry: Entry, site: Site) -> PageSpec:
    return PageSpec(("doc", entry.slug), entry.lang, layout.document(entry.lang, entry.section, entry.slug),
                    "document.html", entry.title, None, description=entry.summary, entry=entry,
                    feeds=[layout.feed(entry.lang, "rss"), layout.feed(entry.lang, "atom")])


def document_data(entry: Entry, site: Site) -> dict:
    meta = entry.meta
    return {"kind": "document", "summary": entry.summary, "date": entry.date.isoformat(),
            "doc_number": meta.get("doc_number"), "doc_number_en": meta.get("doc_number_en"),
            "issuer": meta.get("issuer"),
            "valid_from": meta.get("valid_from"), "valid_until": meta.get("valid_until"),
            "expired": entry.is_expired(site.today), "in_force": entry.is_in_force(site.today),
            "expiring": entry.is_expiring(site.today, site.expiry_warning_days),
            "under_review": entry.under_review, "provenance": entry.provenance,
            "section": {"href": site.urls.link(layout.section(entry.lang, entry.section)),
                        "label": section_name(entry.section, entry.lang)},
            "programme": _programme_link(entry, site),
            "tags": [{"href": site.urls.link(layout.tag(entry.lang, t)), "label": site.tag_label(t, entry.lang)}
                     for t in entry.tags],
            "source_hash": entry.source_hash, "updated": entry.updated.isoformat()}


def _programme_link(entry: Entry, site: Site) -> dict | None:
    if not entry.programme:
        return None
    return {"href": site.urls.link(layout.programme(entry.lang, entry.programme)),
            "label": programme_name(entry.programme, entry.lang)}


def alternates_of(specs: list[PageSpec]) -> dict[tuple, dict[str, str]]:
    groups: dict[tuple, dict[str, str]] = defaultdict(dict)
    for spec in specs:
        groups[spec.group][spec.lang] = spec.path
    return groups


def outputs(specs: list[PageSpec], site: Site, skip: set[str] = frozenset()) -> list[Output]:
    """Turn planned pages (but those in `skip`, known unchanged) into outputs with keys, alternates and
    navigation filled in."""
    groups = alternates_of(specs)
    shared = {lang: _shared(lang, specs, site) for lang in layout.LANGS}
    navs = {lang: repr(s.nav) for lang, s in shared.items()}
    made = []
    for spec in specs:
        if spec.path not in skip:
            made.append(_output(spec, groups[spec.group], shared[spec.lang], site))
            if spec.items is not None:
                made[-1].shows = _shows(spec, groups[spec.group], shared[spec.lang], navs[spec.lang])
    return made


def _shows(spec: PageSpec, versions: dict[str, str], shared: Shared, nav: str) -> tuple:
    """What a list page is made from, its documents' lines left out (they change only with their document):
    cheap to compare, where its key hashes every line."""
    return (spec.listed, design_digest(), spec.template, shared.key, nav, spec.group, spec.title, spec.description,
            tuple(spec.feeds), tuple(sorted(versions.items())), repr(spec.data))


def shared_keys(specs: list[PageSpec], site: Site) -> dict[str, str]:
    """Per language, the key of what all its pages show alike: while it holds, so do they."""
    shared = {lang: _shared(lang, specs, site) for lang in layout.LANGS}
    return {lang: key_of(design_digest(), s.key, s.nav) for lang, s in shared.items()}


@dataclass
class Shared:
    """What every page of a language shows alike: hashed once (key) instead of into every page's key."""

    context: dict
    nav: list[dict]
    key: str


def _shared(lang: str, specs: list[PageSpec], site: Site) -> Shared:
    context = common_context(lang, site)
    return Shared(context, _nav(lang, specs, site), key_of(context))


def _nav(lang: str, specs: list[PageSpec], site: Site) -> list[dict]:
    links = [{"href": site.urls.link(layout.home(lang)), "label": UI[lang]["home"], "path": layout.home(lang)}]
    for spec in specs:
        if spec.lang == lang and spec.group[0] == "section" and spec.group[2] == 1:  # a section's first page
            links.append({"href": site.urls.link(spec.path), "label": spec.title, "path": spec.path})
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
            "css": site.urls.link(site.css_path), "home_href": site.urls.link(layout.home(lang)),
            "search_href": site.urls.link(layout.search(lang))}


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
            "dateModified": entry.updated.isoformat(), "inLanguage": LANGUAGES[entry.lang],
            "publisher": publisher, "mainEntityOfPage": url}
