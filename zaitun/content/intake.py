"""Take content files into the store: segment new or changed documents, withdraw deleted ones.

Each file is taken in on its own: whatever one file raises is caught at its boundary and the
others go on. A broken new file is quarantined (a notice moved to .zaitun/quarantine/, a Markdown
file left where it is, untaken); a broken edit of a document already taken in is held back, and
its last good version stays in the store and online. Each is recorded with its `path:line: message`
(see zaitun.failures). A file it neither reads nor sees linked (an old Word .doc) is recorded too, left where it
is (unread.py), and so is a document that is the same notice as another, taken in as it is (twice.py). A file
another program is still writing (a notice being copied in) is left as it is for the next pass (writing.py). A file
taking the slug of another document (identity.py) is taken in as a new document, not as an edit of that one: the
English approved for the other is retracted and its segments start afresh. A file renamed in its section as its
Chinese was edited keeps its predecessor's English online, marked under review, until its own is approved.
Re-running with nothing changed does nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from zaitun import failures, progress
from zaitun.config import Limits
from zaitun.content.identity import newcomers, renamed
from zaitun.content.markdown import too_deep
from zaitun.content.model import (
    NOTICE_SUFFIXES,
    SLUG_CHARS,
    SLUG_RE,
    Document,
    content_source,
    decode_text,
    inside_content,
    is_scratch,
    load_documents,
    markdown_rename,
    read_file,
)
from zaitun.content.segmenter import Segment, document_segments
from zaitun.content.twice import same_notices
from zaitun.content.unchanged import Known
from zaitun.content.unread import unlinked_only, unread_files
from zaitun.content.writing import still_written, wait_for_writers
from zaitun.errors import ContentError, LocatedError, machine_trouble, shown, together, utf8_name
from zaitun.project import Project
from zaitun.state.segments import DocumentState
from zaitun.state.store import Connection, Store, sha

STAGE = "intake"
# More checks of one document (its links, say) that a later stage knows; each problem refuses it.
Validator = Callable[[Document], list[LocatedError]]
Checks = Callable[[list[Document]], Validator]  # given every document of the pass


@dataclass
class IntakeReport:
    ingested: list[str] = field(default_factory=list)  # new or changed slugs
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    anew: dict[str, str] = field(default_factory=dict)  # slug -> why: it names another document now (identity.py)
    errors: list[LocatedError] = field(default_factory=list)
    failures: list[failures.Failure] = field(default_factory=list)  # one per file not taken in
    unread: list[LocatedError] = field(default_factory=list)  # files neither read nor linked: warnings (unread.py)
    twice: list[LocatedError] = field(default_factory=list)  # the same notice as another document: warnings (twice.py)
    writing: list[LocatedError] = field(default_factory=list)  # files still being written: left for the next pass


@dataclass
class NoticeReport:
    """What became of the notices dropped into content/: converted, or quarantined with why."""

    written: list[Path] = field(default_factory=list)
    failed: list[failures.Failure] = field(default_factory=list)
    errors: list[LocatedError] = field(default_factory=list)
    converted: set[str] = field(default_factory=set)  # the notices' own paths


def convert_dropped_notices(project: Project, limits: Limits = Limits(),
                            writing: Collection[Path] = ()) -> NoticeReport:
    """Turn .txt/.docx notices dropped into content/<section>/ into Markdown documents.

    The original moves to .zaitun/imported/ once converted, or to .zaitun/quarantine/ with
    the reason reported when it cannot be converted: never silently dropped. A notice dropped into
    content/ itself stays there, reported: it needs a section folder. One still `writing` is left as it is.
    """
    done = NoticeReport()
    dropped, misplaced = dropped_notices(project.content_dir, writing)
    for error in misplaced:
        done.errors.append(error)
        done.failed.append(failures.of_error(STAGE, error))
    if not dropped:  # nor is the importer loaded (its parsers of heads, bodies and .docx files)
        return done
    from zaitun.content.importer import write_converted

    with progress.task("Converting notices", total=len(dropped)) as bar:
        for path in dropped:
            try:
                done.written.append(write_converted(*convert_dropped(path, project.content_dir, limits)))
                _move_aside(project, path, project.state_dir / "imported")
                done.converted.add(str(path))
            except Exception as exc:  # the file's boundary: any failure quarantines this notice only
                _not_the_machine(exc)
                _quarantine(project, path, _located(exc, path, "could not be converted"), done)
            bar.advance()
    return done


def dropped_notices(content_dir: Path, skip: Collection[Path] = ()) -> tuple[list[Path], list[ContentError]]:
    """The notices dropped into section folders (but those to `skip`), and why each one dropped into content/
    itself is not."""
    misplaced = [ContentError(path, "a notice is converted in a section folder: move it into content/<section>/ "
                              "(content/policies/ for policy notices)", 1)
                 for path in sorted(content_dir.glob("*")) if is_notice(path)]
    return sorted(path for path in content_dir.glob("*/*") if path not in skip and is_notice(path)), misplaced


def convert_dropped(path: Path, content_dir: Path, limits: Limits) -> tuple[Path, str]:
    """A dropped notice's document and where it goes, not written; its file name is its slug when it is
    one. A link out of content/ is refused, as a document's is."""
    from zaitun.content.importer import converted_notice  # (its parsers of heads, bodies and .docx files)

    if inside_content(path, content_dir) is None:
        raise ContentError(path, "file is outside the content folder", 1)
    slug = path.stem if SLUG_RE.match(path.stem) and len(path.stem) <= SLUG_CHARS else None  # else its number's
    return converted_notice(path, content_dir, section=path.parent.name, slug=slug, limits=limits, dropped=True)


def is_notice(path: Path) -> bool:
    """A .txt or .docx file (any case) that is not a scratch file, nor Markdown saved as .txt, nor a folder, a
    named pipe or anything else so named that is not a file (model.scan_content tells of those)."""
    return (path.suffix.lower() in NOTICE_SUFFIXES and not is_scratch(path.name) and not markdown_rename(path)
            and utf8_name(str(path)) and path.is_file())


def _quarantine(project: Project, path: Path, error: LocatedError, done: NoticeReport) -> None:
    try:
        kept = str(_move_aside(project, path, project.quarantine_dir))
        where = f"moved to {Path(kept).relative_to(project.root)}"
    except OSError as exc:
        kept, where = "", f"could not be moved to .zaitun/quarantine/: {exc.strerror}"
    located = ContentError(error.path, f"{error.message} ({where})", error.line)
    done.errors.append(located)
    done.failed.append(failures.Failure(STAGE, str(path), str(located), None, failures.QUARANTINED, kept))


def _not_the_machine(exc: Exception) -> None:
    """Raise what the disk or the store refused: no file is to blame, and every next file would meet it too."""
    trouble = machine_trouble(exc)
    if trouble is not None:
        raise trouble from exc


def _located(exc: Exception, path: Path, what: str) -> LocatedError:
    """The error as `path:line: message`; an unexpected exception becomes a one-line message about the file."""
    if isinstance(exc, LocatedError):
        return exc
    return ContentError(path, f"{what}: {exc.__class__.__name__}: {exc}", 1)


def _move_aside(project: Project, path: Path, folder: Path) -> Path:
    return project.set_aside(path, folder, lambda stamp: f"{stamp}-{path.parent.name}-{path.name}")


def content_missing(project: Project, store: Store) -> ContentError | None:
    """Why content/ cannot be read as the list of documents, when it is gone (a share not mounted, a link to a
    folder moved away) while the store has documents from it: read as empty, it would withdraw them all."""
    if project.content_dir.is_dir() or not store.document_heads():
        return None
    what = "a link to nothing" if project.content_dir.is_symlink() else (
        "not a folder" if project.content_dir.exists() else "missing")
    return ContentError(project.content_dir, f"the content folder is {what}: no document was withdrawn; put it back "
                                             "(or mount it), or delete the files of the documents to withdraw")


def content_emptied(project: Project, known: dict, present: set[str]) -> ContentError | None:
    """Why a pass withdraws nothing when content/ holds no document while the store has active ones (an empty
    mount point under a share not mounted, every file moved away by mistake): read as meant, it would take the
    whole site offline. Documents withdrawn with the review UI's Withdraw (their file set aside, as stored, in
    .zaitun/withdrawn/) were withdrawn on purpose: they do not count."""
    if present:
        return None
    unexplained = [row for row in known.values() if row["status"] == DocumentState.ACTIVE
                   and not _set_aside_by_withdraw(project, row)]
    if not unexplained:
        return None
    return ContentError(project.content_dir, f"the content folder holds no document while {len(unexplained)} were "
                        "taken in: none was withdrawn, as that would take the whole site offline (is a share not "
                        "mounted over it?); put the files back (or mount it), or withdraw them all on purpose with "
                        "`zaitun run --allow-empty`")


def _set_aside_by_withdraw(project: Project, row: dict) -> bool:
    """Whether the document's file, as the store holds it, was moved to .zaitun/withdrawn/ (content/upload.py)."""
    folder = project.withdrawn_dir / row["section"]
    for path in folder.glob(f"{row['slug']}.*.md") if folder.is_dir() else []:
        try:
            if sha(path.read_bytes().decode("utf-8-sig")) == row["raw_hash"]:
                return True
        except (OSError, UnicodeDecodeError):
            continue
    return False


def ingest(project: Project, store: Store, actor: str = "zaitun", checks: Checks | None = None,
           allow_empty: bool = False) -> IntakeReport:
    """Bring the store in line with content/: one pass, idempotent; one bad file never stops the others.
    `allow_empty`: content/ holding no document is meant, and withdraws every document (see `content_emptied`)."""
    if missing := content_missing(project, store):
        return IntakeReport(errors=[missing])
    limits = Limits.of(project.config)
    writing = wait_for_writers(project.content_dir)
    notices = convert_dropped_notices(project, limits, writing)
    known = {d["slug"]: d for d in store.document_heads(status=None)}
    parsed = Known.read(project.state_dir, known)  # the files unchanged since: not parsed again
    places = {slug: _place(row) for slug, row in known.items() if row["status"] == DocumentState.ACTIVE}
    loaded = load_documents(project.content_dir, limits, parsed.document, places, skip=writing)
    report = IntakeReport(errors=list(notices.errors), failures=list(notices.failed),
                          writing=still_written(writing, "left as it is, taken in by the next pass once closed"))
    validate = checks(loaded.documents) if checks else None
    moves = _broken_moves(known, loaded.documents, loaded.errors, project.content_dir, limits)
    for error in loaded.errors:
        _refuse(report, error, known.get(error.path.stem), moves.get(error.path))
    others = newcomers(known, loaded.documents, store.raws)
    with progress.task("Taking in documents", total=len(loaded.documents)) as bar:
        for doc in loaded.documents:
            _take_in_one(store, report, doc, known.get(doc.slug), actor, limits, validate, others.get(doc.slug))
            bar.advance()
    present = {d.slug for d in loaded.documents} | {e.path.stem for e in [*loaded.errors, *report.writing]}
    present |= {row["slug"] for row in moves.values()}
    if emptied := None if allow_empty else content_emptied(project, known, present):
        report.errors.append(emptied)
        report.failures.append(failures.Failure(STAGE, str(project.content_dir), str(emptied), None,
                                                failures.HELD_BACK))
    else:
        _withdraw_deleted(store, report, known, present, actor)
        _carry_english(store, report, known, loaded.documents, actor)
    report.unread = unread_files(loaded.others, loaded.documents, project.content_dir)
    report.failures += [failures.Failure(STAGE, str(w.path), str(w), None,
                                         failures.NOT_LINKED if unlinked_only(w.path) else failures.NOT_READ)
                        for w in report.unread]
    report.twice = same_notices(loaded.documents, places)  # (the places before this pass took anything in)
    report.failures += [failures.Failure(STAGE, str(w.path), str(w), w.path.stem, failures.SAME_NOTICE)
                        for w in report.twice]
    parsed.keep(loaded.documents, {*report.unchanged, *report.ingested})
    _record(project, store, report, notices.converted)
    return report


def _take_in_one(store: Store, report: IntakeReport, doc: Document, row: dict | None, actor: str, limits: Limits,
                 validate: Validator | None, anew: str | None = None) -> None:
    if not doc.whole or (row and row["raw_hash"] == sha(doc.raw) and row["status"] == DocumentState.ACTIVE
                         and _place(row) == doc.source):  # (a file moved to another section is taken in again)
        report.unchanged.append(doc.slug)  # (a document not parsed again is one the store holds: unchanged.py)
        return
    try:
        _take_in(store, doc, actor, limits, validate, anew)
    except Exception as exc:  # the file's boundary: its last good version (if any) stays as it was
        _not_the_machine(exc)
        _refuse(report, _located(exc, doc.path, "could not be taken in"), row)
        return
    report.ingested.append(doc.slug)
    if anew:
        report.anew[doc.slug] = anew


def _refuse(report: IntakeReport, error: LocatedError, row: dict | None, moved: dict | None = None) -> None:
    """One file not taken in: held back when a good version of it is online (`moved`: the document whose file
    is gone and which this file is taken to be, moved here), quarantined otherwise."""
    online = bool(row) and row["status"] == DocumentState.ACTIVE and _place(row) == _place_of(error.path)
    if moved is not None:
        online, row = True, moved
        error = type(error)(error.path, f"{error.message} (taken as document {moved['slug']} moved here from "
                            f"content/{_place(moved)}, which is gone: its pages stay online as they were until "
                            "this file reads; delete this file too to withdraw it)", error.line)
    report.errors.append(error)
    slug = row["slug"] if row else (shown(error.path.stem) if error.path.suffix == ".md" else None)  # (stored)
    report.failures.append(failures.of_error(STAGE, error, slug, online))


def _place(row: dict) -> str:
    """Where a stored document's file is in content/ (`guides/a.md`): the store keeps the path it was read
    from, which moves with the project's folder."""
    return content_source(row["section"], row["path"])


def _place_of(path: Path) -> str:
    return content_source(path.parent.name, path)


def _take_in(store: Store, doc: Document, actor: str, limits: Limits,
             validate: Validator | None, anew: str | None = None) -> None:
    """Validate and store one document; raise its problems (the first, naming the others: errors.together) and
    store nothing. `anew`: why its slug names another document than the stored one, which it does not replace as
    an edit would (identity.py)."""
    problems = validate(doc) if validate else []
    if problems:
        raise together(problems)
    new = checked_segments(doc, limits)
    with store.tx() as conn:
        if anew:
            retracted = store.start_anew(conn, doc.slug, actor, anew)
            store.log(conn, actor, "start-anew", doc.slug, note=f"{anew} ({retracted} English releases retracted)")
        _store_document(store, conn, doc, new, actor, fresh=bool(anew))


_SAID = {"valid_from": "in force from", "valid_until": "valid until"}
_MISSED = {"valid_from": "in force before that day", "valid_until": "in force after that day"}


def checked_segments(doc: Document, limits: Limits) -> list[Segment]:
    """The document's segments; too many of them refuse it (`limits.segments`), and so do quotes or lists nested
    deeper than the renderer reads (it would leave out what is inside) and a validity its text states otherwise
    than its front matter."""
    if deep := too_deep(doc.body):
        line, limit = deep
        raise ContentError(doc.path, f"quotes or lists nested too deep (at most {limit} quotes, or {limit // 2} lists, "
                           "within each other): what is deeper would be left out of the page; nest them less",
                           doc.body_line + line)
    _check_validity(doc)
    new = document_segments(doc)
    if len(new) > limits.segments:
        raise ContentError(doc.path, f"{len(new)} segments, over the limit of {limits.segments} per document "
                           "(limits.segments): split the document", 1)
    return new


def _check_validity(doc: Document) -> None:
    """Refuse a front-matter validity the text contradicts (the page would show both), or leaves out while it gives
    the other (the page would show a status the text's date is missing from): read only in a document whose front
    matter has one."""
    if doc.meta.get("valid_from") is None and doc.meta.get("valid_until") is None:
        return
    from zaitun.content.notice.validity import stated_validity

    # a period the text gives (`有效期3年`) counts from the front matter's start, by the importer's rule
    for key, (stated, line) in stated_validity(doc.body, doc.date, doc.meta.get("valid_from")).items():
        if doc.meta.get(key) is None:  # the other is given: the page shows a status this date is missing from
            raise ContentError(doc.path, f"the text says the document is {_SAID[key]} {stated}, its front matter "
                               f"gives no '{key}': the page would show it {_MISSED[key]}; add '{key}: {stated}'",
                               doc.body_line + line)
        if doc.meta[key] != stated:
            raise ContentError(doc.path, f"the text says the document is {_SAID[key]} {stated}, its front matter "
                               f"'{key}: {doc.meta[key]}': the page would show both; make them agree",
                               doc.body_line + line)


def _broken_moves(known: dict, documents: list[Document], errors: list[LocatedError], content: Path,
                  limits: Limits) -> dict[Path, dict]:
    """The refused files taken as an active document moved, its file gone: of its name elsewhere (a broken
    edit made in its new place), or holding its very text under a name or in a place refused (renamed `Rn A.md`,
    moved into a folder that is no section). Each is held back as any broken edit is, its document not
    withdrawn, and says so: file -> the document's row."""
    taken = {doc.slug for doc in documents} | {e.path.stem for e in errors if (row := known.get(e.path.stem))
                                               and _place(row) == _place_of(e.path)}
    gone = {slug: row for slug, row in known.items() if row["status"] == DocumentState.ACTIVE
            and slug not in taken and not (content / _place(row)).exists()}
    found = {e.path: gone[e.path.stem] for e in errors if e.path.stem in gone}
    by_text = {row["raw_hash"]: row for row in gone.values()}
    for error in errors if by_text else []:
        if error.path in found:
            continue
        try:
            text = decode_text(read_file(error.path, limits.text_bytes), error.path)
        except (ContentError, OSError):  # not its text, whatever it is
            continue
        if (row := by_text.get(sha(text))) is not None:
            found[error.path] = row
    return found


def _withdraw_deleted(store: Store, report: IntakeReport, known: dict, present: set[str], actor: str) -> None:
    for slug, row in known.items():
        if row["status"] == DocumentState.ACTIVE and slug not in present:
            with store.tx() as conn:
                store.withdraw_document(conn, slug)
                store.log(conn, actor, "withdraw", slug, note=f"{row['path']} was deleted")
                store.record_event(conn, "zaitun.document.withdrawn", slug)
            report.withdrawn.append(slug)


def _carry_english(store: Store, report: IntakeReport, known: dict, documents: list[Document], actor: str) -> None:
    """A document renamed in its section as its Chinese was edited (identity.renamed) keeps the English online of
    the one it was, marked under review, until its own is approved: as an edit where it is does."""
    fresh = {slug for slug in report.ingested if slug not in known or slug in report.anew}
    for new, old in sorted(renamed(known, documents, report.withdrawn, fresh, store.raws).items()):
        with store.tx() as conn:
            carried = store.carry_release(conn, old, new)
            if carried is not None:
                store.log(conn, actor, "carry-release", new,
                          note=f"renamed from {old} with its Chinese changed: the English online of {old} (release "
                               f"{carried[0]}, as release {carried[1]}) stays online at the new address, marked "
                               "under review, until its own English is approved")


def _record(project: Project, store: Store, report: IntakeReport, converted: set[str]) -> None:
    with store.tx() as conn:
        for error in report.errors:
            store.record_event(conn, "zaitun.content.failed", shown(error.path.stem), error=str(error))
    failures.record(project, store, STAGE, report.failures, cleared=converted)


def _store_document(store: Store, conn: Connection, doc: Document, new: list[Segment], actor: str,
                    fresh: bool = False) -> None:
    """Store the document's file and segments; `fresh`: a new document, whose segments replace none stored."""
    store.save_document(conn, doc.slug, doc.section, str(doc.path), doc.raw)
    old_active = [] if fresh else store.segments(doc.slug)
    predecessors = _predecessors([s["seg_id"] for s in old_active], [s.id for s in new])
    store.set_segments(conn, doc.slug, [(s.id, s.kind, s.source) for s in new], predecessors)
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


