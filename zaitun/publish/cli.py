"""Commands of the publish stage: build, deploy, social post, preview (registered in zaitun.cli)."""

from __future__ import annotations

from typing import Annotated

import typer

from zaitun import leaving
from zaitun.errors import PublishError

social_app = typer.Typer(help="The social outbox (publish/social/): post it to Mastodon.", no_args_is_help=True)


SKIPPED_SHOWN = 10  # English pages a build names as not published; the rest are counted


def build(ctx: typer.Context) -> None:
    """Build the bilingual site into publish/: pages, feeds, sitemap, and queue social posts."""
    from zaitun.publish.delta import settled_build

    project, pinged = ctx.obj.project, 0
    # nothing to do: neither the store nor the renderer is loaded; documents written: the search indexer starts
    # now, beside the loading of the rest
    report = settled_build(project, project.today(), _index_soon)
    if report is None:
        from zaitun.pipeline import build as run_build
        from zaitun.publish.site import collector_paused

        with collector_paused(then_freeze=True):  # this command exits next
            published = run_build(project, ctx.obj.lazy_store)
        leaving.without_teardown()  # its heap is the site's entries, plans and records: not taken apart
        report, pinged = published.build, published.pinged
    for line in report.skipped[:SKIPPED_SHOWN]:
        typer.echo(f"  skipped {line}")
    if len(report.skipped) > SKIPPED_SHOWN:  # an archive taken in waits for review: not a screen a document
        typer.echo(f"  skipped {len(report.skipped) - SKIPPED_SHOWN} more English page(s); `zaitun status` names "
                   "every document and why")
    for problem in report.problems:
        typer.echo(f"  problem: {problem}", err=True)
    for note in report.redirects:
        typer.echo(f"  redirect: {note}")
    for slug in report.under_review:
        typer.echo(f"  {slug}: English kept online while its update is under review")
    if report.unlabelled_tags:
        from zaitun.content.tags import TAGS_FILE

        typer.echo(f"  tags, programmes and sections shown as written, no label in {TAGS_FILE}: "
                   f"{', '.join(report.unlabelled_tags)}")
    typer.echo(report.summary())
    if report.search:
        typer.echo(report.search.summary())
    _pinged(project, pinged)
    if report.problems:  # the rest is online; the exit status tells cron something was left out
        raise typer.Exit(1)


def _index_soon() -> None:
    from zaitun.publish.indexer import prepare

    prepare()


def deploy(
    ctx: typer.Context,
    to: Annotated[str | None, typer.Option("--to", help="s3://BUCKET/PREFIX or a folder (default: "
                                           "publish.s3_target).")] = None,
    endpoint_url: Annotated[str | None, typer.Option("--endpoint-url", help="S3-compatible endpoint (MinIO, Ceph, "
                                                     "R2) as http(s)://HOST:PORT, for an s3:// target only; "
                                                     "default: publish.s3_endpoint_url.")] = None,
    delete: Annotated[bool, typer.Option("--delete", help="Remove files an earlier zaitun deploy wrote there that "
                                         "the site no longer has (nothing else); without it they stay online, "
                                         "and the deploy says how many.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List every file that would be uploaded and deleted; "
                                          "change nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Deploy to a bucket's root, or into a folder that holds "
                                        "zaitun.toml, .git or content/, or lies inside a project.")] = False,
) -> None:
    """Upload publish/ to S3 (or a folder): only changed files, assets first, feeds and sitemap last."""
    from zaitun.pipeline import deploy as run_deploy
    from zaitun.pipeline import finish_stopped_deploy, finishes_a_publish

    project = ctx.obj.project
    report, pinged = run_deploy(project, to, endpoint_url, delete=delete, dry_run=dry_run, force=force)
    if dry_run:
        for name in report.uploaded:
            typer.echo(f"  would upload {name}")
        for name in report.deleted:
            typer.echo(f"  would delete {name}")
    for note in report.notes:
        typer.echo(f"  {note}")
    for line in report.failed:
        typer.echo(line, err=True)
    typer.echo(report.summary())
    _pinged(project, pinged)
    if report.failed:
        raise typer.Exit(1)
    if finishes_a_publish(project, report) and finish_stopped_deploy(project, ctx.obj.store):  # (the store: only then)
        typer.echo("the deploy a publish left unfinished is finished: zaitun status no longer lists it")


def rollback(
    ctx: typer.Context,
    number: Annotated[int | None, typer.Argument(help="Build to put back online (default: the one before "
                                                 "the build online).")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the kept builds; change nothing.")] = False,
    with_withdrawn: Annotated[bool, typer.Option("--with-withdrawn", help="Put the build online even if it "
                                                 "shows documents withdrawn since, or made a draft or dated "
                                                 "later since.")] = False,
    with_rejected: Annotated[bool, typer.Option("--with-rejected", help="Put the build online even if it shows "
                                                "English a reviewer rejected since, or English the store holds "
                                                "no approval of (restored from an older backup).")] = False,
    with_outdated_status: Annotated[bool, typer.Option("--with-outdated-status", help="Put the build online even "
                                                       "if it shows a document in force that has expired since (its "
                                                       "end passed or brought forward), or not yet in force that is "
                                                       "now.")
                                    ] = False,
) -> None:
    """Put an earlier build of publish/ back online with one atomic switch (see --list)."""
    from zaitun.publish.output import listing

    project = ctx.obj.project
    if list_:
        for version in listing(project.publish_dir, project.zone):
            typer.echo(version.line())
        return
    from zaitun.publish.site import rollback as roll_back

    rolled = roll_back(project, number, ctx.obj.lazy_store, with_withdrawn, with_rejected, with_outdated_status)
    typer.echo(f"{project.publish_dir} now shows build {int(rolled.version.name)}; the next build builds from "
               f"the store again")
    if rolled.problem:
        typer.echo(f"warning: {rolled.problem}; the social outbox may hold posts of pages this build does not "
                   "show", err=True)
    if rolled.withdrawn:
        typer.echo(f"took {rolled.withdrawn} unsent social post(s) out of the outbox and its CSVs: their pages are not "
                   "in that build, or say otherwise there; the next build that shows them queues them again")
    if project.config.get("publish.s3_target"):  # --delete: what the rollback took off leaves the bucket too
        typer.echo("run `zaitun deploy --delete` to put it on the deploy target too, without the pages it does "
                   "not have")


def _pinged(project, feeds: int) -> None:
    from zaitun.publish.report import ping_problem

    if feeds:
        typer.echo(f"pinged WebSub hub {project.config.get('publish.websub_hub')} for {feeds} feeds")
    elif problem := ping_problem(project):
        typer.echo(f"warning: {problem}; the site is published, and the hub is pinged again on the next publish",
                   err=True)


@social_app.command("post")
def social_post(ctx: typer.Context,
                send: Annotated[bool, typer.Option("--send", help="Really post (needs social.mastodon_url "
                                                   "and a token); otherwise a dry run unless social.dry_run "
                                                   "is false.")] = False) -> None:
    """Post the outbox's Mastodon posts that were never sent (dry run unless --send); one whose page is not
    in the site online, or whose document has expired, is held."""
    from zaitun.publish.layout import SOCIAL_DIR
    from zaitun.publish.mastodon import post_outbox

    project = ctx.obj.project
    cfg = project.config
    send = send or not cfg.get("social.dry_run")
    report = post_outbox(project, project.publish_dir / SOCIAL_DIR, cfg.get("social.mastodon_url"),
                         cfg.secret("social.mastodon_token", "MASTODON_TOKEN"), send=send)
    if report.recorded_again:
        typer.echo(f"  {project.state_dir / 'social.json'} did not record {len(report.recorded_again)} post(s) the "
                   f"outbox marks as sent ({project.publish_dir / SOCIAL_DIR / 'sent'}/): it is older than the "
                   "outbox (restored from a backup?); they are recorded in it again and not sent twice")
    for post_id in report.would_send:
        typer.echo(f"  would send {post_id}")
    for post_id in report.held:
        where = "publish/" + (f" and {cfg.get('publish.s3_target')}" if cfg.get("publish.s3_target") else "")
        typer.echo(f"  held {post_id}: its page is not in the site online ({where}); sent once it is")
    for post_id, until in report.lapsed.items():
        typer.echo(f"  held {post_id}: its document was valid until {until}; the next build takes it out of the "
                   "outbox")
    for post_id, why in report.failed.items():
        typer.echo(f"  failed {post_id}: {why}", err=True)
    typer.echo(report.summary() + ("" if send else " (dry run: add --send to post)"))
    if report.failed:
        raise typer.Exit(1)


def preview(ctx: typer.Context,
            port: Annotated[int | None, typer.Option("--port", help="Port (default: publish.preview_port).")]
            = None) -> None:
    """Serve publish/ on http://127.0.0.1:PORT to look at the site before deploying it."""
    from zaitun.publish.preview import make_server, site_path

    project = ctx.obj.project
    site_dir = project.publish_dir
    if not (site_dir / "index.html").is_file():
        raise PublishError(f"{site_dir} has no built site: run `zaitun build` first")
    port = port or project.config.get("publish.preview_port")
    base_url = project.config.get("site.base_url")
    with make_server(site_dir, "127.0.0.1", port, base_url) as server:
        typer.echo(f"serving {site_dir} on http://127.0.0.1:{port}{site_path(base_url)} (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            typer.echo("stopped")
