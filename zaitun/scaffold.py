"""`zaitun init`: a new, independent project with the skeleton, a zaitun.toml and the sample content."""

from __future__ import annotations

import shutil
from pathlib import Path

import zaitun
from zaitun.config import default_toml
from zaitun.errors import ZaitunError
from zaitun.project import CONFIG_NAME

SAMPLE_DIRS = ("content", "glossary", "tm")  # sample content: skipped with --no-sample
SKELETON = ("flows", "prefect.yaml")  # the orchestration every project runs
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")
GITIGNORE = ".zaitun/\n.prefect/\n/publish\n.publish.*\n"  # publish is a link to the build online


def sample_root() -> Path:
    """The folder holding the sample content: the zaitun source tree itself."""
    root = Path(zaitun.__file__).resolve().parent.parent
    if not all((root / d).is_dir() for d in ("content", "glossary")):
        raise ZaitunError(f"sample content not found beside the zaitun package in {root}; "
                          "install zaitun from its source tree (pip install -e .)")
    return root


def init_project(target: Path, with_sample: bool = True) -> list[Path]:
    """Create the skeleton in `target` (empty or new); return the paths written."""
    target = target.resolve()
    if target.exists() and any(target.iterdir()):
        raise ZaitunError(f"{target} is not empty; choose a new or empty folder")
    target.mkdir(parents=True, exist_ok=True)
    written = [target / CONFIG_NAME, target / ".gitignore"]
    written[0].write_text(default_toml(), encoding="utf-8")
    written[1].write_text(GITIGNORE, encoding="utf-8")
    (target / "static").mkdir()  # publish/ is made by the first build
    (target / "static" / ".gitkeep").touch()
    source = sample_root()
    for name in SAMPLE_DIRS:
        dest = target / name
        if with_sample and (source / name).is_dir():
            shutil.copytree(source / name, dest, ignore=IGNORE)
        else:
            dest.mkdir(exist_ok=True)
        written.append(dest)
    for name in SKELETON:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, ignore=IGNORE)
        else:
            shutil.copy2(source / name, target / name)
        written.append(target / name)
    return written
