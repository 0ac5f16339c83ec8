"""Progress of long passes: rich bars on a terminal's stderr, nothing but each command's summary without one.

The real `zaitun` runs in a subprocess whose stderr is a pseudo-terminal (Python's pty) and whose stdout is a
pipe, as when a person pipes `zaitun run --json` into another program; then again with no terminal at all,
as under cron, CI or a Prefect worker.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest
from conftest import FIXTURES

ZAITUN = [sys.executable, "-m", "zaitun"]
NOTICES = FIXTURES / "notices"
ESCAPE = "\x1b["
COUNT_RE = r"\b{done}/{total}\b"


def env(**extra: str) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "COLUMNS")}
    return {**base, "PYTHONWARNINGS": "ignore", "PYTHONIOENCODING": "utf-8", "TERM": "xterm-256color",
            "COLUMNS": "120", **extra}


def in_terminal(project: Path, *args: str, **extra: str) -> tuple[subprocess.CompletedProcess, str]:
    """Run zaitun with stderr on a pseudo-terminal and stdout on a pipe; the result and what the terminal got."""
    terminal, stderr = pty.openpty()
    proc = subprocess.Popen([*ZAITUN, "--project", str(project), *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=stderr, env=env(**extra))
    os.close(stderr)
    seen: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(terminal, seen))  # a full terminal would stop zaitun
    reader.start()
    try:
        stdout, _ = proc.communicate(timeout=300)
    finally:
        reader.join(30)
        os.close(terminal)
    return (subprocess.CompletedProcess(proc.args, proc.returncode, stdout.decode("utf-8"), ""),
            b"".join(seen).decode("utf-8", errors="replace"))


def _drain(fd: int, seen: list[bytes]) -> None:
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: every writer has closed the terminal
            return
        if not data:
            return
        seen.append(data)


def plain(project: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """Run zaitun with no terminal at all (cron, CI, a Prefect worker's log)."""
    return subprocess.run([*ZAITUN, "--project", str(project), *args], capture_output=True, text=True,
                          timeout=300, env=env(**extra))


def bar(terminal: str, description: str, total: int) -> bool:
    """A rich bar of this pass reached its end on the terminal: description, bar and `total/total`."""
    return any(description in line and "━" in line and re.search(COUNT_RE.format(done=total, total=total), line)
               for line in _frames(terminal))


def _frames(terminal: str) -> list[str]:
    """Each redraw of the terminal's line, without colours."""
    return re.split(r"\r|\n", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal))


S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


def bucket(endpoint: str, name: str) -> str:
    boto3.client("s3", endpoint_url=endpoint, **_keys()).create_bucket(Bucket=name)
    return name


def _keys() -> dict:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    subprocess.run([*ZAITUN, "init", str(root), "--no-sample"], check=True, capture_output=True, env=env())
    return root


def notices(tmp_path: Path) -> Path:
    """A folder of notices as staff receive them, and a file that is none (named, and skipped)."""
    folder = tmp_path / "incoming"
    shutil.copytree(NOTICES, folder)
    (folder / "readme.pdf").write_bytes(b"%PDF-1.4")  # not a notice: a folder is read for .txt and .docx only
    return folder


def skipped(folder: Path) -> str:
    return f"warning: {folder / 'readme.pdf'}: a .pdf file is not a notice zaitun reads (.txt or .docx)"


def test_every_long_pass_draws_a_bar_on_a_terminal_while_stdout_keeps_only_its_lines(project, tmp_path,
                                                                                    s3_endpoint):
    count = len(list(NOTICES.glob("*.txt")))
    imported, terminal = in_terminal(project, "import", str(notices(tmp_path)))
    assert imported.returncode == 0, terminal
    assert bar(terminal, "Importing notices", count)
    lines = imported.stdout.splitlines()
    assert len(lines) == count + 1 and all(Path(line).is_file() for line in lines[:-1])
    assert lines[-1] == f"imported {count} of {count} notice(s); 1 skipped (not notices)"

    taken, terminal = in_terminal(project, "intake")
    assert bar(terminal, "Taking in documents", count) and taken.stdout.startswith(f"ingested {count},")

    translated, terminal = in_terminal(project, "translate")
    drafted = int(re.search(r"^(\d+) draft\(s\)", translated.stdout, re.M).group(1))
    assert drafted > count and bar(terminal, "Translating segments", drafted)

    built, terminal = in_terminal(project, "build")
    rendered = int(re.search(r"rendered (\d+),", built.stdout).group(1))
    assert rendered > 0 and bar(terminal, "Rendering pages", rendered)
    assert "Indexing for search" in terminal

    folder, terminal = in_terminal(project, "deploy", "--to", str(tmp_path / "www"))
    uploaded = int(re.search(r"uploaded (\d+),", folder.stdout).group(1))
    assert uploaded > rendered and bar(terminal, "Comparing files", uploaded) and bar(terminal, "Uploading files",
                                                                                      uploaded)
    s3, terminal = in_terminal(project, "deploy", "--to", f"s3://{bucket(s3_endpoint, 'bars')}/www",
                               "--endpoint-url", s3_endpoint, **S3_KEYS)
    assert s3.returncode == 0 and f"uploaded {uploaded}," in s3.stdout and bar(terminal, "Uploading files", uploaded)
    for done in (imported, taken, translated, built, folder, s3):
        assert ESCAPE not in done.stdout and "━" not in done.stdout


def test_without_a_terminal_each_pass_prints_its_summary_once_and_no_bar(project, tmp_path, s3_endpoint):
    count = len(list(NOTICES.glob("*.txt")))
    imported = plain(project, "import", str(folder := notices(tmp_path)))
    assert imported.stdout.splitlines()[-1] == f"imported {count} of {count} notice(s); 1 skipped (not notices)"
    assert imported.returncode == 0 and imported.stderr.splitlines() == [skipped(folder)]  # no bar
    taken = plain(project, "intake")
    assert taken.stdout.splitlines() == [f"ingested {count}, unchanged 0, withdrawn 0, errors 0"]
    translated = plain(project, "translate")
    built = plain(project, "build")
    [summary] = [line for line in built.stdout.splitlines() if line.startswith("built ")]
    assert re.fullmatch(r"built .*: rendered \d+, unchanged 0, removed 0, .* in \d+\.\d\ds", summary)
    folder = plain(project, "deploy", "--to", str(tmp_path / "www"))
    assert folder.stdout.splitlines() == [f"{tmp_path / 'www'}: uploaded {len(_files(tmp_path / 'www'))}, "
                                          f"unchanged 0, deleted 0"]
    s3 = plain(project, "deploy", "--to", f"s3://{bucket(s3_endpoint, 'plain')}/www", "--endpoint-url", s3_endpoint,
               **S3_KEYS)
    assert s3.stdout.splitlines() == [f"s3://plain/www: uploaded {len(_files(tmp_path / 'www'))}, unchanged 0, "
                                      f"deleted 0"]
    for done in (taken, translated, built, folder, s3):
        assert done.returncode == 0 and done.stderr == "", done.stderr
        assert ESCAPE not in done.stdout and "━" not in done.stdout


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]


def test_json_outputs_stay_valid_json_while_bars_are_drawn(project, tmp_path):
    plain(project, "import", str(notices(tmp_path)))
    plain(project, "intake")
    translated, terminal = in_terminal(project, "translate", "--json")
    assert bar(terminal, "Translating segments", sum(len(d["segments"]) for d in
                                                    json.loads(translated.stdout)["documents"]))
    shutil.rmtree(project / "content" / "policies")  # the next pass has something to do in each stage
    ran, terminal = in_terminal(project, "run", "--json", "--allow-empty")  # every notice, on purpose
    summary = json.loads(ran.stdout)
    assert len(summary["intake"]["withdrawn"]) == len(list(NOTICES.glob("*.txt")))
    assert "Rendering pages" in terminal
    status, _ = in_terminal(project, "status", "--json")
    assert {d["stage"] for d in json.loads(status.stdout)["documents"]} == {"withdrawn"}


def test_a_dumb_terminal_gets_no_bar_and_no_color_a_bar_without_colours(project, tmp_path):
    folder = notices(tmp_path)
    dumb, terminal = in_terminal(project, "import", str(folder), "--section", "a", TERM="dumb")
    assert dumb.returncode == 0 and terminal.splitlines() == [skipped(folder)]
    grey, terminal = in_terminal(project, "import", str(folder), "--section", "b", "--force", NO_COLOR="1")
    assert grey.returncode == 1  # the same slugs, now in another section: refused, each named
    assert "Importing notices" in terminal and not re.search(r"\x1b\[[0-9;]*m", terminal.split("zaitun: error")[0])


def test_import_takes_files_and_folders_and_one_broken_notice_stops_none_of_the_others(project, tmp_path):
    folder = notices(tmp_path)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a Word file")
    single = tmp_path / "seed.txt"
    shutil.copy(FIXTURES / "seed-notice.txt", single)
    done = plain(project, "import", str(broken), str(folder), str(single))
    count = len(list(NOTICES.glob("*.txt"))) + 1
    assert done.returncode == 1
    written = [Path(line) for line in done.stdout.splitlines()[:-1]]
    assert len(written) == count and all(p.is_file() and p.parent.name == "policies" for p in written)
    assert done.stdout.splitlines()[-1] == (f"imported {count} of {count + 1} notice(s); 1 could not be imported; "
                                            "1 skipped (not notices)")
    error, warning = sorted(done.stderr.splitlines(), key=lambda line: line.startswith("warning"))
    assert error.startswith(f"zaitun: error: {broken}: not a readable .docx file") and warning == skipped(folder)
    refused = plain(project, "import", str(folder), "--slug", "one")
    assert refused.returncode == 2 and "--slug names one notice" in refused.stderr


def test_a_build_rendered_by_forked_workers_advances_its_bar_in_the_parent(project):
    from zaitun.publish.workers import PARALLEL_MIN

    for i in range(PARALLEL_MIN):  # a page per document at least: enough outputs for the render workers
        page = project / "content" / "guides" / f"guide-{i}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"---\ntitle: 指南{i}\ndate: 2025-01-01\n---\n\n第{i}篇指南的正文。\n", encoding="utf-8")
    assert plain(project, "intake").returncode == 0
    built, terminal = in_terminal(project, "build")
    rendered = int(re.search(r"rendered (\d+),", built.stdout).group(1))
    assert built.returncode == 0 and rendered > PARALLEL_MIN and bar(terminal, "Rendering pages", rendered)
    assert (project / "publish" / "zh" / "guides" / f"guide-{PARALLEL_MIN - 1}" / "index.html").is_file()
