"""The first run's admin account: a random password written to a private file (never printed),
to be replaced by the admin's own at the first login."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from zaitun.project import Project
from zaitun.review.users import add_user
from zaitun.state.store import Store

ADMIN = "admin"
PASSWORD_FILE = "first-admin-password"


def password_file(project: Project) -> Path:
    return project.state_dir / PASSWORD_FILE


def create_first_admin(project: Project, store: Store) -> Path | None:
    """When the project has no accounts: an `admin` who must choose a new password at first login.
    Returns the file (mode 0600) holding the password, or None when accounts exist already."""
    if store.has_users():
        return None
    password = secrets.token_urlsafe(18)
    path = password_file(project)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(password + "\n")
    add_user(store, ADMIN, "admin", password, must_change=True)
    return path


def forget_first_password(project: Project, name: str) -> None:
    """The first-run password is worthless once the admin chose their own: remove its file."""
    if name == ADMIN:
        with contextlib.suppress(FileNotFoundError):
            password_file(project).unlink()
