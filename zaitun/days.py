"""The project's day. Instants are stored in UTC; a date shown to a person or counted by day (an approval,
a page's last change, the social daily limit) is the one in site.timezone, Quanzhou's by default: UTC's
day is wrong there for eight hours a day, and the server's own zone is nobody's."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    """The zone of an IANA name (config checks it), made once."""
    return ZoneInfo(name)


def local(instant: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A stored instant as the time it was in `tz`; a naive one is UTC, as the store keeps them."""
    return (instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)).astimezone(tz)


def day_of(instant: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The date it was in `tz` at a stored instant."""
    return local(instant, tz).date()


def day_of_text(stamp: str, tz: dt.tzinfo) -> str:
    """`day_of` for an instant written as text (a release's approved_at, "2026-12-01 23:30:00"): the
    YYYY-MM-DD a page shows; "" for none."""
    return day_of(dt.datetime.fromisoformat(stamp), tz).isoformat() if stamp else ""


def start_of(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """Midnight starting `day` in `tz`: a day saved as a day, back as an instant `day_of` gives it of."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


def dated_later(date: dt.date, today: dt.date) -> bool:
    """Whether a document dated `date` is not out yet on `today`, the project's day (Project.today): the build
    keeps it off the site in both languages until its date (zaitun.publish.site.scheduled_out)."""
    return date > today
