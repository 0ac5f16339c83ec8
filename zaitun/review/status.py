"""Where each document stands in the pipeline, for staff watching their content."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zaitun import days, failures
from zaitun.content.model import Document, document_from_row
from zaitun.content.validity import EXPIRED, EXPIRING, NOT_YET, validity_on
from zaitun.state.reads import OFFLINE
from zaitun.state.segments import DocumentState, Progress, progress_of_all
from zaitun.state.store import Store

if TYPE_CHECKING:
    from zaitun.project import Project

ENGLISH_OFFLINE = "english offline"  # a reviewer rejected English released: none online until approved again
LEFT_OUT = "English left out of the site by the last build: {}"  # why, of English the build left out (a
# rendering the glossary forbids since, a page that does not render): offline, whatever its review says
NOT_ONLINE_YET = ("English rejected before its date: {}; it goes online on {} only once a corrected translation is "
                  "approved")  # why, of a document dated later: its English was never online, nothing went offline


@dataclass
class DocumentStatus:
    slug: str
    section: str
    title: str
    stage: str  # withdrawn | draft | translating | in review | approved | update in review | english offline
    approved: int
    total: int
    flagged: int
    valid_until: dt.date | None
    expiry: str  # "" | "expiring" | "expired": of the Chinese, or of the English page when that ends first
    english_valid_until: dt.date | None = None  # the English page's, while a new date awaits review
    in_force_from: dt.date | None = None  # its valid_from, while that is still to come
    offline: str = ""  # english offline: why (a reviewer rejected English released; see gate.reject)
    online_from: dt.date | None = None  # its date, while that is still to come: off the site until then

    def as_dict(self) -> dict:
        out = self.__dict__.copy()
        for key in ("valid_until", "english_valid_until", "in_force_from", "online_from"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def expiry_state(valid_until: dt.date | None, today: dt.date, warning_days: int) -> str:
    """"expired", "expiring" or "" (in force for a while yet, not yet in force, or no end)."""
    state = validity_on(None, valid_until, today, warning_days)
    return state if state in (EXPIRED, EXPIRING) else ""


def _status(row: dict, doc: Document, counted: tuple[Progress, bool], release: dict | None, today: dt.date,
            warning_days: int) -> DocumentStatus:
    """A document's status from its row (and `doc`, its file), its progress and whether any segment has a
    translation, and its newest English release (or None)."""
    prog, translated = counted
    english = None  # the English page's valid_until, when it is not the Chinese one
    offline = ""
    if row["status"] != DocumentState.ACTIVE:
        stage = "withdrawn"
    elif doc.draft:  # kept off the site in both languages, however far its review went
        stage = "draft"
    elif prog["complete"]:
        stage = "approved"
    elif release and release["retracted_at"]:
        stage, offline = ENGLISH_OFFLINE, OFFLINE.format(release["retraction"])
        if days.dated_later(doc.date, today):  # back in review before it ever went online
            stage, offline = "in review", NOT_ONLINE_YET.format(release["retraction"], doc.date.isoformat())
    elif release:
        stage = "update in review"
        english = _released_until(release)  # an earlier end the Chinese brought is on the English page at once
        english = english if english and (doc.valid_until is None or english < doc.valid_until) else None
    elif translated:
        stage = "in review"
    else:
        stage = "translating"
    ends = min((d for d in (doc.valid_until, english) if d), default=None)
    coming = doc.valid_from if validity_on(doc.valid_from, None, today) == NOT_YET else None
    later = doc.date if stage not in ("withdrawn", "draft") and doc.date > today else None
    expiry = expiry_state(ends, today, warning_days) if stage != "withdrawn" and coming is None else ""  # not
    # expiring before it is in force: its pages say from when it is, and it is noticed once it is
    return DocumentStatus(row["slug"], row["section"], doc.title, stage, prog["approved"], prog["total"],
                          prog["flagged"], doc.valid_until, expiry, english, coming, offline, later)


def _released_until(release: dict) -> dt.date | None:
    """The valid_until the English page shows: its release's approved one."""
    until = release["payload"].get("facts", {}).get("valid_until", {}).get("zh")
    return dt.date.fromisoformat(str(until)) if until else None


def validity_note(status: dict) -> str:
    """`valid until 2026-12-31`, or, while a new date awaits review, what the English page still says."""
    if status.get("english_valid_until"):
        now = f"the new date {status['valid_until']}" if status.get("valid_until") else "the Chinese's removal of it"
        return f"English page valid until {status['english_valid_until']}; {now} awaits review"
    return f"valid until {status['valid_until']}"


NONE: tuple[Progress, bool] = (Progress(approved=0, total=0, flagged=0, complete=False), False)  # no segment


def project_status(store: Store, today: dt.date, warning_days: int) -> list[DocumentStatus]:
    return [status for status, _ in _statuses(store, today, warning_days)]


def _statuses(store: Store, today: dt.date, warning_days: int) -> Iterator[tuple[DocumentStatus, Document]]:
    """Every document's status, and its file, read in five queries whatever their number: three for each took
    the review queue 10 s to show at 5,000 documents. English the last build left out is offline, however far
    its review went."""
    counted, releases = progress_of_all(store), store.newest_releases()
    left = {f.slug: f.message for f in failures.current(store)
            if f.stage == failures.BUILD and f.state == failures.LEFT_OUT and f.slug}
    for row in store.documents(status=None):
        doc = document_from_row(row)
        status = _status(row, doc, counted.get(row["slug"], NONE), releases.get(row["slug"]), today, warning_days)
        if row["slug"] in left and status.stage in ("approved", "update in review"):  # its English page is not
            status.stage, status.offline = ENGLISH_OFFLINE, LEFT_OUT.format(left[row["slug"]])  # online: say so
        yield status, doc


@dataclass
class QueueRow:
    slug: str
    section: str
    programme: str
    title: str
    stage: str
    approved: int
    total: int
    flagged: int
    expiry: str

    @property
    def percent(self) -> int:
        return round(100 * self.approved / self.total) if self.total else 0


def queue(project: Project, store: Store, status: str = "", section: str = "", programme: str = "") -> list[QueueRow]:
    """Every document with its progress, filtered by stage, section and programme."""
    rows = [QueueRow(st.slug, st.section, doc.programme or "", st.title, st.stage, st.approved, st.total, st.flagged,
                     st.expiry) for st, doc in _statuses(store, project.today(), project.config.get(
                         "site.expiry_warning_days"))]
    return [r for r in rows if (not status or r.stage == status) and (not section or r.section == section)
            and (not programme or r.programme == programme)]
