"""content/ gone from under a running project (a share not mounted, the folder moved, its link left pointing at
nothing): no document is withdrawn and no page goes offline; the pass says why in one line, and the rest of it
(translate, publish) still runs. `zaitun up` refuses to start rather than make content/ anew, empty."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zaitun.scaffold import init_project

ZAITUN = [sys.executable, "-m", "zaitun"]
PAGE = Path("en", "guides", "240-hour-visa-free-transit", "index.html")


def zaitun(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {"PYTHONWARNINGS": "ignore"}
    return subprocess.run([*ZAITUN, "--project", str(root), *args], capture_output=True, text=True, timeout=300,
                          env=env)


def statuses(root: Path) -> dict[str, str]:
    listed = json.loads(zaitun(root, "status", "--json").stdout)
    return {d["slug"]: d["stage"] for d in listed["documents"]}


@pytest.fixture
def published(tmp_path):
    root = tmp_path / "site"
    init_project(root)
    assert zaitun(root, "run").returncode == 0
    assert (root / "publish" / PAGE).is_file()
    return root


@pytest.mark.parametrize("how, what", [("moved", "missing"), ("dangling link", "a link to nothing")])
def test_a_missing_content_folder_withdraws_nothing_and_says_so(published, tmp_path, how, what):
    before = statuses(published)
    (published / "content").rename(tmp_path / "content-elsewhere")
    if how == "dangling link":
        (published / "content").symlink_to(tmp_path / "unmounted-share")
    result = zaitun(published, "run")
    assert "Traceback" not in result.stderr
    assert (f"{published / 'content'}: the content folder is {what}: no document was withdrawn"
            in result.stdout + result.stderr), result.stdout + result.stderr
    assert "intake: 0 taken in, 0 withdrawn, 1 with errors" in result.stdout
    assert "publish: built" in result.stdout  # the rest of the pass ran
    assert statuses(published) == before and set(before.values()) == {"approved"}
    assert (published / "publish" / PAGE).is_file()
    if how == "dangling link":
        (published / "content").unlink()
    (tmp_path / "content-elsewhere").rename(published / "content")  # mounted again: nothing to take in anew
    again = zaitun(published, "run")
    assert "intake: 0 taken in, 0 withdrawn, 0 with errors" in again.stdout, again.stdout + again.stderr


def test_up_refuses_to_start_without_its_content_folder_and_makes_none(published, tmp_path):
    (published / "content").rename(tmp_path / "content-elsewhere")
    result = zaitun(published, "up")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"zaitun: error: {published / 'content'}: the content folder is missing: no "
                                     "document was withdrawn; put it back (or mount it), or delete the files of the "
                                     "documents to withdraw")
    assert not (published / "content").exists()
    assert set(statuses(published).values()) == {"approved"}
