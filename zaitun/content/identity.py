"""Whether a slug still names the document the store knows by it.

The store knows a document by its slug, so a file taking the name of another document (one renamed or deleted)
would be taken in as an edit of it, and the English a reviewer approved for that other document would stay online
on the newcomer's page while "its update" is reviewed. A slug names another document when its file is in another
section than the stored one, or the stored one is no longer on the site (renamed away or deleted before, in any
section), its Chinese is not the stored one, and either it announces something else (`announcement`: a renamed
document is recognised the same way, publish/redirects.py) or the stored document's announcement arrived under
another slug in the same pass (it was renamed). An edit where it is, or a move or a file put back that keeps the
announcement, is the same document: its English stays online while the update is reviewed. So is a file renamed in
its section as its Chinese was edited (`renamed`): its predecessor's English stays online at its new address.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from zaitun.content.model import Document, announcement, content_source, parse_document
from zaitun.state.digest import sha
from zaitun.state.segments import DocumentState


def newcomers(known: dict[str, dict], documents: list[Document],
              raws: Callable[[list[str]], dict[str, str]]) -> dict[str, str]:
    """slug -> why, of each of these documents whose slug the store (`known`: its document heads by slug, any
    status) holds for another document; `raws` reads stored files, only those of documents moved and changed."""
    moved = [doc for doc in documents if doc.whole and (row := known.get(doc.slug))
             and (row["section"] != doc.section or row["status"] != DocumentState.ACTIVE)
             and row["raw_hash"] != sha(doc.raw)]
    if not moved:
        return {}
    stored = raws([doc.slug for doc in moved])
    arrived = {_announced(doc): doc.slug for doc in documents
               if doc.whole and (doc.slug not in known or known[doc.slug]["status"] != DocumentState.ACTIVE)}
    found = {}
    for doc in moved:
        row = known[doc.slug]
        was = _stored_announcement(row, stored.get(doc.slug))
        renamed = arrived.get(was) if was and arrived.get(was) != doc.slug else None  # (not itself, put back)
        if was != _announced(doc) or renamed:
            where = f"content/{content_source(row['section'], row['path'])}"
            went = f", now {renamed}" if renamed else ""
            found[doc.slug] = (f"{doc.slug} now names another document (content/{doc.source}; {where} had the name "
                               f"before{went}): the English approved for that one is not shown on its page")
    return found


def renamed(known: dict[str, dict], documents: list[Document], withdrawn: list[str], fresh: set[str],
            raws: Callable[[list[str]], dict[str, str]]) -> dict[str, str]:
    """new slug -> old slug of each document renamed in this pass with its Chinese changed: a document `fresh` to
    the store (new, or started anew) announcing what exactly one document `withdrawn` in this pass from the same
    section announced, and no other fresh one announcing it (where two could be meant, neither is taken, as for
    redirects). A file renamed as it is is left out: its English comes back from approved memory at once."""
    left = [known[slug] for slug in withdrawn if slug in known]
    arrived = [doc for doc in documents if doc.whole and doc.slug in fresh]
    if not left or not arrived:
        return {}
    stored = raws([row["slug"] for row in left])
    was: dict[tuple[str, str], list[dict]] = {}
    for row in left:
        if said := _stored_announcement(row, stored.get(row["slug"])):
            was.setdefault((row["section"], said), []).append(row)
    now: dict[tuple[str, str], list[Document]] = {}
    for doc in arrived:
        now.setdefault((doc.section, _announced(doc)), []).append(doc)
    return {docs[0].slug: rows[0]["slug"] for key, docs in now.items()
            if len(docs) == 1 and len(rows := was.get(key, [])) == 1 and rows[0]["raw_hash"] != sha(docs[0].raw)}


def _announced(doc: Document) -> str:
    return announcement(str(doc.meta.get("title") or ""), str(doc.meta.get("summary") or ""),
                        str(doc.meta.get("social") or ""))


def _stored_announcement(row: dict, raw: str | None) -> str | None:
    """What the stored document announced; None when its file no longer reads (then nothing says it is the same)."""
    if raw is None:
        return None
    try:
        return _announced(parse_document(raw, Path(row["path"]), row["section"], row["slug"]))
    except Exception:  # read under older rules: a newer version refuses it
        return None
