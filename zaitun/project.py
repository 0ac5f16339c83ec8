"""The one place that knows a project's file layout."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from zaitun import days
from zaitun.config import Config, load_config

CONFIG_NAME = "zaitun.toml"
STATE_DIR = ".zaitun"
QUIET_NS = 300_000_000  # a file written to more recently may be half-written (Project.reload_config, up.Look)


def still_writing(mtime_ns: int) -> float:
    """Seconds until a file last written at `mtime_ns` has been quiet for QUIET_NS: an editor saving in place
    truncates, then writes, and a file read in between is empty. 0 when quiet (or its time is ahead of ours)."""
    age = time.time_ns() - mtime_ns
    return (QUIET_NS - age) / 1e9 if 0 <= age < QUIET_NS else 0.0


def _stamp(path: Path) -> tuple[int, int, int, int] | None:
    """What tells one version of a file from the next: inode (an editor's save-and-rename), size, times."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def find_root(start: Path) -> Path | None:
    """The project `start` is in, as git finds a repository: the nearest folder, `start` or above, holding
    zaitun.toml or content/ (staff run commands from content/guides/ too). None when there is none."""
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file() or (folder / "content").is_dir():
            return folder
    return None


def not_utf8_folder(root: Path) -> str:
    """Why zaitun does not work in a project whose folder's path is not UTF-8 (a folder above it named on Chinese
    Windows, an archive unpacked so), or "" when it is: every path it stores, shows or publishes is of that
    folder, and none can carry it. It stopped every command with a traceback."""
    from zaitun.errors import shown, utf8_name

    if utf8_name(str(root)):
        return ""
    return (f"the project's folder {shown(root)} has a name that is not UTF-8 (named in GBK?), and zaitun stores "
            "and shows its paths: rename it, or the folder above it that is not UTF-8, then run zaitun again")


def is_project(folder: Path) -> bool:
    """Whether a folder is a project's: it holds zaitun.toml, content/ or the state folder .zaitun/."""
    return (folder / CONFIG_NAME).is_file() or (folder / "content").is_dir() or (folder / ".zaitun").is_dir()


@dataclass
class Project:
    """A zaitun project folder: content/, glossary/, zaitun.toml, state and build output."""

    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    @cached_property
    def config(self) -> Config:
        self._config_read = _stamp(self.config_path)  # before reading: a change while it is read is seen next time
        return load_config(self.config_path)

    def config_changed(self) -> bool:
        """zaitun.toml changed on disk since `config` was read (processes that run for long ask it)."""
        return "config" in self.__dict__ and _stamp(self.config_path) != self._config_read

    def reload_config(self) -> Config:
        """Read zaitun.toml again, between two pieces of work, never during one. An invalid file raises and
        leaves the settings read before (and `config_changed()` true until the file reads). A file written to
        within QUIET_NS is read once quiet: asked because the file changed, a process often finds an editor
        saving in place between its truncate and its write, and an empty file reads as all defaults."""
        for _ in range(10):  # a file written to without a pause for longer is read as it is then
            stamp = _stamp(self.config_path)
            if stamp is None or not (wait := still_writing(stamp[2])):
                break
            time.sleep(wait)
        config = load_config(self.config_path)
        self.__dict__["config"], self._config_read = config, stamp
        return config

    @property
    def zone(self) -> dt.tzinfo:
        """site.timezone: whose calendar every date shown or counted by day follows (see zaitun.days)."""
        return days.zone(self.config.get("site.timezone"))

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The day it is where the site's documents apply (site.timezone): the one date every check of
        validity (pages, feeds, social posts, status, the expiry flow) is made against."""
        return self.day_of(now or dt.datetime.now(dt.UTC))

    def day_of(self, instant: dt.datetime) -> dt.date:
        """The project's day at a stored (UTC) instant: the date a person is shown for it."""
        return days.day_of(instant, self.zone)

    def set_aside(self, path: Path, folder: Path, named: Callable[[str], str]) -> Path:
        """Move `path` into `folder` as `named(stamp)`: the time in site.timezone with its UTC offset
        (20260301T083000+0800), so the name says which zone and names sort in time order. A name taken (the
        same file set aside twice within a second) gets _2, _3, … after its stamp: nothing is overwritten."""
        folder.mkdir(parents=True, exist_ok=True)
        stamp = days.local(dt.datetime.now(dt.UTC), self.zone).strftime("%Y%m%dT%H%M%S%z")
        for n in itertools.count(1):
            dest = folder / fitted(named(stamp if n == 1 else f"{stamp}_{n}"))
            try:  # the name is reserved first, so two processes setting aside at once never share it
                os.close(os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                continue
            try:
                return Path(shutil.move(path, dest))
            except OSError:
                dest.unlink(missing_ok=True)
                raise

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def glossary_dir(self) -> Path:
        return self.root / "glossary"

    @property
    def static_dir(self) -> Path:
        """Images and documents content links to as /static/...; published as they are."""
        return self.root / "static"

    @property
    def tm_dir(self) -> Path:
        return self.root / "tm"

    @property
    def state_dir(self) -> Path:
        path = self.root / STATE_DIR
        path.mkdir(mode=0o700, exist_ok=True)  # the store, the session secret, the first-run password
        return path

    @property
    def quarantine_dir(self) -> Path:
        return self.state_dir / "quarantine"

    @property
    def withdrawn_dir(self) -> Path:
        """Where the review UI's Withdraw sets a document's file aside, in its section's folder."""
        return self.state_dir / "withdrawn"

    @property
    def publish_dir(self) -> Path:
        return self.root / self.config.get("publish.output_dir")

    @property
    def database_url(self) -> str:
        return self.config.get("review.database_url") or f"sqlite:///{self.state_dir / 'state.db'}"


NAME_BYTES = 255  # what a file name may have on the disks zaitun runs on (ext4, XFS, APFS, NTFS's 255 UTF-16 units)


def fitted(name: str) -> str:
    """A file name cut in its middle to NAME_BYTES (its ending kept), so a file set aside under a stamp and its
    folder's name never fails for the length of its own name."""
    data = name.encode("utf-8", "surrogateescape")
    if len(data) <= NAME_BYTES:
        return name
    suffix = Path(name).suffix.encode("utf-8", "surrogateescape")[:16]
    keep = NAME_BYTES - len(suffix) - len("…".encode())
    head = data[:len(data) - len(suffix)][:keep].decode("utf-8", "ignore")
    return f"{head}…{suffix.decode('utf-8', 'ignore')}"
