"""An operator edits zaitun.toml by hand and gets it wrong: the command refuses in one line naming the file and
the line that is wrong, and nothing of the project (content, store, another program's files) is moved or lost."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from zaitun.scaffold import init_project

ZAITUN = [sys.executable, "-m", "zaitun"]


def zaitun(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([*ZAITUN, "--project", str(root), *args], capture_output=True, text=True, timeout=300,
                          env=env)


def set_line(root: Path, line: str, new: str) -> int:
    """Replace the whole line `line` of the project's zaitun.toml; its line number."""
    path = root / "zaitun.toml"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    number = lines.index(line) + 1
    path.write_text(re.sub(f"(?m)^{re.escape(line)}$", new, text), encoding="utf-8")
    return number


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "site"
    init_project(root)
    return root


@pytest.mark.parametrize("folder", ["content", ".zaitun", ".", "content/site"])
def test_an_output_dir_naming_the_content_the_store_or_the_project_is_refused_and_nothing_is_moved(project,
                                                                                                  folder):
    assert zaitun(project, "intake").returncode == 0
    content, store = files_of(project / "content"), files_of(project / ".zaitun")
    line = set_line(project, 'output_dir = "publish"', f'output_dir = "{folder}"')
    result = zaitun(project, "run")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"zaitun: error: {project / 'zaitun.toml'}:{line}: 'publish.output_dir' = "
                                    f"'{folder}' is "), result.stderr
    assert 'give a folder of its own, such as "publish"' in result.stderr
    assert project.is_dir() and not project.is_symlink()
    assert not (project / "content").is_symlink() and files_of(project / "content") == content
    assert not (project / ".zaitun").is_symlink() and files_of(project / ".zaitun") == store
    assert [p.name for p in project.parent.iterdir()] == ["site"]  # no .site.versions/ beside it


def test_an_output_dir_holding_another_programs_files_is_refused_and_kept_as_it_is(project, tmp_path):
    webroot = tmp_path / "www"
    (webroot / "cgi").mkdir(parents=True)
    (webroot / "index.html").write_text("<p>the department's own page</p>", encoding="utf-8")
    (webroot / "cgi" / "form.php").write_text("<?php ?>", encoding="utf-8")
    before = files_of(webroot)
    set_line(project, 'output_dir = "publish"', f'output_dir = "{webroot}"')
    for command in ("build", "run", "build"):  # as many builds as would have removed it, adopted as a version
        result = zaitun(project, command)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert (f"zaitun: error: {webroot} (publish.output_dir) is a folder holding files that are not a site "
                "zaitun built") in result.stderr
    assert webroot.is_dir() and not webroot.is_symlink() and files_of(webroot) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "www"]  # no .www.versions/ beside it


def test_a_run_whose_build_is_refused_says_what_intake_and_translate_did_then_the_error(project, tmp_path):
    assert zaitun(project, "run").returncode == 0
    webroot = tmp_path / "www"
    webroot.mkdir()
    (webroot / "index.php").write_text("<?php ?>", encoding="utf-8")
    set_line(project, 'output_dir = "publish"', f'output_dir = "{webroot}"')
    guide = project / "content" / "guides" / "240-hour-visa-free-transit.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\n新增一句说明。\n", encoding="utf-8")
    result = zaitun(project, "run")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.splitlines() == ["intake: 1 taken in, 0 withdrawn, 0 with errors",
                                          "translate: 1 drafted, 1 to review, 0 document(s) approved from memory",
                                          "publish: failed, see the error below"], result.stdout
    assert result.stderr.startswith(f"zaitun: error: {webroot} (publish.output_dir) is a folder holding files")
    as_json = zaitun(project, "run", "--json")  # the change is taken in now: nothing to do but the build
    assert as_json.returncode == 1
    summary = json.loads(as_json.stdout)
    assert summary["intake"]["ingested"] == [] and "publish" not in summary
    assert summary["error"].startswith(f"{webroot} (publish.output_dir) is a folder holding files")


def test_an_empty_output_folder_made_beforehand_is_built_into(project, tmp_path):
    (tmp_path / "www").mkdir()
    set_line(project, 'output_dir = "publish"', f'output_dir = "{tmp_path / "www"}"')
    assert zaitun(project, "run").returncode == 0
    assert (tmp_path / "www").is_symlink() and (tmp_path / "www" / "zh" / "index.html").is_file()


@pytest.mark.parametrize("line, new, message", [
    ("port = 4200", "port = 70000", "'prefect.port' must be a port from 1 to 65535"),
    ("port = 4200", "prot = 4300", "unknown setting 'prefect.prot'"),
    ("concurrency = 1", "concurrency = 0", "'translate.concurrency' must be at least 1"),
    ("batch_size = 20", "batch_size = 0", "'translate.batch_size' must be at least 1"),
    ("retries = 3", "retries = 0", "'translate.retries' must be at least 1"),
    ("timeout = 10.0", "timeout = -1", "'translate.timeout' must be more than 0 seconds"),
    ("fuzzy_threshold = 70", "fuzzy_threshold = 170", "'translate.fuzzy_threshold' must be a percentage"),
    ("expiry_warning_days = 60", "expiry_warning_days = -7", "'site.expiry_warning_days' must not be negative"),
    ('title.en = "Quanzhou Government Information"', "title.en = 3", "'site.title.en' must be str"),
])
def test_a_wrong_setting_is_named_at_its_own_line_in_its_own_table(project, line, new, message):
    """`port` is in [review] and [prefect]: the error points at the line that is wrong, not the first `port`."""
    number = set_line(project, line, new)
    result = zaitun(project, "status")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"zaitun: error: {project / 'zaitun.toml'}:{number}: {message}"), result.stderr


@pytest.mark.parametrize("text, line, message", [
    ("deployments:\n  - name: intake\n   entrypoint: zaitun.flows.intake:intake\n", 3, "invalid YAML: "),
    ("- intake\n", 1, "not a Prefect project file: it should hold `deployments:`"),
    ("deployments: []\n# 中文\n".encode("gbk"), 2, "not UTF-8 text: byte 0xd6 is not UTF-8"),  # Notepad's "ANSI"
])
def test_a_broken_prefect_yaml_stops_up_and_the_upgrade_in_one_line_naming_its_line(project, text, line, message):
    text = text if isinstance(text, bytes) else text.encode()
    (project / "prefect.yaml").write_bytes(text)
    for args in (("up",), ("init", "--upgrade", str(project))):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        command = [*ZAITUN, *(args if args[0] == "init" else ("--project", str(project), *args))]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith(f"zaitun: error: {project / 'prefect.yaml'}:{line}: {message}"), result.stderr
    assert (project / "prefect.yaml").read_bytes() == text


@pytest.mark.parametrize("data, line, message", [
    (b'[site]\npage_size = 30\npage_size = 40\n', 3, "invalid TOML: Cannot overwrite a value"),
    ('[site]\ntitle.zh = "泉州"\n'.encode("gbk"), 2, "not UTF-8 text: byte 0xd6 is not UTF-8"),  # (泉 reads as UTF-8)
])
def test_the_upgrade_names_a_zaitun_toml_that_does_not_read_at_its_line(project, data, line, message):
    """`zaitun init --upgrade`, run to mend a project, stopped with a traceback on the file it was to compare."""
    (project / "zaitun.toml").write_bytes(data)
    result = subprocess.run([*ZAITUN, "init", "--upgrade", str(project)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"zaitun: error: {project / 'zaitun.toml'}:{line}: {message}"), result.stderr
    assert (project / "zaitun.toml").read_bytes() == data
