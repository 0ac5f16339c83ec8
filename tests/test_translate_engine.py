"""The translate pass against a real (test) LibreTranslate server that misbehaves on request."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from libre_server import LibreServer
from translate_support import (
    LINK,
    STAY,
    TERM,
    TITLE,
    checks_of,
    drafts_by_source,
    libre_settings,
    make_project,
    open_ingested,
)

from zaitun import pipeline
from zaitun.errors import ProviderError, ZaitunError
from zaitun.state.segments import segment_states
from zaitun.translate.checks import check_translation
from zaitun.translate.engines import make_engine, retry_after_seconds
from zaitun.translate.glossary import load_glossary

FLOOD = """import sys, time
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from libre_server import LibreServer
from translate_support import libre_settings, make_project
from zaitun.translate.engines import make_engine
with LibreServer("flood") as server:
    project = make_project(Path(sys.argv[1]), libre_settings(server.url, timeout=5.0, retries=1))
    engine = make_engine(project.config, backoff=0.01)
    started = time.monotonic()
    [english] = engine.translate(["你好。"])
    print(time.monotonic() - started, english is None, engine.error, sep="\\n")
# this process's own peak (VmHWM: its memory since exec); ru_maxrss counts the parent's at fork, the test runner's
print(int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]) // 1024)"""
TITLE_EN = "Publicity Department of the CPC Quanzhou Municipal Committee published notice"
STAY_EN = "Foreign national via Quanzhou Jinjiang International Airport transit, may stay 10 days."


def run(tmp_path, server, **settings):
    project = make_project(tmp_path, libre_settings(server.url, **settings))
    store = open_ingested(project)
    engine = make_engine(project.config, backoff=0.01)
    return project, store, pipeline.translate(project, store, engine=engine)


def test_protected_terms_get_the_approved_rendering_and_the_engine_never_sees_them(tmp_path):
    with LibreServer() as server:
        _, _, report = run(tmp_path, server)
    drafts = drafts_by_source(report)
    assert drafts[TITLE].target == TITLE_EN
    assert drafts[STAY].target == STAY_EN
    assert drafts[LINK].target == "see [notice](https://example.org/a)."
    assert all(d.origin == "engine" and d.issues == [] for d in drafts.values())
    seen = " ".join(server.texts_seen())
    assert "宣传部" not in seen and "外国人" not in seen and "example.org" not in seen


def test_engine_left_unprotected_mistranslates_and_the_checks_catch_it(tmp_path):
    with LibreServer() as server:
        project = make_project(tmp_path, libre_settings(server.url))
        raw = make_engine(project.config, backoff=0.01).translate([TITLE + "。", "外国人可以停留10天。"])
    assert raw == ["Propaganda Department of the Municipal Committee published notice.",
                   "aliens may stay 10 days."]
    glossary = load_glossary(project.glossary_dir)
    assert {"term", "forbidden"} <= {i["check"] for i in check_translation(TITLE, raw[0], glossary)}
    assert {"term", "forbidden"} <= {i["check"] for i in check_translation("外国人可以停留10天。", raw[1], glossary)}


def test_whole_segment_term_is_rendered_from_the_glossary_without_the_engine(tmp_path):
    with LibreServer() as server:
        _, _, report = run(tmp_path, server)
    term = drafts_by_source(report)[TERM]
    assert (term.target, term.origin, term.engine, term.issues) == ("Publicity Department", "engine", "glossary", [])
    assert TERM not in server.texts_seen()


def test_mangled_and_moved_placeholders_are_restored(tmp_path):
    with LibreServer("mangle") as server:
        _, _, report = run(tmp_path, server)
    drafts = drafts_by_source(report)
    assert drafts[STAY].target == ("via Quanzhou Jinjiang International Airport transit, may stay 10 days. "
                                   "Foreign national")
    assert drafts[TITLE].target == "published notice Publicity Department of the CPC Quanzhou Municipal Committee"
    assert all("placeholder" not in checks_of(d) for d in drafts.values())


def test_dropped_placeholder_is_flagged_not_lost(tmp_path):
    with LibreServer("drop") as server:
        _, _, report = run(tmp_path, server)
    stay = drafts_by_source(report)[STAY]
    assert "Foreign national" not in stay.target
    assert {"placeholder", "term"} <= checks_of(stay)
    assert any("dropped 外国人 (foreign national)" in i["message"] for i in stay.issues)


def test_duplicated_placeholder_is_flagged(tmp_path):
    with LibreServer("duplicate") as server:
        _, _, report = run(tmp_path, server)
    stay = drafts_by_source(report)[STAY]
    assert stay.target.startswith("Foreign national and foreign national via")
    assert any("repeated 外国人" in i["message"] for i in stay.issues)


def test_changed_number_is_flagged(tmp_path):
    with LibreServer("number") as server:
        _, _, report = run(tmp_path, server)
    stay = drafts_by_source(report)[STAY]
    assert "11 days" in stay.target
    assert checks_of(stay) == {"number"}


@pytest.mark.parametrize(("behaviour", "shown"), [("heading", "#"), ("quote", ">"), ("bullet", "-"),
                                                ("script", "<script>")])
def test_an_answer_with_markup_that_changes_the_page_is_flagged_and_waits_for_a_reviewer(tmp_path, behaviour,
                                                                                         shown):
    with LibreServer(behaviour) as server:
        _, store, report = run(tmp_path, server)
    drafts = drafts_by_source(report)
    assert shown in drafts[STAY].target
    [markup] = [i for i in drafts[STAY].issues if i["check"] == "markdown"]  # alert(1) also adds a number
    assert shown in markup["message"]
    assert {s.source: s.state for s in segment_states(store, "notice")}[STAY] == "draft"
    store.close()


def test_an_answer_flooding_in_is_given_up_past_its_size_and_the_memory_stays_small(tmp_path):
    # a 400 MiB answer was read whole within the timeout: over 1 GB of memory, and a "translation" of it stored
    done = subprocess.run([sys.executable, "-c", FLOOD, str(tmp_path / "p"), str(Path(__file__).parent)],
                          capture_output=True, text=True, timeout=120)
    seconds, left_empty, error, peak_mib = done.stdout.split("\n")[:4]
    assert left_empty == "True" and "answer larger than 16 MiB, not a translation" in error, done.stdout + done.stderr
    assert float(seconds) < 4 and int(peak_mib) < 300


def test_an_answer_in_another_language_is_flagged(tmp_path):
    with LibreServer("korean") as server:
        _, store, report = run(tmp_path, server)
    stay = drafts_by_source(report)[STAY]
    assert "체류" in stay.target and checks_of(stay) == {"language"}
    store.close()


@pytest.mark.parametrize("behaviour", ["slow", "error", "ratelimit", "garbage"])
def test_failing_engine_leaves_segments_empty_and_flagged_and_the_run_completes(tmp_path, behaviour):
    with LibreServer(behaviour) as server:
        server.delay = 2.0
        _, store, report = run(tmp_path, server, timeout=0.3, retries=2)
    drafts = drafts_by_source(report)
    for source in (TITLE, STAY, LINK):
        assert (drafts[source].origin, drafts[source].target) == ("none", "")
        assert {"engine", "empty"} <= checks_of(drafts[source])
    assert drafts[TERM].target == "Publicity Department"  # the glossary still worked
    assert len(server.requests) <= 2 * 2  # two failed texts (two attempts each) stop the engine for the run
    assert {s.state for s in segment_states(store, "notice")} == {"draft"}


def test_timeout_is_reported_as_such(tmp_path):
    with LibreServer("slow") as server:
        _, _, report = run(tmp_path, server, timeout=0.3, retries=1)
    assert "timed out" in " ".join(i["message"] for i in drafts_by_source(report)[STAY].issues)


@pytest.mark.parametrize("behaviour", ["trickle", "trickle_headers"])
def test_an_answer_trickling_in_is_given_up_at_the_timeout_though_every_read_is_quick(tmp_path, behaviour):
    with LibreServer(behaviour) as server:
        server.delay = 0.1  # a byte every 0.1 s: no socket read waits anywhere near the 1 s timeout
        project = make_project(tmp_path, libre_settings(server.url, timeout=1.0, retries=1))
        engine = make_engine(project.config, backoff=0.01)
        started = time.monotonic()
        assert engine.translate([STAY]) == [None]
        took = time.monotonic() - started
    assert took < 1.0 * 2.5, took  # the whole answer, a byte every 0.1 s, would take over 4 s
    assert "timed out" in engine.error


def test_a_trickling_engine_leaves_its_segments_for_a_human_and_the_pass_ends_within_its_timeouts(tmp_path):
    with LibreServer("trickle") as server:
        server.delay = 0.1
        project = make_project(tmp_path, libre_settings(server.url, timeout=1.0, retries=2))
        store = open_ingested(project)
        started = time.monotonic()
        report = pipeline.translate(project, store, engine=make_engine(project.config, backoff=0.01))
        took = time.monotonic() - started
    drafts = drafts_by_source(report)
    for source in (TITLE, STAY, LINK):
        assert (drafts[source].origin, drafts[source].target) == ("none", "")
        assert {"engine", "empty"} <= checks_of(drafts[source])
        assert "timed out" in " ".join(i["message"] for i in drafts[source].issues)
    assert drafts[TERM].target == "Publicity Department"
    assert took < 2 * 2 * 1.0 + 1.5, took  # two texts, two attempts each, then the engine is down for the run
    assert {s.state for s in segment_states(store, "notice")} == {"draft"}


def test_rate_limit_is_retried_with_backoff_until_it_passes(tmp_path):
    with LibreServer("ratelimit") as server:
        server.fail_times = 2
        _, _, report = run(tmp_path, server, retries=3)
    assert all(d.issues == [] and d.target for d in drafts_by_source(report).values())


def test_retry_after_of_a_rate_limited_answer_is_waited_for_before_the_retry(tmp_path):
    with LibreServer("ratelimit") as server:
        server.fail_times, server.retry_after = 1, "1"
        _, _, report = run(tmp_path, server, retries=2)
    assert all(d.issues == [] and d.target for d in drafts_by_source(report).values())
    assert server.arrivals[1] - server.arrivals[0] >= 0.95  # backoff alone would be 0.01 s


def test_a_retry_after_beyond_the_limit_leaves_the_text_for_the_next_run_without_waiting(tmp_path):
    with LibreServer("ratelimit") as server:
        server.retry_after = "3600"
        _, _, report = run(tmp_path, server, retries=3)
    messages = " ".join(i["message"] for i in drafts_by_source(report)[TITLE].issues)
    assert "asked to wait 3600 s (Retry-After)" in messages
    assert len(server.requests) == 2  # one try for each of two texts, then the engine counts as down


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    now = dt.datetime(2026, 11, 25, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 25 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Wed, 25 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_engine_failing_midway_keeps_earlier_batches_and_a_rerun_fills_the_rest(tmp_path):
    with LibreServer("error") as server:
        server.ok_first = 1
        project, store, report = run(tmp_path, server, batch_size=1, retries=1)
    first = [d for d in report.documents[0].segments if d.origin == "engine" and d.engine == "libre"]
    assert [d.source for d in first] == [TITLE]
    with LibreServer() as healthy:
        (project.root / "zaitun.toml").write_text(libre_settings(healthy.url), encoding="utf-8")
        project.__dict__.pop("config", None)
        again = pipeline.translate(project, store, engine=make_engine(project.config, backoff=0.01))
        assert sorted(healthy.texts_seen()) == sorted(["{ZT1}经{ZT2}过境，可以停留10天。", "详见[通知]{ZT1}。"])
    assert {d.source for d in again.documents[0].segments} == {STAY, LINK}
    assert all(s.target for s in segment_states(store, "notice"))


def test_second_run_translates_nothing_new(tmp_path):
    with LibreServer() as server:
        project, store, _ = run(tmp_path, server)
        before = len(server.requests)
        again = pipeline.translate(project, store, engine=make_engine(project.config))
    assert again.count() == 0 and len(server.requests) == before


def test_api_key_reaches_the_server_and_a_wrong_one_is_flagged(tmp_path):
    with LibreServer(api_key="other") as server:
        _, _, report = run(tmp_path, server, retries=1)
    assert server.requests[0]["api_key"] == "secret"
    assert "AuthorizationException" in " ".join(i["message"] for i in drafts_by_source(report)[STAY].issues)


def test_unknown_provider_fails_before_any_work(tmp_path):
    project = make_project(tmp_path, '[translate]\nprovider = "babelfish"\n')
    store = open_ingested(project)
    with pytest.raises(ProviderError, match="unknown translation provider 'babelfish'"):
        pipeline.translate(project, store)
    assert all(s.translation is None for s in segment_states(store, "notice"))


def test_missing_api_key_fails_before_any_work(tmp_path, monkeypatch):
    monkeypatch.delenv("DEEPL_API_KEY", raising=False)
    project = make_project(tmp_path, '[translate]\nprovider = "deepl"\n')
    with pytest.raises(ProviderError, match="DEEPL_API_KEY"):
        make_engine(project.config)


def test_api_key_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPL_API_KEY", "from-env")
    project = make_project(tmp_path, '[translate]\nprovider = "deepl"\n')
    assert make_engine(project.config).name == "deepl"


@pytest.mark.parametrize("provider", ["google", "mymemory", "libre", "deepl", "microsoft", "baidu"])
def test_every_provider_is_set_up_without_network_from_environment_keys(tmp_path, monkeypatch, provider):
    for var in ("LIBRE_API_KEY", "DEEPL_API_KEY", "MICROSOFT_API_KEY", "BAIDU_APPID", "BAIDU_APPKEY"):
        monkeypatch.setenv(var, "k")
    project = make_project(tmp_path)
    assert make_engine(project.config, provider).name == provider


def test_two_part_key_comes_from_the_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("BAIDU_APPID", raising=False)
    monkeypatch.delenv("BAIDU_APPKEY", raising=False)
    project = make_project(tmp_path, '[translate]\nprovider = "baidu"\napi_key = "id"\n')
    with pytest.raises(ProviderError, match="BAIDU_APPID and BAIDU_APPKEY"):
        make_engine(project.config)
    project = make_project(tmp_path, '[translate]\nprovider = "baidu"\napi_key = "id:secret"\n')
    assert make_engine(project.config).name == "baidu"


def test_provider_url_is_only_for_libre(tmp_path):
    project = make_project(tmp_path)
    with pytest.raises(ProviderError, match="LibreTranslate"):
        make_engine(project.config, "google", "http://127.0.0.1:9")
    with pytest.raises(ProviderError, match="add --provider libre"):
        make_engine(project.config, None, "http://127.0.0.1:9")


def test_drafts_record_engine_and_glossary_version_and_one_event_per_document(tmp_path):
    with LibreServer() as server:
        project, store, _ = run(tmp_path, server)
    states = {s.source: s for s in segment_states(store, "notice")}
    assert states[STAY].translation["engine"] == "libre" and states[TERM].translation["engine"] == "glossary"
    assert states[STAY].translation["glossary_version"] == load_glossary(project.glossary_dir).version
    drafted = [e for e in store.events_since() if e["name"] == "zaitun.translate.drafted"]
    assert [(e["slug"], e["payload"]) for e in drafted] == [("notice", {"segments": 4, "approved": 0, "flagged": 0,
                                                                          "rechecked": 0, "to_review": 4})]


def test_unknown_slug_is_a_clear_error(tmp_path):
    project = make_project(tmp_path)
    store = open_ingested(project)
    with pytest.raises(ZaitunError, match="no active document 'nope'"):
        pipeline.translate(project, store, slugs=["nope"])


def test_a_document_withdrawn_while_it_is_translated_sends_the_engine_none_of_its_segments_left(tmp_path):
    """The engine is every document's: a document withdrawn (or edited) between two of its batches sends no more
    of the segments read before; the next pass takes what stands."""
    import threading

    from zaitun.state.store import Store

    with LibreServer("slow") as server:
        server.delay = 2.0  # each answer after 2 s, within the timeout: time to withdraw it meanwhile
        project = make_project(tmp_path, libre_settings(server.url, timeout=5.0, retries=1, batch_size=1))
        store = open_ingested(project)
        translating = threading.Thread(target=pipeline.translate, args=(project, store),
                                       kwargs={"engine": make_engine(project.config, backoff=0.01)})
        translating.start()
        deadline = time.monotonic() + 30
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        other = Store.open(project.database_url)
        with other.tx() as conn:
            other.withdraw_document(conn, "notice")
        other.close()
        translating.join(60)
    assert not translating.is_alive()
    assert len(server.requests) == 1, server.requests  # three segments to send, one a batch
