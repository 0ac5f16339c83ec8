"""A small LibreTranslate-compatible server for the tests, with switchable misbehaviour.

POST /translate (q as a string or a list; source, target, api_key, format; as query string,
form or JSON) and GET /languages, on 127.0.0.1 at a random port, in a thread. It
"translates" with a tiny phrase table and passes placeholders through, unless told to:

    mangle     damage placeholders: spaces, case, other brackets, and move the first one
    drop       leave out the first placeholder
    duplicate  repeat the first placeholder
    number     change the first number (10 -> 11)

and, as real engines do around placeholders and Markdown (combine them with "+", e.g.
`LibreServer("padded+plural+spaced")`):

    padded     spaces inside and around each placeholder: `{ ZT1 } `
    plural     a lone ` s` after each placeholder followed by a word, as for a plural noun: `{ZT1} s`
    stripped   placeholders without their braces: `ZT1`
    fullwidth  full-width braces: `｛ZT1｝`
    repeat     the first placeholder twice in a row: `{ZT1} {ZT1}`
    emphasis   spaces inside emphasis markers: `** x **`
    spaced     a space before `. , ; : ) ]` and after `( [`: `e-CNY .`
    cjk        Chinese punctuation left in: `。` for the full stop

and, as a hostile or broken engine might, markup that changes the page:

    heading    the answer opens with `# `, a heading on the page
    quote      the answer opens with `> `, a block quote
    bullet     the answer opens with `- `, a list item
    script     `<script>alert(1)</script>` after the answer
    korean     the answer in another language: each lower-case word in Korean
    slow       answer after `delay` seconds (beyond the client's timeout)
    trickle    send the headers at once, then the body one byte every `delay` seconds
    trickle_headers  send the whole answer, status line and headers too, one byte every `delay` seconds
    error      answer 500
    ratelimit  answer 429 (with a Retry-After header when `retry_after` is set)
    garbage    answer 200 with a body that is not JSON
    flood      answer 200 with a JSON string of `flood_bytes` bytes, sent as fast as it goes

`char_limit` refuses, as LibreTranslate's `--char-limit` does, a request holding more characters
(400 "exceeds text limit"). `fail_times` limits error/ratelimit/slow to the first N requests; `ok_first` lets N requests
succeed before the misbehaviour starts. Every request is recorded in `requests`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PHRASES = {
    "市委宣传部": "Propaganda Department of the Municipal Committee",  # wrong: what an engine does unprotected
    "宣传部": "Propaganda Department",
    "外国人": "aliens",
    "晋江国际机场": "Jinjiang Airport",
    "发布": "published",
    "通知": "notice",
    "详见": "see",
    "可以": "may",
    "停留": "stay",
    "过境": "transit",
    "天": "days",
    "经": "via",
    "在": "in",
    "泉州": "Quanzhou",
    "申请": "apply for",
    "和": "and",
    "咨询": "advice on",
    "办理": "applications",
    "周六上午开放": "opens on Saturday mornings",
    "使用": "pay with",
    "旅客": "Travellers",
    "或": "or",
    "运行": "run",
    "。": ".",
    "，": ",",
}
TOKEN_RE = re.compile(r"\{ZT\d+\}|\*\*|\d+|[A-Za-z]+|\[|\]|\(|\)|" + "|".join(sorted(map(re.escape, PHRASES),
                                                                               key=len, reverse=True)) + r"|\S")
PLACEHOLDER_RE = re.compile(r"\{ZT(\d+)\}")
MANGLED = ("{{ zt {n} }}", "(ZT{n})", "[Zt {n}]", "< zt{n} >", "{{ZT {n}}}")


def fake_translate(text: str) -> str:
    """Word-by-word 'translation' with the phrase table; unknown Chinese is left as it is."""
    words = [PHRASES.get(tok, tok) for tok in TOKEN_RE.findall(text)]
    out = " ".join(words)
    out = re.sub(r"\s+([.,\])])", r"\1", out)
    out = re.sub(r"([\[(])\s+", r"\1", out)
    out = re.sub(r"\*\* (.+?) \*\*", r"**\1**", out)
    return re.sub(r"\]\s+\{", "]{", out)


def misbehave(text: str, behaviour: str) -> str:
    for one in behaviour.split("+"):
        text = _misbehave(text, one)
    return text


ARTIFACTS = {
    "padded": lambda t: PLACEHOLDER_RE.sub(r" { ZT\1 } ", t),
    "plural": lambda t: re.sub(r"(\{ZT\d+\})(?= [a-z])", r"\1 s", t),
    "stripped": lambda t: PLACEHOLDER_RE.sub(r"ZT\1", t),
    "fullwidth": lambda t: PLACEHOLDER_RE.sub(r"｛ZT\1｝", t),
    "repeat": lambda t: PLACEHOLDER_RE.sub(r"\g<0> \g<0>", t, count=1),
    "emphasis": lambda t: re.sub(r"\*\*([^*]+?)\*\*", r"** \1 **", t),
    "spaced": lambda t: re.sub(r"\s*([.,;:)\]])(?=\s|$)", r" \1", re.sub(r"([(\[])(?=\S)", r"\1 ", t)),
    "cjk": lambda t: re.sub(r"\.$", "。", t),
    "heading": lambda t: "# " + t,
    "quote": lambda t: "> " + t,
    "bullet": lambda t: "- " + t,
    "script": lambda t: t + "<script>alert(1)</script>",
    "korean": lambda t: re.sub(r"\b[a-z]+\b", "체류", t),
}


def _misbehave(text: str, behaviour: str) -> str:
    if behaviour in ARTIFACTS:
        return ARTIFACTS[behaviour](text)
    if behaviour == "mangle":
        n = 0

        def damage(m: re.Match) -> str:
            nonlocal n
            n += 1
            return MANGLED[(n - 1) % len(MANGLED)].format(n=m.group(1))

        first = PLACEHOLDER_RE.search(text)
        if first and first.start() == 0:  # move a leading placeholder to the end of the sentence
            text = text[first.end():].lstrip() + " " + first.group(0)
        return PLACEHOLDER_RE.sub(damage, text)
    if behaviour == "drop":
        return PLACEHOLDER_RE.sub("", text, count=1)
    if behaviour == "duplicate":
        return PLACEHOLDER_RE.sub(lambda m: m.group(0) + " and " + m.group(0), text, count=1)
    if behaviour == "number":
        return re.sub(r"(?<![ZT\d])\d+", lambda m: str(int(m.group(0)) + 1), text, count=1)
    return text


def _size(q: str | list[str]) -> int:
    return sum(map(len, q)) if isinstance(q, list) else len(q)


class LibreServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, behaviour: str = "normal", api_key: str | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour, self.api_key = behaviour, api_key
        self.delay, self.fail_times, self.ok_first = 2.0, None, 0
        self.retry_after: str | None = None
        self.char_limit: int | None = None
        self.flood_bytes = 400 * 2**20
        self.requests: list[dict] = []
        self.arrivals: list[float] = []  # time.monotonic() of each request
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def texts_seen(self) -> list[str]:
        out = []
        for r in self.requests:
            q = r.get("q")
            out.extend(q if isinstance(q, list) else [q] if q else [])
        return out

    def __enter__(self) -> LibreServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

    def decide(self, params: dict) -> str:
        """The behaviour for this request, counting it."""
        with self._lock:
            self.requests.append(params)
            self.arrivals.append(time.monotonic())
            n = len(self.requests)
        if n <= self.ok_first:
            return "normal"
        if self.fail_times is not None and n - self.ok_first > self.fail_times:
            return "normal"
        return self.behaviour


class _Handler(BaseHTTPRequestHandler):
    server: LibreServer

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        if urlparse(self.path).path.rstrip("/") == "/languages":
            self._send(200, [{"code": "zh", "name": "Chinese", "targets": ["en"]},
                             {"code": "en", "name": "English", "targets": ["zh"]}])
        else:
            self._send(404, {"error": "Not Found"})

    def do_POST(self) -> None:
        if urlparse(self.path).path.rstrip("/") != "/translate":
            self._send(404, {"error": "Not Found"})
            return
        params = self._params()
        behaviour = self.server.decide(params)
        if self.server.api_key and params.get("api_key") != self.server.api_key:
            self._send(403, {"error": "Invalid API key"})
        elif behaviour == "slow" and self.server.stopping.wait(self.server.delay):
            return
        elif behaviour in ("trickle", "trickle_headers"):
            answer = json.dumps({"translatedText": fake_translate(str(params.get("q")))}).encode()
            self._trickle(answer, headers_too=behaviour == "trickle_headers")
        elif behaviour == "error":
            self._send(500, {"error": "internal error"})
        elif behaviour == "ratelimit":
            headers = {"Retry-After": self.server.retry_after} if self.server.retry_after else {}
            self._send(429, {"error": "Slowdown: 1 per 1 second"}, headers)
        elif behaviour == "garbage":
            self._send_raw(200, b"<html>oops</html>", "text/html")
        elif behaviour == "flood":
            self._flood()
        elif not params.get("q"):
            self._send(400, {"error": "Invalid request: missing q parameter"})
        elif self.server.char_limit is not None and _size(params["q"]) > self.server.char_limit:
            self._send(400, {"error": f"Invalid request: request ({_size(params['q'])}) exceeds text limit "
                                      f"({self.server.char_limit})"})
        else:
            q = params["q"]
            texts = q if isinstance(q, list) else [q]
            done = [misbehave(fake_translate(t), behaviour) for t in texts]
            self._send(200, {"translatedText": done if isinstance(q, list) else done[0]})

    def _params(self) -> dict:
        params = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(urlparse(self.path).query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if body and "json" in (self.headers.get("Content-Type") or ""):
            params.update(json.loads(body))
        elif body:
            params.update({k: v[0] if len(v) == 1 else v for k, v in parse_qs(body.decode()).items()})
        return params

    def _trickle(self, body: bytes, headers_too: bool) -> None:
        """A correct answer, each byte `delay` s after the last: every read is quick, the whole is not."""
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n").encode()
        self.close_connection = True
        try:
            if not headers_too:
                self.wfile.write(head)
            for byte in (head + body if headers_too else body):
                if self.server.stopping.wait(self.server.delay):
                    return
                self.wfile.write(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up

    def _flood(self) -> None:
        """`{"translatedText": "aaaa…"}` of `flood_bytes` bytes, in 1 MiB writes."""
        size, chunk = self.server.flood_bytes, b"a" * 2**20
        head = b'{"translatedText": "'
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(head) + size + 2))
            self.end_headers()
            self.wfile.write(head)
            for _ in range(size // len(chunk)):
                if self.server.stopping.is_set():
                    return
                self.wfile.write(chunk)
            self.wfile.write(b'"}')
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up

    def _send(self, status: int, data, headers: dict | None = None) -> None:
        self._send_raw(status, json.dumps(data, ensure_ascii=False).encode(), "application/json", headers)

    def _send_raw(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to answer
