import contextlib
import datetime as dt
import email
import json
import re
import socket
import threading
import time
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from conftest import free_port
from review_support import SLUG, draft_all, quick_user, read, review_project, run

from zaitun import events, notify
from zaitun.context import Context
from zaitun.notify import Notifier
from zaitun.pipeline import retry_notifications
from zaitun.project import Project
from zaitun.review import actions


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"



class Receiver:
    """A webhook on 127.0.0.1 (Apprise's json://) that keeps what it is sent and answers `status`."""

    def __init__(self, port: int, status: int = 200):
        self.messages: list[dict] = []
        self.paths: list[str] = []  # where each message was sent, in order
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.messages.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                receiver.paths.append(self.path)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def mail_url(port: int) -> str:
    return f"mailto://127.0.0.1:{port}?from=zaitun@example.org&to=team@example.org&mode=insecure"


def configure(project: Project, **event_urls: list[str]) -> Project:
    lines = ["[notify]"] + [f"{event} = {urls!r}".replace("'", '"') for event, urls in event_urls.items()]
    project.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Project(project.root)  # a fresh object re-reads zaitun.toml


def test_notification_is_delivered_as_real_mail(tmp_path, smtp):
    inbox, port = smtp
    project, store = review_project(tmp_path)
    project = configure(project, ready_for_review=[mail_url(port)])
    assert Notifier(project).notify("ready_for_review", "Ready: visa", "过境免签指南 is ready for review")
    [message] = inbox.messages
    assert message["Subject"] == "Ready: visa" and message["To"] == "team@example.org"
    assert "过境免签指南 is ready for review" in message.get_body(("plain",)).get_content()
    store.close()


def test_completing_a_document_tells_the_approved_channel(tmp_path, smtp, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    inbox, port = smtp
    project, store = review_project(tmp_path)
    project = configure(project, approved=[mail_url(port)])
    ids = draft_all(store)
    quick_user(store, "alice")
    actions.approve(project, store, SLUG, read(store, ids[:-1]), "alice")
    assert inbox.messages == []
    assert actions.approve(project, store, SLUG, read(store, ids[-1:]), "alice").completed
    [message] = inbox.messages
    assert message["Subject"] == "Approved: 过境免签指南"
    text = message.get_body(("plain",)).get_content()
    assert f"({SLUG}, content/guides/{SLUG}.md)" in text and "the last by alice" in text
    store.close()


def test_failed_delivery_is_retried_logged_and_never_raised(tmp_path, caplog):
    project, store = review_project(tmp_path)
    project = configure(project, failure=[mail_url(free_port())])  # nothing listens there
    notifier = Notifier(project, attempts=2, timeout=2, backoff=0)
    assert notifier.notify("failure", "Failed", "a content file is broken") is False
    assert "attempt 1 of 2" in caplog.text and "attempt 2 of 2" in caplog.text and "gave up" in caplog.text
    assert "zaitun@" not in caplog.text or "***@" in caplog.text
    store.close()


def test_unusable_urls_and_events_fail_softly(tmp_path, caplog):
    project, store = review_project(tmp_path)
    project = configure(project, published=["nosuchscheme://whatever"])
    notifier = Notifier(project)
    assert notifier.notify("published", "Published", "site is out") is False
    assert notifier.notify("no-such-event", "x", "y") is True  # nothing configured for it: nothing to do
    assert "not understood by Apprise" in caplog.text and "unknown notification event" in caplog.text
    assert Notifier(project).notify("expiring", "x", "y") is True  # no URLs configured
    store.close()


def test_prefect_events_are_a_no_op_without_an_api(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert events.emit("zaitun.document.approved", SLUG, approved_by="alice") is False


def test_approval_in_the_web_ui_notifies_after_the_response(tmp_path, smtp, monkeypatch):
    import re

    from review_support import PASSWORD, Client, page_form, real_user

    from zaitun.review.web import create_app

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    inbox, port = smtp
    project, store = review_project(tmp_path)
    project = configure(project, approved=[mail_url(port)])
    draft_all(store)
    real_user(store, "alice")
    with Client(create_app(Context(project, store))) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token})
        form = page_form(client.get(f"/doc/{SLUG}").text, f"/doc/{SLUG}/approve-unflagged")
        assert client.post(f"/doc/{SLUG}/approve-unflagged", data=form).status_code == 303
    assert [m["Subject"] for m in inbox.messages] == ["Approved: 过境免签指南"]
    store.close()


def test_a_message_a_receiver_did_not_take_waits_and_goes_out_once_on_the_next_pass(tmp_path, monkeypatch):
    monkeypatch.setattr(notify, "PAUSE", 0)
    port = free_port()  # nothing listens there yet: the receiver is down
    project, store = review_project(tmp_path)
    project = configure(project, failure=[f"json://127.0.0.1:{port}/hook"])
    assert Notifier(project, attempts=1, backoff=0).notify("failure", "Broken: a.md", "a.md:3: bad") is False
    shown = run(project, "status").output
    assert "1 notification(s) wait" in shown and f"notify.failure URL 1 (json://127.0.0.1:{port})" in shown
    receiver = Receiver(port)
    try:
        assert retry_notifications(project) == 0
        assert retry_notifications(project) == 0
        assert [m["title"] for m in receiver.messages] == ["Broken: a.md"]
        assert "wait" not in run(project, "status").output
    finally:
        receiver.close()
    store.close()


def test_a_hanging_receiver_costs_one_timeout_not_one_per_message(tmp_path):
    with socket.socket() as hanging:  # takes the connection, never answers
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(16)
        project, store = review_project(tmp_path)
        project = configure(project, approved=[f"json://127.0.0.1:{hanging.getsockname()[1]}/hook"])
        notifier = Notifier(project, attempts=2, timeout=1, backoff=0)
        started = time.monotonic()
        for n in range(4):
            assert notifier.notify("approved", f"Approved: doc-{n}", "ready") is False
        assert time.monotonic() - started < 2 * 1 + 1.5  # the first message's two attempts; the rest queue
        assert "4 notification(s) wait" in run(project, "status").output
    store.close()


def test_a_receiver_answering_a_byte_at_a_time_is_given_up_after_twice_the_timeout(tmp_path):
    stop = threading.Event()

    def drip(conn):
        with conn, contextlib.suppress(OSError):  # the client may hang up
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            while not stop.wait(0.3):  # every read gets a byte well within the socket timeout
                conn.sendall(b"x")

    with socket.socket() as slow:
        slow.bind(("127.0.0.1", 0))
        slow.listen(4)
        threading.Thread(target=lambda: drip(slow.accept()[0]), daemon=True).start()
        project, store = review_project(tmp_path)
        project = configure(project, published=[f"json://127.0.0.1:{slow.getsockname()[1]}/hook"])
        started = time.monotonic()
        assert Notifier(project, attempts=1, timeout=1, backoff=0).notify("published", "Online", "a page") is False
        assert time.monotonic() - started < 2 * 1 + 1.5
        stop.set()
    store.close()


def test_logs_status_and_outbox_show_no_token_of_a_notification_url(tmp_path, caplog):
    project, store = review_project(tmp_path)
    project = configure(project, failure=[f"json://bot:pa55word@127.0.0.1:{free_port()}/hooks/T0KENsecret?-X-Key=K3Y"])
    assert Notifier(project, attempts=1, backoff=0).notify("failure", "Broken: a.md", "a.md:3: bad") is False
    shown = caplog.text + run(project, "status").output + (project.state_dir / notify.OUTBOX).read_text()
    assert "wait" in shown and "127.0.0.1" in shown
    for secret in ("T0KENsecret", "K3Y", "pa55word"):
        assert secret not in shown
    store.close()


def test_logs_and_status_show_a_notification_url_as_its_scheme_host_and_port_only(tmp_path, caplog):
    port = free_port()  # nobody there: the message fails and waits
    project, store = review_project(tmp_path)
    project = configure(project, published=[f"json://botuser:pa55word@127.0.0.1:{port}/hook"])
    assert Notifier(project, attempts=1, backoff=0).notify("published", "Online", "a page") is False
    status = run(project, "status").output
    assert f"notification to json://127.0.0.1:{port} failed (attempt 1 of 1)" in caplog.text
    assert f"notify.published URL 1 (json://127.0.0.1:{port})" in status
    assert "botuser" not in caplog.text + status
    store.close()


def test_mail_keeps_the_lines_of_a_message_and_shows_its_markup_as_text(tmp_path, smtp):
    inbox, port = smtp
    project, store = review_project(tmp_path)
    project = configure(project, failure=[mail_url(port)])
    assert Notifier(project).notify("failure", "2 files need fixing", "a.md:3: bad\n<b>b.md</b>:1: bad")
    [message] = inbox.messages
    assert message.get_body(("plain",)).get_content().splitlines()[:2] == ["a.md:3: bad", "<b>b.md</b>:1: bad"]
    html = message.get_body(("html",))  # none, or the text escaped: a file name is no markup
    assert html is None or "<b>b.md" not in html.get_content()
    store.close()


def test_status_names_a_notification_url_apprise_does_not_understand(tmp_path):
    project, store = review_project(tmp_path)
    project = configure(project, published=["json://127.0.0.1:9/ok", "nosuchscheme://whatever"])
    assert "notify.published URL 2 (nosuchscheme://, not understood by Apprise)" in run(project, "status").output
    store.close()


@pytest.fixture
def receiver():
    port = free_port()
    server = Receiver(port)
    yield server, port
    server.close()


def test_status_says_messages_waiting_for_a_url_since_removed_are_dropped_not_tried_again(tmp_path):
    from zaitun.notify import waiting

    project, store = review_project(tmp_path)
    project = configure(project, failure=[f"json://127.0.0.1:{free_port()}/down"])
    assert Notifier(project, attempts=1, backoff=0).notify("failure", "Broken: a.md", "a.md:3: bad") is False
    project = configure(project, failure=[f"json://127.0.0.1:{free_port()}/other"])
    [line] = waiting(project)
    assert line.startswith("1 notification(s) wait since ") and line.endswith(
        "for a URL since removed from zaitun.toml: dropped on the next pass, with nobody to send them to")
    store.close()


def test_a_run_tells_reviewers_once_which_document_waits_and_where_to_review_it(tmp_path, receiver):
    server, port = receiver
    project, store = review_project(tmp_path)
    project = configure(project, ready_for_review=[f"json://127.0.0.1:{port}/review"])
    assert run(project, "run").exit_code == 0
    assert run(project, "run").exit_code == 0  # nothing new drafted: nothing new to tell
    [message] = server.messages
    assert message["title"] == "To review: 过境免签指南"
    assert f"(visa, content/guides/{SLUG}.md)" in message["message"]
    assert f"http://127.0.0.1:8400/doc/{SLUG}" in message["message"] and "approve" in message["message"]
    store.close()


def test_drafts_a_pass_made_without_telling_are_told_by_the_next_pass(tmp_path, receiver):
    """A pass stopped between its drafts and its message (zaitun up stopped, `zaitun translate` alone) left those
    drafts untold for good: each pass told only its own. The next pass tells what was drafted since the last told."""
    server, port = receiver
    project, store = review_project(tmp_path)
    project = configure(project, ready_for_review=[f"json://127.0.0.1:{port}/review"])
    assert run(project, "run").exit_code == 0
    path = project.content_dir / "guides" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n新增一段说明。\n", encoding="utf-8")
    assert run(project, "intake").exit_code == 0
    assert run(project, "translate").exit_code == 0  # drafts, and tells nobody
    assert len(server.messages) == 1
    assert run(project, "run").exit_code == 0  # nothing new to draft: it tells what was drafted
    assert len(server.messages) == 2 and "1 segment(s) to review" in server.messages[1]["message"]
    assert run(project, "run").exit_code == 0
    assert len(server.messages) == 2  # told once
    store.close()


def test_a_run_tells_once_which_pages_went_online_with_their_addresses(tmp_path, receiver):
    server, port = receiver
    project, store = review_project(tmp_path)
    project = configure(project, published=[f"json://127.0.0.1:{port}/published"])
    assert run(project, "run").exit_code == 0
    assert run(project, "run").exit_code == 0  # the site did not change: no news
    [message] = server.messages
    assert message["title"] == "Online: 过境免签指南 (Chinese)"
    assert f"http://127.0.0.1:8000/zh/guides/{SLUG}/" in message["message"]
    assert "{" not in message["message"]  # words, not a Python dict
    store.close()


def test_pages_a_pass_put_online_without_telling_are_told_by_the_next_pass(tmp_path, receiver):
    """A pass stopped between its build (publish/ is the public site) and its message, or `zaitun build` alone, left
    those pages untold for good: the next pass found nothing changed. What builds changed is owed until told."""
    server, port = receiver
    project, store = review_project(tmp_path)
    project = configure(project, published=[f"json://127.0.0.1:{port}/published"])
    assert run(project, "intake").exit_code == 0
    assert run(project, "build").exit_code == 0  # online, and nobody told
    assert server.messages == []
    assert run(project, "run").exit_code == 0  # nothing new to build: it tells what was built
    [message] = server.messages
    assert message["title"] == "Online: 过境免签指南 (Chinese)"
    assert run(project, "run").exit_code == 0
    assert len(server.messages) == 1  # told once
    store.close()


def test_pages_a_deploy_could_not_put_online_are_told_once_a_later_deploy_does(tmp_path, receiver, s3, s3_endpoint):
    server, port = receiver
    _client, bucket = s3
    project, store = review_project(tmp_path)
    project = configure(project, published=[f"json://127.0.0.1:{port}/published"])
    with project.config_path.open("a", encoding="utf-8") as config:
        config.write(f'[publish]\ns3_target = "s3://{bucket}/site"\ns3_endpoint_url = "http://127.0.0.1:{free_port()}"\n')
    assert run(project, "run").exit_code == 1  # built, not deployed: nothing public changed, nobody told
    assert server.messages == []
    text = project.config_path.read_text(encoding="utf-8")
    project.config_path.write_text(re.sub(r's3_endpoint_url = "[^"]*"', f's3_endpoint_url = "{s3_endpoint}"', text),
                                   encoding="utf-8")
    assert run(project, "run").exit_code == 0  # deployed now
    [message] = server.messages
    assert message["title"] == "Online: 过境免签指南 (Chinese)"
    store.close()


def test_a_broken_file_is_told_once_with_its_line_and_what_to_do(tmp_path, receiver):
    server, port = receiver
    project, store = review_project(tmp_path)
    project = configure(project, failure=[f"json://127.0.0.1:{port}/failure"])
    (project.content_dir / "guides" / "broken.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    assert run(project, "run").exit_code == 1
    assert run(project, "run").exit_code == 1  # still broken: already told
    [message] = server.messages
    assert "guides/broken.md:2:" in message["message"] and "zaitun check" in message["message"]
    store.close()


def test_a_run_whose_deploy_target_is_down_tells_it_once(tmp_path, receiver, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    server, port = receiver
    project, store = review_project(tmp_path)
    project = configure(project, failure=[f"json://127.0.0.1:{port}/failure"])
    with project.config_path.open("a", encoding="utf-8") as config:
        config.write(f'[publish]\ns3_target = "s3://bucket/site"\ns3_endpoint_url = "http://127.0.0.1:{free_port()}"\n')
    assert run(project, "run").exit_code == 1
    assert run(project, "run").exit_code == 1  # still down: already told
    [message] = server.messages
    assert message["title"] == "Publishing needs fixing: the rest of the pass went on"
    assert "s3://bucket/site" in message["message"] and "the deploy target may hold only part of it" in message[
        "message"]  # as a deploy cut off halfway leaves it, until the next pass finishes it
    assert "[deploy stopped by publish]" in run(project, "status").output
    store.close()


def test_a_run_whose_websub_hub_is_down_tells_the_pages_online_and_the_hub_once_and_pings_when_it_is_back(
        tmp_path, receiver):
    server, port = receiver
    project, store = review_project(tmp_path)
    project = configure(project, published=[f"json://127.0.0.1:{port}/published"],
                        failure=[f"json://127.0.0.1:{port}/failure"])
    hub_port = free_port()
    with project.config_path.open("a", encoding="utf-8") as config:
        config.write(f'[publish]\nwebsub_hub = "http://127.0.0.1:{hub_port}/hub"\n')
    assert run(project, "run").exit_code == 0  # the site is published, whatever the hub
    assert run(project, "run").exit_code == 0  # the hub still down: already told
    online, failure = sorted(server.messages, key=lambda m: m["title"])
    assert online["title"] == "Online: 过境免签指南 (Chinese)" and (project.publish_dir / "zh" / "index.html").is_file()
    assert failure["title"] == "The hub (publish.websub_hub) needs fixing: the rest of the pass went on"
    assert f"http://127.0.0.1:{hub_port}/hub" in failure["message"] and "pinged again" in failure["message"]
    assert "[not pinged by websub]" in run(project, "status").output
    pings = []

    class Hub(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server naming
            pings.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    hub = ThreadingHTTPServer(("127.0.0.1", hub_port), Hub)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    try:
        assert run(project, "run").exit_code == 0  # nothing changed since, but the hub was owed the change
        assert run(project, "run").exit_code == 0  # owed no more
    finally:
        hub.shutdown()
        hub.server_close()
    assert len(pings) == 1 and b"feed.xml" in pings[0]
    assert "not pinged" not in run(project, "status").output
    store.close()


def test_an_expiring_document_is_told_once_as_expiring_and_once_as_expired_not_every_day(tmp_path, receiver):
    from conftest import write_doc
    from review_support import FRONT

    from zaitun.pipeline import expiry_stage, tell_expiring

    server, port = receiver
    project, store = review_project(tmp_path)
    configure(project, expiring=[f"json://127.0.0.1:{port}/expiring"])
    with project.config_path.open("a", encoding="utf-8") as config:
        config.write('[site]\ntimezone = "Etc/GMT+12"\n')  # the day of Baker Island: tomorrow is 24 hours east
    project = Project(project.root)
    until = project.today() + dt.timedelta(days=10)
    write_doc(project.root, "guides/ending.md", f"{FRONT}\nvalid_until: {until}", "即将失效的规定。\n")
    assert run(project, "run").exit_code == 0  # told: expiring
    project.config_path.write_text(project.config_path.read_text(encoding="utf-8").replace("GMT+12", "GMT-12"),
                                   encoding="utf-8")
    project = Project(project.root)  # the next day: a cron `zaitun run`, and the expiry flow each day after
    assert run(project, "run").exit_code == 0
    for day in range(1, 40):
        tell_expiring(project, expiry_stage(project, store, project.today() + dt.timedelta(days=day)))
    assert [m["title"] for m in server.messages] == ["1 document(s) expiring or expired"] * 2
    assert f"(ending): expiring, valid until {until}" in server.messages[0]["message"]
    assert f"(ending): expired, valid until {until}" in server.messages[1]["message"]
    store.close()


def test_an_expiring_notice_links_its_english_page_too_once_it_has_one(tmp_path):
    """Staff told of an English page's end were given only the Chinese page's address."""
    from zaitun.messages import expiring

    project, store = review_project(tmp_path)
    row = {"slug": "ending", "section": "guides", "title": "规定", "expiry": "expiring", "valid_until": "2026-12-31",
           "english_valid_until": None}
    site = project.config.get("site.base_url").rstrip("/")
    zh, en = f"{site}/zh/guides/ending/", f"{site}/en/guides/ending/"
    for stage, english in (("in review", False), ("approved", True), ("update in review", True)):
        _, body = expiring(project, [row | {"stage": stage}])
        assert zh in body and (en in body) == english, stage
    store.close()


def test_a_receiver_added_to_notify_expiring_later_is_told_what_is_expiring_then_and_the_others_not_again(
        tmp_path, receiver):
    from conftest import write_doc
    from review_support import FRONT

    server, port = receiver
    project, store = review_project(tmp_path)
    until = project.today() + dt.timedelta(days=10)
    write_doc(project.root, "guides/ending.md", f"{FRONT}\nvalid_until: {until}", "即将失效的规定。\n")
    assert run(project, "run").exit_code == 0  # expiring, and nobody to tell: not told
    first = f"json://127.0.0.1:{port}/first"
    project = configure(project, expiring=[first])
    assert run(project, "run").exit_code == 0
    assert [m["title"] for m in server.messages] == ["1 document(s) expiring or expired"]
    project = configure(project, expiring=[first, f"json://127.0.0.1:{port}/second"])
    assert run(project, "run").exit_code == 0 and run(project, "run").exit_code == 0
    assert [m["title"] for m in server.messages] == ["1 document(s) expiring or expired"] * 2
    assert server.paths == ["/first", "/second"]
    store.close()


def test_a_page_put_online_before_its_approval_is_told_is_announced_after_the_approval(tmp_path, receiver):
    from zaitun.pipeline import build, tell_published

    server, port = receiver
    project, store = review_project(tmp_path)
    hook = f"json://127.0.0.1:{port}/hook"
    project = configure(project, approved=[hook], published=[hook])
    ids = draft_all(store)
    quick_user(store, "alice")
    later = []  # the web UI tells after its response (FastAPI's background tasks)
    assert actions.approve(project, store, SLUG, read(store, ids), "alice",
                           defer=lambda *call: later.append(call)).completed
    tell_published(project, store, build(project, store))  # zaitun up's rebuild saw the approval first
    for announce, *args in later:
        announce(*args)
    titles = [m["title"] for m in server.messages]
    assert titles[0] == "Approved: 过境免签指南" and len(titles) == 2, titles
    assert "/en/guides/" in server.messages[1]["message"]
    store.close()
