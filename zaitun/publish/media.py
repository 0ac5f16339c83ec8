"""Files beside the documents (images, PDFs) that content links relatively: found, checked, published.

`content/guides/transit.md` writing `![机场地图](images/map.png)` gets content/guides/images/map.png
published once, at media/guides/images/map.png (its path under content/), and both language
pages link it there. A link that leaves content/ (`../../etc/passwd`), or reaches a hidden
file or a symlink, is refused: nothing outside content/ is ever published.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote

from zaitun.content.files import RefusedLink, link_tail, locate, resolve
from zaitun.content.markdown import FileReference, file_references
from zaitun.content.model import NOTICE_SUFFIXES, Document
from zaitun.errors import ContentError, PublishError
from zaitun.publish import layout
from zaitun.publish.extras import copied_file
from zaitun.publish.inputs import Entry
from zaitun.publish.pages import Output


# -- zaitun check ---------------------------------------------------------------------------------
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


# -- the build ------------------------------------------------------------------------------------
def media_outputs(entries: list[Entry], content_dir: Path, urls: layout.Urls,
                  refused_by: dict[int, str] | None = None) -> list[Output]:
    """One output per file the entries link to, and each entry told where its links now point.

    A refused link stops the build, naming page and link, unless `refused_by` is given: then the
    index of each entry with a refused link is put there with why, and the caller leaves it out.
    A missing file is left as written, so the site lint reports it as a broken link of that page.
    """
    found: dict[str, Path] = {}
    refused: list[str] = []
    for index, entry in enumerate(entries):
        refs = entry.refs if entry.refs is not None else [r.target for r in file_references(entry.body)]
        if not refs:  # most documents link no file
            if entry.file_links:
                entry.file_links = {}
            continue
        links: dict[str, str] = {}
        for target in refs:
            try:
                rel = resolve(target, entry.source)
                path = found.get(rel) or locate(rel, content_dir)
            except RefusedLink as exc:
                page = layout.file_of(layout.document(entry.lang, entry.section, entry.slug))
                refused.append(f"{page}: link {unquote(target)} refused: {exc}")
                if refused_by is not None:
                    refused_by.setdefault(index, f"link {unquote(target)} refused: {exc}")
                continue
            if path is not None:
                found[rel] = path
                links[target] = urls.link(layout.media(rel)) + link_tail(target)
        entry.file_links = links
    if refused and refused_by is None:
        raise PublishError("the site was not built, a document links outside content/:\n  " + "\n  ".join(refused))
    return [copied_file(layout.media(rel), path) for rel, path in sorted(found.items())]
