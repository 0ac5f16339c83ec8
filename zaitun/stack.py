"""Where a running `zaitun up` is: the file it writes, and how every other command finds it.

Kept apart from zaitun.up and the stack's process machinery it loads: every command reads this file
before it runs (zaitun.cli), which should cost it no more than reading one small file.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zaitun.project import Project

STACK_FILE = "up.json"


def record_stack(project: Project, api: str) -> None:
    """Tell other zaitun commands (a reviewer's CLI) where this stack's Prefect API is."""
    (project.state_dir / STACK_FILE).write_text(json.dumps({"pid": os.getpid(), "api": api}), encoding="utf-8")


def adopt_running_stack(project: Project) -> None:
    """Point this process's events at a running `zaitun up`, unless PREFECT_API_URL is set."""
    path = project.root / ".zaitun" / STACK_FILE
    if os.environ.get("PREFECT_API_URL") or not path.is_file():
        return
    try:
        stack = json.loads(path.read_text(encoding="utf-8"))
        os.kill(stack["pid"], 0)
    except (OSError, ValueError, KeyError):
        return  # stale: that stack is gone
    os.environ["PREFECT_API_URL"] = stack["api"]
