"""Deploys that cannot destroy: --delete removes only what zaitun deployed, wrong targets are refused,
--dry-run says exactly what would happen. Real folders and a real S3 endpoint (moto's server)."""

from __future__ import annotations

import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import time

import pytest
from publish_helpers import standard_project
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.errors import DeployError
from zaitun.publish.sinks import DEPLOY_MANIFEST, deploy, site_files, upload_rank

FOREIGN = {".htaccess": b"Options -Indexes\n", ".well-known/security.txt": b"Contact: mailto:sec@example.org\n",
           "downloads/annual-report.pdf": b"%PDF-1.4\n", "zh/guides/transit/notes.txt": b"kept by the web team\n"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    fx = standard_project(tmp_path_factory.mktemp("deploy-safety") / "proj")
    fx.build()
    return fx


@pytest.fixture
def bigger_site(site, tmp_path):
    """The site with one more page, as deployed before that page was withdrawn."""
    folder = tmp_path / "bigger"
    shutil.copytree(site.out, folder, symlinks=True)
    (folder / "zh" / "guides" / "withdrawn").mkdir(parents=True)
    (folder / "zh" / "guides" / "withdrawn" / "index.html").write_text("<p>old</p>", encoding="utf-8")
    return folder


def put_foreign(folder) -> None:
    for name, data in FOREIGN.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def test_delete_to_a_folder_removes_only_what_an_earlier_deploy_wrote(site, bigger_site, tmp_path):
    target = tmp_path / "www"
    target.mkdir()
    put_foreign(target)
    deploy(bigger_site, str(target))
    report = deploy(site.out, str(target), delete=True)
    assert report.deleted == ["zh/guides/withdrawn/index.html"]
    assert not (target / "zh" / "guides" / "withdrawn").exists()
    for name, data in FOREIGN.items():
        assert (target / name).read_bytes() == data, name


def test_delete_into_a_folder_never_deployed_to_deletes_nothing_and_says_why(site, tmp_path):
    target = tmp_path / "www"
    target.mkdir()
    put_foreign(target)
    (target / "stale.html").write_text("x", encoding="utf-8")
    report = deploy(site.out, str(target), delete=True)
    assert report.deleted == [] and (target / "stale.html").is_file()
    assert any("nothing deleted" in note for note in report.notes)
    assert (target / DEPLOY_MANIFEST).is_file()


@pytest.mark.parametrize("marker", ["zaitun.toml", ".git", "content"])
def test_a_folder_that_looks_like_a_project_or_repository_is_refused_unless_forced(site, tmp_path, marker):
    target = tmp_path / "copy"
    target.mkdir()
    (target / marker).mkdir() if marker != "zaitun.toml" else (target / marker).write_text("", encoding="utf-8")
    with pytest.raises(DeployError, match=f"has {marker}.*--force"):
        deploy(site.out, str(target), delete=True)
    assert sorted(p.name for p in target.iterdir()) == [marker]  # nothing written
    deploy(site.out, str(target), delete=True, force=True)
    assert (target / marker).exists() and (target / "index.html").is_file()


def test_delete_forced_into_a_copy_of_a_project_keeps_all_of_it(site, tmp_path):
    copy = tmp_path / "project-copy"
    shutil.copytree(site.project.root, copy, symlinks=True, ignore=shutil.ignore_patterns("publish", ".publish.*"))
    before = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*"))
    deploy(site.out, str(copy), delete=True, force=True)
    deploy(site.out, str(copy), delete=True, force=True)
    after = {p.relative_to(copy).as_posix() for p in copy.rglob("*")}
    assert set(before) <= after
    assert (copy / ".zaitun" / "state.db").is_file() and (copy / "zaitun.toml").is_file()


def test_the_root_of_the_file_system_is_never_a_deploy_target(site):
    for target in ("/", "//", "/tmp/.."):
        with pytest.raises(DeployError, match="the root of the file system"):
            deploy(site.out, target, dry_run=True, force=True)


def in_a_mount_namespace(script: str) -> subprocess.CompletedProcess | None:
    """Run a shell script in a mount namespace of its own (its mounts seen by nobody else); None where this
    machine allows none (no unshare, not root)."""
    try:
        done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        return None
    return None if done.returncode == 97 else done


@pytest.mark.parametrize("other", ["/", "~"])
def test_the_root_or_the_home_folder_seen_through_a_bind_mount_is_refused_as_itself(site, tmp_path, other):
    view = tmp_path / "view"
    view.mkdir()
    command = shlex.join([sys.executable, "-m", "zaitun", "--project", str(site.project.root), "deploy", "--to",
                          str(view), "--dry-run"] + (["--force"] if other == "/" else []))
    done = in_a_mount_namespace(f"mount --bind {shlex.quote(os.path.expanduser(other))} {shlex.quote(str(view))} "
                                f"|| exit 97; exec {command}")
    if done is None:
        pytest.skip("this machine allows no mount namespace (unshare -m, mount --bind)")
    assert done.returncode != 0 and "would upload" not in done.stdout, done.stdout
    reason = "the root of the file system" if other == "/" else "your home folder"
    assert f"{view} is {reason}" in done.stdout + done.stderr, done.stdout + done.stderr


@pytest.mark.parametrize("target", ["/etc", "/tmp", "/home", "~"])
def test_a_system_folder_or_the_home_folder_is_refused_unless_forced(site, target):
    folder = os.path.expanduser(target)
    with pytest.raises(DeployError, match="--force"):
        deploy(site.out, folder, dry_run=True)
    assert deploy(site.out, folder, dry_run=True, force=True).dry_run  # forced, it goes on (here: a dry run)


def test_deploy_command_refuses_the_root_with_its_reason(site, monkeypatch):
    monkeypatch.chdir(site.project.root)
    result = CliRunner().invoke(app, ["--project", ".", "deploy", "--to", "/", "--dry-run"])
    assert isinstance(result.exception, DeployError), result.output
    assert str(result.exception).startswith("/ is the root of the file system: a site never goes there")


def test_the_site_itself_is_never_a_deploy_target(site):
    with pytest.raises(DeployError, match="is the site"):
        deploy(site.out, str(site.out.resolve()), force=True)


def test_dry_run_lists_exactly_what_a_real_deploy_then_does(site, bigger_site, tmp_path):
    target = tmp_path / "www"
    deploy(bigger_site, str(target))
    (target / "robots.txt").write_text("changed", encoding="utf-8")
    snapshot = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    dry = deploy(site.out, str(target), delete=True, dry_run=True)
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == snapshot
    real = deploy(site.out, str(target), delete=True)
    assert (dry.uploaded, dry.deleted) == (real.uploaded, real.deleted) == (["robots.txt"],
                                                                           ["zh/guides/withdrawn/index.html"])


def test_deploy_command_dry_run_prints_every_file_it_would_upload_and_delete(site, bigger_site, tmp_path):
    target = tmp_path / "www"
    deploy(bigger_site, str(target))
    (target / "robots.txt").write_text("changed", encoding="utf-8")
    result = CliRunner().invoke(app, ["--project", str(site.project.root), "deploy", "--to", str(target),
                                      "--delete", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would upload robots.txt" in result.output
    assert "would delete zh/guides/withdrawn/index.html" in result.output
    assert (target / "robots.txt").read_text(encoding="utf-8") == "changed"


def test_a_deploy_without_delete_says_how_many_files_it_left_online_and_how_to_remove_them(site, bigger_site,
                                                                                          tmp_path):
    target = tmp_path / "www"
    deploy(bigger_site, str(target))
    kept = CliRunner().invoke(app, ["--project", str(site.project.root), "deploy", "--to", str(target)])
    assert kept.exit_code == 0, kept.output
    assert "deleted 0, left online 1 no longer in the site (--delete removes them)" in kept.output
    assert (target / "zh" / "guides" / "withdrawn" / "index.html").is_file()
    deleted = CliRunner().invoke(app, ["--project", str(site.project.root), "deploy", "--to", str(target), "--delete"])
    assert "deleted 1" in deleted.output and "left online" not in deleted.output


@pytest.mark.parametrize("target", ["s3:/site/www", "s3:site/www", "S3://site/www", "s3//site/www",
                                    "https://example.org/www", "minio:site/www"])
def test_a_target_that_looks_like_a_mistyped_url_is_refused_and_nothing_is_written(site, target, monkeypatch):
    monkeypatch.chdir(site.project.root)
    before = sorted(os.listdir("."))
    result = CliRunner().invoke(app, ["--project", ".", "deploy", "--to", target,
                                      "--endpoint-url", "http://127.0.0.1:9"])
    assert isinstance(result.exception, DeployError), result.output
    assert repr(target) in str(result.exception) and "s3://BUCKET/PREFIX" in str(result.exception)
    assert sorted(os.listdir(".")) == before


@pytest.mark.parametrize("marker", ["zaitun.toml", ".zaitun"])
def test_a_folder_inside_a_project_is_refused_unless_forced(site, tmp_path, marker):
    project = tmp_path / "other-project"
    project.mkdir()
    (project / marker).mkdir() if marker == ".zaitun" else (project / marker).write_text("", encoding="utf-8")
    target = project / "out" / "www"
    with pytest.raises(DeployError, match=f"inside the project {project} .it has {marker}.*--force"):
        deploy(site.out, str(target))
    assert not (project / "out").exists()
    deploy(site.out, str(target), force=True)
    assert (target / "index.html").is_file()


def test_deploy_command_refuses_a_folder_inside_its_own_project(site, monkeypatch):
    monkeypatch.chdir(site.project.root)
    result = CliRunner().invoke(app, ["--project", ".", "deploy", "--to", "site/www"])
    assert isinstance(result.exception, DeployError), result.output
    assert f"is inside the project {site.project.root}" in str(result.exception)
    assert not (site.project.root / "site").exists()


@pytest.mark.parametrize("endpoint", [[], ["--endpoint-url", "http://127.0.0.1:9"]])
def test_a_file_given_as_the_target_folder_is_refused_as_a_file_and_left_as_it_was(site, tmp_path, endpoint):
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["--project", str(site.project.root), "deploy", "--to", str(target), *endpoint])
    assert isinstance(result.exception, DeployError), result.output
    assert str(result.exception).startswith(f"{target} is a file, not a folder")
    assert target.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("target", ["s3://site/www/../x", "s3://site/www//x", "s3://site/./www", "s3://site/www?x=1"])
def test_an_s3_target_whose_keys_no_browser_could_ask_for_is_refused(site, target):
    with pytest.raises(DeployError, match="bad S3 target"):
        deploy(site.out, target, endpoint_url="http://127.0.0.1:9", dry_run=True)


def test_endpoint_url_with_a_folder_target_is_refused(site, tmp_path):
    target = tmp_path / "www"
    result = CliRunner().invoke(app, ["--project", str(site.project.root), "deploy", "--to", str(target),
                                      "--endpoint-url", "http://127.0.0.1:9"])
    assert isinstance(result.exception, DeployError), result.output
    assert "--endpoint-url is for an s3:// target" in str(result.exception) and not target.exists()


def test_uploads_go_assets_and_media_then_pages_then_feeds_and_sitemap_and_deletions_come_last(site, tmp_path):
    target = tmp_path / "www"
    report = deploy(site.out, str(target))
    ranks = [upload_rank(name) for name in report.uploaded]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 2
    assert report.uploaded.index("zh/guides/transit/index.html") > report.uploaded.index(
        next(n for n in report.uploaded if n.startswith("assets/")))
    assert report.uploaded[-1] in ("sitemap.xml", "robots.txt") or report.uploaded[-1].endswith(".xml")


# -- S3 -------------------------------------------------------------------------------------------
def keys(client, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_s3_target_without_a_prefix_is_refused_unless_forced(site, s3, s3_endpoint):
    client, bucket = s3
    client.put_object(Bucket=bucket, Key="unrelated/data.csv", Body=b"1,2")
    with pytest.raises(DeployError, match=f"s3://{bucket} has no prefix.*--force"):
        deploy(site.out, f"s3://{bucket}", endpoint_url=s3_endpoint, delete=True)
    assert keys(client, bucket) == ["unrelated/data.csv"]
    deploy(site.out, f"s3://{bucket}", endpoint_url=s3_endpoint, delete=True, force=True)
    assert "unrelated/data.csv" in keys(client, bucket) and "index.html" in keys(client, bucket)


def test_s3_delete_removes_only_objects_an_earlier_deploy_wrote(site, bigger_site, s3, s3_endpoint):
    client, bucket = s3
    for name, data in FOREIGN.items():
        client.put_object(Bucket=bucket, Key=f"www/{name}", Body=data)
    client.put_object(Bucket=bucket, Key="elsewhere/keep.txt", Body=b"not ours")
    first = deploy(site.out, f"s3://{bucket}/www", endpoint_url=s3_endpoint, delete=True)
    assert first.deleted == []  # nothing there was written by zaitun
    deploy(bigger_site, f"s3://{bucket}/www", endpoint_url=s3_endpoint)
    dry = deploy(site.out, f"s3://{bucket}/www", endpoint_url=s3_endpoint, delete=True, dry_run=True)
    assert dry.deleted == ["zh/guides/withdrawn/index.html"] and dry.uploaded == []
    report = deploy(site.out, f"s3://{bucket}/www", endpoint_url=s3_endpoint, delete=True)
    assert report.deleted == dry.deleted
    remaining = keys(client, bucket)
    assert "www/zh/guides/withdrawn/index.html" not in remaining
    assert {f"www/{name}" for name in FOREIGN} | {"elsewhere/keep.txt"} <= set(remaining)
    assert f"www/{DEPLOY_MANIFEST}" in remaining
    assert sorted(k for k in remaining if k.startswith("www/") and k[4:] not in FOREIGN
                  and k[4:] != DEPLOY_MANIFEST) == sorted(f"www/{n}" for n in site_files(site.out))


def test_an_s3_deploy_without_delete_says_how_many_objects_it_left_online(site, bigger_site, s3, s3_endpoint):
    client, bucket = s3
    deploy(bigger_site, f"s3://{bucket}/www", endpoint_url=s3_endpoint)
    report = deploy(site.out, f"s3://{bucket}/www", endpoint_url=s3_endpoint)
    assert report.deleted == [] and report.stale == ["zh/guides/withdrawn/index.html"]
    assert "deleted 0, left online 1 no longer in the site (--delete removes them)" in report.summary()
    assert "www/zh/guides/withdrawn/index.html" in keys(client, bucket)


def test_a_folder_deploy_never_writes_or_deletes_through_a_symlinked_folder(site, bigger_site, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "guides" / "transit").mkdir(parents=True)
    (elsewhere / "guides" / "transit" / "index.html").write_text("not the site's", encoding="utf-8")
    target = tmp_path / "www"
    target.mkdir()
    (target / "zh").symlink_to(elsewhere)
    with pytest.raises(DeployError, match="zh is a symlink"):
        deploy(site.out, str(target))
    assert (elsewhere / "guides" / "transit" / "index.html").read_text(encoding="utf-8") == "not the site's"


def test_a_folder_deploy_killed_at_any_moment_has_recorded_every_file_it_wrote(site, tmp_path):
    rng = random.Random(5)
    for round_ in range(8):
        target = tmp_path / f"www-{round_}"
        target.mkdir()
        put_foreign(target)
        proc = subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(site.project.root), "deploy",
                                 "--to", str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))  # the interpreter starts in about half a second here
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        written = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
        written -= set(FOREIGN) | {DEPLOY_MANIFEST}
        written = {n for n in written if not n.rsplit("/", 1)[-1].startswith(".")}  # a copy cut short
        recorded = set(json.loads((target / DEPLOY_MANIFEST).read_bytes())["files"]) if written else set()
        assert written <= recorded
        report = deploy(site.out, str(target), delete=True)
        assert report.deleted == []
        for name, data in FOREIGN.items():
            assert (target / name).read_bytes() == data


def test_a_folder_deploy_killed_mid_copy_leaves_no_temporary_file_once_the_next_deploy_ran(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    big = fx.out / "media" / "big.bin"
    big.parent.mkdir(exist_ok=True)
    big.write_bytes(b"\0" * (256 << 20))  # long enough to copy that the kill lands mid-copy
    target = tmp_path / "www"
    target.mkdir()
    put_foreign(target)
    mine = {".notes.txt.zaitun-tmp": b"someone else's, beside a file zaitun never deployed\n",
            ".editor.swp": b"\0"}
    for name, data in mine.items():
        (target / "zh" / "guides" / "transit" / name).write_bytes(data)
    copying = target / "media" / ".big.bin.zaitun-tmp"
    proc = subprocess.Popen([sys.executable, "-m", "zaitun", "--project", str(fx.project.root), "deploy",
                             "--to", str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not copying.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert copying.exists(), "the deploy was not killed mid-copy"
    assert copying.stat().st_size < big.stat().st_size  # half a file, hidden but servable
    big.unlink()  # staff take the file out of the site before the next deploy: it is not copied again
    (target / (DEPLOY_MANIFEST + ".tmp")).write_bytes(b'{"zaitun_deploy": 1, "fi')  # as an earlier version left it
    report = deploy(fx.out, str(target))
    assert not copying.exists() and not (target / "media" / "big.bin").exists()
    assert not [p for p in target.rglob("*.zaitun-tmp") if p.name not in mine]
    assert not (target / (DEPLOY_MANIFEST + ".tmp")).exists()
    assert any("removed 2 temporary file(s)" in note and "media/.big.bin.zaitun-tmp" in note for note in report.notes)
    for name, data in FOREIGN.items():
        assert (target / name).read_bytes() == data
    for name, data in mine.items():  # not of zaitun's making: left alone
        assert (target / "zh" / "guides" / "transit" / name).read_bytes() == data


def test_a_temporary_file_of_a_deploy_is_never_deployed(tmp_path):
    site = tmp_path / "site"
    (site / "zh").mkdir(parents=True)
    (site / "index.html").write_text("<p>home</p>", encoding="utf-8")
    (site / "zh" / ".index.html.zaitun-tmp").write_text("<p>half", encoding="utf-8")
    assert site_files(site) == ["index.html"]
