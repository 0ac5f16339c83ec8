"""Accounts and identities: who may act is proven (token or password), never just named; passwords,
tokens and the files holding secrets are kept private; admins list, reset and disable accounts."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from review_support import PASSWORD, SLUG, draft_all, quick_user, real_user, review_project, run, terms

from zaitun.errors import ReviewError
from zaitun.review import gate
from zaitun.review.users import add_user, issue_token
from zaitun.state.segments import segment_states
from zaitun.state.store import Store, sha


@pytest.fixture
def project(tmp_path):
    project, store = review_project(tmp_path)
    ids = draft_all(store)
    real_user(store, "alice")
    real_user(store, "root", role="admin")
    quick_user(store, "eve", role="editor")
    yield project, store, ids
    store.close()


def error_of(result) -> str:
    assert isinstance(result.exception, ReviewError), result.output
    return str(result.exception)


def at(proj, n: int) -> str:
    """Segment n as ID@VERSION, the way `zaitun review show` prints it for the reviewer who read it."""
    seg = json.loads(run(proj, "review", "show", SLUG, "--json").output)["segments"][n]
    return f"{seg['id']}@{seg['version']}"


def approvals(store):
    return [(e["actor"], e["seg_id"]) for e in store.audit_log(SLUG) if e["action"] == "approve"]


def test_naming_a_reviewer_alone_approves_nothing(project):
    proj, store, ids = project
    assert "say who you are" in error_of(run(proj, "review", "approve", SLUG, at(proj, 0)))
    assert "no password given for alice" in error_of(run(proj, "review", "approve", SLUG, at(proj, 0), "--as", "alice"))
    wrong = run(proj, "review", "approve", SLUG, at(proj, 0), "--as", "alice", input="not her password\n")
    assert error_of(wrong) == "wrong name or password"
    assert approvals(store) == [] and segment_states(store, SLUG)[0].state == "draft"
    assert [e["note"] for e in store.audit_log() if e["action"] == "login-failed"] == ["command line"]


def test_the_password_prompt_proves_the_reviewer_and_the_audit_log_names_them(project):
    proj, store, ids = project
    result = run(proj, "review", "approve", SLUG, at(proj, 0), "--as", "alice", input=PASSWORD + "\n")
    assert result.exit_code == 0 and f"approved {ids[0]}" in result.output
    assert approvals(store) == [("alice", ids[0])]
    assert ("alice", "login", "command line (password)") in [(e["actor"], e["action"], e["note"])
                                                             for e in store.audit_log()]


def test_command_line_passwords_are_throttled_per_account(project):
    proj, store, ids = project
    for _ in range(5):
        run(proj, "review", "approve", SLUG, at(proj, 0), "--as", "alice", input="guess\n")
    late = run(proj, "review", "approve", SLUG, at(proj, 0), "--as", "alice", input=PASSWORD + "\n")
    assert "too many failed logins for 'alice'" in error_of(late) and approvals(store) == []


def test_a_command_line_login_clears_the_accounts_earlier_failures(project):
    proj, store, ids = project
    for segment in (0, 1):  # without the clearing, the second right password is the 9th attempt
        for attempt in ["guess"] * 4 + [PASSWORD]:
            result = run(proj, "review", "approve", SLUG, at(proj, segment), "--as", "alice", input=attempt + "\n")
            assert (result.exit_code == 0) == (attempt == PASSWORD), result.output
    assert approvals(store) == [("alice", ids[0]), ("alice", ids[1])]


def test_the_accounts_own_token_at_work_leaves_its_failed_logins_counting(project):
    from review_support import Client, login

    from zaitun.context import Context
    from zaitun.review.web import create_app

    proj, store, ids = project
    token = issue_token(store, "alice", actor="alice")
    app = create_app(Context(proj, store))
    for n in range(5):  # someone guessing alice's password, each guess from another address
        with Client(app, address=f"10.0.0.{n}") as guesser:
            assert login(guesser, password=f"guess {n}").status_code == 401
    script = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(proj.root), "review", "approve", SLUG,
                             at(proj, 0)], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                            env={**os.environ, "ZAITUN_TOKEN": token}, start_new_session=True)
    assert script.returncode == 0, script.stderr  # alice's own script, proving the token, not the password
    with Client(app, address="10.0.0.99") as guesser:
        assert login(guesser, password="guess 5").status_code == 429  # the guesses still count


def test_a_token_is_printed_once_stored_hashed_and_proves_its_holder(project, tmp_path):
    proj, store, ids = project
    issued = run(proj, "user", "token", "alice", "--as", "alice", input=PASSWORD + "\n")
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip().splitlines()[0]
    assert token.startswith("zaitun_") and store.user("alice")["token_hash"] == sha(token)
    assert token not in str(store.audit_log()) and "shown only once" in issued.stderr
    assert run(proj, "review", "approve", SLUG, at(proj, 0), token=token).exit_code == 0
    token_file = tmp_path / "alice.token"
    token_file.write_text(token + "\n", encoding="utf-8")
    token_file.chmod(0o644)
    exposed = run(proj, "review", "approve", SLUG, at(proj, 1), "--token-file", str(token_file))
    assert "others can read this token file" in error_of(exposed)
    token_file.chmod(0o600)
    assert run(proj, "review", "approve", SLUG, at(proj, 1), "--token-file", str(token_file)).exit_code == 0
    assert approvals(store) == [("alice", ids[0]), ("alice", ids[1])]
    token_file.write_bytes(b"\xef\xbb\xbf" + token.encode() + b"\r\n")  # as Notepad saves it: still the token
    assert run(proj, "review", "approve", SLUG, at(proj, 2), "--token-file", str(token_file)).exit_code == 0
    assert approvals(store)[-1] == ("alice", ids[2])
    someone_else = run(proj, "review", "approve", SLUG, at(proj, 2), "--as", "root", token=token)
    assert "belongs to 'alice', not 'root'" in error_of(someone_else)
    run(proj, "user", "token", "alice", "--as", "alice", input=PASSWORD + "\n")  # a new token replaces the old
    assert "not valid" in error_of(run(proj, "review", "approve", SLUG, at(proj, 2), token=token))


def test_nobody_is_given_another_accounts_token_an_admin_neither_but_an_admin_revokes_one(project):
    """What a token approves is credited to its account: an admin who could mint alice's token could approve
    in her name, unknown to her."""
    proj, store, _ids = project
    mine = issue_token(store, "alice", "alice")
    admin = issue_token(store, "root", "root")
    for token in (mine, admin):
        refused = run(proj, "user", "token", "eve", token=token)
        assert refused.exit_code == 1 and "an API token is its account's own" in error_of(refused)
    assert store.user("eve")["token_hash"] is None
    assert "only an admin" in error_of(run(proj, "user", "token", "root", "--revoke", token=mine))
    revoked = run(proj, "user", "token", "alice", "--revoke", token=admin)
    assert revoked.exit_code == 0 and "API token of alice revoked" in revoked.output
    assert store.user("alice")["token_hash"] is None
    assert "not valid" in error_of(run(proj, "review", "approve", SLUG, "x@y", token=mine))
    actions = [(row["actor"], row["action"], row["note"]) for row in store.audit_log() if "token" in row["action"]]
    assert ("root", "token-revoke", "for alice") in actions


def test_the_audit_log_names_the_admin_who_added_an_account(project):
    proj, store, _ids = project
    added = run(proj, "user", "add", "nina", "--role", "reviewer", "--password-stdin",
                input="a temporary one for her\n", token=issue_token(store, "root", "root"))
    assert added.exit_code == 0, added.output
    assert ("root", "user-add", "nina, role reviewer") in [(row["actor"], row["action"], row["note"])
                                                           for row in store.audit_log()]


def test_an_account_named_as_another_but_for_case_is_refused(project):
    """ALICE beside alice: approvals and the audit log would name two reviewers a reader takes for one."""
    proj, store, _ids = project
    added = run(proj, "user", "add", "ALICE", "--role", "reviewer", "--password-stdin",
                input="a temporary one for her\n", token=issue_token(store, "root", "root"))
    assert "user 'alice' exists: a name differing from it only in case" in error_of(added)
    assert store.user("ALICE") is None


def test_admins_list_reset_and_disable_accounts(project):
    proj, store, ids = project
    admin = issue_token(store, "root", "root")
    alice = issue_token(store, "alice", "alice")
    assert "only an admin may list accounts" in error_of(run(proj, "user", "list", token=alice))
    listed = run(proj, "user", "list", token=admin).output
    assert "alice" in listed and "reviewer" in listed and "active" in listed and "has API token" in listed
    new = "a temporary one for her"
    reset = run(proj, "user", "passwd", "alice", "--password-stdin", input=new + "\n", token=admin)
    assert reset.exit_code == 0 and "chooses a new one at the next login" in reset.output
    assert "must change password" in run(proj, "user", "list", token=admin).output
    too_soon = run(proj, "review", "approve", SLUG, at(proj, 0), "--as", "alice", input=new + "\n")
    assert "must choose a new password first" in error_of(too_soon)
    own = "her very own phrase"
    mine = run(proj, "user", "passwd", "alice", "--as", "alice", input=f"{new}\n{own}\n{own}\n")
    assert mine.exit_code == 0 and not store.user("alice")["must_change_password"]
    disabled = run(proj, "user", "disable", "alice", token=admin)
    assert disabled.exit_code == 0 and "disabled alice" in disabled.output
    assert "not valid" in error_of(run(proj, "review", "approve", SLUG, at(proj, 0), token=alice))
    assert error_of(run(proj, "review", "approve", SLUG, at(proj, 0), "--as", "alice", input=own + "\n")) == \
        "wrong name or password"
    assert "disabled" in run(proj, "user", "list", token=admin).output and store.user("alice") is not None
    assert "last enabled admin" in error_of(run(proj, "user", "disable", "root", token=admin))
    with pytest.raises(ReviewError, match="is disabled"):
        gate.approve(store, SLUG, [ids[0]], "alice", glossary=terms(proj))


def test_an_admin_enables_a_disabled_account_again_and_its_old_token_stays_revoked(project):
    proj, store, ids = project
    admin, alice = issue_token(store, "root", "root"), issue_token(store, "alice", "alice")
    assert run(proj, "user", "disable", "alice", token=admin).exit_code == 0
    assert "only an admin" in error_of(run(proj, "user", "enable", "alice", token=issue_token(store, "eve", "eve")))
    enabled = run(proj, "user", "enable", "alice", token=admin)
    assert enabled.exit_code == 0 and "enabled alice; its old API token stays revoked" in enabled.output
    assert "not valid" in error_of(run(proj, "review", "approve", SLUG, at(proj, 0), token=alice))
    again = run(proj, "review", "approve", SLUG, at(proj, 0), "--as", "alice", input=PASSWORD + "\n")
    assert again.exit_code == 0, again.output  # her password works as before
    assert "is not disabled" in error_of(run(proj, "user", "enable", "alice", token=admin))
    assert ("root", "user-enable", "alice; its API token revoked") in [
        (row["actor"], row["action"], row["note"]) for row in store.audit_log()]


def test_passwords_must_be_long_and_uncommon_and_are_hashed_with_argon2id(project):
    _proj, store, _ids = project
    for weak, why in (("eleven char", "at least 12"), ("qwerty123456", "common"), ("aaaaaaaaaaaaaaaa", "common"),
                      ("Password1234", "common"), ("carol-carol-carol", "account name")):
        with pytest.raises(ReviewError, match=why):
            add_user(store, "carol", "reviewer", weak)
    add_user(store, "carol", "reviewer", "twelve chars")
    assert store.user("carol")["password_hash"].startswith("$argon2id$v=19$m=65536,t=3")


def test_passwords_of_invisible_characters_spaces_or_one_short_part_repeated_are_refused(project):
    proj, store, _ids = project
    for weak, why in (("\u200b\u200c\u200d" * 4, "at least 12"), (" \u3000\u00a0" * 4, "at least 12"),
                      ("a" + " " * 10 + "bc", "at least 12"), ("abcabcabcabc", "repeated"),
                      ("pass\u200bword1234", "common"), ("car\u200bol is my password", "account name")):
        with pytest.raises(ReviewError, match=why):
            add_user(store, "carol", "reviewer", weak)
    token = issue_token(store, "root", "root")
    refused = run(proj, "user", "passwd", "root", "--password-stdin", input="\u200b\u200c\u200d" * 4 + "\n",
                  token=token)
    assert "at least 12" in error_of(refused)
    add_user(store, "carol", "reviewer", "过境免签的外国人可以停留")


def test_files_holding_secrets_and_hashes_are_private(tmp_path):
    from zaitun.review.web import secret_key

    project, store = review_project(tmp_path / "p")
    real_user(store, "alice")
    state = project.state_dir
    assert state.stat().st_mode & 0o777 == 0o700
    secret_key(project)
    for name in ("state.db", "state.db-wal", "state.db-shm", "secret"):
        assert (state / name).stat().st_mode & 0o777 == 0o600, name
    store.close()


def test_an_older_store_gains_the_new_account_columns(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (name VARCHAR(100) PRIMARY KEY, role VARCHAR(20) NOT NULL, "
                   "password_hash TEXT NOT NULL, created_at DATETIME NOT NULL)")
        db.execute("INSERT INTO users VALUES ('old', 'reviewer', 'scrypt$x', '2025-01-01 00:00:00')")
    store = Store.open(f"sqlite:///{path}")
    user = store.user("old")
    assert (user["must_change_password"], user["disabled_at"], user["token_hash"]) == (None, None, None)
    store.close()


def test_config_masks_secrets_unless_asked_and_reads_them_from_the_environment(tmp_path):
    project, store = review_project(tmp_path)
    store.close()
    project.config_path.write_text('[translate]\napi_key = "deepl-key-123"\n[notify]\n'
                                   'approved = ["tgram://bot-token/chat"]\n', encoding="utf-8")
    env = {**os.environ, "ZAITUN_SECRET_KEY": "from-the-environment", "MASTODON_TOKEN": "masto-secret"}
    listed = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(project.root), "config", "--list"],
                            capture_output=True, text=True, timeout=60, env=env).stdout
    for secret in ("deepl-key-123", "bot-token", "from-the-environment", "masto-secret"):
        assert secret not in listed
    assert "translate.api_key = '********'" in listed and "notify.approved = [1 hidden]" in listed
    assert "(or ZAITUN_SECRET_KEY)" in listed
    shown = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(project.root), "config",
                            "--show-secrets"], capture_output=True, text=True, timeout=60, env=env).stdout
    assert "review.secret_key = 'from-the-environment'" in shown and "deepl-key-123" in shown


def test_a_database_url_is_shown_without_its_password(tmp_path):
    from zaitun.config import Config

    cfg = Config({"review.database_url": "postgresql+psycopg://zaitun:hunter2@db.example/zaitun"})
    assert cfg.shown("review.database_url") == "'postgresql+psycopg://zaitun:***@db.example/zaitun'"


def test_sessions_tokens_and_throttling_hold_on_both_databases(database_url):
    import datetime as dt

    from zaitun.review import sessions
    from zaitun.review.throttle import Throttle
    from zaitun.review.users import by_token, disable
    from zaitun.state.store import now

    store = Store.open(database_url)
    quick_user(store, "alice")
    quick_user(store, "root", role="admin")
    limits = sessions.Limits(idle=dt.timedelta(minutes=5), lifetime=dt.timedelta(hours=1))
    session_id = sessions.start(store, "alice", "10.0.0.1")
    assert sessions.user_of(store, session_id, limits) == "alice"
    token = issue_token(store, "alice", "root")
    assert by_token(store, token)["name"] == "alice"
    throttle = Throttle(store)
    for n in range(5):
        with throttle.turn("alice", f"10.0.0.{n}") as wait:
            assert wait == 0
            throttle.fail("alice", f"10.0.0.{n}")
    assert 290 < throttle.wait("alice", "10.9.9.9") <= 300 and throttle.wait("root", "10.9.9.9") == 0
    assert all(at.tzinfo is not None and at <= now() for at in store.login_checks(now() - dt.timedelta(1), "alice"))
    assert disable(store, "alice", "root") == 1
    assert sessions.user_of(store, session_id, limits) is None and by_token(store, token) is None
    store.close()


def test_no_more_than_a_few_password_checks_take_argon2_memory_at_once(monkeypatch):
    import threading

    from argon2 import PasswordHasher

    from zaitun.review import passwords

    stored = passwords.hash_password("a long enough passphrase")
    running, peak, lock = 0, 0, threading.Lock()

    class Counting(PasswordHasher):  # the real Argon2, counted
        def verify(self, hash, password):  # noqa: A002 - argon2-cffi's own parameter name
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            try:
                return super().verify(hash, password)
            finally:
                with lock:
                    running -= 1

    monkeypatch.setattr(passwords, "_HASHER", Counting())
    results = []
    threads = [threading.Thread(target=lambda: results.append(passwords.check_password("wrong guess", stored)))
               for _ in range(passwords.AT_ONCE * 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [False] * len(threads) and 1 <= peak <= passwords.AT_ONCE


def zaitun_with(proj, token: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zaitun", "--project", str(proj.root), *args], input=stdin,
                          capture_output=True, text=True, timeout=60, env={**os.environ, "ZAITUN_TOKEN": token},
                          start_new_session=True)


def test_an_admin_resetting_a_password_revokes_the_accounts_token_as_recovery_does(project):
    """A password reset by an admin may be of a stolen account: its token, still working, would have kept the
    thief in. Changing one's own password leaves one's token working (scripts go on)."""
    proj, store, ids = project
    alice, root = issue_token(store, "alice", actor="alice"), issue_token(store, "root", actor="root")
    own = zaitun_with(proj, alice, "user", "passwd", "alice", "--password-stdin", stdin="a brand new passphrase\n")
    assert own.returncode == 0 and "token" not in own.stdout, own.stdout + own.stderr
    assert zaitun_with(proj, alice, "review", "approve", SLUG, at(proj, 0)).returncode == 0  # still hers
    reset = zaitun_with(proj, root, "user", "passwd", "alice", "--password-stdin", stdin="a temporary passphrase\n")
    assert reset.returncode == 0, reset.stderr
    assert "password of alice changed, its sessions ended, its API token revoked" in reset.stdout
    refused = zaitun_with(proj, alice, "review", "approve", SLUG, at(proj, 1))
    assert refused.returncode != 0 and approvals(store) == [("alice", ids[0])]
    assert [e["note"] for e in store.audit_log() if e["action"] == "password-change"][-1] == \
        "for alice; API token revoked"
