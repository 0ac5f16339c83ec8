"""English releases checked for forbidden renderings before they go online (glossary/README.md: they must
never appear), for releases the review gate made before it checked them itself.

The gate makes a release only of English free of forbidden renderings and marks it `screened`
(zaitun.review.gate.make_release); a build trusts that mark. A release without it, read anew by a build,
is checked here, the whole document at once: a forbidden rendering of a term of its Chinese anywhere in its
English. Such a release does not go online: the English released before stays (inputs.collect), or the
page has no English, and the build names the document and the rendering. Only releases a build reads anew
are checked (and English cached before builds screened, once), so the glossary and the checks are loaded
only when one of them lacks the mark. A release is not checked again when the glossary changes later.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from zaitun import failures
from zaitun.errors import ContentError, LocatedError

if TYPE_CHECKING:
    from zaitun.translate.glossary import Glossary


class Screen:
    """The forbidden renderings of one build's releases, and the documents whose English they held back."""

    def __init__(self, glossary_dir: Path) -> None:
        self.glossary_dir = glossary_dir
        self.held: dict[str, LocatedError] = {}  # slug -> why its new English is not online
        self.states: dict[str, str] = {}  # slug -> HELD_BACK (the English released before stays) or LEFT_OUT

    def found(self, raw: str, payload: dict) -> list[tuple[str, str, str]]:
        """(text found, Chinese term, approved rendering) of each forbidden rendering in a release's English."""
        if "screened" in payload or not self.forbids:
            return []
        from zaitun.translate.checks import forbidden_renderings

        return [(text, entry.zh, entry.en) for text, entry in forbidden_renderings(raw, _english(payload),
                                                                                   self.glossary)]

    def hold(self, row: dict, raw: str, found: list[tuple[str, str, str]], kept: bool) -> None:
        """Record a document whose new English was refused; `kept`: the English released before stays online."""
        what = "page held back, the English released before stays online" if kept else "page left out of the site"
        renderings = "; ".join(f'"{text}", a forbidden rendering of {zh} (write "{en}")' for text, zh, en in found)
        self.held[row["slug"]] = ContentError(
            row["path"], f"en {what}: its release holds {renderings}; edit that text in review "
                         f"(`zaitun review show {row['slug']}`) and approve it again", _line(raw, found[0][1]))
        self.states[row["slug"]] = failures.HELD_BACK if kept else failures.LEFT_OUT

    @functools.cached_property
    def glossary(self) -> Glossary:
        from zaitun.translate.glossary import load_glossary

        return load_glossary(self.glossary_dir)

    @functools.cached_property
    def forbids(self) -> bool:
        """Whether the glossary forbids any rendering at all (when not, there is nothing to check)."""
        return any(entry.forbidden for entry in self.glossary.entries)  # every line: a term's may disagree


def _english(payload: dict) -> str:
    """Every English text of a release: its front matter, its facts' English and its body."""
    texts = [str(v) for v in (payload.get("meta") or {}).values() if v]
    texts += [str(f.get("en") or "") for f in (payload.get("facts") or {}).values() if isinstance(f, dict)]
    return "\n\n".join([*texts, payload.get("body") or ""])


def _line(raw: str, term: str) -> int:
    """The line of the Chinese file where the term first appears (1 when it does not)."""
    for number, text in enumerate(raw.split("\n"), start=1):
        if term in text:
            return number
    return 1
