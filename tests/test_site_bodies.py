"""Each document body is parsed once: later builds take its HTML from the body cache in .zaitun/."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time

import pytest
from publish_helpers import TRANSIT, TRANSIT_BODY, aged_project, standard_project
from test_site_cold import BUILD
from test_site_warm import _in_another_process

from zaitun.publish import bodies, output, site, workers


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



def _stray(fx) -> None:
    """A body no entry shows (what another process left): only a build that keys every body forgets it."""
    with cache(fx) as conn:
        conn.execute("INSERT INTO body (key, html) VALUES ('stray', '<p>stray</p>')")


def _bodies(fx) -> list[str]:
    with cache(fx) as conn:
        return [key for (key,) in conn.execute("SELECT key FROM body")]


def _build_in_new_process(fx) -> None:
    _in_another_process(fx, BUILD)


def test_a_new_process_forgets_the_changed_documents_old_body_without_keying_every_other_body(tmp_path):
    with aged_project(tmp_path / "proj") as fx:
        _build_in_new_process(fx)
        _stray(fx)
        fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n新增一句说明。\n")
        fx.ingest()
        _build_in_new_process(fx)
        assert "新增一句说明" in read(fx, "zh/guides/transit")
        with cache(fx) as conn:
            rows = [html for (html,) in conn.execute("SELECT html FROM body WHERE key != 'stray'")]
        assert len(rows) == 5 and sum("新增一句说明" in html for html in rows) == 1  # the old one forgotten
        assert "stray" in _bodies(fx)  # the other keys were not looked at


def _links_a_file(fx, note: str) -> None:
    form = fx.project.content_dir / "guides" / "form.pdf"
    if not form.exists():  # written seconds before the build, as a person would (see publish_helpers.age)
        form.write_bytes(b"%PDF-1.4\n")
        os.utime(form, (time.time() - 60, time.time() - 60))
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + f"\n请下载[申请表](form.pdf)。{note}\n")
    fx.ingest()


@pytest.mark.parametrize("change", [
    lambda fx: _links_a_file(fx, "又改了。"),  # its old body's key depends on where its file was published
    lambda fx: (fx.project.root / "zaitun.toml").write_text(  # what changed is unknown: every page is keyed
        '[site]\nbase_url = "https://example.org"\npage_size = 1\n', encoding="utf-8"),
], ids=["a-changed-document-linking-files", "the-settings"])
def test_a_new_process_keys_every_body_when_the_old_keys_of_what_changed_are_not_known(tmp_path, change):
    with aged_project(tmp_path / "proj") as fx:
        _links_a_file(fx, "")
        _build_in_new_process(fx)
        _stray(fx)
        change(fx)
        _build_in_new_process(fx)
        keys = _bodies(fx)
        assert "stray" not in keys and len(keys) == 5


def test_a_warm_rebuild_forgets_the_changed_documents_old_body_without_keying_every_other_body(tmp_path,
                                                                                               monkeypatch):
    keyed = []
    every_key = site._body_keys
    monkeypatch.setattr(site, "_body_keys", lambda entries: keyed.append(len(entries)) or every_key(entries))
    with aged_project(tmp_path / "proj") as fx:
        fx.build()
        fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n改了一次。\n")
        fx.ingest()
        fx.build()  # this process has keyed every body (and knows those it kept)
        _stray(fx)
        keyed.clear()
        fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n新增一句说明。\n")
        fx.ingest()
        fx.build()
        assert "新增一句说明" in read(fx, "zh/guides/transit")
        with cache(fx) as conn:
            rows = [html for (html,) in conn.execute("SELECT html FROM body WHERE key != 'stray'")]
        assert len(rows) == 5 and sum("新增一句说明" in html for html in rows) == 1  # the old one forgotten
        assert not any("改了一次" in html for html in rows)
        assert keyed == [] and "stray" in _bodies(fx)  # the other entries' keys were not made


def test_a_parser_upgraded_in_place_is_a_new_renderer_and_one_not_installed_is_named_so(tmp_path, monkeypatch):
    package = tmp_path / "zaitun_probe_parser"
    package.mkdir()
    (package / "__init__.py").write_text("__version__ = '1.0'\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = bodies._installed("zaitun_probe_parser")
    (package / "__init__.py").write_text("__version__ = '1.0.1'\n", encoding="utf-8")  # as pip rewrites it
    assert bodies._installed("zaitun_probe_parser") != before
    assert bodies._installed("zaitun_no_such_parser") == "none"
    assert all(bodies._installed(name) != "none" for name in bodies.PARSERS)  # all three are installed here
