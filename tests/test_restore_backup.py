"""An operator restores .zaitun/ from an older backup while publish/ and the outbox are newer: the store is
what was approved, what was sent is not sent again, and the commands say what happened."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from publish_helpers import PAYING, PAYING_BODY, standard_project
from test_social import FakeMastodon, mastodon  # noqa: F401 - the fake Mastodon and its fixture
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.state.store import Store

runner = CliRunner()
PAYING_EN = Path("en", "guides", "paying", "index.html")


def zaitun(fx, *args: str):
    result = runner.invoke(app, ["--project", str(fx.project.root), *args], env={"MASTODON_TOKEN": "t"})
    assert result.exit_code == 0, result.output
    return result.output


def back_up(fx, folder: Path) -> None:
    """.zaitun/ as a backup tool that knows SQLite keeps it: the store through SQLite, the records as files."""
    shutil.copytree(fx.project.state_dir, folder, ignore=shutil.ignore_patterns("state.db*", "publish.lock"))
    _copy_db(fx.project.state_dir / "state.db", folder / "state.db")


def restore(fx, folder: Path) -> None:
    """Put the backup back over .zaitun/ (the records replaced, the store's rows as the backup has them)."""
    fx.store.close()
    for path in folder.iterdir():
        if path.is_file() and path.name != "state.db":
            shutil.copy2(path, fx.project.state_dir / path.name)
    _copy_db(folder / "state.db", fx.project.state_dir / "state.db")
    fx.store = Store.open(fx.project.database_url)


def _copy_db(source: Path, target: Path) -> None:
    source_db, target_db = sqlite3.connect(source), sqlite3.connect(target)
    source_db.backup(target_db)
    source_db.close()
    target_db.close()


@pytest.fixture
def fx(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    zaitun(fixture, "build")
    back_up(fixture, tmp_path / "backup")
    fixture.translate_and_approve("paying")  # after the backup
    zaitun(fixture, "build")
    assert (fixture.out / PAYING_EN).is_file()
    return fixture


def test_a_build_from_a_store_restored_from_an_older_backup_takes_its_later_english_off_and_says_why(fx, tmp_path):
    restore(fx, tmp_path / "backup")
    said = zaitun(fx, "build")
    assert not (fx.out / PAYING_EN).exists()
    assert "the store is older than the one the build online was made from" in said
    assert "restored from an older backup?" in said
    assert "older" not in zaitun(fx, "build")  # said once: the build online is now made from this store


def test_a_restored_store_written_past_the_change_number_online_still_takes_its_later_english_off(fx, tmp_path):
    online = fx.store.change_seq()
    restore(fx, tmp_path / "backup")
    for number in range(12):  # intake after the restore: more writes than the backup missed
        fx.write("guides", f"extra{number}", PAYING.replace("境外银行卡支付指南", f"指南{number}"),
                 PAYING_BODY + f"\n第{number}条。\n")
    fx.ingest()
    assert fx.store.change_seq() > online  # the number the build online read, reached with other writes
    said = zaitun(fx, "build")
    assert not (fx.out / PAYING_EN).exists()  # the store holds no approval of it: not online
    assert "restored from an older backup?" in said


@pytest.fixture
def posted(tmp_path, mastodon):  # noqa: F811
    """Posts sent to Mastodon before the backup and after it (the English of `paying`, approved after it)."""
    fixture = standard_project(tmp_path / "proj")
    (fixture.project.root / "zaitun.toml").write_text(
        f'[site]\nbase_url = "https://example.org"\n[social]\nmax_age_days = 100000\nmastodon_url = "{mastodon}"\n',
        encoding="utf-8")
    zaitun(fixture, "build")
    zaitun(fixture, "social", "post", "--send")
    back_up(fixture, tmp_path / "backup")
    fixture.translate_and_approve("paying")
    zaitun(fixture, "build")
    assert "sent 1," in zaitun(fixture, "social", "post", "--send")
    assert [r["key"] for r in FakeMastodon.requests].count("paying.en.mastodon." + _basis(fixture)) == 1
    return fixture


def _basis(fixture) -> str:
    return next((fixture.out / "social").glob("paying.en.mastodon.*.json")).name.split(".")[3]


def test_a_post_sent_after_the_backup_is_not_sent_again_when_its_english_is_approved_again(posted, tmp_path):
    basis = _basis(posted)
    restore(posted, tmp_path / "backup")  # social.json no longer records the post sent after the backup
    zaitun(posted, "build")
    posted.translate_and_approve("paying")  # the same English approved again: the same announcement
    zaitun(posted, "build")
    said = zaitun(posted, "social", "post", "--send")
    assert [r["key"] for r in FakeMastodon.requests].count(f"paying.en.mastodon.{basis}") == 1  # not twice
    assert "sent 0," in said and "did not record 1 post(s) the outbox marks as sent" in said
    assert "restored from a backup?" in said and "social.json" in said
    assert "did not record" not in zaitun(posted, "social", "post", "--send")  # recorded again: said once


def test_deleting_social_json_to_start_afresh_sends_nothing_twice(posted):
    (posted.project.state_dir / "social.json").unlink()
    zaitun(posted, "build")  # the recent documents' posts are queued again
    said = zaitun(posted, "social", "post", "--send")
    assert len(FakeMastodon.requests) == len({r["key"] for r in FakeMastodon.requests})
    assert "sent 0," in said


def test_rollback_refuses_a_build_showing_english_the_restored_store_holds_no_approval_of(fx, tmp_path):
    restore(fx, tmp_path / "backup")
    zaitun(fx, "build")  # paying's English, approved after the backup, leaves the site
    refused = runner.invoke(app, ["--project", str(fx.project.root), "rollback"])
    assert refused.exit_code != 0 and not (fx.out / PAYING_EN).exists()
    assert "shows English the store" in str(refused.exception) and "holds no approval of: paying" in str(
        refused.exception) and "--with-rejected" in str(refused.exception)
    zaitun(fx, "rollback", "--with-rejected")  # the operator's choice, named
    assert (fx.out / PAYING_EN).is_file()


def test_rollback_to_a_build_of_english_the_store_holds_puts_it_back(fx):
    zaitun(fx, "rollback")  # the build before paying's English: every English it shows is in the store
    assert not (fx.out / PAYING_EN).exists()
    zaitun(fx, "rollback", str(int(sorted((fx.out.parent / ".publish.versions").glob("0*"))[-1].name)))
    assert (fx.out / PAYING_EN).is_file()


def test_a_store_copied_while_it_was_written_is_named_with_what_to_do_and_nothing_is_built(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    zaitun(fixture, "build")
    fixture.store.close()
    copy = tmp_path / "copy"
    shutil.copytree(fixture.project.root, copy, symlinks=True, ignore=shutil.ignore_patterns("state.db*"))
    whole = (fixture.project.state_dir / "state.db").read_bytes()
    (copy / ".zaitun" / "state.db").write_bytes(whole[: len(whole) // 2])  # cut off mid-copy, no -wal beside it
    for command in (["status"], ["build"], ["run"]):
        done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(copy), *command],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert f"{copy / '.zaitun' / 'state.db'} is damaged (database disk image is malformed)" in done.stderr
        assert "restore it from a whole backup" in done.stderr


def test_the_automatic_publish_takes_the_english_the_store_holds_no_approval_of_off_the_deploy_target_too(
        tmp_path, s3, s3_endpoint):
    client, bucket = s3
    fixture = standard_project(tmp_path / "proj")
    (fixture.project.root / "zaitun.toml").write_text(
        f'[site]\nbase_url = "https://example.org"\n[publish]\ns3_target = "s3://{bucket}/www"\n'
        f's3_endpoint_url = "{s3_endpoint}"\n', encoding="utf-8")
    zaitun(fixture, "run")
    back_up(fixture, tmp_path / "backup")
    fixture.translate_and_approve("paying")
    zaitun(fixture, "run")
    online = f"www/{PAYING_EN.as_posix()}"
    assert online in [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    restore(fixture, tmp_path / "backup")
    said = zaitun(fixture, "run")
    assert online not in [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert "left online" not in said
