"""Project settings: declared once, each with its default and a line of help.

`zaitun.toml` overrides the defaults; `SETTINGS` is the single table the loader, the
validator, `zaitun init` and the documentation all read.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zaitun.errors import ConfigError, ZaitunError, together, utf8_text

LANGUAGES = {"zh": "zh-Hans", "en": "en"}  # our codes -> BCP 47 tags used on pages


@dataclass(frozen=True)
class Setting:
    name: str  # dotted: table.key
    default: Any
    help: str
    env: str = ""  # environment variable read when zaitun.toml leaves it empty (lists: space-separated)
    secret: bool = False  # masked by `zaitun config` unless --show-secrets


SETTINGS: tuple[Setting, ...] = (
    Setting("site.title.zh", "泉州市政府信息（双语）", "Site title on Chinese pages."),
    Setting("site.title.en", "Quanzhou Government Information", "Site title on English pages."),
    Setting("site.base_url", "http://127.0.0.1:8000", "Public URL of the site (feeds, sitemap, canonical links)."),
    Setting("site.expiry_warning_days", 60, "Warn this many days before a document's valid_until."),
    Setting("site.timezone", "Asia/Shanghai", "Time zone whose calendar says what day it is: a document valid "
                                              "until 31 December has expired at midnight there, and every date "
                                              "and time shown (approved on, sitemap, feeds, social limit, "
                                              "status, names of files set aside in .zaitun/) is its, "
                                              "whatever the server's clock."),
    Setting("site.page_size", 20, "Documents per page on section, programme and tag pages."),
    Setting("translate.provider", "offline", "Translation engine: offline, libre, google, deepl, microsoft, ..."),
    Setting("translate.provider_url", "", "Base URL for self-hosted providers (LibreTranslate)."),
    Setting("translate.api_key", "", "API key for the provider (or set e.g. DEEPL_API_KEY in the environment).",
            secret=True),
    Setting("translate.timeout", 10.0, "Seconds before one engine call is abandoned."),
    Setting("translate.retries", 3, "Attempts per engine call, with exponential backoff."),
    Setting("translate.batch_size", 20, "Segments sent to the engine per call."),
    Setting("translate.max_chars", 0, "Most characters sent to the engine in one request (a LibreTranslate "
            "server's --char-limit); a longer segment is sent in pieces cut at sentence and clause ends "
            "(0: the provider's own limit, none for libre)."),
    Setting("translate.concurrency", 1, "Batches of documents one engine translates at once, across all "
                                        "Prefect workers (the limit zaitun-engine-<provider>, made if missing)."),
    Setting("translate.fuzzy_threshold", 70, "Lowest similarity (percent) of a memory entry suggested for a "
            "segment or repaired into its draft."),
    Setting("review.auto_approve_memory", True, "Approve drafts that exactly match approved translation memory."),
    Setting("review.database_url", "", "SQLAlchemy URL of the store; empty means SQLite in .zaitun/state.db.",
            env="ZAITUN_DATABASE_URL", secret=True),
    Setting("review.secret_key", "", "Secret for session cookies; empty means one kept in .zaitun/secret.",
            env="ZAITUN_SECRET_KEY", secret=True),
    Setting("review.host", "127.0.0.1", "Address the review UI listens on."),
    Setting("review.port", 8400, "Port of the review UI."),
    Setting("review.url", "", "Address reviewers open the review UI at, linked in notifications (empty: "
            "http://review.host:review.port)."),
    Setting("review.session_idle_minutes", 60, "A review UI session ends after this many minutes unused."),
    Setting("review.session_lifetime_hours", 12, "A review UI session ends this many hours after login, used or not."),
    Setting("review.trusted_proxies", [], "Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed."),
    Setting("publish.output_dir", "publish", "Folder the static site is built into: one of its own, as a build "
            "replaces it (never content/, .zaitun/ or the project folder)."),
    Setting("publish.keep_versions", 3, "Earlier builds kept beside the one online, for `zaitun rollback`."),
    Setting("publish.fsync", True, "Flush each build's new files to disk before it goes online, so a power cut "
            "cannot leave publish/ pointing at files never written (off: faster builds, on disks you can lose)."),
    Setting("publish.s3_target", "", "Deploy target, e.g. s3://bucket/prefix (empty: no S3 deploy)."),
    Setting("publish.s3_bucket_root", False, "Let publish.s3_target be a whole bucket (no prefix); otherwise "
            "refused unless --force."),
    Setting("publish.s3_endpoint_url", "", "S3-compatible endpoint (MinIO, Ceph, R2); empty for AWS."),
    Setting("publish.timeout", 60.0, "Seconds one S3 request or WebSub ping may take, with its retries, before the "
            "publish gives up on it (an S3 upload gets a second more per 256 KB)."),
    Setting("publish.websub_hub", "",
            "WebSub hub named in every feed (readers subscribe there) and pinged after each publish (empty: none)."),
    Setting("publish.preview_port", 8000, "Port of the local preview server for publish/."),
    Setting("social.mastodon_url", "", "Mastodon instance to post to (empty: outbox only)."),
    Setting("social.mastodon_token", "", "Mastodon access token.", env="MASTODON_TOKEN", secret=True),
    Setting("social.dry_run", True, "Write posts to the outbox without sending them."),
    Setting("social.max_age_days", 14, "Announce only documents dated within this many days (an archive import "
            "is not news)."),
    Setting("social.daily_limit", 20, "Posts queued per platform per day at most; the rest wait for the next day."),
    Setting("notify.ready_for_review", [], "Apprise URLs told when content is ready for review.",
            env="ZAITUN_NOTIFY_READY_FOR_REVIEW", secret=True),
    Setting("notify.approved", [], "Apprise URLs told when a document is approved.",
            env="ZAITUN_NOTIFY_APPROVED", secret=True),
    Setting("notify.published", [], "Apprise URLs told when the site is published.",
            env="ZAITUN_NOTIFY_PUBLISHED", secret=True),
    Setting("notify.failure", [], "Apprise URLs told when something fails (bad file, outage).",
            env="ZAITUN_NOTIFY_FAILURE", secret=True),
    Setting("notify.expiring", [], "Apprise URLs told when content is about to expire or has expired.",
            env="ZAITUN_NOTIFY_EXPIRING", secret=True),
    Setting("prefect.port", 4200, "Port of the local Prefect server started by `zaitun up`."),
    Setting("prefect.keep_runs_days", 30, "Days the Prefect server `zaitun up` starts keeps a flow run, with its "
            "logs, after it ended (its events: 7 days), so its database does not grow for ever (0: keep them all)."),
    Setting("prefect.log_max_mb", 10, "A log of `zaitun up` in .zaitun/ (the Prefect server's, the flows') "
            "larger than this many MB is moved to NAME.log.1, replacing the one before (0: never)."),
    Setting("limits.text_bytes", 1_000_000, "Largest .md or .txt file taken in, in bytes; a larger one is refused."),
    Setting("limits.docx_unpacked_bytes", 50_000_000,
            "Largest unpacked size of a .docx (read from its zip directory before parsing), in bytes."),
    Setting("limits.docx_entries", 2000, "Most files a .docx (a zip) may hold; more is refused unread."),
    Setting("limits.docx_elements", 1_000_000, "Most XML elements the text of a .docx (its word/document.xml) may "
            "hold, counted before it is parsed; more is refused (a small file of millions of empty paragraphs "
            "would take minutes and a gigabyte to read)."),
    Setting("limits.segments", 5000, "Most segments (headings, sentences, cells) per document; more is refused."),
)
_BY_NAME = {s.name: s for s in SETTINGS}
# Not settings until zaitun honours other values: accepted in zaitun.toml only at the one it implements.
FIXED = {"project.source_language": "zh", "project.target_languages": ["en"]}


@dataclass(frozen=True)
class Limits:
    """Caps on every input, so one huge or hostile file is refused fast instead of exhausting memory."""

    text_bytes: int = _BY_NAME["limits.text_bytes"].default
    docx_unpacked_bytes: int = _BY_NAME["limits.docx_unpacked_bytes"].default
    docx_entries: int = _BY_NAME["limits.docx_entries"].default
    segments: int = _BY_NAME["limits.segments"].default
    docx_elements: int = _BY_NAME["limits.docx_elements"].default

    @classmethod
    def of(cls, config: Config) -> Limits:
        return cls(*(config.get(f"limits.{name}") for name in cls.__dataclass_fields__))


@dataclass
class Config:
    """Resolved settings; `get("site.base_url")` reads one."""

    values: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def get(self, name: str) -> Any:
        """A setting from zaitun.toml, else from its environment variable, else its default."""
        setting = _BY_NAME[name]
        value = self.values.get(name, setting.default)
        if not value and setting.env and os.environ.get(setting.env):
            raw = os.environ[setting.env]
            return raw.split() if isinstance(setting.default, list) else raw
        return value

    def from_env(self, name: str) -> str | None:
        """The environment variable the setting's value comes from (zaitun.toml leaves it empty), else None."""
        setting = _BY_NAME[name]
        empty = not self.values.get(name, setting.default)
        return setting.env if empty and setting.env and os.environ.get(setting.env) else None

    def line(self, name: str) -> int | None:
        """The line of zaitun.toml setting `name`, if its value is set there (not taken from the environment)."""
        if not self.path or name not in self.values or self.from_env(name):
            return None
        return _line_of(_text_of(self.path), name)

    def where(self, name: str) -> str:
        """Where a setting is set, for an error about its value: `publish.s3_target (zaitun.toml:52)`, or
        `notify.failure (environment variable ZAITUN_NOTIFY_FAILURE)`."""
        if env := self.from_env(name):
            return f"{name} (environment variable {env})"
        line = self.line(name)
        return f"{name} ({self.path}:{line})" if line else name

    def secret(self, name: str, env: str) -> str:
        """A credential from zaitun.toml, else from the environment variable `env`."""
        return self.get(name) or os.environ.get(env, "")

    def shown(self, name: str, show_secrets: bool = False) -> str:
        """A setting as `zaitun config` prints it, unless asked for secrets: a URL (any setting's) keeps all but
        its password and secret-looking query values, other secrets are masked whole."""
        value = self.get(name)
        if show_secrets or not value:
            return repr(value)
        if name == "review.database_url":  # SQLAlchemy's own form: a password may hold '#', '?' or '/' as written
            from sqlalchemy.engine import make_url

            return repr(make_url(value).render_as_string(hide_password=True))
        if isinstance(value, str) and _URL.match(value):
            return repr(masked_url(value))
        if not _BY_NAME[name].secret:
            return repr(value)
        return "'********'" if isinstance(value, str) else f"[{len(value)} hidden]"


_MASK = "***"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")  # a scheme: the value is a URL, whichever setting holds it
# user:password@ at the start: up to the last @ before the query, as SQLAlchemy takes a / or @ in a password
_PASSWORD = re.compile(r"\A([^:/?#@]*):[^?#]*@")
# Query parameters whose value is a credential: api_key, access_token, X-Amz-Signature, password, ...
_SECRET_PARAM = re.compile(r"token|key|secret|pass|pwd|sig|auth|credential|session", re.IGNORECASE)


def masked_url(url: str) -> str:
    """`url` with the password of its user info and the values of secret-looking query (or fragment) parameters
    masked, so `zaitun config` can be pasted into a ticket; the rest is kept as written. Where it is unclear
    whether a ':' and an '@' hold user info (an S3 secret may hold a '/'), it is masked: showing too little is
    safe, too much is not."""
    scheme, sep, rest = url.partition("://")
    rest = _PASSWORD.sub(rf"\1:{_MASK}@", rest, count=1)
    rest, hash_, fragment = rest.partition("#")
    path, mark, query = rest.partition("?")
    return scheme + sep + path + mark + _masked_params(query) + hash_ + _masked_params(fragment)


def _masked_params(params: str) -> str:
    """`a=1&api_key=K` as `a=1&api_key=***`."""
    return "&".join(f"{k}={_MASK}" if v and _SECRET_PARAM.search(k) else k + eq + v
                    for k, eq, v in (item.partition("=") for item in params.split("&")))


def _flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in _BY_NAME:
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


_TABLE = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"\s*([A-Za-z0-9_\-\.\s\"']+?)\s*=")


def _dotted(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in key.split("."))


def _line_of(text: str, key: str) -> int | None:
    """The line setting `key` (table.key), read with its table: the `port` of [prefect] is not [review]'s."""
    table = ""
    for n, line in enumerate(text.splitlines(), start=1):
        if header := _TABLE.match(line):
            table = _dotted(header.group(1))
        elif found := _KEY.match(line):
            name = ".".join(filter(None, (table, _dotted(found.group(1)))))
            if key == name or key.startswith(name + "."):  # an inline table sets all its keys on one line
                return n
    return None


def _check_type(name: str, value: Any, text: str, path: Path) -> None:
    default = _BY_NAME[name].default
    expected = type(default)
    ok = isinstance(value, expected) or (expected is float and isinstance(value, int))
    if expected is int and isinstance(value, bool):
        ok = False
    if not ok:
        raise ConfigError(path, f"'{name}' must be {expected.__name__}, got {value!r}", _line_of(text, name))


def _check_fixed(name: str, value: Any, text: str, path: Path) -> None:
    if value != FIXED[name]:
        raise ConfigError(path, f"unsupported {name.split('.')[-1]} = {value!r}: zaitun translates zh into en "
                                "only; remove the line", _line_of(text, name))


PORTS = ("review.port", "publish.preview_port", "prefect.port")  # 0 would listen on a port nobody is told


def validate(flat: dict[str, Any], text: str, path: Path) -> None:
    """Refuse settings zaitun cannot use: the first at its line, naming the others (errors.together)."""
    found = list(_problems(flat, text, path))
    if found:
        raise together(found)


def _problems(flat: dict[str, Any], text: str, path: Path) -> Iterator[ConfigError]:
    wrong = set()  # settings unknown or of the wrong type: their values are not checked further
    for name, value in flat.items():
        if name not in FIXED and name not in _BY_NAME:
            wrong.add(name)
            yield ConfigError(path, f"unknown setting '{name}' (see `zaitun config --list`)", _line_of(text, name))
            continue
        try:
            (_check_fixed if name in FIXED else _check_type)(name, value, text, path)
        except ConfigError as exc:
            wrong.add(name)
            yield exc
    flat = {name: value for name, value in flat.items() if name not in wrong}
    if problem := _base_url_problem(str(flat.get("site.base_url", "http://x"))):
        yield ConfigError(path, f"'site.base_url' {problem}", _line_of(text, "site.base_url"))
    for name in [n for n in flat if n.startswith("limits.")] + ["site.page_size", "social.daily_limit",
                                                                "review.session_idle_minutes",
                                                                "review.session_lifetime_hours",
                                                                "translate.retries", "translate.batch_size",
                                                                "translate.concurrency"]:
        if flat.get(name, 1) < 1:  # a concurrency of 0 would hold every translate run back for ever
            yield ConfigError(path, f"'{name}' must be at least 1", _line_of(text, name))
    for name in ("translate.timeout", "publish.timeout"):
        if flat.get(name, 1) <= 0:
            yield ConfigError(path, f"'{name}' must be more than 0 seconds", _line_of(text, name))
    if not 0 <= flat.get("translate.fuzzy_threshold", 70) <= 100:
        yield ConfigError(path, "'translate.fuzzy_threshold' must be a percentage from 0 to 100",
                          _line_of(text, "translate.fuzzy_threshold"))
    for name in PORTS:
        if name in flat and not 1 <= flat[name] <= 65535:
            yield ConfigError(path, f"'{name}' must be a port from 1 to 65535", _line_of(text, name))
    ports = {name: flat.get(name, _BY_NAME[name].default) for name in PORTS}
    for i, one in enumerate(PORTS):  # zaitun up listens on each: two on one port, and one of them cannot start
        for other in PORTS[i + 1:]:
            if ports[one] == ports[other] and (one in flat or other in flat):
                name, also = (other, one) if other in flat else (one, other)  # at the line that set it
                yield ConfigError(path, f"'{name}' is {ports[name]}, the port of '{also}' too: zaitun up listens "
                                        "on each; give them different ports", _line_of(text, name))
    if "site.timezone" in flat and not _known_zone(flat["site.timezone"]):
        yield ConfigError(path, f"unknown time zone '{flat['site.timezone']}' in 'site.timezone': give an IANA "
                                "name such as Asia/Shanghai", _line_of(text, "site.timezone"))
    for name in ("social.max_age_days", "site.expiry_warning_days", "prefect.keep_runs_days", "prefect.log_max_mb"):
        if flat.get(name, 0) < 0:
            yield ConfigError(path, f"'{name}' must not be negative", _line_of(text, name))
    if flat.get("publish.keep_versions", 0) < 0:
        yield ConfigError(path, "'publish.keep_versions' must be 0 or more", _line_of(text, "publish.keep_versions"))
    endpoint = flat.get("publish.s3_endpoint_url", "")
    if endpoint and not str(endpoint).startswith(("http://", "https://")):
        yield ConfigError(path, "'publish.s3_endpoint_url' must start with http:// or https://",
                          _line_of(text, "publish.s3_endpoint_url"))
    target = flat.get("publish.s3_target", "")
    if target and not str(target).startswith("s3://"):
        yield ConfigError(path, "'publish.s3_target' must look like s3://bucket/prefix",
                          _line_of(text, "publish.s3_target"))
    elif target:  # as every deploy would refuse it
        from zaitun.s3_target import parse_target

        try:
            parse_target(target, whole_bucket=flat.get("publish.s3_bucket_root", False))
        except ZaitunError as exc:
            yield ConfigError(path, f"'publish.s3_target': {exc}", _line_of(text, "publish.s3_target"))
    for name in ("publish.websub_hub", "site.base_url"):  # written into every feed or page: no password in them
        try:
            parts = urlsplit(str(flat.get(name) or ""))
        except ValueError:
            if name != "site.base_url":  # (said above)
                yield ConfigError(path, f"'{name}' {_BRACKETS}", _line_of(text, name))
            continue
        if parts.username is not None or parts.password is not None:
            yield ConfigError(path, f"'{name}' holds a user name or password ({parts.scheme}://…@{parts.hostname}): "
                                    "it is written into every feed and page the site publishes; give the URL "
                                    "without them", _line_of(text, name))
    hub = flat.get("publish.websub_hub", "")
    if hub and not str(hub).startswith(("http://", "https://")):
        yield ConfigError(path, "'publish.websub_hub' must start with http:// or https://",
                          _line_of(text, "publish.websub_hub"))
    if "publish.output_dir" in flat:
        try:
            _check_output_dir(flat["publish.output_dir"], text, path)
        except ConfigError as exc:
            yield exc


_BRACKETS = "has an invalid IPv6 address in [ ]: write one as https://[2001:db8::1]/"
_HOST = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")  # a host name's letters, once in IDNA form


def _base_url_problem(url: str) -> str | None:
    """Why `url` cannot be the site's public address, or None: every page, feed and sitemap address is the
    path of a page added to it, so it must be a plain http(s) address with a host and no query or fragment."""
    if not url.startswith(("http://", "https://")):
        return "must start with http:// or https://"
    if any(c.isspace() or not c.isprintable() for c in url):
        return "holds a space or another blank: write the address without it (a space in a path as %20)"
    try:
        parts = urlsplit(url)
    except ValueError:  # a [ left unclosed, or no IPv6 address in it
        return _BRACKETS
    try:
        port = parts.port
    except ValueError:  # not a number from 0 to 65535
        port = 0
    if not parts.hostname:
        return "has no host: give the site's public address, such as https://example.org/"
    if "?" in url or "#" in url:
        return "holds a query (?) or a fragment (#): page addresses are added to it, so give the site's address " \
               "without them, such as https://example.org/site/"
    if port == 0:
        return "has an invalid port: give one from 1 to 65535 (https://example.org:8443/), or none"
    if not _valid_host(parts.hostname):
        return f"has an invalid host {parts.hostname!r}: give a host name (letters, digits and '-', between dots) " \
               "or an IP address"
    return None


def _valid_host(host: str) -> bool:
    if ":" in host:  # an IPv6 address, written in [ ]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")  # a Chinese domain name is valid: 泉州.中国
    except UnicodeError:
        return False
    return bool(_HOST.fullmatch(ascii_host))


# What a build must never take for its output folder: it moves the folder named there aside as a site
# and removes it once publish.keep_versions builds followed, so staff's content or the store would go.
PROJECT_FOLDERS = ("content", ".zaitun", "glossary", "tm", "static", ".git")


def _check_output_dir(value: str, text: str, path: Path) -> None:
    root = path.parent.resolve()
    out = (root / value).resolve() if value.strip() else root
    mine = [name for name in PROJECT_FOLDERS if out.is_relative_to(root / name)]
    if mine or root.is_relative_to(out):
        what = f"inside the project's {mine[0]}/" if mine else "the project folder or a folder above it"
        raise ConfigError(path, f"'publish.output_dir' = {value!r} is {what}: a build replaces its output folder, "
                                'so give a folder of its own, such as "publish"', _line_of(text, "publish.output_dir"))


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _text_of(path: Path) -> str:
    """zaitun.toml as text, or why it is none at its line: a file saved in GBK (Notepad's "ANSI" on Chinese
    Windows) or a folder so named stopped every command with a traceback. A byte-order mark (Notepad's UTF-8) is
    no statement: it is left out."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, f"cannot be read ({exc.strerror or exc}): zaitun.toml must be a file zaitun can "
                                "read") from None
    return utf8_text(data, path, ConfigError)


def read_toml(path: Path) -> tuple[str, dict]:
    """zaitun.toml's text and what it holds, or a ConfigError naming the line that does not read."""
    text = _text_of(path)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise ConfigError(path, f"invalid TOML: {exc}", int(found.group(1)) if found else None) from None


def load_config(path: Path) -> Config:
    """Read and validate zaitun.toml; a missing file means all defaults."""
    if not path.exists():
        return Config({}, None)
    text, data = read_toml(path)
    flat = _flatten(data)
    validate(flat, text, path)
    return Config(flat, path)


def default_toml() -> str:
    """A commented zaitun.toml listing every setting with its default."""
    lines = ["# zaitun project settings. Every key is optional; shown with its default.", ""]
    table = None
    for s in SETTINGS:
        top = s.name.split(".")[0]
        if top != table:
            table = top
            lines += ["", f"[{top}]"]
        rel = s.name[len(top) + 1:]
        lines.append(f"# {s.help}" + (f" Or set {s.env} in the environment (keep secrets out of this file)."
                                       if s.secret and s.env else ""))
        value = _toml_value(s.default)
        lines.append(f"{rel} = {value}")  # dotted keys such as title.zh are valid TOML
    return "\n".join(lines).strip() + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
