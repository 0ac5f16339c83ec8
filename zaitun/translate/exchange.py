"""What the exchange files (XLIFF, TBX, TMX) share: entities are refused, language tags are read alike.

An entity (`&x;`, declared in a DTD inside the file, or left for an outside DTD to declare) is text a
unit shows without holding it: the translator or terminologist checked one thing and the import would
take another, or a billion copies of it. TMX and TBX tools write a DOCTYPE line naming their DTD; it
is never loaded and is allowed, as long as the file declares and uses no entity.
"""

from __future__ import annotations

import io

from lxml import etree

TRADITIONAL = "zh-Hant"
_TRADITIONAL_REGIONS = {"tw", "hk", "mo"}


def entity_refusal(tree: etree._ElementTree) -> str | None:
    """Why a parsed TMX or TBX file is refused: the entities it declares or refers to; None if it has none."""
    dtd = tree.docinfo.internalDTD
    declared = sorted(e.name for e in dtd.iterentities()) if dtd is not None else []
    if declared:
        return (f"it declares entities in a DTD ({', '.join(declared)}): their text would be imported "
                "without being in the file; save it again without the DOCTYPE's [...] part")
    used = sorted({e.text for e in tree.getroot().iter(etree.Entity)})
    if used:
        return f"it refers to entities no file here declares ({', '.join(used)}): write their text instead"
    return None


COMMANDS = {"tmx": "a translation memory (TMX) goes in with `zaitun tm import`",
            "martif": "a glossary (TBX) goes in with `zaitun glossary import`",
            "xliff": "a reviewed XLIFF file goes in with `zaitun review import-xliff`"}


def wrong_kind(data: bytes, wanted: str) -> str:
    """Why well-formed XML of another kind than `wanted` (its root element's name) is not taken, and where it goes:
    translate-toolkit only asserts on the root element."""
    root = ""
    for _, element in etree.iterparse(io.BytesIO(data), events=("start",), resolve_entities=False, no_network=True):
        root = etree.QName(element).localname
        break
    where = f"; {COMMANDS[root]}" if root in COMMANDS else ""
    return f"its root element is <{root}>, not <{wanted}>{where}"


def language(tag: str | None) -> str:
    """The language of a tag as zaitun compares them: 'zh' for Simplified Chinese (zh, zh-CN, zh-Hans,
    zh_SG), 'zh-Hant' for Traditional (zh-TW, zh-HK, zh-Hant-CN), otherwise the primary subtag ('en' for
    en-GB); '' for none."""
    parts = (tag or "").strip().lower().replace("_", "-").split("-")
    if parts[0] == "zh" and "hans" not in parts and ("hant" in parts or _TRADITIONAL_REGIONS & set(parts)):
        return TRADITIONAL
    return parts[0]
