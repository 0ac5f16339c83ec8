"""Translation engines behind one small interface: `translate(texts) -> list[str | None]`.

`None` means "not translated" (the engine failed, hung or is offline); the pipeline flags
those segments for a human and keeps everything else. Online engines go through
deep-translator, which sets no timeouts, so each attempt at a text here is over within
`translate.timeout` seconds, however slowly the provider answers, and reads no more than
MAX_ANSWER_BYTES of an answer, however fast it comes (see `_fetch` and
`DeepTranslatorEngine._call`), and each text gets bounded retries with exponential backoff,
waiting longer when a rate-limited answer (429/503) says how long in `Retry-After`, up to
MAX_RETRY_AFTER. After two texts in a row fail, the engine is taken as down for the rest of
the run rather than waiting out every segment. A text longer than the provider takes in one request
(`translate.max_chars`, or the provider's own limit) is sent in pieces cut at sentence and clause
ends, never inside a placeholder, and the English pieces joined: refused as too long, it would be
retried in vain and, with another, take the engine down for every segment after it; a text refused
all the same (HTTP 400, 413, 422) is left for a human at once, and is no sign of the engine being down.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import email.utils
import importlib
import os
import re
import time
from dataclasses import dataclass
from typing import Any, Protocol

import requests
import urllib3

from zaitun.bounded import Overdue, call_within
from zaitun.config import Config
from zaitun.errors import ProviderError

# when (time.monotonic()) the engine call under way must be over; requests made outside one get DEFAULT_TIMEOUT
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("zaitun_engine_deadline", default=None)
DEFAULT_TIMEOUT = 10.0
_RETRY_AFTER: contextvars.ContextVar[float | None] = contextvars.ContextVar("zaitun_retry_after", default=None)
MAX_RETRY_AFTER = 60.0  # a provider asking for a longer pause gets the text back next run instead
# no answer to one text (at most limits.text_bytes, 1 MB by default) is larger: read no further, however fast
# it comes, so a broken or hostile endpoint cannot fill the memory within the timeout
MAX_ANSWER_BYTES = 16 * 2**20


class Engine(Protocol):
    """What the pipeline needs from an engine."""

    name: str
    error: str  # why the last texts came back as None

    def translate(self, texts: list[str]) -> list[str | None]: ...


@dataclass
class OfflineEngine:
    """Translates nothing: memory and glossary only, no network."""

    name: str = "offline"
    error: str = "no translation memory match and the provider is offline: translate this segment"

    def translate(self, texts: list[str]) -> list[str | None]:
        return [None] * len(texts)


@dataclass(frozen=True)
class Provider:
    """How to build one deep-translator engine: class, language codes and credentials."""

    module: str
    cls: str
    source: str
    target: str = "en"
    key_env: tuple[str, ...] = ()  # environment variables, in the order of `translate.api_key` "a:b" parts
    key_args: tuple[str, ...] = ()  # constructor arguments they go to
    lazy: bool = False  # the constructor calls the network: build it on first use, under the timeout
    max_chars: int = 0  # the longest text deep-translator sends (it refuses longer ones); 0: no limit


PROVIDERS: dict[str, Provider] = {
    "google": Provider("google", "GoogleTranslator", "zh-CN", max_chars=4999),
    "mymemory": Provider("mymemory", "MyMemoryTranslator", "zh-CN", "en-GB", max_chars=499),
    "libre": Provider("libre", "LibreTranslator", "zh", key_env=("LIBRE_API_KEY",), key_args=("api_key",)),
    "deepl": Provider("deepl", "DeeplTranslator", "zh", key_env=("DEEPL_API_KEY",), key_args=("api_key",)),
    "microsoft": Provider("microsoft", "MicrosoftTranslator", "zh-Hans", key_env=("MICROSOFT_API_KEY",),
                          key_args=("api_key",), lazy=True),
    "baidu": Provider("baidu", "BaiduTranslator", "zh", key_env=("BAIDU_APPID", "BAIDU_APPKEY"),
                      key_args=("appid", "appkey")),
}
# deep-translator's yandex (API v1.5, retired; prints to stdout) and papago (sends language names
# instead of codes) cannot translate Chinese, and qcri has no Chinese: they are left out.


class _TimedRequests:
    """Stands in for `requests` inside deep-translator's modules: every request ends by the engine call's deadline."""

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def get(self, *args, **kwargs):
        return _noted(_fetch(requests.get, *args, **kwargs))

    def post(self, *args, **kwargs):
        return _noted(_fetch(requests.post, *args, **kwargs))


def _fetch(send, *args, **kwargs) -> requests.Response:
    """Send a request and read its answer as it arrives, giving up at the deadline: a requests timeout
    bounds each socket read only, so a server sending a byte a second would never trip it."""
    deadline = _DEADLINE.get() or time.monotonic() + DEFAULT_TIMEOUT
    response = send(*args, **{**kwargs, "timeout": _time_left(deadline), "stream": True})
    body = bytearray()
    with response:
        while chunk := response.raw.read1(64 * 1024, decode_content=True):  # what has come, not a full chunk
            body += chunk
            if len(body) > MAX_ANSWER_BYTES:
                raise requests.RequestException(f"answer larger than {MAX_ANSWER_BYTES // 2**20} MiB, "
                                                "not a translation")
            _time_left(deadline)
    response._content = bytes(body)  # what `.json()` and `.text` read, as if requests had read it
    return response


def _time_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise requests.Timeout("no complete answer before the deadline")
    return left


def _noted(response: requests.Response) -> requests.Response:
    """Remember how long a rate-limited answer asked us to wait (deep-translator drops the headers)."""
    if response.status_code in (429, 503):
        _RETRY_AFTER.set(retry_after_seconds(response.headers.get("Retry-After")))
    return response


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A Retry-After header in seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _timed_module(name: str):
    module = importlib.import_module(f"deep_translator.{name}")
    if not isinstance(getattr(module, "requests", None), _TimedRequests):
        module.requests = _TimedRequests()
    return module


class DeepTranslatorEngine:
    """A deep-translator translator with timeouts, retries, backoff and a circuit breaker."""

    def __init__(self, name: str, factory, timeout: float = 10.0, retries: int = 3, backoff: float = 0.5,
                 max_failures: int = 2, translator=None, max_chars: int = 0):
        self.name, self.error = name, ""
        self._factory, self._translator = factory, translator
        self.timeout, self.retries, self.backoff = timeout, max(1, retries), backoff
        self.max_failures, self._failures = max_failures, 0
        self.max_chars = max_chars

    def translate(self, texts: list[str]) -> list[str | None]:
        return [self._pieces(text) for text in texts]

    def _pieces(self, text: str) -> str | None:
        """A text in pieces the provider takes, each translated; None if any piece is not."""
        done = []
        for piece in filter(str.strip, split_text(text, self.max_chars)):
            english = self._one(piece)
            if english is None:
                return None
            done.append(english.strip())
        return " ".join(done) if done else self._one(text)  # (a blank text is the provider's to answer)

    def _one(self, text: str) -> str | None:
        if self._failures >= self.max_failures:
            return None  # the engine is down: the error of the failures that said so stays
        asked = None
        for attempt in range(self.retries):
            if attempt:
                if asked is not None and asked > MAX_RETRY_AFTER:
                    self.error = (f"{self.name} is rate-limited and asked to wait {asked:.0f} s (Retry-After); "
                                  "left for the next run")
                    break
                time.sleep(max(min(self.backoff * 2 ** (attempt - 1), 30.0), asked or 0.0))
            _RETRY_AFTER.set(None)
            try:
                result = self._call(text)
            except Exception as exc:  # any engine failure: network, HTTP status, bad answer
                self.error = f"{self.name} failed after {attempt + 1} attempt(s): {_describe(exc)}"
                if _refused_text(exc):  # this text's own: asking again is in vain, and the engine is not down
                    self.error = (f"{self.name} refused this text ({_describe(exc)}): if it is too long for the "
                                  "provider, set translate.max_chars to its limit")
                    return None
                asked = _RETRY_AFTER.get()
                continue
            if isinstance(result, str) and result.strip():
                self._failures = 0
                return result
            self.error = f"{self.name} returned no text"
        self._failures += 1
        return None

    def _call(self, text: str) -> str:
        """One attempt, over after `timeout` seconds: its requests stop reading then (`_fetch`), and it runs in a
        thread waited for no longer (zaitun.bounded), for what no read can cut short (a name lookup, headers
        sent a byte at a time)."""
        context = contextvars.copy_context()
        context.run(_DEADLINE.set, time.monotonic() + self.timeout)
        try:
            return call_within(self.timeout, lambda: context.run(self._attempt, text), f"zaitun-engine-{self.name}")
        except Overdue:
            raise requests.Timeout(f"no answer within {self.timeout:g} s") from None
        finally:
            _RETRY_AFTER.set(context.get(_RETRY_AFTER))

    def _attempt(self, text: str) -> str:
        if self._translator is None:  # built here: some translators call the network on creation
            self._translator = self._factory()
        return self._translator.translate(text)


def _refused_text(exc: Exception) -> bool:
    """An answer refusing the text itself (too long, bad request, unprocessable), not the engine failing."""
    from deep_translator.exceptions import NotValidLength, ServerException  # with the engine, not at start

    return isinstance(exc, NotValidLength) or (isinstance(exc, ServerException) and exc.args[:1] in (
        (ServerException.errors[400],), (ServerException.errors[413],), (ServerException.errors[422],)))


_CUTS = ("。！？；!?;", "，、：,:", " \n")  # where a long text is cut, best first (after the character)
_PLACEHOLDER = re.compile(r"\{ZT\d+\}")


def split_text(text: str, max_chars: int) -> list[str]:
    """`text` in pieces of at most `max_chars` characters (all of it when 0), cut after the last sentence end
    that fits, else clause end, else space, else anywhere outside a placeholder; joined they are `text`."""
    pieces = []
    while max_chars and len(text) > max_chars:
        cut = _cut(text, max_chars)
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text] if text or not pieces else pieces


def _cut(text: str, max_chars: int) -> int:
    for marks in _CUTS:
        at = max((text.rfind(m, 0, max_chars) for m in marks), default=-1) + 1
        if at > 0 and not _inside_placeholder(text, at):
            return at
    at = max_chars
    while _inside_placeholder(text, at) and at > 1:
        at -= 1
    return at


def _inside_placeholder(text: str, at: int) -> bool:
    return any(m.start() < at < m.end() for m in _PLACEHOLDER.finditer(text, max(0, at - 12), at + 12))


_QUERY = re.compile(r"\?[^\s'\")]+")  # a URL's query string: the text sent, and perhaps an API key


def _describe(exc: BaseException) -> str:
    """Why an attempt failed, in a line fit for a notification (no text sent, no key)."""
    if isinstance(exc, (requests.Timeout, urllib3.exceptions.TimeoutError)):
        return "timed out"
    if isinstance(exc, requests.ConnectionError) and exc.request is not None:
        url = urllib3.util.parse_url(exc.request.url)
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        why = f" ({str(reason).rsplit(': ', 1)[-1]})" if reason else ""
        return f"cannot connect to {url.scheme}://{url.netloc}{url.path or ''}{why}"
    if isinstance(exc, requests.JSONDecodeError):
        return "the answer is not JSON (a web page? check translate.provider_url)"
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return _QUERY.sub("?…", f"{type(exc).__name__}: {message}")[:200] if message else type(exc).__name__


def make_engine(config: Config, provider: str | None = None, provider_url: str | None = None,
                backoff: float = 0.5) -> Engine:
    """The engine named by `provider` (else `translate.provider`); ProviderError before any work."""
    name = (provider or config.get("translate.provider") or "offline").strip().lower()
    if name == "offline":
        if provider_url:
            raise ProviderError("--provider-url is for self-hosted LibreTranslate: add --provider libre")
        return OfflineEngine()
    spec = PROVIDERS.get(name)
    if spec is None:
        known = ", ".join(["offline", *PROVIDERS])
        raise ProviderError(f"unknown translation provider {name!r}: use one of {known}")
    url = provider_url or (config.get("translate.provider_url") if name == "libre" else "")
    if provider_url and name != "libre":
        raise ProviderError(f"--provider-url is for self-hosted LibreTranslate, not {name}")
    kwargs = {"source": spec.source, "target": spec.target, **_credentials(config, name, spec, bool(url))}
    if url:
        kwargs.update(custom_url=url.rstrip("/") + "/", use_free_api=False)
    cls = getattr(_timed_module(spec.module), spec.cls)
    translator = None
    if not spec.lazy:
        try:  # checks languages and credentials now, so a bad setup fails before any work
            translator = cls(**kwargs)
        except Exception as exc:
            raise ProviderError(f"provider {name} cannot be set up: {_describe(exc)}") from None
    limits = [n for n in (int(config.get("translate.max_chars")), spec.max_chars) if n > 0]
    return DeepTranslatorEngine(name, lambda: cls(**kwargs), timeout=float(config.get("translate.timeout")),
                                retries=int(config.get("translate.retries")), backoff=backoff,
                                translator=translator, max_chars=min(limits, default=0))


def _credentials(config: Config, name: str, spec: Provider, self_hosted: bool) -> dict[str, str]:
    """Keys from `translate.api_key` ("a:b" for two-part keys) or the provider's environment variables."""
    if not spec.key_env:
        return {}
    configured = config.get("translate.api_key")
    values = configured.split(":", len(spec.key_env) - 1) if configured else [os.environ.get(e, "")
                                                                             for e in spec.key_env]
    if self_hosted and not any(values):
        values = ["no-key"]  # a self-hosted LibreTranslate without API keys ignores it; deep-translator needs one
    if len(values) != len(spec.key_env) or not all(v.strip() for v in values):
        wanted = " and ".join(spec.key_env)
        raise ProviderError(f"provider {name} needs an API key: set {wanted} in the environment or "
                            "translate.api_key in zaitun.toml")
    return dict(zip(spec.key_args, (v.strip() for v in values), strict=True))
