"""Tell a WebSub hub that the feeds changed, so subscribers get new entries at once."""

from __future__ import annotations

import time
from pathlib import Path

from zaitun.bounded import Overdue, call_within
from zaitun.errors import PublishError
from zaitun.publish import layout


def feed_urls(site_dir: Path, urls: layout.Urls) -> list[str]:
    """Absolute URLs of every feed in a built site."""
    names = set(layout.FEED_FILES.values())
    return sorted(urls.absolute(p.relative_to(site_dir).as_posix()) for p in site_dir.rglob("*.xml")
                  if p.name in names)


def announce(config, site_dir: Path) -> int:
    """Ping the configured hub (`publish.websub_hub`) for every feed of the site; return how many (0: no hub)."""
    hub = config.get("publish.websub_hub")
    if not hub:
        return 0
    topics = feed_urls(site_dir, layout.Urls(config.get("site.base_url")))
    ping(hub, topics, timeout=config.get("publish.timeout"))
    return len(topics)


def ping(hub: str, topics: list[str], timeout: float = 60.0, retries: int = 3, backoff: float = 0.5) -> None:
    """POST hub.mode=publish for the topics; retried on network errors and 5xx, then PublishError. Given up
    after `timeout` seconds with its retries, however slowly the hub answers: the publish pass goes on."""
    try:
        call_within(timeout, lambda: _ping(hub, topics, min(10.0, timeout), retries, backoff), "zaitun-websub")
    except Overdue:
        raise PublishError(f"WebSub hub {hub} gave no complete answer within {timeout:g} s (publish.timeout); "
                           "check publish.websub_hub") from None


def _ping(hub: str, topics: list[str], timeout: float, retries: int, backoff: float) -> None:
    import httpx  # only when a hub is set: a tenth of a second of every rebuild's start-up otherwise

    data = {"hub.mode": "publish", "hub.url": topics}
    problem = ""
    for attempt in range(retries):
        try:
            response = httpx.post(hub, data=data, timeout=timeout)
        except httpx.TransportError as exc:
            problem = str(exc) or type(exc).__name__
        else:
            if response.status_code < 300:
                return
            problem = f"HTTP {response.status_code}"
            if response.status_code < 500:
                break
        if attempt < retries - 1:
            time.sleep(backoff * 2 ** attempt)
    raise PublishError(f"WebSub hub {hub} did not accept the ping ({problem}); check publish.websub_hub")
