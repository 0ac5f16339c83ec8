"""A local preview of publish/ on 127.0.0.1, answering missing pages with the site's own 404 page."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from zaitun.publish.sinks import content_disposition


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from the site folder. publish/ is a link switched by each build: a request resolves it
    once and answers from that one version, so a switch is seen by the next request and never within one."""

    def __init__(self, *args, directory: str, **kwargs):
        self.site = directory
        super().__init__(*args, directory=directory, **kwargs)

    def send_head(self):
        self.directory = os.path.realpath(self.site)
        del self.headers["If-Modified-Since"]  # (file times tell nothing of a version's content: never 304)
        return super().send_head()

    def end_headers(self):
        """Supplied SVG/HTML files download and run nothing, as on S3 (see sinks.content_disposition). Every
        answer is checked again by the browser (no-cache): a page kept unchanged by a build keeps its old
        file time, so a browser judging by Last-Modified would show a page from before a rebuild or a
        rollback."""
        self.send_header("Cache-Control", "no-cache")
        disposition = content_disposition(unquote(urlsplit(self.path).path).lstrip("/"))
        if disposition:
            self.send_header("Content-Disposition", disposition)
            self.send_header("Content-Security-Policy", "sandbox")
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def make_server(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(PreviewHandler, directory=str(folder))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve_folder(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """Serve folder from a background thread; stop it with the returned server's shutdown()."""
    server = make_server(folder, host, port)
    threading.Thread(target=server.serve_forever, daemon=True, name="preview").start()
    return server
