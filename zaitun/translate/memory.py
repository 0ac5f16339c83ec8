"""Translation memory files: TMX in and out of the store's `memory` table.

The store keys memory by the exact Chinese text; a TMX import adds or updates pairs with
origin "tmx" but never overwrites what a reviewer approved in zaitun, and never takes a pair whose
English holds a rendering the glossary forbids (memory is approved English). The project's
`tm/*.tmx` files are loaded at the start of a translate run when their content changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from translate.misc.xml_helpers import getXMLlang
from translate.storage.tmx import tmxfile

from zaitun.errors import ZaitunError
from zaitun.state.store import Store, sha
from zaitun.translate.checks import forbidden_message, forbidden_renderings
from zaitun.translate.glossary import Glossary

SOURCE_LANG, TARGET_LANG = "zh-CN", "en"


@dataclass
class TmxImport:
    """What an import did: pairs added, updated, kept (approved in review) and units skipped (incomplete, or
    holding a forbidden rendering)."""

    added: int = 0
    updated: int = 0
    kept: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


def read_tmx(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(zh, en) pairs of a TMX file and a note for each unit without both languages."""
    try:
        tmx = tmxfile.parsestring(Path(path).read_bytes())
    except (OSError, etree.XMLSyntaxError) as exc:
        raise ZaitunError(f"{path}: not a readable TMX file ({exc}); check it is TMX 1.4 XML") from None
    pairs, skipped = [], []
    for n, unit in enumerate(tmx.units, start=1):
        texts = {}
        for node in unit.getlanguageNodes():
            lang = (getXMLlang(node) or "").lower().split("-")[0].split("_")[0]
            texts.setdefault(lang, unit.getNodeText(node) or "")
        zh, en = texts.get("zh", "").strip(), texts.get("en", "").strip()
        if zh and en:
            pairs.append((zh, en))
        else:
            skipped.append(f"{path}: unit {n} has no zh and en text")
    return pairs, skipped


def import_tmx(store: Store, path: Path, glossary: Glossary, origin: str = "tmx") -> TmxImport:
    """Put a TMX file's pairs into memory; entries a reviewer approved are kept as they are, pairs holding a
    rendering `glossary` forbids are skipped (named in `skipped`)."""
    pairs, skipped = read_tmx(path)
    result = TmxImport(skipped=skipped)
    current = {row["source_hash"]: row for row in store.memory_entries()}
    with store.tx() as conn:
        for zh, en in pairs:
            row = current.get(sha(zh))
            if found := forbidden_renderings(zh, en, glossary):
                result.skipped.append(f"{path}: {zh!r} not imported: "
                                      f"{'; '.join(forbidden_message(*f) for f in found)}")
            elif row is not None and row["target"] == en:
                result.unchanged += 1
            elif row is not None and row["origin"] == "review":
                result.kept += 1
            else:
                store.remember(conn, zh, en, origin=origin, approved_by=f"tmx:{Path(path).name}")
                result.added += row is None
                result.updated += row is not None
        store.log(conn, "zaitun", "tm-import", note=_file_key(Path(path)))
    return result


def export_tmx(store: Store) -> bytes:
    """Every memory pair as TMX 1.4 (zh-CN -> en), in source order."""
    tmx = tmxfile(sourcelanguage=SOURCE_LANG, targetlanguage=TARGET_LANG)
    for row in store.memory_entries():
        tmx.addtranslation(row["source"], SOURCE_LANG, row["target"], TARGET_LANG)
    return bytes(tmx)


def _file_key(path: Path) -> str:
    """How the audit log names one version of a TMX file: its name and content hash."""
    return f"{path.name} {hashlib.sha256(path.read_bytes()).hexdigest()}"


def _imported_hashes(store: Store) -> set[str]:
    """`name hash` notes of every TMX import recorded in the audit log."""
    return store.audit_notes("tm-import")


def load_project_tmx(store: Store, tm_dir: Path, glossary: Glossary) -> dict[str, TmxImport]:
    """Import each `tm/*.tmx` whose content is new to this store; return what each import did."""
    done = _imported_hashes(store)
    results = {}
    for path in sorted(Path(tm_dir).glob("*.tmx")) if Path(tm_dir).is_dir() else []:
        if _file_key(path) not in done:
            results[path.name] = import_tmx(store, path, glossary)
    return results
