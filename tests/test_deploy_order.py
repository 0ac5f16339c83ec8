"""Uploads go in an order in which no page a reader can reach links to a file not uploaded yet: checked after
every single upload of a real deploy, to a folder and to S3 (moto's server), of a site where two new guides
link each other and a changed guide links one of them."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import boto3
import pytest
from publish_helpers import TRANSIT, TRANSIT_BODY, standard_project

from zaitun.publish.order import rank
from zaitun.publish.output import pinned
from zaitun.publish.s3 import S3Sink
from zaitun.publish.sinks import DEPLOY_MANIFEST, FolderSink, site_files

HOST = "example.org"
STARTS = ("index.html", "zh/index.html", "en/index.html")  # where readers come in


class Links(HTMLParser):
    """The site files a page links to: a, link (but hreflang alternates and canonical) and img."""

    def __init__(self, page: str):
        super().__init__()
        self.base, self.found = f"https://{HOST}/{page.removesuffix('index.html')}", set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and (attrs.get("rel") == "canonical" or "hreflang" in attrs):
            return
        href = attrs.get("src" if tag == "img" else "href") if tag in ("a", "link", "img") else None
        parts = urlsplit(urljoin(self.base, href or "#"))
        if href and not href.startswith("#") and parts.netloc == HOST:
            self.found.add(unquote(parts.path).lstrip("/"))


def targets(page: str, text: str) -> set[str]:
    parser = Links(page)
    parser.feed(text)
    return parser.found


def resolve(path: str, live: dict[str, str]) -> str | None:
    for name in (path + "index.html" if path.endswith("/") or not path else path, path + "/index.html"):
        if name in live:
            return name
    return None


def broken_links(live: dict[str, str]) -> list[str]:
    """Links, on the pages a reader can reach from the home pages, to files the target does not have."""
    seen, todo, broken = set(), [s for s in STARTS if s in live], []
    while todo:
        page = todo.pop()
        if page in seen or not page.endswith(".html"):
            continue
        seen.add(page)
        for path in targets(page, live[page]):
            found = resolve(path, live)
            if found is None:
                broken.append(f"{page} -> /{path}")
            else:
                todo.append(found)
    return broken


def replay(order: list[str], before: dict[str, str], site: Path) -> list[str]:
    """Upload `order` one file at a time over `before`; every broken link a reader could meet on the way."""
    live, met = dict(before), []
    for name in order:
        live[name] = (site / name).read_text(encoding="utf-8", errors="replace")
        met += [f"after {name}: {link}" for link in broken_links(live)]
    return met


@pytest.fixture
def two_builds(tmp_path):
    """A site built, then rebuilt with two new guides linking each other and the transit guide linking one."""
    fx = standard_project(tmp_path / "proj")
    fx.build()
    first = tmp_path / "first"
    with pinned(fx.out) as site:
        first.mkdir()
        for name in site_files(site):
            (first / name).parent.mkdir(parents=True, exist_ok=True)
            (first / name).write_bytes((site / name).read_bytes())
    fx.write("guides", "airport", "title: 机场指南\ndate: 2025-06-25\nprogramme: airport-help",
             "## 交通\n\n到市区可以[乘出租车](../taxi/)。\n")
    fx.write("guides", "taxi", "title: 出租车指南\ndate: 2025-06-26", "## 机场\n\n见[机场指南](../airport/)。\n")
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n[到达机场以后](../airport/)\n")
    fx.ingest()
    assert fx.build().problems == []
    return fx, first


class RecordingFolder(FolderSink):
    def __init__(self, target: Path):
        super().__init__(target)
        self.order: list[str] = []

    def put(self, path: Path, name: str) -> None:
        self.order.append(name)
        super().put(path, name)


class RecordingS3(S3Sink):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order: list[str] = []

    def put(self, path: Path, name: str) -> None:
        self.order.append(name)
        super().put(path, name)


def contents(files: dict[str, bytes]) -> dict[str, str]:
    return {name: data.decode("utf-8", errors="replace") for name, data in files.items()}


def test_a_folder_deploy_never_shows_a_reader_a_link_to_a_file_not_yet_uploaded(two_builds, tmp_path):
    fx, first = two_builds
    target = tmp_path / "www"
    FolderSink(target).deploy(first)
    before = contents({p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*")
                       if p.is_file() and p.name != DEPLOY_MANIFEST})
    assert broken_links(before) == []
    sink = RecordingFolder(target)
    with pinned(fx.out) as site:
        report = sink.deploy(site)
        assert sink.order == report.uploaded and "zh/guides/airport/index.html" in sink.order
        assert replay(sink.order, before, site) == []
        # the order by kind alone (before this) let the section list link the new guides before they were there
        by_kind = sorted(sink.order, key=lambda n: (rank(n), n))
        assert any("-> /zh/guides/taxi/" in m for m in replay(by_kind, before, site))


def test_an_s3_deploy_never_shows_a_reader_a_link_to_a_file_not_yet_uploaded(two_builds, s3_endpoint, monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    fx, first = two_builds
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket="order")
    S3Sink("s3://order/www", s3_endpoint).deploy(first)
    listed = client.list_objects_v2(Bucket="order", Prefix="www/")["Contents"]
    before = contents({o["Key"][4:]: client.get_object(Bucket="order", Key=o["Key"])["Body"].read()
                       for o in listed if not o["Key"].endswith(DEPLOY_MANIFEST)})
    sink = RecordingS3("s3://order/www", s3_endpoint)
    with pinned(fx.out) as site:
        report = sink.deploy(site)
        assert sink.order == report.uploaded
        new = [n for n in sink.order if n.startswith("zh/guides/") and n.split("/")[2] in ("airport", "taxi")]
        assert sink.order.index("zh/guides/transit/index.html") > max(sink.order.index(n) for n in new)
        assert replay(sink.order, before, site) == []
