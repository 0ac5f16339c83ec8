"""Jinja2 templates (autoescaped) and the stylesheet: the look of the site in one place."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from zaitun.content.markdown import FileLink, render_markdown

if TYPE_CHECKING:
    from jinja2 import Environment

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STYLESHEET = HERE / "static" / "style.css"
ICON = HERE / "static" / "icon.svg"  # the site's icon: browsers ask every site for one


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Templates are part of the package (design_digest is computed once too): no need to stat them on
    every page to see whether they changed."""
    from zaitun.publish.jinja import make_environment  # here: intake and check use body_html, no template

    env = make_environment(TEMPLATES)
    env.filters["jsonld"] = jsonld
    _use_compiled(env)
    return env


_COMPILED: list[Path | None] = [None]  # where compiled templates are kept (compile_templates_in)


def compile_templates_in(folder: Path | None) -> None:
    """Keep compiled templates in `folder` (None: nowhere). The folder is named for zaitun's code
    (stamps.code_digest): Jinja checks a template's source, not the options it was compiled with; the folders
    of other code beside it are removed."""
    if folder == _COMPILED[0]:
        return
    _COMPILED[0] = folder
    if folder is not None and not folder.is_dir():
        with contextlib.suppress(OSError):
            for other in folder.parent.iterdir() if folder.parent.is_dir() else ():
                shutil.rmtree(other, ignore_errors=True)
            folder.mkdir(parents=True)
    if environment.cache_info().currsize:
        _use_compiled(environment())


def _use_compiled(env: Environment) -> None:
    from zaitun.publish.jinja import CompiledTemplates

    folder = _COMPILED[0]
    env.bytecode_cache = CompiledTemplates(str(folder)) if folder is not None and folder.is_dir() else None


def warm() -> None:
    """Compile the templates and build the Markdown parser in this process, before it forks render
    workers: done once here instead of once in every worker (and kept for the next build)."""
    for name in environment().list_templates(extensions=["html"]):
        environment().get_template(name)
    render_markdown("")


def jsonld(data: dict) -> Markup:
    """JSON for a <script> element: `<`, `>` and `&` escaped so content can never close the tag."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def render_page(template: str, context: dict) -> bytes:
    return environment().get_template(template).render(**context).encode("utf-8")


def body_html(markdown: str, file_link: FileLink | None = None) -> Markup:
    """Content Markdown as HTML; content headings start at h2 so each page has exactly one h1.
    `file_link` says where files linked beside the document were published."""
    html = render_markdown(markdown, file_link)
    return Markup(html.replace("<h1", "<h2").replace("</h1>", "</h2>"))


def stylesheet() -> bytes:
    return STYLESHEET.read_bytes()


@lru_cache(maxsize=1)
def design_digest() -> str:
    """Changes whenever a template or the stylesheet changes, so every page is re-rendered."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.glob("*.html")) + [STYLESHEET, ICON, Path(__file__), HERE / "jinja.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def css_digest() -> str:
    return hashlib.sha256(stylesheet()).hexdigest()[:10]


def icon() -> bytes:
    return ICON.read_bytes()


@lru_cache(maxsize=1)
def icon_digest() -> str:
    return hashlib.sha256(icon()).hexdigest()[:10]
