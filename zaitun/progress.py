"""Progress of long passes (import, intake, translate, build, deploy): the library reports it, the
command line decides how it is shown.

    with progress.task("Rendering pages", total=len(todo)) as bar:
        bar.advance(len(chunk))

Nothing is shown by default, so library calls, Prefect flows and tests stay quiet and an advance
costs one empty method call. `zaitun` installs `for_terminal()`: a rich bar (count, rate, time
left) on stderr when stderr is a terminal, and nothing otherwise (CI, cron, Prefect logs), where
each command's own one-line summary at the end says what the pass did. Nothing here writes to
stdout, so `--json` output stays clean.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:  # rich is loaded only when a bar is drawn
    from rich.progress import Progress

REDRAW_SECONDS = 0.1


class Task:
    """A pass under way; this one shows nothing."""

    def advance(self, count: int = 1) -> None:
        """`count` more units (files, segments, pages) done."""


class Reporter(Protocol):
    def task(self, description: str, total: int | None) -> AbstractContextManager[Task]: ...


class Quiet:
    """The default: nothing shown."""

    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[Task]:
        yield Task()


_reporter: Reporter = Quiet()


@contextmanager
def task(description: str, total: int | None = None) -> Iterator[Task]:
    """One pass of `total` units (None: unknown), shown as the command line chose."""
    with _reporter.task(description, total) as current:
        yield current


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Show the passes run inside with `reporter`."""
    global _reporter
    previous, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = previous


def for_terminal(stream: TextIO | None = None) -> Reporter:
    """Bars on `stream` (stderr) when it is a terminal that can draw them; otherwise Quiet."""
    stream = stream or sys.stderr
    if not stream.isatty() or os.environ.get("TERM") == "dumb":
        return Quiet()
    return Bars(stream)


class _Bar(Task):
    def __init__(self, progress: Progress, task_id):
        self.progress, self.task_id = progress, task_id
        self.drawn = 0.0

    def advance(self, count: int = 1) -> None:
        self.progress.advance(self.task_id, count)
        now = time.monotonic()
        if now - self.drawn >= REDRAW_SECONDS:
            self.drawn = now
            self.progress.refresh()


class Bars:
    """rich progress bars on a terminal; passes inside passes get a bar each, shown together."""

    def __init__(self, stream: TextIO):
        from rich.console import Console

        self.console = Console(file=stream)  # NO_COLOR is honoured by rich: bars without colour
        self.progress: Progress | None = None
        self.open = 0

    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[Task]:
        if total == 0 or threading.current_thread() is not threading.main_thread():  # nothing to do, or a
            yield Task()  # server's worker thread (`zaitun up`): no bar
            return
        starting = self.progress is None
        self.progress = self.progress or _progress(self.console)
        self.open += 1
        task_id = self.progress.add_task(description, total=total)
        self.progress.start() if starting else self.progress.refresh()
        try:
            yield _Bar(self.progress, task_id)
        finally:
            self.open -= 1
            if not self.open:  # the bars leave the screen: the command's summary line says what was done
                self.progress.stop()
                self.progress = None


def _progress(console) -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:,.1f}/s" if task.speed else "", style="progress.data.speed")

    # Drawn by advance, not by a thread of rich's: a build forks its render workers under the bar, and forking
    # a process with threads risks deadlocks. stdout is left alone: it may be a pipe while stderr is a terminal.
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(),
                    TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=console,
                    auto_refresh=False, transient=True, redirect_stdout=False, redirect_stderr=False)
