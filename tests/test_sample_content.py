"""The project's own sample content, glossary and shipped translation memory are sound."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest
from translate.storage.tmx import tmxfile

from zaitun.content.model import load_documents
from zaitun.content.segmenter import document_segments

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "glossary"
CONTENT = ROOT / "content"
TMX = ROOT / "tm" / "approved.tmx"


def _build_tmx_module():
    """tm/build_tmx.py is a script, not a package module: load it by path (once)."""
    if "build_tmx" not in sys.modules:
        spec = importlib.util.spec_from_file_location("build_tmx", ROOT / "tm" / "build_tmx.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["build_tmx"] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules["build_tmx"]


def glossary_rows() -> list[tuple[Path, int, dict]]:
    rows = []
    for path in sorted(GLOSSARY.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == ["zh", "en", "forbidden", "note"], path
            rows.extend((path, n, row) for n, row in enumerate(reader, start=2))
    return rows


def documents():
    loaded = load_documents(CONTENT)
    assert not loaded.errors, [str(e) for e in loaded.errors]
    return loaded.documents


def test_glossary_has_at_least_150_entries():
    assert len(glossary_rows()) >= 150


def test_glossary_has_no_duplicate_terms():
    seen: dict[str, str] = {}
    for path, line, row in glossary_rows():
        where = f"{path.name}:{line}"
        assert row["zh"] not in seen, f"{where}: {row['zh']} already in {seen[row['zh']]}"
        seen[row["zh"]] = where


def test_every_glossary_row_has_an_english_rendering_and_a_different_forbidden_one():
    for path, line, row in glossary_rows():
        assert row["zh"].strip() and row["en"].strip(), f"{path.name}:{line}"
        forbidden = [f for f in (row["forbidden"] or "").split("|") if f]
        assert row["en"] not in forbidden, f"{path.name}:{line}"


def test_publicity_department_never_propaganda():
    rows = {row["zh"]: row for _, _, row in glossary_rows()}
    for zh in ("宣传部", "市委宣传部"):
        assert "Publicity Department" in rows[zh]["en"]
        assert "Propaganda Department" in rows[zh]["forbidden"].split("|")
    assert rows["市委宣传部"]["en"] == "Publicity Department of the CPC Quanzhou Municipal Committee"


def test_nested_terms_are_matched_longest_leftmost():
    module = _build_tmx_module()
    terms = module.load_glossary()
    found = module.find_terms("本文信息由市委宣传部提供，经泉州晋江国际机场入境。", terms)
    assert [t.zh for t in found] == ["市委宣传部", "泉州晋江国际机场", "入境"]


def test_sample_content_loads():
    docs = documents()
    guides = [d for d in docs if d.section == "guides"]
    assert len(guides) >= 5
    assert sum(1 for d in guides if d.meta.get("social")) >= 2
    for doc in guides:
        assert doc.meta.get("summary") and doc.programme and doc.tags, doc.path
        assert 8 <= len(document_segments(doc)) <= 40, doc.path


def test_guides_have_a_table_and_a_link():
    bodies = [d.body for d in documents() if d.section == "guides"]
    assert any("| --- |" in body for body in bodies)
    assert any("](https://" in body for body in bodies)


def test_transit_guide_states_the_facts():
    doc = next(d for d in documents() if d.slug == "240-hour-visa-free-transit")
    text = doc.raw
    assert doc.programme == "240-hour-transit"
    assert "55个国家" in text
    assert "2024年12月17日" in text
    assert "10天" in text and "240小时" in text
    assert "国家移民管理局" in text and "12367" in text
    for port in ("福州长乐国际机场", "厦门高崎国际机场", "泉州晋江国际机场", "厦门港"):
        assert port in text


def test_heritage_guide_credits_the_publicity_department():
    doc = next(d for d in documents() if d.slug == "world-heritage-quanzhou")
    assert "宋元中国的世界海洋商贸中心" in doc.raw
    assert "市委宣传部" in doc.raw


def test_every_glossary_file_term_that_matters_occurs_in_the_content():
    text = "".join(d.raw for d in documents())
    for zh in ("市委宣传部", "宣传部", "晋江国际机场", "240小时过境免签", "境外银行卡",
               "外籍人才之家", "12345热线", "国家移民管理局", "宋元中国的世界海洋商贸中心"):
        assert zh in text, zh


def shipped_units() -> dict[str, str]:
    store = tmxfile(TMX.read_bytes())
    return {unit.source: unit.target for unit in store.units}


def test_shipped_memory_is_tmx_14_from_chinese_to_english():
    raw = TMX.read_text(encoding="utf-8")
    assert '<tmx version="1.4">' in raw and 'srclang="zh-CN"' in raw
    assert 'xml:lang="en"' in raw


def test_shipped_memory_covers_every_segment():
    units = shipped_units()
    missing = [(d.slug, s.source) for d in documents() for s in document_segments(d)
               if not units.get(s.source)]
    assert not missing


def test_shipped_memory_matches_its_source_file():
    module = _build_tmx_module()
    assert shipped_units() == module.load_translations()


@pytest.mark.parametrize("source", ["本文信息由市委宣传部提供。"])
def test_shipped_memory_says_publicity_department(source):
    target = shipped_units()[source]
    assert "Publicity Department of the CPC Quanzhou Municipal Committee" in target


def test_shipped_memory_obeys_glossary_numbers_and_punctuation():
    module = _build_tmx_module()
    terms = module.load_glossary()
    problems = {src: module.segment_problems(src, tgt, terms) for src, tgt in shipped_units().items()}
    assert {src: p for src, p in problems.items() if p} == {}


def test_glossary_passes_the_project_lint():
    from zaitun.translate.glossary import lint_glossaries

    assert [str(e) for e in lint_glossaries(GLOSSARY)] == []


def test_build_script_matches_terms_like_the_project_glossary():
    from zaitun.translate.glossary import load_glossary

    module = _build_tmx_module()
    ours, project = module.load_glossary(), load_glossary(GLOSSARY)
    for source in shipped_units():
        assert [t.zh for t in module.find_terms(source, ours)] == \
            [m.entry.zh for m in project.matches(source)], source


def test_shipped_memory_carries_every_source_number_and_date():
    from zaitun.translate.numbers import source_quantities, target_date_keys, target_numbers

    for source, target in shipped_units().items():
        quantities = source_quantities(source)
        numbers, dates = target_numbers(target), target_date_keys(target)
        assert all(round(v, 6) in numbers for v, _ in quantities.numbers), source
        assert all(key in dates for key, _ in quantities.dates), source
