"""Entries' times: the store's (naive on SQLite, zoned on PostgreSQL) become the pages' UTC times and the
manifest's release stamps, made the short way (inputs._aware, inputs._iso) as the long way made them."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from zaitun.publish import inputs

ZONES = st.one_of(st.none(), st.just(dt.UTC), st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))))


@settings(max_examples=300, deadline=None)
@given(st.datetimes(), ZONES, st.sampled_from([0, 1]))
def test_a_store_time_is_made_utc_and_written_as_it_was(when, zone, fold):
    value = when.replace(tzinfo=zone, fold=fold)
    aware = inputs._aware(value)
    before = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    assert aware == before and aware.tzinfo is before.tzinfo and aware.fold == before.fold
    assert inputs._iso(value) == before.isoformat()
    assert inputs.release_stamp({"id": 7, "raw_hash": "h", "created_at": value}) == f"7 h {before.isoformat()}"
