"""Deploying the built site to S3 (moto's server on 127.0.0.1) and to a folder."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from publish_helpers import standard_project
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.errors import DeployError
from zaitun.publish.sinks import DEPLOY_MANIFEST, deploy, site_files


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    fx = standard_project(tmp_path_factory.mktemp("deploy") / "proj")
    fx.build()
    return fx


def keys(client, bucket: str) -> list[str]:
    """Keys of the site's files (the deploy record left out)."""
    found = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return sorted(o["Key"] for o in found if not o["Key"].endswith(DEPLOY_MANIFEST))


def test_deploy_uploads_the_site_then_a_second_deploy_uploads_nothing(site, s3, s3_endpoint):
    client, bucket = s3
    first = deploy(site.out, f"s3://{bucket}/www", endpoint_url=s3_endpoint)
    names = site_files(site.out)
    assert sorted(first.uploaded) == sorted(names) and first.skipped == []
    assert keys(client, bucket) == sorted(f"www/{n}" for n in names)
    assert not [k for k in keys(client, bucket) if "/social/" in k]  # the outbox is not part of the site
    second = deploy(site.out, f"s3://{bucket}/www", endpoint_url=s3_endpoint)
    assert second.uploaded == [] and second.skipped == names
    assert "uploaded 0" in second.summary()


def test_upload_order_is_assets_then_pages_then_feeds_and_sitemap(site):
    names = site_files(site.out)
    ranks = ["asset" if n.startswith("assets/") else "last" if n.endswith(".xml") or n == "robots.txt"
             else "page" for n in names]
    assert ranks == sorted(ranks, key=["asset", "page", "last"].index)
    assert names[-1] in ("sitemap.xml", "robots.txt") or names[-1].endswith(".xml")


def test_objects_get_content_type_with_charset_and_cache_control(site, s3, s3_endpoint):
    client, bucket = s3
    deploy(site.out, f"s3://{bucket}", endpoint_url=s3_endpoint, force=True)
    css = next(k for k in keys(client, bucket) if k.startswith("assets/style."))
    expected = {
        "index.html": ("text/html; charset=utf-8", "public, max-age=300"),
        "zh/feed.xml": ("application/rss+xml; charset=utf-8", "public, max-age=300"),
        "en/atom.xml": ("application/atom+xml; charset=utf-8", "public, max-age=300"),
        "sitemap.xml": ("application/xml; charset=utf-8", "public, max-age=300"),
        css: ("text/css; charset=utf-8", "public, max-age=31536000, immutable"),
    }
    for key, (ctype, cache) in expected.items():
        head = client.head_object(Bucket=bucket, Key=key)
        assert (head["ContentType"], head["CacheControl"]) == (ctype, cache), key


def test_supplied_svg_and_html_files_download_instead_of_running_on_the_site(site, s3, s3_endpoint, tmp_path):
    client, bucket = s3
    folder = tmp_path / "www"
    shutil.copytree(site.out, folder)
    supplied = ("static/map.svg", "media/guides/form.html", "static/photo.png", "static/page.shtml",
                "media/guides/page.xht", "static/style.xsl", "static/data.rdf", "static/unknown.bin")
    for name in supplied:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    deploy(folder, f"s3://{bucket}", endpoint_url=s3_endpoint, force=True)
    disposition = {k: client.head_object(Bucket=bucket, Key=k).get("ContentDisposition")
                   for k in (*supplied, "index.html")}
    assert disposition == {**{k: "attachment" for k in supplied}, "static/photo.png": None, "index.html": None}


def test_a_changed_file_is_uploaded_again(site, s3, s3_endpoint, tmp_path):
    client, bucket = s3
    deploy(site.out, f"s3://{bucket}", endpoint_url=s3_endpoint, force=True)
    client.put_object(Bucket=bucket, Key="robots.txt", Body=b"tampered")
    report = deploy(site.out, f"s3://{bucket}", endpoint_url=s3_endpoint, force=True)
    assert report.uploaded == ["robots.txt"]


def test_a_missing_bucket_is_a_deploy_error_naming_the_target(site, s3, s3_endpoint):
    with pytest.raises(DeployError, match="s3://no-such-bucket"):
        deploy(site.out, "s3://no-such-bucket", endpoint_url=s3_endpoint)


def test_folder_sink_mirrors_the_site(site, tmp_path):
    target = tmp_path / "www"
    first = deploy(site.out, str(target))
    assert sorted(first.uploaded) == sorted(site_files(site.out))
    assert deploy(site.out, str(target)).uploaded == []
    assert (target / "zh" / "guides" / "transit" / "index.html").is_file()


@pytest.mark.parametrize("endpoint, meant", [("127.0.0.1:5010", "127.0.0.1:5010"), ("localhost:9000", "localhost:9000"),
                                             ("http:/127.0.0.1:5010", "127.0.0.1:5010")])
def test_an_endpoint_without_http_or_https_is_a_clear_error_suggesting_both(site, endpoint, meant):
    result = CliRunner().invoke(app, ["--project", str(site.project.root), "deploy", "--to", "s3://site/www",
                                      "--endpoint-url", endpoint])
    assert isinstance(result.exception, DeployError), result.exception  # a user's error: no traceback
    assert f"write http://{meant} or https://{meant}" in str(result.exception)


def test_an_endpoint_answering_a_byte_at_a_time_is_given_up_after_publish_timeout_naming_it(site, s3, dripping):
    config = site.project.config_path
    before = config.read_text(encoding="utf-8")
    config.write_text(before + "\n[publish]\ntimeout = 1\n", encoding="utf-8")
    try:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(site.project.root), "deploy", "--to",
                               "s3://site/www", "--endpoint-url", dripping], capture_output=True, text=True,
                              timeout=60, env=os.environ)
    finally:
        config.write_text(before, encoding="utf-8")
    assert time.monotonic() - started < 15  # the socket timeout alone never fires: a byte comes every 0.3 s
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"s3://site/www: {dripping} gave no complete answer within 1 s (publish.timeout)" in done.stderr


def test_a_mistyped_bucket_in_zaitun_toml_is_named_with_its_setting_and_line(site, s3, s3_endpoint):
    config = site.project.config_path
    before = config.read_text(encoding="utf-8")
    config.write_text(before + f'\n[publish]\ns3_target = "s3://{s3[1]}x/www"\ns3_endpoint_url = "{s3_endpoint}"\n',
                      encoding="utf-8")
    lines = config.read_text(encoding="utf-8").splitlines()
    try:
        done = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(site.project.root), "deploy"],
                              capture_output=True, text=True, timeout=60, env=os.environ)
    finally:
        config.write_text(before, encoding="utf-8")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    target, endpoint = (lines.index(line) + 1 for line in lines if line.startswith(("s3_target", "s3_endpoint_url")))
    assert (f"there is no bucket '{s3[1]}x' at {s3_endpoint}: check publish.s3_target ({config}:{target}) and "
            f"publish.s3_endpoint_url ({config}:{endpoint})") in done.stderr


def test_a_deploy_started_while_another_of_the_project_runs_waits_for_it_to_end(site, s3, s3_endpoint, dripping):
    client, bucket = s3
    config = site.project.config_path
    before = config.read_text(encoding="utf-8")
    config.write_text(before + "\n[publish]\ntimeout = 3\n", encoding="utf-8")
    zaitun = [sys.executable, "-m", "zaitun", "--project", str(site.project.root), "deploy", "--to"]
    try:
        first = subprocess.Popen([*zaitun, "s3://site/www", "--endpoint-url", dripping], stderr=subprocess.PIPE,
                                 text=True, env=os.environ)  # held up 3 s by an endpoint answering a byte at a time
        time.sleep(1.5)
        second = subprocess.run([*zaitun, f"s3://{bucket}/www", "--endpoint-url", s3_endpoint], capture_output=True,
                                text=True, timeout=60, env=os.environ)
        first_ended = first.poll()  # the second ended: the first must have ended before it
        first.communicate(timeout=60)
    finally:
        config.write_text(before, encoding="utf-8")
    assert first_ended == 1 and second.returncode == 0, second.stderr
    assert f"another deploy of this project (pid {first.pid}) is under way: waiting for it to end" in second.stderr
    assert keys(client, bucket) == sorted(f"www/{n}" for n in site_files(site.out))


def test_objects_an_earlier_zaitun_put_with_other_headers_are_put_again_with_these(site, s3, s3_endpoint, tmp_path):
    """An earlier zaitun served a staff-supplied SVG inline (it could run scripts on the site's origin); its content
    never changed since, so only the headers recorded with the deploy tell that it must be put again."""
    client, bucket = s3
    folder = tmp_path / "www"
    shutil.copytree(site.out, folder)
    (folder / "static").mkdir(exist_ok=True)
    (folder / "static" / "map.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>")
    deploy(folder, f"s3://{bucket}/www", endpoint_url=s3_endpoint)
    key = "www/static/map.svg"
    sha = client.head_object(Bucket=bucket, Key=key)["Metadata"]["zaitun-sha256"]
    client.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key}, MetadataDirective="REPLACE",
                       ContentType="image/svg+xml", Metadata={"zaitun-sha256": sha})  # as it was put then
    manifest = f"www/{DEPLOY_MANIFEST}"
    then = json.loads(client.get_object(Bucket=bucket, Key=manifest)["Body"].read())
    client.put_object(Bucket=bucket, Key=manifest, Body=json.dumps({"zaitun_deploy": 1, "files": then["files"]}))
    again = deploy(folder, f"s3://{bucket}/www", endpoint_url=s3_endpoint)
    assert "static/map.svg" in again.uploaded
    assert client.head_object(Bucket=bucket, Key=key).get("ContentDisposition") == "attachment"
    assert deploy(folder, f"s3://{bucket}/www", endpoint_url=s3_endpoint).uploaded == []


@contextlib.contextmanager
def s3_proxy(s3_endpoint: str, answer):
    """An S3 endpoint on 127.0.0.1 that passes requests to moto's (`s3_endpoint`) as `answer` has them pass:
    answer(command, path, body, headers, send) -> the bytes to answer with; `send(body, headers)` forwards the
    request and returns moto's (status, headers, data). Yields its URL."""
    upstream = urlsplit(s3_endpoint)

    class Proxy(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def send(self, body: bytes, headers: dict) -> tuple[int, list, bytes]:
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=10)
            conn.request(self.command, self.path, body, headers)
            reply = conn.getresponse()
            return reply.status, reply.getheaders(), reply.read()

        def forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            status, replied, data = answer(self.command, self.path, body, headers, self.send)
            self.send_response(status)
            for name, value in replied:
                if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def refusing(s3_endpoint):
    """An S3 endpoint that passes every request to moto's, except that a batch delete keeps the keys ending in
    "/refused/index.html" and lists them among its Errors, as S3 does for a key a bucket policy protects (moto
    has no such policy). Yields its URL."""
    def answer(command, path, body, headers, send):
        if command != "POST" or "delete" not in urlsplit(path).query:
            return send(body, headers)
        refused = [m.decode() for m in re.findall(rb"<Key>([^<]*/refused/index\.html)</Key>", body)]
        body = re.sub(rb"<Object><Key>[^<]*/refused/index\.html</Key></Object>", b"", body)
        headers = {k: v for k, v in headers.items() if not k.lower().startswith(("x-amz-checksum",
                   "x-amz-sdk-checksum", "content-md5"))}
        headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
        status, replied, data = send(body, headers)
        if refused and status == 200:
            errors = "".join(f"<Error><Key>{key}</Key><Code>AccessDenied</Code><Message>Access Denied</Message>"
                             f"</Error>" for key in refused)
            data = data.replace(b"</DeleteResult>", errors.encode() + b"</DeleteResult>")
        return status, replied, data

    with s3_proxy(s3_endpoint, answer) as url:
        yield url


def test_a_page_the_bucket_refuses_to_delete_is_reported_kept_in_the_record_and_deleted_by_the_next_deploy(
        site, s3, s3_endpoint, refusing, tmp_path):
    """S3 answers a batch delete 200 and lists the keys it kept among its Errors: a retracted page S3 kept was
    counted deleted and dropped from the deploy record, so it stayed online and no later deploy tried again."""
    client, bucket = s3
    folder = tmp_path / "www"
    shutil.copytree(site.out, folder)
    for name in ("refused", "gone"):
        (folder / "en" / name).mkdir()
        (folder / "en" / name / "index.html").write_text(f"<p>{name}</p>", encoding="utf-8")
    deploy(folder, f"s3://{bucket}/www", endpoint_url=s3_endpoint)
    shutil.rmtree(folder / "en" / "refused")
    shutil.rmtree(folder / "en" / "gone")
    report = deploy(folder, f"s3://{bucket}/www", endpoint_url=refusing, delete=True)
    assert report.deleted == ["en/gone/index.html"] and report.undeleted == ["en/refused/index.html"]
    assert report.failed == [f"s3://{bucket}/www/en/refused/index.html: could not be deleted (AccessDenied Access "
                             "Denied); it is still online, and the next deploy tries again"]
    assert report.summary().endswith("deleted 1, could not delete 1")
    assert "www/en/refused/index.html" in keys(client, bucket) and "www/en/gone/index.html" not in keys(client, bucket)
    record = json.loads(client.get_object(Bucket=bucket, Key=f"www/{DEPLOY_MANIFEST}")["Body"].read())
    assert "en/refused/index.html" in record["files"] and "en/gone/index.html" not in record["files"]
    again = deploy(folder, f"s3://{bucket}/www", endpoint_url=s3_endpoint, delete=True)
    assert again.deleted == ["en/refused/index.html"] and again.failed == []
    assert keys(client, bucket) == sorted(f"www/{n}" for n in site_files(folder))


def test_a_file_the_folder_target_cannot_delete_is_reported_and_the_others_are_deleted(site, tmp_path):
    target, folder = tmp_path / "target", tmp_path / "www"
    shutil.copytree(site.out, folder)
    for name in ("locked", "gone"):
        (folder / name).mkdir()
        (folder / name / "index.html").write_text(name, encoding="utf-8")
    deploy(folder, str(target))
    shutil.rmtree(folder / "locked")
    shutil.rmtree(folder / "gone")
    (target / "locked").chmod(0o555)  # its file cannot be unlinked (root aside: see below)
    try:
        if os.geteuid() == 0:  # root ignores folder permissions: make the name a folder, which unlink refuses
            (target / "locked").chmod(0o755)
            (target / "locked" / "index.html").unlink()
            (target / "locked" / "index.html").mkdir()
        report = deploy(folder, str(target), delete=True)
    finally:
        (target / "locked").chmod(0o755)
    assert report.deleted == ["gone/index.html"] and report.undeleted == ["locked/index.html"]
    assert report.failed[0].startswith(f"{target}/locked/index.html: could not be deleted (")
    assert not (target / "gone").exists() and (target / "locked" / "index.html").exists()


@pytest.fixture
def failing_after(s3_endpoint):
    """An S3 endpoint that passes requests to moto's, but answers AccessDenied to every upload of a site file after
    the first twenty (the deploy record's too, until then): a first deploy stopped midway. Yields its URL."""
    puts = []

    def answer(command, path, body, headers, send):
        if command == "PUT" and not path.split("?")[0].endswith(DEPLOY_MANIFEST):
            puts.append(path)
            if len(puts) > 20:
                return 403, [], b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
        return send(body, headers)

    with s3_proxy(s3_endpoint, answer) as url:
        yield url


def test_a_first_deploy_stopped_midway_is_taken_up_where_it_stopped(site, s3, s3_endpoint, failing_after):
    """The record of the headers each file was put with was written only at the end: a first deploy stopped
    midway put every file again the next time, as if none were online."""
    client, bucket = s3
    names = site_files(site.out)
    with pytest.raises(DeployError, match="AccessDenied"):
        deploy(site.out, f"s3://{bucket}/www", endpoint_url=failing_after)
    online = keys(client, bucket)
    assert len(online) == 20
    again = deploy(site.out, f"s3://{bucket}/www", endpoint_url=s3_endpoint)
    assert sorted(again.skipped) == sorted(n.removeprefix("www/") for n in online)
    assert sorted(again.uploaded + again.skipped) == sorted(names)
    assert keys(client, bucket) == sorted(f"www/{n}" for n in names)
