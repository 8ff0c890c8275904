"""A newcomer's first mistakes end in one line saying what to do, never a traceback
(server/preflight.py): the ``kyodo`` command run as a real process against scratch
databases, and ``kyodo serve`` refusing a database that is not migrated."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic import command

from tests.conftest import (
    PG_HOST,
    PG_PORT,
    PG_USER,
    alembic_config,
    require_postgresql,
    scratch_database,
)
from tests.live.server import ROOT, kyodo

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one line on stderr, in Japanese and English."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert line.startswith("エラー: ")
    assert JAPANESE.search(line) and " / " in line, line
    return line


def empty_database(backend: str, tmp_path: Path):
    """A database that exists but was never migrated (an empty SQLite file)."""
    return scratch_database(backend, tmp_path)


def never_migrated(backend: str, url: str) -> None:
    if backend == "sqlite":
        sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///")).close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "args", [("seed",), ("token", "list"), ("export", "partners", "-o", "-"), ("serve",)]
)
def test_a_database_never_migrated_is_named_with_what_to_run(
    backend: str, args: tuple[str, ...], tmp_path: Path
) -> None:
    with empty_database(backend, tmp_path) as url:
        # given a database that exists but was never migrated (seed before db upgrade)
        never_migrated(backend, url)
        # when running a command on it
        result = kyodo(*args, database_url=url)
    # then one line says so and what to run
    line = one_line(result)
    assert "まだ移行されていません" in line
    assert "kyodo db upgrade" in line


def test_serve_refuses_a_database_one_migration_behind(tmp_path: Path) -> None:
    with scratch_database("sqlite", tmp_path) as url:
        # given a database migrated by an older kyodo
        command.upgrade(alembic_config(url), "0001_initial")
        # when starting the server on it
        result = kyodo("serve", "--port", "1", database_url=url, timeout=60)
    # then it does not start: it names the revisions and what to run
    line = one_line(result)
    assert "0001_initial" in line and "kyodo db upgrade" in line


def test_serve_starts_on_a_migrated_database(tmp_path: Path) -> None:
    # given a migrated database (the refusal above is not a refusal of everything)
    from tests.live.server import live_server

    with scratch_database("sqlite", tmp_path) as url:
        command.upgrade(alembic_config(url), "head")
        # when / then: it serves
        with live_server(url) as server:
            assert server.process.poll() is None


def test_a_missing_postgresql_database_is_named_with_how_to_create_it(tmp_path: Path) -> None:
    # given a PostgreSQL server without the database DATABASE_URL names
    require_postgresql()
    name = f"kyodo_missing_{uuid.uuid4().hex[:8]}"
    url = f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    for args in (("db", "upgrade"), ("seed",), ("serve",)):
        # when
        result = kyodo(*args, database_url=url)
        # then
        line = one_line(result)
        assert f"「{name}」がありません" in line, args
        assert f"createdb -h {PG_HOST} -p {PG_PORT} -U {PG_USER} {name}" in line, args


@pytest.mark.parametrize(
    "args", [("seed",), ("serve",), ("token", "list"), ("db", "downgrade", "base")]
)
def test_the_default_sqlite_file_in_another_folder_is_explained(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    # given a folder without kyodo.db and the default DATABASE_URL (./kyodo.db)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    # when running kyodo there
    result = subprocess.run(
        [sys.executable, "-m", "kyodo.server.cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then one line names the file it looked for and why, and no empty file is left behind
    line = one_line(result)
    assert str(tmp_path / "kyodo.db") in line
    assert "作業フォルダ" in line and "working directory" in line
    assert not (tmp_path / "kyodo.db").exists()


def test_db_upgrade_still_creates_a_new_sqlite_database(tmp_path: Path) -> None:
    # given a folder without kyodo.db
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    # when migrating there (what `make run` does first)
    result = subprocess.run(
        [sys.executable, "-m", "kyodo.server.cli", "db", "upgrade"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    # then the database is created and migrated
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "kyodo.db").exists()


# ---------------------------------------------------------------- help and make


def test_token_create_does_not_offer_public(tmp_path: Path) -> None:
    # when asking for help, and when trying PUBLIC anyway
    shown = kyodo(
        "token", "create", "--help", database_url="sqlite+aiosqlite:///x.db", COLUMNS="200"
    )
    refused = kyodo(
        "token", "create", "--name", "x", "--role", "PUBLIC",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
    )  # fmt: skip
    # then PUBLIC is not among the choices, and is refused as a usage error
    assert shown.returncode == 0
    assert "STAFF|DISASTER_OFFICE|INTEGRATION|ADMIN" in shown.stdout
    assert "PUBLIC|" not in shown.stdout
    assert refused.returncode == 2
    assert "PUBLIC" in refused.stderr


def test_every_command_is_described_in_japanese_and_english() -> None:
    # when listing the commands
    shown = kyodo("--help", database_url="sqlite+aiosqlite:///x.db", COLUMNS="200")
    # then each summary line has both
    rows = [line for line in shown.stdout.splitlines() if re.match(r"^│ [a-z]+ ", line)]
    assert {row.split()[1] for row in rows} >= {"serve", "seed", "db", "token", "import"}
    for row in rows:
        assert JAPANESE.search(row) and " / " in row, row


def test_make_run_passes_the_port_on() -> None:
    # when asking make what `make run PORT=8001` would run
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8001"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    # then the server is started on that port, after migrating and seeding
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if "/kyodo " in line]
    assert commands[-3:] == [
        ".venv/bin/kyodo db upgrade",
        ".venv/bin/kyodo seed --if-empty",
        ".venv/bin/kyodo serve --port 8001",
    ]


def test_starting_a_command_does_not_load_the_exports() -> None:
    """The CLI's settings name the city for the exports without importing them: every
    command (``kyodo --help`` too) started in about 2.4 s while openpyxl and every list
    export loaded; a command that exports loads them when it runs."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, kyodo.server.cli, kyodo.server.settings;"
            "print(sorted(m for m in ('openpyxl', 'kyodo.domain.exchange.exports')"
            " if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert loaded.stdout.strip() == "[]"
