"""A document is `content/<section>/<slug>.md`: YAML front matter plus a Chinese Markdown body."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import posixpath
import re
import stat
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from zaitun.config import Limits
from zaitun.content.schema import SEPARATORS, SLUG_CHARS, SLUG_RE, control_character, unknown_key_message, validate_meta
from zaitun.content.validity import EXPIRED, validity_on
from zaitun.errors import ContentError, utf8_name, utf8_text

if TYPE_CHECKING:
    import yaml

# folders of each language the site's own pages are in (publish/layout.py): its tags, its programmes, its
# search page and the later pages of its home (`zh/page/2/`); a section of that name would write over them
RESERVED_SECTIONS = ("tags", "programmes", "search", "page")
# Front-matter fields whose Chinese text is translated and reviewed like the body.
TRANSLATABLE_FIELDS = ("title", "summary", "social")
# Facts the English page shows beside the text: reviewed like it too (the issuer translated, the
# document number given an English rendering, dates confirmed), so a changed fact comes back to
# review and the English page shows only approved ones.
FACT_FIELDS = ("issuer", "doc_number", "valid_from", "valid_until")


@cache
def _loader() -> type:
    """Safe YAML that leaves dates as text, so a bad date gets our message and line. libyaml's parser
    when PyYAML has it: intake reads every document's front matter on each pass, 8 times faster. Made when
    first used: a build that parses no front matter (an English approval) does without YAML (10 ms)."""
    import yaml

    class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        yaml_implicit_resolvers = {
            key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }

    return _Loader


@dataclass
class Document:
    """One content document, as read from disk."""

    path: Path
    section: str
    slug: str
    meta: dict
    body: str
    body_line: int = 1  # line number of the body's first line in the file
    raw: str = field(default="", repr=False)
    file_hash: str = ""  # the digest of the file's bytes, when read from content/ (see unchanged.py)
    whole: bool = True  # False: a file intake knew unchanged and did not parse again (unchanged.py): its meta
    # holds only what listing it needs (draft, programme, tags, aliases) and its doc_number, its body and raw are
    # not read
    links: list[str] | None = None  # the files under content/ its body links (files.document_links), once known
    body_key: str = ""  # of a file not parsed again: its body's digest as twice.body_key made it

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def source(self) -> str:
        return content_source(self.section, self.path)

    @property
    def date(self) -> dt.date:
        return self.meta["date"]

    @property
    def draft(self) -> bool:
        return bool(self.meta.get("draft", False))

    @property
    def programme(self) -> str | None:
        return self.meta.get("programme")

    @property
    def tags(self) -> list[str]:
        return list(self.meta.get("tags") or [])

    @property
    def valid_until(self) -> dt.date | None:
        return self.meta.get("valid_until")

    @property
    def valid_from(self) -> dt.date | None:
        return self.meta.get("valid_from")

    def is_expired(self, today: dt.date) -> bool:
        """Past its valid_until (the last day it applies); `today` is the project's (Project.today)."""
        return validity_on(self.valid_from, self.valid_until, today) == EXPIRED


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (yaml text, body, body's first line number)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, "missing front matter: the file must start with a '---' line", 1)
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    raise ContentError(path, "front matter is not closed: add a '---' line after it", 1)


def parse_meta(yaml_text: str, path: Path) -> dict:
    """Parse front matter and check it against the schema; errors carry the file's line number."""
    import yaml

    loader = _loader()(yaml_text)
    try:
        node = loader.get_single_node()
        lines = _key_lines(node, path)  # before constructing, which folds merge keys (`<<`) into the node
        meta = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        mark, opened = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        if opened is not None and opened.line + 2 < line:  # `[2025` unclosed: found where the file ends, made here
            problem += f" (on line {line}) {exc.context} begun on this line: close or quote it"
            line = opened.line + 2
        problem, line = _plainly(yaml_text, problem, line)
        raise ContentError(path, f"broken YAML front matter: {problem}", line) from None
    finally:
        loader.dispose()
    return validate_meta(meta, lines, path)


_WIDE_COLON = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*：")  # `title：通知`, typed with a Chinese keyboard


def _plainly(yaml_text: str, problem: str, line: int) -> tuple[str, int]:
    """What YAML says of the mistakes staff make most, in their words and at their line: a key with a full-width
    colon (YAML finds it a line later), a colon inside a value, a tab indenting a line."""
    lines = yaml_text.split("\n")
    for n, text in enumerate(lines, start=2):
        if wide := _WIDE_COLON.match(text):
            return (f"'{wide.group(1)}：' is written with a full-width colon (a Chinese keyboard's): write "
                    f"'{wide.group(1)}:' with a Latin one"), n
    here = lines[line - 2] if 0 <= line - 2 < len(lines) else ""
    if "mapping values are not allowed" in problem and re.match(r"^\s*[\w-]+:\s*[^'\"\s].*:\s", here):
        return f"{problem}: a value holding ': ' must be in quotes, {here.split(':', 1)[0].strip()}: \"…\"", line
    if here.startswith("\t") or (problem.startswith("found character") and "\t" in here):
        return f"{problem}: a tab indents this line; YAML indents with spaces", line
    return problem, line


def _key_lines(node: yaml.Node | None, path: Path) -> dict[str, int]:
    """The file's line of each top-level key, however it is indented or spaced (front matter starts on line 2).
    A key given twice is refused at its second line: YAML would silently keep the last."""
    import yaml

    lines: dict[str, int] = {}
    for key, _ in node.value if isinstance(node, yaml.MappingNode) else ():
        if not isinstance(key, yaml.ScalarNode):
            continue
        line = key.start_mark.line + 2
        if key.tag != yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG:  # `null:`, `true:`, `2:`: YAML reads no name,
            raise ContentError(path, unknown_key_message(key.value), line)  # so it is named as written, at its line
        if key.value in lines:
            raise ContentError(path, f"'{key.value}' is given twice (first on line {lines[key.value]}): keep one",
                               line)
        lines[key.value] = line
    return lines


def read_file(path: Path, max_bytes: int = Limits.text_bytes) -> bytes:
    """A content file's bytes, refused past the size limit."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ContentError(path, f"file is {size} bytes, over the {max_bytes}-byte limit (limits.text_bytes)", 1)
    return path.read_bytes()


def decode_text(data: bytes, path: Path) -> str:
    """A content file's bytes as UTF-8 text (BOM allowed), CRLF normalised; no control characters."""
    text = utf8_text(data, path, ContentError, "undecodable bytes: content files must be UTF-8: save it as UTF-8 (a "
                     "GBK file does not read as UTF-8; `zaitun import` converts a .txt/.docx notice in GBK)")
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(SEPARATORS)
    found = control_character(text)
    if found:
        raise ContentError(path, f"the control character {found[1]} is not allowed in text: remove it", found[0])
    return text


def slug_of(path: Path, content_dir: Path) -> tuple[str, str]:
    """Return (section, slug) for a file under content_dir, or raise ContentError."""
    rel = inside_content(path, content_dir)
    if rel is None:
        raise ContentError(path, "file is outside the content folder", 1)
    if len(rel.parts) != 2:
        raise ContentError(path, "documents live at content/<section>/<slug>.md", 1)
    section, slug = rel.parts[0], rel.stem
    for name, value in (("section", section), ("slug", slug)):
        if not SLUG_RE.match(value):
            raise ContentError(path, f"bad {name} {value!r}: use lowercase a-z, 0-9 and '-'", 1)
    if len(slug) > SLUG_CHARS:
        raise ContentError(path, too_long(slug), 1)
    check_section(path, section)
    return section, slug


def check_section(path: Path | str, section: str) -> None:
    """Refuse a document in a section whose name the site's own pages take, saying what to do."""
    if (taken := reserved_section(section)) is not None:
        raise ContentError(path, f"{taken}: move the file into another folder", 1)


def reserved_section(section: str) -> str | None:
    """Why a section cannot have this name (the site's own pages are in its folder), else None."""
    return f"the section name {section!r} is taken by the site's own pages" if section in RESERVED_SECTIONS else None


def too_long(slug: str) -> str:
    return (f"the file name is too long: {len(slug)} characters before .md, at most {SLUG_CHARS}; "
            "name it shorter")


def inside_content(path: Path, content_dir: Path) -> Path | None:
    """The path relative to content_dir, following symbolic links (a link out of content/ is outside it).
    Resolving costs a system call per folder of the path, for each of thousands of files on every pass:
    a path found under content_dir with no link and no `..` in its last two parts is inside it as written."""
    try:
        rel = path.relative_to(content_dir)
    except ValueError:
        rel = None
    if rel is not None and ".." not in rel.parts and not any(p.is_symlink() for p in (path, path.parent)):
        return rel
    try:
        return path.resolve().relative_to(content_dir.resolve())
    except ValueError:
        return None
    except RuntimeError:  # a link that leads to itself (Python 3.11)
        raise ContentError(path, "is a link that leads back to itself (a loop): remove it", 1) from None


KnownFile = Callable[[Path, str, str, str], Document | None]  # a file's document, known by its bytes' digest


def load_document(path: Path, content_dir: Path, limits: Limits = Limits(), known: KnownFile | None = None) -> Document:
    """Read and validate one document; raise ContentError naming file and line. `known`: the document a file
    is known to be by the digest of its bytes, without parsing it (intake: unchanged.py), or None."""
    section, slug = slug_of(path, content_dir)
    data = read_file(path, limits.text_bytes)
    digest = hashlib.sha256(data).hexdigest()
    doc = known(path, section, slug, digest) if known else None
    if doc is None:
        doc = parse_document(decode_text(data, path), path, section, slug)
        doc.file_hash = digest
    return doc


def parse_document(text: str, path: Path, section: str, slug: str) -> Document:
    """Build a Document from a file's text (also used to re-read the copy kept in the store)."""
    yaml_text, body, body_line = split_front_matter(text, path)
    meta = parse_meta(yaml_text, path)
    return Document(path=path, section=section, slug=slug, meta=meta, body=body,
                    body_line=body_line, raw=text)


def document_from_row(row: dict) -> Document:
    """The document a store row holds (the row keeps the whole file, so any stage can re-read it)."""
    return parse_document(row["raw"], Path(row["path"]), row["section"], row["slug"])


def is_han(ch: str) -> bool:
    """A Chinese (Han) character: the unified ideographs with extension A, and the compatibility ones."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def announcement(title: str, summary: str = "", social: str = "") -> str:
    """What a document announces (its title, with its social text, else its summary, else the title again), as a
    short digest: a post says it, and a renamed document is recognised by it arriving under another slug."""
    text = social or summary or title
    return hashlib.sha256(f"{title}\x1f{text}".encode()).hexdigest()[:12]


def content_source(section: str, path: str | Path) -> str:
    """A document's file relative to content/ (`guides/a.md`): relative links in it resolve from there,
    and no server path is ever put online. (posixpath: the build asks this for every document.)"""
    return f"{section}/{posixpath.basename(os.fspath(path))}"


NOTICE_SUFFIXES = (".txt", ".docx")  # notices as issued, which intake converts into Markdown documents
DOCUMENT_SUFFIXES = (".md", *NOTICE_SUFFIXES)  # what intake takes in; any other file in content/ is linked
SCRATCH_SUFFIXES = ("~", ".tmp", ".swp", ".swx", ".part", ".crdownload", ".lock", ".bak", ".wbk", ".asd")
SCRATCH_NAMES = ("thumbs.db", "ehthumbs.db", "desktop.ini")  # what Windows leaves in a folder it showed


def is_scratch(name: str) -> bool:
    """A file that editors, office programs, systems or downloads keep beside the real one: hidden (`.x`,
    macOS's .DS_Store, LibreOffice's .~lock.x#), Word's and WPS's owner file of an open document (`~$x.docx`),
    backups (`x~`, `x.bak`, Emacs's `#x#`), Windows' Thumbs.db and desktop.ini, temporary and partial files."""
    lower = name.lower()
    return (name.startswith((".", "~$")) or lower.endswith(SCRATCH_SUFFIXES) or lower in SCRATCH_NAMES
            or (len(name) > 1 and name.startswith("#") and name.endswith("#")))


def content_files(content_dir: Path) -> list[Path]:
    """Every Markdown file under content/, in a stable order (hidden and scratch files skipped)."""
    return scan_content(content_dir).documents


@dataclass
class Scan:
    """content/'s files, hidden and scratch ones left out, each in one list, in a stable order."""

    documents: list[Path]  # named .md
    misnamed: list[Path]  # Markdown named otherwise (`.MD`, `.markdown`, `.md.txt`): named, not silently left out
    others: list[Path]  # the rest: notices, and files documents link (or none does: see unread.py)
    not_files: list[ContentError] = field(default_factory=list)  # what is neither a file nor a folder (a named pipe,
    # whose reading would wait for ever: every pass stopped; a device), and folders named as a document: never read


def scan_content(content_dir: Path) -> Scan:
    """One walk of content/, which thousands of files make long: every place that lists its files asks here. The
    kind of each entry comes with its name (no stat of each file); links are judged where they are read."""
    if not content_dir.is_dir():
        return Scan([], [], [])
    found = sorted(_entries(str(content_dir)), key=lambda found: found[0].parts)  # as paths sort, each made once
    scan = Scan([], [], [])
    for path, entry in found:
        if not utf8_name(entry.name):  # (what is in a folder so named is not walked: told with it)
            scan.not_files.append(ContentError(path, name_problem(path), 1))
        elif entry.is_dir(follow_symlinks=False):
            if path.suffix.lower() in DOCUMENT_SUFFIXES:
                scan.not_files.append(ContentError(path, _folder_named_as_document(path), 1))
        elif entry.is_symlink() and path.is_dir():
            scan.not_files.append(ContentError(path, LINKED_FOLDER, 1))
        elif not entry.is_file(follow_symlinks=False) and (kind := _not_a_file(path)) is not None:
            scan.not_files.append(ContentError(path, kind, 1))  # (a link to a file is judged where it is read)
        elif path.suffix == ".md":
            scan.documents.append(path)
        elif markdown_rename(path):
            scan.misnamed.append(path)
        elif entry.is_file(follow_symlinks=False) or path.is_file():
            scan.others.append(path)
    return scan


def _entries(folder: str) -> Iterator[tuple[Path, os.DirEntry]]:
    """Every entry under `folder` but scratch ones (nor what is in them), folders not entered through links nor
    when not named in UTF-8."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if is_scratch(entry.name):
                continue
            yield Path(entry.path), entry
            if entry.is_dir(follow_symlinks=False) and utf8_name(entry.name):
                yield from _entries(entry.path)


def name_problem(path: Path) -> str:
    """Why a file or folder whose name is not UTF-8 (`utf8_name`) is not read, with the name it has in GB18030."""
    kind = "folder" if path.is_dir() else "file"
    raw = os.fsencode(path.name)
    try:
        guess = f" (read as GB18030, the encoding of Chinese Windows, it is '{raw.decode('gb18030')}')"
    except UnicodeDecodeError:
        guess = ""
    return (f"the {kind}'s name is not UTF-8{guess}: rename the {kind}; "
            f"{'nothing in it was' if kind == 'folder' else 'it was not'} read")


LINKED_FOLDER = ("is a link to a folder: zaitun does not follow links to folders (what is in one may be anywhere), "
                 "so nothing in it was taken in; copy or move the folder into content/")


def _folder_named_as_document(path: Path) -> str:
    return f"is a folder named as a document ({path.suffix}): a document is a file; rename the folder"


def _not_a_file(path: Path) -> str | None:
    """Why zaitun never reads what is at `path`, neither a file nor a folder (None: it is one, through a link)."""
    try:
        mode = path.stat().st_mode
    except OSError:  # a broken link, or gone since the walk: told where it is read
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"is {kind}, not a file: zaitun reads only files, so it was not read; remove it"


MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")  # what editors name Markdown files


def markdown_rename(path: Path) -> str | None:
    """The name a Markdown file named otherwise than `<slug>.md` should have (`a.MD`, `a.markdown`, and `a.md.txt`,
    which Windows shows as `a.md` when it hides endings, and `a.md ` with a space after it): `a.md`. None for any
    other file."""
    name = path.name.rstrip()
    name = name[:-4] if name.lower().endswith(".txt") else name
    stem, suffix = posixpath.splitext(name)
    if suffix.lower() not in MARKDOWN_SUFFIXES or name == path.name == f"{stem}.md":
        return None
    return f"{stem}.md"


@dataclass
class LoadResult:
    documents: list[Document]
    errors: list[ContentError]
    others: list[Path] = field(default_factory=list)  # content/'s files that are not Markdown (Scan.others)


def load_documents(content_dir: Path, limits: Limits = Limits(), known: KnownFile | None = None,
                   owners: Mapping[str, str] | None = None, skip: Collection[Path] = ()) -> LoadResult:
    """Load every document (`known`: see load_document) but those to `skip`; a broken file is reported and never
    stops the others (whatever it raises). Two files of one slug: the one at `owners`' place for it (the file of
    the document already taken in, as `content_source` names it) keeps it, else the first; the other is refused,
    so a newcomer never takes over a published document."""
    docs: list[Document] = []
    errors: list[ContentError] = []
    scan = scan_content(content_dir)
    for path in scan.documents:
        if path in skip:
            continue
        try:
            docs.append(load_document(path, content_dir, limits, known))
        except ContentError as exc:
            errors.append(exc)
        except Exception as exc:  # the file's boundary: whatever one file does, the others go on
            errors.append(ContentError(path, f"could not be read: {exc.__class__.__name__}: {exc}", 1))
    errors += [ContentError(path, f"not taken in: a document's file name ends in .md (lowercase): rename it to "
                                  f"{markdown_rename(path)}", 1) for path in scan.misnamed]
    errors += scan.not_files
    holders: dict[str, Document] = {}
    for doc in docs:
        held = holders.get(doc.slug)
        if held is None or (owners and owners.get(doc.slug) == doc.source and held.source != doc.source) or (
                _is_link(held.path) and not _is_link(doc.path) and held.path.resolve() == doc.path.resolve()):
            holders[doc.slug] = doc  # (the file, not a link to it)
    for doc in docs:
        if (holder := holders[doc.slug]) is doc:
            continue
        if _is_link(doc.path):
            target = doc.path.resolve()
            where = "" if holder.path.resolve() == target else f" from {holder.path}"
            errors.append(ContentError(doc.path, f"is a link to {target}, read already as document {doc.slug!r}"
                                       f"{where}: remove the link (a document is published once; copy the file "
                                       "under another name to publish it twice)", 1))
        else:
            errors.append(ContentError(doc.path, f"slug {doc.slug!r} is already used by {holder.path}: "
                                       "rename this file (its name is its slug)", 1))
    return LoadResult([doc for doc in docs if holders[doc.slug] is doc], errors, scan.others)


def _is_link(path: Path) -> bool:
    """A document's file reached through a symbolic link (itself or its folder)."""
    return path.is_symlink() or path.parent.is_symlink()


def dump_document(meta: dict, body: str) -> str:
    """Serialise front matter and body back into a content file."""
    import yaml

    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return f"---\n{front}---\n\n{body.strip()}\n"
