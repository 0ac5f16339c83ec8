"""Drafts for the facts of a document's front matter that no engine should translate.

Validity dates read the same in English (YYYY-MM-DD), so their draft is the date itself; so is a
fenced code block's, which no engine should touch either. A
document number keeps its Chinese form on the page; its draft is the usual English rendering,
the organ's abbreviation in pinyin with the year and the number (泉政办规〔2024〕11号 ->
"Quanzhengbangui [2024] No. 11"): the abbreviation from the glossary when it is a term there,
else spelled from a table of the characters such abbreviations are made of; one outside the
table stays Chinese, so QA flags the draft for the reviewer to finish. The issuer is ordinary
text: memory, glossary and engine translate it like any segment.
"""

from __future__ import annotations

import re

from zaitun.content.pinyin import PINYIN
from zaitun.translate.glossary import Glossary

DATE_KINDS = ("valid_from", "valid_until")
RULE_KINDS = (*DATE_KINDS, "doc_number", "code")
# A prefix never ends in a blank (the blank is the gap before the bracket): said so ((?<!\s)), and blanks taken
# whole (*+), a run of 30,000 blanks is read once, not once from each of its characters
DOC_NUMBER_RE = re.compile(r"^(?P<prefix>.*?)(?<!\s)\s*+[〔\[［(（【„]\s*+(?P<year>\d{4})\s*+[〕\]］)）】‟”]\s*+"
                           r"第?\s*+(?P<number>\d+)\s*+[号號]$")
ORDER_NUMBER_RE = re.compile(r"^(?P<prefix>.*?)第\s*+(?P<number>\d+)\s*+[号號]$")
# 公告2024年第3号
YEAR_NUMBER_RE = re.compile(r"^(?P<prefix>.*?)(?P<year>\d{4})\s*+年\s*+第\s*+(?P<number>\d+)\s*+[号號]$")

# Characters of organ abbreviations in document numbers, simplified and traditional (provinces and cities, then
# the kinds of organ and of document): a prefix made only of them is spelled in pinyin, in the reading they have
# there (content/pinyin.py); another (潍坊市人民政府令) is a name, translated like text.
ABBREVIATING = frozenset(
    "京津沪滬渝冀晋晉辽遼吉黑苏蘇浙皖闽閩赣贛鲁魯豫鄂湘粤粵琼瓊川蜀黔贵貴滇云雲陕陝甘陇隴青宁寧新桂蒙藏港"
    "澳台臺泉厦廈榕莆漳龙龍岩潍濰东東莞深穗杭甬温溫昆官渡长長沙政府办辦发發规規函令字综綜委党黨人大常纪紀"
    "组組宣统統财財教卫衛健建商外侨僑公安市区區县縣电電明传傳秘复復批意见見督查文社资資源环環农農水交住科"
    "工信民司法审審计計应應急医醫保税稅务務海关關林体體旅改经經贸貿金融证證监監管质質技术術城乡鄉"
)


def fact_draft(kind: str, source: str, glossary: Glossary) -> str | None:
    """The draft of a rule-made fact, or None when `kind` is translated like text."""
    if kind in DATE_KINDS or kind == "code":  # a code block's draft is the code: the reviewer keeps or edits it
        return source
    if kind == "doc_number":
        return doc_number_english(source, glossary)
    return None


def doc_number_english(number: str, glossary: Glossary) -> str:
    """`PREFIX〔YEAR〕N号` as `Prefix [YEAR] No. N`, an announcement's `…YEAR年第N号` as `Prefix No. N of YEAR`,
    and an order's `…第N号` as `Prefix No. N`."""
    text = number.strip()
    m = DOC_NUMBER_RE.match(text)
    if m:
        return f"{abbreviation(m['prefix'], glossary)} [{m['year']}] No. {int(m['number'])}".strip()
    m = YEAR_NUMBER_RE.match(text)
    if m:
        return f"{abbreviation(m['prefix'], glossary)} No. {int(m['number'])} of {m['year']}".strip()
    m = ORDER_NUMBER_RE.match(text)
    if m:
        return f"{abbreviation(m['prefix'], glossary)} No. {int(m['number'])}".strip()
    return text


def abbreviation(prefix: str, glossary: Glossary) -> str:
    """An organ's abbreviation in English: its glossary rendering, else its pinyin (Quanzhengbangui)."""
    prefix = prefix.strip()
    entry = glossary.by_term.get(prefix)
    if entry:
        return entry.en
    if prefix and all(ch in ABBREVIATING for ch in prefix):
        spelled = "".join(PINYIN[ch] for ch in prefix)
        return spelled[:1].upper() + spelled[1:]
    return prefix
