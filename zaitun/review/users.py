"""Review accounts: reviewers and admins approve, editors watch status.

Passwords are kept only as salted scrypt hashes (slow on purpose, so a stolen database
does not give the passwords away); verification compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from zaitun.errors import ReviewError
from zaitun.review.gate import ROLES
from zaitun.store import Store

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MIN_PASSWORD = 8
_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~50 ms and 16 MiB per check
_DUMMY = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 32  # verified against for unknown users


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash`, every part needed to check the password later."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """True when `password` hashes to `stored`; the comparison takes the same time either way."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                                   p=int(p), dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)


def add_user(store: Store, name: str, role: str, password: str) -> None:
    """Create an account; refuses unknown roles, odd names, short passwords and duplicates."""
    if role not in ROLES:
        raise ReviewError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    if not NAME_RE.match(name):
        raise ReviewError(f"bad user name {name!r}: use letters, digits and . _ @ - (up to 100 characters)")
    if len(password) < MIN_PASSWORD:
        raise ReviewError(f"the password must have at least {MIN_PASSWORD} characters")
    if store.user(name) is not None:
        raise ReviewError(f"user {name!r} already exists")
    with store.tx() as conn:
        store.add_user(conn, name, role, hash_password(password))
        store.log(conn, name, "user-add", note=f"role {role}")


def verify(store: Store, name: str, password: str) -> dict | None:
    """The user's row when name and password match, else None (same work either way)."""
    user = store.user(name)
    ok = check_password(password, user["password_hash"] if user else _DUMMY)
    return user if ok and user is not None else None
