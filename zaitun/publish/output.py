"""Putting a build online atomically: complete versions of the site behind one symlink.

    publish -> .publish.versions/000042/site       one os.replace of the link switches the site
    .publish.versions/000041/{site,manifest*}      earlier builds, kept for `zaitun rollback`
    .publish.versions/000042/{site,manifest*}      the build online (and its summary and snapshot)
    .publish.versions/000043.building/             a build under way, or one that was stopped
    .publish.versions/social/                      the social outbox, shared by every version

A build writes a complete version (changed files rendered, unchanged ones hard-linked from the
version online), renames it to its number once complete, then switches the link. Only a folder
named by a number alone holding `site/` is complete; `recover` removes anything else, so at
every instant publish/ is one whole build. The manifest beside each version keeps each file's
input key and lint facts for the next build.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import filecmp
import functools
import hashlib
import os
import secrets
import shutil
import stat
import subprocess
import zlib
from collections.abc import Callable, ItemsView, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson

from zaitun.errors import PublishError, shown
from zaitun.publish import layout
from zaitun.publish.memo import not_the_same

MANIFEST_VERSION = 8  # 6: the records in parts (PARTS), so that a rebuild writes only the parts that changed;
# a page keeps only what the lint across pages needs (internal links, alternates); 7: a file's facts kept as
# their JSON text (see Facts); 8: the facts of a part's files in a file of their own (FACTS), read when asked for
SITE = "site"
MANIFEST = "manifest.json"
PARTS = "manifest"  # beside MANIFEST: its records, split by a hash of their keys (see write_manifest)
SUMMARY = "summary.json"  # small: what the next build reads first to learn whether anything changed
DAY = "day"  # the summary's record of the project's day a build was made on (pages say validity as of it)
SNAPSHOT = "snapshot.bin"  # the heads and entries the build read and made, for a new process (snapshot.py)
BUILDING = ".building"
DELETING = ".deleting"
LINT = Path(__file__).with_name("lint.py")  # zaitun.publish.lint


def versions_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.versions"


def outbox_dir(out: Path) -> Path:
    """The social outbox: not part of any build, so a switch or a rollback never loses a queued post."""
    return versions_dir(out) / layout.SOCIAL_DIR


def current(out: Path) -> Path | None:
    """The version folder publish/ points at, None before the first build."""
    if not out.is_symlink():
        return None
    target = out.resolve()
    return target.parent if target.name == SITE and target.is_dir() else None


def complete_versions(out: Path) -> list[Path]:
    """Complete versions, oldest first."""
    folder = versions_dir(out)
    found = [p for p in folder.iterdir() if p.name.isdigit() and (p / SITE).is_dir()] if folder.is_dir() else []
    return sorted(found, key=lambda p: int(p.name))


def begin(out: Path, reuse: Recycled | None = None) -> Path:
    """A new version folder to build into (`<n>.building/site` inside it): empty, or an old version taken
    out of the complete ones (see recyclable), rid of the files that differ from the version online (its
    folders that differ renamed for deletion, removed later with others: see recover)."""
    if reuse is None:
        building = versions_dir(out) / f"{_next_number(out):06d}{BUILDING}"
        (building / SITE).mkdir(parents=True)
        return building
    building = reuse.building
    stage = building / SITE
    folders = {name for name in reuse.dirty if name.endswith("/")}  # the search index, or some of its bundles
    drop(stage, reuse.dirty - folders)
    for name in sorted(folders):
        if (stage / name).exists():
            _doom(stage / name, building.parent)
    return building


# -- reusing the oldest kept version: a new version costs what changed, not one link per file ------
SEARCH_DIRTY = layout.SEARCH_DIR + "/"  # in `touched`: the build wrote a new search index, all of it


@dataclass(frozen=True)
class Recycled:
    building: Path  # an old complete version, renamed to be the next one under way
    dirty: frozenset[str]  # its files that differ from the version online, or that it has and that one lacks


def recyclable(out: Path, keep: int) -> Recycled | None:
    """The oldest kept version, when pruning would leave no fewer versions if the next build reuses it and
    the summaries from it to the version online say which files changed between them (each build records
    its base and the files it wrote or removed). Not one a deploy is reading."""
    online = current(out)
    older = [v for v in complete_versions(out) if v != online]
    if online is None or keep < 1 or len(older) < keep:
        return None
    oldest, dirty, version = older[0], set(), online
    while version != oldest:
        summary = load_summary(version)
        base = versions_dir(out) / f"{summary.get('base', 0):06d}" if summary.get("base") else None
        if base is None or not (base / SITE).is_dir():
            return None
        dirty.update(summary.get("touched", ()))
        version = base
    with _locked(oldest, fcntl.LOCK_EX | fcntl.LOCK_NB) as locked:  # a deploy reading it holds it shared
        if not locked:
            return None
        building = oldest.rename(versions_dir(out) / f"{_next_number(out):06d}{BUILDING}")  # now incomplete
    return Recycled(building, frozenset(dirty))


def drop(stage: Path, names: set[str] | frozenset[str]) -> None:
    """Remove files from a reused version, and the folders they leave empty: a complete version has no
    file or folder a fresh build would not make."""
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(stage / name)
    for folder in sorted({os.path.dirname(n) for n in names if "/" in n}, key=len, reverse=True):
        while folder:
            try:
                if os.stat(stage / folder).st_nlink > 2:  # it holds folders: not empty, and rmdir would read it
                    break
                os.rmdir(stage / folder)
            except OSError:  # not empty (or gone): neither are its parents
                break
            folder = os.path.dirname(folder)


def _next_number(out: Path) -> int:
    names = [p.name.split(".")[0] for p in versions_dir(out).iterdir()]
    return max((int(n) for n in names if n.isdigit()), default=0) + 1


def _listing(folder: Path) -> dict[str, tuple[bool, int]]:
    """Name -> (a folder?, inode) of what a folder holds, from its entries alone (no stat)."""
    try:
        with os.scandir(folder) as entries:
            return {e.name: (e.is_dir(follow_symlinks=False), e.inode()) for e in entries}
    except (FileNotFoundError, NotADirectoryError):
        return {}


def files_under(site: Path, folder: str) -> list[str]:
    """The files in a folder of a site and below it, by their names in the site (none: no such folder)."""
    found = []
    for root, _dirs, names in os.walk(site / folder):
        relative = os.path.relpath(root, site)
        found += [f"{relative}/{name}" for name in names]
    return found


def differing(paths: list[str], out: Path, before: Path | None) -> list[str]:
    """The site paths whose file in the site `out` is not, byte for byte, the one of version `before` (all, when
    there was none): a new design (an upgrade of zaitun) writes every page anew, most of them as they were."""
    if before is None:
        return list(paths)
    return [path for path in paths if not _same_bytes(out / layout.file_of(path), before / SITE / layout.file_of(path))]


def _same_bytes(one: Path, other: Path) -> bool:
    try:
        return filecmp.cmp(one, other, shallow=False)
    except OSError:  # not in one of them
        return False


def link_unchanged(online: Path | None, stage: Path, names: list[str]) -> None:
    """Hard-link files kept from the version online into the new one: no copy, no second write. Plain
    strings and one mkdir per missing folder: this runs for every unchanged file of every rebuild. A version
    made anew (no old one to reuse: the first rebuilds after a full build) links every file of the site and
    makes every page's folder: kernel work, done by a few threads at once (a third less time)."""
    if not names:
        return
    source, target = f"{online / SITE}/", f"{stage}/"
    folders = {name.rpartition("/")[0] for name in names} - {""}
    level = folders
    while level := {folder.rpartition("/")[0] for folder in level} - {""} - folders:  # and their parents
        folders |= level
    levels: dict[int, list[str]] = {}
    for folder in folders:
        levels.setdefault(folder.count("/"), []).append(target + folder)
    threads = min(LINK_THREADS, len(names) // LINK_SHARE + 1)
    with ThreadPoolExecutor(threads) if threads > 1 else contextlib.nullcontext() as pool:
        run = pool.map if pool else map
        for _, level in sorted(levels.items()):  # each folder after its parents
            list(run(_make_folders, (level[i::threads] for i in range(threads))))
        list(run(functools.partial(_link, source, target), (names[i::threads] for i in range(threads))))


LINK_THREADS = 4  # link and mkdir hold a folder's lock, not the interpreter's: more than the CPUs still helps
LINK_SHARE = 2000  # names a thread is worth


def _make_folders(folders: list[str]) -> None:
    for folder in folders:
        try:
            os.mkdir(folder)
        except FileExistsError:  # most do when a few pages changed: their folders, and parents
            pass


def _link(source: str, target: str, names: list[str]) -> None:
    for i, name in enumerate(names):
        try:
            os.link(source + name, target + name)
        except FileExistsError:  # a version reused (recyclable) holds it from the build it was
            _relink(source + name, target + name)
        except OSError as exc:
            if exc.errno not in NO_HARD_LINKS:
                raise
            for rest in names[i:]:  # a file system without hard links: copy the rest
                if not (os.path.exists(target + rest) and os.path.samefile(source + rest, target + rest)):
                    shutil.copyfile(source + rest, target + rest)
            return


NO_HARD_LINKS = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


def _relink(source: str, target: str) -> None:
    """Put the version online's file at `target`, which holds either that very file (linked by an earlier
    build into the version now reused) or an older one, replaced in one rename."""
    if os.path.samefile(source, target):
        return
    temp = f"{target}.{secrets.token_hex(4)}.link"
    os.link(source, temp)
    os.replace(temp, target)


def finish(out: Path, building: Path, keep: int, summary: dict | None = None, durable: bool = True) -> Path:
    """Write the summary (after the manifest: write_manifest), mark the version complete, switch publish/ to
    it, drop old versions. `durable` (publish.fsync) flushes the version to disk first: else a power cut
    soon after the switch can leave publish/ pointing at files the disk never received (a killed process
    cannot: the kernel has them)."""
    _write_json(building / SUMMARY, {"version": manifest_version()} | (summary or {}))
    if not (building / SITE / layout.SOCIAL_DIR).is_symlink():  # a reused version has it
        (building / SITE / layout.SOCIAL_DIR).symlink_to(Path("..", "..", layout.SOCIAL_DIR))
    if durable:
        flush(building)
    version = building.with_name(building.name.removesuffix(BUILDING))
    building.rename(version)
    if durable:
        _sync(version.parent)
    switch(out, version)
    prune(out, keep)
    return version


def switch(out: Path, version: Path) -> None:
    """Point publish/ at a version with one atomic rename of a new symlink over the old one."""
    link = out.parent / f".{out.name}.link"
    link.unlink(missing_ok=True)
    link.symlink_to(version.relative_to(out.parent) / SITE)
    try:
        os.replace(link, out)
    except OSError as exc:
        link.unlink(missing_ok=True)
        raise PublishError(f"could not switch {out} to the new build: {exc}") from exc
    _sync(out.parent)


def prune(out: Path, keep: int) -> None:
    """Remove versions beyond the `keep` newest besides the one online; a version being read (a
    deploy holds it) stays until a later build."""
    online = current(out)
    older = [v for v in complete_versions(out) if v != online]
    doomed = []
    for version in older[:max(len(older) - keep, 0)]:
        with _locked(version, fcntl.LOCK_EX | fcntl.LOCK_NB) as locked:
            if locked:
                doomed.append(_doom(version))  # no longer complete from this instant on
    _remove_later(doomed)


def discard(building: Path) -> None:
    _remove_later([_doom(building)])


def _doom(folder: Path, into: Path | None = None) -> Path:
    """Rename a folder out of the complete versions (atomic), under a name no other leftover has: beside
    it, or into the versions folder `into` (a part of a version under way, so that version never holds it)."""
    name = f"{folder.name}.{secrets.token_hex(4)}{DELETING}"
    return folder.rename(into / f"{BUILDING.lstrip('.')}-{name}" if into is not None else folder.with_name(name))


REMOVE_TOGETHER = 8  # folders renamed for deletion that recover leaves until there are this many


def _remove_later(folders: list[Path]) -> None:
    """Delete folders in a detached `rm -rf`: removing thousands of files takes longer than a rebuild, and a
    thread would keep the next build from forking its render workers. One left half-way is removed later."""
    if folders:
        subprocess.run(["sh", "-c", 'rm -rf -- "$@" >/dev/null 2>&1 &', "sh", *map(str, folders)],
                       check=False, timeout=30)


# -- recovery: every state a stopped build, switch or pruning can leave ---------------------------
def recover(out: Path) -> None:
    """Bring publish/ and its versions back to a clean state: publish/ a link to a complete version,
    nothing else but complete versions and the outbox beside it, and folders renamed for deletion (removed
    once REMOVE_TOGETHER have gathered). Adopts a site of the old layout."""
    _refuse_foreign(out)
    folder = versions_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    (out.parent / f".{out.name}.link").unlink(missing_ok=True)
    legacy = out.parent / f".{out.name}.previous"
    if out.is_dir() and not out.is_symlink():
        _adopt(out, out)
    elif not out.exists() and legacy.is_dir():
        _adopt(legacy, out)
    for stale in (legacy, out.parent / f".{out.name}.building"):
        shutil.rmtree(stale, ignore_errors=True)
    complete = complete_versions(out)
    stale = [child for child in folder.iterdir() if child not in complete and child.name != layout.SOCIAL_DIR]
    doomed = [p for p in stale if p.name.endswith(DELETING)]  # their removal under way, stopped, or not begun
    if len(doomed) < REMOVE_TOGETHER:  # a rebuild reusing a version dooms a bundle or two: a process each cost
        doomed = []  # more than removing them (and, under load, tens of ms): they wait for a few more
    _remove_later(doomed + [_doom(p) for p in stale if not p.name.endswith(DELETING)])
    if current(out) is None and complete:
        switch(out, complete[-1])


def _refuse_foreign(out: Path) -> None:
    """A plain folder at out holding something else than a site zaitun built (a web server's root, another
    program's files) is never adopted: as a version it would be removed once publish.keep_versions builds
    followed."""
    if out.is_dir() and not out.is_symlink() and any(out.iterdir()) and not _built_by_zaitun(out):
        raise PublishError(f"{shown(out)} (publish.output_dir) is a folder holding files that are not a site zaitun "
                           "built, and a build replaces that folder: move them elsewhere or set publish.output_dir "
                           "to a folder of its own")


def _built_by_zaitun(folder: Path) -> bool:
    """A site an earlier release built in a plain folder: its pages, its sitemap, or its social outbox."""
    return (folder / "zh" / "index.html").is_file() or (folder / "sitemap.xml").is_file() or \
        (folder / layout.SOCIAL_DIR).is_dir()


def _adopt(site: Path, out: Path) -> None:
    """Make a site folder of the old layout (publish/ as a plain folder) the newest version of out, built when
    that folder was last written (what `zaitun rollback --list` says), not when it was adopted."""
    built = site.stat()
    outbox, social = outbox_dir(out), site / layout.SOCIAL_DIR
    if social.is_symlink():
        social.unlink()
    elif social.is_dir() and not outbox.exists():
        social.rename(outbox)
    elif social.is_dir():
        for post in social.iterdir():
            os.replace(post, outbox / post.name)
        social.rmdir()
    version = versions_dir(out) / f"{_next_number(out):06d}"
    version.mkdir()
    site.rename(version / SITE)  # complete from this instant; its lack of a manifest means a full build next
    (version / SITE / layout.SOCIAL_DIR).symlink_to(Path("..", "..", layout.SOCIAL_DIR))
    os.utime(version / SITE, ns=(built.st_atime_ns, built.st_mtime_ns))
    switch(out, version)


# -- rollback -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Version:
    number: int
    built: dt.date | dt.datetime  # the day the build recorded; a datetime: its folder's time, it recorded none
    online: bool

    def line(self) -> str:
        built = (f"{self.built:%Y-%m-%d %H:%M:%S} (its folder's time: the build recorded no day)"
                 if isinstance(self.built, dt.datetime) else f"{self.built:%Y-%m-%d}")
        return f"{self.number:6d}  built {built}{'  (online)' if self.online else ''}"


def listing(out: Path, zone: dt.tzinfo) -> list[Version]:
    """The complete builds, each with the day it recorded (the day a rollback judges validity by): a folder copied
    or touched since keeps it. A build that recorded none (an older release's) has its folder's time in `zone`
    (the project's: never the server's)."""
    online = current(out)
    return [Version(int(v.name), built_on(v, zone), v == online) for v in complete_versions(out)]


def built_on(version: Path, zone: dt.tzinfo) -> dt.date | dt.datetime:
    """The project's day a build was made on, as its summary records it; else (an older release's build, a summary
    that does not read) when its folder was last written, in `zone`."""
    try:
        return dt.date.fromisoformat(load_summary(version).get(DAY))
    except (TypeError, ValueError):
        return dt.datetime.fromtimestamp((version / SITE).stat().st_mtime, zone)


def roll_back(out: Path, number: int | None = None, check: Callable[[Path], None] | None = None) -> Path:
    """Switch publish/ to build `number`, by default to the newest build before the one online, unless
    `check`, given that build's folder, raises."""
    recover(out)
    versions = complete_versions(out)
    online = current(out)
    if number is None:
        earlier = [v for v in versions if online is None or int(v.name) < int(online.name)]
        if not earlier:
            raise PublishError(f"no earlier build of {out} is kept to roll back to (see publish.keep_versions)")
        chosen = earlier[-1]
    else:
        chosen = next((v for v in versions if int(v.name) == number), None)
        if chosen is None:
            kept = ", ".join(str(int(v.name)) for v in versions) or "none"
            raise PublishError(f"build {number} of {out} is not kept (kept: {kept}); see `zaitun rollback --list`")
    if check is not None:
        check(chosen)
    switch(out, chosen)
    return chosen


# -- reading one version from start to end --------------------------------------------------------
@contextmanager
def pinned(site_dir: Path) -> Iterator[Path]:
    """The real folder of the version `site_dir` shows, kept from pruning while it is read, so a deploy
    reads one build from start to end even when builds switch publish/ meanwhile."""
    for _ in range(20):
        real = Path(site_dir).resolve()
        if real.name != SITE or not real.parent.parent.name.endswith(".versions"):
            yield real  # a plain folder, not one of our versions
            return
        with _locked(real.parent, fcntl.LOCK_SH) as locked:
            if locked and real.is_dir():  # not renamed for deletion before the lock was taken
                yield real
                return
    raise PublishError(f"{site_dir} kept changing while being read; try again")


@contextmanager
def _locked(folder: Path, mode: int) -> Iterator[bool]:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, mode)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


# -- the manifest: input key and lint facts of every file of a version ----------------------------
def manifest_version() -> str:
    """Changes with the manifest format and with the lint's fact extraction (kept facts must match it).
    Read by path: a build with nothing to do need not import the lint (and lxml)."""
    return f"{MANIFEST_VERSION}-{hashlib.sha256(LINT.read_bytes()).hexdigest()[:12]}"


Parts = dict[str, dict]  # part name (`files.07`) -> its records


def read_manifest(version: Path | None) -> tuple[dict, Parts | None]:
    """A version's records (none, an unreadable or an old-format one means a full build) and its parts as
    read, the very objects the records are merged from, for write_manifest to know which parts a build left
    as they were."""
    if version is None:
        return {}, None
    parts: Parts = {}
    opened: list[_PartFacts] = []
    folder = f"{version}/{PARTS}/"  # as text: 256 parts, each joined to its folder by pathlib, took a tenth
    try:
        state = orjson.loads((version / MANIFEST).read_bytes())
        if state.get("version") != manifest_version():
            return {}, None
        for name in state.pop("parts"):
            with open(f"{folder}{name}.json", "rb") as part:
                records = parts[name] = orjson.loads(part.read())
            if name.startswith(FILES):
                opened.append(source := _PartFacts(Path(f"{folder}{name}{FACTS}")))
                facts_of = functools.partial(Facts, None, source)  # read from the part's when first asked for
                for path, record in records.items():
                    record["facts"] = facts_of(path)
            state.setdefault(name.split(".")[0], {}).update(records)
    except (OSError, ValueError, KeyError, AttributeError):
        for source in opened:
            source.close()
        return {}, None
    return state, parts


KINDS = ("docs", "files")  # the manifest's records: each document's (inputs.py), each file's (site.py)
FILES = "files."  # the name of a part of the files' records starts so
FACTS = ".facts.json"  # beside a part of the files' records: their facts (`files.07.facts.json`)


class FactsUnreadable(Exception):
    """A part's facts file no longer reads (found only when a build first needs it): the build starts again
    without the manifest, as with any unreadable manifest (site.build_site)."""


class _PartFacts:
    """The facts of one part's files (path -> their JSON text), read when one of them is first asked for: a
    rebuild reads the facts of a few pages of the site's 10,000, and they are three fifths of the manifest.
    Opened with the part: its content is that version's, even once the version is pruned or reused (a part
    file is never written into, only replaced)."""

    __slots__ = ("_path", "_file", "_texts")

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[bytes] | None = open(path, "rb")  # noqa: SIM115 (read, then closed, when first asked)
        self._texts: dict[str, str] | None = None

    def text(self, path: str) -> str:
        try:
            if self._texts is None:
                if self._file is None:
                    raise ValueError("closed")
                with self._file:
                    self._texts = orjson.loads(self._file.read())
                self._file = None
            return self._texts[path]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._texts = None
            raise FactsUnreadable(f"{self._path} does not read ({exc.__class__.__name__}: {exc}): every page was "
                                  "made again, as with no manifest") from None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __del__(self) -> None:
        self.close()


class Facts(Mapping):
    """A file's lint facts as the manifest keeps them: their JSON text, read from its part's facts
    (`source`) and decoded when first asked for. As objects, the links and alternates of every file took
    40 MB at 5,000 documents, as text 10."""

    __slots__ = ("_text", "_facts", "_source", "_path")

    def __init__(self, text: str | None = None, source: _PartFacts | None = None, path: str = "") -> None:
        self._text, self._source, self._path = text, source, path
        self._facts: dict | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._source.text(self._path)
            self._source = None
        return self._text

    def _decoded(self) -> dict:
        if self._facts is None:
            self._facts = orjson.loads(self.text)
        return self._facts

    def __getitem__(self, key: str):
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def items(self) -> ItemsView:
        """Its decoded dict's (a dict updated with them goes through them in C, not by a lookup each)."""
        return self._decoded().items()

    def __len__(self) -> int:
        return len(self._decoded())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Facts):
            return (self._source is not None and self._source is other._source and self._path == other._path
                    ) or other.text == self.text
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple:
        return Facts, (self.text,)


def _stored(records: dict) -> tuple[dict, dict[str, str]]:
    """Files' records as a part keeps them, without their facts; and the facts, each as their JSON text (a
    record made by this build has them as objects)."""
    facts = {path: record["facts"].text if isinstance(record["facts"], Facts) else orjson.dumps(
        record["facts"]).decode() for path, record in records.items()}
    return {path: {k: v for k, v in record.items() if k != "facts"} for path, record in records.items()}, facts


SPLIT = 128  # parts of each kind: a one-document rebuild changes a few of them


def write_manifest(building: Path, manifest: dict, online: Path | None = None, known: Parts | None = None,
                   before: dict[str, dict] | None = None) -> Parts:
    """Write a version's manifest: its records in parts by a hash of their keys, each part whose records are
    those `known` of the version `online` (as this process loaded or wrote them: the same objects) linked
    from there instead of encoded and written again. `before`: the records of each kind `known` was made of
    (as this process wrote them: warm.py), so that only the records not the very same objects are placed.
    Returns the parts, to be known next time."""
    folder = building / PARTS
    folder.mkdir(exist_ok=True)
    parts = _parts(manifest) if known is None or before is None else _replaced(known, manifest, before)
    here = _listing(folder)
    there = _listing(online / PARTS) if known is not None and online is not None else {}
    for name, records in parts.items():
        files = [f"{name}.json"] + ([f"{name}{FACTS}"] if name.startswith(FILES) else [])
        if all(file in there for file in files) and (known.get(name) is records or known.get(name) == records) \
                and _linked(folder, online / PARTS, [file for file in files if here.get(file) != there[file]]):
            continue  # as online (a reused version may hold those very files already)
        for file, stored in zip(files, _stored(records) if name.startswith(FILES) else [records], strict=True):
            _put(folder / file, stored)
    _write_json(building / MANIFEST, {k: v for k, v in manifest.items() if k not in KINDS} | {"parts": sorted(parts)})
    return parts


def _parts(manifest: dict) -> Parts:
    parts: Parts = {}
    if len(_PART) > 1 << 18:  # keys of documents long gone
        _PART.clear()
    known = _PART.get  # every rebuild places every record: each key is hashed once a process
    for kind in KINDS:
        split: list[dict] = [{} for _ in range(SPLIT)]
        for key, record in manifest.get(kind, {}).items():
            part = known(key)
            if part is None:
                part = _PART[key] = zlib.crc32(key.encode()) % SPLIT
            split[part][key] = record
        parts.update((f"{kind}.{i:02d}", records) for i, records in enumerate(split))
    return parts


_PART: dict[str, int] = {}  # record key -> its part


def _replaced(known: Parts, manifest: dict, before: dict[str, dict]) -> Parts:
    """`known` with the records that are not the very objects they were (`before`: a one-change rebuild
    changes a few) put in, and those gone taken out: a part none of them is in stays the same object."""
    parts = dict(known)
    for kind in KINDS:
        now, then = manifest.get(kind, {}), before.get(kind, {})
        for key in not_the_same(now, then):
            name = part_of(kind, key)
            if parts[name] is known[name]:
                parts[name] = dict(known[name])
            if key in now:
                parts[name][key] = now[key]
            else:
                del parts[name][key]
    return parts


def part_of(kind: str, key: str) -> str:
    """The part a record is kept in (`files.07`)."""
    part = _PART.get(key)
    if part is None:
        part = _PART[key] = zlib.crc32(key.encode()) % SPLIT
    return f"{kind}.{part:02d}"


def records_of(manifest: dict) -> dict[str, dict]:
    """A manifest's records of each kind, as they are now (a build changes its docs in place), for
    write_manifest's `before` next time."""
    return {kind: dict(manifest.get(kind, {})) for kind in KINDS}


def _put(path: Path, records: dict) -> None:
    """A part written: a new file, never written into (a reused version's part is shared with other
    versions)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    path.write_bytes(orjson.dumps(records))


def _linked(folder: Path, source: Path, files: list[str]) -> bool:
    """A part's files linked from the version online's (`source`) into `folder`, in place of any there;
    False when one could not be (it is written then)."""
    for file in files:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / file)
        try:
            os.link(source / file, folder / file)
        except OSError:
            return False
    return True


def mark_announced(version: Path, settled: str | None = None) -> None:
    """Note in the summary of the version online that its social posts are queued: until then a build
    with nothing to change still runs, to queue them (a crash between the switch and the outbox). `settled`:
    what the queue left, when it left no announcement for another day (social.Queued.settled)."""
    summary = load_summary(version)
    if summary:
        _write_json(version / f".{SUMMARY}.new", summary | {"social": True, "social_settled": settled})
        os.replace(version / f".{SUMMARY}.new", version / SUMMARY)


def load_summary(version: Path | None) -> dict:
    """A version's summary (see site.py); like the manifest, an unreadable or old one is no summary. Not to be
    changed: the same file read again (a build reads the summaries back to the version it reuses, and the one
    online twice) is the very dict read before, while the system describes the file as it did then."""
    if version is None:
        return {}
    path = version / SUMMARY
    try:
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
            known = _SUMMARIES.get(str(path))
            if known is not None and known[0] == stamp:
                return known[1]
            summary = orjson.loads(file.read())
    except (OSError, ValueError):
        return {}
    summary = summary if isinstance(summary, dict) and summary.get("version") == manifest_version() else {}
    if len(_SUMMARIES) >= 16:
        _SUMMARIES.pop(next(iter(_SUMMARIES)))
    _SUMMARIES[str(path)] = (stamp, summary)
    return summary


_SUMMARIES: dict[str, tuple[tuple, dict]] = {}  # summary file -> (its inode, modification time and size; what it held)


def _write_json(path: Path, state: dict) -> None:
    """Compact UTF-8 JSON; orjson writes a large site's manifest ten times faster than the json module."""
    path.write_bytes(orjson.dumps(state))


def flush(folder: Path) -> None:
    """Put everything written under folder on disk: where the system has syncfs (Linux), one flush of its
    file system, a single journal commit, about 40 times faster than `flush_each` on 2,400 page folders."""
    syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    if syncfs is None:
        flush_each(folder)
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if syncfs(fd) != 0:
            error = ctypes.get_errno()
            raise PublishError(f"could not flush {folder} to disk ({os.strerror(error)}); the site online is "
                               f"unchanged (publish.fsync)")
    finally:
        os.close(fd)


def flush_each(folder: Path) -> None:
    """fsync every file written anew under folder (a hard-linked one was flushed by the build that wrote
    it) and every folder, deepest first, so their entries (hard links included) are on disk too."""
    for root, _dirs, names in os.walk(folder, topdown=False):
        for name in names:
            path = os.path.join(root, name)
            info = os.lstat(path)
            if info.st_nlink == 1 and stat.S_ISREG(info.st_mode):
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        _sync(Path(root))


def _sync(folder: Path) -> None:
    """Make a rename in folder durable (a power cut after the switch keeps the new link)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
