"""Feeds: valid RSS and Atom per language and programme, stable ids, only approved English."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import feedparser
import pytest
from publish_helpers import TRANSIT, TRANSIT_BODY, make_fixture, standard_project

from zaitun.project import Project
from zaitun.review.gate import reject
from zaitun.state.segments import segment_states

FEEDS = ["zh/feed.xml", "zh/atom.xml", "en/feed.xml", "en/atom.xml", "zh/programmes/240-hour-transit/feed.xml",
         "en/programmes/240-hour-transit/atom.xml"]


@pytest.fixture
def fx(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    fixture.build()
    return fixture


def parsed(fx, path: str):
    return feedparser.parse((fx.out / path).read_bytes())


@pytest.mark.parametrize("path", FEEDS)
def test_feed_parses_without_errors_and_links_to_itself(fx, path):
    feed = parsed(fx, path)
    assert not feed.bozo, feed.get("bozo_exception")
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [f"https://example.org/{path}"]
    assert feed.entries


def test_feed_entries_carry_full_content_dates_and_language(fx):
    feed = parsed(fx, "en/atom.xml")
    entry = next(e for e in feed.entries if e.link.endswith("/en/guides/transit/"))
    assert "EN[外国人过境免签停留时间延长为240小时。]" in entry.content[0].value
    assert entry.published_parsed[:3] == (2025, 6, 20)
    assert feed.feed.language == "en"
    rss = parsed(fx, "zh/feed.xml")
    assert rss.feed.language == "zh-Hans"
    assert [e.id for e in rss.entries][0] == "https://example.org/zh/guides/transit/"  # newest first


def test_programme_feed_holds_only_that_programme(fx):
    ids = [e.id for e in parsed(fx, "zh/programmes/240-hour-transit/feed.xml").entries]
    assert ids == ["https://example.org/zh/guides/transit/"]


def test_english_feed_has_no_entry_for_a_never_approved_document(fx):
    ids = [e.id for e in parsed(fx, "en/feed.xml").entries]
    assert sorted(ids) == ["https://example.org/en/guides/transit/", "https://example.org/en/policies/notice-2023-1/"]


def test_guids_are_stable_across_rebuilds_and_content_changes(fx):
    before = {path: [e.id for e in parsed(fx, path).entries] for path in FEEDS}
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n补充说明。\n")
    fx.ingest()
    fx.build(today=dt.date(2025, 8, 1))
    after = {path: [e.id for e in parsed(fx, path).entries] for path in FEEDS}
    assert after == before
    entry = next(e for e in parsed(fx, "zh/atom.xml").entries if e.id.endswith("/zh/guides/transit/"))
    assert "补充说明" in entry.content[0].value


def test_feed_ids_are_unique_across_all_feeds(fx):
    ids = [parsed(fx, p.relative_to(fx.out).as_posix()).feed.get("id") for p in fx.out.rglob("atom.xml")]
    assert len(ids) == len(set(ids)) == 4


def _notice_entry(fx, path: str):
    return next(e for e in parsed(fx, path).entries if "/policies/notice-2023-1/" in e.link)


def test_a_feed_says_whether_a_rule_is_in_force_and_until_when_and_follows_the_date(tmp_path):
    """A subscriber reading the feed, not the page, learns the validity as the page shows it; the day after
    the last day, a rebuild with no content change marks the item expired."""
    fixture = standard_project(tmp_path / "proj")  # the notice is valid 2023-01-05 to 2024-12-31
    fixture.build(today=dt.date(2024, 12, 31))
    zh, en = _notice_entry(fixture, "zh/feed.xml"), _notice_entry(fixture, "en/atom.xml")
    assert "效力状态：即将到期" in zh.content[0].value and "有效期至 2024-12-31" in zh.content[0].value
    assert "Status: In force, expiring soon" in en.content[0].value
    assert "Valid until 2024-12-31" in en.content[0].value and "Valid until 2024-12-31" in en.summary
    fixture.build(today=dt.date(2025, 1, 1))
    zh, en = _notice_entry(fixture, "zh/feed.xml"), _notice_entry(fixture, "en/atom.xml")
    assert "效力状态：已失效" in zh.content[0].value and "Status: Expired" in en.content[0].value


def test_a_feed_says_when_a_rule_not_yet_in_force_takes_effect(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    fixture.redate("policies/notice-2023-1.md", "2023-01-05", "2023-01-03")  # online before it takes effect
    fixture.build(today=dt.date(2023, 1, 4))
    zh = _notice_entry(fixture, "zh/feed.xml")
    assert "效力状态：尚未生效" in zh.content[0].value and "生效日期 2023-01-05" in zh.content[0].value


def _item_html(fx, path: str) -> str:
    """The HTML of a feed's first item as written (feedparser would resolve its links itself)."""
    root = ElementTree.fromstring((fx.out / path).read_bytes())
    if root.tag == "rss":  # content:encoded, or the description when the document has no summary
        item = root.find("channel/item")
        content = item.find("{http://purl.org/rss/1.0/modules/content/}encoded")
        return (content if content is not None else item.find("description")).text
    return root.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content").text


def test_links_and_images_in_a_feed_item_are_absolute_urls_of_its_page(tmp_path):
    """A feed reader resolves a relative link against the feed (or not at all): the image beside a document,
    and a link to a heading of its page, must name the page's own address to work in the reader."""
    fx = make_fixture(tmp_path / "proj")
    images = fx.project.content_dir / "guides" / "images"
    images.mkdir(parents=True)
    (images / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    fx.write("guides", "airport", "title: 机场交通\ndate: 2025-06-01",
             "## 位置\n\n![位置图](images/map.png)\n\n详见[位置说明](#位置)。")
    fx.ingest()
    english = {"位置": "Location", "位置图": "Map of the location",
               "详见[位置说明](#位置)。": "See [the location](#location)."}
    fx.translate_and_approve("airport", lambda source: english.get(source, f"EN[{source}]"))
    fx.build()
    image = "https://example.org/media/guides/images/map.png"
    for lang, heading in (("zh", "#%E4%BD%8D%E7%BD%AE"), ("en", "#location")):
        page = f"https://example.org/{lang}/guides/airport/"
        for kind in ("feed.xml", "atom.xml"):
            links = re.findall(r'(?:href|src)="([^"]*)"', _item_html(fx, f"{lang}/{kind}"))
            assert links == [image, page + heading], (lang, kind)


def test_with_a_websub_hub_every_feed_names_it_so_subscribers_can_subscribe_there(tmp_path):
    """The hub is pinged after each build; a subscriber's reader learns of it only from the feed itself
    (WebSub discovery: a link rel="hub" beside the link rel="self")."""
    fx = standard_project(tmp_path / "proj")
    fx.build()
    assert all("hub" not in {link.rel for link in parsed(fx, path).feed.links} for path in FEEDS)
    config = fx.project.root / "zaitun.toml"
    config.write_text(config.read_text() + '\n[publish]\nwebsub_hub = "https://hub.example.net/"\n')
    fx.project = Project(fx.project.root)
    fx.build()
    for path in FEEDS:
        feed = parsed(fx, path)
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        links = {link.rel: link.href for link in feed.feed.links}
        assert links["hub"] == "https://hub.example.net/" and links["self"] == f"https://example.org/{path}"
        assert feed.feed.link == f"https://example.org/{path.rsplit('/', 1)[0]}/"  # the home page, as before


class _ShownText(HTMLParser):
    """The text a reader shows for HTML: its character data, tags taken as tags."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.feed(html)
        self.close()

    def handle_data(self, data: str) -> None:
        self.text += data


def test_an_rss_description_shows_a_summary_with_angle_brackets_and_ampersands_as_written(tmp_path):
    """An RSS description is HTML to a reader, a summary plain text: `<b>` and `&lt;` in it are shown as
    typed, never taken for markup (Atom's summary is text and says so)."""
    summary = "持卡人<b>须</b>携带护照 & 签证（年龄 <18 岁或写作 &lt;18 者除外）"
    fx = make_fixture(tmp_path / "proj")
    fx.write("guides", "cards", f"title: 刷卡\ndate: 2025-06-01\nsummary: '{summary}'", "正文。")
    fx.ingest()
    fx.translate_and_approve("cards", lambda source: source)
    fx.build()
    for lang in ("zh", "en"):
        item = ElementTree.fromstring((fx.out / lang / "feed.xml").read_bytes()).find("channel/item")
        assert _ShownText(item.find("description").text).text == summary, lang
        assert parsed(fx, f"{lang}/atom.xml").entries[0].summary == summary


def test_a_programme_feed_stays_online_empty_while_the_programmes_english_is_offline(fx):
    """Feed readers drop a subscription whose feed is gone: while its Chinese is online, a programme's English
    feed stays, empty, when its only English goes offline (rejected), and takes its entry back after."""
    path = "en/programmes/240-hour-transit/"
    segment = next(s for s in segment_states(fx.store, "transit") if s.state == "approved")
    reject(fx.store, "transit", segment.seg_id, "rita", "wrong term", seen=segment.version)
    fx.build()
    assert not (fx.out / path / "index.html").exists()
    for kind in ("feed.xml", "atom.xml"):
        feed = parsed(fx, path + kind)
        assert not feed.bozo and feed.entries == [], kind
        assert {link.rel: link.href for link in feed.feed.links}["self"] == f"https://example.org/{path}{kind}"
        assert feed.feed.link == "https://example.org/en/"  # its page is gone: the English home page
    fx.translate_and_approve("transit")
    fx.build()
    assert [e.id for e in parsed(fx, path + "atom.xml").entries] == ["https://example.org/en/guides/transit/"]
    assert parsed(fx, path + "feed.xml").feed.link == f"https://example.org/{path}"


# -- a feed's date: the latest change of what it shows -----------------------------------------------------
def feed_date(fx, path: str) -> dt.datetime:
    """The date a feed gives itself: Atom's <updated>, RSS's <lastBuildDate>."""
    feed = parsed(fx, path)
    return dt.datetime.fromisoformat(feed.feed.updated) if path.endswith("atom.xml") else \
        dt.datetime(*feed.feed.updated_parsed[:6], tzinfo=dt.UTC)


def store_time(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def zaitun(fx, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(fx.project.root), *args],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_withdrawn_document_moves_the_date_of_the_feeds_it_left(fx):
    """Deleting a file takes its entry out of both languages' feeds: readers see the feeds changed then, not
    dated by the newest entry left (or earlier than before, when the one withdrawn was the newest)."""
    before = {path: feed_date(fx, path) for path in ("zh/atom.xml", "en/atom.xml", "en/feed.xml")}
    time.sleep(1)  # a second later (RSS dates have seconds), as a person deletes a file
    (fx.project.content_dir / "policies" / "notice-2023-1.md").unlink()
    zaitun(fx, "intake")
    zaitun(fx, "build")
    withdrawn = store_time(fx.store.document_heads("withdrawn")[0]["updated_at"])
    assert [e.id for e in parsed(fx, "en/atom.xml").entries] == ["https://example.org/en/guides/transit/"]
    for path, was in before.items():
        assert feed_date(fx, path) > was, path
        assert feed_date(fx, path) == withdrawn.replace(microsecond=0 if path.endswith("feed.xml") else
                                                        withdrawn.microsecond), path
    assert feed_date(fx, "zh/programmes/240-hour-transit/atom.xml") < withdrawn  # it never held the notice


def test_an_empty_english_programme_feed_is_dated_when_its_english_went_offline(fx):
    path = "en/programmes/240-hour-transit/atom.xml"
    was = feed_date(fx, path)
    segment = next(s for s in segment_states(fx.store, "transit") if s.state == "approved")
    reject(fx.store, "transit", segment.seg_id, "rita", "wrong term", seen=segment.version)
    zaitun(fx, "build")
    assert parsed(fx, path).entries == []
    offline = store_time(fx.store.latest_release("transit")["retracted_at"])
    assert feed_date(fx, path) == offline > was
    assert "2000" not in (fx.out / path.replace("atom", "feed")).read_text(encoding="utf-8")


def test_an_english_programme_feed_with_no_english_yet_is_dated_by_its_chinese_documents(tmp_path):
    fx = make_fixture(tmp_path / "proj")
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY)
    fx.ingest()
    zaitun(fx, "build")
    chinese = store_time(fx.store.document_heads("active")[0]["updated_at"])
    for path in ("en/programmes/240-hour-transit/atom.xml", "en/atom.xml"):
        assert parsed(fx, path).entries == [] and feed_date(fx, path) == chinese, path


def test_an_item_whose_rule_expired_is_dated_the_day_it_expired_there_so_readers_see_the_change(tmp_path):
    """The day after its last day a rule's item says "Expired" (no document changed): the item and its feed
    are dated midnight of that day in the site's zone (Quanzhou's: 16:00 UTC the day before), not its
    last approval, so a reader that looks at dates shows the change."""
    fx = make_fixture(tmp_path / "proj")
    last_day = dt.date.today() + dt.timedelta(days=10)  # after the store's times of the approval below
    fx.write("policies", "rule", f"title: 临时措施\ndate: 2025-01-05\nvalid_from: 2025-01-05\nvalid_until: {last_day}",
             "本措施自发布之日起施行。")
    fx.ingest()
    fx.translate_and_approve("rule")
    fx.build(today=last_day)
    approved = feed_date(fx, "en/atom.xml")
    assert dt.datetime.fromisoformat(parsed(fx, "en/atom.xml").entries[0].updated) == approved
    fx.build(today=last_day + dt.timedelta(days=1))
    expired_at = dt.datetime(last_day.year, last_day.month, last_day.day, 16, tzinfo=dt.UTC)  # 00:00 in UTC+8
    for path in ("zh/atom.xml", "en/atom.xml"):
        item = parsed(fx, path).entries[0]
        assert "已失效" in item.content[0].value or "Expired" in item.content[0].value
        assert dt.datetime.fromisoformat(item.updated) == expired_at == feed_date(fx, path), path
    assert expired_at > approved


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Shanghai", "Pacific/Kiritimati"])
def test_an_item_is_published_on_its_documents_day_in_the_sites_zone_and_in_utc(tmp_path, zone):
    """A site west of UTC: midnight UTC of the document's day is the evening before there, so readers in the
    site's zone saw every item a day early."""
    fx = make_fixture(tmp_path / "proj")
    (fx.project.root / "zaitun.toml").write_text(f'[site]\nbase_url = "https://example.org"\ntimezone = "{zone}"\n',
                                                 encoding="utf-8")
    fx.project = Project(fx.project.root)
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY)  # dated 2025-06-20
    fx.ingest()
    fx.translate_and_approve("transit")
    fx.build()
    for path in ("zh/atom.xml", "en/feed.xml"):
        item = parsed(fx, path).entries[0]
        at = dt.datetime(*item.published_parsed[:6], tzinfo=dt.UTC)
        assert at.date() == at.astimezone(ZoneInfo(zone)).date() == dt.date(2025, 6, 20), (path, at)


QUANZHOU = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("changed, expected", [
    # dated today in Quanzhou (05 Dec), online at 22:07 UTC on the 4th: then, not at midnight UTC two hours ahead
    (dt.datetime(2026, 12, 4, 22, 7, tzinfo=dt.UTC), dt.datetime(2026, 12, 4, 22, 7, tzinfo=dt.UTC)),
    # changed on a later day: midnight UTC, within the day both in Quanzhou and in UTC
    (dt.datetime(2026, 12, 9, 3, 0, tzinfo=dt.UTC), dt.datetime(2026, 12, 5, 0, 0, tzinfo=dt.UTC)),
    # taken in days before its date: online from midnight in Quanzhou, the start of its day there
    (dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), dt.datetime(2026, 12, 4, 16, 0, tzinfo=dt.UTC)),
])
def test_an_item_is_never_published_later_than_its_last_change_nor_before_its_day(changed, expected):
    from zaitun.publish.feeds import published

    assert published(dt.date(2026, 12, 5), QUANZHOU, changed) == expected


def test_a_document_withdrawn_from_a_programme_moves_the_date_of_that_programmes_feeds_only(fx):
    fx.write("guides", "transit-faq", TRANSIT.replace("240小时过境免签政策指南", "过境免签问答"), "问：可以停留几天？")
    fx.ingest()
    fx.translate_and_approve("transit-faq")
    zaitun(fx, "build")
    programme = "zh/programmes/240-hour-transit/atom.xml"
    before = {path: feed_date(fx, path) for path in (programme, "en/programmes/240-hour-transit/feed.xml")}
    time.sleep(1)
    (fx.project.content_dir / "guides" / "transit-faq.md").unlink()
    zaitun(fx, "intake")
    zaitun(fx, "build")
    withdrawn = store_time(fx.store.document_heads("withdrawn")[0]["updated_at"])
    assert [e.id for e in parsed(fx, programme).entries] == ["https://example.org/zh/guides/transit/"]
    assert feed_date(fx, programme) == withdrawn > before[programme]
    assert feed_date(fx, "en/programmes/240-hour-transit/feed.xml") == withdrawn.replace(microsecond=0)


def test_a_document_moved_to_another_programme_moves_the_date_of_the_feeds_it_left_and_keeps_it(fx):
    """A guide whose `programme:` changes leaves its old programme's feeds: they are dated by that change (not
    by the newest entry left, which would take the date back), in both languages and formats, and later
    builds keep that date while nothing else changes in them."""
    fx.write("guides", "transit-faq", TRANSIT.replace("240小时过境免签政策指南", "过境免签问答"), "问：可以停留几天？")
    fx.ingest()
    fx.translate_and_approve("transit-faq")
    zaitun(fx, "build")
    old = ["zh/programmes/240-hour-transit/atom.xml", "zh/programmes/240-hour-transit/feed.xml",
           "en/programmes/240-hour-transit/atom.xml", "en/programmes/240-hour-transit/feed.xml"]
    before = {path: feed_date(fx, path) for path in old}
    time.sleep(1)
    moved = TRANSIT.replace("240小时过境免签政策指南", "过境免签问答").replace("240-hour-transit", "port-services")
    fx.write("guides", "transit-faq", moved, "问：可以停留几天？")
    zaitun(fx, "intake")
    zaitun(fx, "translate")  # no text to review: released again, the English listed under its new programme
    zaitun(fx, "build")
    changed = max(store_time(row["updated_at"]) for row in fx.store.document_heads("active")
                  if row["slug"] == "transit-faq")
    for path in old:
        assert [e.id for e in parsed(fx, path).entries] == [f"https://example.org/{path[:2]}/guides/transit/"]
        expected = changed if path.endswith("atom.xml") else changed.replace(microsecond=0)
        assert feed_date(fx, path) == expected > before[path], path
    assert "transit-faq" in parsed(fx, "zh/programmes/port-services/atom.xml").entries[0].id
    time.sleep(1)
    fx.write("guides", "other", "title: 其他\ndate: 2025-07-01", "正文。")  # a change elsewhere, then a new process
    zaitun(fx, "intake")
    zaitun(fx, "build")
    fx.build(today=dt.date.today() + dt.timedelta(days=1))  # a new day plans every page again
    for path in old:
        expected = changed if path.endswith("atom.xml") else changed.replace(microsecond=0)
        assert feed_date(fx, path) == expected, path


def test_dates_of_documents_leaving_programmes_that_do_not_read_are_forgotten_not_a_crash():
    from zaitun.publish.feeds import programmes_left

    kept = {"zh 240-hour-transit": "yesterday", "en": "2026-01-01T00:00:00+00:00", "fr x": "2026-01-01T00:00:00+00:00",
            "zh naive": "2026-01-01T00:00:00", "en payments": "2026-01-01T00:00:00+00:00", "zh other": 3}
    assert programmes_left([], {}, set(), kept) == {("en", "payments"): dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}
    assert programmes_left([], {}, set(), ["not", "a", "dict"]) == {}


def test_feed_entries_carry_their_programme_and_tags_as_categories_named_as_the_pages_name_them(fx):
    """A reader filters by category: RSS names each by its label, Atom by term, label and the language's scheme;
    an English entry whose Chinese update is in review keeps the categories approved with it."""
    def categories(path: str) -> dict[str, tuple]:
        entry = next(e for e in parsed(fx, path).entries if "/guides/transit/" in e.link)
        return {t["term"]: (t.get("label"), t.get("scheme")) for t in entry.tags}

    atom = categories("en/atom.xml")
    assert atom == {"240-hour-transit": ("240-hour transit", "https://example.org/en/programmes/"),
                    "visa-free": ("visa free", "https://example.org/en/tags/"),
                    "出入境": ("出入境", "https://example.org/en/tags/")}
    assert set(categories("en/feed.xml")) == {"240-hour transit", "visa free", "出入境"}  # RSS: the labels

    fx.write("guides", "transit", TRANSIT.replace("[visa-free, 出入境]", "[visa-free, airports]"),
             TRANSIT_BODY.replace("持有联程客票。", "持有72小时内的联程客票。"))
    fx.ingest()
    fx.build()
    assert "airports" in categories("zh/atom.xml") and categories("en/atom.xml") == atom
    fx.translate_and_approve("transit")
    fx.build()
    assert set(categories("en/atom.xml")) == {"240-hour-transit", "visa-free", "airports"}


def test_a_feed_names_a_tag_by_the_label_tags_yaml_gives_it_since_the_last_build_of_the_same_process(fx):
    """What a feed shows of an unchanged document is made again when the labels of its tags change."""
    assert 'label="visa free"' in (fx.out / "en/atom.xml").read_text(encoding="utf-8")
    assert 'label="visa-free"' in (fx.out / "zh/atom.xml").read_text(encoding="utf-8")
    (fx.project.glossary_dir / "tags.yaml").write_text("visa-free: {en: Visa-free entry}\n", encoding="utf-8")
    fx.build()
    assert 'label="Visa-free entry"' in (fx.out / "en/atom.xml").read_text(encoding="utf-8")
