"""The S3 sink: boto3 with bounded retries and timeouts; works with any S3-compatible endpoint.

A socket timeout bounds each read, not an endpoint answering a byte at a time: each request, with its
retries, is given up after `timeout` seconds (publish.timeout; an upload a second more per 256 KB), so a
deploy, and the publish pass waiting on it, never hangs.

A target without a prefix (the whole bucket) is refused unless forced: it shares the bucket with
whatever else is in it. A file is skipped when the object's ETag is its MD5 (single-part uploads) or, for stores whose
ETags are not MD5s, when the `zaitun-sha256` metadata matches its content.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from zaitun.bounded import Overdue, call_within
from zaitun.errors import DeployError
from zaitun.publish.sinks import (
    DEPLOY_MANIFEST,
    DeployReport,
    digest,
    object_headers,
    sync,
)
from zaitun.s3_target import parse_target

TIMEOUT = 60.0  # seconds a request may take with its retries (publish.timeout)
UPLOAD_RATE = 256 * 1024  # bytes a second an upload is allowed at the least, on top of the timeout


def client_config(timeout: float) -> Config:
    """Retries and socket timeouts that fit in `timeout` (a hung endpoint is retried within it)."""
    return Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=min(5.0, timeout),
                  read_timeout=min(30.0, timeout))


def checked_endpoint(url: str | None) -> str | None:
    """The endpoint as boto3 takes it, or a user's error: boto3 raises a bare ValueError for one without a scheme."""
    parts = urlsplit(url or "")
    if url and (parts.scheme not in ("http", "https") or not parts.netloc):
        host = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://|https?:/*)", "", url)  # what was meant without a scheme
        raise DeployError(f"endpoint {url!r} (--endpoint-url or publish.s3_endpoint_url) is not an http:// or "
                          f"https:// URL: write http://{host} or https://{host}")
    return url


class S3Sink:
    with_headers = True  # S3 serves each object with the headers it was put with

    def __init__(self, target: str, endpoint_url: str | None = None, client=None, force: bool = False,
                 timeout: float | None = None, settings: tuple[str, str] = ("--to", "--endpoint-url")):
        self.target = target
        self.settings = settings  # where the target and the endpoint were given, named in errors
        self.endpoint = endpoint_url or "AWS"
        self.timeout = timeout or TIMEOUT
        self.bucket, self.prefix = parse_target(target, whole_bucket=force)
        self.client = client or boto3.client("s3", endpoint_url=checked_endpoint(endpoint_url),
                                             config=client_config(self.timeout))
        self._remote: dict[str, str] | None = None

    def deploy(self, site_dir: Path, delete: bool = False, dry_run: bool = False) -> DeployReport:
        try:
            return sync(self, site_dir, DeployReport(self.target, dry_run=dry_run), delete)
        except (BotoCoreError, ClientError) as exc:
            raise DeployError(f"{self.target}: {self._explained(exc)}") from exc

    def _explained(self, exc: BotoCoreError | ClientError) -> str:
        """What went wrong and which setting to check (`self.settings` says where the target and endpoint are set)."""
        code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""
        target, endpoint = self.settings
        if code == "NoSuchBucket":
            return f"there is no bucket {self.bucket!r} at {self.endpoint}: check {target} and {endpoint}"
        if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
            return (f"{self.endpoint} refused access to bucket {self.bucket!r} ({code}): check the credentials "
                    f"(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and {target}")
        if isinstance(exc, EndpointConnectionError):
            return f"could not connect to {self.endpoint}: check {endpoint}, and that the store is up"
        return f"{exc} (check {target}, {endpoint} and the credentials)"

    def _within(self, request, extra: float = 0.0):
        """request()'s result, or a DeployError once it took longer than the timeout (plus `extra` seconds)."""
        seconds = self.timeout + extra
        try:
            return call_within(seconds, request, "zaitun-s3")
        except Overdue:
            raise DeployError(f"{self.target}: {self.endpoint} gave no complete answer within {round(seconds, 1):g} s "
                              "(publish.timeout); nothing more was sent, and the next deploy goes on from "
                              "there") from None

    def _listing(self) -> dict[str, str]:
        """Key -> ETag (without quotes) of every object under the prefix, listed once per deploy."""
        if self._remote is None:
            self._remote = {}
            pages = iter(self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix))
            while (page := self._within(lambda: next(pages, None))) is not None:
                for obj in page.get("Contents", []):
                    self._remote[obj["Key"]] = obj["ETag"].strip('"')
        return self._remote

    def read_record(self) -> bytes | None:
        try:
            return self._within(lambda: self.client.get_object(
                Bucket=self.bucket, Key=self.prefix + DEPLOY_MANIFEST)["Body"].read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def exists(self, name: str) -> bool:
        return self.prefix + name in self._listing()

    def same(self, path: Path, name: str) -> bool:
        key, remote = self.prefix + name, self._listing()
        return key in remote and (remote[key] == digest(path, "md5") or self._metadata_sha(key) == digest(path))

    def put(self, path: Path, name: str) -> None:
        data = path.read_bytes()
        headers = object_headers(name, data)  # a redirect page: S3's website endpoint redirects at once too
        sha = digest(path)
        self._within(lambda: self.client.put_object(
            Bucket=self.bucket, Key=self.prefix + name, Body=data, Metadata={"zaitun-sha256": sha}, **headers),
            len(data) / UPLOAD_RATE)

    def _metadata_sha(self, key: str) -> str:
        head = self._within(lambda: self.client.head_object(Bucket=self.bucket, Key=key))
        return head.get("Metadata", {}).get("zaitun-sha256", "")

    def remove(self, names: list[str]) -> dict[str, str]:
        """S3 answers a batch delete 200 and lists each key it kept (a policy denying one, say) among its
        Errors: those names, with S3's reason, stay in the record and are tried again by the next deploy."""
        kept: dict[str, str] = {}
        keys = [self.prefix + name for name in names]
        for i in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[i:i + 1000]]
            answer = self._within(lambda batch=batch: self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}))
            for error in answer.get("Errors", []):
                why = " ".join(filter(None, (error.get("Code"), error.get("Message")))) or "no reason given"
                kept[error.get("Key", "").removeprefix(self.prefix)] = why
        return kept

    def sweep(self, names: set[str]) -> list[str]:
        """Nothing to sweep: an object is put whole or not at all, never under a temporary name."""
        return []

    def write_record(self, data: bytes) -> None:
        self._within(lambda: self.client.put_object(Bucket=self.bucket, Key=self.prefix + DEPLOY_MANIFEST, Body=data,
                                                    ContentType="application/json", CacheControl="no-store"))
