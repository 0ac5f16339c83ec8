"""Post the outbox's Mastodon posts over the HTTP API: dry-run by default, never twice.

A post's outbox id is sent as the `Idempotency-Key` header and recorded as sent in the
state folder right after the server accepts it, so a retry or a second run never duplicates it. A post
whose page is not in the site online (publish/: withdrawn, or rolled back past; and with publish.s3_target,
the bucket: not deployed yet) is held, never sent.

The record is kept twice: in .zaitun/social.json and, beside the posts, in the outbox's sent/ folder. A
social.json restored from a backup older than the outbox (or deleted) lacks the posts sent since; the outbox
still marks them, so they are recorded again, said so, and not sent twice (a server keeps an
Idempotency-Key for an hour or so, not for good).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from zaitun import statefiles
from zaitun.bounded import Overdue, call_within
from zaitun.errors import DeployError, PublishError, StateUnreadable
from zaitun.project import Project
from zaitun.publish.social import load_state, outbox_posts, page_file, save_state

RETRIES = 3
TIMEOUT = 10.0
TRANSIENT = {429, 500, 502, 503, 504}
SENT_DIR = "sent"  # in the outbox: <post id>.json, the record of each post sent, as social.json keeps it


@dataclass
class PostReport:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    would_send: list[str] = field(default_factory=list)  # dry run
    failed: dict[str, str] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)  # their pages are not in the site online
    lapsed: dict[str, str] = field(default_factory=dict)  # their documents expired since queued: id -> valid_until
    recorded_again: list[str] = field(default_factory=list)  # sent, marked in the outbox, not in social.json

    def summary(self) -> str:
        return (f"mastodon: sent {len(self.sent)}, already sent {len(self.already_sent)}, "
                f"would send {len(self.would_send)}, failed {len(self.failed)}"
                + (f", held {len(self.held)} (page not online)" if self.held else "")
                + (f", held {len(self.lapsed)} (document expired)" if self.lapsed else ""))


def post_outbox(project: Project, outbox: Path, instance: str, token: str, send: bool = False,
                retries: int = RETRIES, timeout: float = TIMEOUT, backoff: float = 0.5,
                today: dt.date | None = None) -> PostReport:
    """Send unsent Mastodon posts from the outbox (only when `send`; otherwise report them). A post of a document
    past its valid_until today is held: the build queued it while the rule was in force, and the next build takes
    it out of the outbox (a `social post` run before that build must not announce a rule that lapsed)."""
    if send and not (instance and token):
        raise PublishError("set social.mastodon_url and social.mastodon_token (or MASTODON_TOKEN) to post")
    report = PostReport()
    state = load_state(project)
    sent = state.setdefault("sent", {})
    missing = {post_id: record for post_id, record in _marked(outbox).items() if post_id not in sent}
    if missing:  # social.json is older than the outbox: restored from a backup, or deleted
        sent.update(missing)
        save_state(project, state)
        report.recorded_again = sorted(missing)
    deployed, down = deployed_check(project), ""
    lapsed = _lapsed(project, today or project.today())
    with httpx.Client(base_url=instance.rstrip("/"), timeout=timeout,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        for post in outbox_posts(outbox, "mastodon"):
            if post["id"] in sent:
                report.already_sent.append(post["id"])
            elif post["slug"] in lapsed:
                report.lapsed[post["id"]] = lapsed[post["slug"]]
            elif not online(project, post["url"], deployed):
                report.held.append(post["id"])
            elif not send:
                report.would_send.append(post["id"])
            elif down:  # the server did not take the last one: the rest wait for the next run, not a timeout each
                report.failed[post["id"]] = f"not tried: {down}"
            else:
                down = _send_one(client, post, retries, backoff, timeout, report, sent)
                save_state(project, state)
                if post["id"] in sent:
                    _mark(outbox, post["id"], sent[post["id"]])
    return report


def _lapsed(project: Project, today: dt.date) -> dict[str, str]:
    """The documents the build online shows (in either language) with a valid_until before today: slug -> that
    date. Read from its manifest's records of documents, as the build that queued their posts wrote them."""
    from zaitun.publish.output import current, read_manifest

    found = {}
    for slug, record in read_manifest(current(project.publish_dir))[0].get("docs", {}).items():
        for meta in (record.get("meta") or {}, (record.get("en") or {}).get("meta") or {}):
            until = meta.get("valid_until")
            try:
                if until and dt.date.fromisoformat(str(until)) < today:
                    found[slug] = str(until)
                    break
            except ValueError:  # written by the build: a date, or no record to go by
                continue
    return found


def _marked(outbox: Path) -> dict[str, dict]:
    """The posts the outbox marks as sent (SENT_DIR), with their records. A mark that does not read is not
    taken for none: its post could go out twice."""
    folder = outbox / SENT_DIR
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith(".json"))
    except FileNotFoundError:
        return {}
    marked = {}
    for name in names:
        try:
            found = statefiles.read(folder / name, lambda value: isinstance(value, dict))
        except StateUnreadable as exc:
            raise PublishError(f"{exc}: it marks a Mastodon post as sent, so none is sent until it reads; "
                               "delete it only if that post was never sent") from None
        if found is not None:
            marked[name.removesuffix(".json")] = found[0]
    return marked


def _mark(outbox: Path, post_id: str, record: dict) -> None:
    (outbox / SENT_DIR).mkdir(exist_ok=True)
    statefiles.write(outbox / SENT_DIR / f"{post_id}.json", record)


def online(project: Project, url: str, deployed: Callable[[str], bool] | None = None) -> bool:
    """Whether the page a post links to is in the site online: a post never links a page that is gone, or not
    there yet. With publish.s3_target set, the site online is the bucket (`deployed`: whether a file is there)."""
    name = page_file(project, url)
    return bool(name) and (project.publish_dir / name).is_file() and (deployed is None or deployed(name))


def deployed_check(project: Project) -> Callable[[str], bool] | None:
    """Whether a file of the site is at publish.s3_target (listed once, when first asked); None without a target.
    A target that cannot be listed sends nothing: the pages might not be there."""
    from botocore.exceptions import BotoCoreError, ClientError

    from zaitun.publish.sinks import configured_sink

    sink = configured_sink(project.config)
    if sink is None:
        return None

    def there(name: str) -> bool:
        try:
            return sink.exists(name)
        except (DeployError, BotoCoreError, ClientError) as exc:
            raise PublishError(f"{sink.target}: could not see which pages are online there ({exc}); nothing is "
                               "posted until it answers") from None
    return there


def _status_of(response: httpx.Response, post: dict) -> dict:
    """The status the server made of a post; a user's error for an answer that is none (the URL is no
    Mastodon's: a web site answering any address with a page)."""
    try:
        status = response.json()
    except ValueError:
        status = None
    if not isinstance(status, dict) or "id" not in status:
        raise PublishError(f"{response.url} answered {post['id']} with no Mastodon status (HTTP "
                           f"{response.status_code}, {response.headers.get('content-type', 'no type')}): check "
                           "social.mastodon_url")
    return status


class ServerDown(PublishError):
    """The server did not take a post after every try (no answer, or busy): the next posts are not tried."""


def _send_one(client: httpx.Client, post: dict, retries: int, backoff: float, timeout: float, report: PostReport,
              sent: dict) -> str:
    """Send one post and record it; why the server is down ("" when it answered)."""
    try:
        status = _post_status(client, post, retries, backoff, timeout)
    except (httpx.HTTPError, PublishError) as exc:
        report.failed[post["id"]] = str(exc)
        return str(exc) if isinstance(exc, ServerDown) else ""
    sent[post["id"]] = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        "remote_id": str(status.get("id", "")), "url": status.get("url", "")}
    report.sent.append(post["id"])
    return ""


def _post_status(client: httpx.Client, post: dict, retries: int, backoff: float, timeout: float) -> dict:
    data = {"status": post["text"], "language": post["lang"], "visibility": "public"}
    headers = {"Idempotency-Key": post["id"]}
    for attempt in range(retries):
        last = attempt == retries - 1
        try:  # a socket timeout bounds each read, not a server answering a byte at a time
            response = call_within(timeout, lambda: client.post("/api/v1/statuses", data=data, headers=headers),
                                   "zaitun-mastodon")
        except Overdue:
            if last:
                raise ServerDown(f"mastodon gave no complete answer for {post['id']} within {timeout:g} s, "
                                 f"{retries} times") from None
        except httpx.TransportError as exc:
            if last:
                raise ServerDown(f"mastodon could not be reached for {post['id']}: {exc or type(exc).__name__}, "
                                 f"{retries} times") from None
        else:
            if response.status_code < 300:
                return _status_of(response, post)
            if response.status_code not in TRANSIENT or last:
                refused = ServerDown if response.status_code in TRANSIENT else PublishError
                raise refused(f"mastodon refused {post['id']}: HTTP {response.status_code} {response.text[:200]}")
        time.sleep(backoff * 2 ** attempt)
    raise PublishError(f"mastodon: gave up on {post['id']}")  # pragma: no cover - loop always returns or raises
