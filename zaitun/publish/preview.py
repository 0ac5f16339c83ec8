"""A local preview of publish/ on 127.0.0.1, served as the deploy serves it: under the path of site.base_url
(`https://gov.example.org/www/` at /www/), each file with the media type S3 gives it, no folder listed, nothing
the deploy leaves out (the social outbox, hidden files), and missing pages answered with the site's own 404."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from zaitun.mediatypes import content_type
from zaitun.publish.sinks import content_disposition, deployable


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from the site folder. publish/ is a link switched by each build: a request resolves it
    once and answers from that one version, so a switch is seen by the next request and never within one."""

    def __init__(self, *args, directory: str, base: str = "/", **kwargs):
        self.site = directory
        self.base = base  # the site's path on its server: "/", or "/www/"
        super().__init__(*args, directory=directory, **kwargs)

    def do_GET(self):
        if self.base != "/" and urlsplit(self.path).path == "/":  # the server's root: the site is at its path
            self.send_response(302)
            self.send_header("Location", self.base)
            self.end_headers()
            return
        super().do_GET()

    def translate_path(self, path):
        """The file of a site path under `base`; one no deploy would upload (the social outbox, a hidden file,
        anything outside `base`) is a file no site has."""
        route = unquote(urlsplit(path).path)
        inside = route.startswith(self.base) or route + "/" == self.base
        rel = route[len(self.base):] if inside else ""
        # a NUL names no file: http.server's open() raised ValueError, which dropped the connection
        if not inside or "\0" in rel or not deployable(rel.lstrip("/")):
            return os.path.join(self.directory, ".not-in-the-site")
        return super().translate_path("/" + rel)

    def guess_type(self, path):
        return content_type(str(path))  # as a deploy to S3 gives it (feeds as RSS and Atom, text with its charset)

    def list_directory(self, path):
        """A folder without an index page is no page on S3: none here either."""
        self.send_error(404)

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


def site_path(base_url: str) -> str:
    """The path the site has on its server, as site.base_url says: "/", or "/www/"."""
    path = urlsplit(base_url).path.strip("/")
    return f"/{path}/" if path else "/"


def make_server(folder: Path, host: str = "127.0.0.1", port: int = 8000,
                base_url: str = "") -> http.server.ThreadingHTTPServer:
    """A preview of the site in `folder` at the path of `base_url` (site.base_url; the root without one)."""
    handler = functools.partial(PreviewHandler, directory=str(folder), base=site_path(base_url))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve_folder(folder: Path, host: str = "127.0.0.1", port: int = 8000,
                 base_url: str = "") -> http.server.ThreadingHTTPServer:
    """Serve folder from a background thread; stop it with the returned server's shutdown()."""
    server = make_server(folder, host, port, base_url)
    threading.Thread(target=server.serve_forever, daemon=True, name="preview").start()
    return server
