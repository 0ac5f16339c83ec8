"""The labels the site shows for tags: tags.yaml (zaitun.content.tags), then the glossary."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from zaitun import statefiles
from zaitun.content.tags import Labels, is_chinese, load_tag_labels, same_tags, tags_path
from zaitun.errors import GlossaryError
from zaitun.publish.i18n import programme_name, section_name

if TYPE_CHECKING:
    from zaitun.translate.glossary import Glossary


def tag_labels(glossary_dir: Path, tags: set[str], refused: list[GlossaryError] | None = None,
               screening: Screening | None = None, named: Collection[tuple[str, str]] = ()
               ) -> tuple[Labels, dict[str, str]]:
    """Labels of the given tags: tags.yaml first (but an English label holding a forbidden rendering, added to
    `refused`), then the glossary for Chinese tags that are terms; and the tags written as another's Chinese
    label, with that tag (content.tags.same_tags). With `screening`, every English label shown (a slug tag's as
    written too, and each of `named`: (programme or section, its name) as the site shows it) is checked for
    forbidden renderings of any term (see `Screening`)."""
    try:
        labels, found, glossary = screened_labels(glossary_dir)
    except GlossaryError as exc:  # a tags.yaml that does not read stops no build: tags, programmes and sections
        labels, found, glossary = {}, [exc], None  # are shown by their names (screened) until it is mended
    if refused is not None:
        refused += found
    same = same_tags(labels)
    tags = {same.get(tag, tag) for tag in tags}
    if glossary is None and any(is_chinese(t) for t in tags):
        from zaitun.translate.glossary import load_glossary

        glossary = load_glossary(glossary_dir)
    terms = glossary.by_term if glossary is not None else {}
    for tag in tags:
        names = labels.setdefault(tag, {})
        if is_chinese(tag):
            names.setdefault("zh", tag)
            if "en" not in names and tag in terms:
                names["en"] = terms[tag].en
        else:  # a slug such as `visa-free` reads as English: "visa free"
            names.setdefault("en", tag.replace("-", " "))
    if screening is not None:
        shown = {("tag", tag): labels[tag]["en"] for tag in tags if labels[tag].get("en")}
        for kind, name in named:
            shown[(kind, name)] = (section_name if kind == "section" else programme_name)(name, "en", labels)
        found = screening.screen(labels, shown, glossary)
        if refused is not None:
            refused += found
    return labels, same


@dataclass
class Screening:
    """Checks the English the site shows for tags, programmes and sections against the glossary: staff name them,
    no reviewer reads them, so a name holding a forbidden rendering of any term (`propaganda-department` shows
    "propaganda department") is replaced by its Chinese label, else the terms' approved English, and named (its
    English label is the replacement: pages, lists and feeds show that). The outcome is kept in
    `cache` (the state folder's) by the glossary's version and the labels: a build that changed neither reads
    no glossary (the checks take a fifth of a rebuild's start-up to import)."""

    glossary_dir: Path
    version: Callable[[], str]  # the glossary's version (publish/screen.py knows it without reading it)
    cache: Path | None  # None: screened anew, nothing kept (zaitun check)
    withheld: set[str] = field(default_factory=set)  # the names whose English was replaced
    found: list[GlossaryError] = field(default_factory=list)  # why, each

    def screen(self, labels: Labels, shown: dict[tuple[str, str], str], glossary: Glossary | None = None
               ) -> list[GlossaryError]:
        """Screen `shown` ((kind, name) -> the English the site shows), put each replacement in `labels`."""
        if not shown:
            return []
        ordered = sorted(shown.items())
        key = [self.version(), [[kind, name, english] for (kind, name), english in ordered]]
        done = _read_cache(self.cache) if self.cache else None
        if done is None or done.get("key") != key:
            done = {"key": key, "refused": self._refused(labels, ordered, glossary)}
            with contextlib.suppress(OSError):  # a cache: the next build screens again
                if self.cache:
                    statefiles.write(self.cache, done)
        errors = []
        for kind, name, english, replacement, why in done["refused"]:
            labels.setdefault(name, {})["en"] = replacement
            self.withheld.add(name)
            errors.append(GlossaryError(tags_path(self.glossary_dir), f"{kind} {name!r}: its English {english!r} is "
                                        f"not shown ({why}); the English pages show {replacement!r} until tags.yaml "
                                        f"gives the {kind} an English label"))
        self.found += errors
        return errors

    def _refused(self, labels: Labels, shown: list, glossary: Glossary | None) -> list[list[str]]:
        from zaitun.translate.checks import forbidden_anywhere, forbidden_message
        from zaitun.translate.glossary import load_glossary

        glossary = glossary or load_glossary(self.glossary_dir)
        refused = []
        for (kind, name), english in shown:
            zh = labels.get(name, {}).get("zh", name)
            found = forbidden_anywhere(zh, english, glossary)
            if found:
                approved = " / ".join(dict.fromkeys(entry.en for _, entry in found if entry.en))
                replacement = zh if is_chinese(zh) else approved or UNSHOWN
                refused.append([kind, name, english, replacement,
                                "; ".join(forbidden_message(text, entry) for text, entry in found)])
        return refused


UNSHOWN = "…"  # the English of a tag holding a forbidden rendering of a term no line gives English for yet
TAGS_SCREENED = "tags-screened.json"  # in the state folder: the last screening's outcome


def _read_cache(path: Path) -> dict | None:
    try:
        found = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    refused = found.get("refused") if isinstance(found, dict) else None
    fits = isinstance(refused, list) and all(
        isinstance(item, list) and len(item) == 5 and all(isinstance(x, str) for x in item) for item in refused)
    return found if fits else None  # (one not as a build writes it is screened anew)


def screened_labels(glossary_dir: Path) -> tuple[Labels, list[GlossaryError], Glossary | None]:
    """tags.yaml's labels without the English ones holding a forbidden rendering of a term of their Chinese
    label (or Chinese tag): the English site shows those tags by their name instead. Returns the labels, an
    error naming each refused label's line, and the glossary when it was read (None: no label needed it)."""
    lines: dict[str, int] = {}
    labels = {tag: dict(names) for tag, names in load_tag_labels(glossary_dir, lines).items()}
    sources = {tag: names.get("zh", tag) for tag, names in labels.items() if "en" in names}
    sources = {tag: zh for tag, zh in sources.items() if is_chinese(zh)}
    if not sources:
        return labels, [], None
    from zaitun.translate.checks import forbidden_message, forbidden_renderings
    from zaitun.translate.glossary import load_glossary

    glossary = load_glossary(glossary_dir)
    refused = []
    for tag, zh in sources.items():
        found = forbidden_renderings(zh, labels[tag]["en"], glossary)
        if found:
            del labels[tag]["en"]
            refused.append(GlossaryError(tags_path(glossary_dir), f"{tag}: its English label is not shown: "
                                         + "; ".join(forbidden_message(text, entry) for text, entry in found),
                                         lines.get(tag)))
    return labels, refused, glossary
