"""A prohibition of the Chinese (不得, 禁止, 不予) with no negation left in the English.

Engines drop a 不 now and then, and "foreign nationals may engage in…" for 不得从事 reads as a
permission: every number and term is still there. English says "not" in many ways (no, never,
prohibited, barred, refused, only, outside, n't, …), so only English with none of them is reported.
A limit (不得超过30天, "up to 30 days") is a maximum the role check reads, not a prohibition.
A segment of several sentences or clauses (。；) whose English has as many is compared clause by clause: the
"not" of one does not stand for the prohibition of another (个人不得转让；单位可以申请 as "Individuals may
transfer; units may not apply").
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


ZH_CLAUSE_END = re.compile(r"(?<=[。；！？;!?])")
EN_CLAUSE_END = re.compile(r"(?<=[.;!?])\s+")


def dropped(source: str, target: str) -> str | None:
    """The first prohibition word of the Chinese whose English (its clause, when both have as many) says no kind
    of "not", else None."""
    hit = ZH_RE.search(source)
    if hit is None:
        return None
    if not EN_RE.search(target):
        return hit.group(0)
    chinese = [clause for clause in ZH_CLAUSE_END.split(source) if clause.strip()]
    english = [clause for clause in EN_CLAUSE_END.split(target.strip()) if clause.strip()]
    if len(chinese) < 2 or len(chinese) != len(english):  # no telling which English says which clause
        return None
    for zh, en in zip(chinese, english, strict=True):
        if (hit := ZH_RE.search(zh)) and not EN_RE.search(en):
            return hit.group(0)
    return None
