"""What the notifications of a pass say: the documents they are about (title, slug, file), the page or
review screen to open, and what to do. Each returns (title, body), or None when there is nothing to tell."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING

from zaitun.content.model import document_from_row
from zaitun.publish import layout

if TYPE_CHECKING:
    from zaitun.project import Project
    from zaitun.state.store import Store

SHOWN = 20  # documents listed in one message; the rest are counted


def ready_for_review(project: Project, store: Store, waiting: dict[str, int]) -> tuple[str, str] | None:
    """`waiting`: slug -> segments the pass left for a reviewer."""
    docs = _documents(store, waiting)
    if not docs:
        return None
    review = review_url(project)
    lines = [f"{_named(d, project)}: {waiting[d['slug']]} segment(s) to review\n  {review}/doc/{d['slug']}"
             for d in docs]
    title = f"To review: {_title(docs[0])}" if len(docs) == 1 else f"{len(docs)} documents to review"
    return title, "\n".join([*_capped(lines, len(docs)), "",
                             "Open the review screen, check each English segment against the Chinese, edit or "
                             "approve it: the English page goes online once every segment is approved."])


def published(project: Project, store: Store, paths: list[str], removed: list[str]) -> tuple[str, str] | None:
    """`paths`/`removed`: site paths (or file names) the public site gained or changed / lost."""
    urls = layout.Urls(project.config.get("site.base_url"))
    pages = _pages(store)
    online = [pages[p] for p in dict.fromkeys(map(_page, paths)) if p in pages]
    gone = [pages[p] for p in dict.fromkeys(map(_page, removed)) if p in pages]
    if not online and not gone:
        return None
    lines = [f"{layout.NAMES.get(lang, lang)} page online (new or changed): {_named(d, project)}\n"
             f"  {urls.absolute(layout.document(lang, d['section'], d['slug']))}" for lang, d in online]
    lines += [f"{layout.NAMES.get(lang, lang)} page taken off the site: {_named(d, project)}" for lang, d in gone]
    first_lang, first = (online or gone)[0]
    title = (f"Online: {_title(first)} ({layout.NAMES.get(first_lang, first_lang)})" if len(online) == 1 and not gone
             else f"Site updated: {len(online)} page(s) online, {len(gone)} taken off")
    return title, "\n".join(_capped(lines, len(lines)))


ENGLISH_ONLINE = ("approved", "update in review")  # the stages (review.status) of a document with an English page


def expiring(project: Project, rows: list[dict]) -> tuple[str, str] | None:
    """`rows`: the expiry stage's documents (slug, section, title, expiry, valid_until)."""
    from zaitun.review.status import validity_note

    if not rows:
        return None
    urls = layout.Urls(project.config.get("site.base_url"))
    lines = [f"{r['title']} ({r['slug']}): {r['expiry']}, {validity_note(r)}\n"
             + "\n".join(f"  {urls.absolute(layout.document(lang, r['section'], r['slug']))}"
                         for lang in ("zh", "en") if lang == "zh" or r.get("stage") in ENGLISH_ONLINE)
             for r in rows]
    return (f"{len(rows)} document(s) expiring or expired", "\n".join([
        *_capped(lines, len(rows)), "",
        "Their pages say so. Publish a new version (with a new valid_until) or remove the file from content/ "
        "to take the page off the site."]))


def review_url(project: Project) -> str:
    """Where reviewers open the review UI: review.url, else the address it listens on."""
    configured = project.config.get("review.url")
    if configured:
        return configured.rstrip("/")
    host = project.config.get("review.host")
    if host in ("0.0.0.0", "::", ""):  # listening everywhere: this machine's name reaches it
        host = socket.getfqdn()
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{project.config.get('review.port')}"


def _documents(store: Store, slugs) -> list[dict]:
    wanted = set(slugs)
    return [row for row in store.documents(status=None) if row["slug"] in wanted]


def _pages(store: Store) -> dict[str, tuple[str, dict]]:
    """Site path of each document page -> (language, the document's row)."""
    return {layout.document(lang, row["section"], row["slug"]): (lang, row)
            for row in store.documents(status=None) for lang in layout.LANGS}


def _page(path: str) -> str:
    return path.removesuffix("index.html")


def _title(row: dict) -> str:
    try:
        return document_from_row(row).title or row["slug"]
    except Exception:  # a row whose file no longer parses is still named by its slug
        return row["slug"]


def _named(row: dict, project: Project) -> str:
    """The document as staff know it: its title, slug and file under the project."""
    path = Path(row["path"])
    shown = path.relative_to(project.root) if path.is_relative_to(project.root) else path
    return f"{_title(row)} ({row['slug']}, {shown})"


def _capped(lines: list[str], total: int) -> list[str]:
    return lines[:SHOWN] + ([f"... and {total - SHOWN} more (zaitun status lists them all)"] if total > SHOWN else [])
