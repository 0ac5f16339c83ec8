"""How tags are shown in each language: `glossary/tags.yaml`, with the glossary as a fallback.

Front matter tags are written once, in whatever form staff chose (`visa-free`, `政策文件`);
the tag's page path is the same in both languages, so its Chinese and English pages pair up.
Readers see a label in their own language:

    visa-free:
      zh: 免签
      en: Visa-free

A Chinese tag without an English label takes the glossary's approved English when the tag
is itself a glossary term, and a slug tag reads as English with its hyphens as spaces
(zaitun.publish.tags, since the glossary belongs to the translate stage); any other tag
without a label is shown as written, and the build reports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zaitun.config import LANGUAGES
from zaitun.content.model import is_han
from zaitun.errors import GlossaryError, utf8_text

if TYPE_CHECKING:
    import yaml

TAGS_FILE = "tags.yaml"

Labels = dict[str, dict[str, str]]  # tag -> {lang: label}


def tags_path(glossary_dir: Path) -> Path:
    return Path(glossary_dir) / TAGS_FILE


def load_tag_labels(glossary_dir: Path, lines: dict[str, int] | None = None) -> Labels:
    """The labels of tags.yaml (none if the file is missing); a malformed file raises with its line. `lines`,
    when given, gets each tag's line."""
    path = tags_path(glossary_dir)
    if not path.is_file():
        return {}
    import yaml  # here: a site without tags.yaml builds without YAML

    text = utf8_text(path.read_bytes(), path, GlossaryError)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        line = exc.problem_mark.line + 1 if getattr(exc, "problem_mark", None) else None
        raise GlossaryError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}", line) from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise GlossaryError(path, "expected a mapping of tag -> {zh: label, en: label}", root.start_mark.line + 1)
    if lines is not None:
        lines.update((key.value, key.start_mark.line + 1) for key, _ in root.value if isinstance(key, yaml.ScalarNode))
    return dict(_entry(path, key, value) for key, value in root.value)


def _entry(path: Path, key: yaml.Node, value: yaml.Node) -> tuple[str, dict[str, str]]:
    import yaml

    line = key.start_mark.line + 1
    if not isinstance(key, yaml.ScalarNode) or not key.value.strip():
        raise GlossaryError(path, "a tag must be a non-empty text", line)
    if not isinstance(value, yaml.MappingNode):
        raise GlossaryError(path, f"{key.value}: expected labels such as {{zh: 免签, en: Visa-free}}", line)
    labels = {}
    for lang_node, label_node in value.value:
        lang, label = lang_node.value, label_node.value if isinstance(label_node, yaml.ScalarNode) else ""
        if lang not in LANGUAGES:
            raise GlossaryError(path, f"{key.value}: unknown language {lang!r} (use {', '.join(LANGUAGES)})",
                                lang_node.start_mark.line + 1)
        if not str(label).strip():
            raise GlossaryError(path, f"{key.value}: empty {lang} label", lang_node.start_mark.line + 1)
        labels[lang] = str(label).strip()
    return key.value, labels


def same_tags(labels: Labels) -> dict[str, str]:
    """Tags written as another tag's Chinese label, and that tag: a document tagged 免签 is on the page of
    `visa-free` when tags.yaml gives it `zh: 免签`, not on a page of its own that shows the same words. A label
    two tags share, or one that is a tag of tags.yaml itself, names no other tag."""
    named: dict[str, list[str]] = {}
    for tag, names in labels.items():
        zh = names.get("zh")
        if zh and zh != tag and zh not in labels:
            named.setdefault(zh, []).append(tag)
    return {zh: tags[0] for zh, tags in named.items() if len(tags) == 1}


def unlabelled(labels: Labels, tags: set[str]) -> list[str]:
    """`tag (lang)` for every tag shown as written in a language it has no label in."""
    return [f"{tag} ({lang})" for tag in sorted(tags) for lang in LANGUAGES if lang not in labels.get(tag, {})]


def is_chinese(text: str) -> bool:
    return any(is_han(ch) for ch in text)
