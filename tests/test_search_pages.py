"""The search indexer reads only the document pages, and writes the index it writes from the whole site."""

from __future__ import annotations

import json
import subprocess

from publish_helpers import make_fixture, standard_project

from zaitun.publish import layout, search


def files_of(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_indexing_only_the_document_pages_writes_the_index_of_the_whole_site_byte_for_byte(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    site = fx.out.resolve()
    whole = tmp_path / "whole"
    subprocess.run([search._indexer(), "--site", str(site), "--output-path", str(whole), "--silent"],
                   check=True, timeout=120, capture_output=True)
    built, expected = files_of(site / layout.SEARCH_DIR), files_of(whole)
    assert sum(name.startswith("fragment/") for name in built) == 5  # 3 Chinese and 2 English documents
    entry = "pagefind-entry.json"  # Pagefind lists its languages in no fixed order, from run to run
    assert json.loads(built.pop(entry)) == json.loads(expected.pop(entry))
    assert built == expected


def test_a_site_without_documents_is_still_indexed_whole(tmp_path):
    fx = make_fixture(tmp_path / "proj")
    report = fx.build()
    assert report.search is not None and (fx.out / layout.SEARCH_DIR / "pagefind-entry.json").is_file()
