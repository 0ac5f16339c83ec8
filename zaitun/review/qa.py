"""What a reviewer sees beside a segment: glossary terms in the source and QA issues of a target.

Uses the translate stage's `Glossary` and `check_translation` when they are installed; until
then a minimal reader of glossary/*.csv (zh, en, forbidden, note) stands in, so the review UI
never depends on the translate stage being finished.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Term:
    """A glossary entry as the reviewer needs it."""

    zh: str
    en: str
    forbidden: tuple[str, ...] = ()
    note: str = ""


def load_terms(glossary_dir: Path) -> list[Term]:
    """Every term of glossary/*.csv, longest first (so nested terms lose to the longer one)."""
    return list(_load_terms(str(glossary_dir), _stamp(glossary_dir)))


def _stamp(glossary_dir: Path) -> tuple:
    files = sorted(glossary_dir.glob("*.csv")) if glossary_dir.is_dir() else []
    return tuple((f.name, f.stat().st_mtime_ns) for f in files)


@lru_cache(maxsize=8)
def _load_terms(glossary_dir: str, _stamp: tuple) -> tuple[Term, ...]:
    terms: dict[str, Term] = {}
    for path in sorted(Path(glossary_dir).glob("*.csv")):
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    zh, en = (row.get("zh") or "").strip(), (row.get("en") or "").strip()
                    if zh and en:
                        forbidden = tuple(f.strip() for f in (row.get("forbidden") or "").split("|") if f.strip())
                        terms.setdefault(zh, Term(zh, en, forbidden, (row.get("note") or "").strip()))
        except (OSError, UnicodeDecodeError, csv.Error):
            log.warning("glossary file %s could not be read for highlighting", path)
    return tuple(sorted(terms.values(), key=lambda t: -len(t.zh)))


def split_terms(source: str, terms: list[Term]) -> list[tuple[str, Term | None]]:
    """The source as runs of plain text and glossary terms, matched longest-leftmost."""
    parts: list[tuple[str, Term | None]] = []
    plain, i = [], 0
    by_first: dict[str, list[Term]] = {}
    for term in terms:
        by_first.setdefault(term.zh[0], []).append(term)
    while i < len(source):
        hit = next((t for t in by_first.get(source[i], []) if source.startswith(t.zh, i)), None)
        if hit is None:
            plain.append(source[i])
            i += 1
            continue
        if plain:
            parts.append(("".join(plain), None))
            plain = []
        parts.append((hit.zh, hit))
        i += len(hit.zh)
    if plain:
        parts.append(("".join(plain), None))
    return parts


def found_terms(source: str, terms: list[Term]) -> list[Term]:
    """The distinct glossary terms present in `source`, in order of appearance."""
    seen: dict[str, Term] = {}
    for _text, term in split_terms(source, terms):
        if term is not None:
            seen.setdefault(term.zh, term)
    return list(seen.values())


def check(glossary_dir: Path, source: str, target: str) -> list[dict]:
    """QA issues for a reviewer's new target: `[{check, message}]`."""
    try:
        from zaitun.translate.checks import check_translation
        from zaitun.translate.glossary import Glossary
    except ImportError:
        return _glossary_issues(source, target, load_terms(glossary_dir))
    try:
        issues = check_translation(source, target, _translate_glossary(Glossary, glossary_dir))
    except Exception:  # a bug in a check must not lose the reviewer's edit
        log.warning("translation checks failed; falling back to glossary checks", exc_info=True)
        return _glossary_issues(source, target, load_terms(glossary_dir))
    return [_as_issue(i) for i in issues]


def _translate_glossary(cls, glossary_dir: Path):
    for name in ("load", "from_dir", "from_folder"):
        if hasattr(cls, name):
            return getattr(cls, name)(glossary_dir)
    return cls(glossary_dir)


def _as_issue(issue) -> dict:
    if isinstance(issue, dict):
        return {"check": str(issue.get("check", "qa")), "message": str(issue.get("message", issue))}
    return {"check": str(getattr(issue, "check", "qa")), "message": str(getattr(issue, "message", issue))}


def _glossary_issues(source: str, target: str, terms: list[Term]) -> list[dict]:
    issues = []
    lowered = target.lower()
    for term in found_terms(source, terms):
        if term.en.lower() not in lowered:
            issues.append({"check": "glossary", "message": f"{term.zh} should be rendered as “{term.en}”"})
        for bad in term.forbidden:
            if bad.lower() in lowered:
                issues.append({"check": "forbidden", "message": f"“{bad}” must not be used for {term.zh}"})
    return issues
