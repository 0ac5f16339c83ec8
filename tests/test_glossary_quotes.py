"""A glossary line whose quote is never closed is named at its own line, and the lines after it are still
read: before, the open quote swallowed them (the error named the file's last line), so a forbidden rendering
on one of them was never enforced and memory holding it was imported and approved at once. A line with no
English yet is reported too, and its forbidden renderings are refused meanwhile."""

from __future__ import annotations

import json
from pathlib import Path

from translate_support import tu, write_tmx
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.scaffold import init_project

runner = CliRunner()
CHECKS = "海关负责查验。"
DOCUMENT = f"---\ntitle: 海关查验说明\ndate: 2025-01-01\n---\n\n{CHECKS}\n"


def zaitun(root: Path, *args: str):
    return runner.invoke(app, ["--project", str(root), *args])


def customs_run(tmp_path: Path, glossary: str):
    """`zaitun run` of a new project with the customs guide, memory rendering 海关 "customs house", and a
    glossary file of these lines; the project, that file and the run."""
    root = tmp_path / "site"
    init_project(root)
    (root / "content" / "guides" / "customs.md").write_text(DOCUMENT, encoding="utf-8")
    write_tmx(root / "tm" / "extra.tmx", tu(CHECKS, "The customs house checks.", "zh"))
    terms = root / "glossary" / "zz-customs.csv"
    terms.write_text(glossary, encoding="utf-8")
    return root, terms, zaitun(root, "run")


def test_a_line_with_an_open_quote_is_named_and_the_lines_after_it_are_used(tmp_path):
    root, terms, done = customs_run(
        tmp_path, 'zh,en,forbidden,note\n查验,"inspection,,\n海关,Customs,customs house,\n验放,clearance,,\n')

    assert done.exit_code == 1
    assert f'{terms}:2: a quote (") opened on this line is never closed' in done.stderr
    assert f"{terms}:4:" not in done.stderr
    assert f"'{CHECKS}' not imported: \"customs house\" is a forbidden rendering of 海关" in done.stderr
    shown = json.loads(zaitun(root, "review", "show", "customs", "--json").stdout)
    checks = next(s for s in shown["segments"] if s["source"] == CHECKS)
    assert checks["state"] == "draft" and checks["target"] == ""  # the memory holding it was never taken


def test_a_line_with_no_english_yet_still_refuses_its_forbidden_renderings(tmp_path):
    root, terms, done = customs_run(tmp_path, "zh,en,forbidden,note\n海关,,customs house,English to be agreed\n")

    assert done.exit_code == 1
    assert f"{terms}:2: 海关: empty English rendering: fill in the en column (its forbidden renderings are " \
           "refused meanwhile)" in done.stderr
    assert f"'{CHECKS}' not imported: \"customs house\" is a forbidden rendering of 海关" in done.stderr
    shown = json.loads(zaitun(root, "review", "show", "customs", "--json").stdout)
    checks = next(s for s in shown["segments"] if s["source"] == CHECKS)
    assert checks["state"] == "draft" and checks["target"] == ""
