"""A slug names one document: a file taking the slug of another document shows none of that document's English.

The guide `transit` is approved in English and online. It is renamed (transit-240) while a page in another
section takes its old name (about/transit.md) in the same pass, or the guide is deleted and a later page in
another section takes the name. The newcomer is no edit of the guide: the English a reviewer approved for the
guide never goes out on its page, nor in the feeds, sitemap or search; its segments go to review as a new
document's do (approved memory still serves sentences it shares); the renamed guide keeps its English under its
new address. An edit of the guide's Chinese where it is (or moved with its announcement unchanged) keeps its
English online while the update is reviewed, as before. Through the real commands on SQLite.
"""

from __future__ import annotations

import gzip
import json
import re

import pytest
from publish_helpers import standard_project
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.publish import layout
from zaitun.state.segments import segment_states

runner = CliRunner()
SHARED = "外国人过境免签停留时间延长为240小时。"  # a sentence of the guide the newcomer says too
ABOUT = "title: 关于本站\ndate: 2025-05-03\nsummary: 本站由市政府主办。"
ABOUT_BODY = f"## 本站\n\n本站由市政府主办，介绍入境政策。\n\n{SHARED}"
NEWCOMER = "en/about/transit/index.html"
UNDER_REVIEW = "transit: English kept online while its update is under review"


@pytest.fixture
def fx(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    zaitun(fixture, "build")
    assert "EN[外国人过境免签" in english_online(fixture)  # the guide's English, as the probe finds it
    return fixture


def zaitun(fx, *args: str) -> str:
    result = runner.invoke(app, ["--project", str(fx.project.root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def move(fx, rel: str, to: str) -> None:
    content = fx.project.content_dir
    (content / to).parent.mkdir(exist_ok=True)
    (content / rel).rename(content / to)


def english_online(fx) -> str:
    """Every English page, every feed, the sitemap, provenance.json and the search index's fragments of the site
    online, as one text."""
    texts = [p.read_text(encoding="utf-8") for p in (fx.out / "en").rglob("*.html")]
    texts += [p.read_text(encoding="utf-8") for p in fx.out.rglob("*.xml")]  # the feeds and the sitemap
    texts.append((fx.out / "provenance.json").read_text(encoding="utf-8"))
    texts += [gzip.decompress(p.read_bytes()).decode() for p in (fx.out / layout.SEARCH_DIR).rglob("fragment/*")]
    return "\n".join(texts)


def test_a_page_taking_a_renamed_guides_slug_in_another_section_shows_none_of_the_guides_english(fx):
    move(fx, "guides/transit.md", "guides/transit-240.md")
    fx.write("about", "transit", ABOUT, ABOUT_BODY)
    intake = zaitun(fx, "intake")
    built = zaitun(fx, "build")
    online = english_online(fx)
    assert "/en/about/transit/" not in online and "EN[外国人过境免签" not in online
    assert not (fx.out / NEWCOMER).exists() and UNDER_REVIEW not in built
    assert (fx.out / "zh/about/transit/index.html").is_file()  # its Chinese page is online as usual
    assert "transit now names another document" in intake
    assert "skipped transit (en): English taken offline: transit now names another document" in built
    status = {d["slug"]: d for d in json.loads(zaitun(fx, "status", "--json"))["documents"]}
    assert status["transit"]["stage"] == "english offline" and "guides/transit.md" in status["transit"]["offline"]


def test_the_newcomers_segments_go_to_review_as_those_of_a_new_document_with_the_same_text(fx):
    """A sentence the newcomer shares with the guide is served by approved memory, as it is for any new document;
    the guide's own approvals are not the newcomer's."""
    move(fx, "guides/transit.md", "guides/transit-240.md")
    fx.write("about", "transit", ABOUT, ABOUT_BODY)
    fx.write("about", "site", ABOUT, ABOUT_BODY)  # a new document of the same text, for comparison
    zaitun(fx, "intake")
    assert all(s.translation is None and s.previous is None for s in segment_states(fx.store, "transit"))
    zaitun(fx, "translate")

    def seen(slug):
        return [(s.source, s.state, s.target, s.translation["origin"], s.translation["reviewed_by"])
                for s in segment_states(fx.store, slug)]

    assert seen("transit") == seen("site")
    assert any(origin == "memory" and source == SHARED for source, _, _, origin, _ in seen("transit"))
    zaitun(fx, "build")
    assert not (fx.out / NEWCOMER).exists()


def test_the_renamed_guide_keeps_its_english_and_the_newcomer_gets_english_once_a_reviewer_approves_it(fx):
    move(fx, "guides/transit.md", "guides/transit-240.md")
    fx.write("about", "transit", ABOUT, ABOUT_BODY)
    zaitun(fx, "intake")
    fx.translate_and_approve("transit-240")  # its sentences as approved before (from memory with a clean English)
    zaitun(fx, "build")
    renamed = (fx.out / "en/guides/transit-240/index.html").read_text(encoding="utf-8")
    assert f"EN[{SHARED}]" in renamed
    assert not (fx.out / NEWCOMER).exists()
    fx.translate_and_approve("transit", english=lambda source: f"ABOUT[{source}]")
    built = zaitun(fx, "build")
    page = (fx.out / NEWCOMER).read_text(encoding="utf-8")
    assert "ABOUT[关于本站]" in page and "EN[240小时过境免签政策指南]" not in page
    assert UNDER_REVIEW not in built and "revised English translation is under" not in page


def test_a_page_taking_the_slug_of_a_guide_deleted_before_shows_none_of_its_english(fx):
    (fx.project.content_dir / "guides/transit.md").unlink()
    zaitun(fx, "intake")
    zaitun(fx, "build")
    fx.write("about", "transit", ABOUT, ABOUT_BODY)
    zaitun(fx, "intake")
    built = zaitun(fx, "build")
    assert not (fx.out / NEWCOMER).exists() and UNDER_REVIEW not in built
    assert "EN[外国人过境免签" not in english_online(fx)


def edit_guide_then_build(fx, rel: str) -> str:
    """Staff edit a sentence of the guide at `rel`; intake and build take it in. The build's output."""
    path = fx.project.content_dir / rel
    path.write_text(path.read_text(encoding="utf-8").replace("持有联程客票。", "持有联程客票或登机牌。"),
                    encoding="utf-8")
    zaitun(fx, "intake")
    return zaitun(fx, "build")


def test_an_edit_of_the_guide_where_it_is_keeps_its_english_online_while_the_update_is_reviewed(fx):
    assert UNDER_REVIEW in edit_guide_then_build(fx, "guides/transit.md")
    assert "EN[外国人过境免签" in (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")


def test_the_guide_moved_to_another_section_and_edited_keeps_its_english_while_the_update_is_reviewed(fx):
    """Its announcement (title, summary, social text) unchanged, the guide is the same document in its new place."""
    move(fx, "guides/transit.md", "about/transit.md")
    assert UNDER_REVIEW in edit_guide_then_build(fx, "about/transit.md")
    assert "EN[外国人过境免签" in (fx.out / NEWCOMER).read_text(encoding="utf-8")


def test_the_guide_deleted_then_put_back_in_another_section_and_edited_keeps_its_english_while_reviewed(fx):
    path = fx.project.content_dir / "guides/transit.md"
    text = path.read_text(encoding="utf-8")
    path.unlink()
    zaitun(fx, "intake")
    zaitun(fx, "build")
    (fx.project.content_dir / "about").mkdir()
    (fx.project.content_dir / "about/transit.md").write_text(text.replace("持有联程客票。", "持有联程客票或登机牌。"),
                                                             encoding="utf-8")
    assert "now names another document" not in zaitun(fx, "intake")
    built = zaitun(fx, "build")
    assert UNDER_REVIEW in built
    assert "EN[外国人过境免签" in (fx.out / NEWCOMER).read_text(encoding="utf-8")


def test_on_each_database_a_newcomer_taking_a_renamed_guides_slug_shows_none_of_its_english(tmp_path, database_url):
    from test_retract import published_project

    fx = published_project(tmp_path / "proj", database_url)
    try:
        zaitun(fx, "build")
        assert (fx.out / "en/guides/transit/index.html").is_file()
        move(fx, "guides/transit.md", "guides/transit-240.md")
        fx.write("about", "transit", ABOUT, ABOUT_BODY)
        assert "transit now names another document" in zaitun(fx, "intake")
        built = zaitun(fx, "build")
        assert not (fx.out / NEWCOMER).exists() and UNDER_REVIEW not in built
        assert "transit" not in fx.store.release_heads("en")  # retracted in the store itself, not only held back
        assert "transit now names another document" in fx.store.retractions()["transit"]
        assert all(s.translation is None for s in segment_states(fx.store, "transit"))
    finally:
        fx.store.close()


GUIDE_NEWCOMER = "title: 西街夜市开放时间\ndate: 2025-05-03\nsummary: 西街夜市每晚十八时开放。"
GUIDE_NEWCOMER_BODY = "## 夜市\n\n西街夜市每晚十八时至二十二时开放。"


def test_a_guide_taking_the_slug_of_a_guide_renamed_before_in_the_same_section_shows_none_of_its_english(fx):
    """Renamed in one pass, its old name taken by an unrelated guide in the next: the newcomer's English page
    showed the renamed guide's English as "under review", and its feeds carried that English twice."""
    move(fx, "guides/transit.md", "guides/transit-240.md")
    zaitun(fx, "intake")
    fx.translate_and_approve("transit-240")  # its sentences as approved before
    zaitun(fx, "build")
    fx.write("guides", "transit", GUIDE_NEWCOMER, GUIDE_NEWCOMER_BODY)
    assert "transit now names another document" in zaitun(fx, "intake")
    built = zaitun(fx, "build")
    old_address = (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
    assert '<meta name="zaitun-redirect" content="/en/guides/transit-240/">' in old_address  # to the renamed guide
    assert UNDER_REVIEW not in built and "revised English translation is under" not in english_online(fx)
    assert (fx.out / "zh/guides/transit/index.html").is_file()
    fx.translate_and_approve("transit", english=lambda source: f"MARKET[{source}]")
    zaitun(fx, "build")
    feed = (fx.out / "en/feed.xml").read_text(encoding="utf-8")
    guids = re.findall(r"<guid[^>]*>([^<]*)</guid>", feed)
    assert len(guids) == len(set(guids)), guids  # the newcomer's item takes no id of the renamed guide's
    assert "MARKET[西街夜市开放时间]" in (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")


def test_a_guide_taking_the_slug_of_a_guide_deleted_before_in_the_same_section_shows_none_of_its_english(fx):
    """Deleted (its English withdrawn), then an unrelated guide dropped at its path: the withdrawn English came back
    on the newcomer's page, in the feeds and in social posts."""
    (fx.project.content_dir / "guides/transit.md").unlink()
    zaitun(fx, "intake")
    zaitun(fx, "build")
    fx.write("guides", "transit", GUIDE_NEWCOMER, GUIDE_NEWCOMER_BODY)
    assert "transit now names another document" in zaitun(fx, "intake")
    built = zaitun(fx, "build")
    assert not (fx.out / "en/guides/transit/index.html").exists() and UNDER_REVIEW not in built
    assert "EN[外国人过境免签" not in english_online(fx)
    assert not [p for p in (fx.out / "social").glob("transit.en.*.json")]


def test_a_guide_deleted_then_put_back_where_it_was_and_edited_keeps_its_english_while_reviewed(fx):
    path = fx.project.content_dir / "guides/transit.md"
    text = path.read_text(encoding="utf-8")
    path.unlink()
    zaitun(fx, "intake")
    zaitun(fx, "build")
    path.write_text(text.replace("持有联程客票。", "持有联程客票或登机牌。"), encoding="utf-8")
    assert "now names another document" not in zaitun(fx, "intake")
    assert UNDER_REVIEW in zaitun(fx, "build")
    assert "EN[外国人过境免签" in (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
