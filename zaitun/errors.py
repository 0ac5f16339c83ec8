"""One exception tree for everything a user can get wrong.

    ZaitunError                 any error zaitun reports to a user without a traceback
    ├── ConfigError             zaitun.toml is missing, unreadable or invalid
    ├── ContentError            a content file cannot be read or is invalid (path:line)
    │   └── NoticeImportError       a notice could not be converted by `zaitun import`
    ├── GlossaryError           a glossary file is invalid (path:line)
    │   └── GlossaryConflict        two lines give a term two renderings, or forbid one's rendering
    ├── ProviderError           a translation provider is unknown or misconfigured
    ├── ReviewError             a review action is not allowed (unknown segment, wrong role...)
    ├── StoreError              the store cannot be reached (server down, credentials refused)
    ├── StateUnreadable         a record in .zaitun/ of what was told, sent or queued does not read (zaitun.statefiles)
    ├── PublishError            the site failed its own lint or could not be written
    │   └── SocialStateUnreadable   .zaitun/social.json does not read (a StateUnreadable too): nothing is posted
    ├── DeployError             a sink (S3) refused the upload
    ├── Busy                    another process kept a piece of work locked longer than one waits (zaitun.locks)
    ├── PassFailed              a stage of one whole pass (`zaitun run`) failed: what the stages before it did, and why
    └── MachineTrouble          the machine refused a write: the disk full, the store locked, read-only or damaged,
                                no permission

`machine_trouble` tells the last from a fault of one file: a stage's file boundary lets it through (the
file is not to blame, and the next files would meet it too) and the command line prints it in a line.
"""

from __future__ import annotations

import errno
from pathlib import Path


class ZaitunError(Exception):
    """Base class: the CLI prints these as one line and exits 1."""


class LocatedError(ZaitunError):
    """An error tied to a file (and line), printed as `path:line: message`."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path = Path(path)
        self.line = line
        self.message = message
        super().__init__(self.location() + ": " + message)

    def location(self) -> str:
        return f"{shown(self.path)}:{self.line}" if self.line else shown(self.path)


def together(found: list[LocatedError]) -> LocatedError:
    """A file's problems as one error: the first at its line, then up to ALSO_NAMED others with theirs and a count
    of the rest, so whoever fixes the file sees them all at once (and reads a line, not a page)."""
    first, *more = sorted(found, key=lambda e: e.line or 0)
    if not more:
        return first
    also = "; ".join(f"line {e.line}: {e.message}" if e.line else e.message for e in more[:ALSO_NAMED])
    if len(more) > ALSO_NAMED:
        also += f"; and {len(more) - ALSO_NAMED} more"
    return type(first)(first.path, f"{first.message} (also {also})", first.line)


ALSO_NAMED = 3  # problems named after a file's first: enough to fix most files at once


def shown(path: Path | str) -> str:
    """A path as text any message can carry: the bytes of a name that is not UTF-8 (a file named on a system of
    another encoding) as `\\xb9`, not as the lone surrogates Python reads them as, which no store, mail or
    terminal takes; a control character in a name (a line break, an escape) as Python writes it (`\\n`), so a
    `path:line: message` stays one line and a name cannot forge the lines after it."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace").translate(_ESCAPED)


_ESCAPED = {code: repr(chr(code))[1:-1] for code in (*range(0x20), 0x7f, 0x85, 0x2028, 0x2029)}


def utf8_name(name: str) -> bool:
    """Whether a file name read from the disk (or text from the command line) is UTF-8: one that is not (a file
    named by a system using GBK, an archive unpacked so; a terminal sending GBK) holds lone surrogates, which no
    store, page, feed or message can carry."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


NOT_UTF8 = "not UTF-8 text: byte {byte} is not UTF-8; save the file as UTF-8 (GBK is not)"


def utf8_text(data: bytes, path: Path | str, error: type[LocatedError], message: str = NOT_UTF8) -> str:
    """The bytes of a file people write (content, settings, glossary) as text, a byte-order mark (Notepad's UTF-8)
    left out; else `error` at the line of the first byte that is not UTF-8 (a file saved in GBK, Notepad's
    "ANSI" on Chinese Windows), `message` given that byte as `{byte}`."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # (its object: the bytes after a byte-order mark)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # not GBK: a UTF-16 byte-order mark, first of all
            raise error(path, "saved as UTF-16 (Notepad's \"Unicode\"): save it as UTF-8 (in Notepad: Save as, "
                        "Encoding: UTF-8)", 1) from None
        raise error(path, message.format(byte=f"0x{exc.object[exc.start]:02x}"),
                    exc.object[:exc.start].count(b"\n") + 1) from None


class ConfigError(LocatedError):
    pass


class ContentError(LocatedError):
    pass


class NoticeImportError(ContentError):
    pass


class GlossaryError(LocatedError):
    pass


class GlossaryConflict(GlossaryError):
    """The glossary cannot say how to render a term: the segments holding it are flagged for review."""


class ProviderError(ZaitunError):
    pass


class ReviewError(ZaitunError):
    pass


class StoreError(ZaitunError):
    pass


class StateUnreadable(ZaitunError):
    """A JSON record in .zaitun/ (what was told, sent or queued) does not read: cut short, hand-edited, not
    what zaitun writes. Never taken for none: that would tell again what was told, or drop what waited."""

    def __init__(self, path: Path, why: str, message: str = ""):
        self.path = Path(path)
        self.why = why
        super().__init__(message or f"{path} could not be read ({why})")


class PublishError(ZaitunError):
    pass


class DeployError(ZaitunError):
    pass


class Busy(ZaitunError):
    """The lock on some work stayed held past the wait allowed; `pid` is its holder's, when known."""

    def __init__(self, message: str, pid: int | None = None):
        super().__init__(message)
        self.pid = pid


class PassFailed(ZaitunError):
    """A stage of `pipeline.run_once` raised `cause`; `summary` holds what the stages before it did, so the
    operator learns what was taken in and translated before the error. It reads as its cause."""

    def __init__(self, summary: dict, cause: ZaitunError):
        super().__init__(str(cause))
        self.summary = summary
        self.cause = cause


class MachineTrouble(ZaitunError):
    """The disk, the file system or the store refused what zaitun had to do; no file of the project is to blame."""


AGAIN = "then run the command again (the next pass picks up what this one could not finish)"
_DISK = {errno.ENOSPC: ("no space left on the disk", "free some space"),
         errno.EDQUOT: ("the disk quota is used up", "free some space"),
         errno.EROFS: ("the file system is read-only", "make it writable"),
         errno.EIO: ("the disk failed to read or write", "check the disk")}
_STORE = (("database is locked", "the store stayed locked by another process for 30 s (a sqlite3 shell or a backup "
           "holding a transaction?): end that process, " + AGAIN),
          ("database or disk is full", "the disk holding the store is full: free some space, " + AGAIN),
          ("disk i/o error", "the store could not be read or written (the disk holding it full, or failing): free "
           "some space or check the disk, " + AGAIN),
          ("readonly database", "the store cannot be written (a read-only file or file system, or .zaitun/ owned by "
           "another user): run zaitun as the user who owns .zaitun/ or make it writable, " + AGAIN),
          ("unable to open database file", "the store cannot be opened (.zaitun/ not writable, owned by another "
           "user, or the disk full): run zaitun as the user who owns .zaitun/ or make it writable, " + AGAIN))


_DAMAGED = ("database disk image is malformed", "file is not a database")


def damaged_store(exc: BaseException, path: str = "") -> MachineTrouble | None:
    """What to do when the SQLite store (at `path`, when known) does not read as a database: a copy taken while
    zaitun wrote it, or without its -wal file; None for any other failure."""
    orig = getattr(exc, "orig", None) or exc
    if not type(orig).__module__.startswith("sqlite3"):
        return None
    text = " ".join(str(orig).split())
    if not any(known in text.lower() for known in _DAMAGED):
        return None
    store = path or "the store (.zaitun/state.db)"
    return MachineTrouble(f"{store} is damaged ({text}): a copy taken while zaitun was writing it, or without its "
                          "-wal file? Stop zaitun, and restore it from a whole backup (one taken with zaitun stopped, "
                          "state.db with its -wal file, or with `sqlite3 state.db \".backup COPY\"`); nothing was "
                          "published from it")


def machine_trouble(exc: BaseException) -> MachineTrouble | None:
    """What `exc` says of the machine, when it is the disk, the file system or the store refusing (not a
    fault of the file being handled), as one line with what to do; None for any other failure."""
    if isinstance(exc, MachineTrouble):
        return exc
    damaged = damaged_store(exc)
    if damaged is not None:
        return damaged
    if isinstance(exc, OSError) and exc.errno in _DISK:
        where = f" ({exc.filename})" if exc.filename else ""
        what, fix = _DISK[exc.errno]
        return MachineTrouble(f"{what}{where}: {fix}, {AGAIN}")
    orig = getattr(exc, "orig", None) or exc  # SQLAlchemy's error wraps the driver's
    kind = type(orig)
    if kind.__name__ != "OperationalError" or not kind.__module__.startswith(("sqlite3", "psycopg")):
        return None
    text = " ".join(str(orig).split())
    if kind.__module__.startswith("psycopg"):
        return MachineTrouble(f"the store's database server stopped answering ({text}): check that it runs, "
                              "and review.database_url in zaitun.toml (or ZAITUN_DATABASE_URL), " + AGAIN)
    return next((MachineTrouble(why) for known, why in _STORE if known in text.lower()), None)


def refused(exc: BaseException) -> MachineTrouble | None:
    """`machine_trouble`, or a permission denied: what a whole command (not one file's boundary, where a file
    not readable is that file's fault) tells as one line with what to do."""
    if isinstance(exc, PermissionError):
        where = f"{exc.filename}: " if exc.filename else ""
        return MachineTrouble(f"{where}permission denied: run zaitun as the user who owns the project (and "
                              ".zaitun/), or make it writable")
    return machine_trouble(exc)
