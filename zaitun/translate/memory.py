"""Translation memory files: TMX in and out of the store's `memory` table.

The store keys memory by the exact Chinese text; a TMX import adds or updates pairs with
origin "tmx" but never overwrites what a reviewer approved in zaitun, and never takes a pair whose
English holds a rendering the glossary forbids (memory is approved English). Memory matches are
approved and published with no reviewer reading them, so each entry names who vouched for it: the
reviewer who imported the file (`zaitun tm import` proves who they are), or the project's own file
(`tmx:NAME`) for `tm/*.tmx`, loaded at the start of a translate run when their content changed, and
forgotten when their file leaves tm/.

Memory is Simplified Chinese to English in plain text, so a unit is skipped, with the reason, when its
Chinese is Traditional (zh-TW, zh-Hant), when it holds a placeholder (`<ph>`) standing for text, or when
it is longer than a whole document may be; formatting codes (`<bpt>`, `<ept>`, `<it>`, `<ut>`) are
dropped with the tool's markup they carry. Of two units with the same Chinese the first is taken and
the other reported; so is a pair a reviewer rejected in zaitun (a file changed or imported again does not
bring it back), and a pair of a project file (`tm/*.tmx`) whose Chinese another project file gives
other English: the one memory took first is kept. A file declaring or using entities is refused.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from translate.misc.xml_helpers import getXMLlang
from translate.storage.tmx import tmxfile, tmxunit

from zaitun.config import Limits
from zaitun.content.model import name_problem
from zaitun.errors import LocatedError, ZaitunError, shown, utf8_name
from zaitun.state.digest import memory_key, sha
from zaitun.state.segments import MEMORY_APPROVER
from zaitun.state.store import Store
from zaitun.translate.checks import forbidden_message, forbidden_renderings
from zaitun.translate.exchange import TRADITIONAL, entity_refusal, language, wrong_kind
from zaitun.translate.glossary import Glossary

SOURCE_LANG, TARGET_LANG = "zh-CN", "en"


@dataclass
class TmxImport:
    """What an import did: pairs added, updated, kept (approved in review) and units skipped, each with why
    (incomplete, Traditional Chinese, too long, a placeholder, another English for the same Chinese, a
    forbidden rendering, a pair a reviewer rejected)."""

    added: int = 0
    updated: int = 0
    kept: int = 0
    unchanged: int = 0
    forgotten: int = 0  # pairs of a file no longer in tm/, taken out of memory
    skipped: list[str] = field(default_factory=list)
    unreadable: ZaitunError | None = None  # a tm/*.tmx that does not read: left out, the rest taken in


def read_tmx(path: Path, limits: Limits = Limits()) -> tuple[list[tuple[str, str]], list[str]]:
    """(zh, en) pairs of a TMX file, the first unit of each Chinese text, and a note for each unit not taken."""
    named = shown(path)  # (a file named in GBK: its name as messages can carry it)
    try:
        data = Path(path).read_bytes()
        tmx = tmxfile.parsestring(data)
    except (OSError, etree.XMLSyntaxError) as exc:
        raise ZaitunError(f"{named}: not a readable TMX file ({exc}); check it is TMX 1.4 XML") from None
    except AssertionError:  # translate-toolkit's check of the root element: well-formed XML of another kind
        raise ZaitunError(f"{named}: not a TMX file: {wrong_kind(data, 'tmx')}") from None
    if why := entity_refusal(tmx.document):
        raise ZaitunError(f"{named}: refused: {why}")
    first: dict[str, tuple[int, str, str]] = {}  # memory_key(zh) -> (unit number, zh, en)
    skipped = []
    for n, unit in enumerate(tmx.units, start=1):
        zh, en, why = _pair(unit, limits)
        if why:
            skipped.append(f"{named}: unit {n} {why}")
        elif (was := first.get(memory_key(zh))) and was[2] != en:  # the same Chinese, however spaced
            skipped.append(f"{named}: unit {n} not imported: unit {was[0]} has the same Chinese {was[1]!r} with "
                           f"other English ({was[2]!r}), which is kept; remove one of them")
        else:
            first.setdefault(memory_key(zh), (n, zh, en))
    return [(zh, en) for _n, zh, en in first.values()], skipped


def _pair(unit: tmxunit, limits: Limits) -> tuple[str, str, str]:
    """(zh, en, "") of a unit, or ("", "", why it is not taken)."""
    tags, texts = {}, {}
    for node in unit.getlanguageNodes():
        tag = getXMLlang(node) or node.get("lang") or ""  # TMX 1.1 wrote lang=, 1.4 xml:lang=
        if language(tag) in ("zh", TRADITIONAL, "en") and language(tag) not in texts:
            if node.find(".//ph") is not None:
                return "", "", (f"not imported: its {tag} text holds a placeholder (<ph>) standing for text or "
                                "markup that plain-text memory cannot keep")
            tags[language(tag)], texts[language(tag)] = tag, _plain_text(unit, node).strip()
    zh, en = texts.get("zh", ""), texts.get("en", "")
    if not zh and texts.get(TRADITIONAL):
        return "", "", (f"not imported: its Chinese is Traditional ({tags[TRADITIONAL]}); memory holds the "
                        "Simplified Chinese zaitun translates")
    if not (zh and en):
        return "", "", "has no zh and en text"
    size = max(len(zh.encode()), len(en.encode()))
    if size > limits.text_bytes:
        return "", "", (f"not imported: its text has {size} bytes, more than a whole document may have "
                        f"(limits.text_bytes {limits.text_bytes})")
    return zh, en, ""


def _plain_text(unit: tmxunit, tuv: etree._Element) -> str:
    """A tuv's text without its formatting codes: translate-toolkit reads a <bpt>'s content (the tool's own
    markup, such as `<b>`) as if it were text of the sentence."""
    tuv = copy.deepcopy(tuv)
    etree.strip_elements(tuv, "bpt", "ept", "it", "ut", with_tail=False)
    etree.strip_tags(tuv, "hi")  # highlighted text is text of the sentence
    return unit.getNodeText(tuv) or ""


def import_tmx(store: Store, path: Path, glossary: Glossary, imported_by: str = "",
               limits: Limits = Limits()) -> TmxImport:
    """Put a TMX file's pairs into memory in the name of `imported_by` (the reviewer vouching for them; the
    file itself for the project's `tm/*.tmx`); entries a reviewer approved are kept as they are, pairs holding
    a rendering `glossary` forbids are skipped (named in `skipped`)."""
    pairs, skipped = read_tmx(path, limits)
    result = TmxImport(skipped=skipped)
    named = shown(path)  # (a file named in GBK: `tm import` of one from a Windows share)
    current = {row["source_hash"]: row for row in store.memory_entries()}  # by memory_key
    rejected = store.memory_rejections()
    with store.tx() as conn:
        for zh, en in pairs:
            row = current.get(memory_key(zh))
            if found := forbidden_renderings(zh, en, glossary):
                result.skipped.append(f"{named}: {zh!r} not imported: "
                                      f"{'; '.join(forbidden_message(*f) for f in found)}")
            elif refusal := rejected.get((memory_key(zh), sha(en))):
                result.skipped.append(f"{named}: {zh!r} not imported: {refusal['rejected_by']} rejected this English "
                                      f"for it ({refusal['rejected_at']:%Y-%m-%d %H:%M} UTC); a reviewer approving it "
                                      "in review takes the rejection back")
            elif row is not None and row["target"] == en:
                result.unchanged += 1
            elif (other := _other_file(row, path, imported_by)) is not None:
                result.skipped.append(f"{named}: {zh!r} not imported: {other} gives it other English "
                                      f"({row['target']!r}), which is kept; make the two files agree")
            elif row is not None and row["origin"] == "review" and row["approved_by"] != MEMORY_APPROVER:
                result.kept += 1  # (one marked approved by "memory" was rewritten by an approval from memory
                # before zaitun stopped doing that: the import's entry, not a reviewer's)
            else:
                store.remember(conn, zh, en, origin="tmx", approved_by=imported_by or f"{TMX_VOUCHER}{Path(path).name}")
                result.added += row is None
                result.updated += row is not None
        store.log(conn, imported_by or "zaitun", "tm-import", note=_file_key(Path(path)))
    return result


def _other_file(row: dict | None, path: Path, imported_by: str) -> Path | None:
    """The other project memory file (beside `path` in tm/) whose pair memory holds for this Chinese: two files
    giving one Chinese other English are one mistake, not a correction, so the first taken is kept (as of two
    units of one file) and the other named, instead of whichever is imported last winning unsaid."""
    if imported_by or row is None or row["origin"] != "tmx" or not row["approved_by"].startswith(TMX_VOUCHER):
        return None
    other = Path(path).parent / row["approved_by"].removeprefix(TMX_VOUCHER)
    return other if other.name != Path(path).name and other.is_file() else None


TMX_VOUCHER = "tmx:"  # the approver a project memory file's pairs are put in the name of: `tmx:NAME`


def export_tmx(store: Store) -> bytes:
    """Every memory pair as TMX 1.4 (zh-CN -> en), in source order."""
    tmx = tmxfile(sourcelanguage=SOURCE_LANG, targetlanguage=TARGET_LANG)
    for row in store.memory_entries():
        tmx.addtranslation(row["source"], SOURCE_LANG, row["target"], TARGET_LANG)
    return bytes(tmx)


def _file_key(path: Path) -> str:
    """How the audit log names one version of a TMX file: its name and content hash."""
    return f"{shown(path.name)} {hashlib.sha256(path.read_bytes()).hexdigest()}"


def _imported_hashes(store: Store) -> set[str]:
    """`name hash` notes of the TMX imports recorded in the audit log since memory last forgot a removed file's
    pairs: after that every file is taken again once (a file put back, or another giving other English for a
    Chinese the removed one held, is taken as if new)."""
    done: set[str] = set()
    for action, note in store.audit_notes("tm-import", FORGET_ACTION):
        done = done | {note} if action == "tm-import" else set()
    return done


FORGET_ACTION = "tm-forget"


def load_project_tmx(store: Store, tm_dir: Path, glossary: Glossary, limits: Limits = Limits()) -> dict[str, TmxImport]:
    """Forget the pairs of a `tm/*.tmx` no longer there, then import each whose content is new to this store;
    return what each did (one that does not read is left out, `unreadable`, and the others taken in). A file
    removed vouches for nothing any more: the segments the translate pass approved from its pairs are drafted
    again for a reviewer (translate/pipeline.py)."""
    if not Path(tm_dir).is_dir():  # no tm/ (or a share not mounted): memory is left as it is
        return {}
    files = sorted(Path(tm_dir).glob("*.tmx"))
    misnamed = [path for path in files if not utf8_name(path.name)]  # its name would vouch for its pairs: none
    files = [path for path in files if path not in misnamed]  # can hold it
    results = _forget_removed(store, {path.name for path in files})
    for path in misnamed:
        results[shown(path.name)] = TmxImport(unreadable=(exc := LocatedError(path, name_problem(path))),
                                              skipped=[f"{exc}: left out"])
    done = _imported_hashes(store)
    for path in files:
        if _file_key(path) not in done:
            try:
                results[path.name] = import_tmx(store, path, glossary, limits=limits)
            except ZaitunError as exc:  # one broken file stops no translation: tried again each pass till mended
                results[path.name] = TmxImport(unreadable=exc, skipped=[
                    f"{exc}: left out; memory keeps what an earlier version of it gave"])
    return results


def _forget_removed(store: Store, present: set[str]) -> dict[str, TmxImport]:
    names = {v.removeprefix(TMX_VOUCHER) for v in store.tmx_vouchers() if v.startswith(TMX_VOUCHER)}
    removed = sorted(names - present)
    results = {}
    for name in removed:
        with store.tx() as conn:
            results[name] = TmxImport(forgotten=store.forget_vouched(conn, f"{TMX_VOUCHER}{name}"))
            store.log(conn, "zaitun", FORGET_ACTION, note=name)
    return results
