"""Lead, responsible and cooperating units, in any of the forms notices write them.

`牵头单位：…` lines are units already; a measure ending in `（区政务服务局牵头，区发改局配合）`,
`（市商务局负责）` or `（牵头单位：…；责任单位：…）` names them in parentheses. Those become the
same `牵头单位：…` / `责任单位：…` / `配合单位：…` blocks, so translation and the page treat
every form alike. Anything in parentheses that is not wholly a list of units stays text.
"""

from __future__ import annotations

import re

from zaitun.content.hanzi import fold, is_traditional

LABELS = {  # simplified, traditional: a unit label is written in the document's own script
    "lead": ("牵头单位", "牽頭單位"),
    "responsible": ("责任单位", "責任單位"),
    "cooperating": ("配合单位", "配合單位"),
}
UNIT_LABEL = r"(?:牵头|责任|配合|主办|协办)(?:单位|部门)[：:]"  # what a unit line starts with
_VERBS = (("牵头负责", "lead"), ("牵头", "lead"), ("负责", "responsible"), ("配合", "cooperating"))
_LABELLED = {"牵头": "lead", "责任": "responsible", "配合": "cooperating"}
# the last parentheses of a text (one level of nesting: 市场监管局（知识产权局）), then a stop
_TRAILING = re.compile(r"[（(]((?:[^（）()]|[（(][^（）()]*[）)])+)[）)]([。；;]?)$")
_SEPARATOR = re.compile(r"[，,；;]")
# what the names of units end with (after 按职责分工 and a bracketed alias): 局, 政府, 办事处, 支行…
_MANNER = ("按职责分工", "按职责", "分别", "共同", "等")  # none ends another: a text ends with at most one
_ORGAN_END = re.compile(r"(?:局|委|办|厅|部|院|中心|政府|处|室|会|公司|集团|行|所|站|队|馆|社|校|关|门|单位|机构|"
                        r"企业|街道|镇|乡|区|县|市|州|省|团|司|组|园|台|庭|军|警|联|地)$")


def trailing_units(text: str) -> tuple[str, list[str]] | None:
    """(the text without its units, unit block texts) when the text ends with units in parentheses."""
    folded = fold(text)
    match = _TRAILING.search(folded)
    if not match:
        return None
    inner, inner_folded = text[match.start(1):match.end(1)], match.group(1)
    groups = _labelled(inner, inner_folded) or _by_verb(inner, inner_folded)
    if not groups:
        return None
    script = 1 if is_traditional(text) else 0
    blocks = [f"{LABELS[key][script]}：{names}" for key, names in groups.items()]
    return text[:match.start()] + match.group(2), blocks


_NEXT_LABEL = re.compile(rf"(?<![；;，,、\s])[；;，,、\s]++(?={UNIT_LABEL})")  # each run read once, whole


def split_labels(text: str) -> list[str]:
    """A unit line naming two labels (`牵头单位：市商务局；责任单位：市发改委、市财政局`) as a line each."""
    folded = fold(text)
    cuts = [m.span() for m in _NEXT_LABEL.finditer(folded) if m.start() > 0]
    out, pos = [], 0
    for start, end in cuts:
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    return [piece for piece in out if piece.strip()]


def _pieces(text: str, folded: str) -> list[tuple[str, str, str]]:
    """(piece, folded piece, separator after it) split at commas and semicolons."""
    out, pos = [], 0
    for m in _SEPARATOR.finditer(folded):
        out.append((text[pos:m.start()], folded[pos:m.start()], m.group(0)))
        pos = m.end()
    out.append((text[pos:], folded[pos:], ""))
    return out


def _labelled(text: str, folded: str) -> dict[str, str] | None:
    """`牵头单位：X；责任单位：Y` inside the parentheses."""
    groups: dict[str, str] = {}
    key, sep_before = None, ""
    for piece, piece_folded, sep in _pieces(text, folded):
        m = re.match(r"(牵头|责任|配合)(?:单位|部门)[：:]", piece_folded)
        if m:
            key = _LABELLED[m.group(1)]
            groups[key] = piece[m.end():]
        elif key is None:
            return None
        else:
            groups[key] += sep_before + piece
        sep_before = sep
    return _finished(groups)


def _by_verb(text: str, folded: str) -> dict[str, str] | None:
    """`X牵头，Y、Z配合` / `X负责`: each clause ends with what its units do."""
    groups: dict[str, str] = {}
    pending = ""
    for piece, piece_folded, sep in _pieces(text, folded):
        verb, key = next(((verb, k) for verb, k in _VERBS if piece_folded.endswith(verb)), ("", None))
        if key is None:
            pending += piece + sep
            continue
        names = re.sub(r"^由", "", pending + piece[: len(piece) - len(verb)]).strip()
        if not names:
            return None
        groups[key] = f"{groups[key]}，{names}" if key in groups else names
        pending = ""
    return None if pending.strip() else _finished(groups)


def _finished(groups: dict[str, str]) -> dict[str, str] | None:
    """The groups, when every one names units (`各单位要积极配合` does not)."""
    groups = {k: v.strip().rstrip("，,；;") for k, v in groups.items()}
    if not groups or any(not _names_units(v) for v in groups.values()):
        return None
    return groups


def _names_units(names: str) -> bool:
    bare = re.sub(r"[（(][^（()）]*[）)]$", "", _without_manner(fold(names)))
    return bool(bare) and "。" not in names and len(names) <= 300 and bool(_ORGAN_END.search(bare))


def _without_manner(text: str) -> str:
    """The text without the words of manner it ends with (`市商务局等`, `…按职责分工`), taken off from the end one
    by one: a pattern looking for them from every character cost minutes on a run of thousands of 等."""
    end = len(text) - text.endswith("\n")  # (before a last line break, as `$` would)
    while word := next((w for w in _MANNER if text.endswith(w, 0, end)), None):
        end -= len(word)
    return text[:end] + text[len(text) - text.endswith("\n"):]
