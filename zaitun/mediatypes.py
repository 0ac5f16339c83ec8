"""The media type a file is served with, by its name: the same for a deploy to S3, `zaitun preview`
and the review UI's preview of files beside documents (below the stages, as all three need it).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

TYPES = {".html": "text/html", ".htm": "text/html", ".shtml": "text/html", ".css": "text/css",
         ".json": "application/json", ".txt": "text/plain", ".js": "text/javascript", ".svg": "image/svg+xml",
         ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
         ".webp": "image/webp", ".avif": "image/avif", ".pdf": "application/pdf"}
# pages (an alias's old .shtml too), images and PDFs need no /etc/mime.types on the build machine
FEED_TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml",
              "sitemap.xml": "application/xml"}


def content_type(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    kind = FEED_TYPES.get(base) or TYPES.get(Path(base).suffix) or mimetypes.guess_type(base)[0]
    kind = kind or "application/octet-stream"
    textual = kind.startswith("text/") or kind.endswith(("xml", "json"))
    return f"{kind}; charset=utf-8" if textual else kind
