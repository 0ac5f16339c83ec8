"""Password hashing and the password rules.

New hashes are Argon2id (argon2-cffi's RFC 9106 low-memory profile: 64 MiB, 3 passes), slow
on purpose so a stolen store does not give the passwords away. Hashes of older kinds (zaitun's
first scrypt at N=2^14) still verify, and `needs_upgrade` says to rehash them at the next login.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import unicodedata
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from zaitun.errors import ReviewError

MIN_LENGTH = 12
INVISIBLE = {"Cc", "Cf"}  # control and format characters (U+200B ZERO WIDTH SPACE is Cf)
REPEATED = re.compile(rf"(.{{1,{MIN_LENGTH - 1}}})\1+", re.DOTALL)  # abcabcabcabc: shorter than MIN_LENGTH
_HASHER = PasswordHasher()  # Argon2id
AT_ONCE = 4  # Argon2 checks run together at most, in each process (it guards that process's memory): each
# takes 64 MiB, and a burst of logins from many addresses (each within its own limit) could otherwise take
# the server's memory, 40 threads at a time
_CHECKS = threading.BoundedSemaphore(AT_ONCE)


@cache
def _dummy() -> str:
    """Verified against for unknown users, so an unknown name takes the same work as a known one."""
    return _HASHER.hash("a password nobody has")


def hash_password(password: str) -> str:
    with _CHECKS:
        return _HASHER.hash(password)


def check_password(password: str, stored: str | None) -> bool:
    """True when `password` matches `stored`; the comparison takes the same time either way."""
    if stored and stored.startswith("scrypt$"):
        return _check_scrypt(password, stored)
    dummy = None if stored else _dummy()  # (made before the semaphore is taken: it hashes)
    try:
        with _CHECKS:
            return _HASHER.verify(stored or dummy, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_upgrade(stored: str) -> bool:
    """An older kind of hash, or Argon2 at weaker settings than today's."""
    return stored.startswith("scrypt$") or _HASHER.check_needs_rehash(stored)


def _check_scrypt(password: str, stored: str) -> bool:
    try:
        _scheme, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                                   p=int(p), dklen=len(digest) // 2, maxmem=2**28)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords attackers try first (lower case)."""
    text = files("zaitun.review").joinpath("common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_rules(password: str, name: str) -> None:
    """Refuse a password that is short, common, one short part repeated, or made of the account name;
    judged as it looks, so invisible characters and runs of spaces do not make a weak one strong."""
    seen = _as_seen(password)
    if len(seen) < MIN_LENGTH:
        raise ReviewError(f"the password must have at least {MIN_LENGTH} characters, not counting invisible ones "
                          "or runs of spaces (a few words make a good one)")
    folded = seen.lower()
    if folded in common_passwords() or len(set(folded)) <= 2:
        raise ReviewError("this password is on the list of common passwords attackers try first: choose another")
    if REPEATED.fullmatch(folded):
        raise ReviewError("the password is a few characters repeated, which is no stronger than those few: "
                          "choose another")
    if name and name.lower() in folded:
        raise ReviewError("the password must not contain the account name")


def _as_seen(password: str) -> str:
    """The password as it looks: control and format characters (zero-width ones) dropped, each run of
    spaces one space, none at either end."""
    return " ".join("".join(c for c in password if unicodedata.category(c) not in INVISIBLE).split())
