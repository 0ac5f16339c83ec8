"""Files beside the documents (images, PDFs) that content links relatively: found, checked, published.

`content/guides/transit.md` writing `![机场地图](images/map.png)` gets content/guides/images/map.png
published once, at media/guides/images/map.png (its path under content/), and both language
pages link it there. A link that leaves content/ (`../../etc/passwd`), or reaches a hidden
file or a symlink, is refused: nothing outside content/ is ever published.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from zaitun.content.files import RefusedLink, link_tail, locate, resolve
from zaitun.content.markdown import file_references
from zaitun.errors import PublishError
from zaitun.publish import layout
from zaitun.publish.extras import copied_file
from zaitun.publish.inputs import Entry
from zaitun.publish.pages import Output


# -- the build ------------------------------------------------------------------------------------
def media_outputs(entries: list[Entry], content_dir: Path, urls: layout.Urls,
                  refused_by: dict[int, str] | None = None) -> list[Output]:
    """One output per file the entries link to, and each entry told where its links now point.

    A refused link stops the build, naming page and link, unless `refused_by` is given: then the
    index of each entry with a refused link is put there with why, and the caller leaves it out.
    A missing file is left as written, so the site lint reports it as a broken link of that page.
    """
    found: dict[str, Path] = {}
    refused: list[str] = []
    for index, entry in enumerate(entries):
        refs = entry.refs if entry.refs is not None else [r.target for r in file_references(entry.body)]
        if not refs:  # most documents link no file
            if entry.file_links:
                entry.file_links = {}
            continue
        links: dict[str, str] = {}
        for target in refs:
            try:
                rel = resolve(target, entry.source)
                path = found.get(rel) or locate(rel, content_dir)
            except RefusedLink as exc:
                page = layout.file_of(layout.document(entry.lang, entry.section, entry.slug))
                refused.append(f"{page}: link {unquote(target)} refused: {exc}")
                if refused_by is not None:
                    refused_by.setdefault(index, f"link {unquote(target)} refused: {exc}")
                continue
            if path is not None:
                found[rel] = path
                links[target] = urls.link(layout.media(rel)) + link_tail(target)
        entry.file_links = links
    if refused and refused_by is None:
        raise PublishError("the site was not built, a document links outside content/:\n  " + "\n  ".join(refused))
    return [copied_file(layout.media(rel), path) for rel, path in sorted(found.items())]
