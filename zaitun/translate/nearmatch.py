"""Repair of near matches: a draft made from an approved memory entry whose Chinese differs from a
new segment only in numbers, dates, document numbers or glossary terms (names included).

Both Chinese texts are cut into the same run of pieces: literal text, and the placeables
(numbers, dates, 〔2024〕11号, glossary terms). When the literal text agrees everywhere, each
changed placeable is looked up in the memory's English and replaced there, written as that
English writes it: "December 31, 2026" becomes "December 31, 2027", "31 December 2026" becomes
"31 December 2027", "three" becomes "five", "II." becomes "III.", a term becomes its approved
English. Whatever cannot be found exactly once per use in the English is not guessed at: the
entry is then only a suggestion. A repaired draft goes through the same QA checks as any draft
and is marked (check "repaired") so that no one approves it without looking.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from zaitun.translate import numbers
from zaitun.translate.fuzzy import FuzzyMatch, MemoryIndex
from zaitun.translate.glossary import Glossary

N2 = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
YEAR = r"\d{4}|[〇零一二三四五六七八九]{4}"
CN_PLACEABLE_RE = re.compile(
    r"(?P<docno>[〔\[［【(（]\s*(?P<dy>\d{4})\s*[〕\]］】)）]\s*第?(?P<dn>\d{1,4})\s*号)"
    rf"|(?P<ymd>(?P<y1>{YEAR})\s*年\s*(?P<m1>{N2})\s*月\s*(?P<d1>{N2})\s*[日号])"
    rf"|(?P<ym>(?P<y2>{YEAR})\s*年\s*(?P<m2>{N2})\s*月)"
    rf"|(?P<md>(?<![\d年])(?P<m3>{N2})\s*月\s*(?P<d3>{N2})\s*[日号])"
    rf"|(?P<m>(?<![\d年个])(?P<m4>\d{{1,2}}|十[一二]?|[一二三四五六七八九])月(?![\d份初中底末]*[日号]))"
    r"|(?P<pct>百分之(?P<pv>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+))"
    r"|(?P<num>(?P<digits>\d+(?:,\d{3})*(?:\.\d+)?)(?!\d)\s*(?P<big>[万亿]?))"
    r"|(?P<cn>[零〇一二两三四五六七八九十百千万亿]+)")
NUMERAL_RE = re.compile(r"[\d零〇一二两三四五六七八九十百千]")
PLENARY_RE = re.compile(r"中(?:[、，和及与][一二三四五六七八九十]+中)*全会")  # 二十届二中、三中全会
ROMAN = (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90), ("L", 50), ("XL", 40),
         ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))
WORD_NAMES = {v: k for k, v in numbers.WORDS.items()}
TENS_NAMES = {v: k for k, v in numbers.TENS.items()}
ORDINAL_NAMES = {v: k for k, v in numbers.ORDINALS.items()}
DATE_KINDS = {("m", "d", "y"): "ymd", ("d", "m", "y"): "ymd", ("y", "m", "d"): "ymd", ("m", "y"): "ym",
              ("m", "d"): "md", ("d", "m"): "md", ("m",): "m"}
EN_DIGITS_RE = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:(?:st|nd|rd|th)\b)?"
                          r"(?:\s*-?\s*(thousand|million|billion)\b)?", re.I)
EN_WORD_RE = re.compile(r"(?<![\w-])[A-Za-z]+(?:-[A-Za-z]+)?(?![\w-])")
EN_ROMAN_RE = re.compile(r"^([*_\s]*)([IVXLC]+)\.(?=\s)")


@dataclass(frozen=True)
class Piece:
    """A run of Chinese: literal text, or a placeable with the value it stands for."""

    kind: str  # text | number | date | docno | term
    text: str
    value: object = None


def pieces(text: str, glossary: Glossary, numbered_terms: bool = True) -> list[Piece]:
    """The text as literal runs and placeables, glossary terms first (their digits belong to them);
    without `numbered_terms`, a term with a number in it (二十届二中、三中全会) is read as text and numbers."""
    out: list[Piece] = []
    pos = 0
    for m in glossary.matches(text):
        if not numbered_terms and NUMERAL_RE.search(m.entry.zh):
            continue
        out += _placeables(text, pos, m.start)
        out.append(Piece("term", text[m.start:m.end], m.entry.zh))
        pos = m.end
    out += _placeables(text, pos, len(text))
    merged: list[Piece] = []
    for piece in out:  # literal runs in one piece each, so two texts compare piece by piece
        if piece.kind == "text" and merged and merged[-1].kind == "text":
            merged[-1] = Piece("text", merged[-1].text + piece.text)
        elif piece.text:
            merged.append(piece)
    return merged


def _placeables(text: str, start: int, end: int) -> list[Piece]:
    out, pos = [], start
    for m in CN_PLACEABLE_RE.finditer(text, start, end):
        piece = _piece(m, text)
        if piece is not None:
            out += [Piece("text", text[pos:m.start()]), piece]
            pos = m.end()
    out.append(Piece("text", text[pos:end]))
    return out


def _int(written: str) -> int | None:
    written = written.strip()
    return int(written) if written.isdigit() else numbers.cn_numeral(written)


def _piece(m: re.Match, text: str) -> Piece | None:
    g, written = m.groupdict(), m.group(0)
    if g["docno"]:
        return Piece("docno", written, (int(g["dy"]), int(g["dn"])))
    for kind, parts in (("ymd", "y1 m1 d1"), ("ym", "y2 m2"), ("md", "m3 d3"), ("m", "m4")):
        if g[kind]:
            values = tuple(_int(g[p]) for p in parts.split())
            return Piece("date", written, (kind, *values)) if None not in values else None
    if g["pct"]:
        value = _int(g["pv"]) if not re.fullmatch(r"[\d.]+", g["pv"]) else float(g["pv"])
        return Piece("number", written, float(value)) if value is not None else None
    if g["num"]:
        value = float(g["digits"].replace(",", "")) * numbers.CN_BIG.get(g["big"], 1)
        return Piece("number", written, value)
    value = numbers.numeral_value(text, m.start(), m.end()) or _ordinal_marker(text, m.start(), m.end())
    return Piece("number", written, float(value)) if value is not None else None


def _ordinal_marker(text: str, start: int, end: int) -> int | None:
    """Numerals that number things: （十五） measures, 三、 parts, 二中 plenary sessions."""
    before, after = text[start - 1:start], text[end:end + 1]
    marked = ((before in "（(" and after in "）)") or (start == 0 and after == "、")
              or PLENARY_RE.match(text, end) is not None)
    return numbers.cn_numeral(text[start:end]) if marked else None


@dataclass(frozen=True)
class Replacement:
    """One piece changed: the memory's Chinese and English for it, and the new ones."""

    kind: str
    old_zh: str
    new_zh: str
    old_en: str
    new_en: str


@dataclass
class Repair:
    """A draft built from a near match, with what was replaced in the memory's English."""

    target: str
    match: FuzzyMatch
    replaced: list[Replacement] = field(default_factory=list)

    def issue(self) -> dict:
        """The mark a repaired draft carries: the similarity and the replaced pieces, for reviewers."""
        done = "; ".join(f"{r.old_zh} → {r.new_zh} (“{r.old_en}” → “{r.new_en}”)" for r in self.replaced)
        return {"check": "repaired",
                "message": f"repaired from a {self.match.similarity}% match: {done or 'nothing replaced'}",
                "repair": {"similarity": self.match.similarity, "memory_source": self.match.source,
                           "memory_target": self.match.target, "replaced": [asdict(r) for r in self.replaced]}}


class Unrepairable(Exception):
    """The memory's English does not show a changed piece exactly once per use."""


def repair(source: str, match: FuzzyMatch, glossary: Glossary) -> Repair | None:
    """The memory entry's English with the changed placeables replaced, or None when the Chinese texts
    differ in anything else, or a changed piece cannot be found in the English."""
    for numbered_terms in (True, False):
        new, old = pieces(source, glossary, numbered_terms), pieces(match.source, glossary, numbered_terms)
        if len(new) == len(old) and all(_shape(a) == _shape(b) for a, b in zip(old, new, strict=True)):
            try:
                return _applied(match, *_edits(old, new, match.target, glossary))
            except Unrepairable:
                return None
    return None


def _shape(piece: Piece) -> tuple:
    """What must agree between the two texts: literal text as it is, a date's form (2026年6月, 6月12日)."""
    if piece.kind == "text":
        return ("text", piece.text)
    return (piece.kind, piece.value[0]) if piece.kind == "date" else (piece.kind,)


def _applied(match: FuzzyMatch, edits: list[tuple[int, int, str]], replaced: list[Replacement]) -> Repair:
    target = match.target
    for start, end, text in sorted(edits, reverse=True):
        target = target[:start] + text + target[end:]
    return Repair(target, match, replaced)


def _edits(old: list[Piece], new: list[Piece], english: str, glossary: Glossary):
    """(start, end, text) edits of the English and the replacements they make."""
    pairs = [(a, b) for a, b in zip(old, new, strict=True) if a.kind != "text"]
    terms = _term_spans(english, {a.value for a, _ in pairs if a.kind == "term"}, glossary)
    taken = [s[:2] for spans in terms.values() for s in spans]
    dates = _date_spans(english, taken)
    taken += [s[:2] for s in dates]
    docnos = {a.value: _docno_spans(english, a.value) for a, _ in pairs if a.kind == "docno"}
    taken += [s[:2] for spans in docnos.values() for s in spans]
    found = {"term": terms, "docno": docnos, "date": _group(dates),
             "number": _group(_number_spans(english, taken))}
    edits, replaced = [], []
    for kind in ("term", "docno", "date", "number"):
        mine = [(a, b) for a, b in pairs if a.kind == kind]
        for value, new_value, olds in _changes(mine):
            spans = found[kind].get(value, [])
            if len(spans) != olds:  # each use shown once in the English, or the pieces cannot be paired
                raise Unrepairable(f"{kind} {value} appears {len(spans)} times in the English, {olds} in the Chinese")
            made = [(s[0], s[1], _render(kind, english, s, new_value, glossary)) for s in spans]
            edits += made
            replaced.append(Replacement(kind, _written(mine, value, old=True), _written(mine, new_value, old=False),
                                        english[made[0][0]:made[0][1]], made[0][2]))
    _no_overlaps(edits)
    return edits, replaced


def _changes(pairs: list[tuple[Piece, Piece]]):
    """(old value, new value, uses of the old value) for each changed value; one old value turning into
    two new ones (or staying once and changing once) cannot be placed in the English."""
    targets: dict = {}
    for a, b in pairs:
        targets.setdefault(a.value, []).append(b.value)
    for value, news in targets.items():
        if len(set(news)) > 1:
            raise Unrepairable(f"{value} becomes {sorted(map(str, set(news)))}")
        if news[0] != value:
            yield value, news[0], len(news)


def _written(pairs, value, old: bool) -> str:
    return next((a if old else b).text for a, b in pairs if (a if old else b).value == value)


def _no_overlaps(edits: list[tuple[int, int, str]]) -> None:
    ordered = sorted(edits)
    if any(a[1] > b[0] for a, b in zip(ordered, ordered[1:], strict=False)):
        raise Unrepairable("two replaced pieces overlap in the English")


def _group(spans: list[tuple]) -> dict:
    out: dict = {}
    for span in spans:
        out.setdefault(span[2], []).append(span)
    return out


# -- finding pieces in the English ------------------------------------------------------------
def _term_spans(english: str, terms: set[str], glossary: Glossary) -> dict[str, list[tuple]]:
    """Where each term's approved English is, case-insensitive, plurals too."""
    out = {}
    for zh in terms:
        en = glossary.by_term[zh].en
        regex = re.compile(r"(?<![\w-])" + re.escape(en) + r"(?=(?:e?s)?(?![\w-]))", re.I)
        out[zh] = [(m.start(), m.end(), zh) for m in regex.finditer(english)]
    return out


def _inside(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in taken)


def _date_spans(english: str, taken: list[tuple[int, int]]) -> list[tuple]:
    """(start, end, key, match, order) of every date, longest forms first, without overlaps."""
    spans: list[tuple] = []
    for regex, order in numbers.TGT_DATE_RES:
        for m in regex.finditer(english):
            if _inside(m.start(), m.end(), taken + [s[:2] for s in spans]):
                continue
            key = _date_key(m, order)
            if key is not None:
                spans.append((m.start(), m.end(), key, m, order))
    return spans


def _date_key(m: re.Match, order: tuple) -> tuple | None:
    parts = dict(zip(order, m.groups(), strict=True))
    month = int(parts["m"]) if parts["m"].isdigit() else numbers._month(parts["m"])
    if not 1 <= month <= 12:
        return None
    values = {"y": int(parts.get("y") or 0), "m": month, "d": int(parts.get("d") or 0)}
    kind = DATE_KINDS[order]
    return (kind, *(values[p] for p in {"ymd": "ymd", "ym": "ym", "md": "md", "m": "m"}[kind]))


def _docno_spans(english: str, value: tuple[int, int]) -> list[tuple]:
    year, serial = value
    regex = re.compile(rf"(?<!\d)({year})[\]〕）)］】\s]*(?:No\.?\s*|第)?0*({serial})(?!\d)")
    return [(m.start(), m.end(), value, m) for m in regex.finditer(english)]


def _number_spans(english: str, taken: list[tuple[int, int]]) -> list[tuple]:
    """(start, end, value, style, match) of numbers in digits, words, ordinals and heading numerals."""
    spans = []
    for m in EN_DIGITS_RE.finditer(english):
        if not _inside(m.start(), m.end(), taken):
            raw = float(m.group(1).replace(",", "") + (m.group(2) or ""))
            value = raw * numbers.SCALES[m.group(3).lower()] if m.group(3) else raw
            spans.append((m.start(), m.end(), value, "digits", m))
    for m in EN_WORD_RE.finditer(english):
        value, style = _word_number(m.group(0).lower())
        if value is not None and not _inside(m.start(), m.end(), taken):
            spans.append((m.start(), m.end(), float(value), style, m))
    roman = EN_ROMAN_RE.match(english)
    if roman and _roman_value(roman.group(2)):
        spans.append((roman.start(2), roman.end(2), float(_roman_value(roman.group(2))), "roman", roman))
    return spans


def _word_number(word: str) -> tuple[int | None, str]:
    if word in numbers.ORDINALS:
        return numbers.ORDINALS[word], "ordinal"
    if word in numbers.WORDS:
        return numbers.WORDS[word], "word"
    tens, _, unit = word.partition("-")
    if tens in numbers.TENS and (not unit or unit in numbers.WORDS):
        return numbers.TENS[tens] + numbers.WORDS.get(unit, 0), "word"
    return None, ""


def _roman_value(text: str) -> int:
    total, rest = 0, text
    for letters, value in ROMAN:
        while rest.startswith(letters):
            total, rest = total + value, rest[len(letters):]
    return total if not rest and _roman(total) == text else 0


def _roman(value: int) -> str:
    out = ""
    for letters, size in ROMAN:
        count, value = divmod(value, size)
        out += letters * count
    return out


# -- writing new pieces as the English wrote the old ones ----------------------------------------
def _render(kind: str, english: str, span: tuple, new, glossary: Glossary) -> str:
    written = english[span[0]:span[1]]
    if kind == "term":
        en = glossary.by_term[new].en
        return en[:1].upper() + en[1:] if written[:1].isupper() else en
    if kind == "docno":
        m = span[3]
        return _splice(english, span[0], span[1], {1: str(new[0]), 2: str(new[1])}, m)
    if kind == "date":
        return _render_date(english, span, new)
    return _render_number(written, span[4], new)


def _splice(english: str, start: int, end: int, groups: dict[int, str], m: re.Match) -> str:
    """The text [start, end) with the given groups of `m` replaced."""
    out, pos = [], start
    for group in sorted(groups, key=m.start):
        out += [english[pos:m.start(group)], groups[group]]
        pos = m.end(group)
    return "".join(out) + english[pos:end]


def _render_date(english: str, span: tuple, new: tuple) -> str:
    start, end, key, m, order = span
    kind, *values = new
    parts = dict(zip({"ymd": "ymd", "ym": "ym", "md": "md", "m": "m"}[kind], values, strict=True))
    out, pos = [], start
    for i, part in enumerate(order, start=1):
        gstart, gend = m.span(i)
        if part == "m" and not m.group(i).isdigit():
            gend = gstart + len(re.match(r"[A-Za-z]+\.?", english[gstart:]).group(0))
            text = _month_like(english[gstart:gend], parts["m"])
        elif part == "d":
            suffix = re.match(r"(?:st|nd|rd|th)?", english[gend:]).group(0)
            gend += len(suffix)
            text = _padded(parts["d"], m.group(i), order) + (_suffix(parts["d"]) if suffix else "")
        else:
            text = _padded(parts[part], m.group(i), order)
        out += [english[pos:gstart], text]
        pos = gend
    return "".join(out) + english[pos:end]


def _padded(value: int, written: str, order: tuple) -> str:
    """Zero-padded as written (01), and always in 2024-01-07 form."""
    pad = written.startswith("0") or order == ("y", "m", "d")
    return str(value).zfill(len(written)) if pad else str(value)


def _month_like(written: str, month: int) -> str:
    name = numbers.MONTHS[month - 1]
    word = written.rstrip(".")
    if word.lower() != numbers.MONTHS[numbers._month(word) - 1]:  # abbreviated: Dec, Sept
        name = name[:4] if len(word) == 4 and name.startswith("sept") else name[:3]
    name += "." if written.endswith(".") else ""
    return _cased(name, written)


def _cased(text: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return text.upper()
    return text[:1].upper() + text[1:] if like[:1].isupper() else text


def _suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _render_number(written: str, m: re.Match, new: float) -> str:
    if m.re is EN_ROMAN_RE:
        return _roman(int(new))
    if m.re is EN_WORD_RE:
        return _cased(_number_word(int(new), ordinal=written.lower() in numbers.ORDINALS), written)
    digits, decimals, scale = m.group(1), m.group(2) or "", m.group(3)
    if scale:
        new = new / numbers.SCALES[scale.lower()]
    rest = written[len(digits + decimals):]
    if rest[:2].lower() in ("st", "nd", "rd", "th"):
        rest = _suffix(int(new)) + rest[2:]
    return _digits(new, digits, decimals) + rest


def _digits(value: float, digits: str, decimals: str) -> str:
    """A number written like `digits`: with thousands commas if it had them, zero-padded if it was."""
    whole = value == int(value)
    text = str(int(value)) if whole else f"{value:.{max(len(decimals) - 1, 1)}f}".rstrip("0")
    old = float(digits.replace(",", ""))
    if "," in digits or (old < 1000 and whole and value >= 10000):
        text = f"{int(value):,}" if whole else text
    if digits.startswith("0") and len(digits) > 1:
        text = text.zfill(len(digits))
    return text


def _number_word(value: int, ordinal: bool) -> str:
    if ordinal:
        return ORDINAL_NAMES.get(value) or f"{value}{_suffix(value)}"
    if value in WORD_NAMES:
        return WORD_NAMES[value]
    tens, unit = divmod(value, 10)
    if 2 <= tens <= 9:
        return TENS_NAMES[tens * 10] + (f"-{WORD_NAMES[unit]}" if unit else "")
    return str(value)


class Repairer:
    """Repairs for one translate run: near matches from the memory index, tried best first. The index
    is asked for on the first repair, so a run with nothing to repair never builds it."""

    def __init__(self, index: Callable[[], MemoryIndex], glossary: Glossary, threshold: float, tries: int = 5):
        self.index, self.glossary, self.threshold, self.tries = index, glossary, threshold, tries
        self._index: MemoryIndex | None = None

    def __call__(self, source: str) -> Repair | None:
        if self._index is None:
            self._index = self.index()
        for match in self._index.lookup(source, self.threshold, self.tries):
            if match.source != source and (result := repair(source, match, self.glossary)):
                return result
        return None
