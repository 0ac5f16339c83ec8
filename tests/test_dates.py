"""Dates in Quanzhou's day, through the running product: files dropped into content/, the `zaitun` command
line in a subprocess (intake, translate with the offline engine, review edit --approve, build), and the
built pages, sitemap and feeds read back. Instants are stored in UTC; a date shown is the project's
(site.timezone), and the English page shows only the dates approved with its English."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import write_doc
from review_support import quick_user

from zaitun import notify
from zaitun.project import Project
from zaitun.publish import output
from zaitun.publish.site import build_site
from zaitun.review.users import issue_token
from zaitun.state.store import Store

SLUG = "notice-1"
NOTICE = """\
    ---
    title: 泉州市营商环境若干措施
    date: 2026-11-20
    issuer: 泉州市人民政府办公室
    valid_from: 2026-11-20
    valid_until: 2027-12-31
    summary: 关于印发营商环境若干措施的通知
    ---

    各县（市、区）人民政府：

    现印发给你们，请认真贯彻执行。
"""
AT_0730_QUANZHOU = "2026-12-01 23:30:00"  # 07:30 on 2 December in Quanzhou, as the store keeps it (UTC)


def zaitun(root: Path, *args: str, token: str = "", expect: int = 0) -> str:
    """The command's output (stdout, and stderr too when it is expected to fail)."""
    result = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), *args], capture_output=True,
                            text=True, timeout=300, env=os.environ | {"ZAITUN_TOKEN": token})
    assert result.returncode == expect, result.stdout + result.stderr
    return result.stdout + (result.stderr if expect else "")


def approve_everything(root: Path, token: str) -> None:
    """What a reviewer does at the command line: read each open segment, give it English, approve it."""
    shown = json.loads(zaitun(root, "review", "show", SLUG, "--json"))
    for seg in shown["segments"]:
        if seg["state"] != "approved":
            zaitun(root, "review", "edit", SLUG, f"{seg['id']}@{seg['version']}", "--target",
                   f"EN {seg['source']}", "--approve", token=token)


def stamp_all(root: Path, at: str) -> None:
    """Make every stored moment (intake, approval, release) `at`, as if the work had been done then."""
    db = sqlite3.connect(root / ".zaitun" / "state.db")
    with db:
        db.execute("UPDATE documents SET updated_at = ?", (at,))
        db.execute("UPDATE translations SET reviewed_at = ? WHERE reviewed_at IS NOT NULL", (at,))
        for id_, payload in db.execute("SELECT id, payload FROM releases").fetchall():
            data = json.loads(payload)
            data["provenance"]["approved_at"] = at
            db.execute("UPDATE releases SET payload = ?, created_at = ? WHERE id = ?", (json.dumps(data), at, id_))
    db.close()


def released_project(root: Path) -> str:
    """notice-1 dropped into content/, translated, approved by rita at the command line; her token."""
    (root / "content" / "policies").mkdir(parents=True)
    (root / "glossary").mkdir()
    (root / "glossary" / "terms.csv").write_text("zh,en,forbidden,note\n", encoding="utf-8")
    (root / "content" / "policies" / f"{SLUG}.md").write_text(textwrap.dedent(NOTICE), encoding="utf-8")
    zaitun(root, "intake")
    zaitun(root, "translate", "--provider", "offline")
    store = Store.open(Project(root).database_url)
    quick_user(store, "rita")
    token = issue_token(store, "rita", actor="test setup")
    store.close()
    approve_everything(root, token)
    return token


def read(root: Path, path: str) -> str:
    return (root / "publish" / path).read_text(encoding="utf-8")


def times(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<time datetime="')[1:]]


def test_an_approval_at_0730_in_quanzhou_is_shown_on_that_days_date_on_the_page_and_in_the_sitemap(tmp_path):
    root = tmp_path / "proj"
    released_project(root)
    stamp_all(root, AT_0730_QUANZHOU)
    zaitun(root, "build")
    en = read(root, "en/policies/notice-1/index.html")
    assert "Approved by: rita · <time" in en and times(en)[-1] == "2026-12-02"  # was 2026-12-01, UTC's day
    sitemap = read(root, "sitemap.xml")
    assert "<lastmod>2026-12-02</lastmod>" in sitemap and "2026-12-01" not in sitemap
    atom, rss = read(root, "en/atom.xml"), read(root, "en/feed.xml")
    # instants with their offsets; a document of 20 November is published within that day both in Quanzhou
    # (08:00) and in UTC, which readers convert to
    assert "<updated>2026-12-01T23:30:00+00:00</updated>" in atom
    assert "<published>2026-11-20T00:00:00+00:00</published>" in atom
    assert "<pubDate>Fri, 20 Nov 2026 00:00:00 +0000</pubDate>" in rss


def test_a_new_chinese_date_waits_with_its_review_and_the_english_page_keeps_its_approved_dates(tmp_path):
    root = tmp_path / "proj"
    token = released_project(root)
    zaitun(root, "build")
    notice = root / "content" / "policies" / f"{SLUG}.md"
    notice.write_text(notice.read_text(encoding="utf-8").replace("date: 2026-11-20", "date: 2026-11-25")
                      .replace("valid_until: 2027-12-31", "valid_until: 2028-06-30"), encoding="utf-8")
    zaitun(root, "intake")
    zaitun(root, "translate", "--provider", "offline")
    zaitun(root, "build")
    zh, en = read(root, "zh/policies/notice-1/index.html"), read(root, "en/policies/notice-1/index.html")
    assert times(zh)[:3] == ["2026-11-25", "2026-11-20", "2028-06-30"]  # the Chinese page: the new dates at once
    assert "under review" in en and times(en)[:3] == ["2026-11-20", "2026-11-20", "2027-12-31"]  # approved ones
    assert "2026-11-25" not in en and "2026-11-25" not in read(root, "en/atom.xml")
    assert "2026-11-25" not in read(root, "en/index.html") and "2026-11-25" not in read(root, "en/feed.xml")
    assert '"datePublished": "2026-11-20"' in en

    approve_everything(root, token)
    zaitun(root, "build")
    en = read(root, "en/policies/notice-1/index.html")
    assert "under review" not in en and times(en)[:3] == ["2026-11-25", "2026-11-20", "2028-06-30"]
    assert "<published>2026-11-25T00:00:00+00:00</published>" in read(root, "en/atom.xml")


# -- what the command line shows of a moment: the time it was in Quanzhou -------------------------------
AT = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)  # 07:30 on 2 December in Quanzhou


def test_status_tells_since_when_notifications_wait_in_quanzhou_time(tmp_path):
    root = tmp_path / "proj"
    (root / "content").mkdir(parents=True)
    (root / "zaitun.toml").write_text('[notify]\nfailure = ["json://127.0.0.1:9/"]\n', encoding="utf-8")
    (root / ".zaitun").mkdir(mode=0o700)
    (root / ".zaitun" / notify.OUTBOX).write_text(json.dumps({"entries": [
        {"event": "failure", "key": notify.key("json://127.0.0.1:9/"), "title": "t", "body": "b",
         "since": AT.timestamp()}], "last_failure": {}}), encoding="utf-8")
    assert "1 notification(s) wait since 2026-12-02 07:30 for" in zaitun(root, "status")


def test_user_list_and_rollback_list_show_quanzhou_days_and_times(tmp_path):
    root = tmp_path / "proj"
    released_project(root)
    zaitun(root, "build")
    store = Store.open(Project(root).database_url)
    with store.tx() as conn:
        store.add_user(conn, "root", "admin", "not-a-hash")
        store.update_user(conn, "rita", disabled_at=AT)
    admin = issue_token(store, "root", actor="test setup")
    store.close()
    assert "disabled 2026-12-02" in zaitun(root, "user", "list", token=admin)
    for version in output.complete_versions(root / "publish"):  # builds that recorded no day: their folders' time
        os.utime(version / output.SITE, (AT.timestamp(), AT.timestamp()))
        (version / output.SUMMARY).unlink()
    assert "built 2026-12-02 07:30:00 (its folder's time" in zaitun(root, "rollback", "--list")


def test_a_document_dated_later_stays_off_the_site_until_its_day_in_quanzhou(tmp_path):
    root = tmp_path / "p"
    for name in ("content", "glossary", "tm", "publish"):
        (root / name).mkdir(parents=True)
    project = Project(root)
    today = project.today()
    week = today + dt.timedelta(days=7)
    write_doc(root, "notices/issued.md", f"title: 已印发的通知\ndate: {today}", "现印发给你们。")
    write_doc(root, "notices/next-week.md", f"title: 下周印发的通知\ndate: {week}", "下周起施行。")
    assert "1 dated later, online on their date" in zaitun(root, "run")
    site, outbox = root / "publish", output.outbox_dir(root / "publish")
    assert (site / "zh/notices/issued/index.html").exists()
    assert not (site / "zh/notices/next-week").exists()
    for name in ("zh/feed.xml", "zh/atom.xml", "sitemap.xml", "zh/notices/index.html", "zh/index.html"):
        assert "next-week" not in (site / name).read_text(encoding="utf-8"), name
    assert not list(outbox.glob("next-week.*")), "announced before it is issued"
    assert "next-week" in zaitun(root, "status") and f"[dated {week}: online from then]" in zaitun(root, "status")

    store = Store.open(project.database_url)
    try:
        build_site(project, store, today=week)  # the first build on its day (the daily flow's, at 00:01)
    finally:
        store.close()
    assert (site / "zh/notices/next-week/index.html").exists()
    assert "next-week" in (site / "zh/feed.xml").read_text(encoding="utf-8")
    assert list(outbox.glob("next-week.zh.*"))
