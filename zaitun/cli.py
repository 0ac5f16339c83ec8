"""The `zaitun` command line. Each command is a thin call into the library."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import json
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
import typer.main
import typer.models

from zaitun import __version__
from zaitun.context import Context
from zaitun.errors import ZaitunError, refused
from zaitun.project import Project

Command = typer.core.TyperCommand | typer.core.TyperGroup  # what click runs
commands = typer.Typer()  # the commands, registered as usual; `app` makes one into click's only when run


class _Made(MutableMapping):
    """The root group's commands (name -> click command), each made from its registration in `commands` when
    first looked up: making all of them costs every command's start-up 20 ms (typer reads each function's
    signature and annotations); --help lists them all, so it makes them all."""

    def __init__(self) -> None:  # made as a command line runs: every command is registered by then
        self._made: dict[str, Command] = {}
        self._infos: dict[str, Any] = {info.name or typer.main.get_command_name(info.callback.__name__): info
                                       for info in commands.registered_commands}
        self._infos |= {info.name: info for info in commands.registered_groups}

    def __getitem__(self, name: str) -> Command:
        if name not in self._made:
            info = self._infos[name]  # KeyError: no such command
            made = typer.main.get_command_from_info if isinstance(info, typer.models.CommandInfo) else \
                functools.partial(typer.main.get_group_from_info, suggest_commands=app.suggest_commands)
            self._made[name] = _unwrapped(made(info, pretty_exceptions_short=app.pretty_exceptions_short,
                                               rich_markup_mode=app.rich_markup_mode))
        return self._made[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._infos[name] = None
        self._made[name] = command

    def __delitem__(self, name: str) -> None:
        del self._infos[name]
        self._made.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)


def _unwrapped(command: Command) -> Command:
    """The command (and a group's every command) with each paragraph of its help on one line: docstrings are
    wrapped for the source, and typer's rich help keeps single line breaks, so --help printed ragged lines
    (`review reject`); the terminal's width wraps a paragraph instead."""
    if command.help:
        command.help = "\n\n".join(" ".join(paragraph.split()) for paragraph in
                                    inspect.cleandoc(command.help).split("\n\n"))
    for sub in getattr(command, "commands", {}).values():
        _unwrapped(sub)
    return command


class _OnDemand(typer.core.TyperGroup):
    """The root group, its commands made when looked up (`_Made`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs | {"commands": _Made()})


app = typer.Typer(
    help="zaitun: Chinese government content to reviewed, published bilingual (zh/en) pages.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, cls=_OnDemand,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zaitun {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    project: Annotated[Path | None, typer.Option("--project", "-C", help="Project folder (default: the current "
                                                 "folder's, or the nearest above holding zaitun.toml or content/).",
                                                 file_okay=False)] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    from zaitun.stack import adopt_running_stack

    root, refusal = _project_root(project, ctx.invoked_subcommand)
    ctx.obj = Context(Project(root), refusal=refusal)
    if ctx.invoked_subcommand != "up" and not refusal:  # a second `zaitun up` refuses (StackLock), never joins
        adopt_running_stack(ctx.obj.project)


def _project_root(given: Path | None, command: str | None) -> tuple[Path, str]:
    """The project a command works on: the one given, else the one the current folder is in; and why it is no
    project, if it is none. Any command but `init` then refuses when it first uses it (its --help still shows),
    rather than make a store in whatever folder it was run from."""
    from zaitun.project import find_root, is_project, not_utf8_folder

    root = given if given is not None else find_root(Path.cwd().resolve()) or Path(".")
    if command not in (None, "init") and (refusal := not_utf8_folder(root.resolve())):
        return root, refusal
    if command in (None, "init") or is_project(root):
        return root, ""
    where = "this folder" if given is None else str(given)
    return root, (f"{where} ({root.resolve()}) is no zaitun project: it holds no zaitun.toml, content/ or .zaitun/"
                  + (" (nor does a folder above it)" if given is None else "") + ": run zaitun in your project's "
                  f"folder, give it with `zaitun --project DIR {command} ...`, or make one with `zaitun init DIR`")


@commands.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder for the new project (new or empty).")],
         no_sample: Annotated[bool, typer.Option("--no-sample", help="Leave content/, glossary/ and tm/ "
                                                 "empty.")] = False,
         upgrade: Annotated[bool, typer.Option("--upgrade", help="On an existing project: tell what its generated "
                                               "files lack compared with this zaitun; write missing ones.")]
         = False) -> None:
    """Create a new zaitun project with zaitun.toml, glossary, memory and sample content."""
    from zaitun.scaffold import init_project, upgrade_project

    if upgrade:
        lines = upgrade_project(directory)
        for line in lines:
            typer.echo(line)
        typer.echo(f"{len(lines)} difference(s) from zaitun {__version__}" if lines else
                   f"{directory.resolve()} is up to date with zaitun {__version__}")
        return
    init_project(directory, with_sample=not no_sample)
    typer.echo(f"created zaitun project in {directory.resolve()}")
    typer.echo(f"next: cd {directory} && zaitun check && zaitun run")


@commands.command()
def check(ctx: typer.Context) -> None:
    """Validate zaitun.toml (every setting, and notification URLs Apprise must understand), content and the files
    it links, glossaries and tag labels; print path:line: problem. Files in content/ that nothing reads nor links
    (an old Word .doc), and documents that are the same notice as another (one document number, or one Chinese
    text), are named as warnings, which stop nothing."""
    from zaitun.check import check_findings

    found = check_findings(ctx.obj.project)
    problems = found.problems
    _echo_unread([str(w) for w in found.unread + found.twice])
    for problem in problems:
        typer.echo(str(problem), err=True)
    if found.unread:
        typer.echo(f"{len(found.unread)} file(s) not read: left where they are, they stop nothing", err=True)
    if found.twice:
        typer.echo(f"{len(found.twice)} document(s) the same notice as another: each is published, until one is "
                   "deleted", err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) found", err=True)
        raise typer.Exit(1)
    typer.echo("all content, glossaries and settings are valid")


@commands.command("import")
def import_(ctx: typer.Context,
            files: Annotated[list[Path], typer.Argument(help="Notices as .txt (UTF-8/UTF-16/GBK/GB18030/Big5) or "
                                                        ".docx, or folders of them.", exists=True)],
            section: Annotated[str, typer.Option(help="Content section to put them in.")] = "policies",
            slug: Annotated[str | None, typer.Option(help="Slug of a single notice (default: from the document "
                                                     "number).")] = None,
            force: Annotated[bool, typer.Option("--force", help="Overwrite existing documents.")] = False) -> None:
    """Convert government documents (通知, 意见, 办法, 规定, 决定, 令, 公告, 通告) into structured
    content documents and print their paths; one that fails does not stop the others."""
    from zaitun.config import Limits
    from zaitun.content.importer import import_notice, import_notices

    limits = Limits.of(ctx.obj.project.config)
    if len(files) == 1 and files[0].is_file():
        typer.echo(str(import_notice(files[0], ctx.obj.project.content_dir, section=section, slug=slug, force=force,
                                     limits=limits)))
        return
    if slug:
        raise typer.BadParameter("--slug names one notice: import the others without it", param_hint="--slug")
    report = import_notices(files, ctx.obj.project.content_dir, section=section, force=force, limits=limits)
    for path in report.written:
        typer.echo(str(path))
    for skipped in report.skipped:
        typer.echo(f"warning: {skipped}", err=True)
    for error in report.errors:
        typer.echo(f"zaitun: error: {error}", err=True)
    typer.echo(report.summary())
    if report.failed():
        raise typer.Exit(1)


ALLOW_EMPTY = typer.Option("--allow-empty", help="content/ holding no document is meant: withdraw every document "
                           "(without it, such a pass withdraws nothing, taking it for a share not mounted; `run "
                           "--allow-empty` also takes their pages offline at once).")


@commands.command()
def intake(ctx: typer.Context, allow_empty: Annotated[bool, ALLOW_EMPTY] = False) -> None:
    """Take content/ into the store: segment new and changed documents, withdraw deleted ones."""
    from zaitun.content.unread import told
    from zaitun.pipeline import intake as take_in

    report = take_in(ctx.obj.project, ctx.obj.store, allow_empty)
    for error in report.errors:
        typer.echo(str(error), err=True)
    _echo_unread(told(report.unread) + [str(w) for w in report.twice])
    for waiting in report.writing:
        typer.echo(str(waiting), err=True)
    for why in report.anew.values():
        typer.echo(f"  {why}")
    typer.echo(f"ingested {len(report.ingested)}, unchanged {len(report.unchanged)}, "
               f"withdrawn {len(report.withdrawn)}, errors {len(report.errors)}"
               + (f", not read {len(report.unread)}" if report.unread else "")
               + (f", same notice twice {len(report.twice)}" if report.twice else "")
               + (f", still being written {len(report.writing)}" if report.writing else ""))
    if report.errors:
        raise typer.Exit(1)


@commands.command()
def status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show each document's stage: translating, in review, approved, update in review, english offline (and why),
    withdrawn; expiry; files to fix, files not read, and notices in content/ twice; notifications waiting and
    records of .zaitun/ set aside; with zaitun up running, its flow runs under way and waiting (for how long)."""
    from dataclasses import asdict

    from zaitun import failures, notify, statefiles
    from zaitun.check import content_findings, stored_places
    from zaitun.content.unread import told
    from zaitun.review.status import project_status
    from zaitun.stack import running_stack

    stack = running_stack(ctx.obj.project)
    flows = None
    if stack:  # only then is the server asked (TIMEOUT at most), or httpx imported
        from zaitun.runs import stack_status

        flows = stack_status(stack)
    cfg = ctx.obj.project.config
    store = ctx.obj.store
    rows = project_status(store, ctx.obj.project.today(), cfg.get("site.expiry_warning_days"))
    found = content_findings(ctx.obj.project, stored_places(ctx.obj.project, store))
    problems, unread = [str(e) for e in found.problems], [str(w) for w in found.unread]
    twice, writing = [str(w) for w in found.twice], [str(w) for w in found.writing]
    failed = [f for f in failures.current(store) if f.state not in failures.WARNINGS]  # (warnings: as they are now)
    undelivered = notify.waiting(ctx.obj.project)
    set_aside = statefiles.notes(ctx.obj.project)
    if as_json:
        typer.echo(json.dumps({"documents": [r.as_dict() for r in rows], "errors": problems, "not_read": unread,
                               "same_notice": twice, "being_written": writing, "failures": [asdict(f) for f in failed],
                               "notifications": undelivered,
                               "set_aside": set_aside, "flows": flows},
                              ensure_ascii=False, indent=2))
        return
    if flows:
        from zaitun.runs import status_lines

        for line in status_lines(flows):
            typer.echo(line)
    if not rows and not problems and not failed and not unread and not twice and not writing and not undelivered \
            and not set_aside:
        typer.echo("no documents yet: put Markdown files in content/<section>/ and run `zaitun intake`")
    for r in rows:
        expiry = _validity_tag(r, ctx.obj.project.today())
        flagged = f", {r.flagged} flagged" if r.flagged else ""
        typer.echo(f"{r.slug:40} {r.stage:17} {r.approved}/{r.total} approved{flagged}{expiry}")
        if r.offline:
            typer.echo(f"  {r.offline}")
    for line in writing:
        typer.echo(f"being written: {line}")
    _echo_problems(problems, failed)
    for line in told(found.unread):  # (a folder's unlinked pictures in one line: `zaitun check` names each)
        typer.echo(f"needs attention: {line}")
    for line in twice:
        typer.echo(f"needs attention: {line}")
    for line in undelivered:
        typer.echo(f"not delivered: {line}")
    for line in set_aside:
        typer.echo(f"set aside: {line}")


def _validity_tag(r, today: dt.date) -> str:
    """`  [expiring 2026-12-31]`, `  [last day in force today, 2026-12-31]`, `  [not yet in force: from
    2027-01-01]`, `  [dated 2027-01-04: online from then]`, or nothing (a withdrawn document: nothing)."""
    from zaitun.review.status import validity_note

    if r.online_from:
        return f"  [dated {r.online_from}: online from then]"
    if r.expiry == "expiring" and r.valid_until == today and not r.english_valid_until:
        return f"  [last day in force today, {r.valid_until}]"
    if r.expiry:
        return f"  [{r.expiry} {validity_note(r.as_dict()) if r.english_valid_until else r.valid_until}]"
    return f"  [not yet in force: from {r.in_force_from}]" if r.in_force_from else ""


def _echo_problems(problems: list[str], failed: list) -> None:
    """Each file to fix once: what check finds now, with what the last pass did with it (held back,
    quarantined), then what passes recorded that check cannot see (a quarantined notice, a failed build)."""
    told = set()
    for problem in problems:  # a pass's message may say more of it (a broken file taken as a document moved)
        same = next((f for f in failed if f.message == problem or f.message.startswith(problem + " (")), None)
        typer.echo(f"needs fixing: {same.message}  [{same.state}]" if same else f"needs fixing: {problem}")
        told.add(same.message if same else problem)
    for f in failed:
        if f.message not in told:
            typer.echo(f"needs fixing: {f.message}  [{f.state} by {f.stage}]")


def _echo_unread(unread: list[str]) -> None:
    """The files in content/ nothing reads nor links (content/unread.py), and the documents that are the same notice
    as another (content/twice.py), as warnings."""
    for line in unread:
        typer.echo(f"warning: {line}", err=True)


@commands.command("config")
def config_(ctx: typer.Context,
            list_settings: Annotated[bool, typer.Option("--list", help="List every setting.")] = False,
            show_secrets: Annotated[bool, typer.Option("--show-secrets",
                                                       help="Print keys, tokens and passwords in clear.")] = False,
            ) -> None:
    """Show the project's settings (with --list: every setting, its default and help); secrets are masked."""
    from zaitun.config import SETTINGS

    cfg = ctx.obj.project.config
    for s in SETTINGS:
        line = f"{s.name} = {cfg.shown(s.name, show_secrets)}"
        env = f" (or {s.env})" if s.env else ""
        default = f" (default: {s.default!r})" if cfg.get(s.name) != s.default else ""
        typer.echo(f"{line:60} # {s.help}{env}{default}" if list_settings else line)


@commands.command()
def run(ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print the pass summary as JSON.")] = False,
        allow_empty: Annotated[bool, ALLOW_EMPTY] = False) -> None:
    """One pass without any server: intake -> translate -> publish what is approved (for cron, CI)."""
    from zaitun.errors import PassFailed
    from zaitun.pipeline import held_back, run_once

    try:
        summary = run_once(ctx.obj.project, ctx.obj.store, allow_empty)
    except PassFailed as exc:  # what the stages before the failed one did, then (from main) the error
        if as_json:
            typer.echo(json.dumps({**exc.summary, "error": str(exc)}, ensure_ascii=False, indent=2, default=str))
        else:
            _echo_run(exc.summary, held_back(exc.summary))
        raise
    failed = held_back(summary)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        _echo_run(summary, failed)
    if failed:  # after doing everything else: cron notices
        raise typer.Exit(1)


def _echo_run(summary: dict, failed: list[str]) -> None:
    """Each stage's outcome; a pass cut short by a failed stage (PassFailed) has none from that stage on."""
    from zaitun.review.status import validity_note

    intake, translated, published = summary.get("intake"), summary.get("translate"), summary.get("publish")
    for line in failed + (translated or {}).get("tmx_skipped", []):
        typer.echo(line, err=True)
    if intake is None:
        return
    _echo_unread(intake["unread"] + intake["same_notice"])
    for waiting in intake.get("being_written", []):
        typer.echo(waiting, err=True)
    for why in intake["anew"].values():
        typer.echo(f"  {why}")
    unread = f", {intake['not_read']} not read" if intake["not_read"] else ""
    unread += f", {len(intake['same_notice'])} the same notice as another" if intake["same_notice"] else ""
    unread += f", {len(intake['being_written'])} still being written" if intake.get("being_written") else ""
    typer.echo(f"intake: {len(intake['ingested'])} taken in, {len(intake['withdrawn'])} withdrawn, "
               f"{len(intake['errors'])} with errors{unread}")
    if translated is None:
        return
    outage = (f"; {translated['engine']} failed on {translated['engine_failed']} segment(s)"
              if translated.get("engine_failed") else "")
    back = f" ({translated['sent_back']} approved before, sent back)" if translated.get("sent_back") else ""
    typer.echo(f"translate: {translated.get('drafted', 0)} drafted, {translated.get('to_review', 0)} to review{back}, "
               f"{len(translated['completed'])} document(s) approved from memory{outage}")
    if published is None:
        typer.echo("publish: failed, see the error below")
        return
    typer.echo(f"publish: {published.get('summary', '')}")
    for note in published.get("redirects", []):  # as `zaitun build` says them
        typer.echo(f"  redirect: {note}")
    for d in summary["expiry"]:
        typer.echo(f"{d['expiry']}: {d['slug']} ({validity_note(d)})")


@commands.command()
def up(ctx: typer.Context) -> None:
    """Start the local stack: Prefect server and flows, content watcher, review UI, site preview."""
    from zaitun.up import up as start

    start(ctx.obj, echo=typer.echo)


@commands.command()
def watch(ctx: typer.Context) -> None:
    """Announce changes under content/ to the Prefect server at PREFECT_API_URL (when workers run the flows)."""
    from zaitun.watch import watch as run_watch

    run_watch(ctx.obj.project.content_dir, echo=typer.echo)


# -- commands of the later stages register here -------------------------------------------
def _register() -> None:
    from zaitun.review.cli import review_app, tm_app
    from zaitun.review.user_cli import user_app

    commands.add_typer(review_app, name="review")
    commands.add_typer(user_app, name="user")
    from zaitun.translate.cli import glossary_app, translate

    commands.command()(translate)
    commands.add_typer(glossary_app, name="glossary")
    commands.add_typer(tm_app, name="tm")
    from zaitun.publish.cli import build, deploy, preview, rollback, social_app

    commands.command()(build)
    commands.command()(deploy)
    commands.command()(preview)
    commands.command()(rollback)
    commands.add_typer(social_app, name="social")


_register()


def main() -> None:
    """Entry point: user errors print one line (path:line: message) and exit 1, no traceback."""
    from zaitun import progress

    try:
        with progress.reporting(progress.for_terminal()):  # bars on stderr only when it is a terminal
            app()
    except ZaitunError as exc:
        typer.echo(f"zaitun: error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # the disk full, the store locked: a line saying what to do, no traceback
        said = refused(exc)
        if said is None:
            raise
        typer.echo(f"zaitun: error: {said}", err=True)
        sys.exit(1)
    except SystemExit as exc:  # how every command ends (click)
        from zaitun import leaving

        if leaving.asked():
            leaving.end(exc.code)
        raise
