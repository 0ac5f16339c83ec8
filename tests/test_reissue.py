"""A notice re-issued a year later, translated offline: its changed segments get repaired drafts.

The sample notice 泉政办规〔2024〕11号 is approved from the shipped memory; the re-issue of
tests/fixtures/reissue/ changes its number, dates, the plenary sessions, a visa's validity and
the numbering of its measures: 8 segments. `zaitun translate` (offline) must give the 5 changed
segments of text drafts repaired from their near matches, correct as written by hand, marked and
left for a reviewer; the 3 changed facts of the front matter (number, validity dates) get their
drafts by rule (zaitun.translate.facts), correct too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES
from test_translate_cli import run

from zaitun.translate.facts import RULE_KINDS

SLUG = "quan-zheng-ban-gui-2024-11"
REISSUE = FIXTURES / "reissue" / "quan-zheng-ban-gui-2025-9.yaml"


def reissue(path: Path) -> dict[str, str]:
    """Rewrite the notice as its re-issue; return the expected English of each changed segment."""
    data = yaml.safe_load(REISSUE.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    for old, new in data["replace"]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return data["expected"]


@pytest.fixture(scope="module")
def reissued(tmp_path_factory):
    from zaitun.scaffold import init_project

    root = tmp_path_factory.mktemp("reissue") / "site"
    init_project(root)
    run(root, "intake")  # translate works on what intake took in
    first = run(root, "translate")
    assert first.returncode == 0, first.stderr
    expected = reissue(root / "content" / "policies" / f"{SLUG}.md")
    run(root, "intake")
    second = run(root, "translate", SLUG, "--json")
    assert second.returncode == 0, second.stderr
    shown = run(root, "review", "show", SLUG, "--json")
    assert shown.returncode == 0, shown.stderr
    return expected, json.loads(second.stdout)["documents"][0]["segments"], json.loads(shown.stdout), second


def test_reissued_notice_gets_correct_repaired_drafts_for_at_least_80_percent_of_changed_segments(reissued):
    expected, drafted, shown, _ = reissued
    changed = [s for s in drafted if s["origin"] != "memory"]
    assert {s["source"] for s in changed} == set(expected)  # every changed segment, and only those
    kinds = {s["source"]: s["kind"] for s in shown["segments"]}
    text = [s for s in changed if kinds[s["source"]] not in RULE_KINDS]  # facts are drafted by rule
    correct = [s for s in text if s["origin"] == "repair" and s["target"] == expected[s["source"]]]
    assert len(correct) / len(text) >= 0.8, [(s["source"], s["target"]) for s in text if s not in correct]
    facts = [s for s in changed if kinds[s["source"]] in RULE_KINDS]
    assert [s["target"] == expected[s["source"]] for s in facts] == [True, True, True]


def test_repaired_drafts_pass_the_qa_checks_and_are_marked_with_their_match(reissued):
    _, drafted, _, _ = reissued
    for seg in (s for s in drafted if s["origin"] == "repair"):
        assert [i["check"] for i in seg["issues"]] == ["repaired"]  # no QA check objects
        mark = seg["issues"][0]
        assert mark["message"].startswith(f"repaired from a {mark['repair']['similarity']}% match: ")
        assert mark["repair"]["replaced"] and mark["repair"]["memory_source"] != seg["source"]


def test_repaired_drafts_wait_for_a_reviewer_and_show_their_replacements(reissued):
    expected, _, shown, second = reissued
    by_source = {s["source"]: s for s in shown["segments"]}
    for source in expected:
        assert by_source[source]["state"] == "draft"
    validity = next(s for s in shown["segments"] if "2027年12月31日" in s["source"])
    replaced = validity["issues"][0]["repair"]["replaced"]
    assert replaced == [{"kind": "date", "old_zh": "2026年12月31日", "new_zh": "2027年12月31日",
                         "old_en": "December 31, 2026", "new_en": "December 31, 2027"}]
    assert not shown["progress"]["complete"]


def test_translate_summary_counts_repaired_drafts(tmp_path):
    from zaitun.scaffold import init_project

    root = tmp_path / "site"
    init_project(root)
    run(root, "intake")
    run(root, "translate")
    reissue(root / "content" / "policies" / f"{SLUG}.md")
    run(root, "intake")
    result = run(root, "translate")
    assert result.returncode == 0, result.stderr
    assert "5 repaired from near matches" in result.stdout


def test_an_empty_draft_is_repaired_once_a_near_match_is_approved(tmp_path):
    from review_support import review_project

    from zaitun import pipeline

    project, store = review_project(tmp_path)
    first = pipeline.translate(project, store)
    assert {s.source: s.origin for s in first.documents[0].segments}["停留时间为240小时。"] == "none"
    assert pipeline.translate(project, store).count() == 0  # offline, nothing new: nothing done
    with store.tx() as conn:
        store.remember(conn, "停留时间为144小时。", "The stay may last 144 hours.", origin="review", approved_by="bob")
    again = pipeline.translate(project, store)
    assert [(s.source, s.origin, s.target) for s in again.documents[0].segments] == [
        ("停留时间为240小时。", "repair", "The stay may last 240 hours.")]
    store.close()


def test_an_updated_guide_gets_correct_repaired_drafts_for_every_changed_segment(tmp_path):
    from zaitun import pipeline
    from zaitun.content.intake import ingest
    from zaitun.project import Project
    from zaitun.scaffold import init_project
    from zaitun.state.store import Store

    data = yaml.safe_load((FIXTURES / "reissue" / "240-hour-visa-free-transit-2025-11.yaml").read_text("utf-8"))
    init_project(tmp_path / "site")
    project = Project(tmp_path / "site")
    store = Store.open(project.database_url)
    ingest(project, store)
    pipeline.translate(project, store)
    path = project.content_dir / data["file"]
    text = path.read_text(encoding="utf-8")
    for old, new in data["replace"]:
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    ingest(project, store)
    drafted = [s for d in pipeline.translate(project, store).documents for s in d.segments]
    store.close()
    assert {s.source: (s.origin, s.target) for s in drafted} == {
        source: ("repair", english) for source, english in data["expected"].items()}
