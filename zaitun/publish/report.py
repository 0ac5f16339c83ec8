"""What a build did (`BuildReport`), apart from the build itself: `zaitun build` with nothing to do
reports it without loading the renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

WEBSUB_OWED = "websub-owed.txt"  # why the last ping failed: the next publish pings whether or not the site changed


def ping_problem(project) -> str:
    """Why the last WebSub ping failed ("" when it did not): the next publish pings again."""
    try:
        return (project.state_dir / WEBSUB_OWED).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


if TYPE_CHECKING:
    from zaitun.publish import search


@dataclass
class BuildReport:
    """What a build did, for the CLI, flows and tests."""

    out_dir: Path
    rendered: list[str] = field(default_factory=list)  # site paths written anew
    before: Path | None = None  # the version online when the build began (None: there was none)
    reused: list[str] = field(default_factory=list)  # unchanged since the last build
    removed: list[str] = field(default_factory=list)  # in the last build, gone now (withdrawn...)
    skipped: list[str] = field(default_factory=list)  # "slug (en): why" for pages not published
    under_review: list[str] = field(default_factory=list)  # English kept while an update is reviewed
    social: list[str] = field(default_factory=list)  # ids of posts queued in the outbox
    social_held: tuple[int, int] = (0, 0)  # announcements held back: (too old, over the daily limit)
    social_waiting: tuple[int, int] = (0, 0)  # (expired: never announced, not yet in force: announced then)
    social_withdrawn: int = 0  # unsent posts taken out of the outbox: documents gone, or saying otherwise now
    problems: list[str] = field(default_factory=list)  # path:line: why, of each document left out
    scheduled: list[str] = field(default_factory=list)  # slugs dated later: online on their date
    failures: list = field(default_factory=list)  # the same as zaitun.failures records
    unlabelled_tags: list[str] = field(default_factory=list)  # "tag (lang)" shown as written, no label
    labels_refused: list = field(default_factory=list)  # tags.yaml's English labels not shown (publish/tags.py)
    redirects: list[str] = field(default_factory=list)  # what became of old addresses (redirects.py)
    notes: list[str] = field(default_factory=list)  # what the operator should know of the store read (delta.py)
    search: search.IndexReport | None = None  # the search index, when this build wrote it anew
    workers: int = 1  # processes that rendered
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"built {self.out_dir}: rendered {len(self.rendered)}, unchanged {len(self.reused)}, "
                f"removed {len(self.removed)}, social posts queued {len(self.social)}{self._held()}"
                f"{f', social posts withdrawn {self.social_withdrawn}' if self.social_withdrawn else ''}"
                f"{f', {len(self.scheduled)} dated later, online on their date' if self.scheduled else ''} "
                f"in {self.seconds:.2f}s" + "".join(f"\n  note: {note}" for note in self.notes))

    def _held(self) -> str:
        too_old, over_limit = self.social_held
        held = ([f"{too_old} too old to announce (social.max_age_days)"] if too_old else []) + \
               ([f"{over_limit} left for tomorrow (social.daily_limit)"] if over_limit else [])
        expired, not_in_force = self.social_waiting
        held += ([f"{expired} expired, not announced"] if expired else []) + \
                ([f"{not_in_force} announced when in force (valid_from)"] if not_in_force else [])
        return f" ({'; '.join(held)})" if held else ""
