"""A Chinese sentence wrapped anew, or given a stray space, keeps the English approved for it: translation memory
knows a text as a reader sees it (zaitun.state.digest.memory_key)."""

from __future__ import annotations

import datetime as dt

from test_retract import BODY, FRONT, SLUG, WRONG, published_project, zaitun

from zaitun.state.digest import memory_key, sha
from zaitun.state.segments import MEMORY_APPROVER, segment_states
from zaitun.state.store import MEMORY_KEYED, Store, memory, store_changes


def test_a_paragraph_wrapped_anew_keeps_its_approved_english_online_without_a_review(tmp_path):
    fx = published_project(tmp_path / "proj")
    zaitun(fx.project.root, "build")
    page = fx.out / "en" / "guides" / SLUG / "index.html"
    english = page.read_text(encoding="utf-8")
    wrapped = BODY.replace("持有联程客票的旅客可以申请。", "持有联程客票的 旅客\n    可以申请。  ")
    fx.write("guides", SLUG, FRONT.format(date=fx.project.today().isoformat()), wrapped)
    ran = zaitun(fx.project.root, "run").stdout
    assert "1 document(s) approved from memory" in ran
    states = segment_states(fx.store, SLUG)
    assert all(s.state == "approved" for s in states)
    assert next(s for s in states if "\n" in s.source).translation["reviewed_by"] == MEMORY_APPROVER
    status = zaitun(fx.project.root, "status").stdout
    assert SLUG in status and "update in review" not in status
    now = page.read_text(encoding="utf-8")
    assert "under review" not in now and WRONG in now and english.count("EN[") == now.count("EN[")


def test_an_older_store_keyed_by_the_exact_chinese_is_keyed_anew_once_keeping_the_newest_english(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = Store.open(url)
    with store.engine.begin() as conn:  # as an older zaitun left it: each entry under sha() of its Chinese
        conn.execute(store_changes.delete())
        for source, target, day in (("持有联程客票的旅客\n可以申请。", "Older English.", 1),
                                    ("持有联程客票的旅客可以申请。", "Newer English.", 2),
                                    ("外国人可以入境。", "Foreign nationals may enter.", 1)):
            conn.execute(memory.insert().values(source_hash=sha(source), source=source, target=target,
                                                origin="review", approved_by="rita",
                                                updated_at=dt.datetime(2025, 1, day, tzinfo=dt.UTC)))
    store.close()
    store = Store.open(url)
    entries = {row["source_hash"]: row["target"] for row in store.memory_entries()}
    assert entries == {memory_key("持有联程客票的旅客可以申请。"): "Newer English.",
                       memory_key("外国人可以入境。"): "Foreign nationals may enter."}
    assert store.memory_lookup(["持有联程客票的旅客 可以申请。"]) == {"持有联程客票的旅客 可以申请。": "Newer English."}
    with store.engine.connect() as conn:
        assert [r[0] for r in conn.execute(store_changes.select())] == [MEMORY_KEYED]


def test_a_space_between_latin_words_still_counts_and_case_is_kept():
    assert memory_key("支持 Visa  卡") == memory_key("支持Visa卡")
    assert memory_key("Visa card") != memory_key("Visacard")
    assert memory_key("VISA卡") != memory_key("Visa卡")
