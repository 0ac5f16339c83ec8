"""A one-change rebuild in a new process (`zaitun build`) takes from the build online what did not change:
each list page's and the sitemap's record says what it showed, a cache in .zaitun/ keeps provenance.json's
lines. Never a stale page: what a change must rebuild is rebuilt, the same site as a full build."""

from __future__ import annotations

import gc
import json
import shutil
from urllib.parse import quote

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from publish_helpers import (
    NOTICE,
    PAYING,
    TODAY,
    aged_project,
    copy_store,
    edit_manifest_record,
    edit_stored_file,
)
from test_site_warm import NEW_TITLE, _in_another_process, _same_site
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.project import Project
from zaitun.publish import extras, layout, output
from zaitun.publish.site import build_site
from zaitun.state.store import Store

BUILD = f"build_site(project, store, today=dt.date.fromisoformat({TODAY.isoformat()!r}))"


@pytest.fixture
def fx(tmp_path):
    with aged_project(tmp_path / "proj") as fx:
        yield fx


def _build_in_new_process(fx) -> dict:
    """`zaitun build` as a person runs it: a new interpreter; the manifest of the version it put online."""
    _in_another_process(fx, BUILD)
    return output.read_manifest(output.current(fx.out))[0]


def _full_build_of_a_copy(fx, folder) -> Project:
    """The same store and files built from nothing: no build online, no cache in .zaitun/."""
    shutil.copytree(fx.project.root, folder, ignore=shutil.ignore_patterns(
        "publish*", ".publish*", extras.LINES_FILE, "bodies.sqlite*", "state.db*"))
    copy_store(fx.project, folder)
    project = Project(folder)
    store = Store.open(project.database_url)
    build_site(project, store, today=TODAY)
    store.close()
    return project


def _page(fx, path: str) -> str:
    return (fx.out / layout.file_of(path)).read_text(encoding="utf-8")


def _rendered(fx) -> set[str]:
    """What the build online rendered (its summary's `touched`)."""
    return set(output.load_summary(output.current(fx.out))["touched"])


def _edit(fx, section: str, slug: str, front: str, body: str) -> None:
    fx.write(section, slug, front, body)
    assert fx.ingest().ingested == [slug]


def test_rebuilds_in_new_processes_write_the_same_site_as_a_full_build_after_each_kind_of_change(fx, tmp_path):
    fx.build()
    changes = [
        lambda: _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n第一次修改。\n"),  # a Chinese body
        lambda: _edit(fx, "policies", "notice-2023-1", NOTICE.replace("泉州市营商环境若干措施", NEW_TITLE),
                      "## 通知\n\n本通知已修订。\n"),  # a title: its lists, feeds and provenance
        lambda: fx.translate_and_approve("notice-2023-1"),  # an English approval
        lambda: edit_stored_file(fx.project, "paying", "第一次修改", "库里改的"),  # a write outside zaitun
        lambda: _edit(fx, "guides", "paying", PAYING.replace("[payments]", "[payments, visa-free]"),
                      "## 刷卡\n\n又改了。\n"),  # a new tag: a list page more, the others' lists move
    ]
    for number, change in enumerate(changes):
        change()
        _build_in_new_process(fx)
        full = _full_build_of_a_copy(fx, tmp_path / f"full-{number}")
        assert _same_site(fx.out.resolve(), full.publish_dir.resolve()) == [], f"after change {number}"


def test_a_list_page_showing_the_same_unchanged_documents_keeps_its_key_from_the_manifest(fx):
    fx.build()
    guides = layout.section("zh", "guides")
    assert output.read_manifest(output.current(fx.out))[0]["files"][guides]["shows"]
    # taken as it is, or the page is rendered
    edit_manifest_record(fx.out, guides, lambda record: record.update(key="a key no hashing gives"))
    _edit(fx, "policies", "notice-2023-1", NOTICE.replace("泉州市营商环境若干措施", NEW_TITLE), "## 通知\n\n修订。\n")
    after = _build_in_new_process(fx)
    assert after["files"][guides]["key"] == "a key no hashing gives"
    assert layout.file_of(guides) not in _rendered(fx)


def test_a_list_page_showing_a_changed_document_is_rendered_though_it_lists_the_same_documents(fx):
    fx.build()
    policies = layout.section("zh", "policies")
    before = output.read_manifest(output.current(fx.out))[0]["files"][policies]
    _edit(fx, "policies", "notice-2023-1", NOTICE.replace("泉州市营商环境若干措施", NEW_TITLE), "## 通知\n\n修订。\n")
    after = _build_in_new_process(fx)["files"][policies]
    assert after["shows"] == before["shows"]  # the same documents, in the same order: only a line changed
    assert layout.file_of(policies) in _rendered(fx)
    assert NEW_TITLE in _page(fx, policies)


def test_the_sitemap_is_rendered_again_when_a_document_comes_or_goes(fx):
    fx.build()
    (fx.project.content_dir / "guides" / "paying.md").unlink()
    fx.ingest()
    _build_in_new_process(fx)
    assert layout.SITEMAP in _rendered(fx)
    assert "/zh/guides/paying/" not in _page(fx, layout.SITEMAP)


def _cached_lines(fx) -> dict[str, str]:
    return orjson.loads((fx.project.state_dir / extras.LINES_FILE).read_bytes())


def _without_snapshot(fx) -> None:
    """The build online saved no snapshot (snapshot.py): a new process then marks every page's provenance."""
    (output.current(fx.out) / output.SNAPSHOT).unlink()


def test_a_new_process_takes_unchanged_pages_provenance_lines_from_the_cache(fx):
    fx.build()
    _without_snapshot(fx)
    lines = _cached_lines(fx)
    transit = next(mark for mark, text in lines.items() if '"https://example.org/zh/guides/transit/"' in text)
    lines[transit] = lines[transit].replace('"raw_hash"', '"raw_hash_from_the_cache"')  # no encoding writes it
    (fx.project.state_dir / extras.LINES_FILE).write_bytes(orjson.dumps(lines))
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n改了。\n")
    _build_in_new_process(fx)
    pages = json.loads(_page(fx, layout.PROVENANCE))["pages"]
    assert "raw_hash_from_the_cache" in pages["https://example.org/zh/guides/transit/"]
    paying = pages["https://example.org/zh/guides/paying/"]["raw_hash"]  # changed: encoded anew
    assert paying == Store.open(fx.project.database_url).document("paying")["raw_hash"]
    assert len(_cached_lines(fx)) == len(pages)  # the old record's lines are let go


def test_a_page_whose_record_changed_is_never_given_its_old_lines():
    url = "https://example.org/en/guides/a/"
    assert extras._mark(url, {"id": 1}) != extras._mark(url, {"id": True})  # JSON writes 1 and true
    assert extras._mark(url, {"id": 1}) != extras._mark(url, {"id": 1.0})
    assert extras._mark(url, {"id": 1}) != extras._mark(url.replace("/a/", "/b/"), {"id": 1})


def test_a_lines_cache_that_cannot_be_read_is_as_if_empty(fx):
    fx.build()
    _without_snapshot(fx)
    (fx.project.state_dir / extras.LINES_FILE).write_bytes(b"\x00not json")
    _edit(fx, "guides", "paying", PAYING, "## 刷卡\n\n改了。\n")
    _build_in_new_process(fx)
    pages = json.loads(_page(fx, layout.PROVENANCE))["pages"]
    assert set(pages) == {u for u in pages if u.startswith("https://example.org/")} and len(pages) == 5
    assert len(_cached_lines(fx)) == 5


def test_zaitun_build_sets_the_builds_objects_aside_from_the_cycle_collector_and_leaves_it_on(fx):
    """The command exits after the build: the collector need not walk what the build made, and a process
    running the command (a test, a script) keeps its collector as it was."""
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    result = CliRunner().invoke(app, ["--project", str(fx.project.root), "build"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled() and gc.get_freeze_count() > 0
    gc.unfreeze()  # this test process collects them as usual


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("az09_.~/-%?#& é汉\u00a0"), max_size=30) | st.text(max_size=30))
def test_a_path_is_linked_as_quote_links_it_whether_or_not_it_needs_quoting(path):
    assert layout._quote(path) == quote(path)
