"""content/ gone from under a running project (a share not mounted, the folder moved, its link left pointing at
nothing): no document is withdrawn and no page goes offline; the pass says why in one line, and the rest of it
(translate, publish) still runs. `zaitun up` refuses to start rather than make content/ anew, empty."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from test_up import on_free_ports
from test_up_stop import leftovers, running_stack, stop  # noqa: F401 - leftovers: the fixture

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
    on_free_ports(published)  # so the content folder is what it stops on
    result = zaitun(published, "up")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"zaitun: error: {published / 'content'}: the content folder is missing: no "
                                     "document was withdrawn; put it back (or mount it), or delete the files of the "
                                     "documents to withdraw")
    assert not (published / "content").exists()
    assert set(statuses(published).values()) == {"approved"}


def empty_content(root: Path, away: Path) -> None:
    """Every section folder moved out of content/, content/ itself left: a share's empty mount point."""
    away.mkdir()
    for section in (root / "content").iterdir():
        section.rename(away / section.name)


def test_an_emptied_content_folder_withdraws_nothing_until_told_to_on_purpose(published, tmp_path):
    before = statuses(published)
    (published / "content" / "about" / "about.md").unlink()  # one file deleted: withdrawn, as ever
    assert "withdrawn 1" in zaitun(published, "intake").stdout
    assert statuses(published)["about"] == "withdrawn"
    online = {slug for slug, stage in statuses(published).items() if stage != "withdrawn"}
    empty_content(published, tmp_path / "away")
    for command in ("run", "intake"):
        result = zaitun(published, command)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert (f"{published / 'content'}: the content folder holds no document while {len(online)} were taken in: "
                "none was withdrawn, as that would take the whole site offline (is a share not mounted over it?); put "
                "the files back (or mount it), or withdraw them all on purpose with `zaitun run --allow-empty`"
                ) in result.stderr, result.stderr
        assert {slug for slug, stage in statuses(published).items() if stage != "withdrawn"} == online
    assert (published / "publish" / PAGE).is_file()
    assert "held back by intake" in zaitun(published, "status").stdout
    meant = zaitun(published, "intake", "--allow-empty")
    assert meant.returncode == 0 and f"withdrawn {len(online)}" in meant.stdout, meant.stdout + meant.stderr
    assert set(statuses(published).values()) == {"withdrawn"} and len(before) == len(online) + 1
    assert zaitun(published, "run").returncode == 0  # nothing left to withdraw: an empty folder is no error now
    assert not (published / "publish" / PAGE).exists()


def test_withdrawing_the_last_document_in_the_review_ui_is_meant(tmp_path):
    from zaitun.content.upload import withdraw
    from zaitun.project import Project

    root = tmp_path / "site"
    init_project(root, with_sample=False)
    (root / "content" / "guides").mkdir(parents=True, exist_ok=True)
    (root / "content" / "guides" / "harbour.md").write_text("---\ntitle: 泉州港\ndate: 2026-11-02\n---\n\n泉州港。\n",
                                                           encoding="utf-8")
    assert "ingested 1" in zaitun(root, "intake").stdout
    withdraw(Project(root), "guides", "harbour")  # what the staff page's Withdraw does
    result = zaitun(root, "intake")
    assert result.returncode == 0 and "withdrawn 1" in result.stdout, result.stdout + result.stderr


def test_under_up_an_emptied_content_folder_leaves_the_site_online(published, tmp_path, leftovers):  # noqa: F811
    proc, ports, _children = running_stack(published, leftovers)
    page = f"http://127.0.0.1:{ports['preview']}/{PAGE.parent.as_posix()}/"
    try:
        assert httpx.get(page, timeout=10).status_code == 200
        empty_content(published, tmp_path / "away")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until the intake flow has run on it, whatever it did
            listed = json.loads(zaitun(published, "status", "--json").stdout)
            held = [f["message"] for f in listed["failures"] if f["source"] == str(published / "content")]
            withdrawn = [d["slug"] for d in listed["documents"] if d["stage"] == "withdrawn"]
            if held or withdrawn:
                break
            time.sleep(1)
        assert withdrawn == [] and held, listed
        assert "none was withdrawn" in held[0]
        time.sleep(5)  # a publish run the intake might have started
        assert httpx.get(page, timeout=10).status_code == 200
        meant = zaitun(published, "run", "--allow-empty")  # on purpose, while up runs: the site follows
        assert meant.returncode == 0, meant.stdout + meant.stderr
        deadline = time.monotonic() + 120
        while httpx.get(page, timeout=10).status_code == 200:
            assert time.monotonic() < deadline, "the withdrawn pages stayed online"
            time.sleep(1)
    finally:
        out, _ = stop(proc, signal.SIGINT, 60)
    assert "Traceback" not in out, out


HARBOUR = "---\ntitle: 泉州港\ndate: 2026-11-02\n---\n\n泉州港对外开放。\n"


def put_in_place(root: Path, how: str, share: Path, tmp_path: Path) -> None:
    """content/ becomes `share` while zaitun up runs, as an operator's mount or a deploy script does it."""
    content = root / "content"
    if how == "mounted":
        subprocess.run(["mount", "--bind", str(share), str(content)], check=True)
    elif how == "folder replaced":
        content.rename(tmp_path / "content.old")
        share.rename(content)
    else:  # a link re-pointed, atomically: a new link renamed over the old one
        (tmp_path / "link.new").symlink_to(share)
        (tmp_path / "link.new").rename(content)


@pytest.mark.parametrize("how", ["mounted", "folder replaced", "link re-pointed"])
def test_under_up_a_content_folder_put_in_place_is_watched_and_taken_in(published, tmp_path, leftovers, how):  # noqa: F811
    share = tmp_path / "share"
    empty_content(published, share)  # the share holds the files; content/ is its empty mount point
    (share / "guides" / "harbour.md").write_text(HARBOUR, encoding="utf-8")
    if how == "link re-pointed":
        (published / "content").rmdir()
        (tmp_path / "empty").mkdir()
        (published / "content").symlink_to(tmp_path / "empty")
    proc, ports, _children = running_stack(published, leftovers)
    page = f"http://127.0.0.1:{ports['preview']}/zh/guides/harbour/"
    try:
        assert "held back by intake" in zaitun(published, "status").stdout  # the first pass withdrew nothing
        put_in_place(published, how, share, tmp_path)
        deadline = time.monotonic() + 60
        while httpx.get(page, timeout=10).status_code != 200:
            assert time.monotonic() < deadline, f"the files of the content folder {how} were not taken in"
            time.sleep(1)
        site = f"http://127.0.0.1:{ports['preview']}/"
        assert httpx.get(f"{site}{PAGE.parent.as_posix()}/", timeout=10).status_code == 200
        assert "held back by intake" not in zaitun(published, "status").stdout
        port = HARBOUR.replace("泉州港", "泉州新港")
        (published / "content" / "guides" / "port.md").write_text(port, encoding="utf-8")
        deadline = time.monotonic() + 60  # and what is dropped into it next is seen as ever
        while httpx.get(page.replace("harbour", "port"), timeout=10).status_code != 200:
            assert time.monotonic() < deadline, f"a file dropped into the content folder {how} was not taken in"
            time.sleep(1)
    finally:
        out, _ = stop(proc, signal.SIGINT, 60)
        if how == "mounted":
            subprocess.run(["umount", "-l", str(published / "content")], check=False)
    assert "Traceback" not in out, out
    assert "is another folder now" in out, out
