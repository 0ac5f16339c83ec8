"""Real .docx files for the importer's tests, written with python-docx and lxml as Word writes them.

`word_file` takes the body as WordprocessingML (what Word puts in word/document.xml), and optionally
the abstract numberings and numbering instances of word/numbering.xml, paragraph styles, footnotes
and an embedded HTML chunk, so each test shows the markup it is about.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "v": "urn:schemas-microsoft-com:vml",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
}
_DECLS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())


def p(*runs: str, ppr: str = "") -> str:
    """A paragraph: each plain string a run of text, each string starting with `<` markup as is."""
    inner = "".join(run if run.startswith("<") else r(run) for run in runs)
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{inner}</w:p>"


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def numbered(text: str, num_id: int, level: int = 0) -> str:
    return p(text, ppr=f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')


def table(*rows: str) -> str:
    return f"<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>{''.join(rows)}</w:tbl>"


def row(*cells: str, tracked: str = "") -> str:
    """A table row of cells (each paragraphs' markup); `tracked` a change of the row itself (`del`, `ins`)."""
    mark = f'<w:trPr><w:{tracked} w:id="90" w:author="张三" w:date="2025-03-01T00:00:00Z"/></w:trPr>' if tracked else ""
    return f"<w:tr>{mark}{''.join(f'<w:tc>{cell}</w:tc>' for cell in cells)}</w:tr>"


def level(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    """A numbering level as Word writes it (Word writes `w:suff` nothing for Chinese lists)."""
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
            f'<w:suff w:val="nothing"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>')


def abstract(abstract_id: int, *levels: str) -> str:
    return (f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="multilevel"/>'
            f'{"".join(levels)}</w:abstractNum>')


def num(num_id: int, abstract_id: int, overrides: str = "") -> str:
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'


def _elements(xml: str) -> list:
    return list(etree.fromstring(f"<w:wrap {_DECLS}>{xml}</w:wrap>"))


def word_file(path: Path, *blocks: str, numbering: str = "", styles: str = "", footnotes: str = "",
              chunk: bytes = b"") -> Path:
    """Save a .docx whose body holds `blocks` (body-level WordprocessingML), in order."""
    document = docx.Document()
    body = document.element.body
    for element in _elements("".join(blocks)):
        body.sectPr.addprevious(element)
    if numbering:
        part = document.part.numbering_part.element
        for old in list(part):
            part.remove(old)
        for element in _elements(numbering):
            part.append(element)
    for element in _elements(styles):
        document.styles.element.append(element)
    if footnotes:
        _add_part(document, "/word/footnotes.xml", RT.FOOTNOTES,
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                  f'<w:footnotes {_DECLS}>{footnotes}</w:footnotes>'.encode())
    if chunk:
        rid = _add_part(document, "/word/afchunk.htm", RT.A_F_CHUNK, "text/html", chunk)
        body.sectPr.addprevious(_elements(f'<w:altChunk r:id="{rid}"/>')[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _add_part(document, name: str, reltype: str, content_type: str, blob: bytes) -> str:
    part = Part(PackURI(name), content_type, blob, document.part.package)
    return document.part.relate_to(part, reltype)


def refusal(path: Path) -> str:
    """The message a .docx notice is refused with (its file named first)."""
    import pytest

    from zaitun.content.importer import read_notice
    from zaitun.errors import NoticeImportError

    with pytest.raises(NoticeImportError) as caught:
        read_notice(path)
    assert str(caught.value).startswith(f"{path}: ")
    return caught.value.message
