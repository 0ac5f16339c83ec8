"""The site switches atomically: builds stopped at any moment, rollback, old layouts, readers meanwhile."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from publish_helpers import leftovers, make_fixture, search_index_whole
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.errors import PublishError
from zaitun.publish import layout, output
from zaitun.publish.preview import serve_folder
from zaitun.publish.sinks import deploy

TITLES = [("泉州站点甲", "Site Alpha"), ("泉州站点乙", "Site Beta")]
BUILDER = """
import sys
from zaitun.project import Project
from zaitun.publish.site import build_site
from zaitun.state.store import Store

project = Project(sys.argv[1])
store = Store.open(project.database_url)
print("ready", flush=True)
sys.stdin.readline()
build_site(project, store, social=False)
print("done", flush=True)
"""


def set_titles(fx, round_: int, keep: int = 3) -> int:
    """Give every page of the next build the site titles of round_'s parity; return which (0 or 1)."""
    zh, en = TITLES[round_ % 2]
    (fx.project.root / "zaitun.toml").write_text(
        f'[site]\nbase_url = "https://example.org"\ntitle.zh = "{zh}"\ntitle.en = "{en}"\n'
        f"[publish]\nkeep_versions = {keep}\n", encoding="utf-8")
    fx.project.__dict__.pop("config", None)  # read the settings again in this process too
    return round_ % 2


def project_with_documents(root: Path, count: int):
    fx = make_fixture(root)
    for i in range(count):
        fx.write("guides", f"doc-{i:03d}", f"title: 指南第{i}号\ndate: 2025-06-{1 + i % 28:02d}\ntags: [t{i % 7}]",
                 f"## 第{i}号\n\n外国人过境免签停留时间延长为240小时。第{i}段。")
    fx.ingest()
    return fx


def whole_build(site: Path) -> int:
    """Which build site shows (0 or 1) after checking it is one build, whole: exactly the files of its
    version's manifest, every page with that build's titles and no page with the other's."""
    version = site.resolve().parent
    manifest = output.read_manifest(version)[0]
    expected = {layout.file_of(path) for path in manifest["files"]}
    present = {p.relative_to(site).as_posix() for p in site.rglob("*")
               if p.is_file() and p.relative_to(site).parts[0] != layout.SEARCH_DIR}
    assert search_index_whole(site), "the build's search index is missing"
    assert present == expected, f"{version.name}: files differ from its manifest"
    seen = set()
    for name in sorted(n for n in present if n.endswith(".html") and n != layout.NOT_FOUND):  # 404: no title
        text = (site / name).read_text(encoding="utf-8")
        marks = {i for i, (zh, en) in enumerate(TITLES) if zh in text or en in text}
        assert len(marks) == 1, f"{name} shows titles of {marks}"
        seen |= marks
    assert len(seen) == 1, f"pages of two builds: {seen}"
    return seen.pop()


def start_builder(root: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", BUILDER, str(root)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def finish(proc: subprocess.Popen) -> None:
    proc.wait(timeout=60)
    proc.stdin.close()
    proc.stdout.close()


def timed_build(root: Path) -> float:
    proc = start_builder(root)
    started = time.perf_counter()
    proc.stdin.write("go\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "done"
    finish(proc)
    return time.perf_counter() - started


def test_a_build_killed_at_any_moment_leaves_publish_one_whole_build(tmp_path):
    fx = project_with_documents(tmp_path / "proj", 60)
    set_titles(fx, 0)
    fx.build()
    online = set_titles(fx, 1)
    duration = timed_build(fx.project.root)  # a rebuild of every page: each shows the new title
    assert whole_build(fx.out) == online
    rng = random.Random(12)
    before_switch = 0
    for round_ in range(24):
        wanted = set_titles(fx, round_)
        proc = start_builder(fx.project.root)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        time.sleep(rng.uniform(0, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        finish(proc)
        shown = whole_build(fx.out)  # before any recovery: what a reader gets at this instant
        before_switch += shown == online != wanted
        online = shown
    assert before_switch, "no kill stopped a build before its switch"  # after it: timing-dependent, counted only
    fx.build()
    assert leftovers(fx.out) == [] and whole_build(fx.out) == wanted


def test_rollback_puts_the_previous_build_back_online_and_list_shows_the_kept_builds(tmp_path):
    fx = project_with_documents(tmp_path / "proj", 3)
    runner = CliRunner()
    for round_ in range(3):
        set_titles(fx, round_, keep=1)
        fx.build()
    assert len(output.complete_versions(fx.out)) == 2  # the one online and one earlier (keep_versions = 1)
    assert whole_build(fx.out) == 0
    listed = runner.invoke(app, ["--project", str(fx.project.root), "rollback", "--list"])
    assert listed.exit_code == 0 and listed.output.count("built") == 2 and "(online)" in listed.output
    back = runner.invoke(app, ["--project", str(fx.project.root), "rollback"])
    assert back.exit_code == 0, back.output
    assert whole_build(fx.out) == 1
    again = runner.invoke(app, ["--project", str(fx.project.root), "rollback"])
    assert isinstance(again.exception, PublishError) and "no earlier build" in str(again.exception)
    newest = int(output.complete_versions(fx.out)[-1].name)
    assert runner.invoke(app, ["--project", str(fx.project.root), "rollback", str(newest)]).exit_code == 0
    assert whole_build(fx.out) == 0


def test_rollback_list_shows_the_day_each_build_recorded_not_when_its_folder_was_touched(tmp_path):
    """Build folders copied back from a backup (or touched) keep the day their builds recorded, the day a rollback
    judges validity by; only a build that recorded none is listed by its folder's time, saying so."""
    from zoneinfo import ZoneInfo

    fx = project_with_documents(tmp_path / "proj", 2)
    for round_ in range(2):
        set_titles(fx, round_)
        fx.build()
    first, second = output.complete_versions(fx.out)
    touched = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()  # the project's zone
    for version in (first, second):
        os.utime(version / output.SITE, (touched, touched))
    (first / output.SUMMARY).unlink()  # as a build of an older release: it recorded nothing
    listed = CliRunner().invoke(app, ["--project", str(fx.project.root), "rollback", "--list"])
    assert listed.exit_code == 0, listed.output
    old, online = listed.output.splitlines()
    assert online.split() == ["2", "built", output.load_summary(second)["day"], "(online)"]
    assert old.split()[:4] == ["1", "built", "2020-01-02", "03:04:05"] and "recorded no day" in old


def test_a_site_of_the_old_layout_is_adopted_with_its_social_outbox(tmp_path):
    fx = project_with_documents(tmp_path / "proj", 2)
    set_titles(fx, 0)
    fx.build()
    legacy = fx.out.resolve()
    fx.out.unlink()
    legacy.rename(fx.out)  # publish/ a plain folder, as builds of earlier releases left it
    (fx.out / "social").unlink()
    (fx.out / "social").mkdir()
    (fx.out / "social" / "old-post.json").write_text("{}", encoding="utf-8")
    (fx.out / ".gitkeep").write_text("", encoding="utf-8")
    output.recover(fx.out)
    assert fx.out.is_symlink() and (fx.out / "zh" / "index.html").is_file()
    assert (fx.out / "social" / "old-post.json").is_file()
    set_titles(fx, 1)
    fx.build()
    assert whole_build(fx.out) == 1 and (fx.out / "social" / "old-post.json").is_file()


def test_a_full_build_stopped_between_the_old_layouts_renames_keeps_the_previous_site(tmp_path):
    fx = project_with_documents(tmp_path / "proj", 2)
    fx.build()
    legacy = fx.out.resolve()
    fx.out.unlink()
    legacy.rename(fx.out.parent / ".publish.previous")  # publish/ gone, as between the old two renames
    (fx.out.parent / ".publish.building").mkdir()
    output.recover(fx.out)
    assert (fx.out / "zh" / "index.html").is_file()
    assert not (fx.out.parent / ".publish.previous").exists() and not (fx.out.parent / ".publish.building").exists()


def test_deploys_and_preview_during_builds_always_read_one_whole_build(tmp_path):
    fx = project_with_documents(tmp_path / "proj", 20)
    set_titles(fx, 0, keep=0)  # no earlier build kept: a version is removed as soon as it is not online
    fx.build()
    server = serve_folder(fx.out, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    stop = threading.Event()
    failures: list[str] = []

    def rebuild():
        round_ = 0
        while not stop.is_set():
            round_ += 1
            set_titles(fx, round_, keep=0)
            proc = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(fx.project.root), "build"],
                                  capture_output=True, text=True, timeout=120)
            if proc.returncode:
                failures.append(proc.stderr)

    builder = threading.Thread(target=rebuild)
    builder.start()
    try:
        for i in range(6):
            target = tmp_path / f"www-{i}"
            deploy(fx.out, str(target))
            for _ in range(20):
                page = httpx.get(url + "/zh/guides/doc-001/", timeout=10)
                assert page.status_code == 200
                assert sum(zh in page.text for zh, _ in TITLES) == 1
    finally:
        stop.set()
        builder.join(timeout=300)
        server.shutdown()
        server.server_close()
    assert not failures, failures[0]
    for i in range(6):
        target = tmp_path / f"www-{i}"
        assert _one_title_everywhere(target)


def _one_title_everywhere(site: Path) -> bool:
    seen = set()
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        seen |= {i for i, (zh, en) in enumerate(TITLES) if zh in text or en in text}
    return len(seen) == 1


@pytest.mark.parametrize("keep", [0, 2])
def test_old_builds_beyond_keep_versions_are_removed(tmp_path, keep):
    fx = project_with_documents(tmp_path / "proj", 2)
    for round_ in range(4):
        set_titles(fx, round_, keep=keep)
        fx.build()
    assert len(output.complete_versions(fx.out)) == keep + 1 and leftovers(fx.out) == []
    assert os.path.islink(fx.out)


def test_a_rollback_to_a_build_showing_a_document_withdrawn_since_is_refused_unless_asked(tmp_path):
    fx = project_with_documents(tmp_path / "proj", 3)
    fx.build()
    (fx.project.content_dir / "guides" / "doc-001.md").unlink()
    fx.ingest()  # withdrawn: taken off the site by the next build
    fx.build()
    page = fx.out / "zh" / "guides" / "doc-001" / "index.html"
    assert not page.exists()
    runner = CliRunner()
    refused = runner.invoke(app, ["--project", str(fx.project.root), "rollback"])
    assert isinstance(refused.exception, PublishError) and "withdrawn since: doc-001" in str(refused.exception)
    assert not page.exists()  # nothing switched
    asked = runner.invoke(app, ["--project", str(fx.project.root), "rollback", "--with-withdrawn"])
    assert asked.exit_code == 0, asked.output
    assert page.exists()


@pytest.mark.parametrize("taken_off", ["title: 指南第1号\ndate: 2025-06-02\ndraft: true",
                                       "title: 指南第1号\ndate: 2099-01-01"])
def test_a_rollback_to_a_build_showing_a_document_made_a_draft_or_dated_later_since_is_refused_unless_asked(
        tmp_path, taken_off):
    """Staff took a document off the site by its front matter; a rollback put it back without a word."""
    fx = project_with_documents(tmp_path / "proj", 3)
    fx.write("guides", "doc-002", "title: 草稿\ndate: 2025-06-03\ndraft: true", "## 草稿\n\n未发布。")
    fx.ingest()  # a draft never shown: a build showing neither is no concern
    fx.build()
    fx.write("guides", "doc-001", taken_off, "## 第1号\n\n已撤下。")
    fx.ingest()
    fx.build()
    page = fx.out / "zh" / "guides" / "doc-001" / "index.html"
    assert not page.exists()
    runner = CliRunner()
    refused = runner.invoke(app, ["--project", str(fx.project.root), "rollback"])
    assert isinstance(refused.exception, PublishError), refused.output
    assert "1 document(s) taken off the site since (made a draft, or dated later): doc-001" in str(refused.exception)
    assert not page.exists()  # nothing switched
    asked = runner.invoke(app, ["--project", str(fx.project.root), "rollback", "--with-withdrawn"])
    assert asked.exit_code == 0, asked.output
    assert page.exists()


def test_linking_into_a_reused_version_that_holds_the_file_or_an_older_one_replaces_it(tmp_path):
    online, stage = tmp_path / "000004", tmp_path / "000005.building"
    (online / output.SITE / "pagefind").mkdir(parents=True)
    (stage / "pagefind").mkdir(parents=True)
    for name, text in (("worker.js", "worker"), ("index.json", "new index")):
        (online / output.SITE / "pagefind" / name).write_text(text, encoding="utf-8")
    os.link(online / output.SITE / "pagefind" / "worker.js", stage / "pagefind" / "worker.js")  # linked before
    (stage / "pagefind" / "index.json").write_text("old index", encoding="utf-8")  # from the build it was
    output.link_unchanged(online, stage, ["pagefind/worker.js", "pagefind/index.json"])
    assert (stage / "pagefind" / "index.json").read_text(encoding="utf-8") == "new index"
    assert (stage / "pagefind" / "index.json").samefile(online / output.SITE / "pagefind" / "index.json")
    assert (stage / "pagefind" / "worker.js").samefile(online / output.SITE / "pagefind" / "worker.js")
    assert sorted(p.name for p in (stage / "pagefind").iterdir()) == ["index.json", "worker.js"]


def test_the_preview_never_answers_a_page_from_before_a_rollback_as_unchanged(tmp_path):
    fx = project_with_documents(tmp_path / "proj", 2)
    for round_ in range(2):
        set_titles(fx, round_)
        fx.build()
    server = serve_folder(fx.out, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_address[1]}/en/index.html"
    try:
        newest = httpx.get(url, timeout=5)
        assert newest.headers["cache-control"] == "no-cache" and TITLES[1][1] in newest.text
        assert CliRunner().invoke(app, ["--project", str(fx.project.root), "rollback"]).exit_code == 0
        again = httpx.get(url, headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert again.status_code == 200 and TITLES[0][1] in again.text  # the page rolled back to, not a 304


def test_a_rollback_to_a_build_showing_a_notice_in_force_that_has_expired_since_is_refused_unless_asked(tmp_path):
    """A build of last week showed the notice in force; put back after it lapsed, it said so to every reader."""
    fx = project_with_documents(tmp_path / "proj", 2)
    today = fx.project.today()
    fx.write("policies", "lapsed", f"title: 短期通知\ndate: 2025-06-01\nvalid_until: {today - dt.timedelta(days=2)}",
             "## 通知\n\n本通知短期有效。")
    fx.ingest()
    fx.build(today=today - dt.timedelta(days=7))
    fx.build(today=today)  # a new day: the notice is expired on its pages
    page = fx.out / "zh" / "policies" / "lapsed" / "index.html"
    assert "已失效" in page.read_text(encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["--project", str(fx.project.root), "rollback"])
    assert isinstance(refused.exception, PublishError), refused.output
    assert (f"was made on {today - dt.timedelta(days=7)} and shows 1 document(s) whose validity has changed since: "
            "lapsed (in force then, expired today)") in str(refused.exception)
    assert "已失效" in page.read_text(encoding="utf-8")  # nothing switched
    asked = runner.invoke(app, ["--project", str(fx.project.root), "rollback", "--with-outdated-status"])
    assert asked.exit_code == 0, asked.output
    assert "已失效" not in page.read_text(encoding="utf-8")


def test_a_rollback_to_a_build_of_the_same_day_is_not_refused_for_validity(tmp_path):
    fx = project_with_documents(tmp_path / "proj", 2)
    today = fx.project.today()
    fx.write("policies", "lasting", f"title: 长期通知\ndate: 2025-06-01\nvalid_until: {today + dt.timedelta(days=1)}",
             "## 通知\n\n本通知有效。")
    fx.ingest()
    fx.build(today=today)
    set_titles(fx, 1)
    fx.build(today=today)
    rolled = CliRunner().invoke(app, ["--project", str(fx.project.root), "rollback"])
    assert rolled.exit_code == 0, rolled.output


def test_a_rollback_the_same_day_to_a_build_showing_in_force_a_notice_whose_end_was_brought_forward_is_refused(
        tmp_path):
    """Its end brought forward to yesterday, the notice is expired on every page; the build of this morning showed
    it in force, and a rollback put that back while `status` said expired."""
    fx = project_with_documents(tmp_path / "proj", 2)
    today = fx.project.today()
    front = "title: 短期通知\ndate: 2025-06-01\nvalid_until: {}"
    fx.write("policies", "cut", front.format(today + dt.timedelta(days=30)), "## 通知\n\n本通知短期有效。")
    fx.ingest()
    fx.build(today=today)
    fx.write("policies", "cut", front.format(today - dt.timedelta(days=1)), "## 通知\n\n本通知短期有效。")
    fx.ingest()
    fx.build(today=today)
    refused = CliRunner().invoke(app, ["--project", str(fx.project.root), "rollback"])
    assert isinstance(refused.exception, PublishError), refused.output
    assert "cut (in force then, expired today)" in str(refused.exception)
