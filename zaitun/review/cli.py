"""`zaitun review ...`: the review gate from the command line.

Whoever changes anything proves who they are (see `zaitun.review.user_cli`): an API token
(ZAITUN_TOKEN or --token-file) or --as NAME and the password, asked for.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from zaitun.errors import ReviewError
from zaitun.review.user_cli import AsUser, TokenFile, acting
from zaitun.typed import typed

Document = Annotated[str, typer.Argument(callback=typed, help="The document: its slug (`zaitun review list`), "
                                                                  "or its file's path, e.g. content/guides/visa.md.")]

review_app = typer.Typer(help="Review translations: list, show, approve, reject, edit, XLIFF, web UI.",
                         no_args_is_help=True)
tm_app = typer.Typer(help="Translation memory exchange: TMX import and export.", no_args_is_help=True)


def _named(project, store, name: str) -> str:
    """The slug of the document `name` names (zaitun.review.documents: imported when a command needs it)."""
    from zaitun.review.documents import named

    return named(project, store, name)


def _visible(text: str) -> str:
    """Text as a terminal shows every character of it: a carriage return, an escape sequence or a direction
    override would hide or redraw what a reviewer reads before approving it, so each is printed as its escape
    (`\\r`, `\\x1b`, `\\u202e`); line breaks are kept."""
    return _HIDDEN_RE.sub(lambda found: found[0].encode("unicode_escape").decode(), text)


_HIDDEN_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


def _echo_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@review_app.command("list")
def list_(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Documents with their review progress (approved / total, flagged)."""
    from zaitun.review.status import queue

    rows = queue(ctx.obj.project, ctx.obj.store)
    if as_json:
        _echo_json({"documents": [r.__dict__ for r in rows]})
        return
    for r in rows:
        flagged = f", {r.flagged} flagged" if r.flagged else ""
        typer.echo(f"{r.slug:40} {r.stage:17} {r.approved}/{r.total} approved{flagged}")


@review_app.command()
def show(ctx: typer.Context,
         slug: Document, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every segment of a document: ID@VERSION, state, Chinese, English, QA issues and memory suggestions.

    VERSION names the text shown; `review approve` and `review reject` take ID@VERSION, so they act only on
    what you read."""
    from zaitun.review.gate import unflagged_token
    from zaitun.review.suggest import suggestions
    from zaitun.state.segments import progress, segment_states

    store = ctx.obj.store
    slug = _named(ctx.obj.project, store, slug)
    states = segment_states(store, slug)
    suggested = suggestions(ctx.obj.project, store, states)
    if as_json:
        _echo_json({"slug": slug, "progress": progress(states), "unflagged_token": unflagged_token(states),
                    "segments": [{"id": s.seg_id, "version": s.version, "kind": s.kind, "state": s.state,
                                  "source": s.source, "target": s.target, "issues": s.issues,
                                  "previous": s.previous,
                                  "suggestions": [x.as_json() for x in suggested.get(s.seg_id, [])]}
                                 for s in states]})
        return
    prog = progress(states)
    typer.echo(f"{slug}: {prog['approved']}/{prog['total']} approved, {prog['flagged']} flagged")
    for s in states:
        typer.echo(f"\n{s.seg_id}@{s.version}  {s.state:8} {s.kind}")
        if s.previous:
            typer.echo(f"  was: {_visible(s.previous['source'])}\n"
                       f"  was approved as: {_visible(s.previous['target'])}")
        typer.echo(f"  zh: {_visible(s.source)}\n  en: {_visible(s.target) if s.target else '(none yet)'}")
        for issue in s.issues:
            typer.echo(f"  ! {issue.get('check')}: {_visible(issue.get('message') or '')}")
        for x in suggested.get(s.seg_id, []):
            typer.echo(f"  ~ {x.similarity}% memory: {_visible(x.source)}\n           {_visible(x.english)}")
    unflagged = sum(s.unflagged_draft for s in states)
    if unflagged:
        typer.echo(f"\n{unflagged} unflagged draft(s) shown above; approve exactly these with:\n"
                   f"  zaitun review approve {slug} --all-unflagged --seen {unflagged_token(states)}")


def _report(result, flags: dict[str, list[dict]] | None = None) -> None:
    for seg_id in result.approved:
        over = (flags or {}).get(seg_id)
        typer.echo(f"approved {seg_id}" + (f", over {len(over)} QA flag(s): " + "; ".join(
            f"{i.get('check')}: {i.get('message')}" for i in over) if over else ""))
    for seg_id, why in (result.skipped | result.refused).items():
        typer.echo(f"skipped {seg_id}: {why}", err=True)
    for seg_id, why in result.held.items():
        typer.echo(f"held back {seg_id}: {why}", err=True)
    if result.completed:
        typer.echo("every segment is approved: the English page is released for publishing")


def _versioned(item: str, what: str, done: str = "approved") -> tuple[str, str]:
    """`ID@VERSION` as `review show` prints it; a bare id is refused so nobody approves (or rejects)
    unread text."""
    seg_id, _, version = item.partition("@")
    if not seg_id or not version:
        raise ReviewError(f"{item!r}: {what} needs ID@VERSION as `zaitun review show` prints it, "
                          f"so that only the text you read is {done}")
    return seg_id, version


@review_app.command()
def approve(ctx: typer.Context,
            slug: Document,
            segments: Annotated[list[str] | None, typer.Argument(
                callback=typed, help="Segments to approve, each as ID@VERSION from `zaitun review show`.")] = None,
            all_unflagged: Annotated[bool, typer.Option("--all-unflagged",
                                                        help="Approve every unflagged draft (needs --seen).")] = False,
            seen: Annotated[str, typer.Option("--seen", callback=typed, help="With --all-unflagged: the token "
                                              "`zaitun review show` printed; refused if the drafts changed since.")]
            = "",
            actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Approve segments at the versions you read (ID@VERSION), or the unflagged drafts `review show` listed.

    A segment whose English changed since you read it, or that holds a forbidden rendering, is not
    approved (exit status 1); so is --all-unflagged finding no unflagged draft: it names the segments left."""
    from zaitun.review import actions

    if bool(segments) == all_unflagged:
        raise ReviewError("give segments as ID@VERSION or --all-unflagged --seen TOKEN (one of the two)")
    if seen and not all_unflagged:  # each segment's own version says what was read: a token here would be ignored
        raise ReviewError("--seen goes with --all-unflagged; the segments given say what you read as ID@VERSION")
    if all_unflagged and not seen:
        raise ReviewError(f"--all-unflagged needs --seen TOKEN: run `zaitun review show {slug}` and read the drafts; "
                          "it prints the command with the token")
    project, store = ctx.obj.project, ctx.obj.store
    slug = _named(project, store, slug)
    actor = acting(store, actor, token_file)["name"]
    if all_unflagged:
        result = actions.approve_unflagged(project, store, slug, seen, actor)
    else:
        result = actions.approve(project, store, slug, dict(_versioned(s, "approve") for s in segments), actor)
    _report(result, _flags(store, slug, result.approved))
    if not (result.approved or result.skipped or result.refused or result.held):  # no unflagged draft to approve
        typer.echo(_nothing_unflagged(store, slug), err=True)
        raise typer.Exit(1)
    if result.refused or result.held or (result.skipped and not result.approved):
        raise typer.Exit(1)


def _flags(store, slug: str, approved) -> dict[str, list[dict]]:
    """The QA issues of the segments just approved: a reviewer approving over one sees it said back."""
    from zaitun.state.segments import segment_states

    if not approved:
        return {}
    return {s.seg_id: s.issues for s in segment_states(store, slug) if s.seg_id in approved and s.issues}


def _nothing_unflagged(store, slug: str) -> str:
    """Why "approve all unflagged" approved nothing, naming the segments left for a person to read."""
    from zaitun.state.segments import segment_states

    left = [s for s in segment_states(store, slug) if s.state != "approved"]
    if not left:
        return f"nothing approved: every segment of {slug} is approved already"
    why = {"draft": "flagged", "rejected": "rejected", "pending": "no translation yet"}
    named = [f"{s.seg_id}@{s.version} ({why.get(s.state, s.state)})" for s in left[:5]]
    more = f" and {len(left) - 5} more" if len(left) > 5 else ""
    return (f"nothing approved: {slug} has no unflagged draft left; read each segment left and approve it by its "
            f"ID@VERSION (`zaitun review show {slug}`): {', '.join(named)}{more}")


@review_app.command()
def reject(ctx: typer.Context,
           slug: Document,
           segment: Annotated[str, typer.Argument(callback=typed,
                                                  help="The segment as ID@VERSION from `zaitun review show`.")],
           comment: Annotated[str, typer.Option("--comment", callback=typed,
                                                help="What is wrong, for the translator.")],
           yes: Annotated[bool, typer.Option("--yes", help="Do not ask first, at a terminal, when the English was "
                                                           "taken from translation memory elsewhere.")] = False,
           actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Reject a segment's translation at the version you read (ID@VERSION), with a comment.

    When someone saved another draft or rejected it since you read it, nothing is rejected. Rejecting approved
    English of a published document takes its English page offline at the next build, until a corrected
    translation is approved (a document dated later: its English does not go online on its date until then);
    so does every other segment that took that English from translation memory without a person approving it
    there: it comes back to review, flagged with why. At a terminal, when the English reaches other segments
    that way, the documents are named and you are asked first (--yes does not ask); either way what the
    rejection took back is printed after."""
    from zaitun.review import actions, gate

    segment_id, version = _versioned(segment, "reject", "rejected")
    project, store = ctx.obj.project, ctx.obj.store
    slug = _named(project, store, slug)
    name = acting(store, actor, token_file)["name"]
    if not yes and sys.stdin.isatty():
        try:
            reach = gate.reach(store, slug, segment_id, seen=version)
        except ReviewError:  # the rejection below refuses it, with the same words, in the audit log too
            reach = gate.Rejection()
        notes = actions.reach_notes(project, store, slug, reach)
        if notes:
            typer.echo("Rejecting this English reaches beyond the segment:\n"
                       + "\n".join(f"  - {note}" for note in notes), err=True)
            if not typer.confirm("Reject it?", err=True):
                typer.echo("nothing rejected", err=True)
                raise typer.Exit(1)
    rejection = actions.reject(store, slug, segment_id, name, comment, version)
    note = actions.rejected_note(project, store, slug, rejection)
    typer.echo(f"rejected {segment_id}" + (f": {note}" if note else ""))


@review_app.command()
def edit(ctx: typer.Context,
         slug: Document,
         segment: Annotated[str, typer.Argument(callback=typed, help="ID@VERSION from `zaitun review show` (a bare "
                                                                     "ID only without --approve).")],
         target: Annotated[str, typer.Option("--target", callback=typed, help="The new English text.")],
         approve_now: Annotated[bool, typer.Option("--approve", help="Approve the new text at once.")] = False,
         actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Store a new English text for a segment (the old one stays in history).

    With ID@VERSION the edit is refused when someone saved another draft since you read it. With
    --approve, text holding a forbidden rendering is saved but not approved (exit status 1)."""
    from zaitun.review import actions

    if approve_now or "@" in segment:
        segment_id, version = _versioned(segment, "edit --approve")
    else:
        segment_id, version = segment, None
    store = ctx.obj.store
    slug = _named(ctx.obj.project, store, slug)
    actor = acting(store, actor, token_file)["name"]
    result = actions.edit(ctx.obj.project, store, slug, segment_id, target, actor, approve_now=approve_now,
                          based_on=version)
    typer.echo(f"unchanged {segment_id}: {result.unchanged}" if result.unchanged else f"saved {segment_id}")
    _report(result, result.over_flags)
    if result.refused or result.held:
        raise typer.Exit(1)


@review_app.command("export-xliff")
def export_xliff(ctx: typer.Context,
                 slug: Document,
                 output: Annotated[Path | None, typer.Option("-o", "--output", help="File (default: stdout).",
                                                             dir_okay=False)] = None) -> None:
    """Write a document as XLIFF 2.0 for a CAT tool."""
    from zaitun.review.xliff import export_xliff as export

    data = export(ctx.obj.store, _named(ctx.obj.project, ctx.obj.store, slug))
    if output is None:
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    typer.echo(f"wrote {output}", err=True)


@review_app.command("import-xliff")
def import_xliff(ctx: typer.Context,
                 file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="XLIFF 2.0 file.")],
                 actor: AsUser = None, token_file: TokenFile = None,
                 approve_final: Annotated[bool, typer.Option(
                     "--approve-final", help="Approve units whose state is final, in your name; those QA flags, "
                                             "those giving back a flagged draft unchanged, those without "
                                             "zt:version and English a reviewer rejected handed back unchanged "
                                             "are left as drafts for review.")] = False,
                 ) -> None:
    """Take translations back from XLIFF 2.0 (zh -> en); units whose Chinese changed are refused one by one.

    Exits with status 1 when a unit was refused or a final unit was not approved."""
    from zaitun.review.xliff import import_xliff as do_import

    store = ctx.obj.store
    actor = acting(store, actor, token_file)["name"]
    report = do_import(ctx.obj.project, store, file.read_bytes(), actor, approve_final=approve_final,
                       name=str(file))
    for line in report.lines():
        typer.echo(line, err=True)
    typer.echo(f"updated {len(report.updated)}, approved {len(report.approved)}, "
               f"not approved {len(report.not_approved)}, unchanged {len(report.unchanged)}, "
               f"refused {len(report.refused)}")
    if report.refused or report.not_approved:
        raise typer.Exit(1)


@review_app.command()
def serve(ctx: typer.Context,
          host: Annotated[str | None, typer.Option(callback=typed, help="Address (default: review.host).")] = None,
          port: Annotated[int | None, typer.Option(help="Port (default: review.port).")] = None) -> None:
    """Run the review web UI."""
    import signal

    import uvicorn

    from zaitun.events import flush, stay_connected
    from zaitun.review.web import create_app

    stay_connected()  # each approval's event, for as long as it serves
    project = ctx.obj.project
    host = host or project.config.get("review.host")
    port = port or project.config.get("review.port")
    typer.echo(f"review UI on http://{host}:{port}/ (Ctrl+C to stop)")
    # the client address comes from the socket unless review.trusted_proxies names the proxy
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a service manager's stop ends it like Ctrl-C
    try:  # (no lifespan: the app has no startup or shutdown of its own, and Starlette logged its cancellation
        # by Ctrl-C as an error with a traceback)
        uvicorn.run(create_app(ctx.obj), host=host, port=port, proxy_headers=False, log_level="info", lifespan="off")
    except KeyboardInterrupt:
        pass
    finally:
        flush()
    typer.echo("review UI stopped")


@tm_app.command("import")
def tm_import(ctx: typer.Context,
              file: Annotated[Path, typer.Argument(help="A TMX file (zh -> en).", exists=True, dir_okay=False)],
              actor: AsUser = None, token_file: TokenFile = None) -> None:
    """Add a TMX file's Simplified Chinese -> English pairs to the translation memory, in your name
    (reviewers and admins: exact matches are approved and published from memory unread, so whoever imports
    vouches for them). Reviewers' approvals are kept. Units skipped are listed with why: Traditional Chinese,
    a placeholder (<ph>), longer than limits.text_bytes, the same Chinese as an earlier unit with other
    English (the first is kept), or a rendering the glossary forbids."""
    from zaitun.config import Limits
    from zaitun.review.gate import require_role
    from zaitun.translate.glossary import load_glossary
    from zaitun.translate.memory import import_tmx

    project, store = ctx.obj.project, ctx.obj.store
    name = require_role(store, acting(store, actor, token_file)["name"])["name"]
    result = import_tmx(store, file, load_glossary(project.glossary_dir), imported_by=name,
                        limits=Limits.of(project.config))
    typer.echo(f"memory: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
               f"{result.kept} kept as approved in review")
    for note in result.skipped:
        typer.echo(note, err=True)


@tm_app.command("export")
def tm_export(ctx: typer.Context,
              output: Annotated[Path | None, typer.Option("--output", "-o",
                                                          help="File to write (default: stdout).")] = None) -> None:
    """Write the whole translation memory as TMX."""
    from zaitun.translate.cli import write_output
    from zaitun.translate.memory import export_tmx

    write_output(export_tmx(ctx.obj.store), output)
