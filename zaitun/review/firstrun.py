"""The first run's admin account: a random password written to a private file (never printed),
to be replaced by the admin's own at the first login (see `temporary`)."""

from __future__ import annotations

from pathlib import Path

from zaitun.project import Project
from zaitun.review import temporary
from zaitun.review.users import add_user
from zaitun.state.store import Store

ADMIN = temporary.FIRST_ADMIN


def create_first_admin(project: Project, store: Store) -> Path | None:
    """When the project has no accounts: an `admin` who must choose a new password at first login.
    Returns the file (mode 0600) holding the password, or None when accounts exist already."""
    if store.has_users():
        return None
    password, path = temporary.new_password(), temporary.first_admin_file(project)
    temporary.write(path, password)
    add_user(store, ADMIN, "admin", password, must_change=True)
    return path
