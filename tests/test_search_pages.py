"""The search indexer reads only the document pages, in shards, and indexes each page as a run over the
whole site would."""

from __future__ import annotations

import json
import subprocess

from publish_helpers import make_fixture, standard_project

from zaitun.publish import indexer, layout, search


def fragments_of(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("fragment/*")) if p.is_file()}


def test_the_shards_hold_each_document_page_as_an_index_of_the_whole_site_would(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    site = fx.out.resolve()
    whole = tmp_path / "whole"
    subprocess.run([indexer.executable(), "--site", str(site), "--output-path", str(whole), "--silent"],
                   check=True, timeout=120, capture_output=True)
    built = fragments_of(site / layout.SEARCH_DIR)
    assert len(built) == 5  # 3 Chinese and 2 English documents
    assert built == fragments_of(whole)


def test_a_site_without_documents_has_no_shard_to_search(tmp_path):
    fx = make_fixture(tmp_path / "proj")
    report = fx.build()
    index = fx.out / layout.SEARCH_DIR
    assert report.search is not None and report.search.pages == 0
    assert json.loads((index / search.LIST).read_text(encoding="utf-8")) == {"languages": {}, "shards": {}}
    assert not [p for p in index.iterdir() if p.name != search.LIST]
