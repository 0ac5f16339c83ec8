"""A prohibition of the Chinese (不得, 禁止, 不予) with no negation left in the English.

Engines drop a 不 now and then, and "foreign nationals may engage in…" for 不得从事 reads as a
permission: every number and term is still there. English says "not" in many ways (no, never,
prohibited, barred, refused, only, outside, n't, …), so only English with none of them is reported.
A limit (不得超过30天, "up to 30 days") is a maximum the role check reads, not a prohibition.
A segment of several sentences or clauses (。；) whose English has as many is compared clause by clause: the
"not" of one does not stand for the prohibition of another (个人不得转让；单位可以申请 as "Individuals may
transfer; units may not apply"). When the English has more or fewer clauses (it merges 禁止吸烟。禁止饮食。 into
one, or splits a long sentence at its commas), the prohibition's part of the Chinese (up to its comma) is
aligned by its position in the segment: the English clauses covering the same stretch of the text, give or take
a tenth, must say "not", unless the English holds a "not" elsewhere that no other negative word of the Chinese
(未, 不需要, 仅…) accounts for: the rule moved to a sentence of its own. Translations mostly keep the order of
their clauses, and clause lengths are near enough in proportion (every clause of the approved pairs lands on
its own English).
"""

from __future__ import annotations

import re

COMPARED = "超过|少于|低于|高于|多于|晚于|早于|长于|短于|大于|小于"
ZH_RE = re.compile(rf"(?:不得(?!不|已)|禁止|严禁|不予|不准|不允许|不能|不可(?!抗力|或缺|思议)|不应|请勿|切勿|不要(?!求)"
                   rf"|不宜)(?!{COMPARED})")
EN_RE = re.compile(
    r"\b(?:not|no|never|nor|neither|none|nobody|nothing|without|cannot|prohibit\w*|forbid\w*|ban|bans|banned"
    r"|bar|bars|barred|refus\w*|reject\w*|den(?:y|ies|ied|ial)|illegal\w*|unlawful\w*|disallow\w*|avoid\w*"
    r"|refrain\w*|exclud\w*|restrict\w*|outside|only|beyond|exempt\w*|except\w*|instead|rather|unable"
    r"|unauthori[sz]ed|ineligible|inadmissible|impermissible|invalid|void|against|limit\w*|solely|free of|fail\w*"
    r"|lack\w*|impossible|unless)\b"
    r"|n['’]t\b", re.I)


# other negative words, whose English says "not", "only", "without"… as a prohibition's would (未满, 不需要, 仅限)
ZH_OTHER_RE = re.compile(r"[不没無无未非免勿否仅只限除禁拒缺违超]")
ZH_CLAUSE_END = re.compile(r"(?<=[。；！？;!?])")
ZH_PART_END = re.compile(r"(?<=[。；！？;!?，,：:])")
EN_CLAUSE_END = re.compile(r"(?<=[.;!?])\s+")
SLACK = 0.1  # of the segment's length: how far an English clause may sit from its Chinese


def dropped(source: str, target: str) -> str | None:
    """The first prohibition word of the Chinese whose English (its clause when both have as many, else the
    clauses at its position) says no kind of "not", else None."""
    hit = ZH_RE.search(source)
    if hit is None:
        return None
    if not EN_RE.search(target):
        return hit.group(0)
    chinese = [clause for clause in ZH_CLAUSE_END.split(source) if clause.strip()]
    english = [clause for clause in EN_CLAUSE_END.split(target.strip()) if clause.strip()]
    if len(chinese) != len(english):
        return _dropped_by_position(source, english)
    for zh, en in zip(chinese, english, strict=True):
        if (hit := ZH_RE.search(zh)) and not EN_RE.search(en):
            return hit.group(0)
    return None


def _dropped_by_position(source: str, english: list[str]) -> str | None:
    """The first prohibition of the Chinese none of whose English clauses, found by position, says "not",
    unless the English holds a "not" to spare: one in no clause of a prohibition found in its place, beyond
    what the Chinese's other negative words (未, 不需要, 仅…) may have become. English may move a rule to a
    sentence of its own ("Register within 24 hours. No delay is allowed." for 不得逾期，…24小时内登记)."""
    parts = ZH_PART_END.split(source)
    targets = _spans(english)
    dropped, used = None, set()
    for part, (start, end) in zip(parts, _spans(parts), strict=True):
        if (hit := ZH_RE.search(part)) is None:
            continue
        start, end = start - SLACK, end + SLACK
        covering = {n for n, (first, last) in enumerate(targets)
                    if min(end, last) - max(start, first) >= min(end - start, last - first) / 2}
        saying_not = {n for n in covering if EN_RE.search(english[n])}
        used |= saying_not
        dropped = dropped or (None if saying_not else hit.group(0))
    if dropped is None:
        return None
    spare = sum(len(EN_RE.findall(en)) for n, en in enumerate(english) if n not in used)
    return dropped if spare <= len(ZH_OTHER_RE.findall(ZH_RE.sub("", source))) else None


def _spans(parts: list[str]) -> list[tuple[float, float]]:
    """Where each part starts and ends, as fractions of their joined length."""
    total = sum(len(part) for part in parts) or 1
    spans, pos = [], 0
    for part in parts:
        spans.append((pos / total, (pos + len(part)) / total))
        pos += len(part)
    return spans
