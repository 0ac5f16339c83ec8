"""The English page shows only approved facts: issuer, document number and validity dates come
from the release, and a changed fact goes through review like body text."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from publish_helpers import NOTICE, NOTICE_BODY, standard_project

from zaitun import pipeline
from zaitun.state.segments import progress, segment_states
from zaitun.translate.glossary import load_glossary

SLUG = "notice-2023-1"
CHANGED = (NOTICE.replace("泉州市人民政府办公室", "泉州市人民政府")
           .replace("2024-12-31", "2027-06-30").replace("〔2023〕1号", "〔2023〕9号"))


def page(fx, lang: str) -> str:
    return (fx.out / lang / "policies" / SLUG / "index.html").read_text(encoding="utf-8")


def jsonld(text: str) -> dict:
    return json.loads(text.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])


def atom_updated(fx, lang: str) -> dt.datetime:
    """When the language's Atom feed says the notice's entry last changed."""
    import feedparser

    parsed = feedparser.parse((fx.out / lang / "atom.xml").read_bytes())
    entry = next(e for e in parsed.entries if f"/{lang}/policies/{SLUG}/" in e.link)
    return dt.datetime.fromisoformat(entry.updated)


def test_changed_chinese_facts_stay_off_the_english_page_until_approved(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.write("policies", SLUG, CHANGED, NOTICE_BODY)
    fx.ingest()
    fx.build()
    zh, en = page(fx, "zh"), page(fx, "en")
    assert "泉州市人民政府<" in zh and "2027-06-30" in zh and "〔2023〕9号" in zh
    assert "2027-06-30" not in en and "〔2023〕9号" not in en and "泉州市人民政府<" not in en
    assert "EN[泉州市人民政府办公室]" in en and "2024-12-31" in en and "〔2023〕1号" in en
    assert "revised English translation is under review" in en
    assert jsonld(en)["publisher"]["name"] == "EN[泉州市人民政府办公室]"
    assert "Expired" in en  # the approved validity ended in 2024: the new one is not approved yet
    for feed in ("feed.xml", "atom.xml"):
        assert "2027-06-30" not in (fx.out / "en" / feed).read_text(encoding="utf-8")

    fx.translate_and_approve(SLUG)
    fx.build()
    en = page(fx, "en")
    assert "EN[泉州市人民政府]" in en and "2027-06-30" in en and "〔2023〕9号" in en
    assert "under review" not in en and "2024-12-31" not in en


def test_a_validity_the_chinese_now_ends_sooner_reaches_the_english_page_before_its_review(tmp_path):
    fx = standard_project(tmp_path / "proj")
    before = dt.date(2024, 6, 1)  # the approved English says: in force until 2024-12-31
    fx.build(today=before)
    assert "Expired" not in page(fx, "en")
    released = atom_updated(fx, "en")
    fx.write("policies", SLUG, NOTICE.replace("2024-12-31", "2024-05-31"), NOTICE_BODY)  # repealed early
    fx.ingest()
    fx.build(today=before)
    en = page(fx, "en")
    assert atom_updated(fx, "en") > released  # its entry changed: a feed reader is told
    assert atom_updated(fx, "en") == atom_updated(fx, "zh")
    assert "revised English translation is under review" in en
    assert "Expired" in en and '<time datetime="2024-05-31">' in en and "2024-12-31" not in en
    assert "Status: Expired · Valid from 2023-01-05 · Valid until 2024-05-31" in (
        fx.out / "en" / "feed.xml").read_text(encoding="utf-8")

    fx.write("policies", SLUG, NOTICE.replace("valid_from: 2023-01-05", "valid_from: 2024-07-01"), NOTICE_BODY)
    fx.ingest()  # put off: not in force until July
    fx.build(today=before)
    en = page(fx, "en")
    assert '<time datetime="2024-07-01">' in en and "In force" not in en


@pytest.mark.parametrize(("removed", "kept", "sent_back"), [
    ("valid_until: 2024-12-31", 'Valid until</dt> <dd><time datetime="2024-12-31">', "valid_from"),
    ("valid_from: 2023-01-05", 'Valid from</dt> <dd><time datetime="2023-01-05">', "valid_until"),
])
def test_a_validity_date_removed_from_the_chinese_stays_on_the_english_page_until_a_reviewer_approves(
        tmp_path, removed, kept, sent_back):
    """Nothing left to translate, yet the English page without the date says the notice is in force on days the
    approved English said it was not: a reviewer approves that first, as a date moved later."""
    fx = standard_project(tmp_path / "proj")
    today = dt.date(2024, 6, 1)
    fx.write("policies", SLUG, NOTICE.replace(f"    {removed}\n", ""), NOTICE_BODY)
    fx.ingest()
    pipeline.translate(fx.project, fx.store, [SLUG])  # as `zaitun run` does
    fx.build(today=today)
    en = page(fx, "en")
    assert kept in en and "revised English translation is under review" in en
    back = [s for s in segment_states(fx.store, SLUG) if s.state != "approved"]
    assert [s.kind for s in back] == [sent_back]
    assert removed.split(":")[0] in back[0].issues[0]["message"]
    assert not any(a["action"] == "release" and a["note"].startswith("the Chinese changed")
                   for a in fx.store.audit_log(SLUG))

    fx.translate_and_approve(SLUG)
    fx.build(today=today)
    en = page(fx, "en")
    assert kept not in en and "under review" not in en


def test_a_start_the_chinese_now_gives_where_the_approved_english_had_none_reaches_the_english_page(tmp_path):
    """Its valid_from removed (released again once a reviewer approved that), then given one next month: the
    English page said "In force" while the Chinese said not yet in force."""
    fx = standard_project(tmp_path / "proj")
    today = dt.date(2024, 6, 1)
    fx.write("policies", SLUG, NOTICE.replace("    valid_from: 2023-01-05\n", ""), NOTICE_BODY)
    fx.ingest()
    pipeline.translate(fx.project, fx.store, [SLUG])  # its valid_until comes back to review
    fx.translate_and_approve(SLUG)  # a release with no start
    fx.build(today=today)
    assert "In force" in page(fx, "en") and "Valid from" not in page(fx, "en")
    fx.write("policies", SLUG, NOTICE.replace("valid_from: 2023-01-05", "valid_from: 2024-07-01"), NOTICE_BODY)
    fx.ingest()
    fx.build(today=today)
    en = page(fx, "en")
    assert "revised English translation is under review" in en
    assert '<time datetime="2024-07-01">' in en and "Not yet in force" in en and "Status: In force" not in en
    assert "Status: In force" not in (fx.out / "en" / "feed.xml").read_text(encoding="utf-8")


def test_a_changed_fact_comes_back_to_review_as_a_before_and_after_pair(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.write("policies", SLUG, CHANGED, NOTICE_BODY)
    fx.ingest()
    back = {s.kind: s for s in segment_states(fx.store, SLUG) if s.state != "approved"}
    assert sorted(back) == ["doc_number", "issuer", "valid_until"]
    assert back["valid_until"].previous == {"source": "2024-12-31", "target": "EN[2024-12-31]"}
    assert back["issuer"].previous["source"] == "泉州市人民政府办公室"


def test_facts_get_drafts_the_issuer_through_the_glossary(tmp_path):
    fx = standard_project(tmp_path / "proj")
    (fx.project.glossary_dir / "organs.csv").write_text(
        "zh,en,forbidden,note\n泉州市人民政府,Quanzhou Municipal People's Government,,\n"
        "泉政办规,Quanzhengbangui,,document number prefix\n", encoding="utf-8")
    fx.write("policies", SLUG, CHANGED, NOTICE_BODY)
    fx.ingest()
    pipeline.translate(fx.project, fx.store, [SLUG])
    drafts = {s.kind: s for s in segment_states(fx.store, SLUG) if s.state != "approved"}
    assert drafts["issuer"].target == "Quanzhou Municipal People's Government"
    assert drafts["valid_until"].target == "2027-06-30"
    assert drafts["doc_number"].target == "Quanzhengbangui [2023] No. 9" and drafts["doc_number"].issues == []
    assert load_glossary(fx.project.glossary_dir).by_term["泉政办规"].en == "Quanzhengbangui"


def test_a_change_with_nothing_to_review_releases_the_approved_english_again(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.write("policies", SLUG, NOTICE.replace("date: 2023-01-05", "date: 2023-01-06"),
             NOTICE_BODY.replace("现印发给你们，请认真贯彻执行。", ""))  # a new date, a sentence removed
    fx.ingest()
    assert progress(segment_states(fx.store, SLUG))["complete"]
    pipeline.translate(fx.project, fx.store, [SLUG])
    fx.build()
    en = page(fx, "en")
    assert "under review" not in en and "2023-01-06" in en and "EN[现印发给你们" not in en
    assert [a["note"] for a in fx.store.audit_log(SLUG) if a["action"] == "release"][-1].startswith("the Chinese")


def test_a_new_document_date_stays_off_the_english_page_and_feeds_until_its_review_is_done(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.write("policies", SLUG, CHANGED.replace("date: 2023-01-05", "date: 2023-02-01"), NOTICE_BODY)
    fx.ingest()
    fx.build()
    assert "2023-02-01" in page(fx, "zh")
    en = page(fx, "en")
    assert "2023-02-01" not in en and '<time datetime="2023-01-05">2023-01-05</time>' in en
    assert jsonld(en)["datePublished"] == "2023-01-05"
    for path in ("feed.xml", "atom.xml", "index.html", "policies/index.html"):
        assert "2023-02-01" not in (fx.out / "en" / path).read_text(encoding="utf-8"), path

    fx.translate_and_approve(SLUG)
    fx.build()
    assert jsonld(page(fx, "en"))["datePublished"] == "2023-02-01"
    assert "2023-02-01" in (fx.out / "en" / "atom.xml").read_text(encoding="utf-8")


def test_a_notice_expiring_between_two_builds_is_dated_alike_in_its_feed_entry_sitemap_and_page_data(tmp_path):
    fx = standard_project(tmp_path / "proj")
    today = dt.date.today()
    until = today + dt.timedelta(days=5)
    fx.write("policies", SLUG, NOTICE.replace("2024-12-31", until.isoformat()), NOTICE_BODY)
    fx.ingest()
    fx.translate_and_approve(SLUG)
    fx.build(today=today)
    fx.build(today=today + dt.timedelta(days=10))
    assert "Expired" in page(fx, "en")
    sitemap = (fx.out / "sitemap.xml").read_text(encoding="utf-8")
    for lang in ("zh", "en"):
        flipped = atom_updated(fx, lang)
        assert flipped == dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), fx.project.zone), flipped
        assert dt.datetime.fromisoformat(jsonld(page(fx, lang))["dateModified"]) == flipped
        row = sitemap.split(f"/{lang}/policies/{SLUG}/</loc>", 1)[1].split("</url>", 1)[0]
        assert f"<lastmod>{until + dt.timedelta(days=1)}</lastmod>" in row, row


def test_lists_mark_a_notice_expiring_soon_with_its_end_date_as_its_page_does(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build(today=dt.date(2024, 12, 4))  # valid until 2024-12-31: within the 60 days' warning
    for lang, words in (("en", "In force, expiring soon"), ("zh", "即将到期")):
        assert words in page(fx, lang)
        for listing in (f"{lang}/policies/index.html", f"{lang}/index.html"):
            text = (fx.out / listing).read_text(encoding="utf-8")
            line = text.split(f"/{lang}/policies/{SLUG}/", 1)[1].split("</li>", 1)[0]
            assert f'<span class="badge expiring">{words}</span>' in line, line
            assert '<time datetime="2024-12-31">2024-12-31</time>' in line, line
    fx.build(today=dt.date(2024, 10, 1))  # not yet within the warning
    assert "expiring" not in (fx.out / "en" / "policies" / "index.html").read_text(encoding="utf-8")


def test_english_awaiting_review_of_a_chinese_change_carries_the_pages_note_in_its_feed_entry_dated_by_the_change(
        tmp_path):
    """The page said the English was the last approved one under review; its feed entry said nothing and kept its
    date, so subscribers read English the Chinese no longer says, unmarked."""
    import feedparser

    fx = standard_project(tmp_path / "proj")
    fx.build()
    before = atom_updated(fx, "en")
    fx.write("policies", SLUG, NOTICE, NOTICE_BODY + "\n本通知另有补充。\n")
    fx.ingest()
    fx.build()
    assert "revised English translation is under review" in page(fx, "en")
    parsed = feedparser.parse((fx.out / "en" / "atom.xml").read_bytes())
    entry = next(e for e in parsed.entries if f"/en/policies/{SLUG}/" in e.link)
    assert "revised English translation is under review" in entry.content[0].value
    assert atom_updated(fx, "en") > before
    fx.translate_and_approve(SLUG)
    fx.build()
    parsed = feedparser.parse((fx.out / "en" / "atom.xml").read_bytes())
    entry = next(e for e in parsed.entries if f"/en/policies/{SLUG}/" in e.link)
    assert "under review" not in entry.content[0].value


def test_new_tags_and_programme_of_a_chinese_update_in_review_stay_off_the_english_listings_until_approved(tmp_path):
    from publish_helpers import TRANSIT, TRANSIT_BODY

    fx = standard_project(tmp_path / "proj")
    fx.build()
    assert (fx.out / "en" / "programmes" / "240-hour-transit" / "index.html").is_file()
    moved = TRANSIT.replace("programme: 240-hour-transit", "programme: port-guides").replace(
        "tags: [visa-free, 出入境]", "tags: [visa-free, airports]")
    fx.write("guides", "transit", moved, TRANSIT_BODY.replace("持有联程客票。", "持有72小时内的联程客票。"))
    fx.ingest()
    fx.build()

    def listed(lang: str, *parts: str) -> bool:
        path = fx.out.joinpath(lang, *parts, "index.html")
        return path.is_file() and f"/{lang}/guides/transit/" in path.read_text(encoding="utf-8")

    assert listed("zh", "programmes", "port-guides") and listed("zh", "tags", "airports")
    assert "under review" in (fx.out / "en" / "guides" / "transit" / "index.html").read_text(encoding="utf-8")
    assert listed("en", "programmes", "240-hour-transit") and not listed("en", "programmes", "port-guides")
    assert not listed("en", "tags", "airports")
    assert "port-guides" not in (fx.out / "en" / "guides" / "transit" / "index.html").read_text(encoding="utf-8")

    fx.translate_and_approve("transit")
    fx.build()
    assert listed("en", "programmes", "port-guides") and listed("en", "tags", "airports")
    assert not listed("en", "programmes", "240-hour-transit")
