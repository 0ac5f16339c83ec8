"""Files a pass could not take: recorded, shown, and announced once.

Every stage catches any failure of one file at that file's boundary and hands it here; the rest
of the pass goes on. A file is *quarantined* when nothing of it is online (a new file, a notice
moved to .zaitun/quarantine/) and *held back* when its last good version stays online. The build
holds back a document online whose new pages fail (its pages online stay), *leaves out* a new one,
and puts a page whose link points to a page withdrawn since online with that link as plain text
(*dead link cut*); it publishes everything else. A glossary line that cannot be used is *left out* (the
rest of the glossary is used), and a term two lines give conflicting renderings is *flagged* on every
segment holding it, so none is approved without a reviewer. A file in content/ intake neither reads nor sees
linked (an old Word .doc: content/unread.py) is *not read*: left where it is, told once, it stops nothing; one
that is merely *not linked* (a picture, a PDF) is told with the others of its folder (`per_folder`), so years
of unused pictures do not bury what needs doing. A document that is the same notice as another (content/twice.py)
is told as *same notice*: both stay, as staff decide which to keep.
The failures of a stage are replaced by each pass of that stage, so a fixed file drops off the list
(`zaitun status`, the review queue); a quarantined notice stays listed while its copy is kept.
A translation provider failing on segments is recorded the same way by translate, under the provider's
name (its segments *left for a human*), until a pass where it translates again or another provider is used.
Each new failure is announced once: an Apprise notification (`notify.failure`) and a Prefect
event `zaitun.document.failed`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zaitun.errors import LocatedError, shown
from zaitun.project import Project

if TYPE_CHECKING:  # or a build's LazyStore: a build that has no failure to write loads no SQLAlchemy
    from zaitun.state.lazy import LazyStore
    from zaitun.state.store import Store

log = logging.getLogger(__name__)

QUARANTINED, HELD_BACK, LEFT_OUT = "quarantined", "held back", "left out"
ALIAS_SKIPPED = "alias skipped"  # an alias not written (its document is online; the old address leads nowhere)
LINK_CUT = "dead link cut"  # online, a link to a page withdrawn since shown as plain text (publish/holding.py)
LEFT_FOR_HUMAN = "left for a human"  # what a failing translation provider could not translate (source: its name)
FLAGGED = "flagged"  # a glossary term in conflict: every segment holding it waits for a reviewer
NOT_READ = "not read"  # a file in content/ that intake does not read and no document links (content/unread.py)
NOT_LINKED = "not linked"  # one of them that is no notice staff meant as a document: a picture, a PDF
UNREAD = (NOT_READ, NOT_LINKED)
SAME_NOTICE = "same notice"  # a document with another's document number or Chinese text (content/twice.py)
WARNINGS = (*UNREAD, SAME_NOTICE)  # what stops nothing: told, never held back
SHOWN = 3  # names a folder's line of unlinked files shows
EVENT = "zaitun.document.failed"
BUILD = "build"  # the stage of the site build: a document it left out (LEFT_OUT) has its English offline
PUBLISH = "publish"  # the stage of a publish that failed as a whole (a deploy target down): its source is the target
SOCIAL = "social"  # the stage of the social outbox's record not reading (its source): nothing queued or sent
WEBSUB = "websub"  # the stage of a WebSub ping that failed (its source is the hub): the site is published all the same
NOT_PINGED = "not pinged"  # the hub was not told of a change: pinged again on the next publish
FIX_FILES = ("Fix each file at the line named (`zaitun check` tells whether it would pass); the next pass takes it "
             "in. `zaitun status` lists everything still to fix.")
FIX_PUBLISHING = ("The site online stays as it was; publishing is tried again on the next pass (under zaitun up: "
                  "hourly and on the next change).")
DEPLOY_STOPPED = "deploy stopped"  # a deploy that failed: the target may hold part of the new build
FIX_DEPLOY = ("publish/ holds the new build, but the deploy target may hold only part of it (assets and pages go "
              "first, feeds and the sitemap last) until the next pass finishes the deploy from where it stopped "
              "(under zaitun up: hourly and on the next change).")
FIX_UNREAD = ("A file not read stays where it is and is published only where a document links it: link it, or "
              "drop the notice as .docx, .txt or .md (each line says how). `zaitun status` lists them, `zaitun "
              "check` each file.")
FIX_TWICE = ("A notice in content/ twice is translated, reviewed and published twice: delete the copy not to keep "
             "(to re-issue a notice, edit its file). `zaitun status` lists them.")
FIX_HUB = ("The site is published; the WebSub hub is pinged again on the next publish. Check publish.websub_hub and "
           "that the hub answers.")
FIX_PROVIDER = ("Check the provider's settings (translate.provider, provider_url, the API key) and that it answers; "
                "its segments wait in the review UI, and the next pass sends them again.")


@dataclass(frozen=True)
class Failure:
    stage: str  # intake | translate | glossary | build | deploy | publish | websub
    source: str  # the file as staff know it
    message: str  # path:line: message
    slug: str | None = None
    state: str = QUARANTINED
    kept: str = ""  # where a quarantined file was moved

    def line(self) -> str:
        return f"{self.state}: {self.message}"


def of_error(stage: str, error: LocatedError, slug: str | None = None, online: bool = False,
             kept: str = "") -> Failure:
    """The failure of one file, from the located error that stopped it."""
    return Failure(stage, shown(error.path), str(error), slug, HELD_BACK if online else QUARANTINED, kept)


def current(store: Store | LazyStore) -> list[Failure]:
    """Every failure still standing, oldest first."""
    rows = store.failure_rows()
    return [Failure(r["stage"], r["source"], r["message"], r["slug"], r["state"], r["kept"]) for r in rows]


def record(project: Project, store: Store | LazyStore, stage: str, found: list[Failure],
           cleared: set[str] = frozenset(), scope: set[str] | None = None) -> list[Failure]:
    """Replace the stage's failures with those of this pass (a quarantined file stays listed while its copy
    exists and its source was not taken in since; with `scope`, a pass that tried only those files leaves
    the others' failures); announce the new ones and return them."""
    old = [f for f in current(store) if f.stage == stage]
    again = {n.source for n in found}
    kept = [f for f in old if f.source not in again and (
        (scope is not None and f.source not in scope)
        or (f.kept and Path(f.kept).exists() and f.source not in cleared))]
    seen = {(f.source, f.message) for f in old}
    new = [f for f in found if (f.source, f.message) not in seen]
    if kept + found != old:  # the same failures would be written again: nothing to write (most passes: none)
        with store.tx() as conn:
            store.replace_failures(conn, stage, [dict(stage=f.stage, source=f.source, slug=f.slug, state=f.state,
                                                      message=f.message, kept=f.kept) for f in kept + found])
    if new:
        announce(project, new)
    return new


def announce(project: Project, new: list[Failure]) -> None:
    """Tell people: one notification for the pass, one Prefect event per file. Never raises."""
    from zaitun import events
    from zaitun.notify import Notifier

    for f in new:
        log.info("%s", f.line())
        events.emit(EVENT, f.slug, stage=f.stage, source=f.source, state=f.state, message=f.message)
    provider, publishing = any(f.state == LEFT_FOR_HUMAN for f in new), any(f.stage == PUBLISH for f in new)
    partly = any(f.state == DEPLOY_STOPPED for f in new)
    unread, twice = sum(f.state in UNREAD for f in new), sum(f.state == SAME_NOTICE for f in new)
    hub = any(f.stage == WEBSUB for f in new)
    files = len(new) - unread - twice - sum(f.state == LEFT_FOR_HUMAN or f.stage in (PUBLISH, WEBSUB) for f in new)
    what = [f"{files} file(s)"] * bool(files) + ["the translation provider"] * provider + ["publishing"] * publishing
    what += ["the hub (publish.websub_hub)"] * hub
    told = [f"{' and '.join(what).capitalize()} need{'' if files or len(what) > 1 else 's'} fixing"] * bool(what)
    title = "; ".join([*told, *[f"{unread} file(s) not read"] * bool(unread),
                       *[f"{twice} notice(s) in content/ twice"] * bool(twice)]) + ": the rest of the pass went on"
    try:
        advice = ([FIX_FILES] * bool(files) + [FIX_UNREAD] * bool(unread) + [FIX_TWICE] * bool(twice)
                  + [FIX_PROVIDER] * provider
                  + [FIX_DEPLOY if partly else FIX_PUBLISHING] * publishing + [FIX_HUB] * hub)
        lines = per_folder([(f.source, f.line(), f.state == NOT_LINKED) for f in new], f"{NOT_LINKED}: ")
        Notifier(project).notify("failure", title, "\n".join([*lines, "", *advice]))
    except Exception:  # a notification must never stop the pass it reports on
        log.warning("could not send the failure notification", exc_info=True)


def per_folder(files: list[tuple[str, str, bool]], prefix: str = "") -> list[str]:
    """The lines telling of files not read, `(path, its line, merely unlinked)` each, in their order: the unlinked
    files of a folder holding several share one line (`prefix` first) where the first of them was; a file to act
    on (an old .doc) and one alone in its folder keep their own."""
    folders: dict[str, list[str]] = {}
    for path, _, unlinked in files:
        if unlinked:
            folders.setdefault(str(Path(path).parent), []).append(Path(path).name)
    lines: list[str] = []
    for path, line, unlinked in files:
        names = folders.get(str(Path(path).parent), []) if unlinked else []
        if len(names) < 2:
            lines.append(line)
        elif names[0] == Path(path).name:
            lines.append(prefix + _unlinked_in(str(Path(path).parent), sorted(names)))
    return lines


def _unlinked_in(folder: str, names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN]) + (", …" if len(names) > SHOWN else "")
    example = "e.g. " if len(names) > SHOWN else ""
    return (f"{folder}/: {len(names)} files no document links ({example}{shown}): link them from a document, or "
            "move them out of content/; `zaitun check` names each")
