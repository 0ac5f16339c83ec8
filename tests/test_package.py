"""zaitun as an operator installs it: a built wheel in a fresh virtual environment, no source tree.

The wheel is built from a clean copy of the repository; the fresh environment gets only that
wheel (zaitun's dependencies are borrowed from the test environment through a path file, so
nothing is downloaded), and every command runs in a folder far from the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from zaitun.scaffold import SAMPLE_DIRS

CACHES = shutil.ignore_patterns("__pycache__", "*.egg-info", ".*_cache", ".hypothesis")
LOCAL = {".git", ".venv", "build", "dist", ".zaitun", ".prefect", "publish"}  # the checkout's own state


def without_checkout() -> dict[str, str]:
    """The environment without PYTHONPATH: pip would take the checkout's zaitun for the one installed."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def source_ignore(folder: str, names: list[str]) -> set[str]:
    top = {n for n in names if n in LOCAL} if Path(folder) == REPO else set()
    return top | CACHES(folder, names)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel` of a clean copy of the checkout (no stale build/ folder can slip files in)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(REPO, source, symlinks=True, ignore=source_ignore)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(source)],
                   check=True, capture_output=True, timeout=300, env=without_checkout())
    return next((work / "dist").glob("zaitun-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh environment with the wheel installed and the test environment's packages beside it."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # a plain path line: the test environment's editable zaitun (a .pth hook there) is not activated
    Path(site, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "-q", str(wheel)], check=True, capture_output=True, timeout=300, env=without_checkout())
    return env_dir


def run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PYTHON", "ZAITUN"))}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", PREFECT_HOME=str(cwd / ".prefect-home"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_wheel_carries_the_sample_exactly_as_the_repository_has_it(wheel):
    with zipfile.ZipFile(wheel) as archive:
        packaged = {name.removeprefix("zaitun/skeleton/"): archive.read(name) for name in archive.namelist()
                    if name.startswith("zaitun/skeleton/")}
        names = archive.namelist()
    repo = {p.relative_to(REPO).as_posix(): p.read_bytes() for d in SAMPLE_DIRS for p in (REPO / d).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
    repo["prefect.yaml"] = (REPO / "prefect.yaml").read_bytes()
    assert packaged == repo
    assert "zaitun/flows/translate.py" in names and "zaitun/review/templates/queue.html" in names


def test_wheel_installed_zaitun_makes_runs_and_checks_a_project_without_the_source_tree(venv, tmp_path):
    where = run(venv, tmp_path, "python", "-c", "import zaitun; print(zaitun.__file__)")
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr
    assert run(venv, tmp_path, "zaitun", "init", "site").returncode == 0
    site = tmp_path / "site"
    spec = yaml.safe_load((site / "prefect.yaml").read_text(encoding="utf-8"))
    assert {d["entrypoint"] for d in spec["deployments"]} == {f"zaitun.flows.{n}:{n}" for n in
                                                              ("intake", "translate", "publish", "expiry")}
    assert not (site / "flows").exists()  # the flows stay in the package, so an upgrade reaches them
    ran = run(venv, site, "zaitun", "run")
    assert ran.returncode == 0, ran.stderr
    assert "intake: 7 taken in" in ran.stdout and "7 document(s) approved from memory" in ran.stdout
    assert (site / "publish" / "en" / "guides" / "240-hour-visa-free-transit" / "index.html").is_file()
    checked = run(venv, site, "zaitun", "check")
    assert checked.returncode == 0, checked.stderr
    flows = run(venv, site, "python", "-c", "from prefect.flows import load_flow_from_entrypoint as load; "
                "print(load('zaitun.flows.translate:translate').name)")
    assert flows.stdout.strip() == "zaitun-translate", flows.stderr
    upgrade = run(venv, site, "zaitun", "init", "--upgrade", ".")
    assert upgrade.returncode == 0 and "is up to date with zaitun" in upgrade.stdout
