"""The search indexer reads only the document pages, and writes the index it writes from the whole site."""

from __future__ import annotations

import subprocess

from publish_helpers import standard_project

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
    built = files_of(site / layout.SEARCH_DIR)
    assert sum(name.startswith("fragment/") for name in built) == 5  # 3 Chinese and 2 English documents
    assert built == files_of(whole)
