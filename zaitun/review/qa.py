"""What a reviewer sees beside a segment: glossary terms in the source and QA issues of a target.

Both come from the translate stage (`zaitun.translate.glossary`, `zaitun.translate.checks`),
so reviewers see exactly the terms and checks the machine drafts were held to.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from zaitun.translate.checks import check_translation
from zaitun.translate.glossary import Entry, Glossary, glossary_files, load_glossary

Term = Entry


def glossary(glossary_dir: Path) -> Glossary:
    """The project's glossary, re-read when any of its files changes."""
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in glossary_files(glossary_dir))
    return _load(str(glossary_dir), stamp)


@lru_cache(maxsize=8)
def _load(glossary_dir: str, _stamp: tuple) -> Glossary:
    return load_glossary(Path(glossary_dir))


def split_terms(source: str, terms: Glossary) -> list[tuple[str, Term | None]]:
    """The source as runs of plain text and glossary terms (longest-leftmost)."""
    parts: list[tuple[str, Term | None]] = []
    pos = 0
    for match in terms.matches(source):
        if match.start > pos:
            parts.append((source[pos:match.start], None))
        parts.append((source[match.start:match.end], match.entry))
        pos = match.end
    if pos < len(source):
        parts.append((source[pos:], None))
    return parts


def found_terms(source: str, terms: Glossary) -> list[Term]:
    """The distinct glossary terms present in `source`, in order of appearance."""
    seen: dict[str, Term] = {}
    for match in terms.matches(source):
        seen.setdefault(match.entry.zh, match.entry)
    return list(seen.values())


def check(glossary_dir: Path, source: str, target: str) -> list[dict]:
    """QA issues for a reviewer's new target: `[{check, message}]`, as for machine drafts."""
    return check_translation(source, target, glossary(glossary_dir))
