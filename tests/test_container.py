"""The container files, checked without Docker: hadolint on the Dockerfile, and every command the
Dockerfile and compose.yaml run exists, with the options they pass, in the installed zaitun and Prefect."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from conftest import REPO

BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def compose_commands() -> list[list[str]]:
    """Each command line of the services built from this repository (`sh -c "a && b"` split in two)."""
    found = []
    for service in COMPOSE["services"].values():
        if service.get("image") != "zaitun":
            continue
        command = service.get("command", ["zaitun", "up"])
        lines = [shlex.split(part) for part in command[2].split("&&")] if command[:2] == ["sh", "-c"] else [command]
        found += lines
        found += [service["healthcheck"]["test"][1:]] if "healthcheck" in service else []
    return found


def dockerfile_cmd() -> list[str]:
    return json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1))


def help_text(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    result = subprocess.run([str(BIN / args[0]), *args[1:], "--help"], capture_output=True, text=True, timeout=120,
                            env=env, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, (args, result.stderr)
    return result.stdout


def test_hadolint_finds_nothing_in_the_dockerfile():
    result = subprocess.run([str(BIN / "hadolint"), str(REPO / "Dockerfile")], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_the_containers_run_exists_with_the_options_they_pass():
    commands = [dockerfile_cmd(), *compose_commands()]
    assert ["prefect", "worker", "start", "--pool", "zaitun"] in commands
    programs = [c for c in commands if c[0] != "python"]
    for command in commands:
        assert command[0] in ("zaitun", "prefect", "python"), command
        if command[0] == "python":  # the healthcheck
            assert command[1] == "-c"
            compile(command[2], "healthcheck", "exec")
    with ThreadPoolExecutor(4) as pool:  # each --help imports Prefect: seconds apiece
        roots = dict(zip(("prefect", "zaitun"), pool.map(help_text, ["prefect", "zaitun"]), strict=True))
        texts = list(pool.map(lambda command: help_text(*command), programs))
    for command, text in zip(programs, texts, strict=True):
        for option in (w for w in command if w.startswith("--")):  # root options show in the root's help
            assert option in roots[command[0]] + text, (option, command)


def test_compose_wires_one_project_folder_and_one_prefect_api():
    project = DOCKERFILE.split("ZAITUN_PROJECT=")[1].split()[0]
    assert f"WORKDIR {project}" in DOCKERFILE
    shared = COMPOSE["x-zaitun"]
    assert shared["environment"]["ZAITUN_PROJECT"] == project
    assert any(v.endswith(f":{project}") for v in shared["volumes"])
    server = COMPOSE["services"]["prefect-server"]
    port = server["command"][server["command"].index("--port") + 1]
    assert shared["environment"]["PREFECT_API_URL"] == f"http://prefect-server:{port}/api"
    assert server["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"].startswith("postgresql+asyncpg://")
