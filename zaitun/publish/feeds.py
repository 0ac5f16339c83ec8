"""RSS 2.0 and Atom feeds with feedgen: per language, and per programme per language.

Entry ids are the canonical page URL; a page that moved (its file renamed or moved to another section)
keeps the URL it first had (redirects.py), so feed readers see an update, not a new item. A feed's id is
its own URL; with `publish.websub_hub` set, each feed names the hub beside itself (WebSub discovery: a
reader subscribes there, and the ping after each build reaches it). Feeds carry the newest FEED_LIMIT
documents with their full content, its links and images made absolute URLs of the page: a feed reader
resolves a relative one against the feed, or not at all. A feed is dated by the latest change of what it shows:
an entry's (its validity line's too), or a document leaving it (withdrawn, its English taken offline: the
store's times; a withdrawn one leaves its language's feeds and its programme's; one moved to another
programme leaves its old programme's feeds, a date the site's summary keeps: see programmes_left); an empty one
by its programme's, else the site's, last change in Chinese, never a made-up date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import re
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from zaitun.config import LANGUAGES
from zaitun.content.schema import tag_key
from zaitun.publish import layout
from zaitun.publish.i18n import UI, programme_name
from zaitun.publish.inputs import Entry, departures
from zaitun.publish.memo import ByIdentity
from zaitun.publish.pages import Output, Plan, Site, shown_since
from zaitun.publish.render import design_digest

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

FEED_LIMIT = 50
_UPDATED = operator.attrgetter("updated")
ATOM_NS = "http://www.w3.org/2005/Atom"
_LINK = re.compile(r'(\s(?:href|src)=")([^"]*)"')  # as the Markdown renderer writes them: always in ""


@lru_cache(maxsize=1)
def feeds_version() -> str:
    """Changes with this module, so feeds written by an older one are written again."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def entry_id(entry: Entry, site: Site) -> str:
    first = site.feed_ids.get((entry.lang, entry.slug)) if site.feed_ids else None
    return site.urls.absolute(first or layout.document(entry.lang, entry.section, entry.slug))


def feed_outputs(planned: Plan, site: Site, moved_out: dict[tuple[str, str], dt.datetime] | None = None
                 ) -> list[Output]:
    """Both feed formats for each language and for each programme in each language (their documents as the
    pages were planned: newest first). A programme with Chinese documents online has its feeds in both
    languages, the English empty while none of its English is: a feed reader drops a feed that is gone.
    `moved_out`: (lang, programme) -> when a document last moved out of it (programmes_left)."""
    chinese = planned.programmes("zh")
    site_changed = max(map(_UPDATED, planned.newest("zh")), default=None)
    feeds = []  # (lang, programme, the entries it shows, their date)
    for lang in layout.LANGS:
        feeds.append((lang, None, *_shown(planned.newest(lang), site_changed, site)))
        programmes = planned.programmes(lang)
        for programme in sorted(set(chinese) | set(programmes)):
            changed = max(map(_UPDATED, chinese.get(programme, [])), default=site_changed)
            feeds.append((lang, programme, *_shown(programmes.get(programme, []), changed, site)))
    left = _left(planned, min(when for *_, when in feeds), bool(chinese))
    outputs: list[Output] = []
    for lang, programme, chosen, when in feeds:
        moved = [moved_out[lang, programme]] if programme and moved_out and (lang, programme) in moved_out else []
        outputs += _pair(lang, programme, chosen, site, max([when, *left.get((lang, programme), []), *moved]))
    _FACTS.keep_only([e for *_, chosen, _when in feeds for e in chosen])
    return outputs


def programmes_left(entries: list[Entry], before: dict, changed: set[str] | None,
                    kept: dict[str, str]) -> dict[tuple[str, str], dt.datetime]:
    """(lang, programme) -> when a document last left that programme's feeds for another programme (or none):
    its Chinese change's time, for its English feeds too if its English was online. `before` is the manifest's
    records of the build online (their front matter), `changed` the documents changed since (None: any), `kept`
    the dates earlier builds saw (left_saved): the store forgets a document's old programme, the site may not."""
    moved: dict[tuple[str, str], dt.datetime] = {}
    for key, at in kept.items() if isinstance(kept, dict) else ():
        lang, _, programme = str(key).partition(" ")
        try:
            when = dt.datetime.fromisoformat(at)
        except (TypeError, ValueError):  # a summary not as a build wrote it: that date is forgotten, not a crash
            continue
        if lang in layout.LANGS and programme and when.tzinfo is not None:
            moved[lang, programme] = when
    for entry in entries:
        if entry.lang != "zh" or (changed is not None and entry.slug not in changed):
            continue
        record = before.get(entry.slug) or {}
        old = (record.get("meta") or {}).get("programme")
        if not old or old == entry.programme:
            continue
        for lang in ("zh", "en") if record.get("en") else ("zh",):
            moved[lang, old] = max(filter(None, (moved.get((lang, old)), entry.updated)))
    return moved


def left_saved(moved: dict[tuple[str, str], dt.datetime], files: dict) -> dict[str, str]:
    """The dates of programmes_left worth keeping: those of feeds the site still has."""
    return {f"{lang} {programme}": at.isoformat() for (lang, programme), at in sorted(moved.items())
            if layout.feed(lang, "atom", programme) in files}


def _shown(entries: list[Entry], changed: dt.datetime | None, site: Site) -> tuple[list[Entry], dt.datetime]:
    """The entries a feed shows and their date: the latest change of one of them as shown; an empty feed's, its
    programme's (else the site's) last change in Chinese, or the day of the build without any."""
    chosen = entries[:FEED_LIMIT]
    empty = changed or dt.datetime.combine(site.today, dt.time(), tzinfo=dt.UTC)
    return chosen, max((shown_since(e, site) for e in chosen), default=empty)


def _left(planned: Plan, since: dt.datetime, programmes: bool) -> dict[tuple[str, str | None], list[dt.datetime]]:
    """(lang, programme or None for the language's feeds) -> when documents left those feeds after `since` (the
    oldest feed's date: one that left before dates none), withdrawn or their English taken offline."""
    departed = departures(since, programmes)
    if not any(departed.values()):  # (most builds: no document's entry is looked at)
        return {}
    of = {e.slug: e.programme for e in planned.newest("zh")}  # a document whose English went offline is online
    # in Chinese: its programme is its Chinese entry's
    left: dict[tuple[str, str | None], list[dt.datetime]] = {}
    for lang, gone in departed.items():
        for slug, (at, shown) in gone.items():
            left.setdefault((lang, None), []).append(at)
            if programme := shown or of.get(slug):
                left.setdefault((lang, programme), []).append(at)
    return left


def _pair(lang: str, programme: str | None, chosen: list[Entry], site: Site, when: dt.datetime) -> list[Output]:
    settings = (site.today, site.expiry_warning_days, site.urls.base_url, site.tag_labels, site.same_tags)
    facts = [_FACTS.get(e, lambda e: _facts(e, site), (settings, site.feed_ids.get((e.lang, e.slug))))
             for e in chosen]
    bodies = tuple(layout.document(e.lang, e.section, e.slug) for e in chosen)
    outputs = []
    for kind in ("rss", "atom"):
        path = layout.feed(lang, kind, programme)
        inputs = (design_digest(), feeds_version(), path, site.urls.base_url, site.websub_hub, site.titles[lang],
                  when.isoformat(), str(site.zone), facts)  # (the zone says when a validity changed)
        outputs.append(Output(path, inputs, _renderer(kind, lang, programme, chosen, site, when), kind="feed",
                              bodies=bodies))
    return outputs


def _facts(e: Entry, site: Site) -> tuple:
    """What a feed shows of an entry (the validity line changes with the date)."""
    return (e.slug, e.title, e.summary, e.source_hash, e.updated.isoformat(), e.date.isoformat(),
            validity_line(e, site), e.under_review, repr(categories(e, site)), *_moved_from(e, site))


_FACTS: ByIdentity[Entry, tuple] = ByIdentity()  # made once per entry for the same day, labels and moves: a
# process that builds again makes them only for the changed documents of the 20 feeds' 1,000 entries


def _moved_from(entry: Entry, site: Site) -> tuple[str, ...]:
    """A moved document's first page (its entries' id), as a feed's inputs hold it; none for the others."""
    first = site.feed_ids.get((entry.lang, entry.slug)) if site.feed_ids else None
    return (first,) if first else ()


def _renderer(kind: str, lang: str, programme: str | None, entries: list[Entry], site: Site, when: dt.datetime):
    def render() -> bytes:
        gen = _generator(kind, lang, programme, entries, site, when)
        for entry in reversed(entries):  # feedgen prepends: add oldest first to list newest first
            _add(gen, entry, site, kind)
        return gen.rss_str(pretty=True) if kind == "rss" else gen.atom_str(pretty=True)
    return render


def _generator(kind: str, lang: str, programme: str | None, entries: list[Entry], site: Site,
               when: dt.datetime) -> FeedGenerator:
    title = site.titles[lang]
    if programme:
        title = f"{title} – {UI[lang]['programme_title'].format(name=programme_name(programme, lang, site.tag_labels))}"
        home = layout.programme(lang, programme) if entries else layout.home(lang)  # no page without them
    else:
        home = layout.home(lang)
    from feedgen.feed import FeedGenerator  # here: a build whose feeds are unchanged never loads it (0.01 s)

    self_url = site.urls.absolute(layout.feed(lang, kind, programme))
    gen = FeedGenerator()
    gen.id(self_url)
    gen.title(title)
    gen.subtitle(title)
    gen.language(LANGUAGES[lang])
    gen.link(href=self_url, rel="self")
    if site.websub_hub:
        gen.link(href=site.websub_hub, rel="hub")  # Atom's; RSS's is written by _RssHub
        gen.register_extension("websub", _RssHub, atom=False)
        gen.websub.hub = site.websub_hub
    gen.link(href=site.urls.absolute(home), rel="alternate")  # the last link is RSS's <link>
    gen.author({"name": site.titles[lang]})
    gen.updated(when)
    gen.lastBuildDate(when)
    return gen


class _RssHub:
    """feedgen writes only the self link of an RSS channel: the hub's atom:link follows it."""

    hub = ""

    def extend_ns(self) -> dict[str, str]:
        return {"atom": ATOM_NS}

    def extend_rss(self, rss) -> None:
        channel = rss.find("channel")
        link = channel.makeelement(f"{{{ATOM_NS}}}link", {"href": self.hub, "rel": "hub"})
        channel.insert(channel.index(channel.find(f"{{{ATOM_NS}}}link")) + 1, link)


def _add(gen: FeedGenerator, entry: Entry, site: Site, kind: str) -> None:
    url, id_ = site.urls.absolute(layout.document(entry.lang, entry.section, entry.slug)), entry_id(entry, site)
    item = gen.add_entry()
    item.id(id_)
    item.guid(id_, permalink=id_ == url)  # a moved page's first URL leads to it, but is not where it is
    item.title(entry.title)
    item.link(href=url)
    item.published(published(entry.date, site.zone, entry.updated))
    item.updated(shown_since(entry, site))
    validity = validity_line(entry, site)
    summary = entry.summary
    if validity:
        summary = (f"{summary}（{validity}）" if entry.lang == "zh" else f"{summary} ({validity})").strip()
    if summary:
        item.summary(summary)  # Atom's is text
        if kind == "rss":  # RSS's description is HTML to a reader: a summary's "<b>" or "&lt;" is text
            item.description(escape(summary, quote=False), isSummary=True)
    for category in categories(entry, site):
        item.category(category)
    review = f"<p>{escape(UI['en']['under_review'])}</p>\n" if entry.under_review else ""  # as the page says
    html = review + (f"<p>{escape(validity)}</p>\n" if validity else "") + absolute_links(str(entry.html), url)
    # RSS readers expect content:encoded as CDATA; Atom wants escaped text of type html
    item.content(html, type="CDATA" if kind == "rss" else "html")


def categories(entry: Entry, site: Site) -> list[dict[str, str]]:
    """An entry's programme and tags as feed categories, named as its page names them (tags.yaml's labels, a
    name held back for a forbidden rendering as the page shows it instead): a feed reader can sort and filter
    by them. The scheme names the language's programmes or tags (where their pages are); RSS names each by its
    label."""
    found = []
    if entry.programme:
        found.append({"term": entry.programme, "label": programme_name(entry.programme, entry.lang, site.tag_labels),
                      "scheme": site.urls.absolute(layout.home(entry.lang) + "programmes/")})
    for tag in entry.tags:
        found.append({"term": tag_key(tag), "label": site.tag_label(tag, entry.lang),
                      "scheme": site.urls.absolute(layout.home(entry.lang) + "tags/")})
    return found


def published(day: dt.date, zone: dt.tzinfo, changed: dt.datetime) -> dt.datetime:
    """An instant within `day` both in the site's zone and in UTC, which feed readers convert to: the later
    of the two midnights (midnight UTC is 08:00 in Quanzhou, whose own midnight is the day before in UTC;
    midnight in New York is 05:00 UTC, when midnight UTC is the evening before there). But never later than
    the entry's last change (`changed`): a document dated today in Quanzhou goes online before midnight UTC,
    and an item is never dated in the future nor published after it was updated; nor earlier than midnight in
    the site's zone (a document taken in before its day goes online on it)."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    later = max(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC), local)
    return max(local, min(later, changed)).astimezone(dt.UTC)


def absolute_links(html: str, page_url: str) -> str:
    """The body HTML of a page with each link and image made absolute against the page's URL (a fragment
    `#heading` names that page's heading, an external URL stays as it is)."""
    return _LINK.sub(lambda m: f'{m.group(1)}{urljoin(page_url, m.group(2))}"' if m.group(2) else m.group(0), html)


def validity_line(entry: Entry, site: Site) -> str:
    """`Status: In force, expiring soon · Valid from 2024-12-20 · Valid until 2026-12-31`, as the page says it
    (the English dates as approved); "" for a document without validity."""
    state = entry.validity(site.today, site.expiry_warning_days)
    if not state:
        return ""
    ui, sep = UI[entry.lang], "：" if entry.lang == "zh" else ": "
    dates = [f"{ui[key]} {entry.meta[key]}" for key in ("valid_from", "valid_until") if entry.meta.get(key)]
    return " · ".join([f"{ui['validity']}{sep}{ui[state]}", *dates])
