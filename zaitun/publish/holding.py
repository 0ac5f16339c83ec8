"""What a build does with a document whose pages it cannot put online (a culprit), so one bad page never
takes a good one offline.

    new document ----------------------------------------------> left out (its culprit page only)
    online document -> held: the version online stays ---------> left out, when that fails too
                            `-> its links to pages gone since (withdrawn) shown as plain text

A held document keeps the previous version's page files (hard-linked, with their manifest records)
and stays listed as it was: its front matter of that build in the lists, the body of its page
online in the feeds. A document online whose stored file no longer reads (stored before a rule it
breaks) is held the same way. A held page that links to a page gone since cannot stay as it is:
nothing online may link to a missing page, and the withdrawal was someone's decision, so the
current text goes online with those links as plain text. Each document moves forward along these
arrows, so the build's loop of attempts ends.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from zaitun import failures
from zaitun.content.model import FACT_FIELDS
from zaitun.errors import ContentError, LocatedError
from zaitun.publish import layout
from zaitun.publish.inputs import Entry, entries_of, latest_releases, released_date

if TYPE_CHECKING:
    from zaitun.state.lazy import LazyStore
    from zaitun.state.store import Store

Culprits = dict[int, str]  # index of an entry -> why its page cannot go online ("; " between problems)
HELD, UNLINKED = failures.HELD_BACK, failures.LINK_CUT
BROKEN = "broken internal link "
BODY_START, BODY_END = '<div class="body">\n', "\n</div>\n"
_ANCHOR = re.compile(r"<a\s([^>]*)>(.*?)</a>", re.S)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass
class Holding:
    """The culprits of one build so far, and what became of each document."""

    content_dir: Path
    previous: dict  # file records of the version online
    online: Path | None  # that version's folder
    before: dict  # its front matter: slug -> {"raw_hash", "meta"} (the manifest's docs)
    states: dict[str, str] = field(default_factory=dict)  # slug -> HELD | UNLINKED | failures.LEFT_OUT
    kept: set[str] = field(default_factory=set)  # page paths whose file of the version online stays
    cut: dict[int, set[str]] = field(default_factory=dict)  # id of a current entry -> hrefs shown as text
    current: dict[str, list[Entry]] = field(default_factory=dict)  # slug -> its entries as collected
    refused: dict[str, str] = field(default_factory=dict)  # slug -> what became of a new English release refused
    # for a forbidden rendering (screen.py): HELD (the English released before is shown) or LEFT_OUT

    def unreadable(self, store: Store | LazyStore, errors: dict[str, LocatedError]) -> list[Entry]:
        """Documents online whose stored file no longer reads (`collect` left them out, with `errors`: a file
        stored before a rule it breaks): held, as the version online shows them."""
        if not errors:
            return []
        released = latest_releases(store)
        held: list[Entry] = []
        for row in (r for r in store.documents(status="active") if r["slug"] in errors):
            slug, meta = row["slug"], (self.before.get(row["slug"]) or {}).get("meta")
            try:
                mine = [self._as_before(e) for e in entries_of(row, meta, released.get(slug))
                        if self._was_online(e)] if meta else []
            except Exception:  # the version online cannot be shown either: left out, as collect said
                continue
            if mine and None not in mine:
                self.current[slug], self.states[slug] = [], HELD
                self.kept |= {_page(e) for e in mine}
                error = errors[slug]
                errors[slug] = ContentError(error.path, error.message.replace(
                    "left out of the site", "held back, its last good version stays online", 1), error.line)
                held += mine
        return held

    def settle(self, entries: list[Entry], culprits: Culprits, errors: dict[str, LocatedError]) -> list[Entry]:
        """The entries of the next attempt: each culprit's document one step further (see the module's
        drawing), its path:line and fate recorded in `errors`."""
        by_slug: dict[str, dict[int, str]] = defaultdict(dict)
        for index, why in culprits.items():
            by_slug[entries[index].slug][index] = why
        for slug, found in by_slug.items():
            entries = self._step(entries, slug, found, errors)
        return entries

    def _step(self, entries: list[Entry], slug: str, found: dict[int, str],
              errors: dict[str, LocatedError]) -> list[Entry]:
        state = self.states.get(slug)
        first, why = next(iter(found.items()))
        mine = [e for e in entries if e.slug == slug]
        held = [self._as_before(e) for e in mine if self._was_online(e)] if state is None else []
        if held and None not in held and _page(entries[first]) in {_page(e) for e in held}:
            self.current[slug] = mine
            self.states[slug] = HELD
            self.kept |= {_page(e) for e in held}
            self._note(errors, entries[first], "page held back, its last good version stays online", why)
            return _swap(entries, slug, held)
        if state in (HELD, UNLINKED):
            cut = self._unlinked(slug, {entries[i].lang: _broken(w) for i, w in found.items()})
            if cut is not None:
                self.states[slug] = UNLINKED
                self.kept -= {_page(e) for e in mine}
                self._note(errors, entries[first], "page went online with its dead link(s) as plain text "
                           "(fix or remove the link: the page it pointed to is gone)", why)
                return _swap(entries, slug, cut)
            self.states[slug] = failures.LEFT_OUT
            self.kept -= {_page(e) for e in mine}
            self._note(errors, entries[first], "page left out of the site, its last good version could not "
                       "stay online either", why)
            return [e for e in entries if e.slug != slug]
        self._note(errors, entries[first], "page left out of the site", why, keep=True)
        return [e for i, e in enumerate(entries) if i not in found]

    def _unlinked(self, slug: str, broken: dict[str, set[str] | None]) -> list[Entry] | None:
        """The document's current entries with the dead links of the failing pages shown as text; None when
        a failure is not a dead link, or no new one (nothing more to cut)."""
        if any(hrefs is None for hrefs in broken.values()):
            return None
        out, grew = [], False
        for entry in self.current[slug]:
            before = self.cut.get(id(entry), set())
            hrefs = before | (broken.get(entry.lang) or set())
            grew |= hrefs != before
            made = _without_links(entry, hrefs) if hrefs else entry
            if made is None:
                return None
            self.cut[id(entry)] = hrefs
            out.append(made)
        return out if grew else None

    def _was_online(self, entry: Entry) -> bool:
        path = _page(entry)
        return (path in self.previous and self.online is not None
                and (self.online / "site" / layout.file_of(path)).is_file())

    def _as_before(self, entry: Entry) -> Entry | None:
        """The entry as the version online showed it: the body of its page there, its front matter of that
        build (title, date, tags...); None when that page has no body to take."""
        try:
            page = _body_of((self.online / "site" / layout.file_of(_page(entry))).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            page = None
        if page is None:
            return None
        entry = replace(entry, _html=page)
        before = self.before.get(entry.slug) or {}
        meta = before.get("meta")
        if not meta:
            return entry
        date = dt.date.fromisoformat(str(meta["date"]))
        if entry.lang == "en":  # English keeps its released title and facts, and the date its page showed
            facts = {k: v for k, v in entry.meta.items() if k in FACT_FIELDS or k == "doc_number_en"}
            return replace(entry, date=released_date(before.get("en") or {}, date),
                           meta={k: v for k, v in meta.items() if k not in FACT_FIELDS} | facts)
        shown = before["raw_hash"]  # the Chinese file online, for provenance.json and the feeds' keys
        return replace(entry, title=meta["title"], summary=meta.get("summary") or "", social=meta.get("social") or "",
                       date=date, meta=meta, source_hash=shown, provenance=entry.provenance | {"raw_hash": shown})

    def _note(self, errors: dict[str, LocatedError], entry: Entry, what: str, why: str, keep: bool = False) -> None:
        error = ContentError(self.content_dir / entry.source, f"{entry.lang} {what}: {why}", _line_of(entry, why))
        if keep:  # a new document: the first of its pages left out names it
            errors.setdefault(entry.slug, error)
        else:
            errors[entry.slug] = error

    def state(self, slug: str) -> str:
        return self.states.get(slug) or self.refused.get(slug, failures.LEFT_OUT)

    def keep_metadata(self, docs: dict) -> None:
        """A held document's front matter of the version online stays the one recorded, so the next build
        lists it as it is shown."""
        for slug, state in self.states.items():
            if state == HELD and slug in self.before:
                docs[slug] = self.before[slug]


def _page(entry: Entry) -> str:
    return layout.document(entry.lang, entry.section, entry.slug)


def _swap(entries: list[Entry], slug: str, new: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.slug != slug] + new


def _body_of(page: str) -> Markup | None:
    """A document's body as its page shows it (document.html puts it alone in this div; content Markdown
    makes no div of its own)."""
    start = page.find(BODY_START)
    end = page.find(BODY_END, start + len(BODY_START))
    return Markup(page[start + len(BODY_START):end]) if start >= 0 and end >= 0 else None


def _broken(why: str) -> set[str] | None:
    """The hrefs of a page's problems when every one is a dead internal link; None otherwise."""
    problems = why.split("; ")
    if not all(p.startswith(BROKEN) for p in problems):
        return None
    return {p.removeprefix(BROKEN) for p in problems}


def _without_links(entry: Entry, hrefs: set[str]) -> Entry | None:
    """The entry with its links to `hrefs` shown as their text (None when its text does not render). The
    cut links are part of its hash, so its pages are rendered again once the links are fixed."""
    try:
        body = entry.html
    except Exception:
        return None

    def text_only(match: re.Match) -> str:
        found = _HREF.search(match.group(1))
        href = html.unescape(found.group(1) or found.group(2) or "") if found else None
        return match.group(2) if href in hrefs else match.group(0)

    return replace(entry, _html=Markup(_ANCHOR.sub(text_only, body)),
                   source_hash=f"{entry.source_hash}-without:{' '.join(sorted(hrefs))}")


def _line_of(entry: Entry, why: str) -> int:
    """The line of the Chinese file that holds the link a problem names (1 when none does)."""
    from urllib.parse import unquote

    raw = entry.raw_file()
    words = [unquote(w) for w in why.split() if "/" in w or "." in w or w.startswith("#")]
    for number, text in enumerate(raw.split("\n"), start=1):
        if any(w and w in text for w in words):
            return number
    return 1
