"""Social posts: platform limits, term-safe truncation, the outbox, and the Mastodon poster."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from publish_helpers import (
    NOTICE,
    NOTICE_BODY,
    PAYING_BODY,
    TODAY,
    TRANSIT,
    TRANSIT_BODY,
    aged_project,
    standard_project,
)

from zaitun.bounded import call_within
from zaitun.errors import PublishError
from zaitun.project import Project
from zaitun.publish import social
from zaitun.publish.inputs import collect
from zaitun.publish.mastodon import post_outbox
from zaitun.publish.posts import ELLIPSIS, PLATFORMS, compose, length, shorten, term_spans
from zaitun.publish.site import site_settings
from zaitun.publish.social import load_state, outbox_posts, queue_posts

TERMS = ["泉州晋江国际机场", "240小时过境免签", "国家移民管理局", "Quanzhou Jinjiang International Airport",
         "240-hour visa-free transit", "National Immigration Administration"]
URL = "https://example.org/zh/guides/transit/?utm_source=x&utm_medium=social&utm_campaign=240-hour-transit"
pieces = st.one_of(
    st.sampled_from(TERMS),
    st.text(alphabet="过境免签政策适用于个国家公民停留最长天出行前请拨打热线咨询", min_size=1, max_size=12),
    st.sampled_from(["policy", "covers", "citizens", "of", "55", "countries", "stay", "up", "to", "days"]),
    st.sampled_from(["。", "，", "、", "！", ". ", ", ", " ", " ", "👨‍👩‍👧", "e\u0301"]),
)
texts = st.lists(pieces, min_size=1, max_size=120).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=texts, platform=st.sampled_from(sorted(PLATFORMS)), tags=st.lists(st.sampled_from(
    ["240HourTransit", "Quanzhou", "VisaFree"]), max_size=3))
def test_posts_never_exceed_their_platform_limit(text, platform, tags):
    post = compose(text, URL, tags, PLATFORMS[platform], TERMS)
    assert length(post, PLATFORMS[platform]) <= PLATFORMS[platform].limit
    assert post.endswith(URL)


@settings(max_examples=300, deadline=None)
@given(text=texts, budget=st.integers(min_value=1, max_value=200))
def test_truncation_never_cuts_inside_a_glossary_term(text, budget):
    short = shorten(text, lambda candidate: length(candidate, PLATFORMS["x"]) <= budget, TERMS)
    kept = short.removesuffix(ELLIPSIS)
    original = text.strip()
    assert original.startswith(kept)
    cut = len(kept)
    assert not [(s, e) for s, e in term_spans(original, TERMS) if s < cut < e]
    assert short == "" or length(short, PLATFORMS["x"]) <= budget


def test_x_weighs_chinese_twice_and_any_url_as_23():
    x = PLATFORMS["x"]
    assert length("泉州", x) == 4
    assert length("ab https://example.org/a/very/long/path/that/goes/on", x) == 3 + 23
    assert length("ab https://example.org/a/very/long/path/that/goes/on", PLATFORMS["mastodon"]) == 26


def test_bluesky_counts_graphemes_not_code_points():
    assert length("👨‍👩‍👧e\u0301", PLATFORMS["bluesky"]) == 2


def test_a_long_text_is_cut_at_a_sentence_end_when_that_keeps_most_of_the_room():
    first = "第一句话说明政策" * 11 + "。"  # 89 characters of the 128 that fit
    post = compose(first + "第二句话很长" * 40 + "。", URL, [], PLATFORMS["x"], TERMS)
    assert post == first + "\n" + URL
    short = compose("短句。" + "第二句话很长" * 40 + "。", URL, [], PLATFORMS["x"], TERMS)
    assert short.split("\n")[0].endswith("…") and len(short.split("\n")[0]) > 100


def test_hashtags_go_before_the_text_is_cut_and_stay_when_it_must_be_cut_anyway():
    text = ("The 240-hour visa-free transit policy now applies to citizens of 55 countries. If you transit through "
            "Quanzhou Jinjiang International Airport to a third country, you may stay for up to 10 days.")
    bluesky = PLATFORMS["bluesky"]  # (its link counts whole: no room for a tag beside the whole text)
    assert compose(text, URL, ["240HourTransit", "Quanzhou"], bluesky, TERMS) == text + "\n" + URL
    tags = ["240HourTransit", "VisaFreeTransitThroughChinaForFiftyFiveCountries"]
    post = compose(text, URL, tags, PLATFORMS["x"], TERMS)
    assert post == text + "\n\n#240HourTransit\n" + URL  # the whole text, and the tag that fits beside it
    post = compose(text, URL, tags, PLATFORMS["mastodon"], TERMS)
    assert post == text + "\n\n#240HourTransit #VisaFreeTransitThroughChinaForFiftyFiveCountries\n" + URL
    assert compose("  ", URL, ["240HourTransit"], bluesky, TERMS) == URL  # no text: the link alone, as before
    longer = text + " Check the list of eligible ports and countries before you travel." * 3
    post = compose(longer, URL, ["240HourTransit"], bluesky, TERMS)
    assert post.endswith("\n\n#240HourTransit\n" + URL) and length(post, bluesky) <= bluesky.limit


def announce_all(fixture, daily_limit: int = 100) -> None:
    """Let the fixture's archive documents be announced too (by default only recent ones are)."""
    (fixture.project.root / "zaitun.toml").write_text(
        f'[site]\nbase_url = "https://example.org"\n[social]\nmax_age_days = 10000\ndaily_limit = {daily_limit}\n',
        encoding="utf-8")
    fixture.project = Project(fixture.project.root)


@pytest.fixture
def fx(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    announce_all(fixture)
    fixture.build()
    return fixture


def test_build_queues_posts_for_every_platform_and_language_once(fx):
    posts = outbox_posts(fx.out / "social")
    transit = {(p["platform"], p["lang"]) for p in posts if p["slug"] == "transit"}
    assert transit == {(name, lang) for name, p in PLATFORMS.items() for lang in p.languages}
    assert not [p for p in posts if p["slug"] == "paying" and p["lang"] == "en"]  # never approved
    assert fx.build().social == []
    assert len(outbox_posts(fx.out / "social")) == len(posts)


def test_posts_have_programme_hashtag_utm_link_and_the_release_social_text(fx):
    post = json.loads(next((fx.out / "social").glob("transit.en.mastodon.*.json")).read_text())
    assert "#240HourTransit" in post["text"]
    assert post["url"] == ("https://example.org/en/guides/transit/?utm_source=mastodon&utm_medium=social"
                           "&utm_campaign=240-hour-transit")
    assert post["text"].startswith("EN[240小时过境免签政策已适用于55个国家的公民。")
    weibo = json.loads(next((fx.out / "social").glob("transit.zh.weibo.*.json")).read_text())
    assert "#240HourTransit#" in weibo["text"]


def test_only_a_document_whose_announcement_changed_is_queued_again(fx):
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n正文小改动。\n")
    fx.ingest()
    assert fx.build().social == []  # body edits alone are not news
    fx.write("guides", "transit", TRANSIT.replace("可停留最长10天。", "可停留最长10天，政策已更新。"), TRANSIT_BODY)
    fx.ingest()
    queued = fx.build().social
    assert queued and {q.split(".")[:2] == ["transit", "zh"] for q in queued} == {True}


def test_documents_older_than_max_age_are_not_announced_and_the_build_says_so(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    report = fixture.build(today=dt.date(2025, 7, 1))  # transit 2025-06-20 is recent; the others are not
    assert {q.split(".")[0] for q in report.social} == {"transit"}
    assert report.social_held[0] == 3 and "3 too old to announce (social.max_age_days)" in report.summary()
    assert fixture.build(today=dt.date(2025, 7, 1)).social_held == (0, 0)  # decided once, not re-counted


def test_daily_limit_holds_the_rest_for_the_next_day(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    announce_all(fixture, daily_limit=1)
    first = fixture.build(today=dt.date(2025, 7, 1))
    assert {q.split(".")[0] for q in first.social} == {"transit"}  # the newest document goes first
    assert first.social_held[1] > 0 and "left for tomorrow (social.daily_limit)" in first.summary()
    assert fixture.build(today=dt.date(2025, 7, 1)).social == []  # still the same day: nothing more
    fixture.project.state_dir.joinpath("social.json").write_text(
        (fixture.project.state_dir / "social.json").read_text().replace(
            fixture.project.today().isoformat(), "2000-01-01"), encoding="utf-8")
    assert fixture.build(today=dt.date(2025, 7, 1)).social  # a new day: the next document's turn


def test_the_daily_limit_and_posting_times_follow_quanzhous_day_which_starts_at_1600_utc(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    announce_all(fixture, daily_limit=1)
    entries, site = collect(fixture.store, {}), site_settings(fixture.project, TODAY, set())

    def queued(at: str) -> list[str]:
        now = dt.datetime.fromisoformat(at)
        return queue_posts(fixture.project, entries, site, fixture.out / "social", now).ids

    assert queued("2025-07-01T23:32:00+00:00")  # 07:32 on 2 July in Quanzhou: the day's one document
    hootsuite = next((fixture.out / "social").glob("hootsuite-*.csv")).read_text(encoding="utf-8")
    assert hootsuite.startswith("02/07/2025 08:40,")  # an hour on, in 10-minute steps, as Quanzhou reads it
    assert not queued("2025-07-02T01:00:00+00:00")  # 09:00 the same day there, though a new day in UTC
    assert not queued("2025-07-02T15:59:00+00:00")
    assert queued("2025-07-02T16:00:00+00:00")  # midnight in Quanzhou: the next document's turn


@pytest.fixture
def aged(tmp_path):
    """The standard project, every document announced once, its files aged: a rebuild knows what changed."""
    with aged_project(tmp_path / "proj") as fixture:
        announce_all(fixture)
        fixture.build()
        yield fixture


def _weighed(monkeypatch) -> list[str]:
    """The documents whose announcement a build weighs (social.basis)."""
    seen: list[str] = []
    basis = social.basis
    monkeypatch.setattr(social, "basis", lambda entry: seen.append(entry.slug) or basis(entry))
    return seen


def _retitle_transit(fx) -> None:
    fx.write("guides", "transit", TRANSIT.replace("可停留最长10天。", "可停留最长10天，政策已更新。"), TRANSIT_BODY)
    fx.ingest()


def test_a_rebuild_weighs_only_the_changed_documents_announcements_while_the_state_is_as_its_queue_left_it(
        aged, monkeypatch):
    weighed = _weighed(monkeypatch)
    _retitle_transit(aged)
    queued = aged.build().social
    assert set(weighed) == {"transit"} and queued and {q.split(".")[0] for q in queued} == {"transit"}


def test_a_state_changed_since_the_last_queue_means_weighing_every_announcement_again(aged, monkeypatch):
    path = aged.project.state_dir / "social.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    del state["queued"]["paying:zh"]  # as if never announced (another tool, a hand, a restore)
    path.write_text(json.dumps(state), encoding="utf-8")
    weighed = _weighed(monkeypatch)
    _retitle_transit(aged)
    queued = aged.build().social
    assert {"transit", "notice-2023-1", "paying"} <= set(weighed)
    assert {tuple(q.split(".")[:2]) for q in queued} >= {("transit", "zh"), ("paying", "zh")}


def test_announcements_left_for_another_day_are_weighed_again_whatever_changed(tmp_path):
    """A queue that left some for another day settles nothing: the next one weighs every entry, though no
    document changed; one that left none settles what it leaves, for the entries of the same code."""
    with aged_project(tmp_path / "proj") as fx:
        announce_all(fx, daily_limit=1)
        entries = collect(fx.store, {})
        site, settled, days = site_settings(fx.project, TODAY, set()), None, 0
        while days == 0 or settled is None:  # one document a day
            days += 1
            queued = queue_posts(fx.project, entries, site, tmp_path / "outbox",
                                 dt.datetime(2025, 7, days, tzinfo=dt.UTC), changed=set(), settled=settled,
                                 code="code")
            assert queued.ids and (queued.settled is None) == bool(queued.over_limit)
            settled = queued.settled
        assert days > 1  # some were left for another day, and announced then
        again = queue_posts(fx.project, entries, site, tmp_path / "outbox",
                            dt.datetime(2025, 7, days + 1, tzinfo=dt.UTC), changed=set(), settled=settled,
                            code="other code")  # entries made by other code: all weighed, none new
        assert not again.ids and again.settled == settled.replace("code", "other code", 1)


def _withdraw_transit(fixture) -> None:
    (fixture.project.content_dir / "guides" / "transit.md").unlink()
    fixture.ingest()


def _csvs(outbox) -> str:
    return "".join(path.read_text(encoding="utf-8") for path in outbox.glob("*.csv"))


@pytest.mark.parametrize("state", ["as its queue left it", "changed since"])
def test_a_withdrawn_documents_unsent_posts_leave_the_outbox_and_its_csvs_and_the_build_says_so(
        aged, monkeypatch, state):
    outbox = aged.out / "social"
    if state == "changed since":  # the same state written anew: every announcement is weighed again
        path = aged.project.state_dir / "social.json"
        path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
    transit = [p for p in outbox_posts(outbox) if p["slug"] == "transit"]
    others = [p for p in outbox_posts(outbox) if p["slug"] != "transit"]
    assert transit and others and all(p["url"] in _csvs(outbox) for p in transit)
    weighed = _weighed(monkeypatch)
    _withdraw_transit(aged)
    report = aged.build()
    assert bool(weighed) == (state == "changed since")  # one way or the other, the same outcome
    assert outbox_posts(outbox) == others
    assert not [p for p in transit if p["url"] in _csvs(outbox)]
    assert all(p["url"] in _csvs(outbox) for p in others)  # the other documents' rows are kept
    assert report.social_withdrawn == len(transit)
    assert f"social posts withdrawn {len(transit)}" in report.summary()


def test_an_unsent_post_whose_english_was_edited_and_approved_again_leaves_the_outbox_and_only_the_new_goes_out(
        fx, mastodon):
    outbox = fx.out / "social"
    old = [p for p in outbox_posts(outbox) if p["slug"] == "transit"]
    assert old and all(p["url"] in _csvs(outbox) for p in old)
    _retitle_transit(fx)  # the announcement's Chinese changed: its English is edited and approved again
    fx.translate_and_approve("transit", lambda source: f"FIXED[{source}]")
    report = fx.build()
    new = [p for p in outbox_posts(outbox) if p["slug"] == "transit"]
    assert {p["id"] for p in new}.isdisjoint(p["id"] for p in old) and len(new) == len(old)
    assert not [p for p in old if p["text"] in _csvs(outbox)]  # Buffer's rows (by text) of the old ones too
    assert report.social_withdrawn == len(old)
    assert not post_outbox(fx.project, outbox, mastodon, "t", send=True).failed
    said = {r["status"] for r in FakeMastodon.requests}
    assert not said & {p["text"] for p in old}  # the words as they were before the edit: never
    assert {p["text"] for p in new if p["platform"] == "mastodon"} <= said


def test_a_withdrawn_documents_posts_already_sent_stay_recorded_as_sent(fx, mastodon):
    sent = post_outbox(fx.project, fx.out / "social", mastodon, "t", send=True).sent
    _withdraw_transit(fx)
    report = fx.build()
    left = {p["id"] for p in outbox_posts(fx.out / "social")}
    transit_sent = {post_id for post_id in sent if post_id.startswith("transit.")}
    assert transit_sent and {post_id for post_id in left if post_id.startswith("transit.")} == transit_sent
    assert report.social_withdrawn > 0 and set(sent) <= social.load_state(fx.project)["sent"].keys()


def test_a_renamed_document_is_not_posted_again_where_it_was_sent_and_its_unsent_posts_take_its_new_link(
        fx, mastodon):
    sent = post_outbox(fx.project, fx.out / "social", mastodon, "t", send=True).sent
    assert [post_id for post_id in sent if post_id.startswith("transit.")]
    guides = fx.project.content_dir / "guides"
    (guides / "transit.md").rename(guides / "transit-240.md")  # staff give the file a better name
    fx.ingest()
    fx.build()
    renamed = [p for p in outbox_posts(fx.out / "social") if p["slug"] == "transit-240"]
    assert renamed and all("/transit-240/?" in p["url"] for p in renamed)  # the platforms zaitun does not send
    assert not [p for p in renamed if p["platform"] == "mastodon"], "the same news posted again under a new link"
    assert post_outbox(fx.project, fx.out / "social", mastodon, "t", send=True).sent == []


def test_a_withdrawn_document_back_on_the_site_is_announced_again(fx):
    _withdraw_transit(fx)
    fx.build()
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY)
    fx.ingest()
    assert "transit" in {post_id.split(".")[0] for post_id in fx.build().social}


def test_bulk_csvs_for_buffer_and_hootsuite(fx):
    buffer = (fx.out / "social" / "buffer-x-en.csv").read_text().splitlines()
    assert buffer[0] == "Text,Image URL,Tags,Posting Time" and len(buffer) > 2
    hootsuite = list(csv.reader(io.StringIO((fx.out / "social" / "hootsuite-weibo-zh.csv").read_text())))
    assert hootsuite and all(len(row) == 3 and row[2].startswith("https://example.org/zh/") for row in hootsuite)


def test_a_post_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text_and_still_withdrawn(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    announce_all(fixture)
    formula = '=HYPERLINK("http://evil.example","点击查看")'
    fixture.write("guides", "event", f"""\
    title: 外籍人士活动
    date: 2025-06-21
    social: '{formula}'
""", PAYING_BODY)
    fixture.ingest()
    fixture.build()
    outbox = fixture.out / "social"
    cells = [cell for path in outbox.glob("*-zh.csv")
             for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert f"'{formula}" in cells  # Hootsuite's message column: the text as written, shown as text
    (fixture.project.content_dir / "guides" / "event.md").unlink()
    fixture.ingest()
    fixture.build()
    assert "HYPERLINK" not in _csvs(outbox)  # its rows are found, and dropped, as written


# -- the Mastodon poster against a small fake Mastodon on 127.0.0.1 ------------------------------
class FakeMastodon(BaseHTTPRequestHandler):
    statuses: dict[str, dict] = {}
    requests: list[dict] = []
    fail_next = 0

    def do_POST(self):  # noqa: N802 - http.server naming
        body = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        cls = type(self)
        cls.requests.append({"auth": self.headers["Authorization"], "key": self.headers["Idempotency-Key"],
                             "status": body["status"][0], "language": body["language"][0]})
        if cls.fail_next:
            cls.fail_next -= 1
            self._reply(503, {"error": "busy"})
            return
        key = self.headers["Idempotency-Key"]
        status = cls.statuses.setdefault(key, {"id": str(len(cls.statuses) + 1), "url": f"https://m/{key}"})
        self._reply(200, status)

    def _reply(self, code: int, data: dict) -> None:
        payload = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def mastodon():
    FakeMastodon.statuses, FakeMastodon.requests, FakeMastodon.fail_next = {}, [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeMastodon)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_mastodon_poster_is_a_dry_run_by_default(fx, mastodon):
    report = post_outbox(fx.project, fx.out / "social", mastodon, "token")
    assert len(report.would_send) == 3 and FakeMastodon.requests == []


def test_mastodon_poster_sends_each_post_once_even_when_run_twice(fx, mastodon):
    first = post_outbox(fx.project, fx.out / "social", mastodon, "secret", send=True)
    assert len(first.sent) == 3 and not first.failed
    second = post_outbox(fx.project, fx.out / "social", mastodon, "secret", send=True)
    assert second.sent == [] and sorted(second.already_sent) == sorted(first.sent)
    assert len(FakeMastodon.requests) == 3
    assert {r["auth"] for r in FakeMastodon.requests} == {"Bearer secret"}
    assert {r["language"] for r in FakeMastodon.requests} == {"zh", "en"}


def test_mastodon_poster_retries_a_busy_server_with_the_same_idempotency_key(fx, mastodon):
    FakeMastodon.fail_next = 2
    report = post_outbox(fx.project, fx.out / "social", mastodon, "t", send=True, backoff=0.01)
    assert len(report.sent) == 3
    first_key = FakeMastodon.requests[0]["key"]
    assert [r["key"] for r in FakeMastodon.requests[:3]] == [first_key] * 3
    assert len(FakeMastodon.statuses) == 3


def test_a_server_that_stays_busy_costs_one_posts_tries_and_the_other_posts_wait_for_the_next_run(fx, mastodon):
    FakeMastodon.fail_next = 100
    report = post_outbox(fx.project, fx.out / "social", mastodon, "t", send=True, retries=2, backoff=0.01)
    assert len(FakeMastodon.requests) == 2 and report.sent == [] and len(report.failed) == 3
    assert sorted(why.startswith("not tried: mastodon refused") for why in report.failed.values()) == [
        False, True, True]
    FakeMastodon.fail_next = 0  # back: every post goes out, once
    assert len(post_outbox(fx.project, fx.out / "social", mastodon, "t", send=True).sent) == 3


def test_a_mastodon_url_that_is_a_web_site_fails_each_post_in_a_line_and_records_none_as_sent(fx):
    class Site(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server naming: any address answers with a page
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "15")
            self.end_headers()
            self.wfile.write(b"<html>hi</html>")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = fx.project.config_path
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[social]\n", f'[social]\nmastodon_url = "http://127.0.0.1:{server.server_port}"\n'), encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(fx.project.root), "social", "post",
                               "--send"], capture_output=True, text=True, timeout=60,
                              env={**os.environ, "MASTODON_TOKEN": "t"})
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("with no Mastodon status (HTTP 200, text/html): check social.mastodon_url") == 3
    assert load_state(fx.project)["sent"] == {}


def test_mastodon_poster_gives_up_on_a_server_answering_a_byte_at_a_time_and_records_nothing_as_sent(fx, dripping):
    started = time.monotonic()
    report = call_within(60, lambda: post_outbox(fx.project, fx.out / "social", dripping, "t", send=True,
                                                 retries=2, timeout=1, backoff=0), "test")
    assert time.monotonic() - started < 2 * 1 + 3  # the first post's 2 tries of a second; the others wait
    assert len(report.failed) == 3 and report.sent == []
    assert all("gave no complete answer" in why for why in report.failed.values())
    assert load_state(fx.project)["sent"] == {}  # tried again on the next run


def test_with_an_s3_target_a_post_is_held_until_its_page_is_deployed_there(fx, s3, s3_endpoint):
    client, bucket = s3
    with fx.project.config_path.open("a", encoding="utf-8") as config:
        config.write(f'\n[publish]\ns3_target = "s3://{bucket}/www"\ns3_endpoint_url = "{s3_endpoint}"\n')

    def zaitun(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(fx.project.root), *args],
                              capture_output=True, text=True, timeout=120, env=os.environ)
        assert done.returncode == 0, done.stderr
        return done.stdout

    before = zaitun("social", "post")  # built, not deployed yet (the deploy failed, or has not run)
    assert "would send 0" in before and before.count(f"not in the site online (publish/ and s3://{bucket}/www)") == 3
    zaitun("deploy")
    assert "would send 3, failed 0" in zaitun("social", "post")


def test_mastodon_poster_needs_instance_and_token_to_send(fx):
    with pytest.raises(PublishError, match="social.mastodon_url"):
        post_outbox(fx.project, fx.out / "social", "", "", send=True)


def test_an_expired_document_is_never_announced_and_the_build_says_so(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    announce_all(fixture)  # the notice (valid until 2024-12-31) is not held back for its age
    report = fixture.build(today=dt.date(2025, 7, 1))
    assert "notice-2023-1" not in {q.split(".")[0] for q in report.social}
    assert "2 expired, not announced" in report.summary()  # its Chinese and English pages
    assert fixture.build(today=dt.date(2025, 7, 1)).social_waiting == (0, 0)  # decided once


def test_a_rule_not_yet_in_force_is_announced_on_the_day_it_takes_effect_not_before(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    fixture.write("policies", "coming", NOTICE.replace("2023-01-05", "2025-06-28").replace(
        "valid_from: 2025-06-28", "valid_from: 2025-08-01").replace("2024-12-31", "2027-12-31").replace(
        "〔2023〕1号", "〔2025〕2号"), NOTICE_BODY)
    fixture.ingest()
    early = fixture.build(today=dt.date(2025, 7, 1))
    assert "coming" not in {q.split(".")[0] for q in early.social}
    assert "1 announced when in force" in early.summary()
    assert "coming" not in {q.split(".")[0] for q in fixture.build(today=dt.date(2025, 7, 31)).social}
    # dated 34 days before, but news on the day it takes effect (social.max_age_days counts from then)
    assert {q.split(".")[0] for q in fixture.build(today=dt.date(2025, 8, 1)).social} == {"coming"}


def test_unsent_posts_of_a_document_that_has_since_expired_leave_the_outbox(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    fixture.write("policies", "short", NOTICE.replace("2023-01-05", "2025-06-28").replace(
        "2024-12-31", "2025-07-10").replace("〔2023〕1号", "〔2025〕3号"), NOTICE_BODY)
    fixture.ingest()
    assert "short" in {q.split(".")[0] for q in fixture.build(today=dt.date(2025, 7, 1)).social}
    later = fixture.build(today=dt.date(2025, 7, 11))  # its last day was the 10th; nobody sent the posts
    assert not [p for p in outbox_posts(fixture.out / "social") if p["slug"] == "short"]
    zh_platforms = sum("zh" in platform.languages for platform in PLATFORMS.values())
    assert later.social_withdrawn == zh_platforms and "social posts withdrawn" in later.summary()
    assert fixture.build(today=dt.date(2025, 7, 12)).social_withdrawn == 0


def test_a_rule_cut_short_the_same_day_leaves_the_outbox_at_the_next_build(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    notice = NOTICE.replace("2023-01-05", "2025-06-28").replace("2024-12-31", "2025-07-10").replace(
        "〔2023〕1号", "〔2025〕3号")
    fixture.write("policies", "short", notice, NOTICE_BODY)
    fixture.ingest()
    assert "short" in {q.split(".")[0] for q in fixture.build(today=dt.date(2025, 7, 1)).social}
    fixture.write("policies", "short", notice.replace("2025-07-10", "2025-06-30"), NOTICE_BODY)
    fixture.ingest()
    again = fixture.build(today=dt.date(2025, 7, 1))  # the same day: its first build looked at every entry
    assert not [p for p in outbox_posts(fixture.out / "social") if p["slug"] == "short"]
    assert again.social_withdrawn > 0


def test_a_record_of_sent_posts_that_does_not_read_stops_posting_and_queueing_instead_of_sending_again(fx, mastodon):
    first = post_outbox(fx.project, fx.out / "social", mastodon, "t", send=True)
    assert len(first.sent) == 3
    record = fx.project.state_dir / "social.json"
    record.write_bytes(record.read_bytes()[:40])  # cut short (a full disk, a crash mid-copy)
    with pytest.raises(PublishError, match=r"social\.json could not be read .* none is queued or sent"):
        post_outbox(fx.project, fx.out / "social", mastodon, "t", send=True)
    assert len(FakeMastodon.requests) == 3  # nothing went out twice
    _retitle_transit(fx)
    report = fx.build()  # the site still goes online; its posts wait for the record
    assert report.social == [] and any("social.json could not be read" in p for p in report.problems)
    assert "zh/guides/transit/" in report.rendered
    record.unlink()  # the operator starts afresh, as the message says
    afresh = post_outbox(fx.project, fx.out / "social", mastodon, "t", send=True)
    assert afresh.sent == [] and sorted(afresh.recorded_again) == sorted(first.sent)  # the outbox marks them sent
    assert len(FakeMastodon.requests) == 3


def test_a_post_of_a_document_expired_since_it_was_queued_is_held_not_sent(tmp_path, mastodon):
    """A `social post --send` run before the next build announced a rule that had lapsed the day before."""
    fixture = standard_project(tmp_path / "proj")
    fixture.write("policies", "short", NOTICE.replace("2023-01-05", "2025-06-28").replace(
        "2024-12-31", "2025-07-10").replace("〔2023〕1号", "〔2025〕3号"), NOTICE_BODY)
    fixture.ingest()
    assert "short" in {q.split(".")[0] for q in fixture.build(today=dt.date(2025, 7, 1)).social}
    shorts = sorted(p["id"] for p in outbox_posts(fixture.out / "social", "mastodon") if p["slug"] == "short")
    assert shorts
    report = post_outbox(fixture.project, fixture.out / "social", mastodon, "secret", send=True,
                         today=dt.date(2025, 7, 11))
    assert sorted(report.lapsed) == shorts and set(report.lapsed.values()) == {"2025-07-10"}
    assert not [r for r in FakeMastodon.requests if r["key"] in shorts]
    assert f"held {len(shorts)} (document expired)" in report.summary()
    on_its_last_day = post_outbox(fixture.project, fixture.out / "social", mastodon, "secret", send=True,
                                  today=dt.date(2025, 7, 10))
    assert set(shorts) <= set(on_its_last_day.sent)
