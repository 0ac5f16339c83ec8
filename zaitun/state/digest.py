"""The one digest of the store's texts (a document's raw_hash, a translation's source and target hashes), and
the key of a translation memory entry.

Apart from the Store, so that a build hashes a release's payload without loading SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import re


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def memory_key(source: str) -> str:
    """The key of a Chinese text's translation memory entry: the text as a reader sees it, so that a paragraph
    wrapped anew or a stray space (`绑定境外银行卡，\n绑定后即可扫码付款。`) finds the English approved for it
    instead of going back to review. White space touching a character beyond ASCII (Chinese, full-width
    punctuation) goes, other runs become one space."""
    return sha(_SPACES_RE.sub(_space, source.strip()))


_SPACES_RE = re.compile(r"\s+")


def _space(run: re.Match) -> str:
    text, start, end = run.string, run.start(), run.end()
    return "" if ord(text[start - 1]) > 127 or ord(text[end]) > 127 else " "
