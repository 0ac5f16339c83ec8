"""Shaped blocks to the Markdown body of a content document."""

from __future__ import annotations

import re

from zaitun.content.notice.body import Block


def render(blocks: list[Block]) -> str:
    """Headings `##`/`###`…, articles as headings of their own label (anchored #article-N by the
    site), items and clauses as list items, units as bold labels under what they belong to."""
    out: list[str] = []
    in_item = False
    outer = None  # how the list's outer items are numbered: `1.`; `（1）` under one of them is an item of it
    closing = _closing_units(blocks)
    for n, block in enumerate(blocks):
        if block.kind == "unit":
            label, rest = re.split(r"[：:]", block.text, maxsplit=1)
            out.append(("  " if in_item and n not in closing else "") + f"**{label}**：{_inline(rest)}")
            continue
        in_item = block.kind in ("item", "clause", "subclause")
        style = _numbering(block.text) if block.kind == "item" else None
        outer = (outer or style) if in_item else None
        if block.kind in ("heading", "article"):
            out.append("#" * block.level + " " + _inline(block.text))
        elif block.kind == "item" and style and outer and style != outer:
            out.append("  - " + _list_text(block.text))
        elif block.kind in ("item", "clause"):
            out.append("- " + _list_text(block.text))
        elif block.kind == "subclause":
            out.append("  - " + _list_text(block.text))
        else:
            out.append(_escape_start(_inline(block.text)))
    return "\n\n".join(out) + "\n"


LISTED = ("item", "clause", "subclause")


def _closing_units(blocks: list[Block]) -> set[int]:
    """The unit blocks after the last of several items none of which has a unit of its own: the units of the
    measure the items are the steps of (`1.推行网上办理。` `2.推行电子证照。` `（市市场监管局负责）`), not of
    its last step."""
    closing: set[int] = set()
    start = 0
    while start < len(blocks):
        if blocks[start].kind not in LISTED:
            start += 1
            continue
        end = start
        while end < len(blocks) and blocks[end].kind in (*LISTED, "unit"):
            end += 1
        items = [n for n in range(start, end) if blocks[n].kind in LISTED]
        if len(items) > 1 and all(blocks[n].kind in LISTED for n in range(start, items[-1])):
            closing.update(range(items[-1] + 1, end))
        start = end
    return closing


def _numbering(text: str) -> str | None:
    """How an item is numbered: `1.`, `(1)` or `①` (None: not by a number)."""
    for style, rx in (("1.", r"\d{1,2}[.．、]"), ("(1)", r"[（(]\d{1,2}[）)]"), ("①", r"[①-⑳]")):
        if re.match(rx, text):
            return style
    return None


def _list_text(text: str) -> str:
    return re.sub(r"^(\d+)\.", r"\1\\.", _inline(text))


def _inline(text: str) -> str:
    return re.sub(r"([\\*_`<])", r"\\\1", text)


def _escape_start(text: str) -> str:
    """Keep a paragraph that starts like Markdown syntax (`# `, `- `, `1. `) a plain paragraph."""
    if re.match(r"^(?:[#>+\-=|]|\d+[.)])", text):
        return "\\" + text if not text[0].isdigit() else re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return text
