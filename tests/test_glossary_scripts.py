"""Terms written in the other script or width: a notice in traditional characters (宣傳部) or with half-width
brackets is held to the glossary's terms (宣传部, （试行）) as if written like them, and a glossary line giving
such a variant another rendering is a conflict named at its line."""

import json

from libre_server import LibreServer
from review_support import SLUG, draft_all, quick_user, review_project, run
from translate_support import drafts_by_source, libre_settings, make_project, open_ingested

from zaitun import pipeline
from zaitun.review.users import issue_token
from zaitun.state.segments import segment_states
from zaitun.translate.checks import check_translation
from zaitun.translate.engines import make_engine
from zaitun.translate.glossary import load_glossary

TRADITIONAL = """\
---
title: 市委宣傳部發布通知
date: 2025-01-01
---

宣傳部經泉州過境。
"""


def test_a_traditional_notice_gets_the_approved_rendering_and_the_engine_never_sees_the_term(tmp_path):
    with LibreServer() as server:
        project = make_project(tmp_path, libre_settings(server.url), document=TRADITIONAL)
        store = open_ingested(project)
        report = pipeline.translate(project, store, engine=make_engine(project.config, backoff=0.01))
        store.close()
    drafts = drafts_by_source(report)
    title = drafts["市委宣傳部發布通知"].target
    assert title.startswith("Publicity Department of the CPC Quanzhou Municipal Committee")
    assert drafts["宣傳部經泉州過境。"].target.startswith("Publicity Department")
    assert "宣傳部" not in " ".join(server.texts_seen())


def test_a_forbidden_rendering_of_a_traditional_term_is_refused_at_approval(tmp_path):
    project, store = review_project(tmp_path, body="宣傳部發布通知。\n")
    (project.glossary_dir / "government.csv").write_text(
        "zh,en,forbidden,note\n宣传部,Publicity Department,Propaganda Department,\n", encoding="utf-8")
    draft_all(store)
    quick_user(store, "alice")
    alice = issue_token(store, "alice", actor="test setup")
    seg = next(s for s in segment_states(store, SLUG) if s.source == "宣傳部發布通知。")
    edit = run(project, "review", "edit", SLUG, seg.seg_id, "--target", "The Propaganda Department published it.",
               token=alice)
    assert edit.exit_code == 0
    shown = json.loads(run(project, "review", "show", SLUG, "--json").output)
    seg_shown = next(s for s in shown["segments"] if s["id"] == seg.seg_id)
    assert {"term", "forbidden"} <= {i["check"] for i in seg_shown["issues"]}
    result = run(project, "review", "approve", SLUG, f"{seg.seg_id}@{seg_shown['version']}", token=alice)
    assert result.exit_code == 1 and "forbidden rendering of 宣传部" in result.output
    assert next(s for s in segment_states(store, SLUG) if s.seg_id == seg.seg_id).state == "draft"
    store.close()


def test_a_variant_line_with_another_rendering_is_a_conflict_named_at_its_line(tmp_path):
    (tmp_path / "a.csv").write_text("zh,en,forbidden,note\n宣传部,Publicity Department,,\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("zh,en,forbidden,note\n\n宣傳部,Propaganda Department,,\n", encoding="utf-8")
    glossary = load_glossary(tmp_path)
    assert [f"{p.path.name}:{p.line}" for p in glossary.problems] == ["b.csv:3"]
    assert "conflicting renderings" in str(glossary.problems[0])
    for source in ("宣传部发布通知。", "宣傳部發布通知。"):
        issues = check_translation(source, "The Publicity Department published a notice.", glossary)
        assert [i["check"] for i in issues] == ["glossary"], issues


def test_a_variant_line_with_the_same_rendering_is_no_problem(tmp_path):
    (tmp_path / "a.csv").write_text("zh,en,forbidden,note\n单位,unit,,\n單位,unit,,\n", encoding="utf-8")
    assert load_glossary(tmp_path).problems == []


def test_a_term_written_with_full_width_brackets_matches_half_width_ones(tmp_path):
    (tmp_path / "a.csv").write_text("zh,en,forbidden,note\n若干措施（试行）,Several Measures (Trial),Some Measures,\n",
                                    encoding="utf-8")
    glossary = load_glossary(tmp_path)
    issues = check_translation("若干措施(试行)", "Some Measures (for trial)", glossary)
    assert {"term", "forbidden"} <= {i["check"] for i in issues}


def test_every_traditional_character_of_a_term_is_read_as_its_simplified_form_not_only_those_of_a_short_list(
        tmp_path):
    document = "---\ntitle: 中華人民共和國出境入境管理法\ndate: 2025-01-01\n---\n\n外國人依照中華人民共和國法律入境。\n"
    with LibreServer() as server:
        project = make_project(tmp_path, libre_settings(server.url), document=document)
        (project.glossary_dir / "law.csv").write_text(
            "zh,en,forbidden,note\n中华人民共和国,People's Republic of China,PRC,\n", encoding="utf-8")
        store = open_ingested(project)
        report = pipeline.translate(project, store, engine=make_engine(project.config, backoff=0.01))
        store.close()
    drafts = drafts_by_source(report)
    assert "People's Republic of China" in drafts["中華人民共和國出境入境管理法"].target
    assert "People's Republic of China" in drafts["外國人依照中華人民共和國法律入境。"].target
    assert "中華人民共和國" not in " ".join(server.texts_seen())
