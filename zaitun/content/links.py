"""The links of one document, checked as intake checks them before storing it: to files beside it (images,
PDFs) and links refused as unsafe. What needs the whole site (links to other pages) is publish/pagelinks.py's.
`zaitun check`, intake and the review UI's upload preview all ask here, so each refuses the same."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import quote, unquote

from zaitun.content.files import RefusedLink, locate, resolve
from zaitun.content.markdown import FileReference, file_references, site_links
from zaitun.content.model import NOTICE_SUFFIXES, Document
from zaitun.errors import ContentError


def document_problems(doc: Document, content_dir: Path) -> list[ContentError]:
    """Missing, refused and alt-less file links of one document, each at its path:line."""
    problems = []
    for ref in file_references(doc.body):
        line, name = doc.body_line + ref.line, unquote(ref.target)
        problem = _link_problem(ref, name, doc.source, content_dir)
        if problem:
            problems.append(ContentError(doc.path, problem, line))
        if ref.alt == "":
            problems.append(ContentError(doc.path, f"image {name} has no alt text: say what it shows "
                                         f"between the brackets, ![...]({name})", line))
    return problems


def _link_problem(ref: FileReference, name: str, source: str, content_dir: Path) -> str | None:
    what = "image" if ref.alt is not None else "link"
    try:
        rel = resolve(ref.target, source)
        found = locate(rel, content_dir)
    except RefusedLink as exc:
        return f"{what} {name} refused: {exc}"
    if found is None:
        return f"{what} {name}: no such file content/{rel} (add the file or fix the link)"
    if rel.count("/") == 1 and rel.lower().endswith(NOTICE_SUFFIXES):
        return (f"{what} {name}: intake imports .txt/.docx files in a section folder as notices; "
                f"move it into a sub-folder (e.g. {posixpath.dirname(rel)}/files/)")
    return None


def unsafe_link_problems(doc: Document) -> list[ContentError]:
    """Links refused as unsafe (`javascript:`, a file of the reader's own computer, data), each at its path:line."""
    return [ContentError(doc.path, f"link {shown_link(ref.target)} is refused as unsafe (a script, a file of the "
                         "reader's own computer or data): the page would show it as text; remove it or link to a page",
                         doc.body_line + ref.line)
            for ref in site_links(doc.body).refused]


def shown_link(target: str) -> str:
    """A link as its writer reads it, but for what cannot be seen (a tab in `java%09script:`), left encoded."""
    return "".join(c if c.isprintable() else quote(c) for c in unquote(target))
