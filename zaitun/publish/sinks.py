"""Where a built site goes: a folder or an S3 bucket (AWS, MinIO, Ceph, R2), behind one method.

A sink uploads only files whose content changed, in an order that never lets a reader meet a
broken link (assets, then pages, then feeds and sitemap), and with `delete` removes what the
site no longer has. The social outbox and hidden files are never deployed.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from zaitun.errors import DeployError
from zaitun.publish import layout

TYPES = {".html": "text/html", ".css": "text/css", ".json": "application/json", ".txt": "text/plain",
         ".js": "text/javascript", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
         ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif",
         ".pdf": "application/pdf"}  # images and PDFs need no /etc/mime.types on the build machine
FEED_TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml",
              layout.SITEMAP: "application/xml"}
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"


@dataclass
class DeployReport:
    target: str
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    dry_run: bool = False
    failed: list[str] = field(default_factory=list)  # "path: why" of each file that could not be read

    def summary(self) -> str:
        verb = "would upload" if self.dry_run else "uploaded"
        failed = f", could not read {len(self.failed)}" if self.failed else ""
        return (f"{self.target}: {verb} {len(self.uploaded)}, unchanged {len(self.skipped)}, "
                f"{'would delete' if self.dry_run else 'deleted'} {len(self.deleted)}{failed}")

    def unreadable(self, path: Path, exc: OSError) -> None:
        """One file of the site could not be read: the others are deployed, and this is reported."""
        self.failed.append(f"{path}: could not be read ({exc.strerror or exc}); the rest was deployed")


class Sink(Protocol):
    def deploy(self, site_dir: Path, delete: bool = False, dry_run: bool = False) -> DeployReport: ...


def site_files(site_dir: Path) -> list[str]:
    """Deployable files, relative with '/', in upload order: assets, pages, then feeds and sitemap."""
    if not (site_dir / "index.html").is_file():
        raise DeployError(f"{site_dir} has no built site: run `zaitun build` first")
    names = []
    for path in site_dir.rglob("*"):
        rel = path.relative_to(site_dir).as_posix()
        if path.is_file() and not rel.startswith((layout.SOCIAL_DIR + "/", ".")) and "/." not in rel:
            names.append(rel)
    return sorted(names, key=lambda name: (upload_rank(name), name))


def upload_rank(name: str) -> int:
    if name.startswith((layout.ASSETS_DIR + "/", layout.STATIC_DIR + "/", layout.MEDIA_DIR + "/")):  # linked first
        return 0
    if name.endswith(".xml") or name == layout.ROBOTS:
        return 2
    return 1


def content_type(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    kind = FEED_TYPES.get(base) or TYPES.get(Path(base).suffix) or mimetypes.guess_type(base)[0]
    kind = kind or "application/octet-stream"
    textual = kind.startswith("text/") or kind.endswith(("xml", "json"))
    return f"{kind}; charset=utf-8" if textual else kind


ACTIVE_SUFFIXES = (".svg", ".svgz", ".html", ".htm", ".xhtml", ".xml")  # documents a browser would run scripts in


def content_disposition(name: str) -> str | None:
    """`attachment` for staff-supplied files (static/, media/) that a browser opening them would treat as a
    document able to run scripts on the site's origin: an <img> still shows an SVG, a visit downloads it."""
    supplied = name.startswith((layout.STATIC_DIR + "/", layout.MEDIA_DIR + "/"))
    return "attachment" if supplied and name.lower().endswith(ACTIVE_SUFFIXES) else None


def cache_control(name: str) -> str:
    """Fingerprinted assets never change under their name; everything else may change any build."""
    return LONG_CACHE if name.startswith(layout.ASSETS_DIR + "/") else SHORT_CACHE


def digest(path: Path, algorithm: str = "sha256") -> str:
    return hashlib.new(algorithm, path.read_bytes()).hexdigest()


class FolderSink:
    """Mirror the site into another folder (a web server's document root, a mounted share)."""

    def __init__(self, target: Path):
        self.target = Path(target)

    def deploy(self, site_dir: Path, delete: bool = False, dry_run: bool = False) -> DeployReport:
        report = DeployReport(str(self.target), dry_run=dry_run)
        names = site_files(site_dir)
        for name in names:
            try:
                self._copy(site_dir, name, report)
            except OSError as exc:
                report.unreadable(site_dir / name, exc)
        if delete and self.target.is_dir():
            wanted = set(names)
            for path in sorted(p for p in self.target.rglob("*") if p.is_file()):
                rel = path.relative_to(self.target).as_posix()
                if rel not in wanted:
                    report.deleted.append(rel)
                    if not dry_run:
                        path.unlink()
        return report

    def _copy(self, site_dir: Path, name: str, report: DeployReport) -> None:
        dest = self.target / name
        if dest.is_file() and digest(dest) == digest(site_dir / name):
            report.skipped.append(name)
            return
        if not report.dry_run:  # through a temporary file: a failed read leaves no half-copied file online
            dest.parent.mkdir(parents=True, exist_ok=True)
            temp = dest.with_name(f".{dest.name}.zaitun-tmp")
            try:
                shutil.copyfile(site_dir / name, temp)
                os.replace(temp, dest)
            finally:
                temp.unlink(missing_ok=True)
        report.uploaded.append(name)


def sink_for(target: str, endpoint_url: str | None = None) -> Sink:
    """`s3://bucket/prefix` goes to S3; a path (or file://path) to a folder."""
    if target.startswith("s3://"):
        from zaitun.publish.s3 import S3Sink

        return S3Sink(target, endpoint_url or None)
    if "://" in target and not target.startswith("file://"):
        raise DeployError(f"unknown deploy target {target!r}: use s3://bucket/prefix or a folder")
    return FolderSink(Path(target.removeprefix("file://")))


def deploy(site_dir: Path, target: str, endpoint_url: str | None = None, delete: bool = False,
           dry_run: bool = False) -> DeployReport:
    return sink_for(target, endpoint_url).deploy(Path(site_dir), delete=delete, dry_run=dry_run)
