"""The foundation commands as a newcomer runs them: real subprocesses on a new project."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES

from zaitun.errors import shown
from zaitun.project import Project

ZAITUN = [sys.executable, "-m", "zaitun"]


def run(*args: str, cwd: Path | None = None, input: str | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})}
    return subprocess.run([*ZAITUN, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env,
                          input=input)


def test_init_check_import_round_trip(tmp_path):
    project = tmp_path / "site"
    result = run("init", str(project))
    assert result.returncode == 0, result.stderr
    for name in ("zaitun.toml", "content", "glossary", "tm", "prefect.yaml", "static/.gitkeep"):
        assert (project / name).exists(), name
    assert run("--project", str(project), "check").returncode == 0

    gbk = tmp_path / "notice-gbk.txt"
    gbk.write_bytes((FIXTURES / "seed-notice.txt").read_text(encoding="utf-8").encode("gb18030"))
    imported = run("--project", str(project), "import", str(gbk), "--slug", "measures-2024", "--section", "policies")
    assert imported.returncode == 0, imported.stderr
    written = Path(imported.stdout.strip())
    assert written == project / "content" / "policies" / "measures-2024.md"
    text = written.read_text(encoding="utf-8")
    assert "doc_number: 泉政办规〔2024〕11号" in text and "valid_until: 2026-12-31" in text
    assert text.count("\n## ") == 4 and text.count("\n### ") == 16


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    result = run("init", str(tmp_path))
    assert result.returncode == 1
    assert "not empty" in result.stderr and "Traceback" not in result.stderr


def test_check_reports_every_bad_file_with_path_and_line_and_modifies_nothing(tmp_path):
    project = tmp_path / "p"
    assert run("init", str(project), "--no-sample").returncode == 0
    guides = project / "content" / "guides"
    guides.mkdir()
    files = {
        "broken-yaml.md": b"---\ntitle: [oops\ndate: 2025-01-01\n---\n",
        "no-date.md": "---\ntitle: 标题\n---\n正文\n".encode(),
        "bad-date.md": "---\ntitle: 标题\ndate: 2025-02-30\n---\n".encode(),
        "Bad_Slug.md": "---\ntitle: 标题\ndate: 2025-01-01\n---\n".encode(),
        "gbk.md": "---\ntitle: 标题\ndate: 2025-01-01\n---\n".encode("gbk"),
        "good.md": "---\ntitle: 标题\ndate: 2025-01-01\n---\n正文。\n".encode(),
    }
    for name, data in files.items():
        (guides / name).write_bytes(data)
    (project / "zaitun.toml").write_text('[project]\ntarget_languages = ["fr"]\n', encoding="utf-8")
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}

    result = run("--project", str(project), "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    expected = [
        f"{project / 'zaitun.toml'}:2: unsupported target_languages = ['fr']",
        f"{guides / 'broken-yaml.md'}:2: broken YAML",
        f"{guides / 'no-date.md'}:1: missing required field 'date'",
        f"{guides / 'bad-date.md'}:3: bad date in 'date'",
        f"{guides / 'Bad_Slug.md'}:1: bad slug",
        f"{guides / 'gbk.md'}:2: undecodable bytes",
    ]
    for prefix in expected:
        assert any(line.startswith(prefix) for line in lines), (prefix, lines)
    assert not any("good.md" in line for line in lines)
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_user_errors_print_no_traceback(tmp_path):
    result = run("--project", str(tmp_path), "import", str(tmp_path / "missing.txt"))
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_help_lists_every_command_and_a_mistyped_one_is_answered_with_the_nearest(tmp_path):
    """Commands are made only when looked up (zaitun.cli._Made): --help still lists all, a typo still gets help."""
    helped = run("--help", cwd=tmp_path)
    listed = [line.split()[1] for line in helped.stdout.splitlines() if line.startswith("│ ") and
              len(line.split()) > 2 and line.split()[1].isalpha()]
    assert [name for name in ("init", "check", "intake", "status", "run", "up", "review", "translate", "build",
                              "deploy", "rollback", "social") if name in listed] == [
        "init", "check", "intake", "status", "run", "up", "review", "translate", "build", "deploy", "rollback",
        "social"]
    mistyped = run("--project", str(tmp_path), "biuld", cwd=tmp_path)
    assert mistyped.returncode == 2 and "Did you mean 'build'?" in mistyped.stderr
    sub = run("--project", str(tmp_path), "review", "aprove", cwd=tmp_path)
    assert sub.returncode == 2 and "Did you mean 'approve'?" in sub.stderr


def test_help_wraps_each_paragraph_to_the_terminal_not_where_the_source_wrapped_it(tmp_path):
    """Docstrings are wrapped for the source; typer's rich help kept those breaks, and --help printed ragged
    lines. A wide terminal shows a paragraph as one line."""
    helped = run("review", "reject", "--help", cwd=tmp_path, env={"COLUMNS": "300"})
    assert helped.returncode == 0
    said = ("When someone saved another draft or rejected it since you read it, nothing is rejected. Rejecting "
            "approved English of a published document takes its English page offline at the next build")
    assert said in helped.stdout
    listed = run("--help", cwd=tmp_path, env={"COLUMNS": "300"}).stdout
    assert "notification URLs Apprise must understand), content and the files it links" in listed


def test_text_typed_in_a_gbk_terminal_is_refused_as_a_bad_value_not_a_traceback(tmp_path):
    """An SSH client on Chinese Windows may send GBK: a slug, an account or English typed there is not UTF-8,
    and the first query with it stopped with a traceback."""
    project = tmp_path / "p"
    run("init", str(project))
    typed = os.fsdecode("泉州".encode("gbk"))  # as Python reads it from such a terminal
    for args in (("review", "show", typed), ("translate", typed), ("review", "approve", "about", "x@y", "--as", typed),
                 ("user", "disable", typed, "--as", "admin"),
                 ("review", "edit", "about", "abc@def", "--target", f"Visit {typed}", "--as", "admin"),
                 ("translate", "--provider", "libre", "--provider-url", f"http://{typed}/"),
                 ("review", "serve", "--host", typed)):
        done = run("--project", str(project), *args, env={"COLUMNS": "300"})
        assert done.returncode == 2 and "Traceback" not in done.stderr, (args, done.stderr)
        assert "is not UTF-8: the terminal sends another encoding (GBK?); set it to UTF-8" in done.stderr, args


def test_a_project_in_a_folder_named_in_gbk_is_refused_in_one_line_naming_it(tmp_path):
    """An archive unpacked from Chinese Windows names its folders in GBK: the store cannot be opened at such a
    path, and every command stopped with a traceback. Each says why, and `init` makes no project there."""
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + "项目".encode("gbk")))
    folder.mkdir()
    made = run("init", str(folder / "new"))
    assert made.returncode == 1 and "has a name that is not UTF-8" in made.stderr and not (folder / "new").exists()
    assert run("init", str(tmp_path / "p")).returncode == 0
    (tmp_path / "p").rename(folder / "p")
    for args in (("check",), ("status",), ("run",)):
        done = run(*args, cwd=folder / "p")
        assert done.returncode == 1 and "Traceback" not in done.stderr, (args, done.stderr)
        assert done.stderr.startswith(f"zaitun: error: the project's folder {shown(folder / 'p')} has a name that is "
                                      "not UTF-8"), (args, done.stderr)


def test_status_json_lists_documents_after_intake(tmp_path):
    project = tmp_path / "p"
    run("init", str(project))
    assert run("--project", str(project), "intake").returncode == 0
    status = json.loads(run("--project", str(project), "status", "--json").stdout)
    slugs = {d["slug"] for d in status["documents"]}
    assert "quan-zheng-ban-gui-2024-11" in slugs and "240-hour-visa-free-transit" in slugs


def test_status_says_a_last_day_in_force_and_no_expiry_of_a_withdrawn_document(tmp_path):
    project = tmp_path / "p"
    run("init", str(project), "--no-sample")
    guides = project / "content" / "guides"
    guides.mkdir()
    today = Project(project).today()  # the site's day (Quanzhou's), which status counts in
    for slug, until in (("ending", today), ("gone", today + dt.timedelta(days=5))):
        (guides / f"{slug}.md").write_text(f"---\ntitle: 规定\ndate: {today - dt.timedelta(days=30)}\n"
                                           f"valid_until: {until}\n---\n\n正文。\n", encoding="utf-8")
    run("--project", str(project), "intake")
    (guides / "gone.md").unlink()
    run("--project", str(project), "intake")
    lines = {line.split()[0]: line for line in run("--project", str(project), "status").stdout.splitlines() if line}
    assert lines["ending"].endswith(f"[last day in force today, {today}]")
    assert "withdrawn" in lines["gone"] and "expiring" not in lines["gone"]


def test_status_names_files_that_need_fixing(tmp_path):
    project = tmp_path / "p"
    run("init", str(project), "--no-sample")
    (project / "content" / "guides").mkdir()
    (project / "content" / "guides" / "bad.md").write_text("---\ntitle: 标题\n---\n", encoding="utf-8")
    linking = project / "content" / "guides" / "map.md"
    linking.write_text("---\ntitle: 地图\ndate: 2025-01-01\n---\n\n![地图](map.png)\n", encoding="utf-8")
    run("--project", str(project), "intake")
    result = run("--project", str(project), "status")
    bad = project / "content" / "guides" / "bad.md"
    assert f"needs fixing: {bad}:1: missing required field 'date'" in result.stdout
    assert f"needs fixing: {linking}:6: image map.png: no such file content/guides/map.png" in result.stdout
    status = json.loads(run("--project", str(project), "status", "--json").stdout)
    # check's problems are intake's refusals: neither file was taken in, both stay where they are
    assert status["documents"] == [] and len(status["errors"]) == 2 and bad.exists() and linking.exists()
    assert {f["state"] for f in status["failures"]} == {"quarantined"}


def test_check_reports_the_notices_intake_would_quarantine_and_moves_none(tmp_path):
    project = tmp_path / "p"
    assert run("init", str(project), "--no-sample").returncode == 0
    policies = project / "content" / "policies"
    policies.mkdir(parents=True)
    seed = (FIXTURES / "seed-notice.txt").read_bytes()
    (policies / "good-notice.txt").write_bytes(seed)
    (policies / "empty.txt").write_bytes(b"")
    (policies / "fake.docx").write_bytes(b"PK\x03\x04 not really a document")
    outside = tmp_path / "outside.txt"
    outside.write_bytes(seed)
    (policies / "linked.txt").symlink_to(outside)
    (project / "content" / "root.txt").write_bytes(seed)
    before = sorted(p.name for p in project.rglob("*"))

    result = run("--project", str(project), "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    reported = {Path(line.split(":", 1)[0]).name for line in result.stderr.splitlines() if line.startswith("/")}
    assert reported == {"empty.txt", "fake.docx", "linked.txt", "root.txt"}  # the good notice is not named
    assert "outside the content folder" in result.stderr and "section folder" in result.stderr
    assert sorted(p.name for p in project.rglob("*")) == before  # nothing converted, moved or written


def test_a_command_run_outside_any_project_refuses_and_makes_no_store(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    for command in (["status"], ["run"], ["check"], ["review", "show", "visa"]):
        result = run(*command, cwd=folder)
        assert result.returncode == 1, (command, result.stdout)
        assert result.stderr.startswith(f"zaitun: error: this folder ({folder}) is no zaitun project: it holds no "
                                        "zaitun.toml, content/ or .zaitun/ (nor does a folder above it)"), result.stderr
        assert f"`zaitun --project DIR {command[0]} ...`" in result.stderr
    assert list(folder.iterdir()) == []  # no .zaitun/ made there
    assert "Usage:" in run("status", "--help", cwd=folder).stdout  # help needs no project
    assert run("init", "site", cwd=folder).returncode == 0  # and a project is made as before


def test_a_command_run_inside_content_works_on_its_project(tmp_path):
    project = tmp_path / "site"
    assert run("init", str(project)).returncode == 0
    guides = project / "content" / "guides"
    assert run("run", cwd=project).returncode == 0
    listed = json.loads(run("status", "--json", cwd=guides).stdout)
    assert "240-hour-visa-free-transit" in {d["slug"] for d in listed["documents"]}
    assert run("review", "show", "240-hour-visa-free-transit.md", cwd=guides).returncode == 0
    assert not (guides / ".zaitun").exists() and not (project / "content" / ".zaitun").exists()


def test_a_given_project_folder_that_is_none_is_refused(tmp_path):
    result = run("--project", str(tmp_path), "status")
    assert result.returncode == 1
    assert f"{tmp_path} ({tmp_path}) is no zaitun project" in result.stderr and "nor does" not in result.stderr
    assert not (tmp_path / ".zaitun").exists()
