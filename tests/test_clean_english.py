"""With an engine that moves spaces and punctuation around placeholders and Markdown, as real
engines do, every draft comes out clean or carries an issue naming what is wrong."""

from __future__ import annotations

import re

import pytest
from libre_server import LibreServer
from translate_support import libre_settings, make_project, open_ingested

from zaitun import pipeline
from zaitun.project import Project
from zaitun.review import actions
from zaitun.review.xliff import export_xliff, import_xliff
from zaitun.state.segments import SegmentState, segment_states
from zaitun.state.store import Store
from zaitun.translate.engines import make_engine

GLOSSARY = """\
zh,en,forbidden,note
外国人,foreign national,alien,
出入境接待大厅,Exit-Entry Reception Hall,,
工作许可,work permit,,
居留许可,residence permit,,
外国人才之家,Home for Foreign Talent,,
国际诊所,international clinic,,
数字人民币,e-CNY,,
"""
DOCUMENT = """\
---
title: 外国人工作许可
date: 2025-01-01
---

外国人可以在出入境接待大厅申请工作许可和居留许可。

在外国人才之家咨询**工作许可**办理。

**国际诊所**周六上午开放。

旅客可以使用数字人民币。

详见[通知](https://example.org/a)，或运行`zaitun  check .`。
"""
RENDERINGS = [line.split(",")[1] for line in GLOSSARY.splitlines()[1:]]
# what a reader would notice, found here independently of the checks under test
ARTIFACTS = {
    "lone ending": re.compile(r"\w (?:s|es|'s)\b"),
    "space before punctuation": re.compile(r"\s[.,;:!?)]"),
    "space after a bracket": re.compile(r"[(\[]\s"),
    "double space": re.compile(r"\S {2,}\S"),
    "link padding": re.compile(r"\s\]|\]\s\("),
    "placeholder": re.compile(r"ZT\s?\d|[｛｝{}]", re.IGNORECASE),
    "chinese": re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"),
    "repeated term": re.compile("|".join(rf"{re.escape(r)}s? {re.escape(r)}" for r in RENDERINGS), re.IGNORECASE),
}
REPAIRABLE = ["padded", "plural", "stripped", "fullwidth", "emphasis", "spaced",
              "plural+padded+emphasis+spaced", "fullwidth+plural+spaced"]
FLAGGED = ["repeat", "cjk", "repeat+plural+padded+emphasis+spaced"]


def artifacts(target: str) -> list[str]:
    # code and link targets are copied verbatim
    prose = re.sub(r"`[^`]+`", "CODE", re.sub(r"\(https?://[^)]+\)", "", target))
    found = [name for name, regex in ARTIFACTS.items() if regex.search(prose)]
    bold = prose.split("**")
    if len(bold) % 2 == 0 or any(inner != inner.strip() for inner in bold[1::2]):
        found.append("emphasis")
    return found


def drafted(tmp_path, behaviour: str = "normal") -> tuple[Project, Store]:
    """The document drafted by a test engine behaving so, and a reviewer `rita`."""
    with LibreServer(behaviour) as server:
        project = make_project(tmp_path, libre_settings(server.url), document=DOCUMENT)
        (project.glossary_dir / "terms.csv").write_text(GLOSSARY, encoding="utf-8")
        store = open_ingested(project)
        pipeline.translate(project, store, engine=make_engine(project.config, backoff=0.01))
    with store.tx() as conn:
        store.add_user(conn, "rita", "reviewer", "x")
    return project, store


def drafts_with(tmp_path, behaviour: str) -> list[SegmentState]:
    return segment_states(drafted(tmp_path, behaviour)[1], "notice")


def by_source(store: Store) -> dict[str, SegmentState]:
    return {s.source: s for s in segment_states(store, "notice")}


@pytest.mark.parametrize("behaviour", REPAIRABLE)
def test_repairable_engine_artifacts_come_out_clean_and_unflagged(tmp_path, behaviour):
    drafts = drafts_with(tmp_path, behaviour)
    assert len(drafts) == 6
    assert {d.target: artifacts(d.target) for d in drafts if artifacts(d.target)} == {}
    assert {d.target: d.issues for d in drafts if d.issues} == {}


@pytest.mark.parametrize("behaviour", REPAIRABLE + FLAGGED + ["mangle", "drop", "duplicate"])
def test_no_draft_carries_an_artifact_without_an_issue(tmp_path, behaviour):
    drafts = drafts_with(tmp_path, behaviour)
    assert {d.target: artifacts(d.target) for d in drafts if artifacts(d.target) and not d.issues} == {}


@pytest.mark.parametrize("behaviour", FLAGGED)
def test_artifacts_the_repair_cannot_undo_are_flagged(tmp_path, behaviour):
    flagged = [d for d in drafts_with(tmp_path, behaviour) if artifacts(d.target)]
    assert flagged and all(d.issues for d in flagged)


@pytest.mark.parametrize("behaviour", ["padded", "stripped", "fullwidth", "emphasis", "spaced",
                                       "fullwidth+padded+emphasis+spaced"])
def test_repaired_drafts_read_as_a_careful_engines(tmp_path, behaviour):
    careful = {d.source: d.target for d in drafts_with(tmp_path / "careful", "normal")}
    assert {d.source: d.target for d in drafts_with(tmp_path / "careless", behaviour)} == careful


def test_a_plural_cut_off_a_restored_term_is_joined_to_it(tmp_path):
    drafts = {d.source: d.target for d in drafts_with(tmp_path, "plural+padded")}
    assert drafts["外国人可以在出入境接待大厅申请工作许可和居留许可。"] == (
        "Foreign nationals may in Exit-Entry Reception Halls apply for work permits and residence permit.")
    assert drafts["在外国人才之家咨询**工作许可**办理。"] == (
        "in Home for Foreign Talents advice on **work permit** applications.")


def test_a_reviewers_edit_with_an_artifact_is_flagged(tmp_path):
    project, store = drafted(tmp_path)
    seg = by_source(store)["旅客可以使用数字人民币。"]
    actions.edit(project, store, "notice", seg.seg_id, "Travellers may pay with e-CNY .", "rita")
    [issue] = by_source(store)[seg.source].issues
    assert issue == {"check": "spacing", "message": 'space before punctuation: "…s may pay with e-CNY ."'}


def test_an_xliff_import_with_artifacts_is_flagged(tmp_path):
    project, store = drafted(tmp_path)
    seg = by_source(store)["外国人可以在出入境接待大厅申请工作许可和居留许可。"]
    data = export_xliff(store, "notice").decode()
    data = data.replace(seg.target, "Foreign nationals may apply for work permit s and ** residence permits ** "
                                     "at the Exit-Entry Reception Hall.")
    assert import_xliff(project, store, data.encode(), "rita").updated == [f"notice/{seg.seg_id}"]
    assert {i["check"] for i in by_source(store)[seg.source].issues} == {"fragment", "markdown"}


def test_drafts_already_in_review_with_artifacts_are_flagged_on_the_next_pass(tmp_path):
    project, store = drafted(tmp_path)
    seg = by_source(store)["**国际诊所**周六上午开放。"]
    with store.tx() as conn:  # a draft made before these checks existed, with its (empty) issues of then
        store.add_translation(conn, "notice", seg.seg_id, seg.source, "** International clinic ** opens .",
                              origin="engine", replaces=seg.translation,
                              glossary_version=seg.translation["glossary_version"])
    report = pipeline.translate(project, store, engine=make_engine(project.config))
    assert report.documents[0].rechecked == [seg.seg_id]
    assert {i["check"] for i in by_source(store)[seg.source].issues} == {"markdown", "spacing"}
    assert by_source(store)[seg.source].target == "** International clinic ** opens ."  # flagged, not rewritten
    assert pipeline.translate(project, store, engine=make_engine(project.config)).summary()["rechecked"] == 0
