"""Render workers: each output of the whole site made in a process of its own, and a failure there reported
with the file it was making, the site online kept. The builds run in a new interpreter, as `zaitun build`
does: a build forks its workers only from a single-threaded process, and this one may have threads left by
earlier tests (Prefect's event loops)."""

from __future__ import annotations

import os
import shutil
from types import SimpleNamespace

import pytest
from publish_helpers import NOTICE, NOTICE_BODY, TODAY, copy_store, standard_project
from test_site_warm import _in_another_process, _same_site

from zaitun.publish import workers
from zaitun.publish.pages import Output

WORKERS = ("from zaitun.publish import extras, workers\n"
           "workers.PARALLEL_MIN = 0  # the small site's outputs go to the render workers\n")
BUILD = (f"report = build_site(project, store, today=dt.date.fromisoformat({TODAY.isoformat()!r}))\n"
         "assert report.workers > 1, report.workers\n")


@pytest.fixture
def fx(tmp_path):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("render workers need two CPUs")
    return standard_project(tmp_path / "proj")


def _output(path: str, kind: str = "page", bodies: tuple[str, ...] = ()) -> Output:
    return Output(path, (path,), lambda: b"", kind=kind, bodies=bodies)


def test_each_output_of_the_whole_site_is_scheduled_first_on_its_own():
    items = [_output("zh/feed.xml", "feed", ("zh/a/",)), _output("zh/a/", bodies=("zh/a/",)), _output("zh/"),
             _output("sitemap.xml", "sitemap"), _output("robots.txt", "meta"), _output("en/"),
             _output("provenance.json", "meta")]
    chunks = workers.schedule(items, 2)
    assert chunks[:2] == [[3], [6]]  # robots.txt, small, is rendered with the rest
    assert sorted(chunks[2:]) == [[0, 1], [2, 4], [5]]


def test_a_site_rendered_by_workers_has_its_sitemap_and_provenance_from_their_own_processes(fx):
    _in_another_process(fx, WORKERS + BUILD)
    assert "zh/policies/notice-2023-1/" in (fx.out / "sitemap.xml").read_text(encoding="utf-8")
    assert "notice-2023-1" in (fx.out / "provenance.json").read_text(encoding="utf-8")


def test_workers_of_a_build_reading_a_sqlite_file_without_the_store_make_the_site_the_store_gives(fx, tmp_path):
    """Each forked worker reads its bodies through a connection of its own (zaitun.state.reads)."""
    other = tmp_path / "other"
    shutil.copytree(fx.project.root, other, ignore=shutil.ignore_patterns("state.db*"))
    copy_store(fx.project, other)
    lazy = ("from zaitun.state.lazy import LazyStore\n"
            "def opened():\n    raise AssertionError('the Store was opened')\n"
            "store = LazyStore(project.database_url, opened)\n")
    _in_another_process(fx, WORKERS + lazy + BUILD)
    _in_another_process(SimpleNamespace(project=SimpleNamespace(root=other)), WORKERS + BUILD)
    assert (fx.out / "en/guides/transit/index.html").is_file()
    assert _same_site(fx.out, other / "publish") == []


def _new_notice(fx) -> None:
    """A new document: the sitemap lists it, so it is made again."""
    fx.write("policies", "notice-2023-9", NOTICE, NOTICE_BODY)
    fx.ingest()


NEW_PAGE = "zh/policies/notice-2023-9/index.html"


def test_an_output_of_the_whole_site_that_raises_in_its_process_is_reported_by_its_path(fx):
    fx.build()
    before = (fx.out / "sitemap.xml").read_bytes()
    _new_notice(fx)
    broken = ("def broken(rows, site):\n    raise RuntimeError('no sitemap today')\n"
              "extras.sitemap_xml = broken\n")
    failed = _in_another_process(fx, WORKERS + broken + BUILD, check=False)
    assert failed.returncode != 0
    assert "sitemap.xml could not be rendered (RuntimeError: no sitemap today)" in failed.stderr
    assert (fx.out / "sitemap.xml").read_bytes() == before and not (fx.out / NEW_PAGE).exists()


def test_a_process_of_the_whole_site_that_dies_fails_the_build_by_its_path_and_keeps_the_site(fx):
    fx.build()
    _new_notice(fx)
    dies = ("import os\nparent = os.getpid()\n"
            "def dies(rows, site):\n"
            "    if os.getpid() != parent:\n"
            "        os._exit(3)  # as if the system killed it\n"
            "    raise AssertionError('the sitemap is made in a process of its own')\n"
            "extras.sitemap_xml = dies\n")
    failed = _in_another_process(fx, WORKERS + dies + BUILD, check=False)
    assert failed.returncode != 0
    assert "sitemap.xml could not be rendered: its process ended (exit code 3)" in failed.stderr
    assert not (fx.out / NEW_PAGE).exists()
    _in_another_process(fx, WORKERS + BUILD)
    assert (fx.out / NEW_PAGE).is_file() and "notice-2023-9" in (fx.out / "sitemap.xml").read_text(encoding="utf-8")
