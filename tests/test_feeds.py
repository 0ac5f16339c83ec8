"""Feeds: valid RSS and Atom per language and programme, stable ids, only approved English."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from publish_helpers import TRANSIT, TRANSIT_BODY, standard_project

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
