"""A running `zaitun review serve` against people who mean harm: a visitor who never logged in, and an
account with low rights, each trying to stop the server for everyone else."""

from __future__ import annotations

import io
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import docx
import httpx
import pytest
from review_support import CSRF_RE, PASSWORD, SLUG, page_form, real_user, review_project, review_server

from zaitun.state.segments import segment_states
from zaitun.state.store import Store

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def served(tmp_path):
    """The review UI of a project in review as a process of its own, with the editor eve and the reviewer alice."""
    _project, store = review_project(tmp_path / "site")
    real_user(store, "eve", role="editor")
    real_user(store, "alice")
    store.close()
    with review_server(tmp_path / "site") as base:
        yield base


@contextmanager
def logged_in(base: str, name: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as client:
        token = CSRF_RE.search(client.get("/login").text).group(1)
        assert client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token}).status_code == 303
        yield client


def test_a_visitor_posting_a_huge_form_or_file_is_refused_before_the_server_takes_it_in(served):
    limit = "over 21,065,536 bytes"  # 21 uploads at limits.text_bytes, and the form's fields
    with httpx.Client(base_url=served, timeout=60) as visitor:
        fields = (f"f{n}=".encode() + b"a" * 999_990 + b"&" for n in range(60))  # each under Starlette's 1 MB
        chunked = visitor.post("/login", headers=FORM, content=fields)
        assert chunked.status_code == 413 and limit in chunked.text
        announced = visitor.post("/login", files={"files": ("big.md", b"a" * 30_000_000)})
        assert announced.status_code == 413 and limit in announced.text
        within = visitor.post("/login", files={"files": ("big.md", b"a" * 12_000_000)})  # over half the limit
        assert within.status_code != 413, within.text  # taken in, and judged by the route (no CSRF token: 403)
    with logged_in(served, "alice") as alice:
        assert alice.get("/").status_code == 200


def test_front_matter_a_few_hundred_bytes_long_that_yaml_aliases_blow_up_is_refused_at_once(served):
    """Each key a list of ten of the one before: `title` stands for a billion items (YAML's billion laughs)."""
    keys = ["summary", "issuer", "doc_number", "social", "programme", "valid_from", "valid_until", "tags"]
    front = [f'{keys[0]}: &k0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    front += [f"{key}: &k{n} [{', '.join([f'*k{n - 1}'] * 10)}]" for n, key in enumerate(keys[1:], start=1)]
    bomb = "---\n" + "\n".join(front) + f"\ntitle: *k{len(keys) - 1}\ndate: 2025-01-01\n---\n\n正文。\n"
    assert len(bomb) < 1000
    with logged_in(served, "eve") as eve, logged_in(served, "alice") as alice:
        token = CSRF_RE.search(eve.get("/add").text).group(1)
        started = time.monotonic()
        shown = eve.post("/add", data={"csrf_token": token, "section": "guides"},
                         files={"files": ("laughs.md", bomb.encode())}, timeout=20)
        assert time.monotonic() - started < 10
        assert "laughs.md:2: &#39;summary&#39; must be text, got a list [" in shown.text  # and the others after it
        assert "line 3: &#39;issuer&#39; must be text, got a list [[" in shown.text and "; and 5 more)" in shown.text
        assert 'name="token"' not in shown.text  # nothing to save
        assert alice.get("/").status_code == 200


def long_notice(paragraphs: int) -> bytes:
    """A Word notice of many short articles: small on disk, seconds of work to read."""
    document = docx.Document()
    document.add_paragraph("泉州市人民政府办公室关于印发若干措施的通知")
    for n in range(paragraphs):
        document.add_paragraph(f"第{n}条 外国人可以过境免签。停留时间为240小时。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_while_an_editors_long_word_file_is_read_the_other_reviewers_pages_keep_coming(served):
    notice = long_notice(30_000)
    with logged_in(served, "eve") as eve, logged_in(served, "alice") as alice:
        token = CSRF_RE.search(eve.get("/add").text).group(1)
        upload = threading.Thread(target=eve.post, args=("/add",), kwargs={
            "data": {"csrf_token": token, "section": "policies"},
            "files": [("files", (f"notice-{n}.docx", notice)) for n in range(2)], "timeout": 120})
        began = time.monotonic()
        upload.start()
        time.sleep(1)  # the upload is being read
        waits = []
        while upload.is_alive():
            started = time.monotonic()
            assert alice.get("/").status_code == 200
            waits.append(time.monotonic() - started)
            time.sleep(0.2)
        upload.join()
        lasted = time.monotonic() - began
    # Read in the event loop, a page would wait out a whole file's reading (about half the upload); on a slow or
    # busy machine one page may still wait up to a second behind the reading thread's hold on the interpreter.
    assert len(waits) >= 3 and max(waits) < max(1.0, lasted / 4), (lasted, waits)
    assert statistics.median(waits) < 0.5, waits


def test_a_file_name_too_long_for_the_disk_is_a_clear_refusal_never_a_crash(served, tmp_path):
    """Any name a browser may send: one over the file system's 255 bytes, .docx files of such names, and one
    short enough to be shown yet too long to save, which the save used to crash on."""
    markdown = "---\ntitle: 过境免签指南\ndate: 2025-06-20\n---\n\n外国人可以过境免签。\n".encode()
    with logged_in(served, "eve") as eve:
        token = CSRF_RE.search(eve.get("/add").text).group(1)
        for name in ("x" * 300 + ".md", "y" * 251 + ".md"):
            shown = eve.post("/add", data={"csrf_token": token, "section": "guides"}, files={"files": (name, markdown)})
            assert shown.status_code == 200, shown.text
            assert f"{name}: the file name is too long: {len(name) - 3} characters before .md, at most 200; " \
                   "name it shorter" in shown.text
            assert 'name="token"' not in shown.text  # nothing to save
        for name in ("z" * 300 + ".docx", "通知" * 100 + ".docx"):
            notice = eve.post("/add", data={"csrf_token": token, "section": "policies"},
                              files={"files": (name, long_notice(3))})
            assert notice.status_code == 200, notice.text
            assert f"{name}: no date of issue found" in notice.text  # read, and named as uploaded
        assert eve.get("/").status_code == 200
    assert not list((tmp_path / "site" / "content").glob("*/[xy]*.md"))


def test_a_machine_draft_holding_an_invisible_character_is_not_approved_from_the_page(tmp_path):
    """The page shows "Foreign nationals" for "Foreign\u200b nationals": a click on Approve (or "approve all
    unflagged") would publish a character nobody saw, as a typed edit holding it would (and that is refused)."""
    _project, store = review_project(tmp_path / "site")
    real_user(store, "alice")
    with store.tx() as conn:
        current = store.current_translations(SLUG, conn)
        segs = store.segments(SLUG)
        for n, seg in enumerate(segs):  # as an engine answered
            english = "Foreign\u200b nationals may transit visa-free." if n == 2 else f"EN {n}: {seg['source']}"
            store.add_translation(conn, SLUG, seg["seg_id"], seg["source"], english, origin="engine",
                                  replaces=current.get(seg["seg_id"]))
    hidden = segs[2]["seg_id"]
    store.close()
    with review_server(tmp_path / "site") as base, logged_in(base, "alice") as alice:
        page = alice.get(f"/doc/{SLUG}").text
        alice.post(f"/doc/{SLUG}/approve", data=page_form(page, f"/doc/{SLUG}/approve", hidden))
        assert "not approved: the English holds the invisible character U+200B at character 8, after “Foreign”" \
               in alice.get(f"/doc/{SLUG}").text
        alice.post(f"/doc/{SLUG}/approve-unflagged", data=page_form(page, f"/doc/{SLUG}/approve-unflagged"))
        shown = alice.get(f"/doc/{SLUG}").text
    store = Store.open(f"sqlite:///{tmp_path / 'site' / '.zaitun' / 'state.db'}")
    try:
        states = {s.seg_id: s.state for s in segment_states(store, SLUG)}
    finally:
        store.close()
    assert states.pop(hidden) == "draft" and set(states.values()) == {"approved"}, shown


def test_a_form_sent_with_a_malformed_referer_gets_a_clear_answer_not_a_500(served):
    """urlsplit raises on an unclosed IPv6 address: the page a form came from is then unknown, not an error."""
    odd = {"referer": "http://[bad/doc/visa"}
    with httpx.Client(base_url=served, timeout=30) as visitor:  # or one whose session ended
        anonymous = visitor.post(f"/doc/{SLUG}/approve", data={"csrf_token": "x"}, headers=odd)
        assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/"
    with logged_in(served, "alice") as alice:
        stale = alice.post(f"/doc/{SLUG}/approve", data={"csrf_token": "x"}, headers=odd)
        assert stale.status_code == 403 and "CSRF token mismatch" in stale.text
