"""Build tm/approved.tmx from tm/translations.yaml, after checking every translation.

The YAML file maps each Chinese segment of the sample content (guides and the imported
notice) to its approved English. The TMX is keyed by source text, so segment ids may change
without breaking it. Run `python tm/build_tmx.py` after editing content or translations;
`--check` only reports problems (missing segments, glossary or number mismatches).
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from translate.storage.tmx import tmxfile

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "tm" / "translations.yaml"
TMX_PATH = ROOT / "tm" / "approved.tmx"
SRC_LANG, TGT_LANG = "zh-CN", "en"
CJK_OR_FULLWIDTH = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d]")
CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
MONTHS = ("January February March April May June July August September October "
          "November December").split()
LINK = re.compile(r"\]\((\S+?)\)")


@dataclass(frozen=True)
class Term:
    zh: str
    en: str
    forbidden: tuple[str, ...]


def load_translations(path: Path = TRANSLATIONS) -> dict[str, str]:
    """The zh -> en mapping, in file order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def load_glossary(folder: Path = ROOT / "glossary") -> dict[str, Term]:
    """Every term of every glossary/*.csv, keyed by its Chinese text."""
    terms: dict[str, Term] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                forbidden = tuple(f.strip() for f in (row["forbidden"] or "").split("|") if f.strip())
                terms[row["zh"]] = Term(row["zh"], row["en"], forbidden)
    return terms


def find_terms(text: str, terms: dict[str, Term]) -> list[Term]:
    """Glossary terms in `text`, matched longest-leftmost without overlaps."""
    found, i, longest = [], 0, max((len(z) for z in terms), default=0)
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            term = terms.get(text[i:i + size])
            if term:
                found.append(term)
                i += size
                break
        else:
            i += 1
    return found


def content_sources(content_dir: Path = ROOT / "content") -> list[tuple[str, str]]:
    """(slug, source) for every segment of every content document, in reading order."""
    sys.path.insert(0, str(ROOT))
    from zaitun.content.model import load_documents
    from zaitun.content.segmenter import document_segments

    loaded = load_documents(content_dir)
    if loaded.errors:
        raise SystemExit("\n".join(str(e) for e in loaded.errors))
    return [(doc.slug, seg.source) for doc in loaded.documents for seg in document_segments(doc)]


def _has_rendering(en: str, target: str) -> bool:
    """The rendering occurs as written, or with a capital first letter (sentence start)."""
    return en in target or (en[:1].upper() + en[1:]) in target


def _date_forms(year: str, month: str, day: str) -> tuple[str, str]:
    name = MONTHS[int(month) - 1]
    return f"{name} {int(day)}, {year}", f"{int(day)} {name} {year}"


def number_problems(source: str, target: str) -> list[str]:
    """Dates and numbers of the source that the target does not carry."""
    problems = []
    for m in CN_DATE.finditer(source):
        if not any(form in target for form in _date_forms(*m.groups())):
            problems.append(f"date {m.group(0)} missing")
    rest = CN_DATE.sub(" ", source)
    for number in re.findall(r"\d+", LINK.sub(" ", rest)):
        if not re.search(rf"(?<!\d){number}(?!\d)", target):
            problems.append(f"number {number} missing")
    return problems


def segment_problems(source: str, target: str, terms: dict[str, Term]) -> list[str]:
    """Everything wrong with one translation, as short messages."""
    problems = []
    if not target.strip():
        return ["empty translation"]
    for term in find_terms(source, terms):
        if not _has_rendering(term.en, target):
            problems.append(f"{term.zh} must be rendered {term.en!r}")
    for term in terms.values():
        for bad in term.forbidden:
            if bad in target:
                problems.append(f"forbidden rendering {bad!r}")
    if CJK_OR_FULLWIDTH.search(target):
        problems.append("Chinese character or full-width punctuation in English")
    if LINK.findall(source) != LINK.findall(target):
        problems.append("links differ from the source")
    if source.count("**") != target.count("**") or source.count("`") != target.count("`"):
        problems.append("inline Markdown differs from the source")
    return problems + number_problems(source, target)


def check(translations: dict[str, str], sources: list[tuple[str, str]],
          terms: dict[str, Term]) -> list[str]:
    """All problems: missing segments first, then problems in each translation."""
    problems = [f"{slug}: no translation for {src!r}" for slug, src in sources
                if src not in translations]
    for src, tgt in translations.items():
        problems.extend(f"{src!r}: {p}" for p in segment_problems(src, tgt, terms))
    return sorted(set(problems), key=problems.index)


def build_tmx(translations: dict[str, str]) -> bytes:
    """TMX 1.4 with one unit per Chinese source, in file order."""
    store = tmxfile(sourcelanguage=SRC_LANG)
    for src, tgt in translations.items():
        store.addtranslation(src, SRC_LANG, tgt, TGT_LANG)
    return bytes(store)


def main(argv: list[str]) -> int:
    translations = load_translations()
    problems = check(translations, content_sources(), load_glossary())
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s); {TMX_PATH.name} not written", file=sys.stderr)
        return 1
    if "--check" not in argv:
        TMX_PATH.write_bytes(build_tmx(translations))
        print(f"wrote {TMX_PATH.relative_to(ROOT)} with {len(translations)} units")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
