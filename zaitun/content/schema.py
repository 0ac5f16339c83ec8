"""The one typed schema of front matter: each key's type, whether it is required, and a line of help.

`zaitun check`, intake and the build all validate with `validate_meta`, so what check passes the
others take, and what they would refuse check reports first, at its `path:line`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import reprlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from zaitun.errors import ContentError, together

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A slug names files of its own beside its name (`social/<slug>.zh.mastodon.<hash>.json`, a temporary copy
# of that): past this length one of them would pass the 255 bytes a file name may have.
SLUG_CHARS = 200
# C0 controls but tab, line feed and carriage return, DEL, and U+FFFE and U+FFFF: no text of a notice needs
# them, PostgreSQL refuses NUL outright, and XML (the feeds) can hold none of them but DEL. Also the invisible
# direction embeddings, overrides and isolates (U+202E shows what follows it backwards: a title could show what
# it does not hold) and the line and paragraph separators, which break a title or a summary where none is seen.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\u202a-\u202e\u2066-\u2069\u2028\u2029]")
SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n\n"})  # as a file's lines: Word's pasted line breaks
# A value quoted in a message: YAML aliases let 500 bytes of front matter stand for a list of a
# billion items (billion laughs), which a plain repr() would spend minutes and gigabytes writing out.
_QUOTED = reprlib.Repr()  # (keyword arguments only from Python 3.12)
_QUOTED.maxlevel, _QUOTED.maxlist, _QUOTED.maxdict, _QUOTED.maxstring, _QUOTED.maxother = 2, 4, 4, 80, 80


@dataclass(frozen=True)
class Key:
    name: str
    kind: str  # text | date | slug | tags | bool | aliases
    required: bool
    help: str


SCHEMA: tuple[Key, ...] = (
    Key("title", "text", True, "The Chinese title; translated and reviewed."),
    Key("date", "date", True, "Date of issue or publication, YYYY-MM-DD; a day to come: off the site till then."),
    Key("summary", "text", False, "One or two sentences; translated; used by feeds and social posts."),
    Key("programme", "slug", False, "Groups documents on a programme page and feed (a-z, 0-9, '-')."),
    Key("doc_number", "text", False, "Document number of a policy, e.g. 泉政办规〔2024〕11号."),
    Key("issuer", "text", False, "The issuing body."),
    Key("signer", "text", False, "Who signed: an upward document's 签发人 (请示, 报告), an order's official "
        "(市长　张三); not translated."),
    Key("valid_from", "date", False, "First day the policy applies, YYYY-MM-DD."),
    Key("valid_until", "date", False, "Last day the policy applies, YYYY-MM-DD; expiring content is marked."),
    Key("tags", "tags", False, "A list of tags, e.g. [visa-free, transit]; each becomes a page."),
    Key("social", "text", False, "Custom text of the social-media post; translated and reviewed."),
    Key("draft", "bool", False, "true keeps the document off the site."),
    Key("aliases", "aliases", False, "Old addresses that lead to this page, e.g. [guides/old-name]: paths on "
        "this site, with /zh/ or /en/ first for one language's page."),
)
KEYS = {key.name: key for key in SCHEMA}
DATE_KEYS = tuple(k.name for k in SCHEMA if k.kind == "date")
# Why a key people write by habit is not one.
_NOT_KEYS = {"slug": "the slug is the file name: rename the file to change it",
             "section": "the section is the folder: move the file to change it"}


def control_character(text: str) -> tuple[int, str] | None:
    """(line, character name) of the first control character in text, None when there is none."""
    match = CONTROL_RE.search(text)
    if match is None:
        return None
    return text.count("\n", 0, match.start()) + 1, f"U+{ord(match.group()):04X}"


def _quoted(value) -> str:
    """A front-matter value as a message shows it: its start, however large the YAML makes it."""
    return _QUOTED.repr(value)


def validate_meta(meta: object, lines: Mapping[str, int], path: Path) -> dict:
    """Check parsed front matter against the schema; return it with dates as dates, or raise at path:line.
    `lines`: the file's line of each key, as its YAML node has it (model.parse_meta)."""
    if not isinstance(meta, dict):
        raise ContentError(path, "front matter must be a mapping of 'key: value' lines", 2)
    found = [ContentError(path, unknown_key_message(str(name)), lines.get(str(name), 1))
             for name in meta if name not in KEYS]
    for key in SCHEMA:
        value = meta.get(key.name)
        if value is None or value == "":
            if key.required and key.name in meta:  # written, with nothing after it: at its line
                found.append(ContentError(path, f"'{key.name}' is empty ({key.help})", lines.get(key.name, 1)))
            elif key.required and not any(f"'{key.name}'?" in e.message for e in found):  # (not when 'titel' is)
                found.append(ContentError(path, f"missing required field '{key.name}' ({key.help})", 1))
            continue
        try:
            meta[key.name] = _checked(key, value, path, lines.get(key.name, 1))
        except ContentError as exc:
            found.append(exc)
            meta.pop(key.name)
    if found:
        raise together(found)
    _validity_in_order(meta, lines, path)
    return meta


def _validity_in_order(meta: dict, lines: Mapping[str, int], path: Path) -> None:
    """A validity that ends before it starts is a typo in one of its dates: published, it would read as expired."""
    start, end, issued = meta.get("valid_from"), meta.get("valid_until"), meta.get("date")
    if start and end and end < start:
        raise ContentError(path, f"'valid_until' ({end}) is before 'valid_from' ({start}): correct one of them",
                           lines.get("valid_until", 1))
    if end and isinstance(issued, dt.date) and end < issued:  # issued after its last day: never in force
        raise ContentError(path, f"'valid_until' ({end}) is before the document's 'date' ({issued}): it would go "
                                 "online expired; correct one of them", lines.get("valid_until", 1))


def unknown_key_message(name: str) -> str:
    if name in _NOT_KEYS:
        return f"'{name}' is not a front-matter key: {_NOT_KEYS[name]}"
    folded = name.strip().lower().replace("-", "_").replace(" ", "_")
    guess = folded if folded in KEYS else next(iter(difflib.get_close_matches(folded, KEYS, n=1, cutoff=0.6)), None)
    hint = f"did you mean '{guess}'?" if guess else f"known keys: {', '.join(KEYS)}"
    return f"unknown front-matter key '{name}': {hint}"


def _checked(key: Key, value, path: Path, line: int):
    if key.kind == "date":
        return parse_date(value, path, key.name, line)
    if key.kind == "bool":
        if not isinstance(value, bool):
            raise ContentError(path, f"'{key.name}' must be true or false, got {_quoted(value)}", line)
        return value
    if key.kind == "tags":
        return _tags(value, path, line)
    if key.kind == "aliases":
        return _aliases(value, path, line)
    if not isinstance(value, str):
        raise ContentError(path, f"'{key.name}' must be text, got {_kind_of(value)} {_quoted(value)} "
                           "(put it in quotes)", line)
    _no_control(value, key.name, path, line)
    if not _visible(value):
        raise ContentError(path, f"'{key.name}' holds only spaces or invisible characters: write it, or delete the "
                           "line" + ("" if key.required else " to leave it out"), line)
    if key.kind == "slug" and not SLUG_RE.match(value):
        raise ContentError(path, f"bad {key.name} {value!r}: use lowercase a-z, 0-9 and '-'", line)
    if key.kind == "slug" and (problem := _too_long(value)):
        raise ContentError(path, f"{key.name} {_quoted(value)} {problem}", line)
    return value


def _visible(text: str) -> bool:
    """Whether a page would show anything of `text`: not only spaces (full-width too) and zero-width marks."""
    return any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in text)


def _kind_of(value) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__)


def _no_control(text: str, name: str, path: Path, line: int) -> None:
    found = control_character(text)
    if found:
        raise ContentError(path, f"'{name}' holds the control character {found[1]}: remove it", line)


def _tags(value, path: Path, line: int) -> list[str]:
    return distinct(_text_list(value, path, line, "'tags' must be a list of text items, e.g. [visa-free, transit]",
                               lambda tag: (problem := tag_problem(tag)) and f"tag {tag!r} {problem}"))


def _aliases(value, path: Path, line: int) -> list[str]:
    return _text_list(value, path, line, "'aliases' must be a list of paths on this site, e.g. [guides/old-name]",
                      lambda alias: (problem := alias_problem(alias)) and f"alias {_quoted(alias)} {problem}")


def _text_list(value, path: Path, line: int, shape: str, problem_of) -> list[str]:
    """A list of text items, each checked by `problem_of` (its message, or nothing when it is good)."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ContentError(path, shape, line)
    for item in value:
        problem = problem_of(item)
        if problem:
            raise ContentError(path, problem, line)
    return value


_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# The endings of an old page's file (`t20230105_123.shtml` is the common one of government sites): a redirect
# page written under any other (`old-notice.pdf`, `feed.xml`) is served as that kind of file, never followed.
PAGE_SUFFIXES = (".html", ".htm", ".shtml")


def alias_problem(alias: str) -> str | None:
    """Why an alias cannot be an old address on this site (None when it can). A build writes it %-decoded
    (`old%20name` is the folder `old name`, as a web server reads the URL), so `%2e%2e` is a '..' part too."""
    name = alias.strip()
    if not name.strip("/"):
        return "is empty: write the old path, e.g. guides/old-name"
    if _SCHEME_RE.match(name) or name.startswith("//"):
        return "is a full URL: write only its path on this site, e.g. guides/old-name"
    if any(c in name for c in "\\?#") or CONTROL_RE.search(name) or any(c.isspace() for c in name):
        return "holds a character a path on this site cannot ('\\', '?', '#', spaces, control characters)"
    decoded = unquote(name)
    if "\\" in decoded or CONTROL_RE.search(decoded) or any(c in "\t\n\r" for c in decoded):
        return "holds a %-escaped '\\' or control character, which a path on this site cannot"
    if any(part in ("", ".", "..") for part in name.strip("/").split("/") + decoded.strip("/").split("/")):
        return "has an empty, '.' or '..' part (%-escaped or not): write the path from the site's root, e.g. " \
               "guides/old-name"
    if long := next((p for part in decoded.strip("/").split("/") if (p := _too_long(part))), None):
        return long
    top = decoded.strip("/").split("/", 1)[0]
    if top.casefold() in OWN_FOLDERS:  # in any case: a disk that ignores it writes there all the same
        return f"is in /{top}/, where zaitun writes its own files: choose another path"
    return _a_file(decoded.strip("/").rsplit("/", 1)[-1])


OWN_FOLDERS = ("assets", "pagefind", "social")  # the site's folders zaitun writes itself (publish.layout's
# ASSETS_DIR, SEARCH_DIR, SOCIAL_DIR): an alias there is refused when the file is checked, not at the build


def _a_file(last: str) -> str | None:
    """Why an alias whose last part names a file of another kind than a page cannot be one (None: it can)."""
    if "." not in last or last.lower().endswith(PAGE_SUFFIXES):
        return None
    return (f"names a file ({last}), not a page: a redirect page there would be served as that kind of file, not "
            "followed, so the old address would still fail. An alias is an old page's address: a folder "
            "(news/2024/transit) or a name ending in .html, .htm or .shtml; to publish a file, put it beside "
            "the document and link it")


_UNSAFE = re.compile(r"[\s/\\?#%<>\"'&\x00-\x1f\x7f]+")


@lru_cache(maxsize=4096)  # a site has few tags, asked for by every document that carries one
def tag_key(tag: str) -> str:
    """A tag as one path segment, which tags written alike share (`Visa-Free`, `visa free`: `visa-free`): Chinese
    kept, letter case, spaces, URL syntax and control characters folded to '-'; never '.' or '..', which would
    put a tag page over another page (the schema refuses such tags too)."""
    key = _UNSAFE.sub("-", tag.strip().lower()).strip("-")
    return key if key.strip(".") else "tag"


def distinct(tags: list[str]) -> list[str]:
    """A document's tags without those written twice (or alike: one `tag_key`), the first of each kept: one tag
    shown once on its page and listing it once on the tag's page."""
    seen: set[str] = set()
    return [tag for tag in tags if tag_key(tag) not in seen and not seen.add(tag_key(tag))]


def tag_problem(tag: str) -> str | None:
    """Why a tag cannot name its own page (None when it can): each tag is one path segment."""
    name = tag.strip()
    if not name:
        return "is empty: remove it"
    if name.strip(".") == "" or any(c in name for c in "/\\"):
        return "cannot be a page name ('.', '..', '/' and '\\' are not allowed): rename it"
    if CONTROL_RE.search(name):
        return "holds a control character: remove it"
    return _too_long(tag_key(name))


NAME_BYTES = 200  # a tag, programme or alias part names a folder of the site: a disk takes 255 bytes at most


def _too_long(part: str) -> str | None:
    size = len(part.encode("utf-8"))
    if size > NAME_BYTES:
        return f"is too long to name a page ({size} bytes, at most {NAME_BYTES}: a Chinese character is 3): shorten it"
    return None


EARLIEST_YEAR = 1900  # a government notice or guide is dated no earlier: 0001-01-01 is a slip (feeds date it badly)


def parse_date(value, path: Path, key: str, line: int) -> dt.date:
    date = _date(value, path, key, line)
    if date.year < EARLIEST_YEAR:
        raise ContentError(path, f"bad date in '{key}': {date.isoformat()} is before {EARLIEST_YEAR}: check the year",
                           line)
    return date


def _date(value, path: Path, key: str, line: int) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ContentError(path, f"bad date in '{key}': {_quoted(value)} (use YYYY-MM-DD)", line)
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):  # the form is right, the day does not exist
            raise ContentError(path, f"bad date in '{key}': {_quoted(value)} is no day of the calendar "
                                     f"({exc}): check the month and day", line) from None
        raise ContentError(path, f"bad date in '{key}': {_quoted(value)} (use YYYY-MM-DD)", line) from None
