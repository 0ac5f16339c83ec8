"""The one place that knows a project's file layout."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from zaitun.config import Config, load_config

CONFIG_NAME = "zaitun.toml"
STATE_DIR = ".zaitun"


@dataclass
class Project:
    """A zaitun project folder: content/, glossary/, zaitun.toml, state and build output."""

    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def glossary_dir(self) -> Path:
        return self.root / "glossary"

    @property
    def static_dir(self) -> Path:
        """Images and documents content links to as /static/...; published as they are."""
        return self.root / "static"

    @property
    def tm_dir(self) -> Path:
        return self.root / "tm"

    @property
    def state_dir(self) -> Path:
        path = self.root / STATE_DIR
        path.mkdir(mode=0o700, exist_ok=True)  # the store, the session secret, the first-run password
        return path

    @property
    def quarantine_dir(self) -> Path:
        return self.state_dir / "quarantine"

    @property
    def publish_dir(self) -> Path:
        return self.root / self.config.get("publish.output_dir")

    @property
    def database_url(self) -> str:
        return self.config.get("review.database_url") or f"sqlite:///{self.state_dir / 'state.db'}"
