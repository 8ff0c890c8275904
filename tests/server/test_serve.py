"""`kyodo serve` as an operator starts it: several worker processes, uvloop and httptools."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from alembic import command

from kyodo.server.settings import Settings
from tests.conftest import ROOT, alembic_config

KYODO = str(Path(sys.executable).parent / "kyodo")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_workers_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KYODO_WORKERS", "3")
    assert Settings().workers == 3
    monkeypatch.delenv("KYODO_WORKERS")
    assert Settings().workers == 1


def test_reload_with_several_workers_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"}
    result = subprocess.run(
        [KYODO, "serve", "--reload", "--workers", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--reload" in result.stderr


def test_serve_with_two_workers_runs_two_server_processes(
    tmp_path: Path,
) -> None:
    # given: a migrated database
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    command.upgrade(alembic_config(url), "head")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "KYODO_LOG_LEVEL": "debug"}
    # when
    server = subprocess.Popen(
        [KYODO, "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        answers = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(answers) < 4:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=json.dumps({"query": "{ viewer { role } }"}).encode(),
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    answers.append(json.load(response))
            except OSError:
                time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)
        _out, log = server.communicate(timeout=30)
    # then: every answer served, by two worker processes below the main one
    assert answers == [{"data": {"viewer": {"role": "PUBLIC"}}}] * 4, log
    started = set(re.findall(r"Started server process \[(\d+)\]", log))
    assert len(started) == 2, log
    assert str(server.pid) not in started


def test_the_standard_extras_are_installed() -> None:
    # uvicorn picks uvloop and httptools when they are there (uvicorn[standard])
    import httptools  # noqa: F401
    import uvloop  # noqa: F401
    from uvicorn.config import Config

    config = Config("kyodo.server.app:create_app", factory=True)
    config.load()
    assert config.http_protocol_class.__module__.endswith("httptools_impl")
