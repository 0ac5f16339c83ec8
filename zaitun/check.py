"""`zaitun check`: validate zaitun.toml, every content file (and the files it links), static/, the glossaries
and the tag labels, modifying nothing; and name the files in content/ that nothing reads nor links, and the
documents that are the same notice as another (warnings)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from zaitun.config import Config, Limits, load_config
from zaitun.content.intake import Validator, checked_segments, convert_dropped, dropped_notices
from zaitun.content.links import document_problems
from zaitun.content.model import Document, content_source, load_documents, parse_document
from zaitun.content.twice import same_notices
from zaitun.content.unread import unread_files
from zaitun.content.writing import still_written, wait_for_writers
from zaitun.errors import ConfigError, ContentError, LocatedError
from zaitun.project import STATE_DIR, Project
from zaitun.publish import layout
from zaitun.publish.extras import static_files
from zaitun.publish.pagelinks import page_link_problems, redirect_files, site_files
from zaitun.state.reads import Reads, SqliteReads


@dataclass
class Findings:
    """What check finds: problems, each a refusal (check fails), and files not read and notices in content/
    twice, which stop nothing."""

    problems: list[LocatedError] = field(default_factory=list)
    unread: list[LocatedError] = field(default_factory=list)  # content/unread.py
    twice: list[LocatedError] = field(default_factory=list)  # content/twice.py
    writing: list[LocatedError] = field(default_factory=list)  # files not checked yet: content/writing.py
    # aliases the build would not write (another page's address): the build names them, not intake (check only)
    aliases: list[LocatedError] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)  # those that read


def check_project(project: Project) -> list[LocatedError]:
    """Every problem found, each naming its file and line; one bad file never hides another."""
    return check_findings(project).problems


def check_findings(project: Project) -> Findings:
    """Every problem found, and every file in content/ nothing reads nor links."""
    found = Findings()
    try:
        config = load_config(project.config_path)
    except LocatedError as exc:
        found.problems.append(exc)
    else:
        found.problems.extend(_notify_problems(config))
    content = content_findings(project, stored_places(project))
    found.problems.extend(content.writing + content.problems + content.aliases)  # a file not checked does not pass
    found.problems.extend(static_files(project.static_dir)[1])
    found.problems.extend(_glossary_problems(project))
    found.problems.extend(_name_problems(project, content.documents))
    found.unread, found.twice = content.unread, content.twice
    return found


def _name_problems(project: Project, documents: list[Document]) -> list[LocatedError]:
    """The tags, programmes and sections whose English would hold a forbidden rendering: the build shows
    another English for them and names them (publish/tags.py), so check does too."""
    from zaitun.publish.tags import Screening, tag_labels

    screening = Screening(project.glossary_dir, lambda: "", None)  # (no cache: check writes nothing)
    named = {("programme", d.programme) for d in documents if d.programme} | {("section", d.section) for d in documents}
    try:
        tag_labels(project.glossary_dir, {t for d in documents for t in d.tags}, None, screening, named)
    except LocatedError:  # a glossary or tags.yaml that does not read: reported on its own (_glossary_problems)
        return []
    return screening.found


def _notify_problems(config: Config) -> list[LocatedError]:
    """Notification URLs Apprise does not understand: every pass would warn of them and tell nobody."""
    from zaitun.notify import EVENTS, not_understood

    return [ConfigError(config.path or "zaitun.toml", f"notify.{event} URL {n} ({why})"
                        + (f", from the environment variable {env}," if (env := config.from_env(f"notify.{event}"))
                           else "")
                        + " is not understood by Apprise: fix it (see https://github.com/caronc/apprise/wiki)",
                        config.line(f"notify.{event}"))
            for event in EVENTS for n, why in not_understood(config.get(f"notify.{event}") or [])]


def content_problems(project: Project, places: Mapping[str, str] | None = None) -> list[LocatedError]:
    """Problems of the content files and of the files they link (what `zaitun status` lists too): each is a
    refusal of intake or of the build, so a document check passes is taken in and published. `places`: where
    the documents taken in are (slug -> `guides/a.md`), so a second file of a slug is the one refused, as
    intake refuses it."""
    return content_findings(project, places).problems


def content_findings(project: Project, places: Mapping[str, str] | None = None) -> Findings:
    """content_problems, the files in content/ that intake would leave unread and the documents that are the same
    notice as another, notices dropped in as they would convert (one read of content/); and the files a program
    still writes (content/writing.py), not read half-written."""
    limits = Limits.of(_settings(project))
    writing = wait_for_writers(project.content_dir)
    loaded = load_documents(project.content_dir, limits, owners=places, skip=writing)
    pages = _site_files(project, loaded.documents)  # the link checks' and the alias checks'
    validate = document_validator(project, loaded.documents, pages)
    converted: list[Document] = []
    problems: list[LocatedError] = [*loaded.errors, *notice_problems(project.content_dir, limits, converted, writing)]
    for doc in loaded.documents:
        problems.extend(validate(doc))
        try:
            checked_segments(doc, limits)
        except LocatedError as exc:
            problems.append(exc)
    return Findings(problems, list(unread_files(loaded.others, loaded.documents, project.content_dir)),
                    same_notices([*loaded.documents, *converted], places),
                    still_written(writing, "not checked yet (taken in once it is closed)"),
                    alias_problems(loaded.documents, pages), loaded.documents)


def alias_problems(documents: list[Document], pages: set[str]) -> list[LocatedError]:
    """The aliases a build of these documents would not write, as it would name them (redirects.AliasClaims):
    another page's address, another document's alias, either but for letter case or Unicode form. `pages`: the
    files a build of them writes (`_site_files`)."""
    aliased = sorted((d for d in documents if not d.draft and d.meta.get("aliases")), key=lambda d: d.slug)
    if not aliased:
        return []
    from zaitun.publish.redirects import AliasClaims

    claims = AliasClaims(pages)
    return [refused for doc in aliased for alias in doc.meta["aliases"]
            if (refused := claims.refusal(alias, doc.slug, doc.path))]


def notice_problems(content_dir: Path, limits: Limits, converted: list[Document] | None = None,
                    writing: Collection[Path] = ()) -> list[LocatedError]:
    """Why each notice dropped into content/ (but those still `writing`) would be quarantined by intake: converted
    here, not written, and the document it makes read as intake will read it (added to `converted`, under the
    notice's path)."""
    dropped, problems = dropped_notices(content_dir, writing)
    targets: dict[Path, Path] = {}  # a document -> the notice converting into it first, as intake converts them
    for path in dropped:
        try:
            target, text = convert_dropped(path, content_dir, limits)
        except LocatedError as exc:
            problems.append(exc)
            continue
        except Exception as exc:  # the file's boundary, as intake's
            problems.append(ContentError(path, f"could not be converted: {exc.__class__.__name__}: {exc}", 1))
            continue
        if target in targets:  # intake writes the first, then finds this one's slug taken
            problems.append(ContentError(path, f"converts into {target.name}, as {targets[target]} does, which intake "
                                         "takes in first: if that is this notice, delete this copy; if it is another, "
                                         "rename it to the slug it should have", 1))
            continue
        targets[target] = path
        try:
            doc = parse_document(text, target, path.parent.name, target.stem)
            if converted is not None:
                converted.append(replace(doc, path=path))
        except LocatedError as exc:  # (its line is the document's, not the notice's)
            problems.append(ContentError(path, f"converts into {target.name}, which intake would refuse: "
                                               f"line {exc.line}: {exc.message}", 1))
    return problems


def stored_places(project: Project, store: Reads | None = None) -> dict[str, str]:
    """Where each active document taken in is in content/ (slug -> `guides/a.md`): of `store`, else of the
    project's SQLite store read without opening (or creating) it; none for another database not given."""
    if store is None and not (project.root / STATE_DIR).is_dir():  # no store yet (nor made by asking)
        return {}
    try:
        reads = store or SqliteReads.of(project.database_url)
        rows = reads.document_heads("active") if reads else []
    except (LocatedError, sqlite3.Error):  # zaitun.toml broken (check reports it), a store being made: the
        rows = []  # files are checked as they are
    return {row["slug"]: content_source(row["section"], row["path"]) for row in rows}


def _site_files(project: Project, documents: list[Document]) -> set[str]:
    from zaitun.content.tags import load_tag_labels, same_tags

    try:
        same = same_tags(load_tag_labels(project.glossary_dir))
    except LocatedError:  # a broken tags.yaml: reported on its own (_glossary_problems)
        same = {}
    return site_files(documents, project.static_dir, _settings(project).get("site.page_size"), same)


def document_validator(project: Project, documents: list[Document], pages: set[str] | None = None) -> Validator:
    """What intake checks of each document besides its own file, given all documents of the pass: its file
    links and its links to other pages, the build's refusals. `pages`: the files a build of the documents writes,
    when worked out already (`_site_files`)."""
    from zaitun.publish import redirects

    config = _settings(project)
    # the old addresses that lead to moved pages (none when unread: the build says why; nor made by asking)
    moved = redirects.read(project.state_dir).moved if (project.root / STATE_DIR).is_dir() else {}
    existing = (_site_files(project, documents) if pages is None else pages) | redirect_files(documents, moved)
    urls = layout.Urls(config.get("site.base_url"))

    def validate(doc: Document) -> list[LocatedError]:
        return [*document_problems(doc, project.content_dir), *page_link_problems(doc, existing, urls)]
    return validate


def _settings(project: Project) -> Config:
    """The project's settings, or the defaults when zaitun.toml is broken (check reports that on its own)."""
    try:
        return project.config
    except LocatedError:
        return Config()


def _glossary_problems(project: Project) -> list[LocatedError]:
    from zaitun.publish.tags import screened_labels
    from zaitun.translate.glossary import lint_glossaries

    problems: list[LocatedError] = list(lint_glossaries(project.glossary_dir))
    try:
        problems += screened_labels(project.glossary_dir)[1]
    except LocatedError as exc:
        problems.append(exc)
    return problems
