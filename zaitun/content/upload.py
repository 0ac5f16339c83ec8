"""Content added from the browser: an uploaded notice or document is shown as zaitun read it before
anything is saved, saved only as a new file (or, once confirmed, over the version that was shown),
and withdrawn by moving the file aside, never deleting it.

An upload waits in `.zaitun/uploads/<token>.json` between "show" and "save", so the saved text is
exactly the text that was shown; saving writes `content/<section>/<slug>.md` and the pipeline then
takes it in as it takes in a dropped file.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import secrets
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from zaitun import locks
from zaitun.config import Limits
from zaitun.content import labels
from zaitun.content.importer import convert_notice, default_slug, read_notice
from zaitun.content.intake import checked_segments
from zaitun.content.links import document_problems, unsafe_link_problems
from zaitun.content.model import (
    DOCUMENT_SUFFIXES,
    NOTICE_SUFFIXES,
    SLUG_RE,
    content_files,
    dump_document,
    parse_document,
    reserved_section,
    too_long,
)
from zaitun.content.schema import SLUG_CHARS, control_character
from zaitun.errors import ContentError, utf8_text
from zaitun.project import Project

UPLOADS = "uploads"
LOCK = "content-writes.lock"  # saves and withdrawals from the browser, one at a time (see `save`)
SAVED_MEANWHILE = "already exists: saved after this upload was shown; upload the file again to see the differences"
UNLABELLED = {2: "parts", 3: "measures"}  # headings of notices, by level: 一、 and （一）
_NAMES = {kind.name: f"{kind.name}s ({char})" for char, kind in labels.KINDS.items()}  # "articles (条)"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._\u3400-\u9fff-]+")


@dataclass
class Upload:
    """One uploaded file as zaitun read it: what would be saved, where, and what is wrong with it."""

    name: str  # the file's name as uploaded
    section: str
    slug: str
    text: str  # the content document that "Save" writes
    facts: dict = field(default_factory=dict)  # title, doc_number, issuer, date, valid_from, valid_until
    structure: dict[str, int] = field(default_factory=dict)  # "chapters (章)": 3, "articles (条)": 20 (see outline)
    first_lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "name:line: message"
    current_hash: str = ""  # hash of the file this would replace ("" for a new document)
    diff: list[str] = field(default_factory=list)  # unified diff against that file

    @property
    def token(self) -> str:
        return hashlib.sha256(f"{self.section}/{self.slug}\x1f{self.text}".encode()).hexdigest()[:32]

    @property
    def target(self) -> str:
        return f"{self.section}/{self.slug}.md"

    @property
    def replaces(self) -> bool:
        return bool(self.current_hash)


def prepare(project: Project, name: str, data: bytes, section: str, programme: str = "") -> Upload:
    """Read an uploaded .docx/.txt notice or .md document as the intake would; keep it for `save`."""
    name = Path(name).name
    suffix = Path(name).suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise ContentError(name, f"zaitun takes {', '.join(DOCUMENT_SUFFIXES)} files, not {suffix or 'this file'}")
    limits = Limits.of(project.config)
    if len(data) > limits.text_bytes:
        raise ContentError(name, f"file is over the {limits.text_bytes:,}-byte limit (limits.text_bytes): "
                           "split it into smaller documents")
    if not SLUG_RE.match(section):
        raise ContentError(name, f"bad section {section!r}: use lowercase a-z, 0-9 and '-'")
    if (taken := reserved_section(section)) is not None:
        raise ContentError(name, f"{taken}: choose another section")
    if len(section) > SLUG_CHARS:  # past 255 bytes the disk refuses the name: no file is looked for
        raise ContentError(name, f"the section name is too long: {len(section)} characters, at most {SLUG_CHARS}; "
                           "choose another section")
    text, slug = _as_document(name, suffix, data, programme, limits)
    upload = Upload(name, section, slug, text)
    _describe(upload, project, limits)
    _keep(project, upload)
    return upload


def _as_document(name: str, suffix: str, data: bytes, programme: str, limits: Limits) -> tuple[str, str]:
    if suffix in NOTICE_SUFFIXES:
        with tempfile.TemporaryDirectory() as folder:  # the importer reads files; the name keeps its messages
            path = Path(folder) / (_SAFE_NAME.sub("-", Path(name).stem)[:60] + suffix)  # 255 bytes at most
            path.write_bytes(data)
            try:
                meta, body = convert_notice(read_notice(path, limits), path)
            except ContentError as exc:  # named as uploaded: the server's temporary folder is nobody's business
                raise ContentError(name, exc.message.replace(str(path), name), exc.line) from None
        if programme:
            meta["programme"] = programme
        return dump_document(meta, body), default_slug(meta)
    text = utf8_text(data, name, ContentError, "not UTF-8 text: save the document as UTF-8").replace("\r\n", "\n")
    found = control_character(text)
    if found:  # as the intake would refuse it
        raise ContentError(name, f"the control character {found[1]} is not allowed in text: remove it", found[0])
    slug = Path(name).stem.lower()
    return text, slug if SLUG_RE.match(slug) else "document"


def _describe(upload: Upload, project: Project, limits: Limits) -> None:
    """Facts, outline and problems of the document, and how it differs from the file it would replace. Its
    problems are those intake would refuse it for, its links to other pages aside (those need every document:
    intake names them): its file links and unsafe links, too many segments, nesting too deep, a validity its
    text states otherwise."""
    try:
        doc = parse_document(upload.text, Path(upload.name), upload.section, upload.slug)
    except ContentError as exc:
        upload.problems.append(f"{upload.name}:{exc.line or 1}: {exc.message}")
        doc = None
    if doc is not None:
        found = [*document_problems(doc, project.content_dir), *unsafe_link_problems(doc)]
        try:
            checked_segments(doc, limits)
        except ContentError as exc:
            found.append(exc)
        found.sort(key=lambda error: error.line or 1)
        upload.problems += [f"{upload.name}:{e.line or 1}: {e.message}" for e in found]
        upload.facts = {key: str(doc.meta[key]) for key in ("title", "doc_number", "issuer", "date", "valid_from",
                                                              "valid_until", "programme") if doc.meta.get(key)}
        lines = doc.body.splitlines()
        upload.structure = outline(lines)
        upload.first_lines = [line for line in lines if line.strip()][:5]
    if not SLUG_RE.match(upload.slug):
        upload.problems.append(f"{upload.name}: the file name makes no usable slug: name it like new-notice.md")
    if len(upload.slug) > SLUG_CHARS:  # no file so named is looked for: past 255 bytes the disk refuses the name
        upload.problems.append(f"{upload.name}: {too_long(upload.slug)}")
        return
    upload.problems += _slug_clash(project, upload)
    target = project.content_dir / upload.target
    if target.is_file():
        current = _current(target)
        upload.current_hash = _hash(current)
        upload.diff = list(difflib.unified_diff(current.splitlines(), upload.text.splitlines(),
                                                f"current {upload.target}", f"uploaded {upload.name}", lineterm=""))


def _current(target: Path) -> str:
    """The file an upload would replace, as its diff shows it: one saved in GBK (the very file being mended, say)
    made the upload page answer 500; its bytes that are not UTF-8 are shown as \ufffd."""
    return target.read_bytes().decode("utf-8", "replace")


def outline(lines: list[str]) -> dict[str, int]:
    """Headings counted under the document's own names: a regulation's chapters (章), sections (节) and
    articles (条); a notice's parts (`## 一、`) and measures (`### （一）`), which carry no label."""
    counts: dict[str, int] = {}
    for line in lines:
        hashes, _, text = line.partition(" ")
        if len(hashes) < 2 or hashes.strip("#"):
            continue
        label = labels.heading_label(text.strip())
        name = _NAMES[label.kind.name] if label else UNLABELLED.get(len(hashes), "headings")
        counts[name] = counts.get(name, 0) + 1
    order = [*_NAMES.values(), *UNLABELLED.values()]  # the larger unit first: chapters before articles
    return dict(sorted(counts.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def _slug_clash(project: Project, upload: Upload) -> list[str]:
    target = (project.content_dir / upload.target).resolve()
    return [f"{upload.name}: slug {upload.slug!r} is already used by {path.relative_to(project.content_dir)}"
            for path in content_files(project.content_dir) if path.stem == upload.slug and path.resolve() != target]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _keep(project: Project, upload: Upload) -> None:
    folder = project.state_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / f"{upload.token}.json", json.dumps(asdict(upload), ensure_ascii=False))


def pending(project: Project, token: str) -> Upload:
    """An upload shown earlier, by its token."""
    path = project.state_dir / UPLOADS / f"{token}.json"
    if not re.fullmatch(r"[0-9a-f]{32}", token) or not path.is_file():
        raise ContentError(token, "this upload is no longer waiting: upload the file again")
    kept = json.loads(path.read_text(encoding="utf-8"))
    return Upload(**{f.name: kept[f.name] for f in fields(Upload) if f.name in kept})  # one kept by an older zaitun


def save(project: Project, token: str, replace: bool = False) -> Path:
    """Write the upload shown under `token` into content/. A new document only, unless `replace` confirms
    the diff that was shown and the file is still the version that diff was made against. Saves are checked
    and made one at a time, so of two sent at once the second sees the first's file."""
    upload = pending(project, token)
    if upload.problems:
        raise ContentError(upload.name, "has problems to fix first: " + "; ".join(upload.problems))
    with locks.held(project.state_dir / LOCK):
        target = _checked(project, upload, replace)
        target.parent.mkdir(parents=True, exist_ok=True)
        if upload.replaces:
            _write_atomic(target, upload.text)
        elif not _create(target, upload.text):  # a file put in content/ by other hands meanwhile
            raise ContentError(upload.target, SAVED_MEANWHILE)
    (project.state_dir / UPLOADS / f"{token}.json").unlink(missing_ok=True)
    return target


def _checked(project: Project, upload: Upload, replace: bool) -> Path:
    """The file `upload` would be saved as, if it may be: the file there is still the one it was shown against."""
    target = project.content_dir / upload.target
    current = _hash(_current(target)) if target.is_file() else ""
    if current and not upload.replaces:
        raise ContentError(upload.target, SAVED_MEANWHILE)
    if current and not replace:
        raise ContentError(upload.target, "already exists: look at the differences and confirm the new version")
    if current != upload.current_hash:
        raise ContentError(upload.target, "changed since the upload was shown: upload the file again")
    if _slug_clash(project, upload):
        raise ContentError(upload.target, f"slug {upload.slug!r} was taken meanwhile: upload under another name")
    return target


def document_file(project: Project, section: str, slug: str) -> Path:
    """The file of `content/<section>/<slug>.md`; names that are not slugs (`..`) are refused before
    any file is looked at, so the answer tells nothing of files outside content/."""
    if not (SLUG_RE.match(section) and SLUG_RE.match(slug)):
        raise ContentError(f"{section}/{slug}", "no such document")
    source = project.content_dir / section / f"{slug}.md"
    if not os.path.isfile(source):  # (not Path.is_file: a name too long for the disk raised OSError)
        raise ContentError(f"{section}/{slug}.md", "no such document in content/")
    return source


def withdraw(project: Project, section: str, slug: str) -> Path:
    """Move a document's file out of content/ into `.zaitun/withdrawn/`; the intake then withdraws it. One at a
    time: of two clicks on Withdraw, the second is told there is no such document."""
    with locks.held(project.state_dir / LOCK):
        source = document_file(project, section, slug)
        try:
            return project.set_aside(source, project.withdrawn_dir / section, lambda stamp: f"{slug}.{stamp}.md")
        except FileNotFoundError:  # moved or deleted by other hands meanwhile
            raise ContentError(f"{section}/{slug}.md", "no such document in content/") from None


def _write_atomic(path: Path, text: str) -> None:
    """Write `path` whole or not at all, through a temporary file of this write's own beside it."""
    temp = _temporary(path, text)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _create(path: Path, text: str) -> bool:
    """Write `path` whole if no file has its name (False if one has): a hard link is made only where none is."""
    temp = _temporary(path, text)
    try:
        os.link(temp, path)
    except FileExistsError:
        return False
    finally:
        temp.unlink(missing_ok=True)
    return True


def _temporary(path: Path, text: str) -> Path:
    """A new file holding `text` beside `path`, named for this write alone: two writers never share one. (Not
    tempfile.mkstemp: its files are private to their owner, and a saved document is read as any other.)"""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp
