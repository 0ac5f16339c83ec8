"""Links from a document to other pages of the site, checked before the build ever sees them.

The site lint refuses a page whose link points nowhere (`[附件](../../notice)`, `#a-heading-that-is-not`);
here the same rules (`lint.link_target`, `lint.exists`, `lint.page_facts`) run on the content files, so
`zaitun check` and intake report the document at `path:line` instead.
"""

from __future__ import annotations

import math
import posixpath
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from zaitun.content.links import shown_link, unsafe_link_problems
from zaitun.content.markdown import FileReference, site_links
from zaitun.content.model import Document
from zaitun.errors import ContentError
from zaitun.publish import extras, layout, lint
from zaitun.publish.render import body_html


def redirect_files(documents: list[Document], moved: Mapping[str, list[str]]) -> set[str]:
    """The redirect pages a build of these documents would write: their aliases', and those of old addresses
    (`moved`: old page path -> [lang, slug], as the last build saved them) that lead to one of them. A link to
    a renamed document's old address still arrives."""
    live = [d for d in documents if not d.draft]
    slugs = {d.slug for d in live}
    paths = [path for path, (_lang, slug) in moved.items() if slug in slugs]
    paths += [layout.alias_path(alias)[0] for d in live for alias in d.meta.get("aliases") or ()]
    return {layout.file_of(p) for p in paths}


def site_files(documents: list[Document], static_dir: Path, page_size: int,
               same: dict[str, str] | None = None) -> set[str]:
    """The files a build of these documents would write (media aside: those are checked as file links); `same`:
    the tags written as another's Chinese label, and that tag (content.tags.same_tags)."""
    same = same or {}
    paths = [layout.ROOT, layout.NOT_FOUND, layout.ROBOTS, layout.PROVENANCE]
    live = [d for d in documents if not d.draft]
    pages = 0
    for lang in layout.LANGS:
        lists: Counter[str] = Counter()
        paths += [layout.home(lang), layout.search(lang), layout.tags(lang), layout.programmes(lang),
                  layout.feed(lang, "rss"), layout.feed(lang, "atom")]
        for doc in live:
            paths.append(layout.document(lang, doc.section, doc.slug))
            lists[layout.section(lang, doc.section)] += 1
            if doc.programme:
                lists[layout.programme(lang, doc.programme)] += 1
                paths += [layout.feed(lang, kind, doc.programme) for kind in layout.FEED_FILES]
            for tag_path in {layout.tag(lang, same.get(t, t)) for t in doc.tags}:
                lists[tag_path] += 1
        for path, count in lists.items():
            paged = [layout.paged(path, n) for n in range(1, math.ceil(count / page_size) + 1)]
            paths += paged
            pages += len(paged)
        pages += 4 + len(live)  # the home, search, tags and programmes pages, and the documents'
    files = {layout.file_of(p) for p in paths}
    files |= extras.sitemap_files(pages, [d.slug for d in live for _ in layout.LANGS])
    if static_dir.is_dir():
        names = (p.relative_to(static_dir).as_posix() for p in static_dir.rglob("*") if p.is_file())
        files |= {layout.static(n) for n in names if not any(part.startswith(".") for part in n.split("/"))}
    return files


def page_link_problems(doc: Document, existing: set[str], urls: layout.Urls) -> list[ContentError]:
    """Links of the document's page to pages that will not exist, and to anchors it does not have."""
    page = layout.document("zh", doc.section, doc.slug)
    problems = []
    links = site_links(doc.body)
    for ref in links.pages:
        fragment = ref.target.startswith("#")
        problem = _fragment_problem(doc, ref) if fragment else _page_problem(page, ref, existing, urls, doc.source)
        if problem:
            problems.append(ContentError(doc.path, problem, doc.body_line + ref.line))
    return problems + unsafe_link_problems(doc)


def _page_problem(page: str, ref: FileReference, existing: set[str], urls: layout.Urls, source: str) -> str | None:
    target = lint.link_target(page, ref.target, urls)
    if target is None or lint.exists(target, existing):
        return None
    named = _named_page(ref.target, source)
    if named and lint.exists(named, existing):  # `../policies/notice.md`: a content file, as a picture is linked
        return (f"link {shown_link(ref.target)} names the content file of a document: link its page instead, "
                f"/{named} (its English page: /{named.replace('zh/', 'en/', 1)})")
    return (f"link {shown_link(ref.target)} points to /{shown_link(target)}, which the site will not have: "
            "fix the link or remove it")


def _named_page(target: str, source: str) -> str | None:
    """The Chinese page of the document whose file a link names relative to the linking file (`source`, as
    `guides/a.md`), as `section/slug.md`; None for any other link."""
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not path.endswith(".md") or path.startswith("/"):
        return None
    named = posixpath.normpath(posixpath.join(posixpath.dirname(source), path)).split("/")
    return layout.document("zh", named[0], named[1][:-3]) if len(named) == 2 else None


def _fragment_problem(doc: Document, ref: FileReference) -> str | None:
    facts = lint.page_facts(f'<main id="main">{body_html(doc.body)}</main>')
    if ref.target not in facts["links"]:
        return None
    return f"link {shown_link(ref.target)}: this page has no heading with that anchor"
