"""A throwaway PostgreSQL server for the tests: Debian's binaries, a fresh cluster in /tmp, 127.0.0.1.

PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the
`postgres` account that Debian's package creates, and commands run through `runuser`.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text


def postgres_bin() -> Path:
    """The folder of initdb and pg_ctl: on PATH, or where Debian installs them."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package")
    return Path(found[-1]).parent


class PostgresServer:
    """`with PostgresServer(port) as pg:` starts a cluster; `pg.new_database()` gives a fresh database URL."""

    def __init__(self, port: int):
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="zaitun-pg-"))
        self.bin = postgres_bin()
        self._admin = None

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def __enter__(self) -> PostgresServer:
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", "zaitun", "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        self._admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        return self

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://zaitun@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return self.url(name)

    def __exit__(self, *exc) -> None:
        if self._admin is not None:
            self._admin.dispose()
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
