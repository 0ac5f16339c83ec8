"""Memory suggestions, repaired drafts and the concordance, as the review UI and `review show --json` give them."""

from __future__ import annotations

import json
import re

import pytest
from review_support import Client, real_user, review_project
from suggest_support import CALL, STAY, TRANSIT, seg_id, suggest_project
from test_review_web import login
from test_translate_cli import run

from zaitun import pipeline
from zaitun.context import Context
from zaitun.review import actions, gate
from zaitun.review.web import create_app
from zaitun.state.segments import segment_states


@pytest.fixture
def site(tmp_path):
    project, store = suggest_project(tmp_path)
    real_user(store, "alice")
    real_user(store, "eve", role="editor")
    with Client(create_app(Context(project, store))) as client:
        yield client, store, project
    store.close()


def card(page: str, seg: str) -> str:
    """The HTML of one segment card of the document page."""
    start = page.index(f'id="s-{seg}"')
    end = page.find('<li class="seg', start)
    return page[start:end if end > 0 else len(page)]


def test_a_segment_without_exact_match_shows_suggestions_with_similarity_and_differences(site):
    client, store, _ = site
    login(client)
    page = client.get("/doc/visa").text
    transit = card(page, seg_id(store, TRANSIT))
    assert '<span class="badge similarity" title="similarity of the Chinese">95%</span>' in transit
    assert "外国人可以过境免签<del>证</del>。" in transit  # what the memory has and the segment has not
    assert 'data-target="Foreign nationals may transit without a visa &lt;b&gt;now&lt;/b&gt;."' in transit
    assert "<b>now</b>" not in page  # memory text is escaped like any content
    stay = card(page, seg_id(store, STAY))
    assert "停留时间为<ins>240</ins>小时。" in stay and "停留时间为<del>144</del>小时。" in stay
    assert 'data-target="The stay may last 240 hours."' in stay  # taking it gives the repaired English
    title = card(page, seg_id(store, "过境免签指南"))
    assert "suggestion" not in title  # approved from an exact match: nothing to suggest


def test_a_repaired_draft_is_marked_with_its_match_and_the_replaced_pieces(site):
    client, store, project = site
    login(client)
    stay = card(client.get("/doc/visa").text, seg_id(store, STAY))
    assert "repaired from a 82% match" in stay
    assert "144 → 240</span>: “144” → “240”" in stay
    assert "memory: <span lang=\"zh\">停留时间为144小时。</span> = The stay may last 144 hours." in stay
    token = gate.unflagged_token(segment_states(store, "visa"))
    actions.approve_unflagged(project, store, "visa", token, "alice")  # a reviewer must look at it: bulk skips it
    assert next(s for s in segment_states(store, "visa") if s.source == STAY).state == "draft"


def test_review_show_json_lists_suggestions_and_repairs(tmp_path):
    project, store = suggest_project(tmp_path)
    store.close()
    shown = run(project.root, "review", "show", "visa", "--json")
    assert shown.returncode == 0, shown.stderr
    segments = {s["source"]: s for s in json.loads(shown.stdout)["segments"]}
    [suggestion] = segments[TRANSIT]["suggestions"]
    assert suggestion == {
        "similarity": 95, "source": "外国人可以过境免签证。",
        "target": "Foreign nationals may transit without a visa <b>now</b>.", "repaired": None, "replaced": [],
        "differences": {"memory": [[False, "外国人可以过境免签"], [True, "证"], [False, "。"]],
                        "segment": [[False, "外国人可以过境免签。"]]}}
    call = segments[CALL]
    assert call["target"] == "Call the 12367 hotline for advice." and call["state"] == "draft"
    assert call["suggestions"][0]["repaired"] == "Call the 12367 hotline for advice."
    assert call["issues"][0]["repair"]["replaced"] == [
        {"kind": "number", "old_zh": "12345", "new_zh": "12367", "old_en": "12345", "new_en": "12367"}]
    text = run(project.root, "review", "show", "visa")
    assert "~ 95% memory: 外国人可以过境免签证。" in text.stdout


def test_an_article_number_changed_in_the_chinese_is_repaired_and_the_reviewer_can_show_it(tmp_path):
    """第三条 is a structure label, not a glossary line: its English was looked up as a term's, a KeyError that
    failed every translate pass of the document and `zaitun review show` of it."""
    project, store = review_project(tmp_path, body="## 申请\n\n符合本办法第四条规定的，可以申请。\n")
    with store.tx() as conn:
        store.remember(conn, "符合本办法第三条规定的，可以申请。",
                       "Those meeting Article 3 of these Measures may apply.", origin="review", approved_by="earlier")
    report = pipeline.translate(project, store)
    assert not report.failed, report.failed
    [article] = [s for s in segment_states(store, "visa") if "第四条" in s.source]
    assert article.target == "Those meeting Article 4 of these Measures may apply." and article.state == "draft"
    store.close()
    shown = run(project.root, "review", "show", "visa")
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    assert "Article 3 → Article 4" in shown.stdout or "第三条 → 第四条" in shown.stdout, shown.stdout


def test_concordance_finds_chinese_and_english_phrases_with_their_documents(site):
    client, store, _ = site
    login(client)
    page = client.get("/concordance", params={"q": "过境免签"}).text
    assert "2 memory entries use “过境免签”" in page
    assert "<mark>过境免签</mark>指南" in page
    assert f'<a href="/doc/visa#s-{seg_id(store, "过境免签指南")}">过境免签指南</a>' in page
    english = client.get("/api/concordance", params={"q": "HOTLINE for"}).json()
    assert english == {"phrase": "HOTLINE for", "total": 1, "entries": [
        {"source": "请拨打12345热线咨询。", "target": "Call the 12345 hotline for advice.", "documents": []}]}
    assert client.get("/api/concordance", params={"q": "不在记忆里"}).json()["total"] == 0


def test_concordance_sees_a_translation_approved_a_moment_ago(site):
    client, store, project = site
    login(client)
    actions.edit(project, store, "visa", seg_id(store, TRANSIT), "Foreign nationals may transit visa-free.",
                 "alice", approve_now=True)
    found = client.get("/api/concordance", params={"q": "transit visa-free"}).json()
    assert [e["source"] for e in found["entries"]] == [TRANSIT]
    assert found["entries"][0]["documents"][0]["slug"] == "visa"


def test_editors_may_search_the_concordance_and_anonymous_users_may_not(site):
    client, *_ = site
    assert client.get("/api/concordance", params={"q": "x"}).status_code == 401
    assert client.get("/concordance").status_code == 303
    login(client, "eve")
    page = client.get("/concordance", params={"q": "过境免签"}).text
    assert "过境免签指南</div>" not in page and not re.search(r'href="/doc/', page)  # editors review nothing
    assert "<mark>过境免签</mark>指南" in page


def test_suggestions_repairs_and_concordance_hold_on_sqlite_and_postgresql(tmp_path, database_url):
    from zaitun.review.concordance import search
    from zaitun.review.suggest import suggestions

    project, store = suggest_project(tmp_path / "site", database_url)
    try:
        states = segment_states(store, "visa")
        assert next(s for s in states if s.source == STAY).target == "The stay may last 240 hours."
        found = suggestions(project, store, states)
        assert found[seg_id(store, TRANSIT)][0].similarity == 95
        with store.tx() as conn:
            store.remember(conn, "政策概况如下。", "The policy in brief.", origin="review", approved_by="alice")
        assert suggestions(project, store, states)[seg_id(store, "政策概况")][0].target == "The policy in brief."
        result = search(store, "过境免签")
        assert [(h.source, [u.slug for u in h.uses]) for h in result.hits] == [
            ("过境免签指南", ["visa"]), ("外国人可以过境免签证。", [])]
    finally:
        store.close()
