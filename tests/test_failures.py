"""A stage's failures recorded by each pass: written only when they change, read back the same either way."""

from __future__ import annotations

from zaitun import failures
from zaitun.failures import HELD_BACK, QUARANTINED, Failure


def test_a_pass_finding_the_same_failures_again_writes_nothing_and_a_changed_one_replaces_them(tmp_project, store):
    found = [Failure("build", "content/guides/a.md", "content/guides/a.md:2: 坏", "a", HELD_BACK),
             Failure("build", "content/b.txt", "content/b.txt:1: bad", None, QUARANTINED)]
    assert failures.record(tmp_project, store, "build", found) == found  # new: announced
    rows = store.failure_rows()
    seq = store.change_seq()
    assert failures.record(tmp_project, store, "build", list(found)) == []  # the same: nothing new
    assert store.failure_rows() == rows  # not rewritten: the same rows, ids and times
    assert failures.current(store) == found and store.change_seq() == seq
    assert failures.record(tmp_project, store, "build", found[1:]) == []  # one fixed: the list replaced
    assert failures.current(store) == found[1:]
    assert failures.record(tmp_project, store, "build", []) == [] and failures.current(store) == []
    assert failures.record(tmp_project, store, "build", []) == [] and store.failure_rows() == []
