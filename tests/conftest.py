"""Shared fixtures: throwaway projects and their stores. Areas add their own fixtures below."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import socket
import textwrap
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import boto3
import pytest
from hypothesis import HealthCheck, settings
from moto.server import ThreadedMotoServer

from zaitun.project import Project
from zaitun.state.store import Store

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

# Generated examples are judged on what they find, not on how fast this machine makes them: on a loaded CI
# machine the "too slow" health check failed tests that found nothing wrong.
settings.register_profile("zaitun", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("zaitun")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# Debian's Chromium, as every browser test drives it (no browser downloads: the network is closed)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

_GIVEN: set[int] = set()


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on, for the test servers: below the kernel's ephemeral range, from
    which a port the kernel gives (bind to 0) would come, and so would the local port of any connection made in
    the meantime (a `zaitun up` under test once found its review UI's port taken by its own Prefect client).
    Never one given before in this process: three asked for one `zaitun up` are three ports (zaitun.toml refuses
    two parts on one)."""
    low = _ephemeral_low()
    for _ in range(50):
        port = random.randrange(max(1024, low - 12000), low)
        if port in _GIVEN:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            _GIVEN.add(port)
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def stamped(name: str, pattern: str, zone: str) -> dt.datetime:
    """The time a set-aside file's name gives: local to `zone`, with its UTC offset."""
    found = re.fullmatch(pattern.format(stamp=r"(\d{8}T\d{6}[+-]\d{4})(?:_\d+)?"), name)
    assert found, f"{name} has no stamp with a UTC offset"
    when = dt.datetime.strptime(found.group(1), "%Y%m%dT%H%M%S%z")
    assert when.utcoffset() == dt.datetime.now(ZoneInfo(zone)).utcoffset()
    return when


def write_doc(root: Path, rel: str, front: str, body: str) -> Path:
    """Write content/<rel> with the given front matter and body (dedented)."""
    path = root / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{textwrap.dedent(front).strip()}\n---\n\n{textwrap.dedent(body).strip()}\n",
                    encoding="utf-8")
    return path


@pytest.fixture
def tmp_project(tmp_path: Path) -> Project:
    """An empty project: no content, no glossary, default settings."""
    for name in ("content", "glossary", "tm", "publish"):
        (tmp_path / name).mkdir()
    return Project(tmp_path)


@pytest.fixture
def store(tmp_project: Project):
    s = Store.open(tmp_project.database_url)
    yield s
    s.close()


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL cluster for the session; `postgres.new_database()` per test."""
    from postgres_server import PostgresServer

    with PostgresServer(free_port()) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """A fresh database of each kind zaitun supports, for the tests that must hold on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def dripping():
    """An HTTP endpoint on 127.0.0.1 answering every request 200 a byte every 0.3 s, never ending: each read
    gets a byte well within any socket timeout. Yields its URL."""
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the client may hang up
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not stop.wait(0.3):
                conn.sendall(b"x")

    def serve(server: socket.socket) -> None:
        with contextlib.suppress(OSError):  # closed at the end of the test
            while True:
                threading.Thread(target=drip, args=(server.accept()[0],), daemon=True).start()

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        threading.Thread(target=serve, args=(server,), daemon=True).start()
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
        stop.set()


@pytest.fixture(scope="module")
def s3_endpoint():
    """A real S3 endpoint (moto's server) on 127.0.0.1, one per test module."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch, request):
    """A fresh bucket named after the test on the moto endpoint, with test credentials: (client, bucket)."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    bucket = request.node.name.replace("_", "-").replace("[", "-").replace("]", "")[:60]
    client.create_bucket(Bucket=bucket)
    return client, bucket
