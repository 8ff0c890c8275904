"""The container (issue 12, item 6): a non-root user, the server as PID 1 (it gets
docker's SIGTERM), a HEALTHCHECK on /readyz without curl; compose passes the CORS
origins and starts the app once the database is healthy. No docker daemon is needed:
the entrypoint and the health check command run here as they would in the image."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()
ENTRYPOINT = ROOT / "docker-entrypoint.sh"


def instruction(name: str) -> str:
    """The (last) instruction ``name`` of the Dockerfile, continuation lines joined."""
    joined = DOCKERFILE.replace("\\\n", " ")
    lines = [line for line in joined.splitlines() if line.startswith(name + " ")]
    assert lines, name
    return lines[-1][len(name) + 1 :].strip()


def test_the_image_runs_as_a_user_of_its_own() -> None:
    user = instruction("USER")
    assert user not in {"root", "0"}
    assert re.search(rf"useradd .*\b{user}\b", DOCKERFILE)
    # installed as a package, not in place (-e): nothing read from the sources
    assert "pip install -e" not in DOCKERFILE


def test_no_shell_stays_between_docker_and_the_server(tmp_path: Path) -> None:
    # exec form, no `sh -c`: the entrypoint script runs, and replaces itself
    assert json.loads(instruction("ENTRYPOINT")) == ["docker-entrypoint.sh"]
    assert json.loads(instruction("CMD")) == ["kyodo", "serve"]
    # given: a stand-in for kyodo that records its calls and, for serve, its PID
    fake = tmp_path / "kyodo"
    calls = tmp_path / "calls"
    fake.write_text(f'#!/bin/sh\necho "$* $$" >> {calls}\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    # when
    process = subprocess.Popen(["sh", str(ENTRYPOINT), "kyodo", "serve"], env=env)
    assert process.wait(timeout=30) == 0
    # then: migrated, seeded, then the server in the entrypoint's own process (exec)
    lines = calls.read_text().splitlines()
    assert [line.rsplit(" ", 1)[0] for line in lines] == [
        "db upgrade",
        "seed --if-empty",
        "serve",
    ]
    assert lines[-1].rsplit(" ", 1)[1] == str(process.pid)


def test_another_command_runs_without_migrating(tmp_path: Path) -> None:
    fake = tmp_path / "kyodo"
    calls = tmp_path / "calls"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["sh", str(ENTRYPOINT), "kyodo", "token", "list"], env=env, check=True)
    assert calls.read_text().splitlines() == ["token list"]


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_the_health_check_asks_readyz(status: int, healthy: bool) -> None:
    seen: list[str] = []

    class Probe(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(status)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Probe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        command = json.loads(instruction("HEALTHCHECK").split("CMD", 1)[1])
        assert command[0] == "python"  # the slim image has no curl
        env = {**os.environ, "KYODO_PORT": str(server.server_address[1])}
        result = subprocess.run(
            [sys.executable, *command[1:]], env=env, capture_output=True, timeout=30
        )
    finally:
        server.shutdown()
    assert seen == ["/readyz"]
    assert (result.returncode == 0) is healthy


def test_compose_passes_cors_origins_and_waits_for_the_database() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    assert re.search(r"KYODO_CORS_ORIGINS: \$\{KYODO_CORS_ORIGINS:-http", compose)
    assert "condition: service_healthy" in compose
    assert "healthcheck:" in compose  # the database's, waited on
