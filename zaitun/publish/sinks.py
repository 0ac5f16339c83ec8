"""Where a built site goes: a folder or an S3 bucket (AWS, MinIO, Ceph, R2), behind one method.

A sink uploads only files whose content changed, in an order that never lets a reader meet a
broken link (assets and media, new pages after what they link to, changed pages, then feeds and
sitemap, deletions last: order.py). A record at
the target (`.zaitun-deploy.json`) lists every file zaitun deployed there: `delete` removes only
files in it that the site no longer has, never hidden files or anything someone else put there;
without it, a deploy says how many such files it left online. A folder that looks like a project
or a repository, or lies inside a project, and a bucket's root, are refused unless forced; a target
that looks like a mistyped URL is refused. The social outbox and hidden files are never deployed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from zaitun import progress
from zaitun.errors import DeployError
from zaitun.mediatypes import content_type
from zaitun.publish import layout
from zaitun.publish.order import rank as upload_rank
from zaitun.publish.order import upload_order
from zaitun.publish.output import pinned

SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"


@dataclass
class DeployReport:
    target: str
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # not deleted (no --delete): deployed before, not in the site
    notes: list[str] = field(default_factory=list)  # what the operator should know (nothing deleted, why)
    dry_run: bool = False
    failed: list[str] = field(default_factory=list)  # "path: why" of each file that could not be read or deleted
    undeleted: list[str] = field(default_factory=list)  # to delete, but the target kept them (still in its record)

    def summary(self) -> str:
        verb = "would upload" if self.dry_run else "uploaded"
        unread = len(self.failed) - len(self.undeleted)
        failed = (f", could not read {unread}" if unread else "") + \
            (f", could not delete {len(self.undeleted)}" if self.undeleted else "")
        stale = (f", left online {len(self.stale)} no longer in the site (--delete removes them)"
                 if self.stale else "")
        return (f"{self.target}: {verb} {len(self.uploaded)}, unchanged {len(self.skipped)}, "
                f"{'would delete' if self.dry_run else 'deleted'} {len(self.deleted)}{stale}{failed}")

    def unreadable(self, path: Path, exc: OSError) -> None:
        """One file of the site could not be read: the others are deployed, and this is reported."""
        self.failed.append(f"{path}: could not be read ({exc.strerror or exc}); the rest was deployed")


class Sink(Protocol):
    def deploy(self, site_dir: Path, delete: bool = False, dry_run: bool = False) -> DeployReport: ...


DEPLOY_MANIFEST = ".zaitun-deploy.json"
TEMP_SUFFIX = ".zaitun-tmp"  # `.NAME.zaitun-tmp`: a folder deploy's copy of NAME before it is renamed over it
RECORD_TEMPS = (DEPLOY_MANIFEST + TEMP_SUFFIX, DEPLOY_MANIFEST + ".tmp")  # the record's, as now and earlier named
PROJECT_MARKERS = ("zaitun.toml", ".git", "content")  # a folder holding one is no site to deploy into
INSIDE_MARKERS = ("zaitun.toml", ".zaitun")  # a folder below one holding these is inside a zaitun project
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # `s3:`, `https:`, `remote:`: a URL's start, not a folder's


class Target(Protocol):
    """What `sync` needs of a place to deploy to; each sink implements it for its storage."""

    with_headers: bool  # whether files are served with the headers they were put with (S3), not by a server's rules
    def read_record(self) -> bytes | None: ...
    def exists(self, name: str) -> bool: ...
    def same(self, path: Path, name: str) -> bool: ...
    def put(self, path: Path, name: str) -> None: ...
    def remove(self, names: list[str]) -> dict[str, str]: ...  # those it could not remove -> why
    def sweep(self, names: set[str]) -> list[str]: ...
    def write_record(self, data: bytes) -> None: ...


def sync(target: Target, site_dir: Path, report: DeployReport, delete: bool) -> DeployReport:
    """Upload changed files in order, then delete what an earlier deploy wrote and the site no longer has.
    The record is widened before the first upload and narrowed after the deletions, so a deploy stopped
    at any point leaves every file it wrote listed. A store that serves files with headers (S3) has the
    headers each file was put with recorded too: a file whose headers would now differ (a zaitun that serves
    it otherwise, as a download say) is put again though its content is the same."""
    names = site_files(site_dir)
    data = target.read_record()
    owned = parse_record(data, report.target)
    put_with = parse_headers(data) if target.with_headers else {}
    wanted: dict[str, str] = {}
    with progress.task("Comparing files", total=len(names)) as bar:
        for name in names:
            try:
                wanted[name] = headers_digest(name, site_dir / name) if target.with_headers else ""
                same = target.same(site_dir / name, name) and put_with.get(name, "") == wanted[name]
                (report.skipped if same else report.uploaded).append(name)
            except OSError as exc:  # one unreadable file: the others are deployed, this one reported
                report.unreadable(site_dir / name, exc)
            bar.advance()
    report.uploaded = upload_order(site_dir, report.uploaded, target.exists)
    report.deleted = deletions(owned, names, report) if delete else []
    report.stale = [] if delete or owned is None else gone(owned, names)
    if report.dry_run:
        return report
    recorded = set(owned or ()) | set(names)
    target.write_record(record(recorded, put_with))  # the headers as they are online until each file is put
    swept = target.sweep(recorded)
    if swept:
        report.notes.append(f"{report.target}: removed {len(swept)} temporary file(s) an earlier deploy stopped "
                            f"midway left ({', '.join(swept[:3])}{', ...' if len(swept) > 3 else ''})")
    try:
        _upload(target, site_dir, report, wanted, put_with, recorded)
    except BaseException:  # stopped midway (the target failing, Ctrl-C): the files put so far are recorded with
        if target.with_headers:  # their headers, so the next deploy does not put them all again
            with contextlib.suppress(Exception):
                target.write_record(record(recorded, put_with))
        raise
    if report.deleted:
        kept = target.remove(report.deleted)
        report.deleted = [name for name in report.deleted if name not in kept]
        report.undeleted = sorted(kept)
        report.failed += [f"{report.target.rstrip('/')}/{name}: could not be deleted ({why}); it is still online, and "
                          f"the next deploy tries again" for name, why in sorted(kept.items())]
    if report.deleted or (target.with_headers and report.uploaded):
        target.write_record(record(recorded - set(report.deleted), put_with))
    return report


def _upload(target: Target, site_dir: Path, report: DeployReport, wanted: dict[str, str], put_with: dict[str, str],
            recorded: set[str]) -> None:
    """Put the files to upload in turn, noting the headers each was put with; on a store that keeps them, the
    record is written again every RECORD_EVERY seconds, so even a deploy killed outright is taken up where it
    was."""
    due = time.monotonic() + RECORD_EVERY
    with progress.task("Uploading files", total=len(report.uploaded)) as bar:
        for name in list(report.uploaded):
            try:
                target.put(site_dir / name, name)
            except OSError as exc:
                report.uploaded.remove(name)
                report.unreadable(site_dir / name, exc)
            else:
                put_with[name] = wanted[name]
                if target.with_headers and time.monotonic() > due:
                    target.write_record(record(recorded, put_with))
                    due = time.monotonic() + RECORD_EVERY
            bar.advance()


RECORD_EVERY = 30  # seconds: a large first deploy writes its record (a line per file) a few times, not per file


def deletions(owned: list[str] | None, names: list[str], report: DeployReport) -> list[str]:
    """Files an earlier deploy wrote that the site no longer has; with no record, none."""
    if owned is None:
        report.notes.append(f"{report.target}: no {DEPLOY_MANIFEST} there (no earlier zaitun deploy), so nothing "
                            f"deleted; from now on --delete removes what zaitun deploys there")
        return []
    return gone(owned, names)


def gone(owned: list[str], names: list[str]) -> list[str]:
    """Files an earlier deploy wrote (its record) that the site no longer has."""
    wanted = set(names)
    return sorted(name for name in owned if name not in wanted)


def record(names: set[str], headers: dict[str, str] | None = None) -> bytes:
    """The record of the files deployed, with the digest of the headers each was put with (for a store that
    has headers: `headers_digest`)."""
    kept = {name: digest for name, digest in sorted((headers or {}).items()) if name in names}
    return json.dumps({"zaitun_deploy": 1, "files": sorted(names), **({"headers": kept} if kept else {})},
                      ensure_ascii=False, indent=0).encode("utf-8")


def parse_headers(data: bytes | None) -> dict[str, str]:
    """The digest of the headers each file was put with, as a record keeps them; none in a record of earlier
    zaitun versions (each file is then put once more, with the headers of this one)."""
    try:
        headers = json.loads(data or b"{}").get("headers", {})
    except (ValueError, AttributeError):
        return {}
    return {k: v for k, v in headers.items() if isinstance(v, str)} if isinstance(headers, dict) else {}


def object_headers(name: str, data: bytes) -> dict[str, str]:
    """The headers a file is served with from a store that keeps them (S3's names)."""
    disposition, location = content_disposition(name), redirect_location(name, data)
    return {"ContentType": content_type(name), "CacheControl": cache_control(name),
            **({"ContentDisposition": disposition} if disposition else {}),
            **({"WebsiteRedirectLocation": location} if location else {})}


def headers_digest(name: str, path: Path) -> str:
    """A short digest of `object_headers`: what the record keeps of them."""
    with open(path, "rb") as file:  # a redirect page is told by its first 2 KB
        head = file.read(2048)
    text = json.dumps(object_headers(name, head), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def parse_record(data: bytes | None, where: str) -> list[str] | None:
    """The files listed in a target's record; a name that is hidden or leaves the target is never trusted."""
    if data is None:
        return None
    try:
        names = json.loads(data)["files"]
    except (ValueError, KeyError, TypeError):
        raise DeployError(f"{where}: {DEPLOY_MANIFEST} is not a zaitun deploy record; move it away to "
                          f"deploy there (then nothing is deleted)") from None
    return [n for n in names if isinstance(n, str) and n and not n.startswith("/")
            and not any(part in ("", "..") or part.startswith(".") for part in n.split("/"))]


def site_files(site_dir: Path) -> list[str]:
    """Deployable files, relative with '/', by kind: assets, pages, then feeds and sitemap (`sync` puts
    the ones it uploads in a finer order: order.py)."""
    if not (site_dir / "index.html").is_file():
        raise DeployError(f"{site_dir} has no built site: run `zaitun build` first")
    names = []
    for path in site_dir.rglob("*"):
        rel = path.relative_to(site_dir).as_posix()
        if path.is_file() and deployable(rel):
            names.append(rel)
    return sorted(names, key=lambda name: (upload_rank(name), name))


def deployable(rel: str) -> bool:
    """Whether a file of the site (its name, relative with '/') is deployed: not the social outbox, nothing
    hidden. `zaitun preview` serves the same files."""
    return not rel.startswith((layout.SOCIAL_DIR + "/", ".")) and "/." not in rel


# Types a browser shows without running anything on the site's origin: images, PDF, CSS, fonts, plain text, JSON.
INLINE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".bmp", ".pdf", ".css",
                             ".woff", ".woff2", ".ttf", ".otf", ".txt", ".json"})


def content_disposition(name: str) -> str | None:
    """`attachment` for a staff-supplied file (static/, media/) of any type not on the inline allow-list: HTML
    and its cousins (.shtml, .xht, .svg, .xsl, .rdf...) and unknown types download instead of running scripts
    on the site's origin; an <img> still shows an SVG. Only pages zaitun rendered are served as HTML."""
    supplied = name.startswith((layout.STATIC_DIR + "/", layout.MEDIA_DIR + "/"))
    suffix = Path(name.rsplit("/", 1)[-1]).suffix.lower()
    return "attachment" if supplied and suffix not in INLINE_SUFFIXES else None


REDIRECT_MARK = "zaitun-redirect"  # <meta name=REDIRECT_MARK content=TARGET> in a redirect page (redirects.py)
_REDIRECT_RE = re.compile(rb'<meta name="' + REDIRECT_MARK.encode() + rb'" content="(/[^"]*)">')


def redirect_location(name: str, data: bytes) -> str | None:
    """Where a redirect page zaitun rendered leads (a root-relative link), for a store that redirects itself
    (S3's website redirect); None for any other file, and for every file staff supplied."""
    if not name.endswith(".html") or name.startswith((layout.STATIC_DIR + "/", layout.MEDIA_DIR + "/")):
        return None
    match = _REDIRECT_RE.search(data, 0, 2048)
    return match.group(1).decode("utf-8") if match else None


def cache_control(name: str) -> str:
    """Fingerprinted assets never change under their name; everything else may change any build."""
    return LONG_CACHE if name.startswith(layout.ASSETS_DIR + "/") else SHORT_CACHE


def digest(path: Path, algorithm: str = "sha256") -> str:
    return hashlib.new(algorithm, path.read_bytes()).hexdigest()


def _same_folder(a: Path, b: Path) -> bool:
    """Whether two paths are one folder, by name or by the folder itself (a bind mount, another mount of it)."""
    if a == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # (a target not made yet)
        return False


class FolderSink:
    """Mirror the site into another folder (a web server's document root, a mounted share)."""

    with_headers = False  # the web server serving the folder gives the headers

    def __init__(self, target: Path, force: bool = False):
        self.target = Path(target)
        self.force = force
        self._checked: set[Path] = set()  # folders of the target known not to be symlinks

    def deploy(self, site_dir: Path, delete: bool = False, dry_run: bool = False) -> DeployReport:
        self._refuse(site_dir)
        return sync(self, site_dir, DeployReport(str(self.target), dry_run=dry_run), delete)

    def _refuse(self, site_dir: Path) -> None:
        where = self.target.resolve()
        if where == site_dir.resolve() or where.is_relative_to(site_dir.resolve()):
            raise DeployError(f"{self.target} is the site itself (publish/); deploy to another folder")
        if _same_folder(where, Path(where.anchor)):  # a bind mount of / too: resolve() does not see through one
            raise DeployError(f"{self.target} is the root of the file system: a site never goes there; deploy to "
                              "a folder of its own (e.g. /var/www/zaitun)")
        if self.force:
            return
        home = _same_folder(where, Path.home())
        if home or where.parent == Path(where.anchor):
            raise DeployError(f"{self.target} is {'your home folder' if home else 'a folder of the system'}: the site "
                              "would be written among its files; deploy to a folder of its own, or pass --force if "
                              "the site really goes there")
        found = [m for m in PROJECT_MARKERS if (self.target / m).exists()]
        if found:
            raise DeployError(f"{self.target} has {found[0]}: it looks like a project or a repository, not a "
                              f"site folder; check the path, or pass --force if the site really goes there")
        for folder in where.parents:
            found = [m for m in INSIDE_MARKERS if (folder / m).exists()]
            if found:
                raise DeployError(f"{self.target} is inside the project {folder} (it has {found[0]}): the site "
                                  f"would be written among the project's files; deploy to a folder outside it, "
                                  f"or pass --force if the site really goes there")

    def read_record(self) -> bytes | None:
        try:
            return (self.target / DEPLOY_MANIFEST).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        return (self.target / name).is_file()

    def same(self, path: Path, name: str) -> bool:
        dest = self.target / name
        return dest.is_file() and not dest.is_symlink() and digest(dest) == digest(path)

    def _dest(self, name: str) -> Path:
        """Where name goes; a symlinked folder on the way is refused, so nothing outside the target changes."""
        folder = self.target
        for part in name.split("/")[:-1]:
            folder = folder / part
            if folder not in self._checked:
                if folder.is_symlink():
                    raise DeployError(f"{folder} is a symlink: a deploy never writes or deletes through one; "
                                      f"replace it with a folder")
                self._checked.add(folder)
        return self.target / name

    def put(self, path: Path, name: str) -> None:
        """Copy beside, then rename over: a reader of the folder never sees half a file."""
        dest = self._dest(name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}{TEMP_SUFFIX}")
        try:
            shutil.copyfile(path, tmp)
            os.replace(tmp, dest)
        finally:  # a failed read leaves no half-copied file behind
            tmp.unlink(missing_ok=True)

    def remove(self, names: list[str]) -> dict[str, str]:
        kept: dict[str, str] = {}
        for name in names:
            try:
                self._dest(name).unlink(missing_ok=True)
            except OSError as exc:  # one file that cannot go (its folder read-only, say): the others still do
                kept[name] = exc.strerror or str(exc)
                continue
            _prune(self.target, (self.target / name).parent)
        return kept

    def sweep(self, names: set[str]) -> list[str]:
        """Remove the temporary copies a deploy killed mid-copy left in the target (`.NAME.zaitun-tmp` beside a
        file it deploys or deployed, `names`; its record's own), hidden but servable; the names removed. Nothing
        else: never a file of another name, nor one beside a file zaitun never deployed."""
        swept = []
        for folder, _dirs, files in os.walk(self.target):  # a symlinked folder is not walked into
            where = Path(folder).relative_to(self.target).as_posix()
            for file in files:
                copied = file[1:].removesuffix(TEMP_SUFFIX) if file[:1] == "." and file.endswith(TEMP_SUFFIX) else ""
                if (copied and (copied if where == "." else f"{where}/{copied}") in names) or (
                        where == "." and file in RECORD_TEMPS):
                    (Path(folder) / file).unlink(missing_ok=True)
                    swept.append(f"{where}/{file}".removeprefix("./"))
        return sorted(swept)

    def write_record(self, data: bytes) -> None:
        self.target.mkdir(parents=True, exist_ok=True)
        tmp = self.target / f"{DEPLOY_MANIFEST}{TEMP_SUFFIX}"
        tmp.write_bytes(data)
        os.replace(tmp, self.target / DEPLOY_MANIFEST)


def _prune(root: Path, folder: Path) -> None:
    """Remove folders a deletion left empty, up to the target."""
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def sink_for(target: str, endpoint_url: str | None = None, force: bool = False, timeout: float | None = None,
             settings: tuple[str, str] = ("--to", "--endpoint-url")) -> Sink:
    """`s3://bucket/prefix` goes to S3; a path (or file://path) to a folder. `force` lets a deploy go to a
    bucket's root or a folder that looks like a project. A target that starts like a URL but is none zaitun
    takes (`s3:/x`, `https://x`) is refused: as a folder, it would put the site inside the current folder."""
    if target.startswith("s3://"):
        from zaitun.publish.s3 import S3Sink

        return S3Sink(target, endpoint_url or None, force=force, timeout=timeout, settings=settings)
    folder = "" if "//" in target else f", or ./{target} for a folder of that name"
    if target.lower().startswith(("s3:", "s3//")):
        raise DeployError(f"{target!r} is not an S3 URL: write s3://BUCKET/PREFIX (lowercase s3, a colon, two "
                          f"slashes){folder}")
    if _SCHEME.match(target) and not target.startswith("file://"):
        raise DeployError(f"unknown deploy target {target!r}: use s3://BUCKET/PREFIX or a folder{folder}")
    path = Path(target.removeprefix("file://"))
    if path.exists() and not path.is_dir():
        raise DeployError(f"{target} is a file, not a folder: deploy to a folder (it is made if missing) or to "
                          "s3://BUCKET/PREFIX")
    if endpoint_url:
        raise DeployError(f"--endpoint-url is for an s3:// target, and {target} is a folder: leave it out, "
                          f"or deploy to s3://BUCKET/PREFIX")
    return FolderSink(path, force=force)


def configured_sink(config) -> Sink | None:
    """The sink of publish.s3_target with its settings, as the publish pass deploys there; None when none is set."""
    if not config.get("publish.s3_target"):
        return None
    return sink_for(config.get("publish.s3_target"), config.get("publish.s3_endpoint_url") or None,
                    config.get("publish.s3_bucket_root"), config.get("publish.timeout"),
                    (config.where("publish.s3_target"), config.where("publish.s3_endpoint_url")))


def deploy(site_dir: Path, target: str, endpoint_url: str | None = None, delete: bool = False,
           dry_run: bool = False, force: bool = False, timeout: float | None = None,
           settings: tuple[str, str] = ("--to", "--endpoint-url")) -> DeployReport:
    """Deploy the build site_dir shows, read from start to end even if a build switches it meanwhile; an S3
    request is given up after `timeout` seconds (publish.timeout). `settings`: where the S3 target and endpoint
    were given, for its errors."""
    sink = sink_for(target, endpoint_url, force, timeout, settings)
    with pinned(Path(site_dir)) as site:
        report = sink.deploy(site, delete=delete, dry_run=dry_run)
    report.failed = [line.replace(str(site), str(site_dir), 1) for line in report.failed]  # the path users know
    return report
