"""A rejection reaches the English online of a document approved from memory with it, even when that sentence's
Chinese has changed since and waits for review: the last approved English, which stays online meanwhile, holds
the rejected English. Through real builds and the store (the three guides of test_memory_reject)."""

from __future__ import annotations

from test_memory_reject import COMMENT, FROM_MEMORY, assert_english_offline, page, three_guides
from test_retract import FRONT, WRONG, site_text, wrong_segment

from zaitun.review import gate

CHANGED = "外国人过境免签停留时间延长为240小时。\n\n持有联程客票的旅客可以申请入境。\n"  # the memory-approved sentence


def test_rejected_english_comes_off_a_page_approved_from_memory_whose_sentence_changed_since(tmp_path):
    fx = three_guides(tmp_path / "proj")
    today = fx.project.today()
    fx.build(today=today)
    fx.write("guides", FROM_MEMORY, FRONT.format(date=today.isoformat()), CHANGED)  # staff reword that sentence
    fx.ingest()
    fx.build(today=today)
    assert WRONG in site_text(fx.out, page(FROM_MEMORY))  # its last approved English stays online meanwhile
    seg = wrong_segment(fx.store)
    rejected = gate.reject(fx.store, "transit", seg.seg_id, "vera", COMMENT, seen=seg.version)
    assert rejected.offline_elsewhere == [FROM_MEMORY]  # the reviewer is told
    report = fx.build(today=today)
    assert_english_offline(fx.out, FROM_MEMORY)
    assert [line for line in report.skipped if line.startswith(f"{FROM_MEMORY} (en): English taken offline")
            and "vera rejected in transit segment 4" in line], report.skipped  # the build says why
