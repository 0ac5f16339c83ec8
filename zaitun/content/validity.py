"""Where a document stands in its validity on a day: the one decision its page, the lists, the feeds,
the social posts and the expiry check share.

`valid_from` is the first day a document applies and `valid_until` the last (both inclusive); the day
is the site's (`Project.today`, in `site.timezone`), never the server's.
"""

from __future__ import annotations

import datetime as dt

EXPIRED, NOT_YET, EXPIRING, VALID = "expired", "not_yet", "expiring", "valid"  # the site's words (i18n.UI)


def validity_on(valid_from: dt.date | None, valid_until: dt.date | None, today: dt.date, warning_days: int = 0) -> str:
    """expired, not_yet, expiring (ends within `warning_days`) or valid; "" for a document without dates."""
    if valid_from is None and valid_until is None:
        return ""
    if valid_until is not None and valid_until < today:
        return EXPIRED
    if valid_from is not None and today < valid_from:
        return NOT_YET
    if valid_until is not None and (valid_until - today).days <= warning_days:
        return EXPIRING
    return VALID
