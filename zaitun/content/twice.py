"""The same notice in content/ twice: two documents with one document number, or one Chinese text.

Staff drop a notice twice: as 通知.txt and again as 通知.docx, re-exported under another name, into two
sections. Each file is a document of its own (its slug is its file name): both are translated, reviewed and
published, and the site shows the notice twice with two English versions. Neither is refused, for which one to
keep is the staff's to say (either may be online already): each later copy is named with the first, as a warning
that stops nothing (`zaitun check`, the intake summary, `zaitun status`, the review queue). A re-issue edits its
file, keeping its slug (its unchanged sentences keep their English), or comes as a new file with a new number
and a changed text: neither is two documents of one notice.
Two documents are one notice when their numbers are equal once brackets (〔〕[]［］【】()) and spaces are folded,
or their bodies once whitespace is. Intake compares what it keeps of each unchanged file (unchanged.py): no
file is read again but those a warning names.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping

from zaitun.content.model import Document
from zaitun.errors import ContentError

# NFKC makes ［］（）and full-width digits half-width first
_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "【": "[", "】": "]", "(": "[", ")": "]"})
_NUMBER_KEY = re.compile(r"^\s*doc_number\s*:", re.MULTILINE)
ADVICE = ("each is translated, reviewed and published: delete the copy not to keep (to re-issue a notice, edit its "
          "file instead: its unchanged sentences keep their approved English)")


def number_key(number: object) -> str:
    """A document number as compared: 泉政办规〔2024〕11号, 泉政办规[2024] 11号 and 泉政办规［2024］11号 are one."""
    text = unicodedata.normalize("NFKC", str(number or "")).translate(_BRACKETS)
    return "".join(text.split())


def body_key(doc: Document) -> str:
    """The digest of the document's Chinese body, whitespace folded (line breaks of a conversion differ); kept
    for a file intake does not parse again (unchanged.py); "" for an empty body, which is no notice."""
    if not doc.whole:
        return doc.body_key
    folded = "".join(doc.body.split())
    return hashlib.sha256(folded.encode()).hexdigest() if folded else ""


def same_notices(documents: list[Document], places: Mapping[str, str] | None = None) -> list[ContentError]:
    """A warning for each document that is the same notice as one before it, naming both files. Before: taken in
    already where it is (`places`: slug -> its file under content/, of the store's active documents), else
    written earlier: the copy named is the one dropped since, not the one staff may have published."""
    keys = [(number_key(doc.meta.get("doc_number")), body_key(doc)) for doc in documents]
    numbers, bodies = Counter(number for number, _ in keys if number), Counter(body for _, body in keys if body)
    alike = [i for i, (number, body) in enumerate(keys) if numbers[number] > 1 or bodies[body] > 1]
    known = places or {}  # only documents sharing a key are ordered: the others' files are not looked at
    alike.sort(key=lambda i: (known.get(documents[i].slug) != documents[i].source, _written(documents[i]), i))
    by_number: dict[str, Document] = {}
    by_body: dict[str, Document] = {}
    found = []
    for doc, (number, body) in ((documents[i], keys[i]) for i in alike):
        first = (by_number.get(number) if number else None) or (by_body.get(body) if body else None)
        if first is not None:
            found.append(_told(doc, first, number == number_key(first.meta.get("doc_number")) and bool(number),
                               bool(body) and body == body_key(first)))
        if number:
            by_number.setdefault(number, doc)
        if body:
            by_body.setdefault(body, doc)
    return found


def _written(doc: Document) -> int:
    """When the document's file was last written (0 when it cannot be told)."""
    try:
        return doc.path.stat().st_mtime_ns
    except OSError:
        return 0


def _told(doc: Document, first: Document, number: bool, body: bool) -> ContentError:
    said = [f"document number {doc.meta.get('doc_number')}"] if number else []
    how = " and ".join(said + ["the same Chinese text"] * body)
    where = f"{first.path}:{_line(first, number)}" if first.path.suffix == ".md" else str(first.path)
    return ContentError(doc.path, f"the same notice as {where} ({how}): {ADVICE}", _line(doc, number))


def _line(doc: Document, number: bool) -> int:
    """The line of the document number, else of the body's first text; 1 in a notice not converted yet, whose
    lines are not the document's."""
    if doc.path.suffix != ".md":
        return 1
    text = _text(doc)
    if number:
        match = _NUMBER_KEY.search(text)
        return text.count("\n", 0, match.start()) + 1 if match else 1
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    return next((i + 1 for i in range(end + 1, len(lines)) if lines[i].strip()), 1)


def _text(doc: Document) -> str:
    """The file's text: a document intake did not parse again is read here, the few a warning names."""
    if doc.raw:
        return doc.raw
    try:
        return doc.path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""
