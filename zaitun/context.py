"""What every command, `zaitun up` and the review app work on: one project, its settings, its store.

`zaitun.cli` makes one per run and puts it in Typer's `ctx.obj`, where the commands of the
stages read it, so no stage imports the command line. The store opens on
first use: `zaitun check` or `zaitun build --help` never touch the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zaitun.project import Project

if TYPE_CHECKING:
    from zaitun.config import Config
    from zaitun.state.lazy import LazyStore
    from zaitun.state.store import Store


class Context:
    def __init__(self, project: Project, store: Store | None = None, refusal: str = "") -> None:
        self._project = project
        self._store = store  # one already open (tests, a second app on the same store), else opened on first use
        self.refusal = refusal  # why the folder is no project: said by the first command to use it (not --help)

    @property
    def project(self) -> Project:
        if self.refusal:
            from zaitun.errors import ZaitunError

            raise ZaitunError(self.refusal)
        return self._project

    @property
    def config(self) -> Config:
        return self.project.config

    @property
    def store(self) -> Store:
        if self._store is None:
            from zaitun.state.store import Store

            self._store = Store.open(self.project.database_url)
        return self._store

    @property
    def lazy_store(self) -> Store | LazyStore:
        """The store as a build asks it: a plain SQLite file read without opening the Store (SQLAlchemy), which
        opens (as `store`) when first needed; the Store itself when open already."""
        if self._store is not None:
            return self._store
        from zaitun.state.lazy import LazyStore

        return LazyStore(self.project.database_url, lambda: self.store)
