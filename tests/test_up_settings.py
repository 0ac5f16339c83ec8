"""An operator mistypes zaitun.toml while `zaitun up` runs: the flow runs fail on it meanwhile, and once the file
reads again what they were to do is done (a file dropped meanwhile goes online), not left for a later event.
The real command runs as a subprocess, on its own ports, with its own Prefect server."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from conftest import write_doc
from test_up_running import wait_for_page
from test_up_stop import leftovers, running_stack  # noqa: F401 - leftovers: the fixture

from zaitun.scaffold import init_project


class Printed:
    """What a process prints, read as it comes by a thread of its own, so a wait for a line that never
    comes ends at its deadline rather than blocking on the pipe."""

    def __init__(self, proc) -> None:
        self.proc, self.lines = proc, []
        self.reader = threading.Thread(target=lambda: self.lines.extend(iter(proc.stdout.readline, "")), daemon=True)
        self.reader.start()

    def close(self) -> str:
        """Once the process ended: all it printed."""
        self.reader.join(30)
        self.proc.stdout.close()
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in list(self.lines)):
                return "".join(self.lines)
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not printed within {timeout:.0f} s:\n{''.join(self.lines)}")


def wait_for_text(path: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_file() and text in path.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not in {path} within {timeout:.0f} s")


def test_a_file_dropped_while_zaitun_toml_is_invalid_goes_online_once_it_is_fixed(tmp_path, leftovers):  # noqa: F811
    root = tmp_path / "site"
    init_project(root, with_sample=False)
    proc, ports, _children = running_stack(root, leftovers)
    printed = Printed(proc)
    try:
        config = root / "zaitun.toml"
        good = config.read_text(encoding="utf-8")
        config.write_text(good.replace("page_size = 20", 'page_size = "twenty"'), encoding="utf-8")
        printed.wait_for("zaitun.toml changed but is invalid", 30)
        write_doc(root, "guides/harbour.md", "title: 泉州港\ndate: 2026-11-02", "泉州港是海上丝绸之路的起点。\n")
        # the intake run the drop started fails on the setting (after its task's retries)
        wait_for_text(root / ".zaitun" / "prefect-serve.log", "Flow run encountered an exception: ConfigError", 90)
        assert not (root / "publish" / "zh" / "guides" / "harbour").exists()
        config.write_text(good, encoding="utf-8")
        said = printed.wait_for("document(s) taken in meanwhile", 90)
        assert "catching up on what waited for zaitun.toml" in said and "1 document(s) taken in" in said
        assert "take(s) effect only when zaitun up is restarted" not in said  # no setting changed since the start
        wait_for_page(f"http://127.0.0.1:{ports['preview']}/zh/guides/harbour/", 30)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(60)
        said = printed.close()  # the pipe closed even when an assertion above failed: no stray file for later tests
    assert "Traceback" not in said
