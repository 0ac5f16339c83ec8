"""Staff add content from the browser: shown as read before saving, never overwritten unseen, withdrawn
without deleting; editors and admins only, every action in the audit log."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import io
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, stamped
from review_support import PASSWORD, Client, real_user, review_project, serve_app

from zaitun.check import check_project
from zaitun.content import upload as uploads
from zaitun.content.intake import ingest
from zaitun.context import Context
from zaitun.errors import ContentError
from zaitun.review.web import create_app

SEED = Path(__file__).parent / "fixtures" / "seed-notice.txt"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="token" value="([0-9a-f]{32})"')
NEW_DOC = "---\ntitle: 泉州南音演出指南\ndate: 2025-07-01\n---\n\n## 演出时间\n\n每周六晚上在府文庙演出。\n"


def seed_docx() -> bytes:
    """The seed notice as a Word file, one paragraph per line, as staff would have it."""
    import docx

    document = docx.Document()
    for line in SEED.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def staff(tmp_path):
    project, store = review_project(tmp_path)
    real_user(store, "eve", role="editor")
    real_user(store, "alice", role="reviewer")
    with Client(create_app(Context(project, store))) as client:
        yield client, project, store
    store.close()


def login(client, name="eve"):
    token = CSRF_RE.search(client.get("/login").text).group(1)
    assert client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token,
                                       "next": "/"}).status_code == 303


def upload(client, *files: tuple[str, bytes], section="policies", programme=""):
    token = CSRF_RE.search(client.get("/add").text).group(1)
    return client.post("/add", data={"csrf_token": token, "section": section, "programme": programme},
                       files=[("files", (name, data)) for name, data in files])


def save(client, page_text: str, **extra):
    token = TOKEN_RE.search(page_text).group(1)
    return client.post("/add/save", data={"csrf_token": CSRF_RE.search(page_text).group(1), "token": token, **extra})


def audit(store) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from zaitun.state.store import audit as table

    with store.engine.connect() as conn:
        return [(r.actor, r.action) for r in conn.execute(select(table.c.actor, table.c.action))]


def test_an_uploaded_notice_is_shown_as_read_and_saved_only_on_save(staff):
    client, project, store = staff
    login(client)
    page = upload(client, ("通知.docx", seed_docx()), programme="business")
    assert page.status_code == 200
    text = page.text
    assert "泉政办规〔2024〕11号" in text and "泉州市人民政府办公室" in text and "2026-12-31" in text
    assert "content/policies/quan-zheng-ban-gui-2024-11.md" in text
    assert re.search(r"<dt>parts</dt><dd>4</dd>", text) and re.search(r"<dt>measures</dt><dd>16</dd>", text)
    target = project.content_dir / "policies" / "quan-zheng-ban-gui-2024-11.md"
    assert not target.exists()  # shown, not saved
    answer = save(client, text)
    assert answer.status_code == 303 and target.is_file()
    assert "programme: business" in target.read_text(encoding="utf-8")
    assert ("eve", "content-uploaded") in audit(store) and ("eve", "content-saved") in audit(store)
    assert ingest(project, store).ingested == ["quan-zheng-ban-gui-2024-11"]  # the pipeline takes it in


def test_an_order_is_counted_in_its_own_chapters_sections_and_articles_not_parts_and_measures(staff):
    client, _, _ = staff
    login(client)
    order = (Path(__file__).parent / "fixtures" / "notices" / "order-chapters-articles.txt").read_bytes()
    text = upload(client, ("order.txt", order)).text
    counts = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", text)
    assert [c for c in counts if c[0] not in ("title", "doc_number", "issuer", "date", "valid_from", "valid_until")] \
        == [("chapters (章)", "3"), ("sections (节)", "2"), ("articles (条)", "6")]
    assert "<dt>parts</dt>" not in text and "<dt>measures</dt>" not in text


def test_a_new_version_is_saved_only_after_its_differences_were_confirmed(staff):
    client, project, _ = staff
    login(client)
    current = project.content_dir / "guides" / "visa.md"
    before = current.read_text(encoding="utf-8")
    changed = before.replace("停留时间为240小时。", "停留时间为240小时，可在福建全省活动。")
    page = upload(client, ("visa.md", changed.encode()), section="guides").text
    assert "It is replaced only if you confirm" in page and "+外国人可以过境免签" in page
    refused = save(client, page)  # without the confirmation
    assert refused.status_code == 303 and current.read_text(encoding="utf-8") == before
    assert save(client, page, replace="1").status_code == 303
    assert current.read_text(encoding="utf-8") == changed


def test_a_file_saved_in_gbk_is_mended_by_uploading_it_as_utf8(staff):
    """The file to mend is the broken one: one saved in GBK made the upload page answer 500 (its diff read it as
    UTF-8), so staff could not replace it from the browser."""
    client, project, _ = staff
    login(client)
    current = project.content_dir / "guides" / "visa.md"
    mended = current.read_text(encoding="utf-8")
    current.write_bytes(mended.encode("gbk"))
    page = upload(client, ("visa.md", mended.encode()), section="guides")
    assert page.status_code == 200 and "It is replaced only if you confirm" in page.text
    assert save(client, page.text, replace="1").status_code == 303
    assert current.read_text(encoding="utf-8") == mended


def test_a_file_changed_after_its_diff_was_shown_is_not_overwritten(staff):
    client, project, _ = staff
    login(client)
    current = project.content_dir / "guides" / "visa.md"
    page = upload(client, ("visa.md", current.read_bytes().replace("热线".encode(), "电话".encode())),
                  section="guides").text
    current.write_text(current.read_text(encoding="utf-8") + "\n同事刚加的一段。\n", encoding="utf-8")
    save(client, page, replace="1")
    assert "同事刚加的一段" in current.read_text(encoding="utf-8")
    assert "changed since the upload was shown" in client.get("/add").text


def test_broken_wrong_and_oversized_files_are_refused_with_their_name_and_nothing_is_saved(staff):
    client, project, _ = staff
    login(client)
    before = sorted(p.relative_to(project.content_dir) for p in project.content_dir.rglob("*"))
    broken = seed_docx()[:400]  # a Word file cut off in the middle, as an interrupted copy leaves it
    page = upload(client, ("损坏.docx", broken), ("map.exe", b"MZ"), ("big.txt", "字".encode() * 400_000),
                  ("bad.md", b"---\ntitle: x\n---\n\nno date\n"),
                  ("nul.md", b"---\ntitle: x\ndate: 2025-01-01\n---\n\nline\0\n")).text
    assert "损坏.docx: not a readable .docx file" in page
    assert "map.exe: zaitun takes .md, .txt, .docx files" in page
    assert "big.txt: file is over the 1,000,000-byte limit" in page
    assert "nul.md:6: the control character U+0000 is not allowed in text: remove it" in page
    assert "bad.md:" in page and "date" in page and 'name="token"' not in page  # no Save for a broken file
    assert sorted(p.relative_to(project.content_dir) for p in project.content_dir.rglob("*")) == before


def test_an_upload_intake_would_quarantine_is_refused_in_its_preview_with_its_lines_and_nothing_is_saved(staff):
    """The preview said nothing of a script link, a missing picture or too many segments, Save wrote the file,
    and intake quarantined it: what the preview shows fit to save must be what intake takes in."""
    client, project, _ = staff
    login(client)
    before = sorted(p.relative_to(project.content_dir) for p in project.content_dir.rglob("*"))
    head = "---\ntitle: 链接\ndate: 2025-07-01\n---\n\n"
    page = upload(client, ("script.md", (head + "这是[链接](javascript:alert(1))。\n").encode()),
                  ("picture.md", (head + "见下图。\n\n![图](nofile.png)\n").encode()),
                  ("many.md", (head + "".join(f"第{i}段。\n\n" for i in range(5000))).encode())).text
    assert "script.md:6: link javascript:alert(1) is refused as unsafe" in html.unescape(page)
    assert "picture.md:8: image nofile.png: no such file content/policies/nofile.png" in html.unescape(page)
    assert "many.md:1: 5001 segments, over the limit of 5000 per document (limits.segments)" in html.unescape(page)
    assert 'name="token"' not in page
    assert sorted(p.relative_to(project.content_dir) for p in project.content_dir.rglob("*")) == before


def test_an_upload_preview_lists_every_problem_zaitun_check_finds_in_that_file(staff):
    client, project, _ = staff
    login(client)
    broken = {"meta.md": "---\ntitle: \ndate: 2025-13-01\nvalid_from: soon\ntitel: x\n---\n\n正文。\n",
              "links.md": "---\ntitle: 链接\ndate: 2025-07-01\n---\n\n[a](javascript:x)\n\n![图](no.png)\n\n"
                          "[b](no.pdf)\n"}
    page = html.unescape(upload(client, *((name, text.encode()) for name, text in broken.items())).text)
    (project.content_dir / "policies").mkdir(exist_ok=True)
    for name, text in broken.items():  # the same files dropped into content/, as check reads them
        (project.content_dir / "policies" / name).write_text(text, encoding="utf-8")
    found = [e for e in check_project(project) if e.path.name in broken]
    assert len(found) == 4  # meta.md's (its four in one message, as check gives them) and links.md's three
    for error in found:
        assert f"{error.path.name}:{error.line}: {error.message}" in page


@pytest.mark.parametrize("section", ["tags", "search"])
def test_a_section_the_sites_own_pages_use_is_neither_offered_nor_taken_and_nothing_is_saved(staff, section):
    client, project, _ = staff
    login(client)
    (project.content_dir / section).mkdir()  # made by hand: the intake refuses every file in it
    assert f'value="{section}"' not in client.get("/add").text
    before = sorted(p.relative_to(project.content_dir) for p in project.content_dir.rglob("*"))
    page = html.unescape(upload(client, ("upl.md", NEW_DOC.encode()), section=section).text)
    assert f"upl.md: the section name '{section}' is taken by the site's own pages: choose another section" in page
    assert 'name="token"' not in page
    assert sorted(p.relative_to(project.content_dir) for p in project.content_dir.rglob("*")) == before


def test_withdraw_moves_the_file_aside_and_the_intake_withdraws_the_document(staff):
    client, project, store = staff
    login(client)
    page = client.get("/withdraw/guides/visa").text
    assert "nothing is deleted" in page
    answer = client.post("/withdraw/guides/visa", data={"csrf_token": CSRF_RE.search(page).group(1), "confirm": "1"})
    assert answer.status_code == 303
    assert not (project.content_dir / "guides" / "visa.md").exists()
    kept = list((project.state_dir / "withdrawn" / "guides").glob("visa.*.md"))
    assert len(kept) == 1 and "过境免签" in kept[0].read_text(encoding="utf-8")
    assert ingest(project, store).withdrawn == ["visa"]
    assert ("eve", "content-withdrawn") in audit(store)


@pytest.mark.parametrize("confirm", [{}, {"confirm": "0"}, {"confirm": ""}])
def test_a_withdrawal_posted_without_its_box_ticked_withdraws_nothing_and_says_why(staff, confirm):
    client, project, _ = staff
    login(client)
    page = client.get("/withdraw/guides/visa").text
    answer = client.post("/withdraw/guides/visa", data={"csrf_token": CSRF_RE.search(page).group(1), **confirm},
                         follow_redirects=True)
    assert answer.status_code == 200
    assert "guides/visa was not withdrawn: tick the box to confirm the withdrawal" in answer.text
    assert (project.content_dir / "guides" / "visa.md").exists()
    assert not (project.state_dir / "withdrawn").exists()


def test_a_withdrawn_file_is_named_by_the_time_in_the_projects_zone_and_never_overwritten(staff):
    """Withdrawn, added again and withdrawn within a second: both copies are kept, in time order."""
    client, project, _ = staff
    login(client)
    source = project.content_dir / "guides" / "visa.md"
    first = source.read_text(encoding="utf-8")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for text in (first, first.replace("过境免签", "过境免签（第二版）")):
        source.write_text(text, encoding="utf-8")
        page = client.get("/withdraw/guides/visa").text
        client.post("/withdraw/guides/visa", data={"csrf_token": CSRF_RE.search(page).group(1), "confirm": "1"})
    kept = sorted((project.state_dir / "withdrawn" / "guides").iterdir())
    assert [p.read_text(encoding="utf-8") for p in kept] == [first, first.replace("过境免签", "过境免签（第二版）")]
    for path in kept:
        assert before <= stamped(path.name, "visa\\.{stamp}\\.md", "Asia/Shanghai") <= dt.datetime.now(dt.UTC)


def test_withdraw_names_only_documents_in_content_never_a_file_beside_it(staff):
    """`..` is no section: whether /project/notes.md exists must not show through the answer."""
    client, project, _ = staff
    login(client)
    (project.root / "notes.md").write_text("not content", encoding="utf-8")
    for path in ("/withdraw/%2E%2E/notes", "/withdraw/%2E%2E/no-such-file", "/withdraw/guides/Visa"):
        answer = client.get(path)
        assert answer.status_code == 404 and "Withdraw" not in answer.text, path
    assert client.get("/withdraw/guides/visa").status_code == 200


def test_reviewers_cannot_add_or_withdraw_and_forms_need_their_csrf_token(staff):
    client, project, _ = staff
    login(client, "alice")
    assert client.get("/add").status_code == 403
    assert client.get("/withdraw/guides/visa").status_code == 403
    client.post("/logout", data={"csrf_token": CSRF_RE.search(client.get("/").text).group(1)})
    login(client)
    forged = client.post("/withdraw/guides/visa", data={"confirm": "1"})
    assert forged.status_code == 403 and (project.content_dir / "guides" / "visa.md").is_file()
    assert client.post("/add/save", data={"csrf_token": CSRF_RE.search(client.get("/add").text).group(1),
                                          "token": "../../zaitun"}).status_code == 303  # refused, flashed
    assert "no longer waiting" in client.get("/add").text


def test_over_long_names_in_add_and_withdraw_are_refused_not_a_server_error(staff):
    """A name past the disk's 255 bytes was looked for on disk: `File name too long` answered 500."""
    client, project, _ = staff
    login(client)
    for path in (f"/withdraw/guides/{'a' * 300}", f"/withdraw/{'s' * 300}/x"):
        answer = client.get(path)
        assert answer.status_code == 404 and "no such document" in answer.text, path
    page = client.get("/withdraw/guides/visa").text
    answer = client.post(f"/withdraw/guides/{'a' * 300}", data={"csrf_token": CSRF_RE.search(page).group(1),
                                                                "confirm": "1"})
    assert answer.status_code == 404 and "no such document" in answer.text
    before = sorted(p.relative_to(project.content_dir) for p in project.content_dir.rglob("*"))
    page = upload(client, ("upl.md", NEW_DOC.encode()), section="s" * 300)
    assert page.status_code == 200 and "the section name is too long: 300 characters" in page.text
    assert 'name="token"' not in page.text
    assert sorted(p.relative_to(project.content_dir) for p in project.content_dir.rglob("*")) == before


# -- several editors at once: the functions from threads, then the pages on a real server -------------

SESSIONS = 4  # editors sending the same thing at the same moment
ROUNDS = 20  # each race run this often: once may by chance not overlap


def at_once(*calls):
    """Each call in a thread of its own, all let go at the same moment; their results, in order."""
    ready = threading.Barrier(len(calls))

    def run(call):
        ready.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def refused(call, *args):
    """What `call(*args)` returns, or the ContentError it raises (anything else fails the test)."""
    try:
        return call(*args)
    except ContentError as exc:
        return exc


def test_new_files_saved_from_several_threads_at_once_are_written_once_and_the_others_refused(tmp_path):
    """Saving checked that no file was there, then wrote: all passed the check, and the last to write won."""
    project, store = review_project(tmp_path)
    for round_ in range(ROUNDS):
        texts = [NEW_DOC.replace("每周六", f"第{n}场：每周六") for n in range(SESSIONS)]
        tokens = [uploads.prepare(project, f"save-race-{round_}.md", text.encode(), "guides").token for text in texts]
        results = at_once(*(functools.partial(refused, uploads.save, project, token) for token in tokens))
        saved = [text for text, result in zip(texts, results, strict=True) if isinstance(result, Path)]
        target = project.content_dir / "guides" / f"save-race-{round_}.md"
        assert len(saved) == 1 and target.read_text(encoding="utf-8") == saved[0]
        assert all("already exists" in str(r) for r in results if isinstance(r, ContentError))
    store.close()


def test_replacements_confirmed_in_several_threads_at_once_replace_only_the_version_they_were_shown(tmp_path):
    """Each checked the file was still the version its diff was made against, then wrote: all replaced it."""
    project, store = review_project(tmp_path)
    current = project.content_dir / "guides" / "visa.md"
    for round_ in range(ROUNDS):
        shown = current.read_text(encoding="utf-8")
        texts = [shown.replace("。", f"（{round_}-{n}）。", 1) for n in range(SESSIONS)]
        tokens = [uploads.prepare(project, "visa.md", text.encode(), "guides").token for text in texts]
        results = at_once(*(functools.partial(refused, uploads.save, project, token, True) for token in tokens))
        saved = [text for text, result in zip(texts, results, strict=True) if isinstance(result, Path)]
        assert len(saved) == 1 and current.read_text(encoding="utf-8") == saved[0]
        assert all("changed since the upload was shown" in str(r) for r in results if isinstance(r, ContentError))
    store.close()


def test_the_same_file_read_in_several_threads_at_once_is_kept_for_each(tmp_path):
    """Identical uploads are kept under one token: they shared one temporary file, and all but one failed."""
    project, store = review_project(tmp_path)
    for round_ in range(ROUNDS):
        data = NEW_DOC.replace("每周六", f"第{round_}场：每周六").encode()
        shown = at_once(*[functools.partial(uploads.prepare, project, "same.md", data, "guides")] * SESSIONS)
        assert len({upload.token for upload in shown}) == 1
        assert uploads.pending(project, shown[0].token).text == data.decode()
    assert not list((project.state_dir / "uploads").glob(".*"))  # no temporary file left behind
    store.close()


def test_a_document_withdrawn_from_several_threads_at_once_is_moved_once_and_the_others_refused(tmp_path):
    """All found the file, then each moved it: one moved it, the others failed on a file no longer there."""
    project, store = review_project(tmp_path)
    for round_ in range(ROUNDS):
        slug = f"withdraw-race-{round_}"
        (project.content_dir / "guides" / f"{slug}.md").write_text(NEW_DOC, encoding="utf-8")
        results = at_once(*[functools.partial(refused, uploads.withdraw, project, "guides", slug)] * SESSIONS)
        assert sum(isinstance(r, Path) for r in results) == 1
        assert all("no such document" in str(r) for r in results if isinstance(r, ContentError))
        assert len(list((project.withdrawn_dir / "guides").glob(f"{slug}.*"))) == 1
    store.close()


@pytest.fixture
def editors(tmp_path):
    """Editors each logged in in a session of their own to the review UI on a real server, so requests sent at
    once are handled at once (in the server's threads)."""
    pytest.importorskip("uvicorn")
    project, store = review_project(tmp_path)
    real_user(store, "eve", role="editor")
    with serve_app(create_app(Context(project, store))) as base, contextlib.ExitStack() as stack:
        clients = [stack.enter_context(httpx.Client(base_url=base, timeout=60)) for _ in range(SESSIONS)]
        for client in clients:
            login(client)
        yield clients, project
    store.close()


def test_a_new_file_saved_in_several_sessions_at_once_is_saved_once_and_the_others_told_it_exists(editors):
    """Each was told "saved" while one text overwrote the others (or one got a 500 with its text on disk)."""
    clients, project = editors
    for round_ in range(ROUNDS):
        texts = [NEW_DOC.replace("每周六", f"第{n}场：每周六") for n in range(SESSIONS)]
        pages = [upload(client, (f"save-race-{round_}.md", text.encode()), section="guides").text
                 for client, text in zip(clients, texts, strict=True)]
        answers = at_once(*(functools.partial(save, client, page) for client, page in zip(clients, pages, strict=True)))
        assert [a.status_code for a in answers] == [303] * SESSIONS
        saved = [text for text, answer in zip(texts, answers, strict=True) if answer.headers["location"] == "/"]
        assert len(saved) == 1, [a.headers["location"] for a in answers]
        target = project.content_dir / "guides" / f"save-race-{round_}.md"
        assert target.read_text(encoding="utf-8") == saved[0]
        for client, answer in zip(clients, answers, strict=True):
            if answer.headers["location"] == "/add":
                assert f"guides/save-race-{round_}.md: already exists" in client.get("/add").text
        assert not list(target.parent.glob(".*"))  # no temporary file left behind


def test_the_same_file_uploaded_in_several_sessions_at_once_is_shown_to_each(editors):
    """Identical uploads are kept under one token: they shared one temporary file, and all but one got a 500."""
    clients, project = editors
    for round_ in range(ROUNDS):
        data = NEW_DOC.replace("每周六", f"第{round_}场：每周六").encode()
        forms = [CSRF_RE.search(client.get("/add").text).group(1) for client in clients]
        answers = at_once(*(functools.partial(client.post, "/add", data={"csrf_token": form, "section": "guides"},
                                              files=[("files", (f"same-{round_}.md", data))])
                            for client, form in zip(clients, forms, strict=True)))
        assert [a.status_code for a in answers] == [200] * SESSIONS
        assert len({TOKEN_RE.search(a.text).group(1) for a in answers}) == 1
    assert save(clients[0], answers[0].text).headers["location"] == "/"
    assert (project.content_dir / "guides" / f"same-{ROUNDS - 1}.md").read_bytes() == data
    assert not list((project.state_dir / "uploads").glob(".*"))  # no temporary file left behind


def test_a_document_withdrawn_in_several_sessions_at_once_is_withdrawn_once_and_the_others_told_so(editors):
    """A second click on Withdraw found the file gone under it: a 500 instead of an answer."""
    clients, project = editors
    for round_ in range(ROUNDS):
        slug = f"withdraw-race-{round_}"
        (project.content_dir / "guides" / f"{slug}.md").write_text(NEW_DOC, encoding="utf-8")
        forms = [CSRF_RE.search(client.get(f"/withdraw/guides/{slug}").text).group(1) for client in clients]
        answers = at_once(*(functools.partial(client.post, f"/withdraw/guides/{slug}",
                                              data={"csrf_token": form, "confirm": "1"})
                            for client, form in zip(clients, forms, strict=True)))
        assert sorted(a.status_code for a in answers) == [303] + [404] * (SESSIONS - 1)
        assert all("no such document" in a.text for a in answers if a.status_code == 404)
        kept = list((project.withdrawn_dir / "guides").glob(f"{slug}.*"))
        assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == NEW_DOC


# -- in a real browser --------------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path):
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    pytest.importorskip("uvicorn")
    project, store = review_project(tmp_path / "proj")
    real_user(store, "eve", role="editor")
    with serve_app(create_app(Context(project, store))) as base:
        yield base, project
    store.close()


def test_editor_adds_word_notices_in_the_browser_and_a_broken_one_is_refused(served, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    base, project = served
    good, broken = tmp_path / "通知.docx", tmp_path / "损坏.docx"
    good.write_bytes(seed_docx())
    broken.write_bytes(seed_docx()[:400])
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{base}/login")
        page.fill("input[name=name]", "eve")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Log in')")
        page.click("text=Add content")
        page.set_input_files("#files", [str(good), str(broken)])
        page.click("button:has-text('Show what zaitun reads')")
        page.wait_for_selector("text=Check and save")
        page.screenshot(path=str(tmp_path / "add-preview.png"), full_page=True)
        assert "损坏.docx: not a readable .docx file" in page.inner_text("main")
        assert "/tmp" not in page.inner_text("main")  # no server path in a message
        assert "泉政办规〔2024〕11号" in page.inner_text("main")
        page.click("button:has-text('Save policies/quan-zheng-ban-gui-2024-11.md')")
        page.wait_for_selector("text=saved content/policies/quan-zheng-ban-gui-2024-11.md")
        browser.close()
    assert (project.content_dir / "policies" / "quan-zheng-ban-gui-2024-11.md").is_file()
    assert problems == []
