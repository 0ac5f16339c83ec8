"""A forbidden rendering the English hides in Markdown a page renders as plain words (`**Propaganda**
Department`, `&#80;ropaganda`, `Propaganda\\-Department`), or glues to a character a reader does not take for
a letter (an apostrophe drawn by a modifier letter, a digit, an underscore), or parts with a note's mark
(`Propaganda[^1] Department`), is refused as the plain one is: the reader sees it."""

import json

import pytest
from review_support import SLUG, draft_all, quick_user, review_project, run

from zaitun.review.users import issue_token
from zaitun.state.segments import segment_states

BODY = "## 政策概况\n\n宣传部发布通知。\n"
HIDDEN = ["The **Propaganda** Department published a notice.",
          "The Pro*paganda* Department published a notice.",
          "The [Propaganda](https://www.qz.gov.cn) Department published a notice.",
          "The `Propaganda` Department published a notice.",
          "The &#80;ropaganda Department published a notice.",
          "The Propagand&alpha; Department published a notice.",  # a Greek alpha, drawn as an a
          "The Propaganda&nbsp;Department published a notice.",
          "The Propaganda\\-Department published a notice.",
          "The Propaganda Department\u02bcs notice was published.",  # a modifier letter drawn as an apostrophe
          "The Propaganda Department2 published a notice.",
          "The Propaganda_Department published a notice.",
          "The Propaganda[^1] Department published a notice.",  # a footnote's mark, as Markdown without footnotes
          "The Propaganda&#91;1&#93; Department published a notice.",  # shows it
          "The [Propaganda][r] Department published a notice.",
          "The Propaganda^1^ Department published a notice.",
          # said by a tooltip and a screen reader
          'The [Publicity Department](https://www.qz.gov.cn "Propaganda&nbsp;Department") published a notice.',
          "The Publicity Department ![Propaganda&#32;Department](seal.png) published a notice."]


@pytest.fixture
def project(tmp_path):
    project, store = review_project(tmp_path, body=BODY)
    (project.glossary_dir / "government.csv").write_text(
        "zh,en,forbidden,note\n宣传部,Publicity Department,Propaganda Department,\n", encoding="utf-8")
    draft_all(store)
    quick_user(store, "alice")
    yield project, store
    store.close()


def notice_segment(proj) -> dict:
    shown = json.loads(run(proj, "review", "show", SLUG, "--json").output)
    return next(s for s in shown["segments"] if s["source"] == "宣传部发布通知。")


@pytest.mark.parametrize("english", HIDDEN)
def test_a_forbidden_rendering_wrapped_in_markup_is_flagged_and_never_approved(project, english):
    proj, store = project
    alice = issue_token(store, "alice", actor="test setup")
    seg = notice_segment(proj)
    assert run(proj, "review", "edit", SLUG, seg["id"], "--target", english, token=alice).exit_code == 0
    seg = notice_segment(proj)
    assert any(i["check"] == "forbidden" for i in seg["issues"]), seg["issues"]
    result = run(proj, "review", "approve", SLUG, f"{seg['id']}@{seg['version']}", token=alice)
    assert result.exit_code == 1 and "forbidden rendering of 宣传部" in result.output
    assert next(s for s in segment_states(store, SLUG) if s.seg_id == seg["id"]).state == "draft"


def test_the_approved_rendering_in_markup_is_approved(project):
    proj, store = project
    alice = issue_token(store, "alice", actor="test setup")
    seg = notice_segment(proj)
    english = "The **Publicity Department** published a [notice](https://www.qz.gov.cn)."
    assert run(proj, "review", "edit", SLUG, seg["id"], "--target", english, token=alice).exit_code == 0
    seg = notice_segment(proj)
    result = run(proj, "review", "approve", SLUG, f"{seg['id']}@{seg['version']}", token=alice)
    assert result.exit_code == 0 and f"approved {seg['id']}" in result.output


@pytest.mark.parametrize("chinese", ["**宣传**部发布通知。", "宣&#20256;部发布通知。", "宣 传部发布通知。"])
def test_a_term_the_chinese_writes_apart_keeps_its_forbidden_rendering_from_approval(tmp_path, chinese):
    """The Chinese page shows 宣传部 whole, so its English is held to the term's glossary line."""
    proj, store = review_project(tmp_path, body=f"## 政策概况\n\n{chinese}\n")
    (proj.glossary_dir / "government.csv").write_text(
        "zh,en,forbidden,note\n宣传部,Publicity Department,Propaganda Department,\n", encoding="utf-8")
    draft_all(store)
    quick_user(store, "alice")
    alice = issue_token(store, "alice", actor="test setup")
    shown = json.loads(run(proj, "review", "show", SLUG, "--json").output)
    seg = next(s for s in shown["segments"] if s["source"] == chinese)
    english = "The Propaganda Department published a notice."
    assert run(proj, "review", "edit", SLUG, seg["id"], "--target", english, token=alice).exit_code == 0
    shown = json.loads(run(proj, "review", "show", SLUG, "--json").output)
    seg = next(s for s in shown["segments"] if s["source"] == chinese)
    result = run(proj, "review", "approve", SLUG, f"{seg['id']}@{seg['version']}", token=alice)
    assert result.exit_code == 1 and "forbidden rendering of 宣传部" in result.output
    assert next(s for s in segment_states(store, SLUG) if s.seg_id == seg["id"]).state == "draft"
    store.close()


@pytest.mark.parametrize("slip", [lambda text: text.replace("note", "notes", 1).encode(),  # the header mistyped
                                  lambda text: (text + '外事办,"Foreign Affairs Office,,\n').encode(),  # a quote open
                                  lambda text: text.encode("gb18030")])  # saved in another encoding
def test_a_glossary_file_that_stops_reading_whole_keeps_its_forbidden_renderings_in_force(project, slip):
    """One slip in a glossary file lifted every rendering it forbids: approved, imported and published."""
    proj, store = project
    alice = issue_token(store, "alice", actor="test setup")
    seg = notice_segment(proj)  # (the glossary read whole once)
    government = proj.glossary_dir / "government.csv"
    government.write_bytes(slip(government.read_text(encoding="utf-8")))
    checked = run(proj, "check")
    assert checked.exit_code == 1 and "is refused still" in checked.output
    english = "The Propaganda Department published a notice."
    assert run(proj, "review", "edit", SLUG, seg["id"], "--target", english, token=alice).exit_code == 0
    seg = notice_segment(proj)
    result = run(proj, "review", "approve", SLUG, f"{seg['id']}@{seg['version']}", token=alice)
    assert result.exit_code == 1 and "forbidden rendering of 宣传部" in result.output
    assert next(s for s in segment_states(store, SLUG) if s.seg_id == seg["id"]).state == "draft"
