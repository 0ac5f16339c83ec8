"""Content files intake took in, known again by their bytes: an unchanged file is not parsed again.

Each pass of intake reads every file under content/, and parsing their front matter (YAML, then the schema)
was most of a pass: 0.8 s at 5,000 documents, for the one file changed. So intake keeps, in the project's
state folder, for each file it took in or found unchanged: the digest of its bytes, the store's digest of
its text (raw_hash), what listing it needs (draft, programme, tags, aliases: the pages a build makes of it,
which the link checks of the other documents look for), the files it links (attachments, not stray files:
unread.py), and its document number and body's digest (the same notice twice: twice.py). A file whose bytes
have that digest, and whose document the store holds active, at that path, with that text, is the document the
store holds: counted unchanged without being parsed, as parsing it would have found. The bytes are read and
hashed every time: no time stamp is trusted. Kept for zaitun's code as it was (stamps.code_digest): another zaitun
parses all again.
A cache: one that cannot be read is empty, and any file not in it is parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from zaitun.content.files import document_links
from zaitun.content.model import Document
from zaitun.content.twice import body_key
from zaitun.stamps import code_digest
from zaitun.state.digest import sha
from zaitun.state.segments import DocumentState
from zaitun.statefiles import keep_cache

FILE = "intake-known.json"
FORMAT = 4  # 4: and the aliases


@dataclass
class Known:
    """What intake knew of content/'s files after its last pass, and the store's heads of their documents."""

    file: Path  # where it is kept
    code: str
    files: dict[str, list] = field(default_factory=dict)  # file -> [bytes digest, raw_hash, draft, programme, tags,
    # the files it links, doc_number, body digest, aliases]
    rows: dict[str, dict] = field(default_factory=dict)  # slug -> its document's head in the store

    @classmethod
    def read(cls, state_dir: Path, rows: dict[str, dict]) -> Known:
        known = cls(state_dir / FILE, code_digest(), rows=rows)
        try:
            kept = orjson.loads(known.file.read_bytes())
            if kept.get("format") == FORMAT and kept.get("code") == known.code and isinstance(kept.get("files"), dict):
                known.files = kept["files"]
        except (OSError, orjson.JSONDecodeError, AttributeError):
            pass
        return known

    def document(self, path: Path, section: str, slug: str, digest: str) -> Document | None:
        """The document this file is, unparsed, when it is known unchanged (see the module); else None."""
        found = self.files.get(str(path))
        row = self.rows.get(slug)
        if (not isinstance(found, list) or len(found) != 9 or found[0] != digest or row is None
                or row["status"] != DocumentState.ACTIVE or row["raw_hash"] != found[1] or row["path"] != str(path)):
            return None
        _, _, draft, programme, tags, links, number, body, aliases = found
        meta = {"draft": bool(draft), "programme": programme, "tags": list(tags or [])} | (
            {"doc_number": number} if number else {}) | ({"aliases": list(aliases)} if aliases else {})
        return Document(path=path, section=section, slug=slug, meta=meta, body="", file_hash=digest, whole=False,
                        links=list(links or []), body_key=body or "")

    def keep(self, documents: list[Document], current: set[str]) -> None:
        """Keep what is known of the documents now in the store as read (`current`: their slugs, taken in or
        found unchanged by this pass); the others are forgotten."""
        files = {}
        for doc in documents:
            if doc.slug not in current or not doc.file_hash:
                continue
            key = str(doc.path)
            if not doc.whole:
                files[key] = self.files[key]
            else:
                files[key] = [doc.file_hash, sha(doc.raw), doc.draft, doc.programme, doc.tags, document_links(doc),
                              doc.meta.get("doc_number"), body_key(doc), doc.meta.get("aliases") or []]
        if files == self.files:
            return
        self.files = files
        keep_cache(self.file, orjson.dumps({"format": FORMAT, "code": self.code, "files": files}))
