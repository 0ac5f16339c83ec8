"""Which document a person means on the command line: its slug, or the path of its file as they see it in
content/ (staff think in files, and a file's slug may differ from its name); a name that is neither gets the
nearest slugs, so a typo is one look away from the right command."""

from __future__ import annotations

import difflib
from pathlib import Path

from zaitun.errors import ReviewError
from zaitun.project import Project
from zaitun.state.segments import DocumentState
from zaitun.state.store import Store

NEAR = 0.6  # how alike a slug must be to be suggested (difflib's ratio)


def named(project: Project, store: Store, name: str) -> str:
    """The slug of the document in review that `name` names: a slug, or its file's path (from the current
    folder, the project's root or content/). ReviewError, saying what was meant if it can, otherwise."""
    row = store.document(name)
    if row is not None and row["status"] == DocumentState.ACTIVE:
        return name
    wanted = _paths(project, name)
    for doc in store.document_heads() if wanted else ():
        if Path(doc["path"]).resolve() in wanted:
            return doc["slug"]
    raise unknown(store, name)


def unknown(store: Store, name: str) -> ReviewError:
    """The error for a name no document in review has: withdrawn, or the nearest slugs."""
    row = store.document(name)
    if row is not None:
        return ReviewError(f"document {name!r} is withdrawn (its file left content/): nothing of it is in review")
    near = difflib.get_close_matches(name, [doc["slug"] for doc in store.document_heads()], n=3, cutoff=NEAR)
    meant = f": did you mean {' or '.join(repr(slug) for slug in near)}?" if near else ""
    return ReviewError(f"no document {name!r} in review{meant} (see `zaitun review list`)")


def _paths(project: Project, name: str) -> set[Path]:
    """Where a name that looks like a file's path may point, as resolved paths."""
    if "/" not in name and not name.endswith((".md", ".txt", ".docx")):
        return set()
    given = Path(name).expanduser()
    bases = [Path.cwd(), project.root, project.content_dir] if not given.is_absolute() else [Path("/")]
    found = {(base / given).resolve() for base in bases}
    return found | {path.with_suffix(".md") for path in found if path.suffix in (".txt", ".docx")}
