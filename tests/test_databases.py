"""The whole pipeline holds on each database zaitun supports: SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from zaitun.pipeline import run_once
from zaitun.project import Project
from zaitun.review.status import project_status
from zaitun.scaffold import init_project
from zaitun.state.store import Store


def sample_project(root: Path, database_url: str) -> Project:
    """The sample site of `zaitun init`, storing its state in the given database."""
    init_project(root)
    config = root / "zaitun.toml"
    text = config.read_text(encoding="utf-8")
    assert 'database_url = ""' in text
    config.write_text(text.replace('database_url = ""', f'database_url = "{database_url}"'), encoding="utf-8")
    return Project(root)


def published(project: Project) -> set[str]:
    return {p.relative_to(project.publish_dir).as_posix() for p in project.publish_dir.rglob("*") if p.is_file()}


def test_sample_site_is_taken_in_approved_from_memory_and_published(tmp_path, database_url):
    project = sample_project(tmp_path / "site", database_url)
    store = Store.open(project.database_url)
    try:
        result = run_once(project, store)
        assert not result["intake"]["errors"]
        statuses = project_status(store, dt.date(2026, 11, 25), 60)
        assert statuses and {s.stage for s in statuses} == {"approved"}
        assert run_once(project, store)["translate"]["drafted"] == 0  # a second pass has nothing to do
    finally:
        store.close()
    files = published(project)
    assert "en/policies/quan-zheng-ban-gui-2024-11/index.html" in files and "en/feed.xml" in files
    english = (project.publish_dir / "en/policies/quan-zheng-ban-gui-2024-11/index.html").read_text(encoding="utf-8")
    assert "2026-12-31" in english


def test_the_command_line_reports_status_from_the_configured_database(tmp_path, database_url):
    project = sample_project(tmp_path / "site", database_url)
    store = Store.open(project.database_url)
    run_once(project, store)
    store.close()
    status = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(project.root), "status"],
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 0, status.stderr
    assert "quan-zheng-ban-gui-2024-11" in status.stdout and "approved" in status.stdout
    assert not (project.state_dir / "state.db").exists() or database_url.startswith("sqlite")
