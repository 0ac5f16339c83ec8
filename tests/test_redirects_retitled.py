"""A document renamed and retitled in one step (its announcement changed too) keeps its old addresses and feed
ids when its Chinese body tells it apart; where it does not, no document is taken for another. Through real
builds of the fixture project."""

from __future__ import annotations

import pytest
from publish_helpers import TRANSIT, TRANSIT_BODY, standard_project
from test_redirects import feed_ids, leads_to
from typer.testing import CliRunner

from zaitun.cli import app

FEEDS = ("zh/feed.xml", "zh/atom.xml", "en/feed.xml", "en/atom.xml")


@pytest.fixture
def fx(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    fixture.build()
    return fixture


def rename_and_retitle(fx, section: str, old: str, new: str, title: str, body_edit=None) -> None:
    """Staff rename a document's file and correct its title (and, given `body_edit`, its body) in one step."""
    folder = fx.project.content_dir / section
    text = (folder / f"{old}.md").read_text(encoding="utf-8")
    front, _, body = text.partition("\n---\n")
    front = "\n".join(f"title: {title}" if line.startswith("title:") else line for line in front.split("\n"))
    (folder / f"{new}.md").write_text(f"{front}\n---\n{body_edit(body) if body_edit else body}", encoding="utf-8")
    (folder / f"{old}.md").unlink()
    fx.ingest()


def renames(report) -> list[str]:
    return [note for note in report.redirects if " is now " in note]


def test_a_document_renamed_and_retitled_redirects_from_its_old_address_and_keeps_its_feed_ids(fx):
    before = {path: feed_ids(fx, path) for path in FEEDS}
    rename_and_retitle(fx, "guides", "transit", "transit-240", "240小时过境免签政策指南（更正）")
    report = fx.build()
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"
    assert renames(report) == ["transit is now transit-240: its old addresses lead to its new page"]
    assert leads_to(fx, "en/guides/transit/") is None  # its English is back once approved again: not before
    fx.translate_and_approve("transit-240")
    fx.build()
    assert leads_to(fx, "en/guides/transit/") == "/en/guides/transit-240/"
    assert {path: feed_ids(fx, path) for path in FEEDS} == before  # an update, not a new item
    rss = (fx.out / "en/feed.xml").read_text(encoding="utf-8")
    assert '<guid isPermaLink="false">https://example.org/en/guides/transit/</guid>' in rss
    assert "<link>https://example.org/en/guides/transit-240/</link>" in rss


def test_zaitun_build_tells_of_a_document_renamed_and_retitled(fx):
    rename_and_retitle(fx, "guides", "transit", "transit-240", "外国人240小时过境免签指南")
    result = CliRunner().invoke(app, ["--project", str(fx.project.root), "build"])
    assert result.exit_code == 0, result.output
    assert "redirect: transit is now transit-240: its old addresses lead to its new page" in result.output
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"


def test_a_document_renamed_retitled_and_its_body_touched_up_is_still_recognised(fx):
    rename_and_retitle(fx, "guides", "transit", "transit-240", "240小时过境免签政策指南（更正）",
                       lambda body: body.replace("持有联程客票。", "持有已确认日期和座位的联程客票。"))
    report = fx.build()
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"
    assert renames(report) == ["transit is now transit-240: its old addresses lead to its new page"]


def test_a_body_whose_numbers_changed_is_another_document_not_the_renamed_one(fx):
    """Last year's notice withdrawn as this year's, made from the same text, arrives: not a rename."""
    (fx.project.content_dir / "guides/transit.md").unlink()
    fx.write("guides", "transit-2026", TRANSIT.replace("240小时过境免签政策指南", "2026年过境免签政策指南"),
             TRANSIT_BODY.replace("240小时", "144小时"))
    fx.ingest()
    report = fx.build()
    assert renames(report) == []
    assert not (fx.out / "zh/guides/transit/index.html").exists()
    assert (fx.out / "zh/guides/transit-2026/index.html").is_file()


def test_two_documents_renamed_and_retitled_with_the_same_body_are_neither_taken_for_the_other(fx):
    fx.write("guides", "transit-copy", TRANSIT.replace("240小时过境免签政策指南", "过境免签政策指南（副本）"),
             TRANSIT_BODY)
    fx.ingest()
    fx.build()
    rename_and_retitle(fx, "guides", "transit", "transit-a", "过境免签指南甲")
    rename_and_retitle(fx, "guides", "transit-copy", "transit-b", "过境免签指南乙")
    report = fx.build()
    assert renames(report) == []
    assert not (fx.out / "zh/guides/transit/index.html").exists()
    assert not (fx.out / "zh/guides/transit-copy/index.html").exists()
    assert (fx.out / "zh/guides/transit-a/index.html").is_file()
    assert (fx.out / "zh/guides/transit-b/index.html").is_file()


def test_a_new_document_arriving_as_another_is_withdrawn_is_not_taken_for_it(fx):
    (fx.project.content_dir / "guides/transit.md").unlink()
    fx.write("guides", "customs", "title: 入境旅客海关申报须知\ndate: 2025-06-22\nsummary: 入境时如何申报。",
             "## 申报\n\n入境旅客携带超过规定限额的现金、贵重物品或需检疫的动植物产品，应当如实向海关书面申报。\n\n"
             "## 通道\n\n无需申报的旅客可选择无申报通道通关，海关将进行抽查。")
    fx.ingest()
    report = fx.build()
    assert renames(report) == []
    assert not (fx.out / "zh/guides/transit/index.html").exists()
    assert (fx.out / "zh/guides/customs/index.html").is_file()


def test_short_bodies_alike_by_chance_are_not_taken_for_a_rename(fx):
    """Two short notices saying the same few words are no evidence of one document under two names."""
    (fx.project.content_dir / "guides/paying.md").unlink()
    fx.write("guides", "cards", "title: 银行卡使用提示\ndate: 2025-06-22\nsummary: 使用银行卡。",
             "## 刷卡\n\n大型商场均可使用境外银行卡。")  # the paying guide's body, word for word
    fx.ingest()
    report = fx.build()
    assert renames(report) == []
    assert not (fx.out / "zh/guides/paying/index.html").exists()
