"""Pinyin of the characters organs abbreviate themselves by in document numbers (泉政办规, 闽政, 泉发改), in
the reading they have there: the English of a document number spells its prefix with it (Quanzhengbangui
[2024] No. 11), and an imported notice's file name too (quan-zheng-ban-gui-2024-11).
"""

from __future__ import annotations

# Simplified and traditional: provinces and cities, the kinds of organ and of document, then the words of organ
# names that abbreviate into prefixes.
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
国:guo 福:fu 南:nan 平:ping 石:shi 惠:hui 德:de 永:yong 春:chun 丰:feng 泽:ze 告:gao 通:tong 知:zhi 事:shi 局:ju
厅:ting 部:bu 省:sheng 划:hua 议:yi 检:jian 察:cha 院:yuan 中:zhong 共:gong 团:tuan 妇:fu 联:lian 会:hui 协:xie
族:zu 宗:zong 育:yu 消:xiao 防:fang 粮:liang 储:chu 边:bian 行:xing 数:shu 据:ju 房:fang 运:yun 输:shu 渔:yu 退:tui
役:yi 军:jun 残:can 促:cu 湖:hu 坊:fang 鲤:li 洛:luo 湾:wan 灣:wan 洋:yang 自:zi 然:ran 编:bian 編:bian
""".split())


def slug_syllable(char: str) -> str:
    """The character's pinyin as a file name may hold it (lü as lv)."""
    return PINYIN[char].replace("ü", "v")
