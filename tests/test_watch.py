"""The content watcher: real file-system events, debounced into one announcement per burst."""

import threading
import time

from conftest import write_doc

from zaitun.pipeline import publish_stage, run_once
from zaitun.watch import start_watcher


def collect_batches(content_dir, debounce=0.4):
    batches: list[list[str]] = []
    fired = threading.Event()

    def on_batch(paths):
        batches.append(paths)
        fired.set()

    return start_watcher(content_dir, on_batch, debounce=debounce), batches, fired


def test_a_burst_of_saves_is_announced_once_with_the_path(tmp_project):
    observer, batches, fired = collect_batches(tmp_project.content_dir)
    try:
        time.sleep(0.2)
        for n in range(3):  # an editor saving several times in a row
            write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", f"第{n}版。")
            time.sleep(0.05)
        assert fired.wait(5)
        time.sleep(0.6)
    finally:
        observer.stop()
        observer.join(5)
    assert len(batches) == 1
    assert batches[0] == [str(tmp_project.content_dir / "guides" / "a.md")]


def test_moves_and_deletions_are_announced_and_other_files_ignored(tmp_project):
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    observer, batches, fired = collect_batches(tmp_project.content_dir)
    try:
        time.sleep(0.2)
        (tmp_project.content_dir / "guides" / "notes.tmp").write_text("x")
        path.rename(path.with_name("b.md"))
        assert fired.wait(5)
        fired.clear()
        path.with_name("b.md").unlink()
        assert fired.wait(5)
    finally:
        observer.stop()
        observer.join(5)
    assert sorted(batches[0]) == sorted([str(path), str(path.with_name("b.md"))])
    assert batches[1] == [str(path.with_name("b.md"))]


def test_two_quick_changes_end_with_the_latest_content_published(tmp_project, store):
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "第一版。")
    run_once(tmp_project, store)
    path.write_text(path.read_text(encoding="utf-8").replace("第一版", "第二版"), encoding="utf-8")
    run_once(tmp_project, store)
    path.write_text(path.read_text(encoding="utf-8").replace("第二版", "第三版"), encoding="utf-8")
    run_once(tmp_project, store)
    publish_stage(tmp_project, store)  # a rerun repeats nothing and keeps the latest
    page = (tmp_project.publish_dir / "zh" / "guides" / "a" / "index.html").read_text(encoding="utf-8")
    assert "第三版" in page and "第二版" not in page
