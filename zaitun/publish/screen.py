"""English releases checked for forbidden renderings before they go online (glossary/README.md: they must
never appear), as the glossary is at this build.

The gate makes a release only of English free of forbidden renderings and marks it `screened` with the
glossary's version it checked it against, with the screening rules' (glossary.screened_against: English a
zaitun with older rules screened is screened again once); a build trusts that mark while both are the same.
Any other release a build reads is checked here, the whole document at once: a forbidden rendering of a term
of its Chinese anywhere in its English. So is every release online once the glossary changes: the build
records the version it screened its English against (inputs.collect keeps it with each document's English,
and the build's summary keeps the glossary's), so a build whose inputs did not change knows the version
without reading the glossary, and one after a glossary change reads each release once more. A release
holding one does not go online: the English released before stays if it passes (inputs.collect), or the page
has no English; the build names the document and the rendering, and the approved segments holding it come
back to review (zaitun.review.gate.back_to_review). The glossary and the checks are loaded only when a
release must be checked.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from zaitun import failures
from zaitun.content.model import split_front_matter
from zaitun.errors import ContentError, LocatedError

if TYPE_CHECKING:
    from zaitun.state.lazy import LazyStore
    from zaitun.state.store import Store
    from zaitun.translate.glossary import Glossary


class Screen:
    """The forbidden renderings of one build's releases, and the documents whose English they held back."""

    def __init__(self, glossary_dir: Path, version: str | None = None) -> None:
        self.glossary_dir = glossary_dir
        self.known = version  # the glossary's version when known without reading it (the build online's)
        self.held: dict[str, LocatedError] = {}  # slug -> why its new English is not online
        self.states: dict[str, str] = {}  # slug -> HELD_BACK (the English released before stays) or LEFT_OUT

    @functools.cached_property
    def version(self) -> str:
        """The glossary's version (a hash of the files it is read from: a broken file's kept copy too) with the
        screening rules', which releases and cached English are screened against (glossary.screened_against):
        the very version the review gate marks what it screened with."""
        if self.known:
            return self.known
        from zaitun.translate.glossary import screened_against

        return screened_against(self.glossary.version)

    def found(self, raw: str, payload: dict) -> list[tuple[str, str, str]]:
        """(text found, Chinese term, approved rendering) of each forbidden rendering in a release's English."""
        if payload.get("screened") == self.version or not self.forbids:
            return []
        from zaitun.translate.checks import forbidden_renderings

        return [(text, entry.zh, entry.en) for text, entry in forbidden_renderings(raw, _english(payload),
                                                                                   self.glossary)]

    def hold(self, row: dict, raw: str, found: list[tuple[str, str, str]], kept: bool, payload: dict | None = None
             ) -> None:
        """Record a document whose new English was refused, at the line whose English holds the first rendering
        found (its release's `payload`); `kept`: the English released before stays online."""
        what = "page held back, the English released before stays online" if kept else "page left out of the site"
        renderings = "; ".join(f'"{text}", a forbidden rendering of {zh}' + (f' (write "{en}")' if en else "")
                               for text, zh, en in found)
        self.held[row["slug"]] = ContentError(
            row["path"], f"en {what}: its release holds {renderings}; edit that text in review "
                         f"(`zaitun review show {row['slug']}`) and approve it again",
            _line_of(raw, Path(row["path"]), payload or {}, *found[0][:2]))
        self.states[row["slug"]] = failures.HELD_BACK if kept else failures.LEFT_OUT

    def back_to_review(self, store: Store | LazyStore) -> None:
        """Bring back to review, flagged, the approved segments holding the renderings of the releases held."""
        if self.held:
            from zaitun.review.gate import back_to_review

            for slug in sorted(self.held):
                back_to_review(store, slug, glossary=self.glossary)

    @functools.cached_property
    def glossary(self) -> Glossary:
        from zaitun.translate.glossary import load_glossary

        return load_glossary(self.glossary_dir)

    @functools.cached_property
    def forbids(self) -> bool:
        """Whether the glossary forbids any rendering at all (when not, there is nothing to check)."""
        return bool(self.glossary.banning)  # every line, a ban with no English yet too: a term's may disagree


def _english(payload: dict) -> str:
    """Every English text of a release: its front matter, its facts' English and its body."""
    texts = [str(v) for v in (payload.get("meta") or {}).values() if v]
    texts += [str(f.get("en") or "") for f in (payload.get("facts") or {}).values() if isinstance(f, dict)]
    return "\n\n".join([*texts, payload.get("body") or ""])


def _line_of(raw: str, path: Path, payload: dict, text: str, term: str) -> int:
    """The line of the Chinese file whose English holds `text`: the front-matter field whose English does (a
    fact's too), or the body's paragraph (its English body has the Chinese body's paragraphs, in order); else
    where the term first appears (1 when it does not)."""
    lines = raw.split("\n")
    try:
        _, body, body_line = split_front_matter(raw, path)
    except ContentError:  # (a stored file has front matter: intake took it)
        body, body_line = raw, 1
    fields = {**{k: str(v) for k, v in (payload.get("meta") or {}).items() if v},
              **{k: str(f.get("en") or "") for k, f in (payload.get("facts") or {}).items() if isinstance(f, dict)}}
    front = lines[:body_line - 1]
    for key in (key for key, english in fields.items() if text in english):
        if (number := next((n for n, line in enumerate(front, 1) if line.startswith(f"{key}:")), None)) is not None:
            return number
    english, chinese = _paragraphs(payload.get("body") or ""), _paragraphs(body)
    at = next((i for i, (_, paragraph) in enumerate(english) if text in paragraph), None)
    if at is not None and len(english) == len(chinese):
        return body_line + chinese[at][0] - 1
    return next((n for n, line in enumerate(lines, 1) if term in line), 1)


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each run of non-blank lines."""
    lines = text.split("\n")
    found: list[tuple[int, str]] = []
    start = None
    for number, line in enumerate([*lines, ""], 1):
        if line.strip() and start is None:
            start = number
        elif not line.strip() and start is not None:
            found.append((start, "\n".join(lines[start - 1:number - 1])))
            start = None
    return found
