"""TBX in and out of the glossary: approved terms as preferred, forbidden ones as deprecated.

TBX is how terminology tools (and other agencies' term bases) exchange glossaries. Each
entry becomes a termEntry with the Chinese term and English terms whose
`administrativeStatus` says which rendering is approved and which are forbidden.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from translate.storage.tbx import tbxfile

from zaitun.errors import GlossaryError
from zaitun.translate.glossary import Entry, Glossary, load_glossary, write_csv

PREFERRED, DEPRECATED = "preferredTerm-admn-sts", "deprecatedTerm-admn-sts"


def export_tbx(glossary: Glossary) -> bytes:
    """The glossary as TBX (zh -> en), forbidden renderings marked deprecated."""
    tbx = tbxfile(sourcelanguage="zh", targetlanguage="en")
    for entry in glossary.by_term.values():
        unit = tbx.addsourceunit(entry.zh)
        unit.set_target_terms([entry.en, *entry.forbidden], "en")
        for tig, status in zip(_tigs(unit, "en"), [PREFERRED] + [DEPRECATED] * len(entry.forbidden), strict=True):
            note = etree.SubElement(tig, unit.namespaced("termNote"), type="administrativeStatus")
            note.text = status
        if entry.note:
            unit.addnote(entry.note)
    return bytes(tbx)


def _tigs(unit, lang: str) -> list:
    language = unit.get_target_dom(lang)
    return language.findall(unit.namespaced("tig"))


@dataclass
class TbxImport:
    """Entries read from a TBX file, and the terms skipped because the glossary already has them."""

    entries: list[Entry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_tbx(path: Path) -> list[Entry]:
    """Entries of a TBX file: the first non-deprecated English term is the rendering."""
    try:
        tbx = tbxfile.parsestring(Path(path).read_bytes())
    except (OSError, etree.XMLSyntaxError) as exc:
        raise GlossaryError(path, f"not a readable TBX file ({exc})") from None
    entries = []
    for unit in tbx.units:
        zh = next((t.text.strip() for t in unit.get_source_terms() if t.text.strip()), "")
        terms = unit.get_target_terms("en")
        approved = [t.text.strip() for t in terms if not t.deprecated and t.text.strip()]
        forbidden = tuple(t.text.strip() for t in terms if t.deprecated and t.text.strip())
        if zh and approved:
            entries.append(Entry(zh, approved[0], forbidden, unit.getnotes().strip(), str(path)))
    return entries


def import_tbx(path: Path, glossary_dir: Path) -> tuple[Path, TbxImport]:
    """Write the TBX's new terms to `glossary/<name>.csv`; terms the glossary has already are skipped."""
    path, glossary_dir = Path(path), Path(glossary_dir)
    dest = glossary_dir / (path.stem + ".csv")
    if dest.exists():
        raise GlossaryError(dest, "already exists: rename the TBX file or merge it by hand")
    known = load_glossary(glossary_dir).by_term
    result = TbxImport()
    for entry in read_tbx(path):
        if entry.zh in known or any(e.zh == entry.zh for e in result.entries):
            result.skipped.append(entry.zh)
        else:
            result.entries.append(entry)
    glossary_dir.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    write_csv(result.entries, out)
    dest.write_text(out.getvalue(), encoding="utf-8")
    return dest, result
