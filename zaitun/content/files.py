"""Files beside the documents under content/ (images, PDFs): which file a relative link names, and
whether it may be shown at all. The site publishes them (publish/media.py) and the review UI's
preview serves them; both ask here, so a link leaving content/, a hidden file or a symlink is
refused the same way everywhere.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from urllib.parse import quote, unquote

from zaitun.content.markdown import file_references
from zaitun.content.model import DOCUMENT_SUFFIXES, Document

_TAIL = re.compile(r"[?#].*$", re.DOTALL)


class RefusedLink(ValueError):
    """A file link that would publish something from outside content/."""


def resolve(target: str, source: str) -> str:
    """The path under content/ that `target`, written in the document `source` (e.g. guides/a.md), names."""
    name = unquote(_TAIL.sub("", target))
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(source), name))
    if name.startswith("/") or rel == ".." or rel.startswith("../"):
        raise RefusedLink("it points outside content/; put the file beside the document")
    if any(part.startswith(".") for part in rel.split("/")):
        raise RefusedLink("hidden files are never published; rename it")
    return rel


def locate(rel: str, content_dir: Path) -> Path | None:
    """The file at content/<rel>, None if there is none; a symlink (or a file in a symlinked folder) is
    refused, wherever it points: only files really in content/ are published."""
    path = content_dir / rel
    if not os.path.isfile(path):  # (not Path.is_file: a name too long for the disk raised OSError)
        return None
    if path.resolve() != content_dir.resolve() / rel:
        raise RefusedLink("it is a symlink; copy the file in instead")
    return path


def file_link_for(source: str, content_dir: Path, prefix: str):
    """A `render_markdown` file_link: relative links of document `source` to files that exist
    become `prefix` + their path under content/ (the review UI's preview serves them there)."""
    def link(target: str) -> str | None:
        try:
            rel = resolve(target, source)
            found = locate(rel, content_dir)
        except RefusedLink:
            return None
        return prefix + quote(rel) + link_tail(target) if found is not None else None
    return link


def content_file(rel: str, content_dir: Path) -> Path | None:
    """The linkable file at content/<rel> for the review UI; None for documents, notices, hidden
    files, links out of content/ and files that do not exist."""
    try:
        name = resolve(rel, "")
        path = locate(name, content_dir)
    except RefusedLink:
        return None
    if path is None or path.suffix.lower() in DOCUMENT_SUFFIXES:
        return None
    return path


def link_tail(target: str) -> str:
    """The query or fragment of a link (`?v=2`, `#p3`), kept when the link is rewritten."""
    match = _TAIL.search(target)
    return match.group(0) if match else ""


def document_links(doc: Document) -> list[str]:
    """The paths under content/ of the files `doc` links (those refused left out), found once per document; a
    document intake did not parse again brings those it linked when it was (unchanged.py)."""
    if doc.links is None:
        links = []
        for ref in file_references(doc.body):
            try:
                links.append(resolve(ref.target, doc.source))
            except RefusedLink:
                continue
        doc.links = links
    return doc.links
