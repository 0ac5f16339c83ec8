"""`zaitun up` and what happens around it: a `kill -9` in the middle of a flow run, a second `zaitun up` in
the same project, its state folder deleted, zaitun.toml edited while it runs. The real command runs as a
subprocess, on its own ports, with its own Prefect server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import free_port
from test_up_stop import (  # noqa: F401 - leftovers: the fixture
    leftovers,
    running_stack,
)

from zaitun.scaffold import init_project

UP_ENV = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


def up_again(root: Path) -> subprocess.Popen:
    """`zaitun up` on the ports already in the project's zaitun.toml."""
    return subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(root), "up"], env=UP_ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def ended(proc: subprocess.Popen, within: float) -> str:
    try:
        return proc.communicate(timeout=within)[0]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)
        out = proc.communicate(timeout=60)[0]
        raise AssertionError(f"still running {within:.0f} s on:\n{out}") from None


def test_a_second_up_in_the_same_project_refuses_and_leaves_the_first_running(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    first, ports, _children = running_stack(root, leftovers)
    config = root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      .replace(f"port = {ports['review']}", f"port = {free_port()}")
                      .replace(f"preview_port = {ports['preview']}", f"preview_port = {free_port()}")
                      .replace(f"port = {ports['prefect']}", f"port = {free_port()}"), encoding="utf-8")
    second = up_again(root)
    out = ended(second, 60)
    assert second.returncode == 1, out
    assert (f"zaitun up is already running in this project (pid {first.pid}, review UI "
            f"http://127.0.0.1:{ports['review']}/); stop it first") in out
    assert "Traceback" not in out and "stopping" not in out
    assert first.poll() is None
    assert json.loads((root / ".zaitun" / "up.json").read_text(encoding="utf-8"))["pid"] == first.pid
    os.killpg(first.pid, signal.SIGINT)
    assert first.communicate(timeout=60)[0].rstrip().endswith("stopped")
