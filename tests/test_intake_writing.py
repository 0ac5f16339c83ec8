"""A file another program is still writing into content/ (a notice being copied in, a document being saved) is
left as it is by a pass, told, and taken in whole by the pass after its writer closes it: never converted from
half its text, quarantined as broken, nor taken as an edit cutting a document short."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from conftest import FIXTURES, write_doc

from zaitun.content import writing
from zaitun.content.intake import ingest

SEED = (FIXTURES / "seed-notice.txt").read_bytes()


def half_copied(root: Path, monkeypatch, part: int) -> tuple[Path, IO[bytes]]:
    """The seed notice dropped into content/policies/, its first `part` bytes written and the file held open for
    writing by this process, which passes waiting for writers give up on after 0.3 s."""
    monkeypatch.setattr(writing, "WAIT", 0.3)
    section = root / "content" / "policies"
    section.mkdir()
    notice = section / "notice.txt"
    copy = notice.open("wb")
    copy.write(SEED[:part])
    copy.flush()
    return notice, copy


def _me() -> str:
    return f"{(writing.PROC / str(os.getpid()) / 'comm').read_text(encoding='utf-8').strip()} (pid {os.getpid()})"


def test_a_notice_still_being_copied_in_is_left_in_place_and_taken_in_whole_once_closed(tmp_project, store,
                                                                                          monkeypatch):
    notice, copy = half_copied(tmp_project.root, monkeypatch, len(SEED) // 3)
    section = notice.parent
    with copy:
        report = ingest(tmp_project, store)
        assert report.ingested == [] and report.errors == [] and report.failures == []
        assert [str(w) for w in report.writing] == [
            f"{notice}:1: still being written by {_me()}: left as it is, taken in by the next pass once closed"]
        assert notice.read_bytes() == SEED[: len(SEED) // 3] and not (section / "notice.md").exists()
        assert not tmp_project.quarantine_dir.exists() or not list(tmp_project.quarantine_dir.iterdir())
        copy.write(SEED[len(SEED) // 3:])
    report = ingest(tmp_project, store)
    assert report.ingested == ["notice"] and report.writing == []
    assert (section / "notice.md").read_text(encoding="utf-8") == (FIXTURES / "seed-notice.expected.md").read_text(
        encoding="utf-8")


def test_a_document_being_saved_keeps_its_stored_version_and_is_not_withdrawn(tmp_project, store, monkeypatch):
    monkeypatch.setattr(writing, "WAIT", 0.3)
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "第一句。第二句。第三句。")
    ingest(tmp_project, store)
    before = [s["seg_id"] for s in store.segments("a")]
    whole = path.read_bytes().replace("第三句".encode(), "第三句已改".encode())
    with path.open("wb") as editor:
        editor.write(whole[: whole.index("第二句".encode())])
        editor.flush()
        report = ingest(tmp_project, store)
        assert report.ingested == report.withdrawn == [] and report.errors == []
        assert [w.path for w in report.writing] == [path]
        assert [s["seg_id"] for s in store.segments("a")] == before
        assert store.document("a")["status"] == "active"
        editor.write(whole[whole.index("第二句".encode()):])
    assert ingest(tmp_project, store).ingested == ["a"]
    assert [s["source"] for s in store.segments("a")] == ["标题", "第一句。", "第二句。", "第三句已改。"]


def test_a_writer_closing_within_the_wait_is_taken_in_by_the_same_pass(tmp_project, store):
    section = tmp_project.content_dir / "policies"
    section.mkdir()
    copy = (section / "notice.txt").open("wb")
    copy.write(SEED[:100])
    copy.flush()

    def finish() -> None:
        time.sleep(0.5)
        copy.write(SEED[100:])
        copy.close()

    finishing = threading.Thread(target=finish)
    finishing.start()
    report = ingest(tmp_project, store)
    finishing.join()
    assert report.ingested == ["notice"] and report.writing == [] and report.errors == []


def test_zaitun_intake_names_the_program_still_copying_a_notice_and_takes_it_in_on_the_next_run(tmp_project):
    section = tmp_project.content_dir / "policies"
    section.mkdir()
    notice = section / "notice.txt"
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys; f = open(sys.argv[1], 'wb'); data = open(sys.argv[2], 'rb').read(); f.write(data[:200]);"
        "f.flush(); print('ready', flush=True); sys.stdin.readline(); f.write(data[200:]); f.close()"),
        str(notice), str(FIXTURES / "seed-notice.txt")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "ready\n"
        zaitun = [sys.executable, "-m", "zaitun", "--project", str(tmp_project.root), "intake"]
        held = subprocess.run(zaitun, capture_output=True, text=True, timeout=120)
        assert held.returncode == 0, held.stderr
        name = os.path.basename(sys.executable)[:15]
        assert (f"{notice}:1: still being written by {name} (pid {writer.pid}): left as it is, taken in by the next "
                "pass once closed") in held.stderr
        assert "ingested 0" in held.stdout and "still being written 1" in held.stdout
        writer.communicate("go\n", timeout=30)
    finally:
        writer.kill()
    taken = subprocess.run(zaitun, capture_output=True, text=True, timeout=120)
    assert taken.returncode == 0 and "ingested 1" in taken.stdout, taken.stdout + taken.stderr
    assert (section / "notice.md").is_file() and not notice.exists()


def test_zaitun_check_says_a_notice_still_being_copied_is_not_checked_yet_rather_than_broken(tmp_project,
                                                                                            monkeypatch):
    from zaitun.check import check_findings

    notice, copy = half_copied(tmp_project.root, monkeypatch, 200)
    with copy:
        assert [str(p) for p in check_findings(tmp_project).problems] == [
            f"{notice}:1: still being written by {_me()}: not checked yet (taken in once it is closed)"]
        copy.write(SEED[200:])
    assert check_findings(tmp_project).problems == []


def test_zaitun_status_lists_a_document_being_saved_as_being_written_not_as_needing_fixing(tmp_project):
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "第一句。")
    whole = path.read_bytes()
    with path.open("wb") as editor:
        editor.write(whole[:10])
        editor.flush()
        shown = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(tmp_project.root), "status"],
                               capture_output=True, text=True, timeout=120)
        editor.write(whole[10:])
    assert shown.returncode == 0, shown.stderr
    assert (f"being written: {path}:1: still being written by {_me()}: not checked yet (taken in once it is "
            "closed)") in shown.stdout
    assert "needs fixing" not in shown.stdout
