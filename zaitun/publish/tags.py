"""The labels the site shows for tags: tags.yaml (zaitun.content.tags), then the glossary."""

from __future__ import annotations

from pathlib import Path

from zaitun.content.tags import Labels, is_chinese, load_tag_labels


def tag_labels(glossary_dir: Path, tags: set[str]) -> Labels:
    """Labels of the given tags: tags.yaml first, then the glossary for Chinese tags that are terms."""
    from zaitun.translate.glossary import load_glossary

    labels = {tag: dict(names) for tag, names in load_tag_labels(glossary_dir).items()}
    terms = load_glossary(glossary_dir).by_term if any(is_chinese(t) for t in tags) else {}
    for tag in tags:
        names = labels.setdefault(tag, {})
        if is_chinese(tag):
            names.setdefault("zh", tag)
            if "en" not in names and tag in terms:
                names["en"] = terms[tag].en
        else:  # a slug such as `visa-free` reads as English: "visa free"
            names.setdefault("en", tag.replace("-", " "))
    return labels
