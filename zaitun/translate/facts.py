"""Drafts for the facts of a document's front matter that no engine should translate.

Validity dates read the same in English (YYYY-MM-DD), so their draft is the date itself. A
document number keeps its Chinese form on the page; its draft is the usual English rendering
(泉政办规〔2024〕11号 -> "Quanzhengbangui [2024] No. 11") when its prefix is a glossary term, or
else the number with only the brackets and 号 rendered, for the reviewer to complete. The
issuer is ordinary text: memory, glossary and engine translate it like any segment.
"""

from __future__ import annotations

import re

from zaitun.translate.glossary import Glossary

DATE_KINDS = ("valid_from", "valid_until")
RULE_KINDS = (*DATE_KINDS, "doc_number")
DOC_NUMBER_RE = re.compile(r"^(?P<prefix>.*?)\s*[〔\[［(（【]\s*(?P<year>\d{4})\s*[〕\]］)）】]\s*"
                           r"第?\s*(?P<number>\d+)\s*[号號]$")


def fact_draft(kind: str, source: str, glossary: Glossary) -> str | None:
    """The draft of a rule-made fact, or None when `kind` is translated like text."""
    if kind in DATE_KINDS:
        return source
    if kind == "doc_number":
        return doc_number_english(source, glossary)
    return None


def doc_number_english(number: str, glossary: Glossary) -> str:
    """`PREFIX〔YEAR〕N号` as `Prefix [YEAR] No. N`, the prefix from the glossary where it is a term."""
    m = DOC_NUMBER_RE.match(number.strip())
    if m is None:
        return number
    prefix = m["prefix"].strip()
    entry = glossary.by_term.get(prefix)
    rendered = entry.en if entry else prefix
    return f"{rendered} [{m['year']}] No. {int(m['number'])}".strip()
