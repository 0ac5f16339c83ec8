"""`zaitun user recover`: the operator who owns .zaitun/ lets a person whose password is lost (the only
admin) back in; nobody else can, a disabled account comes back only when asked, an unknown name is named."""

import os
import pwd
import socket
import subprocess
import sys

import pytest
from review_support import PASSWORD, Client, csrf, login, real_user, review_project, run

from zaitun.context import Context
from zaitun.errors import ReviewError
from zaitun.review.users import by_token, disable, issue_token
from zaitun.review.web import create_app

MINE = "lantern harbour quietly"


@pytest.fixture
def accounts(tmp_path):
    project, store = review_project(tmp_path)
    real_user(store, "root", role="admin")  # the only admin
    real_user(store, "alice")
    yield project, store
    store.close()


def recovered(project, name: str = "root"):
    return project.state_dir / f"recovered-password-{name}"


def zaitun(project, *args: str) -> subprocess.CompletedProcess:
    """The command line as the operator types it: its own process, output and exit status as a terminal gets them."""
    return subprocess.run([sys.executable, "-m", "zaitun", "--project", str(project.root), *args],
                          capture_output=True, text=True, timeout=120)


def error_of(result) -> str:
    assert isinstance(result.exception, ReviewError), result.output
    return str(result.exception)


def untouched(store, name: str, before: dict) -> bool:
    """The account as it was, and no recovery in the audit log."""
    return store.user(name) == before and "password-recover" not in [e["action"] for e in store.audit_log()]


def test_the_operator_lets_the_only_admin_back_in_and_the_admin_must_choose_a_new_password(accounts):
    project, store = accounts
    with Client(create_app(Context(project, store))) as laptop:
        assert login(laptop, "root").headers["location"] == "/"
        token = issue_token(store, "root", "root")
        done = zaitun(project, "user", "recover", "root")
        assert done.returncode == 0, done.stderr
        given = recovered(project).read_text(encoding="utf-8").strip()
        assert recovered(project).stat().st_mode & 0o777 == 0o600
        assert given not in done.stdout + done.stderr and str(recovered(project)) in done.stdout
        assert "1 open session(s) ended, its API token revoked" in done.stdout
        assert laptop.get("/").status_code == 303  # the session open before is over
    assert by_token(store, token) is None and store.user("root")["must_change_password"]
    with Client(create_app(Context(project, store))) as browser:
        assert login(browser, "root", PASSWORD).status_code == 401
        assert login(browser, "root", given).headers["location"] == "/password"
        assert browser.get("/").headers["location"] == "/password"
        changed = browser.post("/password", data={"current": given, "new": MINE, "confirm": MINE,
                                                  "csrf_token": csrf(browser, "/password")})
        assert changed.status_code == 303 and browser.get("/").status_code == 200
    assert not recovered(project).exists() and not store.user("root")["must_change_password"]
    me = pwd.getpwuid(os.geteuid()).pw_name
    [entry] = [e for e in store.audit_log() if e["action"] == "password-recover"]
    assert entry["actor"] == f"operator:{me}"
    assert entry["note"] == (f"for root, by operator {me} on host {socket.gethostname()}; "
                             "1 session(s) ended, API token revoked")


def test_choosing_a_password_on_the_command_line_removes_the_recovered_one_too(accounts):
    project, store = accounts
    assert run(project, "user", "recover", "root").exit_code == 0
    given = recovered(project).read_text(encoding="utf-8").strip()
    too_soon = run(project, "user", "list", "--as", "root", input=given + "\n")
    assert "must choose a new password first" in error_of(too_soon)
    mine = run(project, "user", "passwd", "root", "--as", "root", input=f"{given}\n{MINE}\n{MINE}\n")
    assert mine.exit_code == 0, mine.output
    assert not recovered(project).exists() and not store.user("root")["must_change_password"]


def test_someone_who_does_not_own_the_state_folder_cannot_recover(accounts, monkeypatch):
    project, store = accounts
    folder, before = project.state_dir, store.user("root")
    if os.geteuid() == 0:  # root may touch every file, yet owning the folder is the proof
        os.chown(folder, 12345, 12345)
        owner = "uid 12345"
    else:  # only root can give the folder away: be someone else instead
        monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
        owner = pwd.getpwuid(os.getuid()).pw_name
    refused = error_of(run(project, "user", "recover", "root"))
    assert refused.startswith(f"{folder} belongs to {owner}, not to you") and f"sudo -u {owner}" in refused
    assert untouched(store, "root", before) and not recovered(project).exists()


def test_an_owner_who_cannot_write_the_state_folder_is_refused(accounts):
    project, store = accounts
    folder, before = project.state_dir, store.user("root")
    folder.chmod(0o500)
    try:
        refused = error_of(run(project, "user", "recover", "root"))
    finally:
        folder.chmod(0o700)
    assert refused.startswith(f"you cannot write {folder}") and "chmod 700" in refused
    assert untouched(store, "root", before)


def test_an_unknown_name_is_refused_with_the_accounts_there_are(accounts):
    project, store = accounts
    refused = zaitun(project, "user", "recover", "rooot")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr == "zaitun: error: no account 'rooot'; the accounts are: alice, root\n"
    assert not recovered(project, "rooot").exists()


def test_a_disabled_admin_comes_back_only_with_enable(accounts):
    project, store = accounts
    real_user(store, "boss", role="admin")
    disable(store, "boss", actor="root")
    before = store.user("boss")
    refused = error_of(run(project, "user", "recover", "boss"))
    assert "'boss' is disabled" in refused and "--enable" in refused
    assert untouched(store, "boss", before) and not recovered(project, "boss").exists()
    back = run(project, "user", "recover", "boss", "--enable")
    assert back.exit_code == 0 and "enabled again" in back.output
    assert store.user("boss")["disabled_at"] is None
    with Client(create_app(Context(project, store))) as browser:
        given = recovered(project, "boss").read_text(encoding="utf-8").strip()
        assert login(browser, "boss", given).headers["location"] == "/password"
    [entry] = [e for e in store.audit_log() if e["action"] == "password-recover"]
    assert entry["note"].endswith("0 session(s) ended, no API token, enabled again")


def test_on_postgresql_connecting_with_the_configured_credentials_is_part_of_the_proof(postgres, tmp_path):
    url = postgres.new_database()
    project, store = review_project(tmp_path, database_url=url)
    real_user(store, "root", role="admin")
    store.close()
    assert project.state_dir.is_dir()  # made by the review UI for its session secret
    assert zaitun(project, "user", "recover", "root").returncode == 0 and recovered(project).is_file()
    project.config_path.write_text(f'[review]\ndatabase_url = "{url.replace("zaitun@", "intruder@")}"\n',
                                   encoding="utf-8")
    refused = zaitun(project, "user", "recover", "root")  # its own process: the failed connection is its own
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("zaitun: error: cannot open the store postgresql+psycopg://intruder@")
    assert 'role "intruder" does not exist' in refused.stderr
