"""Who is acting on the command line: proven by an API token or by the account's password,
never by a name alone, so the audit log names the person who really acted."""

from __future__ import annotations

from collections.abc import Callable

from zaitun.errors import ReviewError
from zaitun.review.throttle import Throttle, logged_in, wait_text
from zaitun.review.users import by_token, verify
from zaitun.state.store import Store

COMMAND_LINE = "command line"  # the "address" of command-line logins in the audit log
HOW = ("set ZAITUN_TOKEN to your token (an admin runs `zaitun user token NAME`), give --token-file FILE, "
       "or give --as NAME to type your password")


def prove(store: Store, claimed: str | None, token: str | None, ask_password: Callable[[str], str],
          allow_temporary: bool = False) -> dict:
    """The account proven by `token`, else by the password `ask_password(name)` returns for the
    `claimed` name. A token and --as naming someone else are refused."""
    if token:
        user = by_token(store, token)
        if user is None:
            raise ReviewError("the API token is not valid (replaced, or its account is disabled): ask an admin for "
                              "a new one (`zaitun user token NAME`)")
        if claimed and claimed != user["name"]:
            raise ReviewError(f"the API token belongs to {user['name']!r}, not {claimed!r}")
        how = "token"
    elif claimed:
        user, how = _by_password(store, claimed, ask_password), "password"
    else:
        raise ReviewError(f"say who you are: {HOW}")
    if user["must_change_password"] and not allow_temporary:
        raise ReviewError(f"{user['name']} must choose a new password first: log in to the review UI, "
                          f"or run `zaitun user passwd {user['name']}`")
    with store.tx() as conn:
        if how == "password":  # the password proven: the account's earlier failures were not a guesser's
            logged_in(store, conn, user["name"], note=f"{COMMAND_LINE} ({how})")
        else:  # a token proves nothing of the password: guesses at it keep counting (a script runs every minute)
            store.log(conn, user["name"], "login", note=f"{COMMAND_LINE} ({how})")
    return user


def _by_password(store: Store, name: str, ask_password: Callable[[str], str]) -> dict:
    throttle = Throttle(store)
    with throttle.turn(name, COMMAND_LINE) as wait:
        if wait:
            raise ReviewError(f"too many failed logins for {name!r}: wait {wait_text(wait)}, then try again")
        user = verify(store, name, ask_password(name))
        if user is None:
            throttle.fail(name, COMMAND_LINE)
            raise ReviewError("wrong name or password")
    return user


def require_admin(user: dict, what: str) -> None:
    if user["role"] != "admin":
        raise ReviewError(f"{user['name']} is {user['role']}: only an admin may {what}")
