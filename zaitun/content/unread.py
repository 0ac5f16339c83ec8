"""Files in content/ that zaitun neither reads nor publishes, each named with what to do about it.

Intake reads documents (.md) and notices (.txt, .docx in a section folder); any other file is published only
where a document links it (an image, a PDF, a `申请表.doc` form). Staff also drop what no document links and
zaitun cannot read: an old Word .doc, a WPS .wps, a scanned notice as PDF, a .zip of notices. Nothing would
happen, so each is named (by `zaitun check`, the intake summary, `zaitun status` and one notification), left
where it is (it may be an attachment about to be linked) and never published. A warning: it stops nothing.
A file merely unlinked (a picture, a PDF, a spreadsheet: no notice in a format intake cannot read) is told with
the others of its folder where a pass or `zaitun status` tells them (`told`); `zaitun check` names each.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from zaitun import failures
from zaitun.content.files import document_links
from zaitun.content.model import NOTICE_SUFFIXES, Document
from zaitun.errors import ContentError

# word processors' own formats, still common in government offices: saved as .docx, intake reads them
WORD_PROCESSOR = {".doc": "an old Word (.doc)", ".dot": "a Word template (.dot)", ".dotx": "a Word template (.dotx)",
                  ".docm": "a Word macro (.docm)", ".wps": "a WPS Writer (.wps)",
                  ".wpt": "a WPS Writer template (.wpt)", ".rtf": "a rich-text (.rtf)",
                  ".odt": "an OpenDocument text (.odt)", ".uot": "a UOF text (.uot)"}
ARCHIVES = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz")
AS_DOWNLOAD = "or link it from a document to publish it as a download"


def unread_files(files: list[Path], documents: list[Document], content_dir: Path) -> list[ContentError]:
    """Each of `files` (content/'s files that are not Markdown: LoadResult.others) that no document links and
    intake does not take in as a notice, with what to do; `documents`: every document of the pass."""
    if not files:  # nor is any document's body parsed for its links
        return []
    linked = {rel for doc in documents for rel in document_links(doc)}
    found = []
    for path in files:
        rel = PurePosixPath(path.relative_to(content_dir).as_posix())
        if str(rel) not in linked and not _a_notice(rel):
            found.append(ContentError(path, why_unread(rel)))
    return found


def unlinked_only(path: Path) -> bool:
    """Whether a file not read is one staff may link as it is (a picture, a PDF), not a notice saved in a format
    intake cannot read (an old .doc, an archive, a notice out of its section folder), which each need an action."""
    suffix = path.suffix.lower()
    return suffix not in WORD_PROCESSOR and suffix not in ARCHIVES and suffix not in NOTICE_SUFFIXES


def told(unread: list[ContentError]) -> list[str]:
    """The lines a pass and `zaitun status` tell of files not read: the unlinked files of a folder holding
    several in one line, each other file in its own (failures.per_folder)."""
    return failures.per_folder([(str(w.path), str(w), unlinked_only(w.path)) for w in unread])


def _a_notice(rel: PurePosixPath) -> bool:
    """A notice intake converts (in a section folder) or reports (in content/ itself): not this module's."""
    return len(rel.parts) <= 2 and rel.suffix.lower() in NOTICE_SUFFIXES


def why_unread(rel: PurePosixPath, instead: str = AS_DOWNLOAD) -> str:
    """What happens to an unlinked file at content/<rel>, and what to do, by its kind; `instead`: what else to do
    with an old word processor's file (`zaitun import` publishes no download: it imports the .docx)."""
    suffix = rel.suffix.lower()
    if suffix in WORD_PROCESSOR:
        return (f"{WORD_PROCESSOR[suffix]} file is not read: save it as a Word document (.docx) — in WPS: 另存为 → "
                f".docx — and drop that; {instead}")
    if suffix in ARCHIVES:
        return f"an archive ({suffix}) is not unpacked: unpack it into the folder, {AS_DOWNLOAD}"
    if suffix in NOTICE_SUFFIXES:
        return f"a notice is converted only in a section folder: move it into content/{rel.parts[0]}/, {AS_DOWNLOAD}"
    what = f"a {suffix} file" if suffix else "a file"
    return (f"{what} is published only where a document links it, and none does: link it from a document, or drop "
            "the notice as .docx, .txt or .md")
