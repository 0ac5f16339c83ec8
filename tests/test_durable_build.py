"""A power cut never leaves publish/ pointing at files the disk did not receive: what a build wrote is flushed
before the version is renamed complete, that rename before publish/ is switched to it. Proved on the system
calls of a real `zaitun build`, traced by strace (Debian's package). On Linux the build flushes its file
system with one syncfs; elsewhere it fsyncs each new file and each folder (`flush_each`, traced here too).
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from publish_helpers import TRANSIT, TRANSIT_BODY, standard_project

from zaitun.publish import output

CALL = re.compile(r"^\d+\s+(fsync|syncfs|rename|renameat2?|openat)\((.*)\) = (\d+)(?:<.*>)?$")
FD_PATH = re.compile(r"<([^>]*)>")
QUOTED = re.compile(r'"([^"]*)"')
FLUSHES = ("fsync", "syncfs")

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace (apt-get install strace)")


def traced(log: Path, *argv: str) -> list[tuple[str, list[str]]]:
    """Run argv under strace; its flushes (fsync, syncfs: the path flushed), renames (from, to) and files
    created or written (openat with O_CREAT), in order."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {"PYTHONWARNINGS": "ignore"}
    calls = "trace=fsync,syncfs,rename,renameat,renameat2,openat"
    done = subprocess.run(["strace", "-f", "-y", "-qq", "-e", calls, "-o", str(log), sys.executable, *argv],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    calls = []
    for line in log.read_text(encoding="utf-8").splitlines():
        if match := CALL.match(line):
            name, args, _ = match.groups()
            if name == "openat" and "O_CREAT" not in args:
                continue  # only files being written
            paths = FD_PATH.findall(args) if name in FLUSHES else QUOTED.findall(args)
            calls.append((name, [codecs.escape_decode(p)[0].decode("utf-8") for p in paths]))  # strace escapes
    return calls


def new_files(version: Path) -> set[str]:
    """Files of a version written by its build (a hard-linked one has a second name in an earlier version)."""
    return {str(p) for p in version.rglob("*") if p.is_file() and not p.is_symlink() and p.stat().st_nlink == 1}


def traced_build(root: Path, log: Path) -> list[tuple[str, list[str]]]:
    return traced(log, "-m", "zaitun", "--project", str(root), "build")


def check_flushed_before_switch(calls: list, version: Path, out: Path) -> None:
    """Nothing of the version is written after the flush of its file system, which comes before the version
    is renamed complete; that rename is flushed before publish/ is switched."""
    building = f"{version}{output.BUILDING}"
    renames = [(i, paths) for i, (name, paths) in enumerate(calls) if name.startswith("rename")]
    complete = next(i for i, paths in renames if paths == [building, str(version)])
    switched = next(i for i, paths in renames if i > complete and paths[-1] == str(out))
    synced = max(i for i, (name, p) in enumerate(calls[:complete]) if name == "syncfs" and p[0].startswith(building))
    written = [p[0] for name, p in calls[:complete] if name == "openat" and p[0].startswith(building)]
    assert written and not [p for name, p in calls[synced:complete] if name == "openat"]
    between = {paths[0] for name, paths in calls[complete:switched] if name in FLUSHES}
    assert str(version.parent) in between  # the rename that made the version complete is on disk too


def test_a_build_flushes_what_it_wrote_before_going_online(tmp_path):
    fx = standard_project(tmp_path / "proj")
    calls = traced_build(fx.project.root, tmp_path / "first.log")
    check_flushed_before_switch(calls, output.current(fx.out), fx.out)
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n新增一段。\n")
    fx.ingest()
    calls = traced_build(fx.project.root, tmp_path / "second.log")
    check_flushed_before_switch(calls, output.current(fx.out), fx.out)


def test_flush_each_fsyncs_every_new_file_and_folder_but_not_hard_linked_ones(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n新增一段。\n")
    fx.ingest()
    fx.build()
    version = output.current(fx.out)
    code = f"from zaitun.publish.output import flush_each; flush_each({str(version)!r})"
    calls = traced(tmp_path / "flush.log", "-c", code)
    flushed = {paths[0] for name, paths in calls if name == "fsync"}
    new = {str(p) for p in version.rglob("*") if p.is_file() and not p.is_symlink() and p.stat().st_nlink == 1}
    folders = {str(p) for p in version.rglob("*") if p.is_dir() and not p.is_symlink()} | {str(version)}
    assert str(version / "site" / "zh" / "guides" / "transit" / "index.html") in new
    assert not (new | folders) - flushed, sorted((new | folders) - flushed)[:5]
    unchanged = version / "site" / "en" / "policies" / "notice-2023-1" / "index.html"
    assert unchanged.stat().st_nlink > 1 and str(unchanged) not in flushed  # written and flushed by the first build


def test_publish_fsync_off_flushes_nothing_of_the_site(tmp_path):
    fx = standard_project(tmp_path / "proj")
    config = fx.project.root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[publish]\nfsync = false\n", encoding="utf-8")
    calls = traced_build(fx.project.root, tmp_path / "build.log")
    version = output.current(fx.out)
    assert not [p for name, p in calls if name in FLUSHES and p and p[0].startswith(str(version.parent) + "/0")]
