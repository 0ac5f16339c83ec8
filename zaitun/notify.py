"""Tell people what happened, through Apprise (email, WeCom, DingTalk, Slack, Telegram, ntfy...).

Each event has its list of Apprise URLs in zaitun.toml (`notify.approved = ["mailto://..."]`).
A delivery is tried a bounded number of times with a socket timeout; failures are logged and
never raised, so a dead mail server cannot stop the pipeline.
"""

from __future__ import annotations

import logging
import time
import warnings
from functools import lru_cache

from zaitun.project import Project

log = logging.getLogger(__name__)

EVENTS = ("ready_for_review", "approved", "published", "failure", "expiring")


class Notifier:
    """Sends one message per event to every URL configured for it."""

    def __init__(self, project: Project, attempts: int = 3, timeout: float = 10.0, backoff: float = 0.5):
        self.project = project
        self.attempts = max(1, attempts)
        self.timeout = timeout
        self.backoff = backoff

    def urls(self, event: str) -> list[str]:
        if event not in EVENTS:
            log.error("unknown notification event %r (known: %s)", event, ", ".join(EVENTS))
            return []
        return [str(u) for u in self.project.config.get(f"notify.{event}") or []]

    def notify(self, event: str, title: str, body: str) -> bool:
        """Deliver to every URL of `event`; True when all deliveries succeeded (or none is configured)."""
        results = [self._deliver(url, title, body) for url in self.urls(event)]
        return all(results)

    def _deliver(self, url: str, title: str, body: str) -> bool:
        try:
            plugin = _apprise().Apprise.instantiate(url, suppress_exceptions=True)
        except Exception:  # a malformed URL is a configuration problem, not a crash
            plugin = None
        if not plugin:
            log.error("notification URL not understood by Apprise: %s", _redact(url))
            return False
        self._bound_timeouts(plugin)
        for attempt in range(1, self.attempts + 1):
            try:
                if plugin.notify(body=body, title=title):
                    return True
            except Exception:
                log.warning("notification to %s raised", _redact(url), exc_info=True)
            log.warning("notification to %s failed (attempt %d of %d)", _redact(url), attempt, self.attempts)
            if attempt < self.attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        log.error("gave up notifying %s: %s", _redact(url), title)
        return False

    def _bound_timeouts(self, plugin) -> None:
        plugin.request_rate_per_sec = 0  # our own backoff spaces the attempts (Apprise's throttle waits 5 s)
        for name in ("socket_connect_timeout", "socket_read_timeout"):
            value = getattr(plugin, name, None)
            if value is None or value > self.timeout:
                setattr(plugin, name, self.timeout)


@lru_cache(maxsize=1)
def _apprise():
    """Apprise, loaded for a delivery only: 40 ms of start-up that a pass with nobody to tell need not pay."""
    import apprise

    with warnings.catch_warnings():  # Apprise's mail support imports the deprecated imghdr (via PGPy)
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise.utils.pgp  # noqa: F401
    return apprise


def _redact(url: str) -> str:
    """The URL without its credentials and query, for logs."""
    scheme, sep, rest = url.split("?", 1)[0].partition("://")
    host = rest.split("/", 1)[0]
    if "@" in host:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}{sep}{rest}"
