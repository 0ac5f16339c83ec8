"""Paragraphs marked with ASCII spaces or tabs read like paragraphs marked with the ideographic indent.

A notice copied from a web page or an e-mail starts its paragraphs with `    ` or a tab instead of
`　　`. Each variant here is the seed notice (tests/fixtures/seed-notice.txt) re-indented so, dropped
into content/ and taken in by intake: it must become the seed notice's golden file, byte for byte.
Each notice of the corpus (tests/fixtures/notices/) re-indented so must convert as it does.
"""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURES

from zaitun.content.importer import convert_notice, read_notice
from zaitun.content.intake import ingest

SEED_LINES = (FIXTURES / "seed-notice.txt").read_text(encoding="utf-8").split("\n")
GOLDEN = FIXTURES / "seed-notice.expected.md"
WRAP = 40
NUMBERED = re.compile(r"[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）")


def golden_paragraphs() -> list[str]:
    """The golden body's paragraphs as the notice writes them: no Markdown, and a measure's heading
    joined to the paragraph after it (the heading is that paragraph's first sentence)."""
    blocks = GOLDEN.read_text(encoding="utf-8").split("---\n", 2)[2].strip().split("\n\n")
    paragraphs: list[str] = []
    for i, block in enumerate(blocks):
        text = re.sub(r"^(?:#+ |- )|\*\*", "", block.strip())
        if i and blocks[i - 1].startswith("### ") and text == block:
            paragraphs[-1] += text
        else:
            paragraphs.append(text)
    return paragraphs


def seed_paragraph_starts() -> set[int]:
    """Indexes of the seed's lines that begin a paragraph: a line begins one unless it goes on the
    paragraph above it into a paragraph of the golden body. The head and tail lines (title, signature,
    date, printing line) are not in the body, so each of their lines begins its own."""
    golden = golden_paragraphs()
    starts: set[int] = set()
    current = ""
    for i, raw in enumerate(SEED_LINES):
        text = raw.replace(" ", "")
        if not text:
            continue
        goes_on = current and any(p.startswith(current + text) for p in golden)
        if goes_on and not any(p.startswith(text) for p in golden):
            current += text
        else:
            starts.add(i)
            current = text
    return starts


def reindented(indent: str) -> str:
    """The seed as it is, wrapped at ~30 characters, each paragraph's first line indented with `indent`;
    its page-break continuations keep their single leading space."""
    starts = seed_paragraph_starts()
    return "\n".join(indent + line.lstrip(" ") if i in starts else line for i, line in enumerate(SEED_LINES))


def seed_paragraphs() -> list[str]:
    starts = sorted(seed_paragraph_starts()) + [len(SEED_LINES)]
    return ["".join(SEED_LINES[i:j]).replace(" ", "") for i, j in zip(starts, starts[1:], strict=False)]


def rewrapped(indents: list[str], numbered: str | None = None) -> str:
    """The seed's paragraphs hard-wrapped at WRAP characters, each first line indented with the next of
    `indents` in turn, or with `numbered` if given and the paragraph starts with a number (一、 （一） （1）)."""
    lines = []
    for n, paragraph in enumerate(seed_paragraphs()):
        chunks = [paragraph[i:i + WRAP] for i in range(0, len(paragraph), WRAP)]
        indent = indents[n % len(indents)]
        if numbered is not None and NUMBERED.match(paragraph):
            indent = numbered
        lines += [indent + chunks[0], *chunks[1:]]
    return "\n".join(lines)


def one_paragraph_a_line() -> str:
    """As text copied from a web page: a paragraph a line, and the lines the body does not hold (title,
    signature, date, printing line) centred or pushed right with spaces."""
    body = golden_paragraphs()
    return "\n".join(("    " if paragraph in body else " " * 24) + paragraph for paragraph in seed_paragraphs())


VARIANTS = {
    "four spaces": lambda: reindented("    "),
    "two spaces": lambda: reindented("  "),
    "a tab": lambda: reindented("\t"),
    "four spaces, wrapped at 40": lambda: rewrapped(["    "]),
    "a tab, wrapped at 40": lambda: rewrapped(["\t"]),
    "spaces, tabs and ideographic spaces mixed, wrapped at 40": lambda: rewrapped(["    ", "\t", "\u3000\u3000", "  "]),
    "four spaces, numbered lines flush left, wrapped at 40": lambda: rewrapped(["    "], numbered=""),
    "a paragraph a line, title and signature pushed with spaces": one_paragraph_a_line,
}


def outline(markdown: str) -> dict:
    """What a reader checks first: dates and issuer, parts and measures, units, and the closing paragraph."""
    head, body = markdown.split("---\n", 2)[1:]
    return {"front matter": head.splitlines(),
            "headings": re.findall(r"^#{2,6} .*$", body, flags=re.M),
            "units": re.findall(r"^ *\*\*.+$", body, flags=re.M),
            "paragraphs": len(body.strip().split("\n\n")),
            "last": body.strip().split("\n\n")[-1]}


def test_the_variants_move_only_indents_and_line_ends():
    seed_text = re.sub(r"\s", "", "\n".join(SEED_LINES))
    for name, variant in VARIANTS.items():
        assert re.sub(r"\s", "", variant()) == seed_text, name
    assert "\n 商精准提供全流程政策查询" in reindented("    ")  # a page-break continuation stays one
    assert "\n    （二）建立政企沟通服务机制。" in reindented("    ")


@pytest.mark.parametrize("name", VARIANTS)
def test_a_notice_indented_with_ascii_spaces_or_tabs_converts_like_the_seed(name, tmp_project, store):
    section = tmp_project.content_dir / "policies"
    section.mkdir()
    (section / "notice.txt").write_text(VARIANTS[name](), encoding="utf-8")
    report = ingest(tmp_project, store)
    assert report.errors == [] and report.ingested == ["notice"]
    written = (section / "notice.md").read_text(encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    assert outline(written) == outline(expected)
    assert written == expected


CORPUS = sorted((FIXTURES / "notices").glob("*.txt"))
INDENTS = {"four spaces": ["    "], "two spaces": ["  "], "a tab": ["\t"], "no-break spaces": ["\xa0\xa0\xa0\xa0"],
           "mixed": ["    ", "\t", "\u3000\u3000", "  ", "\xa0\xa0"]}


def reindented_corpus(text: str, indents: list[str]) -> str:
    """Each `　　` that starts a line replaced with the next of `indents` in turn."""
    count = iter(range(len(text)))
    return re.sub(r"(?m)^\u3000\u3000", lambda _: indents[next(count) % len(indents)], text)


@pytest.mark.parametrize("indent", INDENTS)
@pytest.mark.parametrize("path", CORPUS, ids=[path.name for path in CORPUS])
def test_each_corpus_notice_reindented_converts_as_with_ideographic_indents(path, indent, tmp_path):
    """Regulations keep each article's paragraphs (款), notices their addressees apart from the text."""
    text = read_notice(path)
    variant = tmp_path / path.name
    variant.write_text(reindented_corpus(text, INDENTS[indent]), encoding="utf-8")
    assert re.search(r"(?m)^(?:  |\t|\xa0\xa0)", read_notice(variant))
    assert convert_notice(read_notice(variant), variant) == convert_notice(text, path)
