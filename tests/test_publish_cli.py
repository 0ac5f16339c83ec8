"""The publish commands end to end: build, deploy, social post, preview's 404, WebSub ping."""

from __future__ import annotations

import functools
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest
from publish_helpers import PAYING, PAYING_BODY, make_fixture, standard_project
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.errors import PublishError
from zaitun.publish.output import outbox_dir
from zaitun.publish.preview import serve_folder
from zaitun.publish.websub import ping

runner = CliRunner()


class Hub(BaseHTTPRequestHandler):
    pings: list[dict] = []
    busy = 0  # answer this many pings with 503 first

    def do_POST(self):  # noqa: N802 - http.server naming
        Hub.pings.append(parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()))
        if Hub.busy:
            Hub.busy -= 1
            self.send_response(503)
        else:
            self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(handler) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def fx(tmp_path):
    return standard_project(tmp_path / "proj")


def run(fx, *args):
    return runner.invoke(app, ["--project", str(fx.project.root), *args])


def test_build_command_builds_the_site_and_says_what_it_skipped(fx):
    result = run(fx, "build")
    assert result.exit_code == 0, result.output
    assert "skipped paying (en): no approved English yet" in result.output
    assert "rendered" in result.output and (fx.out / "zh" / "index.html").is_file()


def test_build_names_ten_english_pages_not_published_and_counts_the_rest(tmp_path):
    fx = make_fixture(tmp_path / "proj")
    for n in range(12):
        fx.write("guides", f"paying-{n:02d}", PAYING, PAYING_BODY)
    fx.ingest()
    result = run(fx, "build")
    assert result.exit_code == 0, result.output
    named = [line for line in result.output.splitlines() if line.startswith("  skipped paying-")]
    assert len(named) == 10 and all(line.endswith("(en): no approved English yet") for line in named)
    assert "  skipped 2 more English page(s); `zaitun status` names every document and why" in result.output


def test_build_pings_the_websub_hub_with_every_feed(fx):
    Hub.pings = []
    server, url = serve(Hub)
    try:
        config = fx.project.config_path
        config.write_text(config.read_text() + f'\n[publish]\nwebsub_hub = "{url}/hub"\n')
        result = run(fx, "build")
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    assert Hub.pings[0]["hub.mode"] == ["publish"]
    assert "https://example.org/zh/feed.xml" in Hub.pings[0]["hub.url"]
    assert "https://example.org/en/programmes/240-hour-transit/atom.xml" in Hub.pings[0]["hub.url"]


def test_websub_ping_retries_a_busy_hub_then_gives_up_with_a_clear_error():
    Hub.pings, Hub.busy = [], 1
    server, url = serve(Hub)
    try:
        ping(url, ["https://example.org/zh/feed.xml"], timeout=5, retries=3, backoff=0.01)
        assert len(Hub.pings) == 2
        Hub.pings, Hub.busy = [], 5
        with pytest.raises(PublishError, match="did not accept the ping .HTTP 503"):
            ping(url, ["https://example.org/zh/feed.xml"], timeout=5, retries=3, backoff=0.01)
        assert len(Hub.pings) == 3
    finally:
        server.shutdown()
        server.server_close()


def test_a_build_whose_websub_hub_answers_a_byte_at_a_time_ends_after_publish_timeout_naming_the_hub(fx, dripping):
    config = fx.project.config_path
    config.write_text(config.read_text() + f'\n[publish]\nwebsub_hub = "{dripping}/hub"\ntimeout = 1\n')
    started = time.monotonic()
    result = run(fx, "build")
    assert time.monotonic() - started < 10  # each read gets its byte: only the whole ping's time ends it
    assert result.exit_code == 0, result.output  # the site itself was built: the hub is pinged again next time
    assert f"WebSub hub {dripping}/hub gave no complete answer within 1 s (publish.timeout)" in result.output
    assert (fx.out / "zh" / "index.html").is_file()


def test_deploy_to_a_folder_and_dry_run(fx, tmp_path):
    run(fx, "build")
    target = tmp_path / "www"
    dry = run(fx, "deploy", "--to", str(target), "--dry-run")
    assert dry.exit_code == 0 and "would upload" in dry.output and not target.exists()
    real = run(fx, "deploy", "--to", str(target))
    assert real.exit_code == 0 and (target / "index.html").is_file()


def test_deploy_without_a_target_says_how_to_set_one(fx):
    result = run(fx, "deploy")
    assert isinstance(result.exception, PublishError)
    assert "--to s3://BUCKET/PREFIX" in str(result.exception)


def test_social_post_is_a_dry_run_without_send(fx):
    with (fx.project.root / "zaitun.toml").open("a", encoding="utf-8") as toml:
        toml.write("[social]\nmax_age_days = 100000\n")  # the fixture's documents are from 2025
    run(fx, "build")
    result = run(fx, "social", "post")
    assert result.exit_code == 0
    assert "would send transit.zh.mastodon." in result.output and "dry run" in result.output


def test_social_post_never_offers_the_posts_of_a_withdrawn_document(fx):
    with (fx.project.root / "zaitun.toml").open("a", encoding="utf-8") as toml:
        toml.write("[social]\nmax_age_days = 100000\n")
    run(fx, "build")
    (fx.project.content_dir / "guides" / "transit.md").unlink()
    assert run(fx, "intake").exit_code == 0
    built = run(fx, "build")
    assert built.exit_code == 0 and "social posts withdrawn" in built.output
    result = run(fx, "social", "post")
    assert result.exit_code == 0 and "transit" not in result.output
    assert "would send paying.zh.mastodon." in result.output  # the notice has expired: never announced


def built_without_then_with_the_transit_guide(fx) -> str:
    """Build 1 without the transit guide, build 2 with it (what a rollback goes back from); build 2's output."""
    guide = fx.project.content_dir / "guides" / "transit.md"
    transit = guide.read_text(encoding="utf-8")
    guide.unlink()
    fx.ingest()
    run(fx, "build")
    guide.write_text(transit, encoding="utf-8")
    fx.ingest()
    return run(fx, "build").output


def test_social_post_holds_a_post_whose_page_is_not_yet_on_the_deploy_target(fx, s3, s3_endpoint):
    _, bucket = s3
    with (fx.project.root / "zaitun.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'[publish]\ns3_target = "s3://{bucket}/www"\ns3_endpoint_url = "{s3_endpoint}"\n'
                   "[social]\nmax_age_days = 100000\n")
    assert "social posts queued" in run(fx, "build").output  # built, not deployed
    result = run(fx, "social", "post")
    assert result.exit_code == 0
    assert "held transit.zh.mastodon." in result.output and "would send 0" in result.output
    assert run(fx, "deploy").exit_code == 0
    assert "would send transit.zh.mastodon." in run(fx, "social", "post").output


def outbox_texts(fx) -> str:
    """Every post and Buffer/Hootsuite row in the outbox, as one text."""
    return "".join(p.read_text(encoding="utf-8") for p in sorted(outbox_dir(fx.out).glob("*.*")))


def test_a_rollback_takes_the_posts_of_pages_it_took_offline_out_of_the_csvs_staff_upload(fx):
    with (fx.project.root / "zaitun.toml").open("a", encoding="utf-8") as toml:
        toml.write("[social]\nmax_age_days = 100000\n")
    built_without_then_with_the_transit_guide(fx)
    assert "guides/transit/" in outbox_texts(fx)  # build 2 queued its posts
    withdrawn = len(list(outbox_dir(fx.out).glob("transit.*.json")))
    rolled = run(fx, "rollback")
    assert rolled.exit_code == 0, rolled.output
    assert f"took {withdrawn} unsent social post(s) out of the outbox and its CSVs" in rolled.output
    left = outbox_texts(fx)  # (its posts' words and campaign, not "240" anywhere: a post's id is a hash)
    assert "guides/transit/" not in left and "240小时" not in left and "240-hour" not in left
    assert "guides/paying/" in outbox_texts(fx)  # its page is in the build put back online
    rebuilt = run(fx, "build")  # from the store: the guide is back, and announced again
    assert "social posts queued" in rebuilt.output and "zh/guides/transit/" in outbox_texts(fx)


def test_a_rollback_takes_out_posts_that_announce_english_the_build_put_back_does_not_show(fx):
    with (fx.project.root / "zaitun.toml").open("a", encoding="utf-8") as toml:
        toml.write("[social]\nmax_age_days = 100000\n")
    run(fx, "build")
    guide = fx.project.content_dir / "guides" / "transit.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("social: 240小时", "social: 新：240小时"),
                     encoding="utf-8")
    fx.ingest()
    fx.translate_and_approve("transit", lambda source: "WRONG WORDS" if source.startswith("新：") else source)
    assert "social posts queued" in run(fx, "build").output
    assert "WRONG WORDS" in outbox_texts(fx)  # the English a rollback is about to take off
    rolled = run(fx, "rollback")
    assert rolled.exit_code == 0 and "took " in rolled.output
    assert "WRONG WORDS" not in outbox_texts(fx) and "transit.zh.mastodon" not in run(fx, "social", "post").output
    assert "transit.en.mastodon" not in run(fx, "social", "post").output


def test_a_rollback_leaves_the_posts_of_pages_it_shows_as_they_were(fx):
    with (fx.project.root / "zaitun.toml").open("a", encoding="utf-8") as toml:
        toml.write("[social]\nmax_age_days = 100000\n")
    run(fx, "build")
    queued = sorted(p.name for p in outbox_dir(fx.out).glob("*.json"))
    (fx.project.content_dir / "policies" / "notice-2023-1.md").unlink()  # announced never: it has expired
    fx.ingest()
    run(fx, "build")
    rolled = run(fx, "rollback", "--with-withdrawn")
    assert rolled.exit_code == 0 and "took " not in rolled.output
    assert sorted(p.name for p in outbox_dir(fx.out).glob("*.json")) == queued and "transit" in str(queued)


def test_social_post_sends_the_posts_of_a_site_served_under_a_base_path(fx):
    (fx.project.root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org/visit/"\n'
                                                 "[social]\nmax_age_days = 100000\n", encoding="utf-8")
    run(fx, "build")
    result = run(fx, "social", "post")
    assert result.exit_code == 0 and "held" not in result.output, result.output
    assert "would send transit.zh.mastodon." in result.output


def test_the_deploy_a_rollback_asks_for_takes_what_it_took_off_out_of_the_bucket_too(fx, s3, s3_endpoint):
    client, bucket = s3
    with (fx.project.root / "zaitun.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'[publish]\ns3_target = "s3://{bucket}/www"\ns3_endpoint_url = "{s3_endpoint}"\n')
    built_without_then_with_the_transit_guide(fx)
    assert run(fx, "deploy").exit_code == 0
    page = "www/en/guides/transit/index.html"
    client.head_object(Bucket=bucket, Key=page)
    rolled = run(fx, "rollback")
    assert rolled.exit_code == 0 and "run `zaitun deploy --delete` to put it on the deploy target too" in rolled.output
    assert run(fx, "deploy", "--delete").exit_code == 0  # as it says
    online = {o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix="www/")["Contents"]}
    assert page not in online and "www/zh/guides/paying/index.html" in online


def test_a_deploy_by_hand_that_finishes_a_stopped_one_takes_it_out_of_status(fx, s3, s3_endpoint):
    client, _ = s3
    with (fx.project.root / "zaitun.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'[publish]\ns3_target = "s3://late-bucket/www"\ns3_endpoint_url = "{s3_endpoint}"\n')
    assert run(fx, "run").exit_code == 1  # no such bucket yet: the build is online in publish/, the deploy stopped
    assert "there is no bucket 'late-bucket'" in run(fx, "status").output
    client.create_bucket(Bucket="late-bucket")
    deployed = run(fx, "deploy")
    assert deployed.exit_code == 0 and "zaitun status no longer lists it" in deployed.output
    assert "there is no bucket" not in run(fx, "status").output


def test_preview_serves_what_the_deploy_serves_and_nothing_more(fx):
    """No folder listed, no social outbox, the media types S3 gives; the site at the path of site.base_url."""
    run(fx, "build")
    (fx.out / "social").resolve().mkdir(parents=True, exist_ok=True)  # the outbox: publish/social leads to it
    (fx.out / "social" / "buffer-x-zh.csv").write_text("text\n", encoding="utf-8")
    assert (fx.out / "pagefind").is_dir() and not (fx.out / "pagefind" / "index.html").exists()  # a folder, unlisted
    server = serve_folder(fx.out, "127.0.0.1", 0, "https://gov.example.org/www/")
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        get = functools.partial(httpx.get, timeout=5)
        root, page, feed = get(url + "/"), get(url + "/www/zh/guides/transit/"), get(url + "/www/en/feed.xml")
        unlisted = [get(url + path).status_code for path in ("/www/pagefind/", "/www/assets/", "/www/social/",
                                                             "/www/social/buffer-x-zh.csv", "/zh/guides/transit/")]
    finally:
        server.shutdown()
        server.server_close()
    assert root.status_code == 302 and root.headers["location"] == "/www/"
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert feed.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert unlisted == [404] * 5


def test_preview_server_answers_missing_pages_with_the_site_404(fx):
    run(fx, "build")
    (fx.out / "static").mkdir(exist_ok=True)
    (fx.out / "static" / "map.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    server = serve_folder(fx.out, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        missing = httpx.get(url + "/zh/nowhere/", timeout=5)
        page = httpx.get(url + "/zh/guides/transit/", timeout=5)
        svg = httpx.get(url + "/static/map.svg", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert missing.status_code == 404 and "页面不存在" in missing.text
    assert page.status_code == 200 and "240小时过境免签政策指南" in page.text
    assert "content-disposition" not in page.headers
    assert svg.headers["content-disposition"] == "attachment" and svg.headers["content-security-policy"] == "sandbox"


def test_preview_server_answers_a_path_with_a_nul_with_the_site_404(tmp_path):
    """`/%00` made a file name with a NUL: http.server's open() raised ValueError and the connection dropped."""
    (tmp_path / "404.html").write_text("页面不存在", encoding="utf-8")
    server = serve_folder(tmp_path, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        answers = [httpx.get(url + path, timeout=5) for path in ("/%00", "/a%00b.html", "/zh/%00/")]
    finally:
        server.shutdown()
        server.server_close()
    assert [a.status_code for a in answers] == [404] * 3 and all("页面不存在" in a.text for a in answers)
