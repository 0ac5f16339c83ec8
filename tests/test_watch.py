"""The content watcher: real file-system events, debounced into one announcement per burst."""

import logging
import os
import subprocess
import sys
import threading
import time

from conftest import write_doc

from zaitun.pipeline import publish_stage, run_once
from zaitun.watch import HeldBatches, start_watcher


def collect_batches(content_dir, **options):
    batches: list[list[str]] = []
    fired = threading.Event()

    def on_batch(paths):
        batches.append(paths)
        fired.set()

    return start_watcher(content_dir, on_batch, **{"debounce": 0.4, **options}), batches, fired


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


def test_a_section_folder_moved_out_of_content_is_announced_and_its_documents_withdrawn(tmp_project, store,
                                                                                        tmp_path_factory):
    for name in ("a", "b"):
        write_doc(tmp_project.root, f"notices/{name}.md", "title: 通知\ndate: 2025-01-01", f"第{name}号通知。")
    write_doc(tmp_project.root, "guides/c.md", "title: 指南\ndate: 2025-01-01", "指南正文。")
    run_once(tmp_project, store)
    trash = tmp_path_factory.mktemp("Trash") / "notices"
    observer, batches, fired = collect_batches(tmp_project.content_dir)
    try:
        time.sleep(0.2)
        (tmp_project.content_dir / "notices").rename(trash)  # a file manager's "Move to Trash"
        assert fired.wait(5), "the folder moved out was never announced"
    finally:
        observer.stop()
        observer.join(5)
    assert batches == [[str(tmp_project.content_dir / "notices")]]
    run_once(tmp_project, store)  # what the announcement starts
    assert {d["slug"] for d in store.documents()} == {"c"}


def test_a_file_held_open_and_written_in_chunks_is_announced_once_after_it_is_closed(tmp_project):
    guides = tmp_project.content_dir / "guides"
    guides.mkdir()
    path = guides / "slow.md"
    chunks = ["---\ntitle: 标题\n", "date: 2025-01-01\n---\n\n", "第一段。\n\n", "第二段。\n"]
    observer, batches, fired = collect_batches(tmp_project.content_dir, debounce=0.2, longest_wait=30)
    try:
        time.sleep(0.2)
        with path.open("w", encoding="utf-8") as writer:  # a slow copy: pauses longer than the debounce
            for chunk in chunks:
                writer.write(chunk)
                writer.flush()
                time.sleep(0.5)
            assert not fired.is_set()
        assert fired.wait(5)
        time.sleep(0.5)
    finally:
        observer.stop()
        observer.join(5)
    assert batches == [[str(path)]]


def test_a_document_dropped_while_another_file_is_copied_in_is_announced_without_waiting_for_the_copy(tmp_project):
    guides = tmp_project.content_dir / "guides"
    guides.mkdir()
    copied, dropped = guides / "long.md", guides / "quick.md"
    observer, batches, fired = collect_batches(tmp_project.content_dir, debounce=0.2, longest_wait=30)
    try:
        time.sleep(0.2)
        with copied.open("w", encoding="utf-8") as copy:
            copy.write("---\ntitle: 长\n")
            copy.flush()
            write_doc(tmp_project.root, "guides/quick.md", "title: 快\ndate: 2025-01-01", "正文。")
            assert fired.wait(5)  # the copy is still open
            assert batches == [[str(dropped)]]
            fired.clear()
            copy.write("date: 2025-01-01\n---\n\n正文。\n")
        assert fired.wait(5)
        time.sleep(0.5)
    finally:
        observer.stop()
        observer.join(5)
    assert batches == [[str(dropped)], [str(copied)]]


def test_a_file_written_and_closed_is_announced_after_the_debounce_and_reading_it_announces_nothing(tmp_project):
    guides = tmp_project.content_dir / "guides"
    guides.mkdir()
    observer, batches, fired = collect_batches(tmp_project.content_dir, debounce=0.3, longest_wait=30)
    try:
        time.sleep(0.2)
        written = time.monotonic()
        path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
        assert fired.wait(5)
        waited = time.monotonic() - written
        fired.clear()
        path.read_text(encoding="utf-8")  # as intake does, once told
        assert not fired.wait(0.8)
    finally:
        observer.stop()
        observer.join(5)
    assert batches == [[str(path)]]
    assert 0.3 <= waited < 5


def test_a_rename_into_place_and_a_file_moved_in_are_announced_after_the_debounce(tmp_project, tmp_path_factory):
    guides = tmp_project.content_dir / "guides"
    guides.mkdir()
    elsewhere = tmp_path_factory.mktemp("downloads") / "b.md"
    elsewhere.write_text("---\ntitle: 乙\ndate: 2025-01-01\n---\n\n正文。\n", encoding="utf-8")
    observer, batches, fired = collect_batches(tmp_project.content_dir, debounce=0.3, longest_wait=30)
    try:
        time.sleep(0.2)
        saved = guides / ".a.md.swp"  # an editor's atomic save: write beside, rename over
        saved.write_text("---\ntitle: 甲\ndate: 2025-01-01\n---\n\n正文。\n", encoding="utf-8")
        saved.rename(guides / "a.md")
        elsewhere.rename(guides / "b.md")  # moved in: created, with no open or close seen
        assert fired.wait(5)
        time.sleep(0.5)
    finally:
        observer.stop()
        observer.join(5)
    assert batches == [[str(guides / "a.md"), str(guides / "b.md")]]


def test_a_section_folder_moved_into_content_is_announced_once_with_each_of_its_documents(tmp_project,
                                                                                           tmp_path_factory):
    staged = tmp_path_factory.mktemp("downloads") / "guides"
    staged.mkdir()
    for name in ("a", "b", "c"):
        (staged / f"{name}.md").write_text(f"---\ntitle: {name}\ndate: 2025-01-01\n---\n\n正文。\n",
                                           encoding="utf-8")
    observer, batches, fired = collect_batches(tmp_project.content_dir, debounce=0.3, longest_wait=30)
    try:
        time.sleep(0.2)
        staged.rename(tmp_project.content_dir / "guides")  # a file manager's drag of a whole folder
        assert fired.wait(5), "the folder moved in was never announced"
        time.sleep(0.5)
    finally:
        observer.stop()
        observer.join(5)
    guides = tmp_project.content_dir / "guides"
    assert batches == [[str(guides / f"{name}.md") for name in ("a", "b", "c")]]


def test_a_file_never_closed_is_announced_after_the_longest_wait_with_a_warning(tmp_project, caplog):
    guides = tmp_project.content_dir / "guides"
    guides.mkdir()
    path = guides / "stuck.md"
    observer, batches, fired = collect_batches(tmp_project.content_dir, debounce=0.1, longest_wait=1.0)
    time.sleep(0.2)
    writer = path.open("w", encoding="utf-8")  # its close is never seen: the watcher stops first
    try:
        with caplog.at_level(logging.WARNING, logger="zaitun.watch"):
            opened = time.monotonic()
            writer.write("---\ntitle: 标题\n")
            writer.flush()
            assert not fired.wait(0.6)  # quiet for longer than the debounce, but still open
            assert fired.wait(5)
            waited = time.monotonic() - opened
    finally:
        observer.stop()
        observer.join(5)
        writer.close()
    assert batches == [[str(path)]]
    assert waited >= 1.0
    assert f"{path} is still open for writing" in caplog.text


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


def test_batches_seen_before_the_flows_are_ready_go_out_as_one_when_released():
    sent: list[list[str]] = []
    held = HeldBatches(sent.append)
    held(["content/guides/b.md"])
    held(["content/guides/a.md", "content/guides/b.md"])
    assert sent == []
    held.release()
    held(["content/guides/c.md"])
    held.release()  # a second release sends nothing again
    assert sent == [["content/guides/a.md", "content/guides/b.md"], ["content/guides/c.md"]]


def test_releasing_with_nothing_held_announces_nothing():
    sent: list[list[str]] = []
    HeldBatches(sent.append).release()
    assert sent == []


def test_zaitun_watch_without_a_prefect_server_refuses_and_never_says_it_is_watching(tmp_project):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(tmp_project.root), "watch"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1
    assert "PREFECT_API_URL is not set" in done.stderr
    assert "watching" not in done.stdout + done.stderr
