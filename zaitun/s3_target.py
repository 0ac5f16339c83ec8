"""An S3 target as zaitun.toml and `zaitun deploy --to` give it, read without boto3: `zaitun check` reads it too."""

from __future__ import annotations

from urllib.parse import urlsplit

from zaitun.errors import DeployError


def parse_target(target: str, whole_bucket: bool = True) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix/"). A target without a prefix (the whole bucket) is
    refused unless `whole_bucket` (--force, publish.s3_bucket_root): it shares the bucket with whatever else is
    in it."""
    parts = urlsplit(target)
    if parts.scheme != "s3" or not parts.netloc:
        raise DeployError(f"bad S3 target {target!r}: use s3://bucket/prefix")
    prefix = parts.path.strip("/")
    if any(step in (".", "..", "") for step in prefix.split("/")) and prefix:  # keys no browser or CDN asks for
        raise DeployError(f"bad S3 target {target!r}: its prefix holds '.', '..' or '//', which browsers and CDNs "
                          "take out of a URL, so no page written under it could be served; write the prefix plainly")
    if parts.query or parts.fragment:
        raise DeployError(f"bad S3 target {target!r}: an S3 target has no '?' or '#' part")
    if not prefix and not whole_bucket:
        raise DeployError(f"{target} has no prefix: a deploy would share the whole bucket with whatever else "
                          f"is in it; use s3://{parts.netloc}/PREFIX, or pass --force (publish.s3_bucket_root) "
                          f"if the site really is the whole bucket")
    return parts.netloc, prefix + "/" if prefix else ""
