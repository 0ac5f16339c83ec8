"""Staff add content from the browser: shown as read before saving, never overwritten unseen, withdrawn
without deleting; editors and admins only, every action in the audit log."""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, stamped
from review_support import PASSWORD, Client, real_user, review_project, serve_app

from zaitun.content.intake import ingest
from zaitun.context import Context
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
