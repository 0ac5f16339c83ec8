"""The package's layers, read from the source with `ast`: stages import only downward, only the state
layer speaks SQL, and no library module imports the command line.

    commands and orchestration   cli, up, runs, pipeline, flows, check, scaffold, watch
    stages                       content -> translate -> review -> publish
    below the stages             state (store, segment states), context, failures, notify, events,
                                 progress, project, days, config, errors, mediatypes, children, leaving, stamps, locks,
                                 bounded, statefiles, typed (the stages' command lines check typed text with it)
"""

from __future__ import annotations

import ast
from pathlib import Path

import zaitun

PACKAGE = Path(zaitun.__file__).parent
STAGES = ("content", "translate", "review", "publish")
BELOW = {"state", "context", "failures", "notify", "events", "progress", "project", "config", "errors", "stamps",
         "mediatypes", "children", "leaving", "locks", "days", "bounded",
         "statefiles", "s3_target", "typed"}
COMMANDS = {"cli", "up", "runs", "pipeline", "flows", "check", "scaffold", "watch", "__main__"}
STAGE_COMMANDS = {"cli", "user_cli"}  # a stage's commands call the one orchestration API, zaitun.pipeline

# config checks review.database_url is a URL SQLAlchemy can open; it parses, it runs no SQL
PARSES_A_DATABASE_URL = {("zaitun/config.py", "sqlalchemy.engine")}


def modules() -> list[tuple[str, ast.Module]]:
    return [(str(path.relative_to(PACKAGE.parent)), ast.parse(path.read_text(encoding="utf-8")))
            for path in sorted(PACKAGE.rglob("*.py"))]


def imports(tree: ast.Module) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "zaitun":  # from zaitun import events: the module zaitun.events
                found |= {f"zaitun.{alias.name}" for alias in node.names}
    return found


def part(name: str) -> str:
    """zaitun.review.gate -> review; zaitun/state/store.py -> state."""
    return name.replace("/", ".").split(".")[1]


def upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path, tree in modules():
        here = part(path)
        for name in imports(tree):
            if not name.startswith("zaitun."):
                continue
            there = part(name)
            if here in STAGES:
                allowed = BELOW | set(STAGES[:STAGES.index(here) + 1])
                if Path(path).stem in STAGE_COMMANDS:
                    allowed = allowed | {"pipeline"}
            elif here in BELOW:
                allowed = BELOW
            else:
                continue
            if there not in allowed:
                found.add((path, name))
    return found


def test_stages_import_only_downward_and_the_layer_below_imports_no_stage():
    assert upward_imports() == set()


def test_nothing_outside_the_state_layer_imports_sqlalchemy():
    found = {(path, name) for path, tree in modules() if part(path) != "state"
             for name in imports(tree) if name.split(".")[0] == "sqlalchemy"}
    assert found == PARSES_A_DATABASE_URL


def test_nothing_outside_the_state_layer_executes_sql():
    found = [f"{path}:{node.lineno}" for path, tree in modules() if part(path) != "state"
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in ("execute", "exec_driver_sql")]
    assert found == []


def test_no_library_module_imports_the_command_line():
    found = [path for path, tree in modules()
             if "zaitun.cli" in imports(tree) and path != "zaitun/__main__.py"]
    assert found == []


def test_only_the_command_line_registers_the_stage_commands():
    found = [path for path, tree in modules()
             for name in imports(tree) if name.rsplit(".", 1)[-1] in STAGE_COMMANDS
             and part(name) in STAGES and path != "zaitun/cli.py" and Path(path).stem not in STAGE_COMMANDS]
    assert found == []
