"""What changed since the build online, asked instead of found by reading and hashing everything.

A page is made from the store and from a few things beside it (settings, templates and code,
static/, the glossary's tag labels, files linked beside documents, today's date). The store
numbers every write that can change a page (`Store.change_seq`); the build online records that
number, the store's identity (a store made anew at the same place may reach the same number), a digest of
the last writes up to that number (a store restored from an older backup and written since reaches it with
other writes) and a digest of the rest (`inputs_digest`). The next build then knows which documents changed,
or that nothing did and the build online is already what it would write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zaitun.config import SETTINGS
from zaitun.project import Project
from zaitun.publish.lock import build_lock
from zaitun.publish.output import current, load_summary, recover
from zaitun.publish.report import BuildReport
from zaitun.stamps import code_digest, files_under, stamped
from zaitun.state.changes import change_state

if TYPE_CHECKING:  # the Store, or a SQLite file's reads (zaitun.state.reads): no SQLAlchemy loaded for them
    from zaitun.state.reads import Reads


@dataclass
class Delta:
    seq: int  # the store's change number this build reads at
    store: str  # the store's identity (Store.identity)
    inputs: str  # digest of everything besides the store that pages are made from
    changed: set[str] | None  # slugs written since the build online; None: unknown, plan every page
    code: str = ""  # digest of zaitun's code alone (part of `inputs`; see snapshot.py)
    history: str = ""  # digest of the store's last writes up to `seq` (Store.writes_digest)
    older: str | None = None  # the store is not the one the build online read, but an older copy: what to say

    def nothing(self, state: dict, social: bool = True) -> bool:
        return settled(state, self.seq, self.store, self.history, self.inputs, social)


def settled(state: dict, seq: int, store: str, history: str, inputs: str, social: bool = True) -> bool:
    """The build online shows exactly this: same store at the same change number after the same writes, same
    inputs, nothing left out to retry, and (when `social`) its social posts queued."""
    return (state.get("seq") == seq and state.get("store") == store and state.get("history") == history
            and state.get("inputs") == inputs and not state.get("held") and not state.get("problems", True)
            and bool(state.get("social") or not social))


def settled_build(project: Project, today: dt.date, written: Callable[[], None] = lambda: None) -> BuildReport | None:
    """The report of a build with nothing to do (the build online is what it would write, its social posts
    queued), told from the SQLite store's change number and the other inputs alone: no SQLAlchemy, no
    renderer. None: build (`site.build_site` then asks again, through the store, and learns what changed),
    `written` called first when documents were written since the build online (their pages will be)."""
    started = time.perf_counter()
    out = project.publish_dir
    with build_lock(project):  # as build_site: a build under way finishes first
        found = change_state(project.database_url)
        if found is None:  # not SQLite, or no store yet
            return None
        recover(out)
        summary = load_summary(current(out))
        if not settled(summary, *found, inputs_digest(project, today, summary.get("media", []))):
            if (summary.get("seq"), summary.get("store"), summary.get("history")) != found:  # a document written
                written()
            return None
    return BuildReport(out, reused=summary["paths"], seconds=time.perf_counter() - started)


def delta(project: Project, store: Reads, state: dict, today: dt.date, media: list[str]) -> Delta:
    """Read the change number before anything else: a write during the build is seen by the next one."""
    seq, identity = store.change_seq(), store.identity()
    history, code = store.writes_digest(seq), code_digest()
    inputs = inputs_digest(project, today, media, code)
    known = state.get("seq")
    older = _older(store, state, seq, identity, history)
    if older or not isinstance(known, int) or state.get("store") != identity or state.get("inputs") != inputs:
        return Delta(seq, identity, inputs, None, code, history, older)
    retry = state.get("held") or []  # held back or left out last time: planned and keyed again
    return Delta(seq, identity, inputs, store.changed_since(known) | set(retry), code, history)


def _older(store: Reads, state: dict, seq: int, identity: str, history: str) -> str | None:
    """What to say when the store is the one the build online read (its identity) but not as it read it: its
    change number is lower, or its writes up to that number are others (a copy restored from an older backup,
    written to since). None when it is, or when the build online did not record it."""
    known, recorded = state.get("seq"), state.get("history")
    if state.get("store") != identity or not isinstance(known, int) or not recorded:
        return None
    if known <= seq and recorded == (history if known == seq else store.writes_digest(known)):
        return None
    return (f"the store is older than the one the build online was made from (at its change {known}; it holds "
            f"{'other writes up to ' if known <= seq else ''}change {seq}): restored from an older backup? Every "
            "page is built from it again, as the store is what was approved: English approved only after that "
            "backup leaves the site until it is approved again")


def inputs_digest(project: Project, today: dt.date, media: list[str], code: str | None = None) -> str:
    """Settings, code (`code_digest`, when not given) and templates, static/, glossary and the media files of
    the last build, by size and modification time (the build re-hashes what it writes), and the date
    (expiry notices change with it)."""
    digest = hashlib.sha256(repr((today.isoformat(), [(s.name, project.config.get(s.name)) for s in SETTINGS]))
                            .encode())
    digest.update((code or code_digest()).encode())
    paths = [p for folder in (project.static_dir, project.glossary_dir) for p in files_under(folder)]
    return stamped(digest, paths + [str(project.content_dir / rel) for rel in media])
