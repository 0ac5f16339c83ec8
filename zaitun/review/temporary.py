"""Passwords zaitun makes up for a person: the first run's admin (`zaitun up`) and an account the
operator recovers (`zaitun user recover`). Each is random and written to a file in .zaitun/ that only
its owner can read, never printed (terminals keep scrollback, logs keep output); it lasts until the
person chooses their own password, and its file goes then."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from zaitun.project import Project

FIRST_ADMIN = "admin"


def first_admin_file(project: Project) -> Path:
    return project.state_dir / "first-admin-password"


def recovered_file(project: Project, name: str) -> Path:
    return project.state_dir / f"recovered-password-{name}"  # account names hold no "/" (users.NAME_RE)


def new_password() -> str:
    return secrets.token_urlsafe(18)  # 144 random bits


def write(path: Path, password: str) -> None:
    """Keep `password` in `path`, readable by its owner only (an older file there is replaced)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never through a link planted there
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(password + "\n")


def forget(project: Project, name: str) -> None:
    """`name` has a new password: what zaitun gave them is worthless now, so its files go."""
    paths = [recovered_file(project, name)] + ([first_admin_file(project)] if name == FIRST_ADMIN else [])
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
