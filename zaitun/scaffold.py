"""`zaitun init`: a new, independent project; `zaitun init --upgrade`: what an existing one lacks.

Everything comes from the installed package (`zaitun/skeleton/`: the sample content,
glossary, translation memory and prefect.yaml), so a wheel-installed zaitun makes projects
as well as a source checkout does. A project keeps only its prefect.yaml: its entrypoints
point into the package (`zaitun.flows`), so upgrading zaitun upgrades every project's flows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

import zaitun
from zaitun.config import FIXED, SETTINGS, _flatten, default_toml, read_toml
from zaitun.errors import ConfigError, ZaitunError, utf8_text
from zaitun.project import CONFIG_NAME, not_utf8_folder

SAMPLE_DIRS = ("content", "glossary", "tm")  # sample content: skipped with --no-sample
PREFECT_YAML = "prefect.yaml"  # the deployments every project runs
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")
GITIGNORE = ".zaitun/\n.prefect/\n/publish\n.publish.*\n"  # publish is a link to the build online


def skeleton() -> Path:
    """The package data a project is made from."""
    root = Path(zaitun.__file__).resolve().parent / "skeleton"
    if not (root / PREFECT_YAML).is_file():
        raise ZaitunError(f"zaitun's package data is missing ({root}): reinstall zaitun")
    return root


def generated_files() -> dict[str, str]:
    """The files `zaitun init` writes from the installed version, by name."""
    return {CONFIG_NAME: default_toml(), ".gitignore": GITIGNORE,
            PREFECT_YAML: (skeleton() / PREFECT_YAML).read_text(encoding="utf-8")}


def init_project(target: Path, with_sample: bool = True) -> list[Path]:
    """Create the skeleton in `target` (empty or new); return the paths written."""
    target = target.resolve()
    if refusal := not_utf8_folder(target):
        raise ZaitunError(refusal)
    if target.exists() and any(target.iterdir()):
        raise ZaitunError(f"{target} is not empty; choose a new or empty folder")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generated_files().items():
        (target / name).write_text(text, encoding="utf-8")
        written.append(target / name)
    (target / "static").mkdir()  # publish/ is made by the first build
    (target / "static" / ".gitkeep").touch()
    source = skeleton()
    for name in SAMPLE_DIRS:
        dest = target / name
        if with_sample:
            shutil.copytree(source / name, dest, ignore=IGNORE)
        else:
            dest.mkdir()
        written.append(dest)
    return written


def upgrade_project(target: Path) -> list[str]:
    """What the project's generated files lack compared with the installed zaitun, one line each.

    Generated files that are missing altogether are written; existing files are never changed.
    """
    target = target.resolve()
    if not (target / CONFIG_NAME).is_file() and not (target / "content").is_dir():
        raise ZaitunError(f"{target} is not a zaitun project (no {CONFIG_NAME}, no content/)")
    lines = []
    for name, text in generated_files().items():
        path = target / name
        if not path.is_file():
            path.write_text(text, encoding="utf-8")
            lines.append(f"{path}: missing; written from zaitun {zaitun.__version__}")
        elif name == CONFIG_NAME:
            lines += _config_lacks(path)
        elif name != PREFECT_YAML:
            have = path.read_bytes().decode("utf-8", "replace").splitlines()  # (compared, never written back)
            lines += [f"{path}: lacks the line {line!r}" for line in text.splitlines() if line not in have]
    return lines + flows_outdated(target)


def read_prefect_yaml(path: Path) -> dict:
    """A project's prefect.yaml, or a ConfigError naming its line when it does not read as one."""
    try:
        ours = yaml.safe_load(utf8_text(path.read_bytes(), path, ConfigError)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(path, f"invalid YAML: {getattr(exc, 'problem', None) or exc}; `zaitun init --upgrade` "
                                "shows what it should hold", mark.line + 1 if mark else None) from None
    if not isinstance(ours, dict) or not all(isinstance(d, dict) for d in ours.get("deployments") or []):
        raise ConfigError(path, "not a Prefect project file: it should hold `deployments:`, a list of deployments "
                                "each with its name and entrypoint", 1)
    return ours


def flows_outdated(target: Path) -> list[str]:
    """Why `zaitun up` would run other flows than the installed zaitun's: where the project's prefect.yaml
    differs from its (the flows run as prefect.yaml says), and a project copy of old flows."""
    lines = []
    if (target / PREFECT_YAML).is_file():
        lines += _prefect_yaml_lacks(target / PREFECT_YAML, yaml.safe_load(generated_files()[PREFECT_YAML]))
    if (target / "flows").is_dir():
        lines.append(f"{target / 'flows'}: a copy of old flows; once prefect.yaml runs zaitun.flows, delete it")
    return lines


def _prefect_yaml_lacks(path: Path, installed: dict) -> list[str]:
    ours = read_prefect_yaml(path)
    lines = [f"{path}: '{key}' differs from zaitun {zaitun.__version__}'s: {value!r}"
             for key, value in installed.items() if key not in ("deployments", "definitions", "prefect-version")
             and ours.get(key) != value]
    theirs = {d.get("name"): d for d in ours.get("deployments") or []}
    for spec in installed["deployments"]:
        mine = theirs.get(spec["name"])
        if mine is None:
            lines.append(f"{path}: lacks the deployment '{spec['name']}'")
            continue
        lines += [f"{path}: deployment '{spec['name']}': {key} should be {value!r}"
                  for key, value in spec.items() if key != "description" and mine.get(key) != value]
    return lines


def _config_lacks(path: Path) -> list[str]:
    flat = _flatten(read_toml(path)[1])  # (one that does not read is named at its line)
    lines = [f"{path}: {name} is not a setting (zaitun translates zh into en only); remove the line"
             for name in FIXED if name in flat]
    lines += [f"{path}: no line for {s.name} (default {s.default!r}: {s.help})" for s in SETTINGS
              if s.name not in flat]
    return lines

