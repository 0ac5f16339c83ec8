"""`zaitun check`: validate zaitun.toml, every content file (and the files it links), static/, the glossaries
and the tag labels, modifying nothing."""

from __future__ import annotations

from zaitun.config import load_config
from zaitun.content.model import load_documents
from zaitun.errors import LocatedError
from zaitun.project import Project
from zaitun.publish.extras import static_files
from zaitun.publish.media import document_problems


def check_project(project: Project) -> list[LocatedError]:
    """Every problem found, each naming its file and line; one bad file never hides another."""
    problems: list[LocatedError] = []
    try:
        load_config(project.config_path)
    except LocatedError as exc:
        problems.append(exc)
    problems.extend(content_problems(project))
    problems.extend(static_files(project.static_dir)[1])
    problems.extend(_glossary_problems(project))
    return problems


def content_problems(project: Project) -> list[LocatedError]:
    """Problems of the content files and of the files they link (what `zaitun status` lists too)."""
    loaded = load_documents(project.content_dir)
    problems: list[LocatedError] = list(loaded.errors)
    for doc in loaded.documents:
        problems.extend(document_problems(doc, project.content_dir))
    return problems


def _glossary_problems(project: Project) -> list[LocatedError]:
    from zaitun.content.tags import load_tag_labels
    from zaitun.translate.glossary import lint_glossaries

    problems: list[LocatedError] = list(lint_glossaries(project.glossary_dir))
    try:
        load_tag_labels(project.glossary_dir)
    except LocatedError as exc:
        problems.append(exc)
    return problems
