"""`zaitun translate` and `zaitun glossary import|export` (`zaitun tm` is a review command)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from zaitun.errors import GlossaryError
from zaitun.typed import typed

glossary_app = typer.Typer(help="Glossary exchange: TBX import, TBX or CSV export.", no_args_is_help=True)


def translate(
    ctx: typer.Context,
    slugs: Annotated[list[str] | None, typer.Argument(callback=typed, help="Documents to translate (default: all).")]
    = None,
    provider: Annotated[str | None, typer.Option(callback=typed, help="Engine: offline, libre, google, deepl, "
                                                      "microsoft, mymemory, baidu.")] = None,
    provider_url: Annotated[str | None, typer.Option(callback=typed,
                                                     help="Base URL of a self-hosted LibreTranslate.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with every new draft.")] = False,
) -> None:
    """Translate the changed segments of all (or the named) documents into drafts for review.

    Like the translate flow, it translates what `zaitun intake` took in (`zaitun run` does both)."""
    from zaitun.pipeline import translate as run_translate
    from zaitun.translate.engines import make_engine

    project, store = ctx.obj.project, ctx.obj.store
    engine = make_engine(project.config, provider, provider_url)  # a bad provider fails before any work
    report = run_translate(project, store, slugs, engine)
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        _summary(report)
    for failure in report.problems():
        typer.echo(failure.message, err=True)
    if report.problems():  # the rest was translated; the exit status tells cron what failed
        raise typer.Exit(1)


def _summary(report) -> None:
    s = report.summary()
    for name, count in s["tmx_imported"].items():
        typer.echo(f"memory: loaded {count} pair(s) from tm/{name}")
    for name, count in s["tmx_forgotten"].items():
        typer.echo(f"memory: forgot {count} pair(s) of tm/{name}, no longer in tm/ (what it approved is drafted "
                   "again for review)")
    for note in s["tmx_skipped"]:
        typer.echo(note, err=True)
    for doc in report.documents:
        if doc.segments:
            flagged = sum(bool(r.issues) for r in doc.segments)
            typer.echo(f"{doc.slug:40} {len(doc.segments):4} drafted, {doc.approved} approved from memory, "
                       f"{flagged} flagged")
        if doc.rechecked:
            typer.echo(f"{doc.slug:40} {len(doc.rechecked):4} draft(s) flagged differently by the current "
                       "glossary and checks")
        if doc.sent_back:
            typer.echo(f"{doc.slug:40} {doc.sent_back:4} approved segment(s) sent back to review, flagged with why "
                       f"(`zaitun review show {doc.slug}`)")
    if not s["drafted"]:
        typer.echo("nothing to translate: every segment already has a translation "
                   "(edited content? `zaitun intake` takes it in first)")
        return
    machine = "the glossary" if s["engine"] == "offline" else f"{s['engine']} or the glossary"
    outage = f" ({s['engine']} failed on {s['engine_failed']})" if s["engine_failed"] else ""
    typer.echo(f"{s['drafted']} draft(s): {s['memory']} from memory, {s['repaired']} repaired from near matches, "
               f"{s['engine_drafts']} from {machine}, "
               f"{s['untranslated']} left for a human{outage}; {s['flagged']} flagged, {s['to_review']} to review "
               f"(glossary {s['glossary_version']})")


@glossary_app.command("import")
def glossary_import(ctx: typer.Context,
                    file: Annotated[Path, typer.Argument(help="A TBX term base.", exists=True,
                                                         dir_okay=False)]) -> None:
    """Add a TBX file's terms as glossary/<name>.csv: each English preferredTerm (else admitted) is the
    rendering, deprecated and superseded ones are forbidden. Entries skipped (Traditional Chinese only, no
    approved English, terms already in the glossary) are listed with why."""
    from zaitun.translate.glossary import lint_glossaries
    from zaitun.translate.tbx import import_tbx

    project = ctx.obj.project
    dest, result = import_tbx(file, project.glossary_dir)
    if dest is None:
        typer.echo(f"no new term in {file}, so no file written; {len(result.skipped)} skipped")
    else:
        typer.echo(f"wrote {len(result.entries)} term(s) to {dest}; {len(result.skipped)} skipped")
    for line in [*(f"skipped {why}" for why in result.skipped), *result.notes]:
        typer.echo(line, err=True)
    for problem in lint_glossaries(project.glossary_dir):
        typer.echo(str(problem), err=True)


@glossary_app.command("export")
def glossary_export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="tbx or csv.")] = "tbx",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Write the whole glossary as one TBX or CSV file (lines with no English yet too: their forbidden
    renderings hold)."""
    import io

    from zaitun.translate.glossary import load_glossary, write_csv
    from zaitun.translate.tbx import export_tbx, exported

    glossary = load_glossary(ctx.obj.project.glossary_dir)
    if fmt == "tbx":
        data = export_tbx(glossary)
    elif fmt == "csv":
        buffer = io.StringIO()
        write_csv(exported(glossary), buffer)
        data = buffer.getvalue().encode("utf-8")
    else:
        raise GlossaryError(ctx.obj.project.glossary_dir, f"unknown export format {fmt!r}: use tbx or csv")
    write_output(data, output)


def write_output(data: bytes, output: Path | None) -> None:
    """An export to its file, or to stdout as bytes."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"wrote {output}", err=True)
