"""`zaitun review ...` and `zaitun user ...`: the review gate and accounts from the command line.

Whoever changes anything proves who they are: an API token (ZAITUN_TOKEN or --token-file) or
--as NAME and the password, asked for.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from zaitun.errors import ReviewError

review_app = typer.Typer(help="Review translations: list, show, approve, reject, edit, XLIFF, web UI.",
                         no_args_is_help=True)
user_app = typer.Typer(help="Manage review accounts.", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option(
    "--as", help="Your account name; without a token your password is asked for.")]
TokenFile = Annotated[Path | None, typer.Option(
    "--token-file", help="File holding your API token (default: the ZAITUN_TOKEN environment variable).",
    dir_okay=False, exists=True)]


def _acting(store, claimed: str | None, token_file: Path | None, allow_temporary: bool = False) -> dict:
    """The proven account of whoever runs this command."""
    from zaitun.review.identity import prove

    if token_file and token_file.stat().st_mode & 0o077:
        raise ReviewError(f"{token_file}: others can read this token file; make it yours alone "
                          f"(chmod 600 {token_file})")
    token = token_file.read_text(encoding="utf-8").strip() if token_file else os.environ.get("ZAITUN_TOKEN", "")
    return prove(store, claimed, token, _ask_password, allow_temporary=allow_temporary)


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


def _project():
    from zaitun.cli import get_project

    return get_project()


def _store():
    from zaitun.cli import open_store

    return open_store(_project())


def _echo_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@review_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Documents with their review progress (approved / total, flagged)."""
    from zaitun.review.views import queue

    rows = queue(_project(), _store())
    if as_json:
        _echo_json({"documents": [r.__dict__ for r in rows]})
        return
    for r in rows:
        flagged = f", {r.flagged} flagged" if r.flagged else ""
        typer.echo(f"{r.slug:40} {r.stage:17} {r.approved}/{r.total} approved{flagged}")


@review_app.command()
def show(slug: str, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every segment of a document: id, state, Chinese, English and QA issues."""
    from zaitun.review.gate import progress, segment_states

    store = _store()
    if store.document(slug) is None:
        raise ReviewError(f"no document {slug!r} (see `zaitun review list`)")
    states = segment_states(store, slug)
    if as_json:
        _echo_json({"slug": slug, "progress": progress(states), "segments": [
            {"id": s.seg_id, "kind": s.kind, "state": s.state, "source": s.source, "target": s.target,
             "issues": s.issues, "previous": s.previous} for s in states]})
        return
    prog = progress(states)
    typer.echo(f"{slug}: {prog['approved']}/{prog['total']} approved, {prog['flagged']} flagged")
    for s in states:
        typer.echo(f"\n{s.seg_id}  {s.state:8} {s.kind}")
        if s.previous:
            typer.echo(f"  was: {s.previous['source']}\n  was approved as: {s.previous['target']}")
        typer.echo(f"  zh: {s.source}\n  en: {s.target or '(none yet)'}")
        for issue in s.issues:
            typer.echo(f"  ! {issue.get('check')}: {issue.get('message')}")


def _report(result) -> None:
    for seg_id in result.approved:
        typer.echo(f"approved {seg_id}")
    for seg_id, why in result.skipped.items():
        typer.echo(f"skipped {seg_id}: {why}", err=True)
    if result.completed:
        typer.echo("every segment is approved: the English page is released for publishing")


@review_app.command()
def approve(slug: str,
            segment_ids: Annotated[list[str] | None, typer.Argument(help="Segments to approve.")] = None,
            all_unflagged: Annotated[bool, typer.Option("--all-unflagged",
                                                        help="Approve every draft without QA issues.")] = False,
            actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Approve segments (by id, or every unflagged draft)."""
    from zaitun.review import actions

    if bool(segment_ids) == all_unflagged:
        raise ReviewError("give segment ids or --all-unflagged (one of the two)")
    project, store = _project(), _store()
    actor = _acting(store, actor, token_file)["name"]
    if all_unflagged:
        result = actions.approve_unflagged(project, store, slug, actor)
    else:
        result = actions.approve(project, store, slug, list(segment_ids), actor)
    _report(result)
    if result.skipped and not result.approved:
        raise typer.Exit(1)


@review_app.command()
def reject(slug: str, segment_id: str,
           comment: Annotated[str, typer.Option("--comment", help="What is wrong, for the translator.")],
           actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Reject a segment's translation with a comment."""
    from zaitun.review import actions

    store = _store()
    actions.reject(store, slug, segment_id, _acting(store, actor, token_file)["name"], comment)
    typer.echo(f"rejected {segment_id}")


@review_app.command()
def edit(slug: str, segment_id: str,
         target: Annotated[str, typer.Option("--target", help="The new English text.")],
         approve_now: Annotated[bool, typer.Option("--approve", help="Approve the new text at once.")] = False,
         actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Store a new English text for a segment (the old one stays in history)."""
    from zaitun.review import actions

    store = _store()
    actor = _acting(store, actor, token_file)["name"]
    result = actions.edit(_project(), store, slug, segment_id, target, actor, approve_now=approve_now)
    typer.echo(f"saved {segment_id}")
    _report(result)


@review_app.command("export-xliff")
def export_xliff(slug: str,
                 output: Annotated[Path | None, typer.Option("-o", "--output", help="File (default: stdout).",
                                                             dir_okay=False)] = None) -> None:
    """Write a document as XLIFF 2.0 for a CAT tool."""
    from zaitun.review.xliff import export_xliff as export

    data = export(_store(), slug)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    typer.echo(f"wrote {output}", err=True)


@review_app.command("import-xliff")
def import_xliff(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="XLIFF 2.0 file.")],
                 actor: AsUser = None, token_file: TokenFile = None,
                 approve_final: Annotated[bool, typer.Option(
                     "--approve-final", help="Approve units whose state is final, in your name.")] = False) -> None:
    """Take translations back from XLIFF 2.0; units whose Chinese changed are refused one by one."""
    from zaitun.review.xliff import import_xliff as do_import

    store = _store()
    actor = _acting(store, actor, token_file)["name"]
    report = do_import(_project(), store, file.read_bytes(), actor, approve_final=approve_final)
    for line in report.lines():
        typer.echo(line, err=True)
    typer.echo(f"updated {len(report.updated)}, approved {len(report.approved)}, "
               f"unchanged {len(report.unchanged)}, refused {len(report.refused)}")
    if report.refused:
        raise typer.Exit(1)


@review_app.command()
def serve(host: Annotated[str | None, typer.Option(help="Address (default: review.host).")] = None,
          port: Annotated[int | None, typer.Option(help="Port (default: review.port).")] = None) -> None:
    """Run the review web UI."""
    import uvicorn

    from zaitun.review.web import create_app

    project = _project()
    host = host or project.config.get("review.host")
    port = port or project.config.get("review.port")
    typer.echo(f"review UI on http://{host}:{port}/ (Ctrl+C to stop)")
    # the client address comes from the socket unless review.trusted_proxies names the proxy
    uvicorn.run(create_app(project, _store()), host=host, port=port, proxy_headers=False, log_level="info")


@user_app.command("add")
def user_add(name: str,
             role: Annotated[str, typer.Option("--role", help="reviewer | editor | admin")],
             password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                          help="Read the password from stdin.")] = False,
             actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Create an account (admins only, once one exists; password prompted twice, or read from stdin)."""
    from zaitun.review.identity import require_admin
    from zaitun.review.users import add_user

    store = _store()
    if store.has_users():
        require_admin(_acting(store, actor, token_file), "add accounts")
    add_user(store, name, role, _new_password(name, password_stdin))
    typer.echo(f"added {role} {name}")


@user_app.command("list")
def user_list(actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Every account: role, whether it is disabled, must change its password, has an API token."""
    from zaitun.review.identity import require_admin

    store = _store()
    require_admin(_acting(store, actor, token_file), "list accounts")
    for u in store.users():
        status = f"disabled {u['disabled_at']:%Y-%m-%d}" if u["disabled_at"] else "active"
        notes = [n for n, on in (("must change password", u["must_change_password"]),
                                 ("has API token", u["token_hash"])) if on]
        typer.echo(f"{u['name']:24} {u['role']:9} {status:20} {', '.join(notes)}".rstrip())


@user_app.command("passwd")
def user_passwd(name: str,
                password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                             help="Read the new password from stdin.")] = False,
                actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Set an account's password (your own, or anyone's as an admin: then it is temporary)."""
    from zaitun.review.identity import require_admin
    from zaitun.review.users import existing, set_password

    store = _store()
    user = _acting(store, actor, token_file, allow_temporary=True)
    existing(store, name)
    if user["name"] != name:
        require_admin(user, "set another account's password")
    set_password(store, name, _new_password(name, password_stdin), actor=user["name"])
    later = "" if user["name"] == name else f"; {name} chooses a new one at the next login"
    typer.echo(f"password of {name} changed, its sessions ended{later}")


@user_app.command("disable")
def user_disable(name: str, actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Disable an account (never deleted, so the audit log stays readable); its sessions end at once."""
    from zaitun.review.identity import require_admin
    from zaitun.review.users import disable

    store = _store()
    user = _acting(store, actor, token_file)
    require_admin(user, "disable accounts")
    ended = disable(store, name, user["name"])
    typer.echo(f"disabled {name}; {ended} open session(s) ended")


@user_app.command("token")
def user_token(name: str, actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Print a new API token for an account (yours, or anyone's as an admin) once; the old one stops working."""
    from zaitun.review.identity import require_admin
    from zaitun.review.users import existing, issue_token

    store = _store()
    user = _acting(store, actor, token_file)
    existing(store, name)
    if user["name"] != name:
        require_admin(user, "issue tokens for other accounts")
    typer.echo(issue_token(store, name, user["name"]))
    typer.echo(f"This is {name}'s API token; it is shown only once. Keep it in a file readable by {name} only and "
               "use it with --token-file FILE, or export ZAITUN_TOKEN.", err=True)
