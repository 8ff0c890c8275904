"""``kyodo serve`` as a real process on a free local port, for the tests that need a
browser or another program (node) to talk to the server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kyodo(*args: str, database_url: str, cwd: Path = ROOT, timeout: float = 120, **env: str):
    """Run the ``kyodo`` command (``python -m server.cli``) to completion."""
    return subprocess.run(
        [sys.executable, "-m", "kyodo.server.cli", *args],
        cwd=cwd,
        env=server_env(database_url, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "KYODO_ENV": "development", **extra}
    # The code under test comes from this checkout, whatever the working directory.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[str]

    @property
    def graphql(self) -> str:
        return f"{self.url}/graphql"


@contextmanager
def live_server(database_url: str, **env: str) -> Iterator[LiveServer]:
    """Serve ``database_url`` (migrated already) until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kyodo.server.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=server_env(database_url, KYODO_LOG_LEVEL="warning", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"kyodo serve exited with {process.returncode}: {output}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"kyodo serve did not answer on {url}")
            time.sleep(0.2)
        yield LiveServer(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
