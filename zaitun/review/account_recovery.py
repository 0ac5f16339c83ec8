"""`zaitun user recover`: the way back into an account whose password is lost (the only admin's,
say), for the operator at the machine, who needs no account to use it.

The proof is the project's state folder: the OS user running it must own `.zaitun/` and be able to
write it. That folder holds the session secret and, with SQLite, the store with every password hash,
so its owner has full power over the accounts already (as Django's `manage.py changepassword` trusts
shell access to the database). With a PostgreSQL store the hashes live in the database: there the proof
is owning `.zaitun/` and connecting with the configured credentials, which may rewrite the accounts
anyway. `zaitun.toml` is not asked for: in a container the project is often the host's and `.zaitun/`
the container user's. Root is refused too unless it owns the folder: run it as the owner, so the
files it writes stay theirs.
"""

from __future__ import annotations

import os
import pwd
import socket
import stat
from dataclasses import dataclass
from pathlib import Path

from zaitun.context import Context
from zaitun.errors import ReviewError
from zaitun.project import STATE_DIR
from zaitun.review import temporary, users


@dataclass(frozen=True)
class Recovered:
    password_file: Path
    sessions_ended: int
    token_revoked: bool
    enabled_again: bool


def os_user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a name (a container run with --user 12345)
        return f"uid {uid}"


def check_operator(folder: Path) -> None:
    """Refuse unless whoever runs this owns the state folder and may write it (see the docstring)."""
    try:
        st = folder.stat()
    except FileNotFoundError:
        raise ReviewError(f"{folder} does not exist: run this on the machine and in the project folder where "
                          "zaitun keeps its state (where `zaitun up` or the review UI runs)") from None
    me = os.geteuid()
    if st.st_uid != me:
        owner = os_user(st.st_uid)
        raise ReviewError(f"{folder} belongs to {owner}, not to you ({os_user(me)}): only the operator who owns the "
                          f"project's state folder may recover an account; run this as {owner} "
                          f"(sudo -u {owner} zaitun user recover NAME)")
    if not st.st_mode & stat.S_IWUSR or not os.access(folder, os.W_OK):
        raise ReviewError(f"you cannot write {folder}: recovering an account writes its new password there; "
                          f"give yourself write access back (chmod 700 {folder})")


def recover(context: Context, name: str, enable: bool = False) -> Recovered:
    """A new temporary password for `name` in a file in .zaitun/, after the operator's proof (before the store
    is opened); every session ended, the API token revoked; re-enabled only when asked."""
    check_operator(context.project.root / STATE_DIR)
    store = context.store  # with PostgreSQL, connecting is the second half of the proof
    user = store.user(name)
    if user is None:
        names = ", ".join(u["name"] for u in store.users())
        raise ReviewError(f"no account {name!r}; the accounts are: {names}" if names else
                          f"no account {name!r}: this project has no accounts yet (`zaitun up` creates the first "
                          "admin)")
    password, path = temporary.new_password(), temporary.recovered_file(context.project, name)
    ended = users.recover(store, name, password, os_user(os.geteuid()), socket.gethostname(), enable=enable,
                           zone=context.project.zone)
    try:  # written once the store took it: a refusal leaves an earlier file as it was
        temporary.write(path, password)
    except OSError as exc:
        raise ReviewError(f"the password of {name} was changed, but {path} could not be written ({exc}): "
                          "run this again once it can") from None
    return Recovered(path, ended, bool(user["token_hash"]), enable and user["disabled_at"] is not None)
