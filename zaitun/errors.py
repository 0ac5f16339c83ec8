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
    ├── PublishError            the site failed its own lint or could not be written
    ├── DeployError             a sink (S3) refused the upload
    └── Busy                    another process kept a piece of work locked longer than one waits (zaitun.locks)
"""

from __future__ import annotations

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
        return f"{self.path}:{self.line}" if self.line else str(self.path)


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


class PublishError(ZaitunError):
    pass


class DeployError(ZaitunError):
    pass


class Busy(ZaitunError):
    """The lock on some work stayed held past the wait allowed; `pid` is its holder's, when known."""

    def __init__(self, message: str, pid: int | None = None):
        super().__init__(message)
        self.pid = pid
