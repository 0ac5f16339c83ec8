"""Redirect pages: a document's old address, and the `aliases` its front matter names, lead to its page.

A page moves when its file moves to another section (the slug stays) or is renamed (a new slug). A renamed
document is recognised as the social outbox recognises it (social.py): the same announcement (a language's
`social.basis`) leaving the site under one name and arriving under another in the same build. One renamed as
its title or summary was corrected announces something else: it is recognised by its Chinese body instead, the
same or nearly (`_same_body`), read from the store only in a build where a document left and another arrived.
What the last build published, the redirects found so far and each moved page's first address are kept in the
state folder (redirects.json), saved once the build is online. Each redirect leads to a document, not to an
address, so a chain collapses (A then B then C: A leads to C); it goes when its document leaves the site
(never a redirect to a missing page), and a page that takes its address wins. A slug another document takes
in another section (announcing something else: content/identity.py starts it anew) is no move: the old
addresses and feed ids of the one before do not pass to it. A moved page's feed entries
keep its first address as their id, so feed readers see an update, not a new item. Redirect pages are in
neither the sitemap, the search index nor the feeds.
"""

from __future__ import annotations

import operator
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Container
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from zaitun import statefiles
from zaitun.config import LANGUAGES
from zaitun.content.hanzi import NUMERALS
from zaitun.content.model import split_front_matter
from zaitun.content.schema import SLUG_RE, alias_problem
from zaitun.errors import ContentError, StateUnreadable
from zaitun.publish import layout, lint
from zaitun.publish.inputs import Entry
from zaitun.publish.memo import ByIdentity, other_places
from zaitun.publish.pages import Output, Site
from zaitun.publish.sinks import REDIRECT_MARK
from zaitun.publish.social import basis

STATE = "redirects.json"
KIND = "redirect"  # an Output's kind: not linted as a page, not indexed, not in the sitemap
SAME_BODY = 90  # rapidfuzz ratio from which two Chinese bodies are one document's (a typo mended, a line added)
SHORTEST_BODY = 40  # characters, spaces aside: shorter bodies alike ("详见附件。") may be alike by chance
_NUMBERS = re.compile(f"[{NUMERALS}万亿]+")  # dates, amounts, document numbers: a body with others is another

Raws = Callable[[list[str]], dict[str, str]]  # slugs -> their stored Chinese files (Store.raws)


@dataclass
class Redirects:
    """The redirects of one build: what to save once it is online, and what it tells."""

    published: dict[str, dict] = field(default_factory=dict)  # slug -> {"section", "langs": {lang: basis}}
    moved: dict[str, list[str]] = field(default_factory=dict)  # old page path -> [lang, slug] it leads to
    origins: dict[str, str] = field(default_factory=dict)  # "lang:slug" -> its page's first path: its feed id
    notes: list[str] = field(default_factory=list)  # what the build says it did with them
    problems: list[str] = field(default_factory=list)  # why none is written (redirects.json does not read)
    refused: list[ContentError] = field(default_factory=list)  # each alias not written, at its file and line
    readable: bool = True  # False: redirects.json did not read, and is left for a person to mend
    saved: dict | None = None  # the records as redirects.json holds them: not written again the same
    digest: str | None = None  # of redirects.json as read (`statefiles.digest`; None: none); of follow's, as it will be
    encoded: bytes | None = None  # follow's records as save will write them, when they are not those read

    def feed_ids(self) -> dict[tuple[str, str], str]:
        """(lang, slug) -> the site path whose URL is the feed id of a moved document's page."""
        return {(key.split(":", 1)[0], key.split(":", 1)[1]): path for key, path in self.origins.items()}

    def state(self) -> dict:
        return {"published": self.published, "moved": self.moved, "origins": self.origins}

    def settle(self) -> str | None:
        """The digest redirects.json will have once saved (what the build's summary records, for the next process
        to know the records it reads are those of the build online: `follow`'s `since`); None when it is left."""
        if not self.readable:
            return None
        if self.state() != self.saved:
            self.encoded = statefiles.encoded(self.state())
            self.digest = statefiles.digest(self.encoded)
        return self.digest


def read(state_dir: Path) -> Redirects:
    """The records the last build saved (none before the first). A file that does not read is reported and
    left as it is: the build goes on without its redirects rather than forgetting them for good. A process
    that builds again (`zaitun up`) reads the file again only when it is not the one it read or wrote last."""
    path = state_dir / STATE
    try:
        now = _stamp(path)
        if now is None or now != _LAST.stamp:
            found = statefiles.read(path, _fits)
            _LAST.stamp, _LAST.data, _LAST.digest = (now, found[0], statefiles.digest(found[1])) if found is not None \
                else (None, None, None)  # (a file replaced since it was stamped is read again next time)
    except (StateUnreadable, OSError) as exc:
        _LAST.stamp = _LAST.data = _LAST.digest = None
        return Redirects(problems=[f"{exc}: it records the old addresses that lead to moved pages, so none is "
                                   "written anew until it reads (the redirect pages online stay as they are); "
                                   "restore it from a backup, or delete it to start afresh (the old addresses "
                                   "found so far then lead nowhere)"], readable=False)
    if _LAST.data is None:
        return Redirects()
    data = _LAST.data  # (never changed in place: follow makes new records, and save keeps what it wrote)
    records = Redirects(dict(data.get("published", {})), dict(data.get("moved", {})), dict(data.get("origins", {})),
                        digest=_LAST.digest)
    records.saved = records.state()
    return records


@dataclass
class _Read:
    """The records this process read or wrote last, and the file's stamp then (`_stamp`)."""

    stamp: tuple | None = None
    data: dict | None = None
    digest: str | None = None


_LAST = _Read()


def _stamp(path: Path) -> tuple | None:
    """What tells one file from another at `path` (replaced whole by each write: a new inode), or None."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return str(path), info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size


def _fits(value: object) -> bool:
    """What redirects.json holds as a build writes it: a hand-edited entry that is not (a path out of the site,
    a target that is no [language, slug]) makes the whole record unreadable, never a build's crash or write."""
    if not isinstance(value, dict):
        return False
    published, moved, origins = (value.get(k, {}) for k in ("published", "moved", "origins"))
    if not (isinstance(published, dict) and isinstance(moved, dict) and isinstance(origins, dict)):
        return False
    sections, said = set(), []  # a section makes an old address: never a path out of the site
    for record in published.values():  # (checked in bulk: 5,000 documents' records are read in 4 ms)
        if type(record) is not dict:
            return False
        section, langs = record.get("section"), record.get("langs", {})
        if type(section) is not str or type(langs) is not dict:
            return False
        sections.add(section)
        said += langs.values()
    return (all(map(_a_name, published)) and all(map(_a_name, sections)) and all(type(x) is str for x in said)
            and all(_a_page_path(path) and isinstance(to, list) and len(to) == 2 and to[0] in layout.LANGS
                    and _a_name(to[1]) for path, to in moved.items())
            and all(isinstance(key, str) and key.split(":", 1)[0] in layout.LANGS and _a_name(key.split(":", 1)[-1])
                    and _a_page_path(path) for key, path in origins.items()))


def _a_name(name: object) -> bool:
    """Whether a recorded slug or section is one a document can have (content.schema.SLUG_RE)."""
    return isinstance(name, str) and SLUG_RE.fullmatch(name) is not None  # (match's $ lets "a\n" through)


def _a_page_path(path: object) -> bool:
    """Whether a recorded path is a document page's as a build records it (`<lang>/<section>/<slug>/`)."""
    return isinstance(path, str) and path.endswith("/") and path.split("/", 1)[0] in layout.LANGS \
        and path.count("/") == 3 and alias_problem(path) is None


def save(state_dir: Path, redirects: Redirects) -> None:
    """Write the records once the build is online (not when redirects.json did not read: it is kept)."""
    if redirects.readable and redirects.state() != redirects.saved:
        path = state_dir / STATE
        data = statefiles.write(path, redirects.state(), redirects.encoded)
        _LAST.stamp, _LAST.data, _LAST.digest = _stamp(path), redirects.state(), statefiles.digest(data)


def follow(before: Redirects, entries: list[Entry], known: list[Entry] = (), raws: Raws | None = None,
           since: set[str] | None = None) -> Redirects:
    """The redirects after this build of `entries`: each page moved since the last build leads from its old
    address to the document; the redirects of a renamed document follow it; those of a document that left the
    site, and those whose address a document's page has now, go. A document `known` (in the store) but not
    online in this build (dated later, its pages left out for an error) has not left: its redirects wait.
    `raws` reads stored files, to recognise a document renamed with its announcement changed (None: not so).
    `since`: the documents written since the build online, when `before` are the records it saved (see published)."""
    if not before.readable:
        return Redirects(problems=list(before.problems), readable=False)
    now = published(entries, before.published, since)
    listed = {**_records(e for e in known if e.slug not in now), **now}
    moved = {path: list(target) for path, target in before.moved.items()}
    origins, notes = dict(before.origins), []
    renamed = _renamed(before.published, listed, raws)
    for old, new in sorted(renamed.items()):
        notes.append(f"{old} is now {new}: its old addresses lead to its new page")
        for target in moved.values():
            if target[1] == old:
                target[1] = new
        for lang in layout.LANGS:
            if f"{lang}:{old}" in origins:
                origins[f"{lang}:{new}"] = origins.pop(f"{lang}:{old}")
    for slug, was in before.published.items():
        target = renamed.get(slug, slug)
        if target == slug and slug in listed and _replaced(was, listed[slug]):  # the name now another document's:
            notes.append(f"{slug} now names another document, in {listed[slug]['section']}: the old addresses of "
                         f"the one before ({was['section']}) lead nowhere")
            moved = {path: to for path, to in moved.items() if to[1] != slug}  # they led to the one that left
            origins = {key: path for key, path in origins.items() if key.split(":", 1)[1] != slug}
            continue
        if target in listed and (target != slug or listed[target]["section"] != was["section"]):  # its pages moved
            for lang in was.get("langs", {}):
                old = layout.document(lang, was["section"], slug)
                moved[old] = [lang, target]
                origins.setdefault(f"{lang}:{target}", old)
    for path, (lang, slug) in sorted(moved.items()):
        if slug not in listed:
            notes.append(f"/{path} no longer redirects: {slug} left the site")
            del moved[path]
        elif _a_page(path, now):
            if path != layout.document(lang, listed[slug]["section"], slug):  # (not the document back where it was)
                notes.append(f"/{path} is a page again: its redirect to {slug} ({lang}) was dropped")
            del moved[path]
    origins = {key: path for key, path in origins.items() if key.split(":", 1)[1] in listed and not _a_page(path, now)}
    return Redirects(listed, moved, origins, notes, saved=before.saved, digest=before.digest)


def _records(entries) -> dict[str, dict]:
    """published() of entries not online in this build (few, so not kept in _BASES)."""
    found: dict[str, dict] = {}
    for entry in entries:
        found.setdefault(entry.slug, {"section": entry.section, "langs": {}})["langs"][entry.lang] = basis(entry)
    return found


def _a_page(path: str, now: dict[str, dict]) -> bool:
    """Whether a document's page is at this path (`<lang>/<section>/<slug>/`) in this build."""
    lang, section, slug = (path.strip("/").split("/") + ["", "", ""])[:3]
    return slug in now and now[slug]["section"] == section and lang in now[slug]["langs"] \
        and path == layout.document(lang, section, slug)


def published(entries: list[Entry], before: dict[str, dict] | None = None, since: set[str] | None = None
              ) -> dict[str, dict]:
    """Each document on the site: its section and the announcement (social.basis) of each of its languages.
    `since`: the documents written since the build that made `before` (the build online: the same day, code and
    settings), whose others' records are those (a new process looks only at those written, held or come and gone)."""
    now = _again(entries, before)
    if now is None and since is not None and before:
        now = _since(entries, before, since)
    if now is None:
        now = _records_of(entries)
        if before:  # the records as they were, where they are the same: saving compares them by identity then
            for slug, record in now.items():
                if (was := before.get(slug)) == record:
                    now[slug] = was
    _BASES.keep_only(entries)
    _PUBLISHED[:] = [list(entries), now]
    return now


def _records_of(entries) -> dict[str, dict]:
    now: dict[str, dict] = {}
    for entry in entries:
        now.setdefault(entry.slug, {"section": entry.section, "langs": {}})["langs"][entry.lang] = \
            _BASES.get(entry, basis)
    return now


def _again(entries: list[Entry], before: dict[str, dict] | None) -> dict[str, dict] | None:
    """published() as the last call made it, but for the documents whose entries are not the very same objects
    (a process that builds again: one changed of 10,000), when those are the same documents and languages at
    the same places (else None: all are looked at)."""
    if not _PUBLISHED or len(_PUBLISHED[0]) != len(entries):
        return None
    differ = [(_PUBLISHED[0][i], entries[i]) for i in other_places(_PUBLISHED[0], entries)]
    if any(was.slug != entry.slug or was.lang != entry.lang for was, entry in differ):
        return None
    now = dict(_PUBLISHED[1])
    slugs = {entry.slug for _, entry in differ}
    for slug, record in _records_of([entry for entry in entries if entry.slug in slugs]).items():
        now[slug] = was if before and (was := before.get(slug)) == record else record
    return now


def _since(entries: list[Entry], before: dict[str, dict], since: set[str]) -> dict[str, dict]:
    """published() from the records of the build online (`before`), made again for the documents written since,
    and those whose languages online are not the same (dated later, held back, left out for an error)."""
    then = {(slug, lang) for slug, record in before.items() for lang in record["langs"]}
    todo = since | {slug for slug, _ in then.symmetric_difference(map(_SLUG_LANG, entries))}
    now = {slug: record for slug, record in before.items() if slug not in todo}
    for slug, record in _records_of([entry for entry in entries if entry.slug in todo]).items():
        now[slug] = was if (was := before.get(slug)) == record else record
    return now


_SLUG_LANG = operator.attrgetter("slug", "lang")
_BASES: ByIdentity[Entry, str] = ByIdentity()  # a process that builds again hashes only the changed entries
_PUBLISHED: list = []  # the entries of the last call of published(), and what it returned


def _renamed(before: dict[str, dict], now: dict[str, dict], raws: Raws | None = None) -> dict[str, str]:
    """Old slug -> new slug of each document that left the site while one with the same announcement in a
    language arrived, else (`raws` given) one with the same Chinese body; where two could be meant, neither is
    taken for the other. A slug now in another section announcing something else may be another document that
    took the name of one renamed meanwhile: when one arrived with its announcement, that is where it went, and
    its old address leads there (not to the newcomer)."""
    arrived = now.keys() - before.keys()
    if not arrived:  # (most builds: then nothing is looked at one by one)
        return {}
    left = [slug for slug, was in before.items() if slug not in now or _replaced(was, now[slug])]
    if not left:
        return {}
    announced: dict[tuple[str, str], set[str]] = {}
    for slug in arrived:
        for lang, said in now[slug]["langs"].items():
            announced.setdefault((lang, said), set()).add(slug)
    found = {slug: set().union(*(announced.get((lang, said), set())
                                 for lang, said in before[slug].get("langs", {}).items())) for slug in left}
    one = {old: next(iter(new)) for old, new in found.items() if len(new) == 1}
    claimed = Counter(one.values())
    renamed = {old: new for old, new in one.items() if claimed[new] == 1}
    if raws is not None:  # those no announcement links, to the arrivals no announcement claims
        # (a slug still listed, in another section, holds the newcomer's file in the store now: not compared)
        unsaid = sorted(slug for slug in left if not found[slug] and slug not in now)
        renamed |= _same_body(unsaid, sorted(arrived - set().union(*found.values())), raws)
    return renamed


def _same_body(left: list[str], arrived: list[str], raws: Raws) -> dict[str, str]:
    """Old slug -> new slug of each document that left whose Chinese body, after its front matter, is that of
    exactly one that arrived, and no other's that left: the same text, or nearly (rapidfuzz ratio SAME_BODY,
    spaces aside) with the same numbers, in the same order. A body shorter than SHORTEST_BODY tells nothing."""
    if not left or not arrived:
        return {}
    bodies = {slug: body for slug, raw in raws([*left, *arrived]).items() if (body := _body(raw, slug)) is not None}
    alike = {old: [new for new in arrived if new in bodies and _same_text(bodies[old], bodies[new])]
             for old in left if old in bodies}
    resembled = Counter(new for found in alike.values() for new in found)
    return {old: found[0] for old, found in alike.items() if len(found) == 1 and resembled[found[0]] == 1}


def _same_text(one: tuple[str, tuple[str, ...]], other: tuple[str, tuple[str, ...]]) -> bool:
    """Whether two bodies (`_body`) are one document's: the same, or nearly with the same numbers."""
    from rapidfuzz.fuzz import ratio  # (loaded only by a build that compares bodies)

    return one == other or one[1] == other[1] and ratio(one[0], other[0], score_cutoff=SAME_BODY) > 0


def _body(raw: str, slug: str) -> tuple[str, tuple[str, ...]] | None:
    """A stored file's Chinese body as bodies are compared (NFKC, no spaces) and its numbers; None when it is
    too short to tell a document by, or its front matter does not close (a file taken in by an older version)."""
    try:
        body = split_front_matter(raw, Path(slug))[1]
    except ContentError:
        return None
    text = "".join(unicodedata.normalize("NFKC", body).split())
    return (text, tuple(_NUMBERS.findall(text))) if len(text) >= SHORTEST_BODY else None


def _replaced(was: dict, now: dict) -> bool:
    """Whether a slug may name another document than before: in another section, its Chinese announcing
    something else (its English may still be the release of before, kept online while an update is reviewed)."""
    return was["section"] != now["section"] and was.get("langs", {}).get("zh") != now["langs"].get("zh")


def aliased_entries(entries: list[Entry]) -> list[Entry]:
    """The Chinese entries whose front matter names aliases, by slug. A process that builds again looks only at
    the entries that are not the very ones at the same places in its last call (one of 10,000), not at all."""
    last, found = _ALIASED or ([], [])
    if len(last) != len(entries):
        kept = [e for e in entries if _names_aliases(e)]
    else:
        differ = list(other_places(last, entries))
        gone = {id(last[i]) for i in differ}
        kept = [e for e in found if id(e) not in gone] + [entries[i] for i in differ if _names_aliases(entries[i])]
    _ALIASED[:] = [list(entries), sorted(kept, key=lambda e: e.slug)]
    return list(_ALIASED[1])


def alias_paths(entries: list[Entry]) -> set[str]:
    """The site paths the aliases of these entries name."""
    return {layout.alias_path(alias)[0] for entry in aliased_entries(entries) for alias in entry.meta["aliases"]}


def _names_aliases(entry: Entry) -> bool:
    return entry.lang == "zh" and bool(entry.meta.get("aliases"))


_ALIASED: list = []  # the entries of the last call of aliased_entries, and what it returned


def outputs(redirects: Redirects, entries: list[Entry], site: Site, paths: Collection[str],
            content_dir: Path) -> list[Output]:
    """The redirect pages of this build: each old address whose document has a page in its language now,
    then each alias (refused, with its file and line, when another output owns its address, even but for
    letter case or Unicode form). An alias leads from a recorded redirect's address while its document has a
    page in that language; the record is kept, so the address is never left leading nowhere, and leads where
    it did once the alias goes. `paths`: the site paths of the other outputs."""
    aliased = aliased_entries(entries)
    pages = {(e.lang, e.slug): e for e in entries} if redirects.moved or aliased else {}
    items = {}
    taken = lint.FileNames(paths)
    for path, (lang, slug) in sorted(redirects.moved.items()):
        if layout.file_of(path) in taken:  # (a page of the site's own, where a hand-edited record said)
            redirects.notes.append(f"/{path} is a page again: its redirect to {slug} ({lang}) was dropped")
            del redirects.moved[path]
        elif (lang, slug) in pages:
            items[path] = _output(path, pages[lang, slug], site)
    claims = AliasClaims(paths, items) if aliased else None
    for entry in aliased:
        for alias in entry.meta["aliases"]:
            path, lang = layout.alias_path(alias)
            if refused := claims.refusal(alias, entry.slug, content_dir / entry.source):
                redirects.refused.append(refused)
                continue
            was = redirects.moved.get(path)  # kept: it leads there again once the alias goes
            if (lang, entry.slug) not in pages:  # no page to lead to (yet): the old address keeps working
                if was and path in items:
                    redirects.notes.append(f"/{path} still leads to {was[1]}: {entry.slug}, whose alias it is, has "
                                           f"no {layout.NAMES[lang]} page")
                continue
            if was and was[1] != entry.slug:
                redirects.notes.append(f"/{path} leads to {entry.slug}, whose alias it is, not to {was[1]} (as it "
                                       "will again once the alias goes)")
            items[path] = _output(path, pages[lang, entry.slug], site)
    return list(items.values())


class AliasClaims:
    """Which aliases may be written: one whose address no other file of the site has, nor another alias, even but
    for letter case or Unicode form. The build asks it (outputs) and so does `zaitun check`, in the same order."""

    def __init__(self, paths: Collection[str], moved: Collection[str] = ()) -> None:
        """`paths`: the site paths (or file names) of the other outputs; `moved`: the redirects of old addresses,
        which an alias replaces (but not one differing only in letter case or Unicode form)."""
        self._taken = lint.FileNames(paths)
        self._owners: dict[str, str] = {}  # alias path -> the document naming it
        self._folded = {_folded(name): name for name in map(layout.file_of, [*paths, *moved])}

    def refusal(self, alias: str, slug: str, where: Path) -> ContentError | None:
        """Why document `slug` (its file `where`) may not have `alias`, at the line naming it; else None, and the
        alias's address is the document's from now on."""
        path = layout.alias_path(alias)[0]
        why = _alias_refused(alias, path, self._taken, self._owners.get(path, slug), slug) \
            or _alike(layout.file_of(path), self._folded)
        if why:
            return ContentError(where, f"alias {alias!r} {why}", _line_of(where, alias))
        self._owners[path] = slug
        self._folded[_folded(layout.file_of(path))] = layout.file_of(path)
        return None


def _folded(name: str) -> str:
    """A file's name as a disk that ignores letter case and Unicode form sees it (macOS, a Windows share)."""
    return unicodedata.normalize("NFC", name).casefold()


def _alike(name: str, folded: dict[str, str]) -> str | None:
    """Why an alias's file cannot be written: another file differs from it only in letter case or Unicode form,
    so on such a disk one would be written over the other (a page replaced by a redirect to itself)."""
    other = folded.get(_folded(name))
    if other is None or other == name:
        return None
    return (f"differs from /{other} only in letter case or Unicode form: on a disk that ignores those (macOS, a "
            "Windows share) one would be written over the other; write it as that address, or choose another")


def _alias_refused(alias: str, path: str, taken: Container[str], owner: str, slug: str) -> str | None:
    problem = alias_problem(alias)  # (a document taken in by a version that did not judge it so)
    if problem:
        return problem
    if layout.file_of(path) in taken:
        return f"is the address of another page (/{path}): remove it, or rename that page"
    if owner != slug:
        return f"is also an alias of {owner}: remove it from one of them"
    return None


def _line_of(path: Path, alias: str) -> int:
    """The front matter's line naming the alias (the `aliases` key's, else the first)."""
    try:
        text = path.read_text(encoding="utf-8")
        front = split_front_matter(text, path)[0]
    except Exception:  # the file changed or went since it was taken in: its first line
        return 1
    lines = front.splitlines()
    key = next((i for i, line in enumerate(lines) if line.startswith("aliases")), None)
    if key is None:
        return 1
    found = next((i for i in range(key, len(lines)) if alias in lines[i]), key)
    return found + 2  # after the opening '---'


def _output(path: str, target: Entry, site: Site) -> Output:
    page = layout.document(target.lang, target.section, target.slug)
    link, url = site.urls.link(page), site.urls.absolute(page)
    inputs = (1, path, target.lang, link, url, target.title)

    def render() -> bytes:
        return page_html(target.lang, target.title, link, url).encode("utf-8")

    return Output(path, inputs, render, kind=KIND)


def page_html(lang: str, title: str, link: str, url: str) -> str:
    """A redirect page: a browser follows its refresh at once, a search engine its canonical link; a reader
    whose browser does neither clicks the link."""
    moved = "本页已移至" if lang == "zh" else "This page has moved to"
    return (f'<!DOCTYPE html>\n<html lang="{LANGUAGES[lang]}">\n<head>\n<meta charset="utf-8">\n'
            f'<title>{escape(title)}</title>\n<meta name="robots" content="noindex">\n'
            f'<meta name="{REDIRECT_MARK}" content="{escape(link)}">\n'
            f'<link rel="canonical" href="{escape(url)}">\n'
            f'<meta http-equiv="refresh" content="0; url={escape(link)}">\n</head>\n'
            f'<body>\n<p>{moved} <a href="{escape(link)}">{escape(title)}</a></p>\n</body>\n</html>\n')

