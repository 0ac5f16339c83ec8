"""README, --help and CHANGELOG stay in step with the command line."""

import re
import tomllib

import typer.main
from conftest import REPO

from zaitun.cli import app
from zaitun.config import SETTINGS

README = (REPO / "README.md").read_text(encoding="utf-8")
CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


def commands() -> dict[str, object]:
    return typer.main.get_command(app).commands


def test_every_command_is_in_the_readme_and_the_changelog():
    for name in commands():
        assert f"zaitun {name}" in README, name
        assert f"zaitun {name}" in CHANGELOG, name


def test_every_command_the_readme_names_exists():
    named = set(re.findall(r"`zaitun ([a-z][a-z-]*)", README))  # (`zaitun --project DIR …`: an option)
    assert named <= set(commands()), named - set(commands())


def code_in_readme() -> list[str]:
    """Every piece of code README shows: its inline `spans` and the lines of its fenced blocks."""
    fence = re.compile(r"^```[a-z]*\n(.*?)^```", re.S | re.M)
    lines = [line for block in fence.findall(README) for line in block.splitlines()]
    return re.findall(r"`([^`]+)`", fence.sub("", README)) + lines


def command_lines() -> list[tuple[list[str], str]]:
    """Each command line README gives (`zaitun review show SLUG --json`, or `review show ...` without
    `zaitun`): the command's words and the text after `zaitun`."""
    found, names = [], set(commands())
    for code in code_in_readme():
        for part in re.split(r";|&&|#| (?=zaitun )", code):
            words = part.split()
            if words[:1] == ["zaitun"]:
                words = words[1:]
                while words[:1] in (["--project"], ["-C"]):  # the project folder, before the command
                    words = words[2:]
            elif not words or words[0] not in names:
                continue
            found.append((words, " ".join(words)))
    return found


def test_every_option_the_readme_gives_a_command_is_one_of_that_command():
    root = typer.main.get_command(app)
    shared = {"--help", *(opt for param in root.params for opt in param.opts)}
    for words, line in command_lines():
        command, path = root, []
        for word in words:
            if word not in getattr(command, "commands", {}):
                break
            command, path = command.commands[word], [*path, word]
        if not path:
            continue
        known = shared | {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        given = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", line))
        assert given <= known, f"README: `zaitun {line}`: zaitun {' '.join(path)} has no {given - known}"


def test_every_setting_the_readme_names_exists():
    settings = {s.name for s in SETTINGS}
    tables = "|".join(sorted({name.split(".")[0] for name in settings}))
    named = {code for code in code_in_readme() if re.fullmatch(rf"(?:{tables})\.[a-z_.]+", code)
             and not code.endswith((".yaml", ".toml", ".json"))}  # prefect.yaml is a file
    assert named and named <= settings, sorted(named - settings)


def test_every_setting_is_documented_in_the_projects_zaitun_toml_with_its_help():
    """The repository's zaitun.toml is where a reader looks a setting up (`[translate]` beside the others): every
    setting of SETTINGS is there with its line of help, as `zaitun init` writes it (translate.max_chars, the
    provider's request limit, was not)."""
    text = (REPO / "zaitun.toml").read_text(encoding="utf-8")
    given = tomllib.loads(text)
    missing = [s.name for s in SETTINGS if f"# {s.help}" not in text or not _has(given, s.name)]
    assert not missing, missing


def _has(table: dict, name: str) -> bool:
    for key in name.split("."):
        if not isinstance(table, dict) or key not in table:
            return False
        table = table[key]
    return True


def test_every_command_has_help_text():
    for name, command in commands().items():
        assert (command.help or "").strip(), name


def test_changelog_has_an_unreleased_section():
    assert "## [Unreleased]" in CHANGELOG
