"""The one Markdown renderer: raw HTML off (content is untrusted), tables, heading anchors.

Links and images pointing at files beside a document (`![地图](map.png)`, `[表](form.pdf)`)
are found by one core rule: `file_references` lists them (with their line, for `zaitun check`)
and `render_markdown` rewrites them to where the publisher put the file.

markdown-it-py is the reference. A text it would render without a file link to rewrite goes
through markdown-it-pyrs (the same markdown-it rules in Rust, many times faster) with the heading
anchors added the way the reference's anchors plugin adds them; a test renders the same texts with
both and asserts the same HTML. Whatever the fast parser cannot do the same way (a file link to
rewrite, a heading over several lines) is rendered by the reference.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from zaitun.content import labels

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

FileLink = Callable[[str], str | None]  # link as written -> new href, or None to leave it as written
PAGE_SUFFIXES = (".md", ".html", ".htm")  # links to these are pages, not files to publish
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# `](dest` or `]: dest` where dest is not external, root-relative or a fragment: a text without one
# has no file reference, so the (much slower) parse is skipped
_CANDIDATE = re.compile(r"\](?:\(|:)\s*<?(?![a-zA-Z][a-zA-Z0-9+.-]*:|[/#])")
_ANCHORED = re.compile(r"<h([2-6])>(.*?)</h\1>", re.S)  # the levels the anchors plugin gives an id
_TAG = re.compile(r"<[^>]*>")
# every rule of the reference parser below, and nothing else: no raw HTML, no linkify, no typographer
_FAST_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
               "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table"]


@dataclass(frozen=True)
class FileReference:
    """A link or image in a document that points at a file relative to the document."""

    target: str  # as markdown-it normalised it (percent-encoded)
    line: int  # 0-based line in the Markdown text
    alt: str | None  # the alt text of an image; None for a link


def _slugify(text: str) -> str:
    """Anchor ids that keep Chinese characters (browsers accept them in fragments); a heading that
    starts with a structure label gets the label's id in both languages (第三条, Article 3 -> article-3)."""
    anchor = labels.anchor(text)
    if anchor:
        return anchor
    out = []
    for ch in text.strip().lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-") or "section"


def is_file_reference(target: str, image: bool) -> bool:
    """A relative link to a file: not a page, fragment, root-relative or external (scheme) link."""
    if not target or target.startswith(("#", "/", "?")) or _SCHEME.match(target):
        return False
    path = re.split(r"[?#]", target, maxsplit=1)[0].lower()
    return image or ("." in path.rsplit("/", 1)[-1] and not path.endswith(PAGE_SUFFIXES))


def _file_links(state: StateCore) -> None:
    """Core rule: report file references to env["file_refs"], rewrite them with env["file_link"]."""
    env = state.env if isinstance(state.env, dict) else {}
    refs, file_link, page_refs = env.get("file_refs"), env.get("file_link"), env.get("page_refs")
    if refs is None and file_link is None and page_refs is None:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        line = block.map[0] if block.map else 0
        for token in block.children:
            if token.type in ("softbreak", "hardbreak"):
                line += 1
            attr = "src" if token.type == "image" else "href" if token.type == "link_open" else None
            target = str(token.attrGet(attr) or "") if attr else ""
            if not attr or not is_file_reference(target, token.type == "image"):
                if attr and page_refs is not None and target and not _SCHEME.match(target):
                    page_refs.append(FileReference(target, line, None))
                continue
            if refs is not None:
                refs.append(FileReference(target, line, token.content.strip() if token.type == "image" else None))
            new = file_link(target) if file_link else None
            if new is not None:
                token.attrSet(attr, new)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from mdit_py_plugins.anchors import anchors_plugin

    md = _commonmark().use(anchors_plugin, min_level=2, max_level=6, slug_func=_slugify, permalink=False)
    md.core.ruler.push("file_links", _file_links)
    return md


def _commonmark() -> MarkdownIt:
    """The reference's rules: CommonMark with tables, raw HTML off (imported here: a build whose texts all take the
    fast parser never loads the reference, 0.03 s)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable(["html_block", "html_inline"])  # with html off they only ever say no, once per line or '<'
    return md


@lru_cache(maxsize=1)
def _fast_parser():
    try:
        import markdown_it_pyrs
    except ImportError:  # an optional speed-up: the reference renders everything without it
        return None
    return markdown_it_pyrs.MarkdownIt("zero").enable_many(_FAST_RULES)


def render_markdown(text: str, file_link: FileLink | None = None) -> str:
    """Markdown to safe HTML; `javascript:` and other unsafe links are refused by markdown-it.

    With `file_link`, each relative link to a file is replaced by what it returns for it.
    """
    fast = _fast_parser()
    if fast is not None and not (file_link and _CANDIDATE.search(text)) and not _fast_may_panic(text):
        try:
            fast_html = fast.render(text)
        except BaseException as exc:  # a Rust panic is a pyo3 PanicException, which is no Exception
            if type(exc).__name__ != "PanicException":
                raise
            fast_html = None
        # the one spelling the two differ in: an empty blockquote (the reference writes no newline in it)
        rendered = None if fast_html is None else _with_anchors(
            fast_html.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>"))
        if rendered is not None:
            return rendered
    return reference_render(text, file_link)


def _fast_may_panic(text: str) -> bool:
    """A backtick after a "[": markdown-it.rs 0.4 panics on some of these ("[`", "see [`zaitun check"),
    printing its panic to stderr; the reference renders them."""
    bracket = text.find("[")
    return bracket >= 0 and "`" in text[bracket:]


def visible_text(text: str) -> str:
    """The text a reader of the rendered page sees: Markdown and entities rendered, tags gone
    (`**Propaganda** Department` and `&#80;ropaganda` read as plain words); and, a line each, what a link's
    title and an image's alt text say (a tooltip, a screen reader: `[site](url "Propaganda&nbsp;Department")`)."""
    rendered = render_markdown(text)
    return html.unescape("\n".join([_TAG.sub("", rendered), *_SAID.findall(rendered)]))


_SAID = re.compile(r'\s(?:title|alt)="([^"]*)"')  # (the renderer writes a double quote inside as &quot;)


def reference_render(text: str, file_link: FileLink | None = None) -> str:
    """The reference renderer (markdown-it-py): what `render_markdown` output must always equal."""
    return _parser().render(text, {"file_link": file_link} if file_link else None)


def _with_anchors(rendered: str) -> str | None:
    """Ids on h2-h6 as the anchors plugin gives them (slug of the heading's text, made unique in
    order); None when a heading spans lines, where the plugin's text differs from the HTML's."""
    slugs: set[str] = set()
    out, last = [], 0
    for match in _ANCHORED.finditer(rendered):
        inner = match.group(2)
        if "\n" in inner:
            return None
        slug = _unique(_slugify(html.unescape(_TAG.sub("", inner))), slugs)
        out += [rendered[last:match.start()], f'<h{match.group(1)} id="{_attribute(slug)}">', inner,
                f"</h{match.group(1)}>"]
        last = match.end()
    return "".join(out) + rendered[last:] if out else rendered


def _unique(slug: str, slugs: set[str]) -> str:
    """The anchors plugin's unique_slug (`a`, `a-1`, `a-2`), here so the fast path needs no markdown-it-py."""
    unique, i = slug, 1
    while unique in slugs:
        unique, i = f"{slug}-{i}", i + 1
    slugs.add(unique)
    return unique


def _attribute(text: str) -> str:
    """markdown-it-py's escapeHtml: & < > and double quotes, not single ones."""
    return html.escape(text, quote=False).replace('"', "&quot;")


@dataclass(frozen=True)
class SiteLinks:
    """What `site_links` finds: links within the site that are no files, and links refused as unsafe."""

    pages: list[FileReference]  # other pages (`../other/`, `/zh/guides/`) and fragments (`#part`), in order
    refused: list[FileReference]  # each at the first line holding it (0 if none does)


def site_links(text: str) -> SiteLinks:
    """The links of a Markdown text that stay on the site but are not files beside it, and those markdown-it
    refuses as unsafe (`javascript:`, `vbscript:`, `file:`, `data:` but images' pictures), which the page shows
    as the text written (`[附件](javascript:…)`); one parse for both."""
    if not ("](" in text or "]:" in text or ("<" in text and ":" in text)):  # no link syntax, no link
        return SiteLinks([], [])
    from markdown_it.common.normalize_url import validateLink

    pages: list[FileReference] = []
    refused: list[str] = []
    md = _CHECKING.__dict__.get("parser") or _checking_parser()
    md.validateLink = lambda url: validateLink(url) or refused.append(url) or False
    md.parse(text, {"page_refs": pages})
    _CHECKING.parser = md
    lines = [html.unescape(line).lower() for line in text.splitlines()] if refused else []
    found = []
    for url in dict.fromkeys(refused):
        written = html.unescape(url).lower()
        found.append(FileReference(url, next((n for n, shown in enumerate(lines) if written in shown), 0), None))
    return SiteLinks(pages, found)


_CHECKING = threading.local()  # each thread's parser for site_links: its link check records for one call


def _checking_parser() -> MarkdownIt:
    """The reference's rules and file-link rule in a parser of its own, whose link check the caller sets."""
    md = _commonmark()
    md.core.ruler.push("file_links", _file_links)
    return md


_INDENT = re.compile(r"^[ \t>*+\-0-9.)]{5,}", re.M)  # a line's start of quote marks, list markers, indentation
_CONTAINERS = {"blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"}


def too_deep(text: str) -> tuple[int, int] | None:
    """Where quotes and lists are nested deeper than the reference parser reads (its maxNesting): it stops there
    and leaves out the rest of the text. The 0-based line and the limit; None when nothing is. Each level takes a
    character or more of its line's start, so only a text with a line starting that deep is parsed for it."""
    limit = _parser().options.maxNesting - 1  # the level of the deepest block it opens and reads what is in
    if not any(len(m.group().expandtabs(4)) >= limit for m in _INDENT.finditer(text)):
        return None
    for token in _parser().parse(text):
        if token.nesting == 1 and token.level >= limit and token.type in _CONTAINERS:
            return (token.map[0] if token.map else 0), limit
    return None


def file_references(text: str) -> list[FileReference]:
    """The relative file links and images of a Markdown text, in order."""
    refs: list[FileReference] = []
    if _CANDIDATE.search(text):
        _parser().parse(text, {"file_refs": refs})
    return refs
