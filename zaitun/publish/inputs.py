"""What the publisher reads from the store: one `Entry` per document and language.

Chinese entries come from the current content (drafts skipped); English entries only from
the document's last release, so never-approved English is never published. Parsing front
matter is the slow part of a rebuild, so parsed metadata is cached by the file's hash.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markupsafe import Markup

from zaitun.content.model import FACT_FIELDS, content_source, document_from_row, split_front_matter
from zaitun.content.schema import KEYS, validate_meta
from zaitun.errors import ContentError, LocatedError
from zaitun.publish import bodies
from zaitun.publish.render import body_html
from zaitun.state.store import Store

META_KEYS = tuple(KEYS)


@dataclass
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
    _body: str | None = None
    _html: Markup | None = field(default=None, repr=False)  # a body given as HTML (a page held back as online)
    _row: dict | None = field(default=None, repr=False)

    @property
    def programme(self) -> str | None:
        return self.meta.get("programme")

    @property
    def tags(self) -> list[str]:
        return list(self.meta.get("tags") or [])

    @property
    def body(self) -> str:
        """Markdown body; the Chinese one is cut from the stored file each time it is asked for (twice a build:
        media links, then rendering), not kept beside the file for the whole build."""
        if self._body is None:
            return split_front_matter(self._row["raw"], Path(self._row["path"]))[1]
        return self._body

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

    def is_expired(self, today: dt.date) -> bool:
        until = _date(self.meta.get("valid_until"))
        return until is not None and until < today

    def is_expiring(self, today: dt.date, warning_days: int) -> bool:
        """Still valid, but its validity ends within the warning window."""
        until = _date(self.meta.get("valid_until"))
        return until is not None and today <= until and (until - today).days <= warning_days

    def is_in_force(self, today: dt.date) -> bool:
        start = _date(self.meta.get("valid_from"))
        return start is None or start <= today


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _jsonable_meta(meta: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in meta.items() if k in META_KEYS}


def latest_releases(store: Store, lang: str = "en") -> dict[str, dict]:
    """The newest release of every document in one query (a per-slug query is too slow at 1,000 docs)."""
    return store.latest_releases(lang)


def _meta_of(row: dict, cache: dict) -> dict:
    cached = cache.get(row["slug"])
    if cached and cached["raw_hash"] == row["raw_hash"]:
        return cached["meta"]
    meta = _jsonable_meta(_front_matter(row))
    cache[row["slug"]] = {"raw_hash": row["raw_hash"], "meta": meta}
    return meta


def _front_matter(row: dict) -> dict:
    """Front matter of a stored file, checked against the schema again (the file may predate a rule):
    the fast C YAML loader reads it."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return document_from_row(row).meta
    path = Path(row["path"])
    yaml_text = split_front_matter(row["raw"], path)[0]
    return validate_meta(yaml.load(yaml_text, Loader=loader) or {}, yaml_text, path)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def collect(store: Store, cache: dict, problems: dict[str, LocatedError] | None = None) -> list[Entry]:
    """Entries of every active, non-draft document: Chinese always, English where released.

    A stored file that no longer reads (it passed intake, so this is rare) is left out and
    reported in `problems` (slug -> error) instead of stopping the whole site, whatever it raises.
    """
    released = latest_releases(store)
    entries: list[Entry] = []
    rows = store.documents(status="active")
    for gone in set(cache) - {row["slug"] for row in rows}:
        del cache[gone]
    for row in rows:
        try:
            meta = _meta_of(row, cache)
            dt.date.fromisoformat(str(meta["date"]))
        except Exception as exc:  # the document's boundary
            if problems is not None:
                why, line = (exc.message, exc.line) if isinstance(exc, LocatedError) else (
                    f"{exc.__class__.__name__}: {exc}", 1)
                problems[row["slug"]] = ContentError(row["path"], f"left out of the site: {why}", line)
            continue
        if meta.get("draft"):
            continue
        entries += entries_of(row, meta, released.get(row["slug"]))
    return entries


def entries_of(row: dict, meta: dict, release: dict | None) -> list[Entry]:
    """A document's entries from its stored row and front matter: Chinese, and English when released."""
    return [_zh_entry(row, meta)] + ([_en_entry(row, meta, release)] if release is not None else [])


def _zh_entry(row: dict, meta: dict) -> Entry:
    source = content_source(row["section"], row["path"])
    return Entry(slug=row["slug"], section=row["section"], lang="zh", title=meta["title"],
                 summary=meta.get("summary") or "", social=meta.get("social") or "",
                 date=_date(meta["date"]), updated=_aware(row["updated_at"]), meta=meta,
                 source_hash=row["raw_hash"], provenance={"source": f"content/{source}", "raw_hash": row["raw_hash"]},
                 source=source, _row=row)


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


def _en_entry(row: dict, meta: dict, release: dict) -> Entry:
    from zaitun.state.store import sha

    payload = json.loads(release["payload"])
    current = release["raw_hash"] == row["raw_hash"]
    meta = {k: v for k, v in meta.items() if k not in FACT_FIELDS} | released_facts(meta, payload, current)
    en_meta = payload.get("meta") or {}
    provenance = dict(payload.get("provenance") or {})
    provenance.update(release_id=release["id"], released_at=_aware(release["created_at"]).isoformat(),
                      source_raw_hash=release["raw_hash"])
    return Entry(slug=row["slug"], section=row["section"], lang="en", title=en_meta.get("title") or row["slug"],
                 summary=en_meta.get("summary") or "", social=en_meta.get("social") or "",
                 date=_date(meta["date"]), updated=_aware(release["created_at"]), meta=meta,
                 source_hash=sha(release["payload"]), provenance=provenance,
                 under_review=not current,
                 source=content_source(row["section"], row["path"]),
                 _body=payload.get("body") or "")
