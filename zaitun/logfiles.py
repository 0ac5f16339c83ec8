"""The logs `zaitun up`'s children write into .zaitun/, kept to a size: `zaitun up` runs for months.

A child opened its log once, for appending, and never opens it again, so a log is moved aside as logrotate's
copytruncate does: copied to NAME.log.1 (replacing the one before), then emptied in place; the child's next line
goes to its start. A line written in the instant between the copy and the emptying is lost.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

RETRY_AFTER = 60.0  # seconds before a log that could not be moved aside (the disk full, say) is tried again


class Rotation:
    """Logs moved aside once larger than a limit, looked at as often as `zaitun up` looks at its children."""

    def __init__(self) -> None:
        self.failed: dict[Path, float] = {}  # a log that could not be moved aside -> when it is tried again

    def look(self, logs: list[Path], limit_bytes: int, now: float | None = None) -> list[Path]:
        """Move aside each of `logs` larger than `limit_bytes` (0: none); the logs moved."""
        now = time.monotonic() if now is None else now
        moved = []
        for log in logs if limit_bytes > 0 else ():
            if self.failed.get(log, 0.0) > now:
                continue
            try:
                if os.stat(log).st_size <= limit_bytes:
                    continue
                move_aside(log)
            except FileNotFoundError:  # not written yet, or removed by hand
                continue
            except OSError:
                self.failed[log] = now + RETRY_AFTER
                continue
            self.failed.pop(log, None)
            moved.append(log)
        return moved


def move_aside(log: Path) -> Path:
    """Copy `log` to NAME.log.1 whole (written under another name first), then empty it; the copy's path."""
    old = log.with_name(log.name + ".1")
    part = log.with_name(log.name + ".1.part")
    try:
        shutil.copyfile(log, part)
        os.replace(part, old)
    finally:
        part.unlink(missing_ok=True)
    os.truncate(log, 0)
    return old
