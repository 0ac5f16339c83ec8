"""README, --help and CHANGELOG stay in step with the command line."""

import re

import typer.main
from conftest import REPO

from zaitun.cli import app

README = (REPO / "README.md").read_text(encoding="utf-8")
CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


def commands() -> dict[str, object]:
    return typer.main.get_command(app).commands


def test_every_command_is_in_the_readme_and_the_changelog():
    for name in commands():
        assert f"zaitun {name}" in README, name
        assert f"zaitun {name}" in CHANGELOG, name


def test_every_command_the_readme_names_exists():
    named = set(re.findall(r"`zaitun ([a-z-]+)", README))
    assert named <= set(commands()), named - set(commands())


def test_every_command_has_help_text():
    for name, command in commands().items():
        assert (command.help or "").strip(), name


def test_changelog_has_an_unreleased_section():
    assert "## [Unreleased]" in CHANGELOG
