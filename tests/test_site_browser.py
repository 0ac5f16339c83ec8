"""A real browser (headless Chromium) renders a Chinese and an English page of the built site."""

from __future__ import annotations

import functools
import os
import shutil
import struct
import threading
import zlib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from publish_helpers import standard_project

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    fx = standard_project(tmp_path_factory.mktemp("browser") / "proj")
    fx.translate_and_approve("paying", english=lambda s: "Paying with foreign bank cards in Quanzhou.")
    fx.build()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(fx.out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=shutil.which(CHROMIUM) or CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def distinct_pixel_bytes(png: bytes) -> int:
    """How varied the image is: a blank page has a handful of byte values, a rendered one hundreds."""
    pos, data = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(data)))


@pytest.mark.parametrize("path, lang, heading, nav_text", [
    ("/zh/guides/paying/", "zh-Hans", "境外银行卡支付指南", "办事指南"),
    ("/en/guides/paying/", "en", "Paying with foreign bank cards in Quanzhou.", "Guides"),
])
def test_browser_renders_the_page_in_its_language(served, browser, tmp_path, path, lang, heading, nav_text):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto(served + path)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == heading
    assert nav_text in page.locator("nav").inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor") \
        == "rgb(15, 94, 110)"  # the stylesheet loaded
    shot = page.screenshot(path=str(tmp_path / f"{lang}.png"), full_page=True)
    page.goto("about:blank")
    blank = page.screenshot()
    assert distinct_pixel_bytes(shot) > 3 * distinct_pixel_bytes(blank)
    page.close()


def test_language_switcher_leads_to_the_other_language_in_the_browser(served, browser):
    page = browser.new_page()
    page.goto(served + "/zh/guides/paying/")
    page.click("a.switch")
    assert page.url.endswith("/en/guides/paying/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.close()


def test_a_renamed_documents_old_address_lands_on_its_new_page_in_the_browser(tmp_path, browser):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    guides = fx.project.content_dir / "guides"
    (guides / "transit.md").rename(guides / "transit-240.md")  # staff give the file a better name
    fx.ingest()
    fx.translate_and_approve("transit-240")
    fx.build()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(fx.out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        for lang, heading in (("zh", "240小时过境免签政策指南"), ("en", "EN[240小时过境免签政策指南]")):
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/{lang}/guides/transit/")
            page.wait_for_url(f"**/{lang}/guides/transit-240/")  # a link someone kept still reaches the notice
            assert page.locator("h1").inner_text() == heading
        page.close()
    finally:
        server.shutdown()
        server.server_close()
