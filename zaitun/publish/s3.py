"""The S3 sink: boto3 with bounded retries and timeouts; works with any S3-compatible endpoint.

A file is skipped when the object's ETag is its MD5 (single-part uploads) or, for stores whose
ETags are not MD5s, when the `zaitun-sha256` metadata matches its content.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from zaitun.errors import DeployError
from zaitun.publish.sinks import DeployReport, cache_control, content_disposition, content_type, digest, site_files

CLIENT_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30)


def parse_target(target: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix/")."""
    parts = urlsplit(target)
    if parts.scheme != "s3" or not parts.netloc:
        raise DeployError(f"bad S3 target {target!r}: use s3://bucket/prefix")
    prefix = parts.path.strip("/")
    return parts.netloc, prefix + "/" if prefix else ""


class S3Sink:
    def __init__(self, target: str, endpoint_url: str | None = None, client=None):
        self.target = target
        self.bucket, self.prefix = parse_target(target)
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url, config=CLIENT_CONFIG)

    def deploy(self, site_dir: Path, delete: bool = False, dry_run: bool = False) -> DeployReport:
        report = DeployReport(self.target, dry_run=dry_run)
        names = site_files(site_dir)
        try:
            remote = self._listing()
            for name in names:
                try:
                    self._sync(site_dir / name, name, remote, report)
                except OSError as exc:
                    report.unreadable(site_dir / name, exc)
            if delete:
                self._delete(sorted(set(remote) - {self.prefix + n for n in names}), report)
        except (BotoCoreError, ClientError) as exc:
            raise DeployError(f"{self.target}: {exc} (check the bucket, credentials and --endpoint-url)") from exc
        return report

    def _listing(self) -> dict[str, str]:
        """Key -> ETag (without quotes) of every object under the prefix."""
        out: dict[str, str] = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                out[obj["Key"]] = obj["ETag"].strip('"')
        return out

    def _sync(self, path: Path, name: str, remote: dict[str, str], report: DeployReport) -> None:
        key = self.prefix + name
        sha = digest(path)
        if key in remote and (remote[key] == digest(path, "md5") or self._metadata_sha(key) == sha):
            report.skipped.append(name)
            return
        if not report.dry_run:
            disposition = content_disposition(name)
            self.client.put_object(Bucket=self.bucket, Key=key, Body=path.read_bytes(),
                                   ContentType=content_type(name), CacheControl=cache_control(name),
                                   Metadata={"zaitun-sha256": sha},
                                   **({"ContentDisposition": disposition} if disposition else {}))
        report.uploaded.append(name)

    def _metadata_sha(self, key: str) -> str:
        head = self.client.head_object(Bucket=self.bucket, Key=key)
        return head.get("Metadata", {}).get("zaitun-sha256", "")

    def _delete(self, keys: list[str], report: DeployReport) -> None:
        report.deleted += [k[len(self.prefix):] for k in keys]
        if report.dry_run:
            return
        for i in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[i:i + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
