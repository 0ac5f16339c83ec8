"""What the publisher reads from the store: one `Entry` per document and language.

Chinese entries come from the current content (drafts skipped); English entries only from
the document's last release, so never-approved English is never published (nor English a reviewer
rejected since: its release is retracted, and the store gives no release of that document); a release
holding a forbidden rendering (screen.py) is not: the English released before stays if it passes. Parsing
front matter is the slow part of a rebuild, so parsed metadata is cached by the file's hash, and each
release's English facts with the glossary version they were screened against (read again when the glossary
changed).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from zaitun.content.markdown import file_references
from zaitun.content.model import FACT_FIELDS, check_section, content_source, parse_meta, split_front_matter
from zaitun.content.schema import KEYS, distinct
from zaitun.content.validity import EXPIRED, NOT_YET, validity_on
from zaitun.errors import ContentError, LocatedError, PublishError
from zaitun.publish import bodies
from zaitun.publish.memo import not_the_same
from zaitun.publish.render import body_html
from zaitun.state.digest import sha

if TYPE_CHECKING:  # the Store, or a SQLite file's reads (zaitun.state.reads): no SQLAlchemy loaded for them
    from zaitun.publish.screen import Screen
    from zaitun.state.lazy import LazyStore
    from zaitun.state.reads import Reads
    from zaitun.state.store import Store

META_KEYS = tuple(KEYS)


@dataclass(slots=True)
class Entry:
    """One document in one language, as the site, feeds and social posts need it."""

    slug: str
    section: str
    lang: str
    title: str
    summary: str
    social: str
    date: dt.date
    updated: dt.datetime
    meta: dict  # front matter (programme, tags...); for en, the released facts (see released_facts)
    source_hash: str  # hash of the Chinese file (zh) or of the release payload (en)
    provenance: dict = field(default_factory=dict)
    under_review: bool = False  # en only: the Chinese changed since this English was approved
    source: str = ""  # the Chinese file under content/ (guides/a.md): relative file links resolve from it
    file_links: dict[str, str] = field(default_factory=dict, repr=False)  # file link -> published href
    refs: list[str] | None = None  # the relative file links of its body (see media.py)
    release_id: int | None = None  # en: the release its body is read from
    _body: str | None = None
    _html: Markup | None = field(default=None, repr=False)  # a body given as HTML (a page held back as online)
    file: str = ""  # zh: the stored file's path (its body is cut from the stored file when rendered)

    @property
    def programme(self) -> str | None:
        return self.meta.get("programme")

    @property
    def tags(self) -> list[str]:
        """Its tags, each written as another's Chinese label read as that tag (`use_same_tags`)."""
        tags = self.meta.get("tags") or []
        if not _SAME or not any(tag in _SAME for tag in tags):
            return list(tags)
        return distinct([_SAME.get(tag, tag) for tag in tags])

    @property
    def body(self) -> str:
        """Markdown body, read from the store when it is to be rendered (load_bodies), not held by the entry."""
        if self._body is not None:
            return self._body
        if (self.lang, self.slug) not in _SOURCES.loaded:
            _SOURCES.read([self])
        try:
            return _SOURCES.loaded[self.lang, self.slug]
        except KeyError:
            raise PublishError(f"the text of {self.slug} ({self.lang}) is no longer in the store") from None

    def raw_file(self) -> str:
        """The stored Chinese file of a zh entry (to find a line in it); "" for English."""
        if self.lang != "zh" or _SOURCES.store is None:
            return ""
        return _SOURCES.store.raws([self.slug]).get(self.slug, "")

    @property
    def html(self) -> Markup:
        """The body as HTML, parsed once and shared by the page and the feeds (see bodies)."""
        if self._html is not None:
            return self._html
        return bodies.html(self.body_key, self._render)

    @property
    def body_key(self) -> str:
        return bodies.key_of(self.lang, self.source_hash, self.file_links)

    def _render(self) -> Markup:
        return body_html(self.body, self.file_links.get if self.file_links else None)

    def validity(self, today: dt.date, warning_days: int = 0) -> str:
        """What the page, lists and feeds say of it (content.validity): expired, not_yet, expiring, valid or ""."""
        return validity_on(self.valid_from, _date(self.meta.get("valid_until")), today, warning_days)

    def is_expired(self, today: dt.date) -> bool:
        return self.validity(today) == EXPIRED

    def is_in_force(self, today: dt.date) -> bool:
        return self.validity(today) != NOT_YET

    @property
    def valid_from(self) -> dt.date | None:
        return _date(self.meta.get("valid_from"))


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _jsonable_meta(meta: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in meta.items() if k in META_KEYS}


def latest_releases(store: Store | LazyStore, lang: str = "en") -> dict[str, dict]:
    """The newest release of every document in one query (a per-slug query is too slow at 1,000 docs)."""
    return store.latest_releases(lang)


def _meta_of(row: dict, cache: dict, raw: str | None) -> dict:
    """A document's front matter (and its file links, for media.py) from the cache, or parsed from `raw`,
    its stored file, read only when the file changed since the build that filled the cache."""
    cached = cache.get(row["slug"])
    if not _stale(row, cache):
        return cached["meta"]
    yaml_text, body, _ = split_front_matter(raw, Path(row["path"]))
    meta = _jsonable_meta(parse_meta(yaml_text, Path(row["path"])))  # checked again: the file may predate a rule
    cache[row["slug"]] = {"raw_hash": row["raw_hash"], "meta": meta, "refs": _refs(body)}
    return meta


def _stale(row: dict, cache: dict) -> bool:
    cached = cache.get(row["slug"])
    return not cached or cached["raw_hash"] != row["raw_hash"] or "refs" not in cached


def _refs(body: str) -> list[str]:
    """The relative file links of a body (media.py publishes the files they point at)."""
    return [ref.target for ref in file_references(body)]


def _aware(value: dt.datetime) -> dt.datetime:
    """A naive time from the store as UTC (combine: a third of replace's time, made 10,000 times a build)."""
    return value if value.tzinfo else dt.datetime.combine(value.date(), value.time(), dt.UTC)


def _iso(value: dt.datetime) -> str:
    """`_aware(value).isoformat()`, in half its time."""
    return value.isoformat() + "+00:00" if value.tzinfo is None else value.isoformat()


_SAME: dict[str, str] = {}  # the build's tags written as another's Chinese label -> that tag (tags.yaml)


def use_same_tags(same: dict[str, str]) -> None:
    """Read the tags of every entry with these tags as those (a build's, from tags.yaml: content.tags.same_tags)."""
    _SAME.clear()
    _SAME.update(same)


BATCH = 500  # documents whose files are read (when changed) at once: the build never holds them all


def collect(store: Reads, cache: dict, problems: dict[str, LocatedError] | None = None,
            heads: tuple[list[dict], dict[str, dict]] | None = None, screen: Screen | None = None) -> list[Entry]:
    """Entries of every active, non-draft document: Chinese always, English where released.

    Files and release payloads are read only for documents changed since the build that filled `cache`
    (the manifest's docs), a batch at a time; bodies are read again when rendered (see `load_bodies`).
    A stored file that no longer reads (it passed intake, so this is rare) is left out and
    reported in `problems` (slug -> error) instead of stopping the whole site, whatever it raises.
    `heads`: the documents' and releases' heads when read already (zaitun.state.heads). `screen` checks
    each release read anew, and every one once the glossary changed, for forbidden renderings and records
    the documents whose English it holds back.
    """
    _SOURCES.use(store)
    rows, released = heads or (store.document_heads(status="active"), store.release_heads("en"))
    slugs = list(map(_SLUG, rows))
    if sum(map(cache.__contains__, slugs)) < len(cache):  # a document gone since: its record too
        for gone in cache.keys() - set(slugs):
            del cache[gone]
    screened = screen.version if screen is not None else None  # the glossary's: cached English screened since
    found = _unchanged(rows, released, cache, screened)
    if found is None:
        found = {row["slug"]: made for row in rows
                 if (made := _made(row, released.get(row["slug"]), cache, screened)) is not None}
    retried: set[str] = set()
    todo = [row for row in rows if row["slug"] not in found]
    for start in range(0, len(todo), BATCH):
        part = todo[start:start + BATCH]
        stamps = {slug: release_stamp(released[slug]) for slug in (row["slug"] for row in part) if slug in released}
        stale = {row["slug"] for row in part if _stale(row, cache)}
        stale |= {slug for slug, stamp in stamps.items()
                  if slug not in stale and _en_stale(cache[slug], stamp, screened)}
        raws = store.raws(sorted(stale))
        payloads = store.payloads([released[slug]["id"] for slug in sorted(stale) if slug in released]
                                  + _shown_to_screen(stale, cache, stamps, screened))
        for row in part:
            slug, release = row["slug"], released.get(row["slug"])
            found[slug] = _entries(row, cache, raws.get(slug), release, payloads, problems, slug in stale,
                                   stamps.get(slug), screen)
            if (not problems or slug not in problems) and (screen is None or slug not in screen.held):
                # one held is tried, and reported, again
                _MADE[slug] = (row, release, cache.get(slug), screened, found[slug])
            else:
                retried.add(slug)
    if len(_MADE) > len(found):
        for gone in set(_MADE) - found.keys():
            del _MADE[gone]
    _COLLECTED[:] = [list(rows), dict(released), dict(cache), screened, found, retried]
    return list(itertools.chain.from_iterable(map(found.__getitem__, slugs)))


def _unchanged(rows: list[dict], released: dict[str, dict], cache: dict, screened: str | None
               ) -> dict[str, list[Entry]] | None:
    """The entries the last collect made (or found made) of the rows, releases and cached records that are the
    very objects it left, for the same glossary, but those it left out or held back (tried again): a process
    that builds again looks at the few others one by one, not at every document (None: not known)."""
    if not _COLLECTED:
        return None
    rows_then, released_then, cache_then, screened_then, found, retried = _COLLECTED
    if screened_then != screened or len(rows_then) != len(rows):
        return None
    differ = [(was["slug"], row["slug"]) for was, row in zip(rows_then, rows, strict=True) if was is not row]
    if any(was != slug for was, slug in differ):
        return None
    stale = {slug for slug, _ in differ} | retried
    stale.update(not_the_same(released, released_then))
    stale.update(not_the_same(cache, cache_then))
    unchanged = dict(found)
    for slug in stale:
        unchanged.pop(slug, None)
    for row in rows:  # (the few stale) as the last collect would have found them made
        if row["slug"] in stale and (made := _made(row, released.get(row["slug"]), cache, screened)) is not None:
            unchanged[row["slug"]] = made
    return unchanged


_SLUG = itemgetter("slug")
_COLLECTED: list = []  # the rows, releases and cached records the last collect left (copies of the lists),
# the glossary version it screened against, the entries it found of each document and those it left out or
# held back


_MADE: dict[str, tuple] = {}  # slug -> the row, release and cached record the last collect made its entries of,
# the glossary version their English was screened against, and those entries: a process that builds again
# (`zaitun up`) makes only those of documents whose rows changed, unless the glossary changed


def _made(row: dict, release: dict | None, cache: dict, screened: str | None) -> list[Entry] | None:
    """A document's entries as the last collect made them, if they were made of the same row, release and
    cached record (the very same objects, as zaitun.state.heads keeps them, or equal ones) and screened
    against the same glossary."""
    known = _MADE.get(row["slug"])
    if known is None:
        return None
    old_row, old_release, old_cached, old_screened, entries = known
    cached = cache.get(row["slug"])
    if (old_row is row or old_row == row) and (old_release is release or old_release == release) \
            and (old_cached is cached or old_cached == cached) and old_screened == screened:
        return entries
    return None


def _shown_to_screen(slugs: set[str], cache: dict, stamps: dict[str, str], screened: str | None) -> list[int]:
    """The releases of the English the cache shows of these documents that would stay online should their
    newer release be held back, but were screened against another glossary: checked again before they stay."""
    ids = []
    for slug in sorted(slugs):
        shown = (cache.get(slug) or {}).get("en")
        if shown and slug in stamps and shown["stamp"] != stamps[slug] and shown.get("screened") != screened:
            ids.append(_release_of(shown)["id"])
    return ids


def _entries(row: dict, cache: dict, raw: str | None, release: dict | None, payloads: dict[int, str],
             problems: dict[str, LocatedError] | None, stale: bool = True, stamp: str | None = None,
             screen: Screen | None = None) -> list[Entry]:
    """A document's entries; `stale`: its file or release changed since the cache was filled (when not,
    the cached English facts are its release's, as collect found; `stamp`: the release's, made already)."""
    shown = (cache.get(row["slug"]) or {}).get("en")  # the English of the build that filled the cache
    screened = screen.version if screen is not None else None
    try:
        check_section(row["path"], row["section"])  # stored before the name was reserved
        meta = _meta_of(row, cache, raw) if stale else cache[row["slug"]]["meta"]
        date = _date(meta["date"])
    except Exception as exc:  # the document's boundary
        if problems is not None:
            why, line = (exc.message, exc.line) if isinstance(exc, LocatedError) else (
                f"{exc.__class__.__name__}: {exc}", 1)
            problems[row["slug"]] = ContentError(row["path"], f"left out of the site: {why}", line)
        return []
    if meta.get("draft"):
        return []
    if release is None and shown:  # its English is offline (retracted: Store.release_heads) since that build
        cache[row["slug"]] = {k: v for k, v in cache[row["slug"]].items() if k != "en"}
    en = None
    if release is not None:
        cached, stamp = cache[row["slug"]], stamp or release_stamp(release)
        if stale and "en" not in cached and shown and not _en_stale({"en": shown}, stamp, screened):
            cache[row["slug"]] = cached = cached | {"en": shown}  # only the Chinese changed: screened already
        elif stale and _en_stale(cached, stamp, screened):
            payload = json.loads(payloads[release["id"]])
            found = screen.found(raw or "", payload) if screen is not None else []
            if found:  # neither online nor cached: the next build checks it again
                kept = _passing(shown, stamp, raw or "", payloads, screen)  # the English shown, if it passes
                release = _release_of(kept) if kept else None
                screen.hold(row, raw or "", found, kept=release is not None, payload=payload)
                cache[row["slug"]] = cached = {k: v for k, v in cached.items() if k != "en"} | (
                    {"en": kept} if kept else {})
                return entries_of(row, meta, release, kept, cached["refs"], date)
            en = release_facts(release, payloads[release["id"]], payload) | {"screened": screened}
            cache[row["slug"]] = cached = cached | {"en": en}
        en = cached["en"]
    return entries_of(row, meta, release, en, cache[row["slug"]]["refs"], date)


def _en_stale(cached: dict, stamp: str, screened: str | None) -> bool:
    """The cached English facts are not this release's, or were screened against another glossary (or
    cached before releases were screened)."""
    en = cached.get("en") or {}
    return en.get("stamp") != stamp or en.get("screened") != screened


def _passing(shown: dict | None, stamp: str, raw: str, payloads: dict[int, str], screen: Screen) -> dict | None:
    """The English shown by the build that filled the cache, if it is of another release than the one held
    back (`stamp`) and free of forbidden renderings as the glossary is now (checked again if it changed)."""
    if not shown or shown["stamp"] == stamp:
        return None
    if shown.get("screened") != screen.version:
        payload = payloads.get(_release_of(shown)["id"])
        if payload is None or screen.found(raw, json.loads(payload)):
            return None
    return shown | {"screened": screen.version}


def release_stamp(release: dict) -> str:
    """A release as the cache knows it: its id alone could name another release in a store made anew."""
    return f"{release['id']} {release['raw_hash']} {_iso(release['created_at'])}"


def _release_of(en: dict) -> dict:
    """The head of the release cached English facts were made of (their stamp), to show it again."""
    id_, raw_hash, created_at = en["stamp"].split(" ", 2)
    return {"id": int(id_), "raw_hash": raw_hash, "created_at": dt.datetime.fromisoformat(created_at)}


def release_facts(release: dict, payload: str, data: dict | None = None) -> dict:
    """What the English entry needs from a release's payload (`data`: parsed already), kept in the manifest's
    docs: all but the body, which is read again only to be rendered."""
    data = json.loads(payload) if data is None else data
    meta = data.get("meta") or {}
    kept = {"stamp": release_stamp(release), "hash": sha(payload),
            "provenance": _utc_approval(data.get("provenance") or {}),
            "meta": {k: meta.get(k) or "" for k in ("title", "summary", "social")},
            "refs": _refs(data.get("body") or "")}
    return kept | {k: data[k] for k in ("facts", "date", "tags", "programme") if k in data}


def _utc_approval(provenance: dict) -> dict:
    """A release's provenance with its `approved_at` given its UTC offset: the store wrote it without. Made so
    once per release (release_facts, kept in the manifest's docs); records cached before are mended as read."""
    at = provenance.get("approved_at")
    if not at or at.endswith("+00:00"):
        return provenance
    return provenance | {"approved_at": _iso(dt.datetime.fromisoformat(at))}


def entries_of(row: dict, meta: dict, release: dict | None, en: dict | None = None,
               refs: list[str] | None = None, date: dt.date | None = None) -> list[Entry]:
    """A document's entries from its stored row and front matter: Chinese, and English when released
    (`en`: its `release_facts`, and `refs`: the Chinese body's file links, made from the row's file and the
    release's payload when not given; `date`: its front matter's, read already)."""
    if release is not None and en is None:
        en = release_facts(release, release["payload"])
    if refs is None:
        refs = _refs(split_front_matter(row["raw"], Path(row["path"]))[1])
    source, date = content_source(row["section"], row["path"]), date or _date(meta["date"])
    zh = _zh_entry(row, meta, refs, source, date)
    return [zh] if release is None else [zh, _en_entry(row, meta, release, en, source, date)]


def _zh_entry(row: dict, meta: dict, refs: list[str], source: str, date: dt.date) -> Entry:
    # (Entry's first fields given in their order: a new process makes 10,000 entries, keywords cost twice the time)
    return Entry(row["slug"], row["section"], "zh", meta["title"], meta.get("summary") or "", meta.get("social") or "",
                 date, _aware(row["updated_at"]), meta, row["raw_hash"],
                 {"source": f"content/{source}", "raw_hash": row["raw_hash"]}, source=source, refs=refs,
                 file=row["path"])


def released_facts(meta: dict, payload: dict, current: bool) -> dict:
    """The English page's facts, from its release: the issuer in approved English, the document number
    in Chinese with its approved English rendering (`doc_number_en`), the validity dates approved.
    A release made before facts were reviewed shows the current facts only while it is current."""
    if "facts" not in payload:
        return {k: meta[k] for k in FACT_FIELDS if k in meta and current}
    facts = payload["facts"]
    out = {k: facts[k]["zh"] for k in ("doc_number", "valid_from", "valid_until") if k in facts}
    if "issuer" in facts:
        out["issuer"] = facts["issuer"]["en"]
    number = facts.get("doc_number")
    if number and number["en"].strip() and number["en"].strip() != number["zh"]:
        out["doc_number_en"] = number["en"].strip()
    return out


def narrowed_validity(approved: dict, current: dict) -> dict:
    """Of the Chinese's validity dates now, those that narrow the approved ones (an end brought forward, a start
    put back): a date is no translation, and an English page awaiting the review of a change never says a
    notice is in force on a day its Chinese says it is not. A widened validity waits for the review."""
    narrowed = {}
    until, now_until = _date(approved.get("valid_until")), _date(current.get("valid_until"))
    if now_until and (until is None or now_until < until):
        narrowed["valid_until"] = current["valid_until"]
    start, now_start = _date(approved.get("valid_from")), _date(current.get("valid_from"))
    if now_start and (start is None or now_start > start):  # (a start where the approved English had none too:
        narrowed["valid_from"] = current["valid_from"]  # it said "in force" of days the Chinese now says it is not)
    return narrowed


def released_date(en: dict, date: dt.date) -> dt.date:
    """The English page's date: the one approved with its English (`date`, the Chinese one now, only for a
    release made before releases kept theirs). A new Chinese date waits for review with the rest."""
    return _date(en["date"]) if en.get("date") else date


def released_listing(en: dict) -> dict:
    """The tags and programme approved with the English (none for a release made before releases kept them):
    an English page awaiting the review of a change stays listed where it was, not under the Chinese's new tags."""
    return {k: en[k] for k in ("tags", "programme") if k in en}


def _en_entry(row: dict, meta: dict, release: dict, en: dict, source: str, date: dt.date) -> Entry:
    current = release["raw_hash"] == row["raw_hash"]
    facts, date = released_facts(meta, en, current), released_date(en, date)
    updated = _aware(release["created_at"])
    if not current:  # the page changed with the Chinese: it says a revised English is under review (and shows
        updated = max(updated, _aware(row["updated_at"]))  # an end date the Chinese brought forward)
        facts.update(narrowed_validity(facts, meta) or {})
    meta = {k: v for k, v in meta.items() if k not in FACT_FIELDS}
    meta.update(facts)
    meta.update(released_listing(en))
    provenance = _utc_approval(en["provenance"]) | {"release_id": release["id"],
                                                    "released_at": _iso(release["created_at"]),
                                                    "source_raw_hash": release["raw_hash"]}
    said = en["meta"]
    return Entry(row["slug"], row["section"], "en", said["title"] or row["slug"], said["summary"], said["social"],
                 date, updated, meta, en["hash"], provenance, not current, source, refs=en["refs"],
                 release_id=release["id"])  # (the first fields in their order, as _zh_entry)


# -- bodies, read when rendered ---------------------------------------------------------------------
class _Sources:
    """Where bodies are read from: the store the entries came from, in whichever process renders them (a
    forked render worker reads its own chunk's, so no process holds every body)."""

    def __init__(self) -> None:
        self.store: Reads | None = None
        self.pid = 0
        self.loaded: dict[tuple[str, str], str] = {}

    def use(self, store: Reads) -> None:
        self.store, self.pid = store, os.getpid()
        self.loaded.clear()

    def read(self, entries: list[Entry]) -> None:
        if self.store is None or not entries:
            return
        if self.pid != os.getpid():  # a forked worker: its own connections, never the parent's
            self.store.forked()
            self.pid = os.getpid()
        zh = [e for e in entries if e.lang == "zh"]
        raws = self.store.raws([e.slug for e in zh])
        for entry in zh:
            if entry.slug in raws:
                self.loaded[entry.lang, entry.slug] = split_front_matter(raws[entry.slug], Path(entry.file))[1]
        payloads = self.store.payloads([e.release_id for e in entries if e.lang != "zh"])
        for entry in entries:
            if entry.lang != "zh" and entry.release_id in payloads:
                self.loaded[entry.lang, entry.slug] = json.loads(payloads[entry.release_id]).get("body") or ""


_SOURCES = _Sources()


def departures(since: dt.datetime, programmes: bool = True) -> dict[str, dict[str, tuple[dt.datetime, str | None]]]:
    """lang -> slug -> when its page left the site after `since` and the programme it was shown under (None:
    see its Chinese entry), as the store the entries came from tells it: a withdrawn document's (its English
    too, if it had any), and English taken offline (its newest release retracted). Feeds are dated by them, so
    a reader sees a feed change when an entry leaves it. Without `programmes` no stored file is read."""
    store = _SOURCES.store
    if store is None:
        return {"zh": {}, "en": {}}
    rows = store.withdrawn_since(since)
    shown = _programmes(store, rows) if programmes else {}
    withdrawn = {row["slug"]: (_aware(row["updated_at"]), shown.get(row["slug"])) for row in rows}
    english = store.release_heads("en", sorted(withdrawn)) if withdrawn else {}
    offline = {slug: (_aware(at), None) for slug, at in store.retraction_times(since, "en").items()}
    return {"zh": withdrawn, "en": {slug: gone for slug, gone in withdrawn.items() if slug in english} | offline}


def _programmes(store: Reads, rows: list[dict]) -> dict[str, str | None]:
    """The programme each of these withdrawn documents' stored files names (read once a process for each)."""
    missing = [row for row in rows if (row["slug"], row["updated_at"]) not in _PROGRAMMES]
    raws = store.raws([row["slug"] for row in missing]) if missing else {}
    for row in missing:
        try:
            meta = parse_meta(split_front_matter(raws[row["slug"]], Path(row["path"]))[0], Path(row["path"]))
            _PROGRAMMES[row["slug"], row["updated_at"]] = meta.get("programme")
        except Exception:  # a file that no longer reads was shown under no programme anyone can tell
            _PROGRAMMES[row["slug"], row["updated_at"]] = None
    return {row["slug"]: _PROGRAMMES[row["slug"], row["updated_at"]] for row in rows}


_PROGRAMMES: dict[tuple[str, dt.datetime], str | None] = {}  # (slug, when withdrawn) -> its programme


def load_bodies(entries: list[Entry]) -> None:
    """Read, in one go, the bodies of these entries that are to be rendered and whose HTML is not in the
    body cache (see bodies.py); `forget_bodies` lets them go."""
    _SOURCES.read([e for e in entries if e._body is None and e._html is None
                   and (e.lang, e.slug) not in _SOURCES.loaded and not bodies.known(e.body_key)])


def forget_bodies() -> None:
    _SOURCES.loaded.clear()
