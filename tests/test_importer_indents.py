"""Paragraphs marked with ASCII spaces or tabs read like paragraphs marked with the ideographic indent.

A notice copied from a web page or an e-mail starts its paragraphs with `    ` or a tab instead of
`　　`. Each variant here is the seed notice (tests/fixtures/seed-notice.txt) re-indented so, dropped
into content/ and taken in by intake: it must become the seed notice's golden file, byte for byte.
Each notice of the corpus (tests/fixtures/notices/) re-indented so must convert as it does.

Text from `pdftotext -layout` starts every line with a margin and each paragraph further in: the seed
and the corpus laid out so convert as they do, while a margin every line has alike stays an indent.
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


def assert_converts_like_the_seed(text: str, project, store) -> None:
    """The notice dropped as policies/notice.txt and taken in: its Markdown is the seed's golden file."""
    section = project.content_dir / "policies"
    section.mkdir()
    (section / "notice.txt").write_text(text, encoding="utf-8")
    report = ingest(project, store)
    assert report.errors == [] and report.ingested == ["notice"]
    written = (section / "notice.md").read_text(encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    assert outline(written) == outline(expected)
    assert written == expected


@pytest.mark.parametrize("name", VARIANTS)
def test_a_notice_indented_with_ascii_spaces_or_tabs_converts_like_the_seed(name, tmp_project, store):
    assert_converts_like_the_seed(VARIANTS[name](), tmp_project, store)


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


# ---- a common left margin: `pdftotext -layout` output, text pasted from a PDF viewer -------------

MARGIN_WRAP = 40
RIGHT = ("泉州市人民政府办公室", "2024年12月20日")  # the signature and date, pushed right


def laid_out(margin: str, indent: str, page_every: int = 0, page_number: str = "— {n} —") -> str:
    """The seed as `pdftotext -layout` writes a PDF of it: every line starts with `margin`; a body
    paragraph's first line is indented further with `indent` (the addressees stay flush, as printed),
    its text wrapped at MARGIN_WRAP characters; the header, title and number centred, the signature and date
    pushed right (a Chinese character two columns wide). With `page_every`, a page number centred and a
    form feed after every so many lines, wherever they fall, mid-paragraph too."""
    body = golden_paragraphs()
    lines = []
    for paragraph in seed_paragraphs():
        first = MARGIN_WRAP - 2  # the indent takes two characters' room
        chunks = [paragraph[:first]] + [paragraph[i:i + MARGIN_WRAP] for i in range(first, len(paragraph), MARGIN_WRAP)]
        if paragraph in RIGHT:
            lines.append(margin + " " * (2 * MARGIN_WRAP - 2 * len(paragraph) - 8) + paragraph)
        elif paragraph not in body:
            lines.append(margin + " " * (MARGIN_WRAP - len(paragraph)) + paragraph)
        else:
            flush = paragraph == body[0]  # the addressees
            lines += [margin + ("" if flush else indent) + chunks[0], *(margin + chunk for chunk in chunks[1:])]
    if not page_every:
        return "\n".join(lines)
    pages = [lines[i:i + page_every] for i in range(0, len(lines), page_every)]
    footer = margin + " " * (MARGIN_WRAP - 4)
    return "\n\n\f".join("\n".join(page) + "\n\n" + footer + page_number.format(n=n)
                         for n, page in enumerate(pages, start=1))


LAID_OUT = {  # name: (margin, indent, lines a page, page number)
    "a margin of 6 spaces, paragraphs 4 further": (" " * 6, "    ", 0, ""),
    "a margin of 8 spaces, paragraphs 4 further": (" " * 8, "    ", 0, ""),
    "a margin of 7 spaces, paragraphs two ideographic spaces further": (" " * 7, "\u3000\u3000", 0, ""),
    "a margin of a tab, paragraphs a tab further": ("\t", "\t", 0, ""),
    "a margin of 6 spaces, page numbers and form feeds": (" " * 6, "    ", 23, "— {n} —"),
    "a margin of 6 spaces, 第n页 footers and form feeds": (" " * 6, "    ", 31, "第 {n} 页 共 9 页"),
}


def test_the_laid_out_variants_move_only_margins_indents_and_line_ends():
    seed_text = re.sub(r"\s", "", "\n".join(SEED_LINES))
    for name, (margin, *_) in LAID_OUT.items():
        variant = laid_out(*LAID_OUT[name])
        assert re.sub(r"第\d页共9页|—\d+—", "", re.sub(r"\s", "", variant)) == seed_text, name
        assert all(line.lstrip("\f").startswith(margin) for line in variant.split("\n") if line.strip()), name
    assert "\n          （二）建立政企沟通服务机制。" in laid_out(" " * 6, "    ")
    assert "\n      商协会、外商、外国专家沟通服务机制。" in laid_out(" " * 6, "    ")
    assert "— 1 —\n\n\f      府各部门、各直属机构" in laid_out(" " * 6, "    ", 23)  # a page break mid-paragraph


@pytest.mark.parametrize("name", LAID_OUT)
def test_a_notice_with_a_common_left_margin_converts_like_the_seed(name, tmp_project, store):
    """Paragraph starts stand out from a margin every line has: the margin is not an indent."""
    assert_converts_like_the_seed(laid_out(*LAID_OUT[name]), tmp_project, store)


WEB_PAGE = [  # (spaces before it, line): a notice pasted from a web page, a short paragraph a line
    (24, "泉州市人民政府办公室关于做好春节期间值班工作的通知"),
    (4, "各县（市、区）人民政府，市直各单位："),
    (4, "春节将至，为确保节日期间各项工作正常运转，现将有关事项通知如下。"),
    (4, "各单位要严格落实领导带班和干部值班制度，值班表报市政府办公室备案。"),
    (4, "值班人员要坚守岗位，确保通信畅通，遇有重大情况及时报告，不得延误。"),
    (4, "各单位要加强安全检查，及时消除各类安全隐患，确保人民群众安全过节。"),
    (40, "泉州市人民政府办公室"),
    (42, "2025年1月10日"),
]


def test_a_margin_every_body_line_has_alike_keeps_a_paragraph_a_line(tmp_path):
    """With no line standing out from the margin but the centred title and the signature, each line is
    its own paragraph, as with `　　` before each: the margin is the paragraphs' indent."""
    source = tmp_path / "notice.txt"
    text = "\n".join(" " * spaces + line for spaces, line in WEB_PAGE)
    ideographic = "\n".join(("\u3000\u3000" if spaces == 4 else " " * spaces) + line for spaces, line in WEB_PAGE)
    meta, body = convert_notice(text, source)
    assert (meta, body) == convert_notice(ideographic, source)
    assert body.strip().split("\n\n") == [line for spaces, line in WEB_PAGE if spaces == 4]
    assert meta["issuer"] == "泉州市人民政府办公室" and meta["title"] == WEB_PAGE[0][1]


MARGINS = {"6 spaces, paragraphs 　　 further": (" " * 6, "\u3000\u3000"),
           "8 spaces, paragraphs 4 spaces further": (" " * 8, "    "), "a tab, paragraphs a tab further": ("\t", "\t")}


@pytest.mark.parametrize("margin", MARGINS)
@pytest.mark.parametrize("path", CORPUS, ids=[path.name for path in CORPUS])
def test_each_corpus_notice_with_a_margin_on_every_line_converts_as_without(path, margin, tmp_path):
    """Regulations keep their articles and 款, wrapped notices their sentences whole, under a margin."""
    text = read_notice(path)
    left, indent = MARGINS[margin]
    lines = [(indent + line[2:] if line.startswith("\u3000\u3000") else line) for line in text.split("\n")]
    variant = tmp_path / path.name
    variant.write_text("\n".join(left + line if line.strip() else line for line in lines), encoding="utf-8")
    assert all(line.startswith(left) for line in read_notice(variant).split("\n") if line.strip())
    assert convert_notice(read_notice(variant), variant) == convert_notice(text, path)
