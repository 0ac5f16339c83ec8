"""A segment longer than the provider takes in one request (a LibreTranslate server's --char-limit,
`translate.max_chars`) is sent in pieces cut at sentence and clause ends and translated in full; refused as
too long, two such segments took the engine down for every segment after them and failed the pass."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from libre_server import LibreServer
from translate_support import drafts_by_source, libre_settings, make_project, open_ingested

from zaitun import pipeline
from zaitun.translate.engines import make_engine, split_text

LONG = "外国人可以经泉州过境，" * 8 + "可以停留10天。"
SHORT = "外国人可以停留。"
DOCUMENT = f"---\ntitle: 通知\ndate: 2025-01-01\n---\n\n{LONG}\n\n{LONG.replace('10', '20')}\n\n{SHORT}\n"


def test_segments_longer_than_the_server_takes_are_translated_in_pieces(tmp_path):
    with LibreServer() as server:
        server.char_limit = 60
        settings = libre_settings(server.url).replace("batch_size", "max_chars = 60\n    batch_size")
        project = make_project(tmp_path, settings, document=DOCUMENT)
        store = open_ingested(project)
        report = pipeline.translate(project, store, engine=make_engine(project.config, backoff=0.01))
        store.close()
    assert max(map(len, server.texts_seen())) <= 60
    drafts = drafts_by_source(report)
    for source, days in ((LONG, "10 days"), (LONG.replace("10", "20"), "20 days")):
        assert drafts[source].origin == "engine" and drafts[source].issues == [], drafts[source].issues
        assert drafts[source].target.count("oreign national") == 8 and drafts[source].target.endswith(f"{days}.")
    assert drafts[SHORT].target == "Foreign national may stay."
    assert report.summary()["failed"] == []


def test_a_text_the_server_refuses_is_not_retried_and_the_segments_after_it_are_translated(tmp_path):
    with LibreServer() as server:
        server.char_limit = 60  # and translate.max_chars not set
        project = make_project(tmp_path, libre_settings(server.url, retries=3), document=DOCUMENT)
        store = open_ingested(project)
        report = pipeline.translate(project, store, engine=make_engine(project.config, backoff=0.01))
        store.close()
    drafts = drafts_by_source(report)
    assert drafts[SHORT].target == "Foreign national may stay."
    for source in (LONG, LONG.replace("10", "20")):
        assert drafts[source].target == "" and any("set translate.max_chars" in i["message"]
                                                   for i in drafts[source].issues)
    assert len(server.texts_seen()) == 4  # the title, the two long ones and the short one, each asked once


@given(st.lists(st.sampled_from(["外国人", "可以", "。", "，", " ", "{ZT1}", "{ZT12}", "停留", "10"]), max_size=80),
       st.integers(min_value=6, max_value=40))
def test_split_text_loses_nothing_keeps_placeholders_whole_and_fits(words, max_chars):
    text = "".join(words)
    pieces = split_text(text, max_chars)
    assert "".join(pieces) == text
    assert all(len(p) <= max_chars for p in pieces)
    assert [m for p in pieces for m in re.findall(r"\{ZT\d+\}", p)] == re.findall(r"\{ZT\d+\}", text)
