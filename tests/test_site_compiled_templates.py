"""A new process takes the site's templates as an earlier one compiled them (.zaitun/templates/<code>/), and
a compiled template that cannot be read is compiled again: never a failed build or another page."""

from __future__ import annotations

import json
import shutil

import pytest
from publish_helpers import PAYING, aged_project
from test_site_cold import BUILD, _full_build_of_a_copy
from test_site_warm import _in_another_process, _same_site

from zaitun.publish import site
from zaitun.stamps import code_digest


@pytest.fixture
def fx(tmp_path):
    with aged_project(tmp_path / "proj") as fx:
        yield fx


def _compiled_in_new_process(fx, tmp_path) -> int:
    """`zaitun build` in a new interpreter; how many templates it compiled from their source."""
    log = tmp_path / "compiled.json"
    _in_another_process(fx, "import jinja2\ncompiled = []\nsource = jinja2.Environment.compile\n"
                        "jinja2.Environment.compile = lambda env, *a, **k: compiled.append(1) or source(env, *a, **k)\n"
                        f"{BUILD}\nimport json\nopen({str(log)!r}, 'w').write(json.dumps(len(compiled)))")
    return json.loads(log.read_text())


def _folder(fx):
    return fx.project.state_dir / site.TEMPLATES / code_digest()


def _change(fx, note: str) -> None:
    fx.write("guides", "paying", PAYING, f"## 刷卡\n\n{note}\n")
    assert fx.ingest().ingested == ["paying"]


def test_a_new_process_renders_with_the_templates_an_earlier_one_compiled(fx, tmp_path):
    assert _compiled_in_new_process(fx, tmp_path) > 0  # the first build compiles them
    assert any(_folder(fx).iterdir())
    _change(fx, "第一次修改。")
    assert _compiled_in_new_process(fx, tmp_path) == 0
    assert "第一次修改" in (fx.out / "zh" / "guides" / "paying" / "index.html").read_text(encoding="utf-8")


def _corrupt_all(fx) -> None:
    for path in _folder(fx).iterdir():
        data = bytearray(path.read_bytes())
        data[len(data) // 2:] = b"\x00" * (len(data) - len(data) // 2)
        path.write_bytes(bytes(data))


def _empty_all(fx) -> None:
    for path in _folder(fx).iterdir():
        path.write_bytes(b"")


def _folders_instead(fx) -> None:
    for path in _folder(fx).iterdir():
        path.unlink()
        path.mkdir()


@pytest.mark.parametrize("spoil", [_corrupt_all, _empty_all, _folders_instead],
                         ids=["corrupt", "empty", "folders"])
def test_compiled_templates_that_cannot_be_read_are_compiled_again_and_the_site_is_the_same(fx, tmp_path, spoil):
    _compiled_in_new_process(fx, tmp_path)
    spoil(fx)
    _change(fx, "第一次修改。")
    assert _compiled_in_new_process(fx, tmp_path) > 0
    assert "第一次修改" in (fx.out / "zh" / "guides" / "paying" / "index.html").read_text(encoding="utf-8")
    shutil.rmtree(fx.project.state_dir / site.TEMPLATES)  # the full build below compiles its own
    full = _full_build_of_a_copy(fx, tmp_path / "full")
    assert _same_site(fx.out.resolve(), full.publish_dir.resolve()) == []


def test_the_templates_compiled_by_other_code_are_removed(fx, tmp_path):
    other = fx.project.state_dir / site.TEMPLATES / "other-code"
    other.mkdir(parents=True)
    (other / "__jinja2_x.cache").write_bytes(b"old")
    _compiled_in_new_process(fx, tmp_path)
    assert not other.exists() and any(_folder(fx).iterdir())
