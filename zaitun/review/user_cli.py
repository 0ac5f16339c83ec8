"""`zaitun user ...`: review accounts, and how every command that changes something learns who
runs it: an API token (ZAITUN_TOKEN or --token-file) or --as NAME and the password, asked for."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from zaitun.errors import ReviewError
from zaitun.typed import typed

user_app = typer.Typer(help="Manage review accounts.", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option(
    "--as", callback=typed, help="Your account name; without a token your password is asked for.")]
AccountName = Annotated[str, typer.Argument(callback=typed, help="The account's name.")]
TokenFile = Annotated[Path | None, typer.Option(
    "--token-file", help="File holding your API token (default: the ZAITUN_TOKEN environment variable).",
    dir_okay=False, exists=True)]


def acting(store, claimed: str | None, token_file: Path | None, allow_temporary: bool = False) -> dict:
    """The proven account of whoever runs this command."""
    from zaitun.review.identity import prove

    if token_file and token_file.stat().st_mode & 0o077:
        raise ReviewError(f"{token_file}: others can read this token file; make it yours alone "
                          f"(chmod 600 {token_file})")
    # saved by Notepad: a byte-order mark is no part of the token (it made a good one "not valid")
    token = token_file.read_bytes().decode("utf-8-sig", "replace").strip() if token_file else \
        os.environ.get("ZAITUN_TOKEN", "")
    return prove(store, claimed, token, _ask_password, allow_temporary=allow_temporary)


def _admin(ctx: typer.Context, claimed: str | None, token_file: Path | None, what: str) -> tuple:
    """The store, and the proven account of whoever runs this command, who must be an admin to do `what`."""
    from zaitun.review.identity import require_admin

    store = ctx.obj.store
    user = acting(store, claimed, token_file)
    require_admin(user, what)
    return store, user


def _ask_password(name: str) -> str:
    from zaitun.review.identity import HOW

    try:
        return typer.prompt(f"Password for {name}", hide_input=True, err=True)
    except typer.Abort:
        raise ReviewError(f"no password given for {name}: {HOW}") from None


def _new_password(name: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        return typer.prompt(f"New password for {name}", hide_input=True, confirmation_prompt=True, err=True)
    except typer.Abort:
        raise ReviewError(f"no new password given for {name}") from None


@user_app.command("add")
def user_add(ctx: typer.Context,
             name: AccountName,
             role: Annotated[str, typer.Option("--role", help="reviewer | editor | admin")],
             password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                          help="Read the password from stdin.")] = False,
             actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Create an account (admins only, once one exists; password prompted twice, or read from stdin). An admin
    gives a temporary password: the person chooses their own at the first login, so that what the account
    approves is theirs alone."""
    from zaitun.review.account_recovery import check_operator, os_user
    from zaitun.review.identity import require_admin
    from zaitun.review.users import add_user

    store = ctx.obj.store
    by_admin = store.has_admin()
    if by_admin:
        adder = acting(store, actor, token_file)
        require_admin(adder, "add accounts")
        added_by = adder["name"]
    elif store.has_users():  # none an admin (an older zaitun let anyone add accounts): the operator adds one
        check_operator(ctx.obj.project.state_dir)
        added_by = f"operator:{os_user(os.geteuid())}"[:100]  # as `user recover` logs the operator (":" in no name)
    else:
        added_by = None  # the project's first account
    add_user(store, name, role, _new_password(name, password_stdin), must_change=by_admin, actor=added_by)
    typer.echo(f"added {role} {name}" + (f"; {name} chooses a new password at the first login" if by_admin else ""))


@user_app.command("list")
def user_list(ctx: typer.Context, actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Every account: role, whether it is disabled, must change its password, has an API token."""
    from zaitun.review.identity import require_admin

    store = ctx.obj.store
    require_admin(acting(store, actor, token_file), "list accounts")
    for u in store.users():
        status = f"disabled {ctx.obj.project.day_of(u['disabled_at'])}" if u["disabled_at"] else "active"
        notes = [n for n, on in (("must change password", u["must_change_password"]),
                                 ("has API token", u["token_hash"])) if on]
        typer.echo(f"{u['name']:24} {u['role']:9} {status:20} {', '.join(notes)}".rstrip())


@user_app.command("passwd")
def user_passwd(ctx: typer.Context,
                name: AccountName,
                password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                             help="Read the new password from stdin.")] = False,
                actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Set an account's password (your own, or anyone's as an admin: then it is temporary, and its API token is
    revoked)."""
    from zaitun.review import temporary
    from zaitun.review.identity import require_admin
    from zaitun.review.users import existing, set_password

    store = ctx.obj.store
    user = acting(store, actor, token_file, allow_temporary=True)
    existing(store, name)
    if user["name"] != name:
        require_admin(user, "set another account's password")
    revoked = set_password(store, name, _new_password(name, password_stdin), actor=user["name"])
    temporary.forget(ctx.obj.project, name)
    token = f", its API token revoked (`zaitun user token {name}` gives a new one)" if revoked else ""
    later = "" if user["name"] == name else f"; {name} chooses a new one at the next login"
    typer.echo(f"password of {name} changed, its sessions ended{token}{later}")


@user_app.command("disable")
def user_disable(ctx: typer.Context, name: AccountName, actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Disable an account (never deleted, so the audit log stays readable); its sessions end at once."""
    from zaitun.review.users import disable

    store, user = _admin(ctx, actor, token_file, "disable accounts")
    ended = disable(store, name, user["name"])
    typer.echo(f"disabled {name}; {ended} open session(s) ended")


@user_app.command("enable")
def user_enable(ctx: typer.Context, name: AccountName, actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Enable a disabled account again (admins only); its old API token stays revoked."""
    from zaitun.review.users import enable

    store, user = _admin(ctx, actor, token_file, "enable accounts")
    revoked = enable(store, name, user["name"])
    typer.echo(f"enabled {name}" + (f"; its old API token stays revoked (`zaitun user token {name}` gives a new "
                                     "one)" if revoked else ""))


@user_app.command("token")
def user_token(ctx: typer.Context, name: AccountName,
               revoke: Annotated[bool, typer.Option("--revoke", help="Stop the account's token working, and issue "
                                                    "none (yours, or anyone's as an admin).")] = False,
               actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Print a new API token for your own account once; the old one stops working. What a token approves is
    credited to its account, so nobody, an admin neither, is given another's; an admin may revoke one."""
    from zaitun.review.identity import require_admin
    from zaitun.review.users import existing, issue_token, revoke_token

    store = ctx.obj.store
    user = acting(store, actor, token_file)
    existing(store, name)
    if revoke:
        if user["name"] != name:
            require_admin(user, "revoke tokens of other accounts")
        had = revoke_token(store, name, user["name"])
        typer.echo(f"API token of {name} revoked" if had else f"{name} had no API token")
        return
    if user["name"] != name:
        raise ReviewError(f"an API token is its account's own: what it approves is credited to {name}, so only "
                          f"{name} gets one, proving who they are (`zaitun user token {name} --as {name}`); "
                          f"an admin may revoke it (`zaitun user token {name} --revoke`)")
    typer.echo(issue_token(store, name, user["name"]))
    typer.echo(f"This is {name}'s API token; it is shown only once. Keep it in a file readable by {name} only and "
               "use it with --token-file FILE, or export ZAITUN_TOKEN.", err=True)


RECOVER_HELP = (  # paragraphs without line breaks of their own: Typer keeps those after the first paragraph
    "For the operator at the machine: let a person whose password is lost (the only admin, say) back in.\n\n"
    "Sets a new temporary password and writes it to .zaitun/recovered-password-NAME (readable by you only; it "
    "is never printed). The person logs in with it and must choose their own; the file is removed then.\n\n"
    "Every session of the account ends, and its API token is revoked (a lost password may be a stolen one): "
    "once logged in, `zaitun user token NAME` gives a new one. A disabled account is refused unless --enable.\n\n"
    "Needs no account: you prove who you are by owning the project's .zaitun/ folder and being able to write it "
    "(root too must run this as that owner: sudo -u OWNER), and with PostgreSQL by connecting with the "
    "configured credentials. The audit log records your OS user name and host.")


@user_app.command("recover", help=RECOVER_HELP)
def user_recover(ctx: typer.Context, name: AccountName,
                 enable: Annotated[bool, typer.Option("--enable", help="Enable the account again if it is "
                                                      "disabled (without it a disabled account is refused).")]
                 = False) -> None:
    from zaitun.review.account_recovery import recover

    done = recover(ctx.obj, name, enable=enable)
    token = "its API token revoked" if done.token_revoked else "it had no API token"
    again = "; enabled again" if done.enabled_again else ""
    typer.echo(f"recovered {name}: a temporary password is in {done.password_file} (readable by you only){again};\n"
               f"  {done.sessions_ended} open session(s) ended, {token};\n"
               f"  {name} logs in with it and chooses a new password (the file is removed then)")
