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
from review_support import real_user
from translate_support import DOCUMENT, LINK, libre_settings, make_project, open_ingested

from zaitun import pipeline
from zaitun.content.intake import ingest
from zaitun.review.gate import edit
from zaitun.state.segments import segment_states
from zaitun.state.store import Store
from zaitun.translate import lock
from zaitun.translate.glossary import load_glossary

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


def test_a_reviewer_edits_while_a_pass_translates_and_the_pass_leaves_the_edit_as_the_current_english(tmp_path):
    with LibreServer("slow") as server:
        server.delay = 1.0
        project = make_project(tmp_path, libre_settings(server.url, timeout=5.0))
        store = open_ingested(project)
        real_user(store, "rita")
        running = start(project.root, "translate")
        wait_for(lambda: server.requests)  # the pass has read LINK as pending and is at the engine
        link = next(s for s in segment_states(store, "notice") if s.source == LINK)
        edit(store, "notice", link.seg_id, "See the [notice](https://example.org/a).", "rita",
             glossary=load_glossary(project.glossary_dir), based_on=link.version)
        assert running.poll() is None  # the edit did not wait for the pass
        finish(running)
    current = next(s for s in segment_states(store, "notice") if s.source == LINK)
    assert current.target == "See the [notice](https://example.org/a)." and current.translation["origin"] == "human"
    assert rows_per_segment(store)[LINK] == 1


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


def test_the_store_keeps_one_draft_per_segment_read_and_none_over_an_approval_made_since(tmp_path, database_url):
    store = open_ingested(make_project(tmp_path, f'[review]\ndatabase_url = "{database_url}"\n'))
    try:
        seg = store.segments("notice")[0]
        history = _refused_drafts(store, "notice", seg["seg_id"], seg["source"])
    finally:
        store.close()
    assert history == [("One", "approved"), ("Four", "draft")]


def _refused_drafts(store: Store, slug: str, seg_id: str, source: str) -> list[tuple[str, str]]:
    """Drafts stored over what their writers read: only those over what is current are; the history then."""

    def draft(target: str, replaces: dict | None) -> int | None:
        with store.tx() as conn:
            return store.add_translation(conn, slug, seg_id, source, target, origin="engine", replaces=replaces)

    first = draft("One", None)
    assert first and draft("Two", None) is None  # a second pass that read it as pending, too
    read = store.current_translations(slug)[seg_id]
    with store.tx() as conn:
        store.approve_translation(conn, first, "rita", source)
    assert draft("Three", read) is None  # a pass that read the draft before it was approved
    assert draft("Four", store.current_translations(slug)[seg_id]) is not None  # over what is current: stored
    return [(t["target"], t["state"]) for t in store.history(slug, seg_id)]
