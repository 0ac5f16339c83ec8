"""The labels the site shows for tags: tags.yaml (zaitun.content.tags), then the glossary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zaitun.content.tags import Labels, is_chinese, load_tag_labels, tags_path
from zaitun.errors import GlossaryError

if TYPE_CHECKING:
    from zaitun.translate.glossary import Glossary


def tag_labels(glossary_dir: Path, tags: set[str], refused: list[GlossaryError] | None = None) -> Labels:
    """Labels of the given tags: tags.yaml first (but an English label holding a forbidden rendering, added to
    `refused`), then the glossary for Chinese tags that are terms."""
    labels, found, glossary = screened_labels(glossary_dir)
    if refused is not None:
        refused += found
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
    return labels


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
