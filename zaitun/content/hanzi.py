"""Character knowledge the importer's rules share: traditional variants and Chinese numerals.

Notices from Guangdong, Hong Kong-facing offices or old archives are often in traditional
characters (東府〔2021〕54號, 關於, 負責). The rules read a *folded* copy of each line, in which
every traditional variant the rules care about is replaced by its simplified form one character
for one character, so positions match and the text itself is never converted.
"""

from __future__ import annotations

# traditional -> simplified, for the characters that appear in the importer's rules and labels
_PAIRS = """
號号 關关 於于 發发 辦办 規规 見见 負负 責责 牽牵 頭头 單单 門门 條条 節节 編编 項项 務务 決决
報报 復复 頁页 會会 員员 廳厅 構构 機机 區区 縣县 鎮镇 處处 長长 實实 執执 協协 細细 則则 總总
過过 現现 佈布 開开 議议 審审 轉转 傳传 廣广 東东 為为 貫贯 徹彻 強强 進进 與与 屬属 級级
聯联 組组 織织 導导 領领 體体 劃划 設设 質质 廠厂 場场 產产 業业 濟济 經经 財财 稅税 監监
覽览 舉举 動动 營营 環环 醫医 衛卫 護护 險险 鄉乡 線线 禮礼 萬万 兩两 書书 記记 紀纪 參参
職职 銀银 運运 輸输 間间 時时 點点 歸归 檢检 權权 勞劳 資资 義义 認认 識识 術术 藝艺 華华 僑侨 臺台
價价 額额 標标 準准 應应 當当 據据 範范 從从 後后 個个 類类 際际 隊队 網网 維维
"""
VARIANTS: dict[str, str] = {pair[0]: pair[1] for pair in _PAIRS.split()}
_FOLD = str.maketrans(VARIANTS)

# PDF extraction turns 〇 into a letter O or a digit 0 (二O二一年): both are read as zero
CN_DIGITS = ({c: i for i, c in enumerate("〇一二三四五六七八九")} | {c: i for i, c in enumerate("0123456789")}
             | {"○": 0, "零": 0, "两": 2, "O": 0, "Ｏ": 0})
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERALS = "0-9０-９〇○零一二两三四五六七八九十百千"


def fold(text: str) -> str:
    """The text with traditional variants as simplified ones, character for character."""
    return text.translate(_FOLD)


def is_traditional(text: str) -> bool:
    """Does the text use traditional forms (more of them than a stray character or two)?"""
    return sum(1 for c in text if c in VARIANTS) >= 3


def cn_int(text: str) -> int:
    """Arabic or Chinese numerals: 2024, ２０２４, 二〇二四, 十二, 二十一, 一百零三."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if not any(c in CN_UNITS for c in text):
        return int("".join(str(CN_DIGITS[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[c]
            digit = None
        else:
            digit = CN_DIGITS[c]
    return total + (digit or 0)


def roman(n: int) -> str:
    """1 -> I, 14 -> XIV: chapters and parts in the English house style."""
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def from_roman(text: str) -> int | None:
    """XIV -> 14; None when the text is not a Roman numeral."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not text or any(c not in values for c in text.upper()):
        return None
    digits = [values[c] for c in text.upper()]
    total = sum(-d if i + 1 < len(digits) and d < digits[i + 1] else d for i, d in enumerate(digits))
    return total if roman(total) == text.upper() else None
