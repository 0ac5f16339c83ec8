"""Translate passes started together in one project (cron's `zaitun run`, the flow of `zaitun up`, a person's
`zaitun translate`): real processes against a slow (test) LibreTranslate. One pass drafts a segment; the
engine is asked once; a pass started meanwhile waits, says so, and still drafts what changed since."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from libre_server import LibreServer
from translate_support import DOCUMENT, libre_settings, make_project, open_ingested

from zaitun import pipeline
from zaitun.content.intake import ingest
from zaitun.state.store import Store
from zaitun.translate import lock

ZAITUN = [sys.executable, "-m", "zaitun"]
ADDED = "旅客可以在泉州申请停留。"  # no glossary term: the engine is sent it as it is


def start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([*ZAITUN, "--project", str(root), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})


def finish(proc: subprocess.Popen) -> tuple[str, str]:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    return out, err


def rows_per_segment(store: Store, slug: str = "notice") -> dict[str, int]:
    """How many translations the store holds for each active segment, by its Chinese."""
    return {seg["source"]: len(store.history(slug, seg["seg_id"])) for seg in store.segments(slug)}


def wait_for(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_three_passes_at_once_ask_the_engine_once_per_segment_and_store_one_draft_each(tmp_path):
    with LibreServer("slow") as server:
        server.delay = 0.7  # each segment: the passes overlap however their start-ups differ
        project = make_project(tmp_path, libre_settings(server.url, timeout=5.0))
        store = open_ingested(project)
        passes = [start(project.root, "translate") for _ in range(3)]
        for proc in passes:
            finish(proc)
    asked = Counter(server.texts_seen())
    assert asked and set(asked.values()) == {1}, asked
    assert set(rows_per_segment(store).values()) == {1}, rows_per_segment(store)


def test_a_pass_started_meanwhile_waits_names_the_first_and_drafts_a_segment_added_since(tmp_path):
    with LibreServer("slow") as server:
        server.delay = 1.0
        project = make_project(tmp_path, libre_settings(server.url, timeout=5.0))
        store = open_ingested(project)
        first = start(project.root, "translate")
        wait_for(lambda: server.requests)  # the first pass has read its work and is at the engine
        notice = project.content_dir / "guides" / "notice.md"
        notice.write_text(DOCUMENT + f"\n{ADDED}\n", encoding="utf-8")
        assert ingest(project, store).ingested == ["notice"]
        second = start(project.root, "translate")
        finish(first)
        _out, told = finish(second)
    assert f"waiting for another translate pass (pid {first.pid})" in told
    asked = Counter(server.texts_seen())
    assert asked[ADDED] == 1 and set(asked.values()) == {1}, asked
    drafted = rows_per_segment(store)
    assert drafted[ADDED] == 1 and set(drafted.values()) == {1}, drafted


def test_a_document_another_pass_keeps_too_long_is_held_back_naming_it_while_the_others_are_drafted(
        tmp_path, monkeypatch, capsys):
    project = make_project(tmp_path)
    (project.content_dir / "guides" / "other.md").write_text(DOCUMENT, encoding="utf-8")
    store = open_ingested(project)
    monkeypatch.setattr(lock, "WAIT_AT_MOST", 0.5)
    with lock.Turns(project).document("notice"):  # another pass, stuck on notice (here: this process)
        report = pipeline.translate(project, store)
    assert [d.slug for d in report.documents if d.segments] == ["other"]
    [failed] = report.failed
    assert failed.slug == "notice" and f"another translate pass (pid {os.getpid()}) has been translating it " \
        "for over 0.5 s" in failed.message and "tried again on the next pass" in failed.message
    assert f"waiting for another translate pass (pid {os.getpid()}) to finish with notice" in capsys.readouterr().err
    again = pipeline.translate(project, store)
    assert [d.slug for d in again.documents if d.segments] == ["notice"] and not again.failed

