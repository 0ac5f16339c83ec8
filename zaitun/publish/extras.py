"""Site-wide files: the root language chooser, 404 page, stylesheet, sitemap, robots.txt, provenance."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from zaitun.publish import layout
from zaitun.publish.pages import Output, PageSpec, Site, alternate_links, alternates_of, key_of
from zaitun.publish.render import design_digest, render_page, stylesheet


def extra_outputs(specs: list[PageSpec], site: Site) -> list[Output]:
    """Everything besides document, list and feed files."""
    home = {lang: layout.home(lang) for lang in layout.LANGS}
    base = {"css": site.urls.link(site.css_path), "zh_href": site.urls.link(home["zh"]),
            "en_href": site.urls.link(home["en"]), "titles": site.titles}
    root = base | {"canonical": site.urls.absolute(layout.ROOT),
                   "alternates": alternate_links(home, site, x_default=layout.ROOT)}
    sitemap = sitemap_xml(specs, site)
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {site.urls.absolute(layout.SITEMAP)}\n".encode()
    provenance = provenance_json(specs, site)
    return [
        Output(site.css_path, key_of(design_digest()), stylesheet, kind="asset"),
        Output(layout.ROOT, key_of(design_digest(), root), lambda: render_page("root.html", root)),
        Output(layout.NOT_FOUND, key_of(design_digest(), base), lambda: render_page("404.html", base)),
        Output(layout.SITEMAP, key_of(sitemap), lambda: sitemap, kind="sitemap"),
        Output(layout.ROBOTS, key_of(robots.decode()), lambda: robots, kind="meta"),
        Output(layout.PROVENANCE, key_of(provenance.decode()), lambda: provenance, kind="meta"),
    ]


def static_outputs(folder: Path) -> list[Output]:
    """The project's static/ files (images, PDFs), copied as they are; hidden files are skipped."""
    if not folder.is_dir():
        return []
    items = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        data = path.read_bytes()
        items.append(Output(layout.static(rel), hashlib.sha256(data).hexdigest()[:24], lambda data=data: data,
                            kind="asset"))
    return items


def sitemap_xml(specs: list[PageSpec], site: Site) -> bytes:
    """sitemap.xml with an xhtml:link alternate for every language version of each page."""
    groups = alternates_of(specs)
    home = {lang: layout.home(lang) for lang in layout.LANGS}
    rows = [_url(layout.ROOT, alternate_links(home, site, x_default=layout.ROOT), site, None)]
    for spec in specs:
        x_default = layout.ROOT if spec.group == ("home",) else None
        lastmod = spec.entry.updated.date().isoformat() if spec.entry else None
        rows.append(_url(spec.path, alternate_links(groups[spec.group], site, x_default), site, lastmod))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n' + "".join(rows) + "</urlset>\n").encode("utf-8")


def _url(path: str, alternates: list[dict], site: Site, lastmod: str | None) -> str:
    links = "".join(f'    <xhtml:link rel="alternate" hreflang={quoteattr(a["hreflang"])} '
                    f'href={quoteattr(a["href"])}/>\n' for a in alternates)
    mod = f"    <lastmod>{lastmod}</lastmod>\n" if lastmod else ""
    return f"  <url>\n    <loc>{escape(site.urls.absolute(path))}</loc>\n{mod}{links}  </url>\n"


def provenance_json(specs: list[PageSpec], site: Site) -> bytes:
    """Who and what produced every published document page (engines, glossary versions, approvers)."""
    pages = {site.urls.absolute(s.path): {"lang": s.lang, "slug": s.entry.slug} | s.entry.provenance
             for s in specs if s.entry is not None}
    return json.dumps({"pages": pages}, ensure_ascii=False, indent=1, sort_keys=True, default=str).encode("utf-8")
