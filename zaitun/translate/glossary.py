"""The project's terminology: `glossary/*.csv` loaded into one longest-leftmost matcher.

Each entry gives the approved English for a Chinese term and renderings that must never
appear. Matching uses an Aho-Corasick automaton over every term, so the cost is linear in
the text however many terms there are; the longest match at the leftmost position wins
(市委宣传部 over 宣传部), and a shorter term never splits a longer one. Terms match in traditional
characters and in either width too (`term_form`: 宣傳部 is 宣传部), so a notice in traditional
characters is held to the same renderings. Structure labels of
regulations (第三条 "Article 3", 第二章 "Chapter II", from `zaitun.content.labels`) match as
terms too, so masking hands them to engines ready-made and QA flags a label rendered otherwise.

A term given two renderings on two lines (one file sorting before another must not decide which
is right), or a rendering another line forbids (or holding one forbidden for a term inside its own
Chinese: 宣传部门 "propaganda departments" beside 宣传部, never "Propaganda Department"), is a conflict:
drafts use the first line no other line forbids, every segment holding the term is flagged (`conflicts`),
and the lines are reported (`problems`) with the files or lines that cannot be read. Renderings are
compared in the normal form of `zaitun.translate.normal`, as QA compares them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ahocorasick

from zaitun.content import hanzi, labels
from zaitun.errors import GlossaryConflict, GlossaryError, shown, utf8_text
from zaitun.translate.normal import case_matters, normal

HEADER = ["zh", "en", "forbidden", "note"]
# In the forbidden column `|` separates renderings; `\|` is a `|` inside one and `\\` a `\`
# (any other `\` is itself, so a hand-written C:\x stays C:\x).
FORBIDDEN_PIECE_RE = re.compile(r"\\[\\|]|\||[^\\|]+|\\")
LABEL_NOTE = "structure label"  # the note of the entries made for 第三条, 第二章, …
# Terms are matched character for character in this form (so positions stay): traditional variants as
# simplified (宣傳部 is 宣传部) and full-width letters, digits and punctuation as ASCII (（试行） is (试行)).
@cache
def _term_form() -> dict[int, str]:
    """The table, made when first needed: a build that screens no English never reads OpenCC's."""
    return str.maketrans({**hanzi.variants(), **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}})


def term_form(text: str) -> str:
    """The text as terms are matched: one character for one, so a match's place is the same in both."""
    return text.translate(_term_form())


@dataclass(frozen=True)
class Entry:
    """One glossary line: a Chinese term, its approved English and the renderings forbidden for it."""

    zh: str
    en: str
    forbidden: tuple[str, ...] = ()
    note: str = ""
    path: str = ""
    line: int = 0

    @property
    def place(self) -> str:
        """Where the line is, as messages name it (`government.csv:16`)."""
        return f"{Path(self.path).name}:{self.line}" if self.path else (self.note or "entry")


@dataclass(frozen=True)
class Match:
    """A term found in a text at [start, end)."""

    start: int
    end: int
    entry: Entry


@dataclass
class Glossary:
    """All entries of a project, with a matcher and a version that changes when any file does; `problems`:
    what its files could not give as written (path:line), for whoever loads it to report."""

    entries: list[Entry] = field(default_factory=list)
    version: str = ""
    problems: list[GlossaryError] = field(default_factory=list)
    bans: list[Entry] = field(default_factory=list)  # lines with no English yet: their forbidden renderings hold

    def bans_in(self, text: str) -> list[Entry]:
        """The lines without English whose term is in `text` (their forbidden renderings are refused all the same)."""
        form = term_form(text) if self.bans else ""
        return [b for b in self.bans if term_form(b.zh) in form]

    def __post_init__(self) -> None:
        self.lines: dict[str, list[Entry]] = {}  # every line of each term, in file order
        self._forms: dict[str, list[Entry]] = {}  # the same by the term's matched form (宣傳部 with 宣传部)
        for entry in self.entries:
            self.lines.setdefault(entry.zh, []).append(entry)
            self._forms.setdefault(term_form(entry.zh), []).append(entry)
        forbidding = _forbidding(self.entries, self.bans)
        conflicts = _conflicts(self._forms, forbidding)
        self.conflicts = {e.zh: conflicts[term_form(e.zh)] for e in self.entries  # zh -> the message flagging
                          if term_form(e.zh) in conflicts}  # its segments
        refused = {line for _, line, _ in forbidding}
        self.by_term = {zh: next((e for e in lines if e not in refused), lines[0]) for zh, lines in self.lines.items()}
        self._automaton = _build_automaton(self.by_term.values())
        self.banning = [e for e in [*self.entries, *self.bans] if any(map(str.strip, e.forbidden))]  # QA looks
        # for their forbidden renderings in every English, its Chinese holding the term or not

    def english_of(self, zh: str) -> str | None:
        """The approved English of a term as `matches` gives it: a glossary term's, or a structure label's
        (第四条 "Article 4", which no glossary line holds); None for anything else."""
        if (entry := self.by_term.get(zh)) is not None:
            return entry.en
        return next((en for start, end, en in labels.find(zh) if start == 0 and end == len(zh)), None)

    def lines_of(self, entry: Entry) -> list[Entry]:
        """Every glossary line of `entry`'s term, in either script (a structure label is its own only line)."""
        return self._forms.get(term_form(entry.zh)) or [entry]

    def __len__(self) -> int:
        return len(self.by_term)

    def _hits(self, text: str) -> Iterator[tuple[int, Entry]]:
        """(start, entry) of every occurrence, nested and overlapping ones included."""
        if self._automaton is None:
            return
        for end, entry in self._automaton.iter(_units(term_form(text))):
            if (end + 1) % 4 == 0:  # whole characters only, never a match across two of them
                yield (end + 1) // 4 - len(entry.zh), entry

    def _label_hits(self, text: str) -> list[tuple[int, Entry]]:
        return [(start, Entry(text[start:end], en, note=LABEL_NOTE)) for start, end, en in labels.find(text)]

    def all_matches(self, text: str) -> list[Match]:
        """Every occurrence of every term, nested and overlapping ones included."""
        hits = [*self._hits(text), *self._label_hits(text)]
        return sorted((Match(start, start + len(e.zh), e) for start, e in hits), key=lambda m: (m.start, m.end))

    def matches(self, text: str) -> list[Match]:
        """Longest-leftmost, non-overlapping matches in text order."""
        longest: dict[int, Entry] = {}
        for start, entry in [*self._hits(text), *self._label_hits(text)]:
            best = longest.get(start)
            if best is None or len(entry.zh) > len(best.zh):
                longest[start] = entry
        out: list[Match] = []
        pos = 0
        for start in sorted(longest):
            if start >= pos:
                entry = longest[start]
                out.append(Match(start, start + len(entry.zh), entry))
                pos = start + len(entry.zh)
        return out

    def rendering(self, text: str) -> str | None:
        """The English of a segment that is one term, or a structure label with at most one term
        after it (`第三条`, `第一章　总则` -> "Chapter I General Provisions"); None otherwise."""
        text = text.strip()
        found = self.matches(text)
        if not found or found[0].start != 0 or found[-1].end != len(text) or len(found) > 2:
            return None
        if len(found) == 2:
            gap = text[found[0].end:found[1].start]
            if found[0].entry.note != LABEL_NOTE or gap.strip(" \u3000：:"):
                return None
            english = found[0].entry.en + (": " if gap.strip() else " ") + found[1].entry.en
        else:
            english = found[0].entry.en
        return english[:1].upper() + english[1:]


def _units(text: str) -> str:
    """The text as UTF-32 code units, one Latin-1 character per byte.

    pyahocorasick searches a node's children linearly; over raw Chinese the root has
    thousands of children, over bytes at most 256 (and a handful for CJK), which makes
    matching about five times faster. UTF-32 keeps every character four units wide.
    """
    return text.encode("utf-32-be").decode("latin-1")


def _build_automaton(entries) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    for entry in entries:
        if _units(term_form(entry.zh)) not in automaton:  # of 宣传部 and 宣傳部 the first line is used
            automaton.add_word(_units(term_form(entry.zh)), entry)
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def _forbidding(entries: list[Entry], bans: list[Entry] = ()) -> list[tuple[Entry, Entry, str]]:
    """(line, another line whose approved rendering the first forbids, the forbidden rendering): one equal to it as
    QA would match it, or held in it where the other line's term holds the first's (宣传部门 "propaganda departments"
    renders 宣传部 "Propaganda Department" all the same: a longer rendering lifts no ban of a term it renders).
    `bans`: lines giving forbidden renderings only (their English still to fill in), which forbid all the same."""
    by_rendering: dict[str, list[Entry]] = {}
    for entry in entries:
        by_rendering.setdefault(normal(entry.en), []).append(entry)
    found: dict[tuple[int, int], tuple[Entry, Entry, str]] = {}  # one a pair of lines
    for entry in [*entries, *bans]:
        for banned in entry.forbidden:
            fold = not case_matters(banned, entry.en)
            for other in by_rendering.get(normal(banned), []):
                if other is not entry and normal(other.en, fold) == normal(banned, fold):
                    found.setdefault((id(entry), id(other)), (entry, other, banned))
    for entry, other in _holding(entries, bans):
        for banned in filter(normal, entry.forbidden):
            if _holds(other.en, banned, not case_matters(banned, entry.en)):
                found.setdefault((id(entry), id(other)), (entry, other, banned))
    return list(found.values())


def _holding(entries: list[Entry], bans: list[Entry] = ()) -> Iterator[tuple[Entry, Entry]]:
    """(a line forbidding renderings, another line whose term holds its term: 宣传部, 宣传部门), found in one pass
    over each term (a glossary of thousands of terms is compared in linear time, not pair by pair)."""
    banning: dict[str, list[Entry]] = {}
    for entry in [*entries, *bans]:
        if any(map(normal, entry.forbidden)):
            banning.setdefault(term_form(entry.zh), []).append(entry)
    if not banning:
        return
    automaton = ahocorasick.Automaton()
    for form in banning:
        automaton.add_word(form, form)
    automaton.make_automaton()
    for other in entries:
        for form in dict.fromkeys(form for _, form in automaton.iter(term_form(other.zh))):
            yield from ((entry, other) for entry in banning[form] if entry is not other)


def _holds(rendering: str, banned: str, fold: bool) -> bool:
    """Whether `rendering` holds `banned` as QA finds it: a whole word (plurals too), spaced or run together."""
    text, word = normal(rendering, fold), normal(banned, fold)
    if re.search(whole_word(word), text):
        return True
    squeezed = "".join(c for c in word if c.isalnum())
    return squeezed != word and bool(re.search(whole_word(squeezed), "".join(c for c in text if c.isalnum())))


def whole_word(rendering: str) -> str:
    """A pattern finding `rendering` (plurals too) as a whole word: the boundary is needed only at an edge
    that is a letter or digit ("alien" is not in "alienate", but "(PRC)" is in "China(PRC)"), and only a letter
    makes one: "Propaganda Department2" still shows the words."""
    start = r"(?<![^\W\d_])" if re.match(r"\w", rendering) else ""
    end = r"(?:s|es)?(?![^\W\d_])" if re.search(r"\w$", rendering) else ""
    return start + re.escape(rendering) + end


def _conflicts(lines: dict[str, list[Entry]], forbidding: list[tuple[Entry, Entry, str]]) -> dict[str, str]:
    """zh -> why the glossary cannot say how to render it: its lines give two renderings, or its rendering is
    (or holds) one another term forbids."""
    found = {}
    for zh, group in lines.items():
        first = list({e.en: e for e in reversed(group)}.values())[::-1]  # the first line of each rendering
        if len(first) > 1:
            found[zh] = f"glossary conflict: {zh} is " + _listed([f"{e.en!r} in {e.place}" for e in first])
    for entry, other, banned in forbidding:
        if other.zh != entry.zh:
            held = "" if _equal(other, banned, entry) else f" holding {banned!r},"
            found.setdefault(term_form(other.zh), f"glossary conflict: {other.zh} is {other.en!r} in {other.place},"
                                                  f"{held} a rendering {entry.place} forbids for {entry.zh}")
    return {zh: f"{why}; keep one in the glossary, then check this English" for zh, why in found.items()}


def _equal(other: Entry, banned: str, entry: Entry) -> bool:
    """Whether `other`'s rendering is `banned` itself (not a longer one holding it), as `entry` forbids it."""
    fold = not case_matters(banned, entry.en)
    return normal(other.en, fold) == normal(banned, fold)


def _forbidden_problem(entry: Entry, other: Entry, banned: str) -> GlossaryConflict:
    """`other`'s line, whose rendering `entry` forbids (or holds one it forbids for a term `other`'s holds)."""
    until = f"(until then segments holding {other.zh} are flagged for review)"
    if _equal(other, banned, entry):
        return GlossaryConflict(other.path, f"{other.zh}: its rendering {other.en!r} is forbidden for {entry.zh} at "
                                            f"{entry.place}; keep one {until}", other.line)
    return GlossaryConflict(other.path, f"{other.zh}: its rendering {other.en!r} holds {banned!r}, which "
                                        f"{entry.place} forbids for {entry.zh} (a term {other.zh} holds); render it "
                                        f"otherwise {until}", other.line)


def _listed(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def glossary_files(glossary_dir: Path) -> list[Path]:
    return sorted(Path(glossary_dir).glob("*.csv")) if Path(glossary_dir).is_dir() else []


def version_of(read: dict[Path, bytes]) -> str:
    """Short hash of the names and contents of the files a glossary is read from, as read (the very bytes its
    entries were parsed from): recorded with every draft, and what releases are screened against
    (publish/screen.py)."""
    digest = hashlib.sha256()
    for path, data in read.items():
        digest.update(path.name.encode("utf-8", "surrogateescape") + b"\0" + data + b"\0")  # (GBK: bytes)
    return digest.hexdigest()[:12]


def screened_against(version: str) -> str:
    """What a release's English is screened against (its `screened` mark, publish/screen.py): the glossary's
    version and the rules that find forbidden renderings, so that English screened by an older zaitun, whose
    rules missed some (look-alike letters, text written backwards), is screened again once."""
    return f"{version}/{SCREENING_RULES}"


SCREENING_RULES = 5  # raised whenever checks.forbidden_renderings finds what it did not before


def read_rows(path: Path, data: bytes | None = None) -> Iterator[tuple[int, list[str] | None]]:
    """(line number, cells) for each row of a glossary CSV (`data`: its bytes, when read already), the header
    included as line 1; cells None for a line whose quote is never closed (the lines after it are read as lines
    of their own, not swallowed)."""
    import csv  # here: a build whose glossary did not change reads none (4 ms of its start)

    data = path.read_bytes() if data is None else data
    lines = utf8_text(data, path, GlossaryError, "cannot read the file as UTF-8 CSV: byte {byte} is not "
                      "UTF-8; save the file as UTF-8 (GBK is not)").splitlines(keepends=True)
    start = 0
    while start < len(lines):
        reader, first = csv.reader(lines[start:]), start  # first: the line the next row starts on
        for row in reader:
            end = start + reader.line_num
            if end - first > 1 and len(row) != len(HEADER):  # an open quote took the lines after it
                yield first + 1, None
                start = first + 1
                break
            yield first + 1, row
            first = end
        else:
            return


def parse_file(path: Path, data: bytes | None = None) -> tuple[list[Entry], list[GlossaryError]]:
    """Entries of one file (`data`: its bytes, when read already) and the problems that prevent reading some of
    its lines."""
    import csv

    entries: list[Entry] = []
    errors: list[GlossaryError] = []
    try:
        rows = list(read_rows(path, data))
    except GlossaryError as exc:  # not UTF-8
        return [], [exc]
    except csv.Error as exc:
        return [], [GlossaryError(path, f"cannot read the file as UTF-8 CSV: {exc}", 1)]
    if not rows or [c.strip() for c in rows[0][1] or []] != HEADER:
        return [], [GlossaryError(path, f"the first line must be the header {','.join(HEADER)}", 1)]
    for line, cells in rows[1:]:
        if cells is None:
            errors.append(GlossaryError(path, 'a quote (") opened on this line is never closed: close it or '
                                              "remove it", line))
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(HEADER):
            errors.append(GlossaryError(path, f"expected {len(HEADER)} columns (zh,en,forbidden,note), "
                                              f"got {len(cells)}; quote cells that contain commas", line))
            continue
        zh, en, forbidden, note = (c.strip() for c in cells)
        entries.append(Entry(zh, en, split_forbidden(forbidden), note, shown(path), line))  # (in messages, stored)
    return entries, errors


def load_glossary(glossary_dir: Path) -> Glossary:
    """Read every `*.csv` of the folder (in name order). What cannot be used as written (a file that cannot be
    read, a bad line, lines in conflict) is in `problems`, as `zaitun check` reports it: the rest is used. A
    project's file that does not read whole is in force as it last read whole (`_in_force`): a slip in it
    must not lift the renderings it forbids from the review gate, the memory and the build's screen."""
    paths = glossary_files(glossary_dir)
    usable: list[Entry] = []
    bans: list[Entry] = []
    problems: list[GlossaryError] = []
    first: dict[str, Entry] = {}  # by the term's matched form: 宣傳部 is a second line of 宣传部
    read: dict[Path, bytes] = {}  # each file in force (a kept copy too), as read once: the version is theirs
    kept_folder = _kept_folder(glossary_dir)
    for path in paths:
        entries, kept_bans, file_errors, sources = _in_force(path, kept_folder)
        read.update(sources)
        bans += kept_bans
        problems.extend(file_errors)
        for entry in entries:
            problems.extend(_entry_problems(entry, first.get(term_form(entry.zh))))
            if entry.zh and entry.en:  # an unusable line is reported once, not again as a conflict
                first.setdefault(term_form(entry.zh), entry)
                usable.append(entry)
            elif entry.zh and entry.forbidden:
                bans.append(entry)
    _forget_gone(kept_folder, paths)
    problems.extend(_forbidden_problem(*found) for found in _forbidding(usable, bans) if found[1].zh != found[0].zh)
    return Glossary(usable, version_of(read), problems, bans)


KEPT = "glossary-kept"  # in a project's state folder: each glossary file as it last read whole


def _kept_folder(glossary_dir: Path) -> Path | None:
    """Where a project keeps its glossary files as they last read whole (None: not a project's glossary)."""
    state = Path(glossary_dir).parent / ".zaitun"  # (project.STATE_DIR: the glossary is the project's glossary/)
    return state / KEPT if Path(glossary_dir).name == "glossary" and state.is_dir() else None


def _in_force(path: Path, kept_folder: Path | None) -> tuple[list[Entry], list[Entry], list[GlossaryError],
                                                               dict[Path, bytes]]:
    """A file's entries, the bans it adds, its problems and the files they are read from, with their bytes as
    read: the file itself (none when it cannot be read), kept when it reads whole, and its kept copy when that is
    in force. One that does not, but did before, keeps what its copy as it did then gave: its lines
    whole when the file gives none (a header mistyped, another encoding), else its lines whose term the file's
    readable lines lack and, for the others, every rendering the copy forbade, as bans (a slip on one line must
    lift no ban, a new line's nor an old one's); its problems say so. Each file is read once: what is parsed is
    what is kept and versioned, even while an editor saves it."""
    read: dict[Path, bytes] = {}
    try:
        read[path] = path.read_bytes()
    except OSError as exc:  # unreadable (its permissions), or gone since it was listed: it gives no line
        entries, errors = [], [GlossaryError(path, f"cannot read the file: {exc.strerror or exc}", 1)]
    else:
        entries, errors = parse_file(path, read[path])
    if kept_folder is None:
        return entries, [], errors, read
    kept = kept_folder / path.name
    if not errors:
        _keep(read[path], kept)
        return entries, [], errors, read
    try:
        copy = kept.read_bytes()
    except OSError:  # none kept
        return entries, [], errors, read
    before, unread = parse_file(kept, copy)
    if unread:
        return entries, [], errors, read
    here = shown(path)
    now = {e.zh for e in entries}
    kept_lines = [Entry(e.zh, e.en, e.forbidden, e.note, here, e.line) for e in before if e.zh not in now]
    bans = [Entry(e.zh, "", e.forbidden, e.note, here, e.line) for e in before if e.zh in now and e.forbidden]
    said = (f" (until the file reads whole, its lines as they last did, kept in {shown(kept)}, are in force where "
            "it gives none, and every rendering they forbade is refused still)")
    return ([*entries, *kept_lines], bans, [GlossaryError(error.path, error.message + said, error.line)
                                            for error in errors], read | {kept: copy})


def _keep(data: bytes, kept: Path) -> None:
    """Keep a copy of a file that reads whole, these bytes as parsed (written only when it changed: most loads
    read the same)."""
    from zaitun.statefiles import keep_cache

    try:
        if kept.read_bytes() == data:
            return
    except OSError:
        pass
    with contextlib.suppress(OSError):
        kept.parent.mkdir(exist_ok=True)
    keep_cache(kept, data)


def _forget_gone(kept_folder: Path | None, paths: list[Path]) -> None:
    """The copies of files no longer in the glossary go with them: a new file of that name starting broken must
    not bring back the lines of one deleted or renamed."""
    if kept_folder is None or not kept_folder.is_dir():
        return
    names = {path.name for path in paths}
    for copy in kept_folder.glob("*.csv"):
        if copy.name not in names:
            with contextlib.suppress(OSError):
                copy.unlink()


def lint_glossaries(glossary_dir: Path) -> list[GlossaryError]:
    """Every problem in the glossary files, each as `path:line: message` with how to fix it."""
    return load_glossary(glossary_dir).problems


def _entry_problems(entry: Entry, earlier: Entry | None) -> list[GlossaryError]:
    where = (entry.path, entry.line)
    if not entry.zh:
        return [GlossaryError(*where[:1], "empty Chinese term: fill in the zh column or delete the line", where[1])]
    if not entry.en:
        kept = " (its forbidden renderings are refused meanwhile)" if entry.forbidden else ""
        return [GlossaryError(where[0], f"{entry.zh}: empty English rendering: fill in the en column{kept}", where[1])]
    problems = []
    if earlier is not None and earlier.en == entry.en and earlier.zh == entry.zh:  # 宣傳部 beside 宣传部 is harmless
        problems.append(GlossaryError(where[0], f"{entry.zh}: {_duplicate(entry, earlier)}", where[1]))
    elif earlier is not None and earlier.en != entry.en:
        problems.append(GlossaryConflict(where[0], f"{entry.zh}: conflicting renderings {entry.en!r} here and "
                                                   f"{earlier.en!r} at {earlier.place}; keep one (until then "
                                                   f"segments holding {entry.zh} are flagged for review)", where[1]))
    for banned in entry.forbidden:
        fold = not case_matters(banned, entry.en)
        if not normal(banned):
            problems.append(GlossaryError(where[0], f"{entry.zh}: forbidden rendering {banned!r} is only invisible "
                                                    "characters and spaces; remove it from the forbidden column",
                                          where[1]))
        elif normal(banned, fold) == normal(entry.en, fold):
            problems.append(GlossaryError(where[0], f"{entry.zh}: forbidden rendering {banned!r} is the approved "
                                                    "rendering itself; remove it from the forbidden column", where[1]))
    return problems


def _duplicate(entry: Entry, earlier: Entry) -> str:
    """What to do with a line repeating an earlier one's term and rendering: which to delete, so that deleting it
    lifts no ban the other line lacks."""
    here, there = _bans(entry), _bans(earlier)
    only_here = [banned for key, banned in here.items() if key not in there]
    only_there = [banned for key, banned in there.items() if key not in here]
    if not only_here:
        more = ", which forbids all this line does and more; delete this line" if only_there else \
            "; delete one of the lines"
        return f"duplicate of {earlier.place}{more}"
    listed = _listed([repr(banned) for banned in only_here])
    if not only_there:
        return (f"same rendering as {earlier.place}, but only this line forbids {listed}: delete {earlier.place}, "
                "not this line (or move them there first)")
    return (f"same rendering as {earlier.place}, each line forbidding what the other does not (this one {listed}, "
            f"that one {_listed([repr(banned) for banned in only_there])}): move them all to one line, then delete "
            "the other")


def _bans(entry: Entry) -> dict[str, str]:
    """A line's forbidden renderings by the form QA finds them in (so "propaganda  department" is "Propaganda
    Department")."""
    return {normal(banned, not case_matters(banned, entry.en)): banned for banned in entry.forbidden if normal(banned)}


def write_csv(entries: list[Entry], out: io.TextIOBase) -> None:
    """Write entries as a glossary CSV (the format read by `load_glossary`)."""
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for e in entries:
        writer.writerow([e.zh, e.en, join_forbidden(e.forbidden), e.note])


def split_forbidden(cell: str) -> tuple[str, ...]:
    """The renderings of a forbidden column, `\\|` and `\\\\` read as the characters they escape."""
    renderings = [""]
    for piece in FORBIDDEN_PIECE_RE.findall(cell):
        if piece == "|":
            renderings.append("")
        else:
            renderings[-1] += piece[1:] if piece in ("\\|", "\\\\") else piece
    return tuple(r.strip() for r in renderings if r.strip())


def join_forbidden(renderings: tuple[str, ...]) -> str:
    """A forbidden column holding `renderings`, as `split_forbidden` reads them back."""
    return "|".join(r.replace("\\", "\\\\").replace("|", "\\|") for r in renderings)
