"""Post the outbox's Mastodon posts over the HTTP API: dry-run by default, never twice.

A post's outbox id is sent as the `Idempotency-Key` header and recorded as sent in the
state folder right after the server accepts it, so a retry or a second run never duplicates it. A post
whose page is not in the site online (publish/: withdrawn, or rolled back past) is held, never sent.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from zaitun.errors import PublishError
from zaitun.project import Project
from zaitun.publish import layout
from zaitun.publish.social import load_state, outbox_posts, save_state

RETRIES = 3
TIMEOUT = 10.0
TRANSIENT = {429, 500, 502, 503, 504}


@dataclass
class PostReport:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    would_send: list[str] = field(default_factory=list)  # dry run
    failed: dict[str, str] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)  # their pages are not in the site online

    def summary(self) -> str:
        return (f"mastodon: sent {len(self.sent)}, already sent {len(self.already_sent)}, "
                f"would send {len(self.would_send)}, failed {len(self.failed)}"
                + (f", held {len(self.held)} (page not online)" if self.held else ""))


def post_outbox(project: Project, outbox: Path, instance: str, token: str, send: bool = False,
                retries: int = RETRIES, timeout: float = TIMEOUT, backoff: float = 0.5) -> PostReport:
    """Send unsent Mastodon posts from the outbox (only when `send`; otherwise report them)."""
    if send and not (instance and token):
        raise PublishError("set social.mastodon_url and social.mastodon_token (or MASTODON_TOKEN) to post")
    report = PostReport()
    state = load_state(project)
    sent = state.setdefault("sent", {})
    with httpx.Client(base_url=instance.rstrip("/"), timeout=timeout,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        for post in outbox_posts(outbox, "mastodon"):
            if post["id"] in sent:
                report.already_sent.append(post["id"])
            elif not online(project, post["url"]):
                report.held.append(post["id"])
            elif not send:
                report.would_send.append(post["id"])
            else:
                _send_one(client, post, retries, backoff, report, sent)
                save_state(project, state)
    return report


def online(project: Project, url: str) -> bool:
    """Whether the page a post links to is in the site online: a post never links a page that is gone."""
    path = layout.Urls(project.config.get("site.base_url")).path_of(url)
    return path is not None and (project.publish_dir / layout.file_of(path)).is_file()


def _send_one(client: httpx.Client, post: dict, retries: int, backoff: float, report: PostReport,
              sent: dict) -> None:
    try:
        status = _post_status(client, post, retries, backoff)
    except (httpx.HTTPError, PublishError) as exc:
        report.failed[post["id"]] = str(exc)
        return
    sent[post["id"]] = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        "remote_id": str(status.get("id", "")), "url": status.get("url", "")}
    report.sent.append(post["id"])


def _post_status(client: httpx.Client, post: dict, retries: int, backoff: float) -> dict:
    data = {"status": post["text"], "language": post["lang"], "visibility": "public"}
    headers = {"Idempotency-Key": post["id"]}
    for attempt in range(retries):
        last = attempt == retries - 1
        try:
            response = client.post("/api/v1/statuses", data=data, headers=headers)
        except httpx.TransportError:
            if last:
                raise
        else:
            if response.status_code < 300:
                return response.json()
            if response.status_code not in TRANSIENT or last:
                raise PublishError(f"mastodon refused {post['id']}: HTTP {response.status_code} "
                                   f"{response.text[:200]}")
        time.sleep(backoff * 2 ** attempt)
    raise PublishError(f"mastodon: gave up on {post['id']}")  # pragma: no cover - loop always returns or raises
