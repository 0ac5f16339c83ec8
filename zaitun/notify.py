"""Tell people what happened, through Apprise (email, WeCom, DingTalk, Slack, Telegram, ntfy...).

Each event has its list of Apprise URLs in zaitun.toml (`notify.approved = ["mailto://..."]`).
A message is put in the outbox (.zaitun/notify-outbox.json) and delivered from there, a bounded
number of attempts with a socket timeout; what a receiver does not take stays there, is tried
again on the next pass (and shown by `zaitun status`), and is never raised, so a dead mail server
neither stops the pipeline nor loses the message. A receiver that failed is left alone for
`PAUSE` seconds: the messages of a pass queue behind its first failure instead of each waiting
out its timeout. No URL is written to the outbox or a log: they hold tokens and passwords.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from zaitun import statefiles
from zaitun.bounded import Overdue, call_within
from zaitun.errors import StateUnreadable
from zaitun.project import Project

log = logging.getLogger(__name__)

EVENTS = ("ready_for_review", "approved", "published", "failure", "expiring")
OUTBOX = "notify-outbox.json"
PAUSE = 60.0  # seconds a receiver that failed is not tried again
KEEP = 100  # messages kept per receiver that does not take them; older ones are dropped (logged)


class Notifier:
    """Sends one message per event to every URL configured for it, through the outbox."""

    def __init__(self, project: Project, attempts: int = 3, timeout: float = 10.0, backoff: float = 0.5,
                 pause: float | None = None):
        self.project = project
        self.attempts = max(1, attempts)
        self.timeout = timeout
        self.backoff = backoff
        self.pause = PAUSE if pause is None else pause

    def urls(self, event: str) -> list[str]:
        if event not in EVENTS:
            log.error("unknown notification event %r (known: %s)", event, ", ".join(EVENTS))
            return []
        return [str(u) for u in self.project.config.get(f"notify.{event}") or []]

    def notify(self, event: str, title: str, body: str, only: set[str] | None = None) -> bool:
        """Send to every URL of `event` (or those whose `key` is in `only`); True when all took it now (or none is
        configured), False when some message waits in the outbox for the next pass (or a URL is not understood)."""
        configured = [url for url in self.urls(event) if only is None or key(url) in only]
        if not configured:
            return True
        urls = [url for url in configured if _plugin(url, event)]
        with self._outbox() as box:
            for url in urls:
                box.add(event, key(url), title, body)
            self._send(box, {key(url) for url in urls})
            return len(urls) == len(configured) and not any(box.waiting(key(url)) for url in urls)

    def retry(self) -> int:
        """Deliver what waits in the outbox (receivers that failed in the last `pause` seconds excepted);
        the number still waiting."""
        with self._outbox() as box:
            self._send(box, None)
            return len(box.entries)

    def _send(self, box: Outbox, keys: set[str] | None) -> None:
        for url_key in dict.fromkeys(e["key"] for e in box.entries):
            if (keys is None or url_key in keys) and not box.paused(url_key, self.pause):
                self._send_to(box, url_key)

    def _send_to(self, box: Outbox, url_key: str) -> None:
        """The receiver's messages, oldest first, until one is not taken (the rest keep their order)."""
        for entry in box.of(url_key):
            url = next((u for u in self.urls(entry["event"]) if key(u) == url_key), None)
            if url is None:  # no longer configured: nobody to send it to
                log.warning("a waiting %s notification is dropped: its URL was removed from notify.%s (%s)",
                            entry["event"], entry["event"], entry["title"])
                box.remove(entry)
            elif self._deliver(url, entry["title"], entry["body"]):
                box.remove(entry)
            else:
                box.failed(url_key)
                return

    def _deliver(self, url: str, title: str, body: str) -> bool:
        plugin = _plugin(url, "")
        if not plugin:
            return False
        self._bound_timeouts(plugin)
        sender = _apprise().Apprise()
        sender.add(plugin)
        for attempt in range(1, self.attempts + 1):
            if self._attempt(sender, url, title, body):
                return True
            log.warning("notification to %s failed (attempt %d of %d)", shown(url), attempt, self.attempts)
            if attempt < self.attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        log.error("gave up notifying %s for now (kept in the outbox, tried again on the next pass): %s",
                  shown(url), title)
        return False

    def _attempt(self, sender, url: str, title: str, body: str) -> bool:
        """One try, given up after twice the timeout however the receiver answers (zaitun.bounded)."""
        def send() -> bool:  # a plain-text body: Apprise escapes it for an HTML mail and keeps its lines
            return sender.notify(body=body, title=title, body_format=_apprise().NotifyFormat.TEXT)

        try:
            return bool(call_within(2 * self.timeout, send, "notify"))
        except Overdue:
            log.warning("notification to %s: no complete answer within %g s", shown(url), 2 * self.timeout)
        except Exception as exc:
            log.warning("notification to %s raised %s", shown(url), type(exc).__name__)
        return False

    def _bound_timeouts(self, plugin) -> None:
        plugin.request_rate_per_sec = 0  # our own backoff spaces the attempts (Apprise's throttle waits 5 s)
        for name in ("socket_connect_timeout", "socket_read_timeout"):
            value = getattr(plugin, name, None)
            if value is None or value > self.timeout:
                setattr(plugin, name, self.timeout)

    @contextmanager
    def _outbox(self) -> Iterator[Outbox]:
        """The outbox, held (flock) while it is read, sent from and written: a message goes out once. One that
        does not read is set aside, kept with what waited in it, and a new one begun."""
        path = self.project.state_dir / OUTBOX
        with open(path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                box, writable = Outbox.read(path), True
            except StateUnreadable as exc:
                box, writable = Outbox([], {}), self._set_aside(exc)
            try:
                yield box
            finally:
                if writable:
                    box.write(path)
                else:
                    box.lost(path, "it does not read and could not be moved aside")

    def _set_aside(self, unreadable: StateUnreadable) -> bool:
        """Set the outbox that did not read aside; False when it stays in place (not to be written over)."""
        try:
            statefiles.set_aside(self.project, unreadable, UNSENT)
        except StateUnreadable as exc:
            log.error("%s", exc)
            return False
        return True


class Outbox:
    """Messages not delivered yet, oldest first, each under the key of its URL (never the URL)."""

    def __init__(self, entries: list[dict], last_failure: dict[str, float]):
        self.entries = entries
        self.last_failure = last_failure
        self.changed = False
        self.added: list[dict] = []  # what this pass put in

    @classmethod
    def read(cls, path) -> Outbox:
        """The outbox at `path` (none: empty); raises StateUnreadable when it does not read."""
        found = statefiles.read(path, _is_outbox)
        return cls(found[0]["entries"], found[0]["last_failure"]) if found else cls([], {})

    def write(self, path) -> None:
        if not self.changed:
            return
        temp = path.with_suffix(".tmp")
        try:
            temp.write_text(json.dumps({"entries": self.entries, "last_failure": self.last_failure},
                                       ensure_ascii=False, indent=1), encoding="utf-8")
            temp.replace(path)
        except OSError as exc:  # the disk full: the outbox as it was stays; say what is lost, in a line
            with contextlib.suppress(OSError):
                temp.unlink()
            self.lost(path, f"{exc.strerror or exc}: it holds what it held before")

    def lost(self, path, why: str) -> None:
        """Say, in a line, which messages of this pass are not kept for the next: `path` could not be written."""
        lost = "; ".join(dict.fromkeys(e["title"] for e in self.entries if e in self.added)) or "none"
        log.error("could not write %s (%s); not kept for the next pass: %s", path, why, lost)

    def add(self, event: str, url_key: str, title: str, body: str) -> None:
        self.entries.append({"event": event, "key": url_key, "title": title, "body": body,
                             "since": time.time()})
        self.added.append(self.entries[-1])
        mine = self.of(url_key)
        for old in mine[:-KEEP]:
            log.error("a %s notification waited too long and is dropped: %s", old["event"], old["title"])
            self.entries.remove(old)
        self.changed = True

    def of(self, url_key: str) -> list[dict]:
        return [e for e in self.entries if e["key"] == url_key]

    def waiting(self, url_key: str) -> bool:
        return any(e["key"] == url_key for e in self.entries)

    def paused(self, url_key: str, pause: float) -> bool:
        return time.time() - self.last_failure.get(url_key, 0.0) < pause

    def remove(self, entry: dict) -> None:
        self.entries.remove(entry)
        self.last_failure.pop(entry["key"], None)
        self.changed = True

    def failed(self, url_key: str) -> None:
        self.last_failure[url_key] = time.time()
        self.changed = True


def _is_outbox(value: object) -> bool:
    """What the outbox holds as zaitun writes it: every message with its receiver's key, title, body and time."""
    if not isinstance(value, dict) or not isinstance(value.get("entries"), list):
        return False
    fields = {"event": str, "key": str, "title": str, "body": str, "since": (int, float)}
    failures = value.get("last_failure")
    return isinstance(failures, dict) and all(isinstance(t, (int, float)) for t in failures.values()) and all(
        isinstance(e, dict) and all(isinstance(e.get(name), kind) for name, kind in fields.items())
        for e in value["entries"])


UNSENT = ("the notifications that waited in it for a receiver are not sent from it: read them there and pass them "
          "on; new ones wait in a new outbox")


def waiting(project: Project) -> list[str]:
    """What `zaitun status` shows of notifications: a line per receiver with messages waiting in the outbox,
    and a line per configured URL Apprise does not understand."""
    lines = []
    try:
        box = Outbox.read(project.state_dir / OUTBOX)
    except StateUnreadable as exc:
        box = Outbox([], {})
        lines.append(f"{exc}: the notifications waiting in it are not sent; the next pass sets it aside "
                     "(kept in .zaitun/unreadable/) and begins a new one")
    places = _places(Notifier(project))
    for url_key in dict.fromkeys(e["key"] for e in box.entries):
        mine = box.of(url_key)
        since = f"{dt.datetime.fromtimestamp(mine[0]['since'], project.zone):%Y-%m-%d %H:%M}"
        if url_key in places:
            lines.append(f"{len(mine)} notification(s) wait since {since} for {places[url_key]}, which did not take "
                         "them: tried again on the next pass")
        else:  # _send_to drops them: there is nobody to send them to
            lines.append(f"{len(mine)} notification(s) wait since {since} for a URL since removed from zaitun.toml: "
                         "dropped on the next pass, with nobody to send them to")
    for place in places.values():
        if place.endswith("not understood by Apprise)"):
            lines.append(f"{place}: fix it in zaitun.toml (see https://github.com/caronc/apprise/wiki)")
    return lines


def _places(notifier: Notifier) -> dict[str, str]:
    """Each configured URL's key -> where it is set, as `notify.failure URL 2 (json://host:port)`."""
    places: dict[str, str] = {}
    for event in EVENTS:
        for n, url in enumerate(notifier.urls(event), 1):
            what = shown(url) if _plugin(url, "") else f"{scheme(url)}, not understood by Apprise"
            places.setdefault(key(url), f"notify.{event} URL {n} ({what})")
    return places


def not_understood(urls: list[str]) -> list[tuple[int, str]]:
    """(position from 1, scheme) of each URL Apprise has no plugin for."""
    return [(n, scheme(str(url))) for n, url in enumerate(urls, 1) if not _plugin(str(url), "")]


def key(url: str) -> str:
    """What the outbox knows a URL by: a digest, so no token or password lands on disk."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def shown(url: str) -> str:
    """The URL as logs and `zaitun status` show it: scheme, host and port of Apprise's private form (where the
    host is a token, as Telegram's, it is shortened), without user name, path or query (a webhook's path or
    header may be its key)."""
    plugin = _plugin(url, "")
    if not plugin:
        return scheme(url)
    private = plugin.url(privacy=True)
    host = private.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0]
    return scheme(private) + host.rpartition("@")[2]


def scheme(url: str) -> str:
    return url.split("://", 1)[0] + "://" if "://" in url else "(no scheme)"


def _plugin(url: str, event: str):
    """Apprise's plugin for the URL, or None (logged when `event` names the setting it is in)."""
    try:
        plugin = _apprise().Apprise.instantiate(url, suppress_exceptions=True)
    except Exception:  # a malformed URL is a configuration problem, not a crash
        plugin = None
    if not plugin and event:
        log.error("a URL of notify.%s is not understood by Apprise (%s): fix it in zaitun.toml", event, scheme(url))
    return plugin or None


@lru_cache(maxsize=1)
def _apprise():
    """Apprise, loaded for a delivery only: 40 ms of start-up that a pass with nobody to tell need not pay."""
    import apprise

    with warnings.catch_warnings():  # Apprise's mail support imports the deprecated imghdr (via PGPy)
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise.utils.pgp  # noqa: F401
    return apprise
