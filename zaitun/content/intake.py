"""Take content files into the store: segment new or changed documents, withdraw deleted ones.

A broken file is reported (and its last good version, if any, stays as it was); it never
stops the other files. Re-running with nothing changed does nothing.
"""

from __future__ import annotations

import difflib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection

from zaitun.content.importer import import_notice
from zaitun.content.model import NOTICE_SUFFIXES, SLUG_RE, Document, is_scratch, load_documents
from zaitun.content.segmenter import document_segments
from zaitun.errors import ContentError
from zaitun.project import Project
from zaitun.store import Store, documents, now, segments, sha


@dataclass
class IntakeReport:
    ingested: list[str] = field(default_factory=list)  # new or changed slugs
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


def convert_dropped_notices(project: Project) -> tuple[list[Path], list[ContentError]]:
    """Turn .txt/.docx notices dropped into content/<section>/ into Markdown documents.

    The original moves to .zaitun/imported/ once converted, or to .zaitun/quarantine/ with
    the reason reported when it cannot be converted: never silently dropped.
    """
    written: list[Path] = []
    errors: list[ContentError] = []
    for path in sorted(project.content_dir.glob("*/*")):
        if path.suffix.lower() not in NOTICE_SUFFIXES or is_scratch(path.name):
            continue
        slug = path.stem if SLUG_RE.match(path.stem) else None
        try:
            written.append(import_notice(path, project.content_dir, section=path.parent.name, slug=slug))
            _move_aside(path, project.state_dir / "imported")
        except ContentError as exc:
            errors.append(ContentError(exc.path, f"{exc.message} (moved to .zaitun/quarantine/)", exc.line))
            _move_aside(path, project.quarantine_dir)
    return written, errors


def _move_aside(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now().strftime("%Y%m%dT%H%M%S")
    return Path(shutil.move(str(path), folder / f"{stamp}-{path.parent.name}-{path.name}"))


def ingest(project: Project, store: Store, actor: str = "zaitun") -> IntakeReport:
    """Bring the store in line with content/: one pass, idempotent."""
    _, notice_errors = convert_dropped_notices(project)
    loaded = load_documents(project.content_dir)
    report = IntakeReport(errors=notice_errors + list(loaded.errors))
    broken_slugs = {e.path.stem for e in report.errors}
    known = {d["slug"]: d for d in store.documents(status=None)}
    for doc in loaded.documents:
        row = known.get(doc.slug)
        if row and row["raw_hash"] == sha(doc.raw) and row["status"] == "active":
            report.unchanged.append(doc.slug)
            continue
        with store.tx() as conn:
            _store_document(store, conn, doc, actor, exists=row is not None)
        report.ingested.append(doc.slug)
    present = {d.slug for d in loaded.documents} | broken_slugs
    for slug, row in known.items():
        if row["status"] == "active" and slug not in present:
            with store.tx() as conn:
                conn.execute(update(documents).where(documents.c.slug == slug)
                             .values(status="withdrawn", updated_at=now()))
                store.log(conn, actor, "withdraw", slug, note=f"{row['path']} was deleted")
                store.record_event(conn, "zaitun.document.withdrawn", slug)
            report.withdrawn.append(slug)
    for error in report.errors:
        with store.tx() as conn:
            store.record_event(conn, "zaitun.content.failed", error.path.stem, error=str(error))
    return report


def _store_document(store: Store, conn: Connection, doc: Document, actor: str, exists: bool) -> None:
    values = dict(section=doc.section, path=str(doc.path), raw=doc.raw, raw_hash=sha(doc.raw),
                  status="active", updated_at=now())
    if exists:
        conn.execute(update(documents).where(documents.c.slug == doc.slug).values(**values))
    else:
        conn.execute(insert(documents).values(slug=doc.slug, **values))
    new = document_segments(doc)
    old = store.segments(doc.slug, active=None)
    old_active = [s for s in old if s["active"]]
    predecessors = _predecessors([s["seg_id"] for s in old_active], [s.id for s in new])
    kept = {s["seg_id"]: s for s in old}
    conn.execute(update(segments).where(segments.c.slug == doc.slug).values(active=False))
    for position, seg in enumerate(new):
        if seg.id in kept:
            conn.execute(update(segments).where(segments.c.slug == doc.slug, segments.c.seg_id == seg.id)
                         .values(active=True, position=position, kind=seg.kind))
        else:
            conn.execute(insert(segments).values(slug=doc.slug, seg_id=seg.id, position=position, kind=seg.kind,
                                                 source=seg.source, active=True,
                                                 prev_seg_id=predecessors.get(seg.id)))
    store.log(conn, actor, "ingest", doc.slug, note=f"{len(new)} segments from {doc.path.name}")
    store.record_event(conn, "zaitun.content.ingested", doc.slug, segments=len(new))


def _predecessors(old_ids: list[str], new_ids: list[str]) -> dict[str, str]:
    """Pair each new segment with the old one it replaced, where the Chinese was edited in place."""
    pairs: dict[str, str] = {}
    matcher = difflib.SequenceMatcher(a=old_ids, b=new_ids, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            for old_id, new_id in zip(old_ids[i1:i2], new_ids[j1:j2], strict=False):
                pairs[new_id] = old_id
    return pairs


