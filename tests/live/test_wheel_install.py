"""An installed kyodo works on its own (issue 12, item 6): a wheel built from this
checkout, installed into a fresh virtualenv (its dependencies from the package index),
migrates, seeds and serves from a folder that is not the checkout — no alembic.ini, no
source tree on the path. Two workers share their metrics (prometheus-client's
multiprocess mode). Takes some 40–60 s, most of it pip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.live.server import free_port

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path, env: dict[str, str], timeout: float = 300):
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def get(url: str, data: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=json.dumps(data).encode() if data is not None else None,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh virtualenv with the kyodo wheel installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        tmp / "dist",
        ROOT,
        cwd=tmp,
        env=env,
    )
    (wheel,) = (tmp / "dist").glob("kyodo-*.whl")
    run(sys.executable, "-m", "venv", tmp / "venv", cwd=tmp, env=env)
    bin_dir = tmp / "venv" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "-q", wheel, cwd=tmp, env=env, timeout=600)
    return bin_dir


def test_an_installed_wheel_migrates_seeds_and_serves_from_any_folder(
    installed: Path, tmp_path: Path
) -> None:
    # given: an empty folder, and a SQLite database to be made there
    workdir = tmp_path / "anywhere"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'kyodo.db'}",
        "KYODO_ENV": "development",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    kyodo = installed / "kyodo"
    # the installed code is the wheel's, not this checkout's
    where = run(
        installed / "python",
        "-c",
        "import kyodo.server; print(kyodo.server.__file__)",
        cwd=workdir,
        env=env,
    ).stdout
    assert str(installed.parent) in where and str(ROOT) not in where
    # and it installs under the one ``kyodo`` namespace: no top-level ``schema``/``server``/…
    # to clash with other distributions (PyPI has a ``schema`` package, for one)
    for clash in ("server", "schema", "domain", "seeds", "migrations"):
        found = run(
            installed / "python",
            "-c",
            f"import importlib.util as u; print(u.find_spec({clash!r}))",
            cwd=workdir,
            env=env,
        ).stdout
        assert found.strip() == "None", (clash, found)
    # when: migrated and seeded, then served by two workers
    run(kyodo, "db", "upgrade", cwd=workdir, env=env)
    assert "デモデータを読み込みました" in run(kyodo, "seed", cwd=workdir, env=env).stderr
    # and the printed disaster contact list comes from its template, package data of the wheel
    run(kyodo, "export", "disaster-contacts", "-o", "contacts.html", cwd=workdir, env=env)
    page = (workdir / "contacts.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "@page" in page, page[:200]
    port = free_port()
    server = subprocess.Popen(
        [kyodo, "serve", "--port", str(port), "--workers", "2"],
        cwd=workdir,
        env=env | {"KYODO_LOG_LEVEL": "warning"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        ready: tuple[int, bytes] = (0, b"")
        while time.monotonic() < deadline and server.poll() is None:
            try:
                ready = get(f"{base}/readyz")
                if ready[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        # then: ready, answering GraphQL with the demo data, GraphiQL's files included
        assert ready[0] == 200, ready
        assert json.loads(ready[1])["status"] == "ok"
        answers = [
            get(f"{base}/graphql", {"query": "query Departments { departments { code name } }"})
            for _ in range(6)
        ]
        assert all(status == 200 for status, _ in answers)
        departments = json.loads(answers[0][1])["data"]["departments"]
        assert {"kikikanri"} <= {d["code"] for d in departments}
        assert get(f"{base}/graphiql/graphiql.min.js")[0] == 200
        assert get(f"{base}/livez")[0] == 200
        # and /metrics of whichever worker answers counts both workers' requests
        status, text = get(f"{base}/metrics")
        assert status == 200
        line = 'kyodo_graphql_requests_total{operation="Departments",status="200"} 6.0'
        assert line in text.decode(), text.decode()
    finally:
        server.terminate()
        _out, log = server.communicate(timeout=30)
    assert server.returncode == 0, log
