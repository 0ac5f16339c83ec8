"""Each document body is parsed once: later builds take its HTML from the body cache in .zaitun/."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from publish_helpers import TRANSIT, TRANSIT_BODY, standard_project

from zaitun.publish import bodies, output, workers


@pytest.fixture
def fx(tmp_path):
    return standard_project(tmp_path / "proj")


def cache(fx) -> sqlite3.Connection:
    return sqlite3.connect(fx.project.state_dir / bodies.FILE)


def forget_builds(fx) -> None:
    """Remove every built version: the next build renders every page again (a cold build)."""
    fx.out.unlink()
    shutil.rmtree(output.versions_dir(fx.out))


def read(fx, path: str) -> str:
    return (fx.out / path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "render workers"])
def test_a_cold_rebuild_takes_each_body_from_the_cache_instead_of_parsing_it(fx, monkeypatch, parallel):
    if parallel:
        monkeypatch.setattr(workers, "PARALLEL_MIN", 0)
    fx.build()
    assert "外国人过境免签停留时间延长为240小时" in read(fx, "zh/guides/transit")
    with cache(fx) as conn:  # what a parse of this text can never give: the page must come from the cache
        conn.execute("UPDATE body SET html = replace(html, '外国人过境免签', '缓存里的正文')")
    forget_builds(fx)
    report = fx.build()
    assert "zh/guides/transit/" in report.rendered
    assert "缓存里的正文停留时间延长为240小时" in read(fx, "zh/guides/transit")
    feed = (fx.out / "zh" / "feed.xml").read_text(encoding="utf-8")
    assert "缓存里的正文" in feed and "外国人过境免签停留" not in feed  # the feed shares the page's body


def test_each_body_of_the_site_is_kept_once_and_a_changed_one_replaces_its_old_html(fx):
    first = fx.build()
    with cache(fx) as conn:
        assert conn.execute("SELECT count(*) FROM body").fetchone()[0] == 5  # 3 Chinese, 2 English bodies
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n新增一句说明。\n")
    fx.ingest()
    report = fx.build()
    assert "新增一句说明" in read(fx, "zh/guides/transit")
    assert first.rendered and "zh/guides/transit/" in report.rendered
    with cache(fx) as conn:
        rows = [html for (html,) in conn.execute("SELECT html FROM body")]
    assert len(rows) == 5 and sum("新增一句说明" in html for html in rows) == 1


def test_a_body_cache_that_cannot_be_opened_leaves_every_body_rendered(fx):
    (fx.project.state_dir / bodies.FILE).mkdir(parents=True)  # a folder where the database should be
    fx.build()
    assert "外国人过境免签停留时间延长为240小时" in read(fx, "zh/guides/transit")
    assert "EN[外国人过境免签停留时间延长为240小时。]" in read(fx, "en/guides/transit")


def test_the_key_of_a_body_changes_with_its_source_and_with_where_its_files_were_published():
    key = bodies.key_of("zh", "abc", {})
    assert key == bodies.key_of("zh", "abc", {})
    assert len({key, bodies.key_of("en", "abc", {}), bodies.key_of("zh", "abd", {}),
                bodies.key_of("zh", "abc", {"map.png": "/media/map.1.png"})}) == 4

