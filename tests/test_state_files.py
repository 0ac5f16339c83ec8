"""The records in .zaitun/ of what was told and what waits to be sent: one that does not read (cut short,
hand-edited, the wrong shape, not text) is set aside as it is and named, never taken for none."""

import datetime as dt
import json
import os
import subprocess
import sys
import time

import pytest
from conftest import free_port, write_doc
from review_support import FRONT, SLUG, draft_all, quick_user, read_unflagged, review_project, run
from test_notify import Receiver, configure

from zaitun.content.intake import ingest
from zaitun.notify import Notifier
from zaitun.review import actions
from zaitun.review.users import issue_token
from zaitun.state.segments import segment_states

BROKEN = {  # how a record comes not to read
    "cut short": lambda data: data[:len(data) // 2],
    "hand-edited": lambda data: data.replace(b"}", b",}", 1) if data.endswith(b"}") else data + b"x",
    "a list": lambda data: b"[" + data + b"]",
    "binary garbage": lambda data: b"\x00\xff\xfe" + os.urandom(20),
}


def broken(path, how: str) -> bytes:
    """Break the record at `path` as `how` says; the bytes it now holds."""
    data = BROKEN[how](path.read_bytes())
    path.write_bytes(data)
    return data


def kept(project, name: str) -> list:
    folder = project.state_dir / "unreadable"
    return sorted(p for p in folder.glob(f"*-{name}")) if folder.exists() else []


@pytest.fixture
def hook():
    port = free_port()
    server = Receiver(port)
    yield server, f"json://127.0.0.1:{port}/hook"
    server.close()


def approve_all(project, store, slug: str) -> None:
    """`zaitun review approve SLUG --all-unflagged --seen TOKEN`, as alice, after `review show` listed them."""
    seen = json.loads(run(project, "review", "show", slug, "--json").output)["unflagged_token"]
    approved = run(project, "review", "approve", slug, "--all-unflagged", "--seen", seen,
                   token=issue_token(store, "alice", actor="test setup"))
    assert approved.exit_code == 0, approved.output


def three_to_approve(tmp_path, url: str):
    project, store = review_project(tmp_path)
    for slug, title in (("second", "第二篇指南"), ("third", "第三篇指南")):
        write_doc(project.root, f"guides/{slug}.md", FRONT.replace("过境免签指南", title), f"{title}正文。\n")
    ingest(project, store)
    project = configure(project, approved=[url])
    quick_user(store, "alice")
    for slug in (SLUG, "second", "third"):
        draft_all(store, slug)
    return project, store


@pytest.mark.parametrize("how", sorted(BROKEN))
def test_an_approval_is_told_once_and_none_again_when_the_record_of_approvals_told_does_not_read(
        tmp_path, hook, monkeypatch, caplog, how):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    server, url = hook
    project, store = three_to_approve(tmp_path, url)
    approve_all(project, store, SLUG)
    approve_all(project, store, "second")
    record = project.state_dir / "approved-told.json"
    data = broken(record, how)
    approve_all(project, store, "third")
    titles = [m["title"] for m in server.messages]
    assert titles == ["Approved: 过境免签指南", "Approved: 第二篇指南", "Approved: 第三篇指南"]
    [aside] = kept(project, "approved-told.json")
    assert aside.read_bytes() == data  # kept as it was, not written over
    assert f"{record} could not be read" in caplog.text and str(aside) in caplog.text
    shown = run(project, "status").output
    assert f"set aside: {record} could not be read" in shown and str(aside) in shown and "Delete it" in shown
    assert json.loads(record.read_text())["event"] == store.last_event_id()  # a new record, from here on
    store.close()


def test_an_approval_whose_telling_a_power_cut_stopped_is_told_though_the_record_came_back_empty(
        tmp_path, hook, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    server, url = hook
    project, store = three_to_approve(tmp_path, url)
    approve_all(project, store, SLUG)  # told: the record written
    record = project.state_dir / "approved-told.json"
    written = record.stat().st_mtime_ns
    time.sleep(0.05)
    # the web UI tells after its response: the power is cut before it does, and the record written last
    # (not flushed to the disk yet) comes back empty, with the time it was written
    assert actions.approve_unflagged(project, store, "second", read_unflagged(store, "second"), "alice",
                                     defer=lambda *announce: None).completed
    record.write_bytes(b"")
    os.utime(record, ns=(written, written))
    approve_all(project, store, "third")
    first, then = server.messages  # what was not told, in one message; the first approval not again
    assert first["title"] == "Approved: 过境免签指南" and then["title"] == "2 documents approved", then
    assert "(second," in then["message"] and "(third," in then["message"] and "(visa," not in then["message"]
    store.close()


@pytest.mark.parametrize("how", sorted(BROKEN))
def test_expiring_documents_are_told_once_more_not_each_pass_when_the_record_of_them_does_not_read(
        tmp_path, hook, caplog, how):
    server, url = hook
    project, store = review_project(tmp_path)
    project = configure(project, expiring=[url])
    until = project.today() + dt.timedelta(days=10)
    write_doc(project.root, "guides/ending.md", f"{FRONT}\nvalid_until: {until}", "即将失效的规定。\n")
    assert run(project, "run").exit_code == 0
    record = project.state_dir / "expiry-told.json"
    data = broken(record, how)
    for _ in range(3):  # a cron `zaitun run` every few minutes: not known whether it was told, told once more
        assert run(project, "run").exit_code == 0
    assert [m["title"] for m in server.messages] == ["1 document(s) expiring or expired"] * 2
    [aside] = kept(project, "expiry-told.json")
    assert aside.read_bytes() == data
    assert f"{record} could not be read" in caplog.text and str(aside) in caplog.text
    assert f"set aside: {record} could not be read" in run(project, "status").output
    store.close()


@pytest.mark.parametrize("how", sorted(BROKEN))
def test_notifications_waiting_in_an_outbox_that_does_not_read_are_kept_and_named_not_dropped(tmp_path, how):
    project, store = review_project(tmp_path)
    down = f"json://127.0.0.1:{free_port()}/hook"  # nothing listens there: the messages wait
    project = configure(project, failure=[down])
    notifier = Notifier(project, attempts=1, backoff=0)
    assert not notifier.notify("failure", "Broken: a.md", "a.md:3: bad")
    assert not notifier.notify("failure", "Broken: b.md", "b.md:4: bad")
    outbox = project.state_dir / "notify-outbox.json"
    data = broken(outbox, how)
    before = run(project, "status").output  # before any pass: the outbox is named as not reading
    assert f"{outbox} could not be read" in before and "not sent" in before
    assert outbox.read_bytes() == data  # status only looks
    ran = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(project.root), "run"],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    [aside] = kept(project, "notify-outbox.json")
    assert aside.read_bytes() == data  # what waited is kept, as it was
    assert f"{outbox} could not be read" in ran.stderr and str(aside) in ran.stderr, ran.stderr
    assert "not sent from it" in ran.stderr
    shown = run(project, "status").output
    assert f"set aside: {outbox} could not be read" in shown and str(aside) in shown
    assert "not sent from it" in shown
    store.close()


def test_a_record_set_aside_leaves_the_status_once_deleted(tmp_path):
    project, store = review_project(tmp_path)
    (project.state_dir / "approved-told.json").write_bytes(b'{"event": ')
    actions.tell_approvals(project, store)
    [aside] = kept(project, "approved-told.json")
    assert "set aside:" in run(project, "status").output
    aside.unlink()
    assert "set aside:" not in run(project, "status").output
    store.close()


def test_a_reviewer_approves_though_the_record_of_approvals_told_does_not_read_and_cannot_be_moved_aside(
        tmp_path, hook, monkeypatch, caplog):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    server, url = hook
    project, store = three_to_approve(tmp_path, url)
    approve_all(project, store, SLUG)
    record = project.state_dir / "approved-told.json"
    data = broken(record, "cut short")
    (project.state_dir / "unreadable").write_text("a file where the folder belongs\n", encoding="utf-8")
    approve_all(project, store, "second")  # approved (asserted there): a notification record stops no reviewer
    assert {s.state for s in segment_states(store, "second")} == {"approved"}
    assert record.read_bytes() == data  # neither moved nor written over: for a person to look at
    assert f"{record} could not be read" in caplog.text and "no approval is told until" in caplog.text
    assert [m["title"] for m in server.messages] == ["Approved: 过境免签指南"]  # none told twice meanwhile
    store.close()
