"""The glossary's rules held through `zaitun run` on a `zaitun init` project, as staff meet them: memory
whose English hides a forbidden rendering behind odd spacing, a glossary file that contradicts another, a
glossary file that cannot be read. Nothing the glossary forbids or is unsure of goes out unread, and what
is wrong is said, at its file and line, while the rest of the site goes on."""

from __future__ import annotations

import json
from pathlib import Path

from translate_support import tu, write_tmx
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.project import Project
from zaitun.scaffold import init_project
from zaitun.state.store import Store

runner = CliRunner()
TITLE, COORDINATES, INTERPRETS = "宣传部工作说明", "宣传部负责协调。", "本办法由市委宣传部会同宣传部负责解释。"
DOCUMENT = f"---\ntitle: {TITLE}\ndate: 2025-01-01\n---\n\n## 宣传部\n\n{COORDINATES}\n\n{INTERPRETS}\n"
CLEAN = {TITLE: "Notes on the work of the Publicity Department", "宣传部": "Publicity Department",
         COORDINATES: "The Publicity Department coordinates.",
         INTERPRETS: "The Publicity Department of the CPC Quanzhou Municipal Committee and the Publicity "
                     "Department interpret these measures."}


def sample_project(root: Path, memory: dict[str, str]) -> Path:
    """The sample project with a document on 宣传部 and `memory` for it as a TMX file in tm/."""
    init_project(root)
    (root / "content" / "guides" / "publicity.md").write_text(DOCUMENT, encoding="utf-8")
    write_tmx(root / "tm" / "extra.tmx", "".join(tu(zh, en, "zh") for zh, en in memory.items()))
    return root


def zaitun(root: Path, *args: str):
    return runner.invoke(app, ["--project", str(root), *args])


def segments(root: Path) -> dict[str, dict]:
    shown = json.loads(zaitun(root, "review", "show", "publicity", "--json").stdout)
    return {s["source"]: s for s in shown["segments"]}


def english_page(root: Path) -> Path:
    return root / "publish" / "en" / "guides" / "publicity" / "index.html"


def test_memory_hiding_a_forbidden_rendering_behind_spaces_or_hyphens_is_neither_approved_nor_published(tmp_path):
    root = sample_project(tmp_path / "site", {
        **CLEAN, COORDINATES: "The Publicity Department (formerly the Propaganda-Department) coordinates."})
    store = Store.open(Project(root).database_url)
    with store.tx() as conn:  # approved in review under a zaitun that compared forbidden renderings exactly
        store.remember(conn, INTERPRETS, CLEAN[INTERPRETS].replace("and the Publicity Department",
                                                                   "and the Propaganda\u00a0Department"),
                       origin="review", approved_by="rita")

    done = zaitun(root, "run")

    assert not english_page(root).exists()
    assert (root / "publish" / "zh" / "guides" / "publicity" / "index.html").is_file()
    found = segments(root)
    assert found[COORDINATES]["state"] != "approved" and found[INTERPRETS]["state"] == "draft"
    assert [i["check"] for i in found[INTERPRETS]["issues"]] == ["forbidden"]
    assert found[INTERPRETS]["issues"][0]["message"].startswith('"Propaganda Department" is a forbidden rendering')
    assert f"{root / 'tm' / 'extra.tmx'}: '{COORDINATES}' not imported: \"Propaganda-Department\" is a forbidden " \
           "rendering of 宣传部" in done.stderr


def test_a_glossary_file_contradicting_another_is_reported_and_flags_the_term_while_the_rest_goes_on(tmp_path):
    root = sample_project(tmp_path / "site", {TITLE: CLEAN[TITLE], COORDINATES: CLEAN[COORDINATES]})
    glossary = root / "glossary"
    (glossary / "aaa.csv").write_text("zh,en,forbidden,note\n宣传部,Propaganda Department,,\n", encoding="utf-8")
    (glossary / "zz-gbk.csv").write_bytes("zh,en,forbidden,note\n厦门,Xiamen,Amoy,\n".encode("gbk"))
    places = glossary / "places.csv"
    lines = places.read_text(encoding="utf-8").count("\n")
    places.write_text(places.read_text(encoding="utf-8") + "厦门,Xiamen,Amoy\n", encoding="utf-8")

    done = zaitun(root, "run")

    assert done.exit_code == 1
    assert f"{glossary / 'government.csv'}:16: 宣传部: conflicting renderings 'Publicity Department' here and " \
           "'Propaganda Department' at aaa.csv:2; keep one" in done.stderr
    assert f"{places}:{lines + 1}: expected 4 columns" in done.stderr
    assert f"{glossary / 'zz-gbk.csv'}:2: cannot read the file as UTF-8 CSV" in done.stderr
    found = segments(root)
    conflict = ("glossary conflict: 宣传部 is 'Propaganda Department' in aaa.csv:2 and 'Publicity Department' in "
                "government.csv:16; keep one in the glossary, then check this English")
    assert found["宣传部"]["target"] == "Publicity Department"  # never the rendering another line forbids
    for source in (TITLE, "宣传部", COORDINATES):  # memory matches too: none approved while the glossary is unsure
        assert found[source]["state"] == "draft" and {"check": "glossary", "message": conflict} in \
            found[source]["issues"]
    assert not english_page(root).exists()
    assert (root / "publish" / "en" / "guides" / "240-hour-visa-free-transit" / "index.html").is_file()
    status = zaitun(root, "status").stdout
    assert f"needs fixing: {glossary / 'government.csv'}:16: 宣传部: conflicting" in status
    assert "[flagged by glossary]" in status and "[left out by glossary]" in status

    (glossary / "aaa.csv").unlink()
    (glossary / "zz-gbk.csv").unlink()
    places.write_text(places.read_text(encoding="utf-8").replace("厦门,Xiamen,Amoy\n", ""), encoding="utf-8")
    again = zaitun(root, "run")
    assert again.exit_code == 0 and "glossary" not in again.stderr
    assert "needs fixing" not in zaitun(root, "status").stdout
    assert all(not s["issues"] for s in segments(root).values() if s["source"] != INTERPRETS)
