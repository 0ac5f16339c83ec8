"""XLIFF 2.0 export and import, so professional translators can work in their own CAT tools.

Export: one `<file id=SLUG>` per document, one `<unit id=SEGMENT_ID>` per segment, the Chinese
in `<source>`, the current English in `<target>`, and `state` initial (no English yet, or
rejected: a segment with no English has no `<target>`, as XLIFF 2.0 allows only in that state), translated
(draft) or final (approved); `zt:version` on each unit names the version exported, so an import never
replaces or approves a draft saved after the export. The QA flags of a segment not approved go with it as
`<note category=CHECK priority="1" appliesTo="target">`s, so the translator reads why it waits.

Import: a file that is not Simplified Chinese to English (`srcLang`, `trgLang`, and a `<source>`'s or
`<target>`'s `xml:lang`, read as TMX and TBX language tags are: zh, zh-CN, zh-Hans; en, en-US, en-GB) is
refused whole. Each unit is checked on its own. A unit whose segment is gone or whose `<source>` no
longer equals the current Chinese is refused with a message naming it; the others are taken. A `<file>`
none of whose unit ids the document it names ever had is refused whole, in one message: its `id` was
edited, or it was exported for another document, and "its Chinese changed" would send the reader astray. A unit
a CAT tool split into several `<segment>`s is as far as its least advanced one (`final` only when every
one is), and is refused while one of them has no target: its English would be part of the Chinese only.
Accepted targets are stored as edits by the importing reviewer, never as approvals, unless
the import is run with `approve_final` and the unit's state is `final`: then the reviewer who
imports vouches for it, and it is approved in their name (recorded as such in the audit log).
A target stored as a draft keeps the flags of where its segment stands (`moved`, `beside-changed`,
`memory-rejected`...: state.segments.SITUATION) beside QA's flags of its own English:
the importer did not read it, so "approve all unflagged" leaves it to a reviewer.
An approval of a `final` unit is bound to that unit's target and to the source it was exported
for: the importer's own text, or the current draft only while it is still the draft the import
compared the unit with. A `final` unit is stored as a draft, not approved, and reported, when QA flags
its target, or gives back unchanged a draft stored with flags (`beside-changed`, `moved`, `memory-rejected`...:
as "approve all unflagged" does, the importer vouches for the translator's work, not for flags: a reviewer
reads them in the UI or with `review show` and approves there; English the translator wrote instead is an edit,
checked on its own, as in the UI), when it has no `zt:version` (nothing
tells whether its segment changed since the translator saw it), or when its target is the English a
reviewer rejected, handed back unchanged.

A file with a DOCTYPE is refused whole: XLIFF 2.0 has no DTD, and a DTD's entities would put text in
units that is not written in them. So is one with a unit id twice in a `<file>` (XLIFF 2.0 wants them unique):
only one of the two could be taken, and which one the translator meant nobody can tell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from zaitun.content.schema import CONTROL_RE, control_character
from zaitun.errors import ReviewError
from zaitun.project import Project
from zaitun.review import actions, qa
from zaitun.review.documents import unknown
from zaitun.review.gate import require_role
from zaitun.state.segments import segment_states
from zaitun.state.store import Store
from zaitun.translate.exchange import TRADITIONAL, language
from zaitun.translate.normal import normal

NS = "urn:oasis:names:tc:xliff:document:2.0"
ZT = "urn:zaitun:review"  # our own attribute on <unit>: the version of the text exported
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANGUAGES = {"srcLang": ("zh", "Simplified Chinese (zh, zh-CN, zh-Hans)"),
             "trgLang": ("en", "English (en, en-US, en-GB)")}
STATES = {"pending": "initial", "rejected": "initial", "draft": "translated", "approved": "final"}


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def export_xliff(store: Store, slug: str) -> bytes:
    """The document's segments as an XLIFF 2.0 file (UTF-8 bytes)."""
    row = store.document(slug)
    if row is None or row["status"] != "active":
        raise unknown(store, slug)
    root = etree.Element(_q("xliff"), nsmap={None: NS, "zt": ZT}, version="2.0", srcLang="zh", trgLang="en")
    file_el = etree.SubElement(root, _q("file"), id=slug, original=f"content/{row['section']}/{slug}.md")
    for state in segment_states(store, slug):
        unit = etree.SubElement(file_el, _q("unit"), id=state.seg_id, name=state.kind)
        unit.set(f"{{{ZT}}}version", state.version)
        _notes(unit, state)
        english = state.target.strip()
        segment = etree.SubElement(unit, _q("segment"), state=STATES[state.state] if english else "initial")
        etree.SubElement(segment, _q("source")).text = state.source
        if english:
            etree.SubElement(segment, _q("target")).text = state.target
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _notes(unit: etree._Element, state) -> None:
    """The rejection's comment and the QA flags of a segment not approved, for the translator (a flag a reviewer
    approved over is settled). Text stored before the gate refused control characters: XML holds none of them."""
    notes = []
    if state.state == "rejected" and state.translation.get("comment"):
        notes.append(({"category": "rejected"}, state.translation["comment"]))
    if state.state != "approved":
        notes += [({"category": issue["check"], "priority": "1", "appliesTo": "target"}, issue["message"])
                  for issue in state.issues]
    if notes:
        parent = etree.SubElement(unit, _q("notes"))
        for attrs, text in notes:
            etree.SubElement(parent, _q("note"), attrs).text = CONTROL_RE.sub("\ufffd", text)


@dataclass
class ImportReport:
    updated: list[str] = field(default_factory=list)  # "slug/seg_id" stored as new drafts
    approved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_approved: dict[str, str] = field(default_factory=dict)  # final units left as drafts -> why
    refused: dict[str, str] = field(default_factory=dict)  # "slug/seg_id", or "slug" for a whole <file> -> why

    def lines(self) -> list[str]:
        return [*(f"not approved {key}, left as a draft: {why}" for key, why in self.not_approved.items()),
                *(f"refused {key}: {why}" for key, why in self.refused.items())]


@dataclass
class _Unit:
    slug: str
    seg_id: str
    source: str
    target: str
    state: str
    version: str = ""  # the version exported; empty from files made elsewhere
    untranslated: tuple[int, ...] = ()  # the segments (1, 2, …) of a unit a CAT tool split that have no target


def parse_units(data: bytes, name: str = "the file") -> list[_Unit]:
    """Every unit of an XLIFF 2.0 file; a file with a DOCTYPE or a unit id twice in a <file> is refused, network
    access too."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ReviewError(f"{name}: not a readable XLIFF file: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise ReviewError(f"{name}: refused: it has a DOCTYPE; XLIFF 2.0 has no DTD, and a DTD's entities "
                          "would import text the units do not hold. Export it again from the CAT tool, or delete "
                          "the DOCTYPE and write out every &name; it declares")
    if root.tag != _q("xliff") or not str(root.get("version", "")).startswith("2."):
        raise ReviewError(f"{name}: not an XLIFF 2.0 file (expected <xliff version=\"2.0\"> in the 2.0 namespace)")
    _check_languages(root, name)
    units, seen = [], {}
    for file_el in root.iter(_q("file")):
        for unit in file_el.iter(_q("unit")):
            key = (file_el.get("id", ""), unit.get("id", ""))
            if key in seen:  # the last would win, over an approval perhaps
                raise ReviewError(f"{name}: refused: line {unit.sourceline}: unit id {key[1]!r} again in <file id="
                                  f"{key[0]!r}> (first at line {seen[key]}); XLIFF 2.0 wants unit ids unique within "
                                  "a file, and only one of them could be imported: delete the other, then import "
                                  "the file again. Nothing of it was imported")
            seen[key] = unit.sourceline
            segs = unit.findall(_q("segment"))
            sources, targets = [_text(s.find(_q("source"))) for s in segs], [_text(s.find(_q("target"))) for s in segs]
            # a unit is as far as its least advanced segment: final only when every one is
            states = [s.get("state", "initial") for s in segs] or ["initial"]
            state = next((st for st in states if st != "final"), "final")
            untranslated = tuple(n for n, (zh, en) in enumerate(zip(sources, targets, strict=True), start=1)
                                 if zh.strip() and not en.strip())
            units.append(_Unit(file_el.get("id", ""), unit.get("id", ""), "".join(sources), "".join(targets), state,
                               unit.get(f"{{{ZT}}}version", ""), untranslated))
    return units


def _check_languages(root: etree._Element, name: str) -> None:
    """Refuse a file that is not Simplified Chinese to English, naming the attribute: its targets would be
    stored, and approved with `--approve-final`, as the English of the page."""
    found = [(f"<xliff> {attr}", root.get(attr), attr) for attr in LANGUAGES]
    for element in root.iter(_q("source"), _q("target")):  # XLIFF 2.0: equal to srcLang / trgLang when present
        if element.get(XML_LANG) is not None:
            attr = "srcLang" if element.tag == _q("source") else "trgLang"
            found.append((f"line {element.sourceline}: <{etree.QName(element).localname}> xml:lang",
                          element.get(XML_LANG), attr))
    for where, tag, attr in found:
        wanted, named = LANGUAGES[attr]
        if language(tag) != wanted:
            what = ("Traditional Chinese" if language(tag) == TRADITIONAL else f"{tag!r}") if tag else "missing"
            raise ReviewError(f"{name}: refused: its {where} is {what}, not {named}: zaitun takes back translations "
                              "of its Simplified Chinese into English only; nothing of it was imported. Export the "
                              "document again with `zaitun review export-xliff`, or set the tool's languages to "
                              "zh -> en")


def _text(element: etree._Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def import_xliff(project: Project, store: Store, data: bytes, actor: str, approve_final: bool = False,
                 name: str = "the file") -> ImportReport:
    """Take translators' targets back, unit by unit; see the module docstring for the rules. `name`
    names the file in errors."""
    require_role(store, actor)
    report = ImportReport()
    files: dict[str, list[_Unit]] = {}
    for unit in parse_units(data, name):
        files.setdefault(unit.slug, []).append(unit)
    for slug, units in files.items():
        current = _current(store, slug)
        if not current:  # one message for the <file>, not one a unit
            report.refused[slug] = (f"no document {slug!r} in review: this <file>'s id names none (mistyped, or "
                                    "the document was withdrawn since); nothing of it was imported; export the "
                                    "document again with `zaitun review export-xliff`")
            continue
        ever = {s["seg_id"] for s in store.segments(slug, active=None)}
        if not ever & {unit.seg_id for unit in units}:
            report.refused[slug] = _foreign(slug, len(units))
            continue
        for unit in units:
            key = f"{unit.slug}/{unit.seg_id}"
            why = _refusal(unit, current, ever)
            if why:
                report.refused[key] = why
                continue
            _take(project, store, unit, current[unit.seg_id], actor, approve_final, report, key)
    return report


def _foreign(slug: str, count: int) -> str:
    """Why a <file> none of whose unit ids its document ever had is refused whole: not "its Chinese changed" for
    each unit, as if the document had been edited, when the file names the wrong document."""
    return (f"none of this <file>'s {count} unit id{'s' * (count != 1)} is a segment of document {slug!r}, now or "
            "before: its <file id> was edited, or it was exported for another document; nothing of it was "
            "imported. Put back the id it was exported with, or export the document again with "
            f"`zaitun review export-xliff {slug}`")


def _current(store: Store, slug: str) -> dict:
    row = store.document(slug)
    if row is None or row["status"] != "active":
        return {}
    return {s.seg_id: s for s in segment_states(store, slug)}


def _refusal(unit: _Unit, segments: dict, ever: set[str]) -> str | None:
    seg = segments.get(unit.seg_id)
    if seg is None and unit.seg_id not in ever:  # a mistyped id, or a unit copied from another document's file
        return f"document {unit.slug!r} never had this segment: check the unit id, or export the document again"
    if seg is None:
        return "this segment is no longer in the document (its Chinese was changed or removed); export again"
    if unit.source != seg.source:
        return f"the source no longer matches the current Chinese: file has {unit.source!r}, now {seg.source!r}"
    if not unit.target.strip():
        return "no target to import"
    if unit.untranslated:  # its English would be part of the Chinese only
        return (f"segment {', '.join(map(str, unit.untranslated))} of this unit has no target: translate every "
                "segment, then import it")
    if control_character(unit.target):
        return f"the target holds the control character {control_character(unit.target)[1]}: remove it"
    return None


def _take(project: Project, store: Store, unit: _Unit, seg, actor: str, approve_final: bool,
          report: ImportReport, key: str) -> None:
    """Store or approve one unit, bound to the version exported (or read at the start of the import): a
    draft saved by someone else since is neither overwritten nor approved in the importer's name."""
    held = _not_approvable(project, unit, seg) if approve_final and unit.state == "final" else None
    wants_approval = approve_final and unit.state == "final" and held is None
    version = unit.version or seg.version
    if unit.target.strip() == seg.target or _handed_back(unit, seg) or _flagged_back(unit, seg):
        if wants_approval and seg.state != "approved":
            result = actions.approve(project, store, unit.slug, {unit.seg_id: version}, actor)
            if result.refused:
                report.refused[key] = result.refused[unit.seg_id]
                return
            (report.approved if result.approved else report.unchanged).append(key)
        elif held and seg.state != "approved":
            report.not_approved[key] = held
        else:
            report.unchanged.append(key)
        return
    try:
        result = actions.edit(project, store, unit.slug, unit.seg_id, unit.target, actor,
                              approve_now=wants_approval, based_on=version, keep_flags=not wants_approval)
    except ReviewError as exc:
        report.refused[key] = str(exc)
        return
    if unit.seg_id in result.refused:  # a forbidden rendering: the text is kept as a draft, not approved
        report.refused[key] = f"stored as a draft, {result.refused[unit.seg_id]}"
        return
    if held:
        report.not_approved[key] = held
        return
    (report.approved if result.approved else report.updated).append(key)


def _handed_back(unit: _Unit, seg) -> bool:
    """Whether a unit gives back the English a reviewer rejected, as a reader sees it: a no-break or zero-width
    space, or a letter drawn like the one rejected, hands it back all the same (kept rejected, not a new draft)."""
    return seg.state == "rejected" and _as_seen(unit.target) == _as_seen(seg.target)


def _flagged_back(unit: _Unit, seg) -> bool:
    """Whether a unit gives back a draft stored with flags as a reader sees it (a space made a no-break one, a
    letter drawn alike): that draft and its flags stay, for a reviewer, as when it is given back unchanged."""
    return bool(seg.state != "approved" and seg.issues and _as_seen(unit.target) == _as_seen(seg.target))


def _as_seen(text: str) -> str:
    return normal(text, fold=False)


def _not_approvable(project: Project, unit: _Unit, seg) -> str | None:
    """Why a `final` unit is left as a draft for a reviewer: no exported version to check it against, the
    very English a reviewer rejected (CAT tools mark units final wholesale), QA flags on its target, or the
    draft's own flags when it gives that draft back unchanged (`beside-changed`, `moved`...: "approve all
    unflagged" leaves flagged drafts to a person too; English written instead replaces the draft, as an edit in
    the UI does, and is checked on its own)."""
    if not unit.version:
        return ("it has no zt:version (the version the translator was shown), so whether the segment changed "
                "since cannot be checked; review it in the UI or CLI, or export it again with "
                "`zaitun review export-xliff`")
    if _handed_back(unit, seg):
        tr = seg.translation
        return (f"it is the English {tr['reviewed_by']} rejected ({tr['comment']}), handed back unchanged; "
                "a reviewer approves it in the UI or CLI if it is right after all")
    stored = seg.issues if (unit.target.strip() == seg.target and seg.state != "approved") or _flagged_back(unit, seg) \
        else []
    issues = [*stored, *qa.check(project.glossary_dir, seg.source, unit.target.strip())]
    if issues:
        return f"flagged: {'; '.join(dict.fromkeys(i['message'] for i in issues))}; review it in the UI or CLI"
    return None
