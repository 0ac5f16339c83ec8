"""The body of a notice: lines joined into paragraphs, then shaped into its structure.

Notices have parts (`一、`), measures (`（一）`), sub-items (`（1）`, `1.`) and unit lines;
regulations have 编/章/节 headings and articles (`第三条`) whose paragraphs are 款 and whose
`（一）` entries are 项. A structure label counts only in sequence (第三条 after 第二条), so a
wrapped line that starts `第五条规定的…` stays part of its sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zaitun.content.labels import Label, heading_label
from zaitun.content.notice.lines import ADDRESSEES, ATTACHMENT_HEAD, KINDS, Line
from zaitun.content.notice.units import split_labels, trailing_units

STOP = "。！？；"
CLOSERS = "”’）)》」』"
_HEADING_ORDER = ["part", "chapter", "section", "article"]  # 编 章 节 条


@dataclass
class Block:
    """One paragraph of the body and what it is.

    kind: part | measure | item | unit | para | attachments | label (in `paragraphs`);
    `shape` adds heading (编/章/节), article, clause (项) and subclause (目).
    """

    kind: str
    text: str
    label: Label | None = None
    level: int = 0


# ---- lines to paragraphs ---------------------------------------------------------------------

def classify(lines: list[Line]) -> None:
    """Keep a line's structure label only when it continues its sequence (第一条, 第二条, …) and
    does not continue the sentence of a full line above it (…依照本规定 / 第三条规定执行。)."""
    last: dict[str, int | None] = dict.fromkeys(_HEADING_ORDER)
    wrapped, full = _is_wrapped(lines), _full_width(lines)
    for i, line in enumerate(lines):
        if line.kind in ("part", "measure", "item") and i and _cut_short(lines[i - 1], line):
            line.kind = "para"  # `推动第一、` / `二、三产业融合发展`: the sentence above goes on
            continue
        if line.kind != "label":
            continue
        label = heading_label(line.text)
        name = label.kind.name if label else ""
        previous = last.get(name)
        if not label or (previous is not None and label.number != previous + 1 and
                         not (name == "section" and label.number == 1)) \
                or (wrapped and i and _continues(lines[i - 1], line, full)):
            line.kind = "para"
            continue
        last[name] = label.number
        for lower in _HEADING_ORDER[_HEADING_ORDER.index(name) + 1:-1]:  # chapters restart in a part
            last[lower] = None


def _continues(above: Line, line: Line, full: float) -> bool:
    """In wrapped text, an unindented line after a full line without a stop goes on its sentence."""
    ends = above.text.rstrip(CLOSERS).endswith(tuple(STOP + "：:"))
    label = heading_label(above.text) if above.kind == "label" else None
    heading = label is not None and (label.kind.name != "article" or label.end == len(above.text))
    return not line.indent and not heading and not ends and above.width >= full - 1


def _cut_short(above: Line, line: Line) -> bool:
    """An unindented list number after a line its sentence cannot end on: a list of numbers going on (`推动第一、`
    / `二、三产业融合发展`) or a title left open (`根据《泉州市` / `（二）类企业认定办法》`). However short the line
    above, the number is no heading."""
    open_title = above.text.count("《") > above.text.count("》")
    return not line.indent and above.kind != "unit" and (above.text.endswith("、") or open_title)


def paragraphs(lines: list[Line]) -> list[Block]:
    """Join hard-wrapped lines into paragraphs; one line is one paragraph in unwrapped text."""
    wrapped = _is_wrapped(lines)
    full = _full_width(lines)
    blocks: list[Block] = []
    current: list[Line] = []
    listed = False  # in an attachment list (`附件：1．…` / `2．…`)
    for line in lines:
        goes_on = wrapped and listed and _goes_on_item(current, line, full)
        starts_new = not goes_on and (line.kind != "para" or line.indent or not wrapped or _ends(current, full)
                                      or bool(ATTACHMENT_HEAD.fullmatch(line.folded))  # `附件2` heads its own
                                      or bool(ADDRESSEES.match(line.folded)))
        listed = line.kind == "attachments" or (listed and (line.kind == "item" or goes_on))
        if current and starts_new and not (wrapped and line.lead and line.kind == "para"):
            blocks.append(_block(current))
            current = []
        current.append(line)
    if current:
        blocks.append(_block(current))
    return blocks


def _goes_on_item(current: list[Line], line: Line, full: float) -> bool:
    """An attachment's name wrapped after a full line onto the next, however that line is pushed in to stand
    under the name (`附件：1．…若干措施实施` / `　　　　　　　细则`), goes on it; the signature's place parts them."""
    return bool(current) and line.kind == "para" and not line.parted and not ATTACHMENT_HEAD.fullmatch(line.folded) \
        and current[-1].width >= full - 3 and not current[-1].text.rstrip(CLOSERS).endswith(tuple(STOP + "：:"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _is_wrapped(lines: list[Line]) -> bool:
    """PDF text wraps at ~30 characters; Word paragraphs and hand-typed text do not."""
    return _percentile([line.width for line in lines], 0.9) <= 40


def _full_width(lines: list[Line]) -> float:
    return _percentile([line.width for line in lines], 0.8)


def _ends(current: list[Line], full: float) -> bool:
    """Does the paragraph end after its last line? A full line may have wrapped after a stop."""
    if not current:
        return False
    last = current[-1]
    text = last.text.rstrip(CLOSERS)
    is_full = last.width >= (full - 3 if len(current) == 1 else full - 1)
    if text.endswith(("：", ":")) or ATTACHMENT_HEAD.fullmatch(last.folded) or last.cell:
        return True
    if text.endswith(tuple(STOP)):
        return not is_full
    if current[0].kind in ("part", "unit", "label", "attachments") and not text.endswith(("，", "、")):
        return not is_full
    return False


def _block(lines: list[Line]) -> Block:
    text = lines[0].text
    for line in lines[1:]:
        gap = " " if text[-1:].isascii() and text[-1:].isalnum() and line.text[:1].isascii() else ""
        text += gap + line.text
    return Block(lines[0].kind, text)


# ---- paragraphs to structure -----------------------------------------------------------------

def shape(blocks: list[Block]) -> list[Block]:
    """Headings, articles, clauses and units from the joined paragraphs."""
    open_labels: list[tuple[int, int]] = []  # (rank in _HEADING_ORDER, level) of the headings above
    out: list[Block] = []
    in_articles = in_attachments = False
    for block in blocks:
        block, units = _without_units(block)
        if block.kind == "label":
            label = heading_label(block.text)
            in_articles = in_articles or label.kind.name == "article"
            out.extend(_labelled(block, label, _level(open_labels, _HEADING_ORDER.index(label.kind.name))))
        elif block.kind == "attachments":
            out.extend(_attachments(block))
            in_attachments = True
        elif block.kind in ("part", "measure") and not (in_articles and block.kind == "measure"):
            out.extend(_cut_heading(block))
        elif block.kind in ("measure", "item") and in_articles and not in_attachments:
            out.append(Block("clause" if block.kind == "measure" else "subclause", block.text))
        elif block.kind == "unit":  # `牵头单位：市商务局；责任单位：市发改委`: a block a label
            out.extend(Block("unit", text) for text in split_labels(block.text))
        elif block.text:
            out.append(block)
        in_attachments = in_attachments and block.kind in ("item", "attachments")
        out.extend(Block("unit", text) for text in units)
    return out


def _level(open_labels: list[tuple[int, int]], rank: int) -> int:
    """One level below the nearest enclosing structure heading: a chapter's articles are `###`,
    a section's `####`; the outermost structure present is `##`."""
    while open_labels and open_labels[-1][0] >= rank:
        open_labels.pop()
    level = open_labels[-1][1] + 1 if open_labels else 2
    open_labels.append((rank, level))
    return level


def _without_units(block: Block) -> tuple[Block, list[str]]:
    """Units written in parentheses at the end of a paragraph become unit blocks after it."""
    if block.kind in ("unit", "attachments"):
        return block, []
    found = trailing_units(block.text)
    if not found:
        return block, []
    text, units = found
    return Block(block.kind if text.strip() else "para", text.strip(), block.label), units


def _labelled(block: Block, label: Label, level: int) -> list[Block]:
    """`第一章总则` -> heading `第一章　总则`; `第三条为了…` -> article `第三条` and its first paragraph."""
    name, rest = block.text[:label.end], block.text[label.end:].lstrip(" \u3000")
    if label.kind.name == "article":
        return [Block("article", name, label, level)] + ([Block("para", rest)] if rest else [])
    return [Block("heading", f"{name}\u3000{rest}" if rest else name, label, level)]


def _cut_heading(block: Block) -> list[Block]:
    """A part or measure heading is its first sentence; what runs on after it is a paragraph."""
    level = 2 if block.kind == "part" else 3
    cut = _first_stop(block.text, "。" if block.kind == "measure" else "。！？")
    if cut < 0 or cut + 1 >= len(block.text):
        return [Block("heading", block.text, None, level)]
    return [Block("heading", block.text[: cut + 1], None, level), Block("para", block.text[cut + 1:].strip())]


def _first_stop(text: str, stops: str) -> int:
    """Index of the first sentence stop outside brackets and quotes, -1 if none."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "（(“《「":
            depth += 1
        elif ch in "）)”》」" and depth:
            depth -= 1
        elif ch in stops and not depth:
            return i
    return -1


def _attachments(block: Block) -> list[Block]:
    """`附件：1. …` (or `附件1．…`, `附件：①…`) is the label of a list whose first item follows it on the line
    (and the next items too, when all are written on it: `附件：1．…办法　2．…清单`)."""
    label, rest = re.match(r"(附件\s*[：:]?\s*)(.*)", block.text, re.S).groups()
    label = label.strip()
    if rest and any(kind == "item" and rx.match(rest) for kind, rx in KINDS):
        return [Block("para", label)] + [Block("item", item) for item in _in_sequence(rest.strip())]
    return [Block("para", block.text)]


_NUMBER = re.compile(r"[（(](\d{1,2})[）)]|(\d{1,2})[.．、](?:(?!\d)|(?=\d{4}\s*年))|([①-⑳])")


def _in_sequence(text: str) -> list[str]:
    """The items of a list written on one line, cut where the next number in sequence starts (`2．` after `1．`,
    not the `2` of `1．第2批名单`)."""
    items, start, number = [], 0, None
    for match in _NUMBER.finditer(text):
        circled = match.group(3)
        found = ord(circled) - ord("①") + 1 if circled else int(match.group(1) or match.group(2))
        if number is None or (found == number + 1 and not text[match.start() - 1].isdigit()):
            if number is not None:
                items.append(text[start:match.start()].strip())
            start, number = match.start(), found
    return items + [text[start:].strip()]
