"""TBX in and out of the glossary: approved terms as preferred, forbidden ones as deprecated.

TBX is how terminology tools (and other agencies' term bases) exchange glossaries. Each
entry becomes a termEntry with the Chinese term and English terms whose
`administrativeStatus` says which rendering is approved and which are forbidden.

On import the approved rendering is the English preferredTerm, else an admitted one, else one without a
status; deprecated, superseded, obsolete, not-recommended, forbidden and rejected terms are forbidden renderings
(a term forbidden by any of its notes is), and a term of a status of no known kind is left out, named. Terms are
read from TBX-Basic's `tig` and `ntig`, in language sets tagged `zh`, `zh-CN`, `zh-Hans` and `en`,
`en-GB`, `en-US`; an entry with forbidden terms only becomes a line with an empty `en` (as the glossary
keeps one: its forbidden renderings refused). An entry that cannot become a glossary line (Traditional Chinese
only, no English term at all, a term the glossary has) is skipped, and every skip is reported with why.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from translate.misc.xml_helpers import getText, getXMLlang
from translate.storage.tbx import tbxfile, tbxunit

from zaitun.errors import GlossaryError
from zaitun.translate.exchange import TRADITIONAL, entity_refusal, language, wrong_kind
from zaitun.translate.glossary import Entry, Glossary, load_glossary, write_csv

PREFERRED, DEPRECATED = "preferredTerm-admn-sts", "deprecatedTerm-admn-sts"
# administrativeStatus (TBX-Basic) or normativeAuthorization (older TBX), without "Term-admn-sts"
RANK = {"preferred": 0, "admitted": 1, "standardized": 1, "legal": 1, "regulated": 1}  # no status: 2
FORBIDDEN = {"deprecated", "superseded", "obsolete", "notrecommended", "forbidden", "rejected"}


def export_tbx(glossary: Glossary) -> bytes:
    """The glossary as TBX (zh -> en), forbidden renderings marked deprecated; a line with no English yet is an
    entry of deprecated terms only (its forbidden renderings are enforced all the same)."""
    tbx = tbxfile(sourcelanguage="zh", targetlanguage="en")
    for entry in exported(glossary):
        unit = tbx.addsourceunit(entry.zh)
        approved = [entry.en] if entry.en else []
        unit.set_target_terms([*approved, *entry.forbidden], "en")
        statuses = [PREFERRED] * len(approved) + [DEPRECATED] * len(entry.forbidden)
        for tig, status in zip(_tigs(unit, "en"), statuses, strict=True):
            note = etree.SubElement(tig, unit.namespaced("termNote"), type="administrativeStatus")
            note.text = status
        if entry.note:
            unit.addnote(entry.note)
    return bytes(tbx)


def exported(glossary: Glossary) -> list[Entry]:
    """What an export holds: each term's line, then the lines with no English yet that forbid renderings."""
    return [*glossary.by_term.values(), *glossary.bans]


def _tigs(unit, lang: str) -> list:
    language = unit.get_target_dom(lang)
    return language.findall(unit.namespaced("tig"))


@dataclass
class TbxImport:
    """Entries read from a TBX file, the entries skipped (each with why), and what was left out of the
    entries taken (each with why)."""

    entries: list[Entry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Term:
    text: str
    status: str  # "preferred", "deprecated", ... or "" for none

    @property
    def forbidden(self) -> bool:
        return self.status in FORBIDDEN

    @property
    def known(self) -> bool:
        """Of a status the import knows (or none): a term of another is neither approved nor forbidden."""
        return not self.status or self.status in RANK or self.forbidden


def read_tbx(path: Path) -> TbxImport:
    """Entries of a TBX file (one per approved Chinese term), and what could not be taken, with why."""
    try:
        data = Path(path).read_bytes()
        tbx = tbxfile.parsestring(data)
    except (OSError, etree.XMLSyntaxError) as exc:
        raise GlossaryError(path, f"not a readable TBX file ({exc})") from None
    except AssertionError:  # translate-toolkit's check of the root element: well-formed XML of another kind
        raise GlossaryError(path, f"not a TBX 2 file: {wrong_kind(data, 'martif')}") from None
    if why := entity_refusal(tbx.document):
        raise GlossaryError(path, f"refused: {why}")
    result = TbxImport()
    for n, unit in enumerate(tbx.units, start=1):
        _read_entry(unit, f"entry {n}", str(path), result)
    return result


def _read_entry(unit: tbxunit, label: str, path: str, result: TbxImport) -> None:
    terms: dict[str, list[_Term]] = {}
    for lang_set in unit.getlanguageNodes():
        terms.setdefault(language(getXMLlang(lang_set)), []).extend(_terms(unit, lang_set))
    unknown = [t for found in terms.values() for t in found if not t.known]
    terms = {lang: [t for t in found if t.known] for lang, found in terms.items()}
    zh = sorted((t for t in terms.get("zh", []) if not t.forbidden), key=_rank)
    en = sorted((t for t in terms.get("en", []) if not t.forbidden), key=_rank)
    named = zh or terms.get("zh") or terms.get(TRADITIONAL) or en or terms.get("en")
    label += f" ({named[0].text})" if named else ""
    result.notes += [f"{label}: {term.text!r} left out, its status {term.status!r} is none the import knows "
                     "(preferred, admitted, deprecated...): add it by hand if it is approved" for term in unknown]
    if not zh:
        result.skipped.append(f"{label}: " + ("its Chinese is Traditional only; the glossary is Simplified Chinese"
                                              if terms.get(TRADITIONAL) else "no Simplified Chinese term"))
        return
    forbidden = tuple(t.text for t in terms.get("en", []) if t.forbidden)
    if not en and not forbidden:
        result.skipped.append(f"{label}: no approved English term (preferred, admitted or without a status)")
        return
    for other in en[1:]:
        result.notes.append(f"{label}: {other.text!r} ({other.status or 'no status'}) left out: the glossary "
                            f"keeps one rendering, {en[0].text!r}")
    if not en:  # a line with no English yet: its forbidden renderings are refused all the same
        result.notes.append(f"{label}: no approved English term; written with an empty en column (fill it in), "
                            "its forbidden renderings refused meanwhile")
    for term in zh:
        result.entries.append(Entry(term.text, en[0].text if en else "", forbidden, unit.getnotes().strip(), path))


def _terms(unit: tbxunit, lang_set: etree._Element) -> list[_Term]:
    """The terms of a language set, from TBX-Basic's <tig> and <ntig> (whose term is in a <termGrp>)."""
    found = []
    for group in lang_set.iterchildren(unit.namespaced("tig"), unit.namespaced("ntig")):
        term = next(group.iter(unit.namespaced("term")), None)
        text = getText(term).strip() if term is not None else ""
        if text:
            found.append(_Term(text, _status(unit, group)))
    return found


def _status(unit: tbxunit, group: etree._Element) -> str:
    """The term's status as RANK and FORBIDDEN name them, however written (`deprecatedTerm-admn-sts`, `Deprecated
    Term`); of several, a forbidding one first (a term `standardized` by one note and `deprecated` by another is
    forbidden), then the best; one of no known kind as written, which leaves the term out."""
    found = [_KNOWN_AS.sub("", getText(note).lower()).removesuffix("admnsts").removesuffix("term")
             for note in group.iter(unit.namespaced("termNote"))
             if note.get("type") in ("administrativeStatus", "normativeAuthorization")]
    found = [status for status in found if status]
    return next((status for status in found if status in FORBIDDEN), None) \
        or min(found, key=lambda status: RANK.get(status, len(RANK) + 1), default="")


_KNOWN_AS = re.compile(r"[\s_-]+")


def _rank(term: _Term) -> int:
    return RANK.get(term.status, 2)


def import_tbx(path: Path, glossary_dir: Path) -> tuple[Path | None, TbxImport]:
    """Write the TBX's new terms to `glossary/<name>.csv` (None: it had none, and no file is written); terms the
    glossary has already are skipped."""
    path, glossary_dir = Path(path), Path(glossary_dir)
    read = read_tbx(path)  # first: a file of another kind is named as such, whatever its name
    dest = glossary_dir / (path.stem + ".csv")
    if dest.exists():
        raise GlossaryError(dest, "already exists: rename the TBX file or merge it by hand")
    glossary = load_glossary(glossary_dir)
    known = {e.zh: e for e in glossary.bans} | glossary.by_term
    result = TbxImport(skipped=read.skipped, notes=read.notes)
    for entry in read.entries:
        if entry.zh in known:
            place = f"{Path(known[entry.zh].path).name}:{known[entry.zh].line}"
            result.skipped.append(f"{entry.zh}: the glossary has this term already ({place})")
        elif any(e.zh == entry.zh for e in result.entries):
            result.skipped.append(f"{entry.zh}: an earlier entry of this file has this term")
        else:
            result.entries.append(entry)
    if not result.entries:
        return None, result
    glossary_dir.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    write_csv(result.entries, out)
    dest.write_text(out.getvalue(), encoding="utf-8")
    return dest, result
