"""The one Markdown renderer: raw HTML off (content is untrusted), tables, heading anchors."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin


def _slugify(text: str) -> str:
    """Anchor ids that keep Chinese characters (browsers accept them in fragments)."""
    out = []
    for ch in text.strip().lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-") or "section"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable(["html_block", "html_inline"])  # with html off they only ever say no, once per line or '<'
    md.use(anchors_plugin, min_level=2, max_level=3, slug_func=_slugify, permalink=False)
    return md


def render_markdown(text: str) -> str:
    """Markdown to safe HTML; `javascript:` and other unsafe links are refused by markdown-it."""
    return _parser().render(text)
