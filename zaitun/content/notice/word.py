"""The lines of a .docx notice as Word shows them, read from its WordprocessingML.

python-docx's `Paragraph.text` leaves out the text of content controls, smart tags, custom XML,
simple fields and text boxes, both sides of a tracked change, and automatic numbers. This walks the
XML itself, so every piece of text Word shows is taken in once, in document order; what cannot be
taken in as Word shows it is refused with what to do (`Unfaithful`), never dropped.
"""

from __future__ import annotations

from zaitun.content.notice.numbering import MC, Numbering, Unshowable, W

M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
V = "{urn:schemas-microsoft-com:vml}"
# Both versions of a tracked change are in the file and neither is "the" text until someone decides.
_TRACKED = {W + name for name in ("ins", "del", "moveFrom", "moveTo", "cellIns", "cellDel", "cellMerge")}
# A table row or cell inserted or deleted as a tracked change: the mark is in its properties.
_TRACKED_PART = {W + "tr": (f"{W}trPr/{W}ins", f"{W}trPr/{W}del"),
                 W + "tc": (f"{W}tcPr/{W}cellIns", f"{W}tcPr/{W}cellDel", f"{W}tcPr/{W}cellMerge")}
_CHARACTERS = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}
# No text Word shows: properties, a field's code (its result is shown), comment marks, soft hyphens.
_SKIPPED = {W + name for name in ("pPr", "rPr", "sdtPr", "sdtEndPr", "customXmlPr", "smartTagPr", "instrText",
                                  "fldChar", "commentReference", "annotationRef", "softHyphen", "sectPr",
                                  "tblPr", "tblGrid", "trPr", "tcPr", "lastRenderedPageBreak")}
_REFUSED = {  # element: what it is, and how staff keep its text
    W + "footnoteReference": "a footnote, which zaitun cannot place in the text: put its text into the text "
                             "(e.g. as a 注： paragraph), delete the footnote, then save",
    W + "endnoteReference": "an endnote, which zaitun cannot place in the text: put its text into the text "
                            "(e.g. as a 注： paragraph), delete the endnote, then save",
    W + "altChunk": "an embedded document (w:altChunk: pasted HTML or RTF) whose text zaitun cannot read: "
                    "open the file in Word and save it, which makes it ordinary text",
    W + "object": "an embedded object (e.g. an Excel sheet or an old equation) whose text zaitun cannot read: "
                  "paste its content as text or as a Word table, then save",
    M + "oMath": "an equation, which zaitun cannot read as text: write it out as text, then save",
}
_SMARTART = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
# A picture (DrawingML's, or an old VML one) or a chart holds no text, but what it shows (a map, a QR code, a
# scanned page, figures) is part of the notice: dropped, the page would go out without it.
_PICTURES = {"{http://schemas.openxmlformats.org/drawingml/2006/picture}pic",
             "{urn:schemas-microsoft-com:vml}imagedata"}
_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_PICTURE_ADVICE = ("which zaitun does not take in from a Word file, and dropping it could lose what the notice shows "
                   "(a map, a QR code, a scanned page): save it as an image file into the document's folder in "
                   "content/, delete it from the Word file and save; once the notice is taken in, link the image "
                   "from its document: ![what it shows](its-file.png)")
_OFF = {"0", "false", "off"}


def _hidden(run) -> bool:
    """A run formatted as hidden (`w:vanish`): staff do not see it, so taking it in would publish what
    nobody read, and dropping it would lose what someone may have hidden by mistake."""
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(W + "val", "true") not in _OFF


class Unfaithful(Exception):
    """The file holds something this reader cannot take in as Word shows it; the message says what to do."""


def notice_lines(document) -> list[str]:
    """The non-blank lines of a python-docx Document: paragraphs and table cells in document order, a line
    break starting a new line, a text box's paragraphs after the paragraph it is anchored in."""
    numbering = document.part.numbering_part.element if _has_numbering(document) else None
    reader = _Reader(Numbering.of(numbering, document.styles.element))
    reader.blocks(document.element.body)
    return reader.lines


def _has_numbering(document) -> bool:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    return any(rel.reltype == RT.NUMBERING for rel in document.part.rels.values())


class _Reader:
    def __init__(self, numbering: Numbering):
        self.numbering = numbering
        self.lines: list[str] = []
        self.count = 0  # paragraphs so far outside tables and text boxes, as staff count them in Word
        self.tables = 0  # tables so far (a table inside a cell counts as part of its outer table)

    def blocks(self, parent) -> None:
        """Body-level content: paragraphs, and the tables, content controls and custom XML holding them."""
        for child in parent:
            if child.tag == W + "tbl" and next(child.iterancestors(W + "tc"), None) is None:
                self.tables += 1
            if child.tag == W + "p":
                self.paragraph(child)
            elif child.tag in _TRACKED or child.tag in _REFUSED:
                self.refuse(child, None)
            elif child.tag == W + "sdt":
                self.control(child, self.blocks)
            elif child.tag in _TRACKED_PART and not self.unchanged_either_way(child):
                self.refuse(next(m for path in _TRACKED_PART[child.tag] if (m := child.find(path)) is not None), None)
            elif child.tag not in _SKIPPED:
                self.blocks(child)

    def paragraph(self, p) -> None:
        if next(p.iterancestors(W + "tc", W + "txbxContent"), None) is None:
            self.count += 1
        mark = p.find(f"{W}pPr/{W}rPr")
        if mark is not None and any(child.tag in _TRACKED for child in mark):  # an added or removed paragraph
            self.refuse(mark[0], p)
        try:
            number = self.numbering.label(p)
        except Unshowable as exc:
            fmt, count = exc.args
            raise Unfaithful(f"{self.where(p)} has automatic numbering ({fmt}) whose number {count} zaitun cannot "
                             "show as Word does: type the numbers into the text instead, then save") from None
        pieces, boxes = [number], []
        self.inline(p, p, pieces, boxes)
        self.lines += [line.strip() for line in "".join(pieces).split("\n") if line.strip()]
        for box in boxes:
            if isinstance(box, str):  # WordArt's text: a line of its own, as a text box's
                self.lines += [line.strip() for line in box.split("\n") if line.strip()]
            else:
                self.blocks(box)

    def inline(self, p, parent, pieces: list[str], boxes: list) -> None:
        """Text within a paragraph, in order, into `pieces`; text boxes (and WordArt's text) into `boxes`, read
        after it."""
        for child in parent:
            tag = child.tag
            if tag == W + "t":
                pieces.append(child.text or "")
            elif tag in _CHARACTERS:
                pieces.append(_CHARACTERS[tag])
            elif tag == W + "sym":
                pieces.append(self.symbol(p, child))
            elif tag in _TRACKED or tag == W + "delText" or tag in _REFUSED:
                self.refuse(child, p)
            elif tag == W + "r" and _hidden(child) and any(t.text for t in child.iter(W + "t")):
                raise Unfaithful(f"{self.where(p)} holds hidden text (Font > Hidden), which Word does not show "
                                 "or print, so it is not clear whether it belongs to the notice: delete it or "
                                 "unhide it, then save")
            elif tag == W + "txbxContent":
                boxes.append(child)
            elif tag == V + "textpath":  # WordArt as Word 2003 wrote it (and still writes a watermark): its
                boxes.append(child.get("string") or "")  # text is an attribute, read after the paragraph
            elif tag == MC + "AlternateContent":  # Word's choice and its fallback hold the same content: once
                choice = child.find(MC + "Choice")
                self.inline(p, choice if choice is not None else child.find(MC + "Fallback"), pieces, boxes)
            elif tag == W + "sdt":
                self.control(child, lambda content: self.inline(p, content, pieces, boxes))
            elif tag == A + "graphicData" and child.get("uri") == _SMARTART:
                raise Unfaithful(f"{self.where(p)} holds a SmartArt diagram, whose text zaitun cannot read: "
                                 "write its text out as paragraphs")
            elif tag in _PICTURES:
                raise Unfaithful(f"{self.where(p)} holds a picture, {_PICTURE_ADVICE}")
            elif tag == A + "graphicData" and child.get("uri") == _CHART:
                raise Unfaithful(f"{self.where(p)} holds a chart, {_PICTURE_ADVICE}")
            elif tag not in _SKIPPED and isinstance(tag, str):
                self.inline(p, child, pieces, boxes)

    def unchanged_either_way(self, part) -> bool:
        """A table row or cell without a tracked change of its own, or one showing nothing (no text, symbol,
        drawing or automatic number): accepting or rejecting the change then leaves the same text."""
        if not any(part.find(path) is not None for path in _TRACKED_PART[part.tag]):
            return True
        return not (any(t.text for t in part.iter(W + "t", W + "delText"))
                    or next(part.iter(W + "sym", W + "drawing", W + "pict", W + "object"), None) is not None
                    or any(self.numbering.numbered(p) for p in part.iter(W + "p")))

    def control(self, sdt, read) -> None:
        """A content control's content; not its placeholder (the grey 单击此处输入文字 of an unfilled one)."""
        if sdt.find(f"{W}sdtPr/{W}showingPlcHdr") is None and (content := sdt.find(W + "sdtContent")) is not None:
            read(content)

    def symbol(self, p, sym) -> str:
        """A w:sym character; one from a symbol font's private range (Wingdings, Symbol) has no text to show."""
        code = int(sym.get(W + "char", "0"), 16)
        if 0xE000 <= code <= 0xF8FF or code == 0:
            raise Unfaithful(f"{self.where(p)} holds a symbol from the {sym.get(W + 'font', 'symbol')} font, which "
                             "has no text: replace it with an ordinary character (Insert > Symbol, a Unicode font)")
        return chr(code)

    def refuse(self, element, p) -> None:
        where = self.where(p) if p is not None else self.in_table(element) or f"after paragraph {self.count}"
        if element.tag in _REFUSED:
            raise Unfaithful(f"{where} holds {_REFUSED[element.tag]}")
        raise Unfaithful(f"{where} has tracked changes that are not accepted or rejected, so it is not clear which "
                         "text is meant: accept or reject the tracked changes in Word (Review > Accept/Reject), "
                         "then save")

    def where(self, p) -> str:
        """Where staff find a paragraph in Word: its first words, after its number among the paragraphs
        outside tables and text boxes, its table, row and cell, or the paragraph its text box is in."""
        text = "".join(t.text or "" for t in p.iter(W + "t"))
        return self.place(p) + (f" (“{text[:20]}”)" if text else "")

    def place(self, element) -> str:
        box = next(element.iterancestors(W + "txbxContent"), None)
        if box is not None:
            return f"a text box in {self.place(box)}"
        return self.in_table(element) or f"paragraph {self.count}"

    def in_table(self, element) -> str | None:
        """"table 2, row 3, cell 1" for what is in a table (its outermost one), else None."""
        rows = list(element.iterancestors(W + "tr"))
        if not rows:
            return None
        row = rows[-1]
        cell = next((c for c in element.iterancestors(W + "tc") if c.getparent() is row), None)
        return f"table {self.tables}, row {_position(row)}" + (f", cell {_position(cell)}" if cell is not None else "")


def _position(element) -> int:
    """1 for the first of its kind among its siblings."""
    return 1 + sum(1 for _ in element.itersiblings(element.tag, preceding=True))
