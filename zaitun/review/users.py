"""Review accounts: reviewers and admins approve, editors add content and watch status.

An account is never deleted, only disabled, so the audit log keeps naming real people. It
proves who it is with its password (the review UI, the command line's prompt) or with its
command-line API token; both are kept only as hashes (passwords: see `passwords`; tokens are
random, so SHA-256 is enough).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from zaitun import days
from zaitun.errors import ReviewError
from zaitun.review.gate import ROLES
from zaitun.review.passwords import check_password, check_rules, hash_password, needs_upgrade
from zaitun.state.segments import MEMORY_APPROVER
from zaitun.state.store import Store, now, sha

RESERVED = {MEMORY_APPROVER, "zaitun"}  # actors zaitun writes itself: a person of that name would pass for it

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
TOKEN_PREFIX = "zaitun_"


def add_user(store: Store, name: str, role: str, password: str, must_change: bool = False,
             actor: str | None = None) -> None:
    """Create an account; refuses unknown roles, odd names, weak passwords and duplicates. The audit log names
    who added it (`actor`: the admin, the operator), else the account itself (the project's first)."""
    if role not in ROLES:
        raise ReviewError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    if not NAME_RE.match(name):
        raise ReviewError(f"bad user name {name!r}: use letters, digits and . _ @ - (up to 100 characters)")
    if name.lower() in RESERVED:
        raise ReviewError(f"the user name {name!r} is reserved: pages and the audit log use it for approvals made "
                          "by zaitun itself; choose another")
    check_rules(password, name)
    if store.user(name) is not None:
        raise ReviewError(f"user {name!r} already exists")
    if alike := next((u["name"] for u in store.users() if u["name"].lower() == name.lower()), None):
        raise ReviewError(f"user {alike!r} exists: a name differing from it only in case would read as the same "
                          "reviewer in approvals and the audit log; choose another")
    with store.tx() as conn:
        store.add_user(conn, name, role, hash_password(password))
        store.update_user(conn, name, must_change_password=must_change)
        store.log(conn, actor or name, "user-add", note=f"{name}, role {role}")


def existing(store: Store, name: str) -> dict:
    user = store.user(name)
    if user is None:
        raise ReviewError(f"no user {name!r} (see `zaitun user list`)")
    return user


def verify(store: Store, name: str, password: str) -> dict | None:
    """The account when name and password match and it is not disabled, else None (same work
    either way). An older kind of hash is replaced by today's on the way."""
    user = store.user(name)
    ok = check_password(password, user["password_hash"] if user else None)
    if not ok or user is None or user["disabled_at"] is not None:
        return None
    if needs_upgrade(user["password_hash"]):
        with store.tx() as conn:
            store.update_user(conn, name, password_hash=hash_password(password))
            store.log(conn, name, "password-upgrade", note="hash upgraded to Argon2id at login")
    return user


def set_password(store: Store, name: str, password: str, actor: str) -> bool:
    """A new password; every open session of the account ends. Set by someone else, it is
    temporary: the account chooses its own at its next login, and its API token is revoked, as by `recover`
    (an admin resetting a password cannot tell a forgotten one from a stolen one). Whether a token was revoked."""
    user = existing(store, name)
    check_rules(password, name)
    reset = actor != name
    changes = {"password_hash": hash_password(password), "must_change_password": reset}
    revoked = reset and bool(user["token_hash"])
    if reset:
        changes["token_hash"] = None
    with store.tx() as conn:
        store.update_user(conn, name, **changes)
        store.end_sessions(conn, "password changed", user_name=name)
        store.log(conn, actor, "password-change", note=f"for {name}" + ("; API token revoked" if revoked else ""))
    return revoked


def recover(store: Store, name: str, password: str, operator: str, host: str, enable: bool = False, *,
            zone: dt.tzinfo) -> int:
    """The operator's way back into an account (see `account_recovery`): a temporary password (random, so the
    rules are not asked of it), every session ended and the API token revoked, since the operator cannot
    tell a lost password from a stolen one; a disabled account is enabled again only when asked. Returns
    the number of sessions ended."""
    user = existing(store, name)
    if user["disabled_at"] is not None and not enable:
        raise ReviewError(f"{name!r} is disabled (since {days.day_of(user['disabled_at'], zone)}): add --enable to "
                          "enable it again with the new password")
    changes = {"password_hash": hash_password(password), "must_change_password": True, "token_hash": None}
    if enable:
        changes["disabled_at"] = None
    with store.tx() as conn:
        store.update_user(conn, name, **changes)
        ended = store.end_sessions(conn, "password recovered", user_name=name)
        done = [f"{ended} session(s) ended", "API token revoked" if user["token_hash"] else "no API token"]
        if enable and user["disabled_at"] is not None:
            done.append("enabled again")
        store.log(conn, f"operator:{operator}"[:100], "password-recover",  # ":" is in no account's name
                  note=f"for {name}, by operator {operator} on host {host}; {', '.join(done)}")
    return ended


def disable(store: Store, name: str, actor: str) -> int:
    """Disable an account: its sessions end at once and its token stops working. Returns the
    number of sessions ended. The last enabled admin cannot be disabled."""
    user = existing(store, name)
    if user["disabled_at"] is not None:
        raise ReviewError(f"user {name!r} is already disabled")
    admins = [u for u in store.users() if u["role"] == "admin" and u["disabled_at"] is None]
    if user["role"] == "admin" and len(admins) == 1:
        raise ReviewError(f"{name!r} is the last enabled admin: add another admin first")
    with store.tx() as conn:
        store.update_user(conn, name, disabled_at=now())
        ended = store.end_sessions(conn, "account disabled", user_name=name)
        store.log(conn, actor, "user-disable", note=f"{name}; {ended} session(s) ended")
    return ended


def revoke_token(store: Store, name: str, actor: str) -> bool:
    """Stop the account's API token working; whether it had one."""
    user = existing(store, name)
    with store.tx() as conn:
        store.update_user(conn, name, token_hash=None)
        store.log(conn, actor, "token-revoke", note=f"for {name}" + ("" if user["token_hash"] else "; it had none"))
    return bool(user["token_hash"])


def enable(store: Store, name: str, actor: str) -> bool:
    """Enable a disabled account again (disabled by mistake, a person back). Its API token, if it had one, is
    revoked, as it may be why the account was disabled: the person gets a new one. Whether it had a token."""
    user = existing(store, name)
    if user["disabled_at"] is None:
        raise ReviewError(f"user {name!r} is not disabled")
    with store.tx() as conn:
        store.update_user(conn, name, disabled_at=None, token_hash=None)
        store.log(conn, actor, "user-enable", note=name + ("; its API token revoked" if user["token_hash"] else ""))
    return bool(user["token_hash"])


def issue_token(store: Store, name: str, actor: str) -> str:
    """A new API token for the account (replacing any earlier one); only its hash is kept. The account's own
    command gives it (`zaitun user token`): what a token approves is credited to its account."""
    user = existing(store, name)
    if user["disabled_at"] is not None:
        raise ReviewError(f"user {name!r} is disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.tx() as conn:
        store.update_user(conn, name, token_hash=sha(token))
        store.log(conn, actor, "token-issue", note=f"for {name}")
    return token


def by_token(store: Store, token: str) -> dict | None:
    """The enabled account holding this token, else None."""
    user = store.user_by_token(sha(token.strip())) if token.strip() else None
    return user if user is not None and user["disabled_at"] is None else None
