"""Drafts for the facts of a document's front matter that no engine should translate.

Validity dates read the same in English (YYYY-MM-DD), so their draft is the date itself. A
document number keeps its Chinese form on the page; its draft is the usual English rendering,
the organ's abbreviation in pinyin with the year and the number (泉政办规〔2024〕11号 ->
"Quanzhengbangui [2024] No. 11"): the abbreviation from the glossary when it is a term there,
else spelled from a table of the characters such abbreviations are made of; one outside the
table stays Chinese, so QA flags the draft for the reviewer to finish. The issuer is ordinary
text: memory, glossary and engine translate it like any segment.
"""

from __future__ import annotations

import re

from zaitun.translate.glossary import Glossary

DATE_KINDS = ("valid_from", "valid_until")
RULE_KINDS = (*DATE_KINDS, "doc_number")
DOC_NUMBER_RE = re.compile(r"^(?P<prefix>.*?)\s*[〔\[［(（【„]\s*(?P<year>\d{4})\s*[〕\]］)）】‟”]\s*"
                           r"第?\s*(?P<number>\d+)\s*[号號]$")
ORDER_NUMBER_RE = re.compile(r"^(?P<prefix>.*?)第\s*(?P<number>\d+)\s*[号號]$")
YEAR_NUMBER_RE = re.compile(r"^(?P<prefix>.*?)(?P<year>\d{4})\s*年\s*第\s*(?P<number>\d+)\s*[号號]$")  # 公告2024年第3号

# Characters of organ abbreviations in document numbers, simplified and traditional, in the reading
# they have there: provinces and cities, then the kinds of organ and of document.
PINYIN = dict(pair.split(":") for pair in """
京:jing 津:jin 沪:hu 滬:hu 渝:yu 冀:ji 晋:jin 晉:jin 辽:liao 遼:liao 吉:ji 黑:hei 苏:su 蘇:su 浙:zhe
皖:wan 闽:min 閩:min 赣:gan 贛:gan 鲁:lu 魯:lu 豫:yu 鄂:e 湘:xiang 粤:yue 粵:yue 琼:qiong 瓊:qiong
川:chuan 蜀:shu 黔:qian 贵:gui 貴:gui 滇:dian 云:yun 雲:yun 陕:shaan 陝:shaan 甘:gan 陇:long 隴:long
青:qing 宁:ning 寧:ning 新:xin 桂:gui 蒙:meng 藏:zang 港:gang 澳:ao 台:tai 臺:tai
泉:quan 厦:xia 廈:xia 榕:rong 莆:pu 漳:zhang 龙:long 龍:long 岩:yan 潍:wei 濰:wei 东:dong 東:dong
莞:guan 深:shen 穗:sui 杭:hang 甬:yong 温:wen 溫:wen 昆:kun 官:guan 渡:du 长:chang 長:chang 沙:sha
政:zheng 府:fu 办:ban 辦:ban 发:fa 發:fa 规:gui 規:gui 函:han 令:ling 字:zi 综:zong 綜:zong
委:wei 党:dang 黨:dang 人:ren 大:da 常:chang 纪:ji 紀:ji 组:zu 組:zu 宣:xuan 统:tong 統:tong
财:cai 財:cai 教:jiao 卫:wei 衛:wei 健:jian 建:jian 商:shang 外:wai 侨:qiao 僑:qiao 公:gong 安:an
市:shi 区:qu 區:qu 县:xian 縣:xian 电:dian 電:dian 明:ming 传:chuan 傳:chuan 秘:mi 复:fu 復:fu
批:pi 意:yi 见:jian 見:jian 督:du 查:cha 文:wen 社:she 资:zi 資:zi 源:yuan 环:huan 環:huan
农:nong 農:nong 水:shui 交:jiao 住:zhu 科:ke 工:gong 信:xin 民:min 司:si 法:fa 审:shen 審:shen
计:ji 計:ji 应:ying 應:ying 急:ji 医:yi 醫:yi 保:bao 税:shui 稅:shui 务:wu 務:wu 海:hai 关:guan
關:guan 林:lin 体:ti 體:ti 旅:lü 改:gai 经:jing 經:jing 贸:mao 貿:mao 金:jin 融:rong 证:zheng
證:zheng 监:jian 監:jian 管:guan 质:zhi 質:zhi 技:ji 术:shu 術:shu 城:cheng 乡:xiang 鄉:xiang
""".split())


def fact_draft(kind: str, source: str, glossary: Glossary) -> str | None:
    """The draft of a rule-made fact, or None when `kind` is translated like text."""
    if kind in DATE_KINDS:
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
    if prefix and all(ch in PINYIN for ch in prefix):
        spelled = "".join(PINYIN[ch] for ch in prefix)
        return spelled[:1].upper() + spelled[1:]
    return prefix
