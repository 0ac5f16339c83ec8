"""The one digest of the store's texts (a document's raw_hash, a translation's source and target hashes).

Apart from the Store, so that a build hashes a release's payload without loading SQLAlchemy.
"""

from __future__ import annotations

import hashlib


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
