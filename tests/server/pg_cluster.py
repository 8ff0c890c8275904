"""A throwaway PostgreSQL cluster that a test may stop and start (never the shared server).

``initdb`` into a fresh temporary folder, its own free port on 127.0.0.1, no Unix socket;
run as the ``postgres`` OS user when the tests run as root (PostgreSQL refuses root).
Without the server binaries the tests skip, unless ``CI`` is set: then they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("KYODO_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _require_binaries() -> None:
    missing = [name for name in ("initdb", "pg_ctl") if not (PG_BIN / name).is_file()]
    if not missing:
        return
    message = (
        f"PostgreSQL server binaries {', '.join(missing)} not found in {PG_BIN} "
        "(set KYODO_TEST_PG_BIN)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI requires them", pytrace=False)
    pytest.skip(f"{message}; database outage tests skipped")


class Cluster:
    def __init__(self, root: Path, port: int, as_postgres: list[str]) -> None:
        self.root = root
        self.data = root / "data"
        self.log = root / "postgresql.log"
        self.port = port
        self._as = as_postgres
        self.running = False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self._as, str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self._pg_ctl("-l", str(self.log), "-w", "-t", "30", "start")
        self.running = True

    def stop(self) -> None:
        # Immediate: the connections the app holds are cut, as in a crash or failover.
        self._pg_ctl("-m", "immediate", "-w", "-t", "30", "stop")
        self.running = False

    def initdb(self) -> None:
        subprocess.run(
            [
                *self._as,
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\n"
                "fsync = off\n"
                "max_connections = 30\n"
            )


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    _require_binaries()
    as_postgres: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="kyodo-outage-"))
    try:
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser: cannot run PostgreSQL")
            shutil.chown(root, user="postgres", group="postgres")
            as_postgres = ["runuser", "-u", "postgres", "--"]
        cluster = Cluster(root, _free_port(), as_postgres)
        cluster.initdb()
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.running:
                cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
