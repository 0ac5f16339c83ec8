"""A document renamed in its section as a sentence of it was edited keeps its English online at its new address,
marked under review, as an edit where it is does (or a move to another section with the same edit): the release
its reviewer approved, until its own English is approved. Its old English address redirects there, its feed items
keep their ids. A predecessor whose English a reviewer rejected brings none back; a newcomer announcing something
else gets none. Through the real commands on SQLite.
"""

from __future__ import annotations

import json

import pytest
from publish_helpers import standard_project
from test_redirects import feed_ids, leads_to
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.review import gate
from zaitun.state.segments import segment_states
from zaitun.translate.glossary import load_glossary

runner = CliRunner()
FEEDS = ("zh/feed.xml", "zh/atom.xml", "en/feed.xml", "en/atom.xml")
NEW_PAGE = "en/guides/transit-240/index.html"
NOTE = "a revised English translation is under review"
SHARED = "外国人过境免签停留时间延长为240小时。"  # a sentence the edit leaves as it was


@pytest.fixture
def fx(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    zaitun(fixture, "build")
    assert f"EN[{SHARED}]" in (fixture.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
    return fixture


def zaitun(fx, *args: str) -> str:
    result = runner.invoke(app, ["--project", str(fx.project.root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def rename_and_edit(fx, new: str = "transit-240") -> None:
    """Staff rename the guide's file and edit one of its sentences in one step; intake and translation take it in."""
    folder = fx.project.content_dir / "guides"
    text = (folder / "transit.md").read_text(encoding="utf-8")
    (folder / f"{new}.md").write_text(text.replace("持有联程客票。", "持有联程客票或登机牌。"), encoding="utf-8")
    (folder / "transit.md").unlink()
    zaitun(fx, "intake")
    zaitun(fx, "translate")  # its other sentences approved from memory, the edited one left to review


def stage(fx, slug: str) -> str:
    return {d["slug"]: d for d in json.loads(zaitun(fx, "status", "--json"))["documents"]}[slug]["stage"]


def test_a_guide_renamed_with_a_sentence_edited_keeps_its_english_at_its_new_address_under_review(fx):
    before = {path: feed_ids(fx, path) for path in FEEDS}
    rename_and_edit(fx)
    built = zaitun(fx, "build")
    assert "transit is now transit-240" in built
    assert "transit-240: English kept online while its update is under review" in built
    page = (fx.out / NEW_PAGE).read_text(encoding="utf-8")
    assert f"EN[{SHARED}]" in page and "EN[持有联程客票。]" in page and NOTE in page  # as approved, with the note
    assert "Approved by" in page and "rita" in page  # the reviewer who approved it, not the memory
    assert leads_to(fx, "en/guides/transit/") == "/en/guides/transit-240/"
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"
    assert stage(fx, "transit-240") == "update in review"
    assert {path: feed_ids(fx, path) for path in FEEDS} == before  # an update, not a new item nor one gone
    assert "<link>https://example.org/en/guides/transit-240/</link>" in (fx.out / "en/feed.xml").read_text("utf-8")
    assert "/en/guides/transit-240/" in (fx.out / "en/tags/visa-free/index.html").read_text(encoding="utf-8")
    assert any(entry["action"] == "carry-release" and "renamed from transit" in entry["note"]
               for entry in fx.store.audit_log("transit-240"))


def test_once_its_own_english_is_approved_the_note_goes_and_its_feed_items_keep_their_ids(fx):
    before = {path: feed_ids(fx, path) for path in FEEDS}
    rename_and_edit(fx)
    zaitun(fx, "build")
    assert NOTE in (fx.out / NEW_PAGE).read_text(encoding="utf-8")
    fx.translate_and_approve("transit-240")
    zaitun(fx, "build")
    page = (fx.out / NEW_PAGE).read_text(encoding="utf-8")
    assert "EN[持有联程客票或登机牌。]" in page and NOTE not in page
    assert stage(fx, "transit-240") == "approved"
    assert leads_to(fx, "en/guides/transit/") == "/en/guides/transit-240/"
    assert {path: feed_ids(fx, path) for path in FEEDS} == before


def test_a_guide_whose_english_was_rejected_renamed_with_an_edit_brings_none_of_it_back(fx):
    seg = next(s for s in segment_states(fx.store, "transit") if s.source == SHARED)
    gate.reject(fx.store, "transit", seg.seg_id, "rita", "says 24 hours", seen=seg.version)
    zaitun(fx, "build")
    assert not (fx.out / "en/guides/transit/index.html").exists()
    rename_and_edit(fx)
    zaitun(fx, "build")
    assert not (fx.out / NEW_PAGE).exists() and not (fx.out / "en/guides/transit/index.html").exists()
    assert "transit-240" not in fx.store.release_heads("en")
    assert stage(fx, "transit-240") == "in review"


@pytest.mark.parametrize("approved", [False, True])
def test_rejecting_english_the_renamed_guide_shows_takes_its_english_offline(fx, approved):
    """The English carried to the new address is the guide's release: rejecting a sentence of it there (drafted from
    memory, or approved since) retracts it, as it would retract the release online of a guide edited where it is."""
    rename_and_edit(fx)
    seg = next(s for s in segment_states(fx.store, "transit-240") if s.source == SHARED)
    if approved:
        glossary = load_glossary(fx.project.glossary_dir)
        gate.approve(fx.store, "transit-240", gate.shown([seg]), "rita", glossary=glossary)
        seg = next(s for s in segment_states(fx.store, "transit-240") if s.source == SHARED)
    assert seg.state == ("approved" if approved else "draft") and seg.target == f"EN[{SHARED}]"
    assert gate.released_english(seg, fx.store.latest_release("transit-240"))
    rejected = gate.reject(fx.store, "transit-240", seg.seg_id, "rita", "says 24 hours", seen=seg.version)
    assert rejected.offline
    zaitun(fx, "build")
    assert not (fx.out / NEW_PAGE).exists() and leads_to(fx, "en/guides/transit/") is None
    assert stage(fx, "transit-240") == "english offline"


def test_rejecting_elsewhere_the_english_of_the_sentence_the_edit_changed_takes_the_carried_english_offline(fx):
    """The carried release still shows the edited sentence's old English, which no segment of the renamed guide
    holds any more: rejected in another document, it goes offline there too, as in a guide edited where it is."""
    rename_and_edit(fx)
    zaitun(fx, "build")
    assert "EN[持有联程客票。]" in (fx.out / NEW_PAGE).read_text(encoding="utf-8")
    fx.write("news", "ports", "title: 口岸通知\ndate: 2025-05-04\nsummary: 口岸须知。", "## 口岸\n\n持有联程客票。")
    zaitun(fx, "intake")
    zaitun(fx, "translate")  # drafted from memory with the guide's English
    seg = next(s for s in segment_states(fx.store, "ports") if s.source == "持有联程客票。")
    assert seg.target == "EN[持有联程客票。]"
    gate.reject(fx.store, "ports", seg.seg_id, "rita", "holding a through ticket", seen=seg.version)
    zaitun(fx, "build")
    assert not (fx.out / NEW_PAGE).exists()
    assert stage(fx, "transit-240") == "english offline"


def test_a_guide_deleted_as_an_unrelated_one_arrives_in_its_section_gets_none_of_its_english(fx):
    (fx.project.content_dir / "guides/transit.md").unlink()
    fx.write("guides", "night-market", "title: 西街夜市开放时间\ndate: 2025-05-03\nsummary: 西街夜市每晚十八时开放。",
             f"## 夜市\n\n西街夜市每晚十八时至二十二时开放。\n\n{SHARED}")
    zaitun(fx, "intake")
    zaitun(fx, "translate")
    zaitun(fx, "build")
    assert not (fx.out / "en/guides/night-market/index.html").exists()
    assert "night-market" not in fx.store.release_heads("en")


def test_on_each_database_a_guide_renamed_with_an_edit_keeps_its_english_until_english_it_shows_is_rejected(
        tmp_path, database_url):
    from test_retract import SLUG, WRONG, published_project

    fx = published_project(tmp_path / "proj", database_url)
    try:
        zaitun(fx, "build")
        folder = fx.project.content_dir / "guides"
        text = (folder / f"{SLUG}.md").read_text(encoding="utf-8")
        edited = text.replace("延长为240小时。", "延长为240小时（10天）。")
        (folder / "transit-240.md").write_text(edited, encoding="utf-8")
        (folder / f"{SLUG}.md").unlink()
        zaitun(fx, "intake")
        zaitun(fx, "translate")
        zaitun(fx, "build")
        page = (fx.out / NEW_PAGE).read_text(encoding="utf-8")
        assert WRONG in page and NOTE in page
        assert leads_to(fx, f"en/guides/{SLUG}/") == "/en/guides/transit-240/"
        seg = next(s for s in segment_states(fx.store, "transit-240") if s.target == WRONG)
        assert gate.reject(fx.store, "transit-240", seg.seg_id, "vera", "the opposite", seen=seg.version).offline
        zaitun(fx, "build")
        assert not (fx.out / NEW_PAGE).exists() and "transit-240" not in fx.store.release_heads("en")
    finally:
        fx.store.close()
