"""`kyodo db downgrade -1` and API tokens: a downgrade never drops issued tokens unasked.

Tokens are how the disaster office, integration scripts and staff reach the API; losing
them locks everyone out until each token is re-issued and handed over again. So:

- a migration that is not about tokens keeps every token row through downgrade and
  upgrade (checked below for every migration after the tokens one, as they are added);
- reverting the tokens migration itself necessarily removes the table: it is refused
  while tokens exist, unless the operator says ``--drop-tokens``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from kyodo.server.cli import app as cli
from kyodo.server.db import make_engine
from kyodo.server.settings import get_settings
from tests.conftest import alembic_config, scratch_database

TOKENS_REVISION = "0002_api_tokens"


def later_revisions() -> list[str]:
    """Revisions that come after the tokens migration, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    ordered = [r.revision for r in reversed(list(script.walk_revisions()))]
    return ordered[ordered.index(TOKENS_REVISION) + 1 :]


def sql(url: str, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    async def run() -> list[tuple[Any, ...]]:
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(sa.text(statement), params)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def revision_of(url: str) -> str:
    return sql(url, "SELECT version_num FROM alembic_version")[0][0]


def tables_of(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def issue_tokens(url: str) -> list[tuple[Any, ...]]:
    """Two token rows (one bound to a department), as the CLI would store them; all rows."""
    sql(url, "INSERT INTO department (code, name) VALUES ('machizukuri', 'まちづくり推進課')")
    for n, (role, department) in enumerate([("STAFF", "machizukuri"), ("ADMIN", None)]):
        sql(
            url,
            "INSERT INTO api_token (name, role, department_code, token_hash, prefix, created_at)"
            " VALUES (:name, :role, :department, :hash, :prefix, :created)",
            name=f"端末{n}",
            role=role,
            department=department,
            hash=f"{n:064x}",
            prefix=f"pfx{n:05d}",
            created=datetime(2024, 4, 1, 9, tzinfo=UTC),
        )
    return token_rows(url)


def token_rows(url: str) -> list[tuple[Any, ...]]:
    return sql(url, "SELECT id, name, role, department_code, token_hash FROM api_token ORDER BY id")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI configures logging for its process; give the test process its own back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def database(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A scratch database at head, as the CLI's DATABASE_URL."""
    with scratch_database(backend, tmp_path) as url:
        command.upgrade(alembic_config(url), "head")
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
        get_settings.cache_clear()


def kyodo(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "250"})


def test_db_downgrade_minus_one_goes_back_one_migration(database: str) -> None:
    # given a database at head
    script = ScriptDirectory.from_config(alembic_config(database))
    head = script.get_revision(revision_of(database))
    assert head is not None and head.down_revision is not None
    # when downgrading one step, as the command's help suggests
    result = kyodo("db", "downgrade", "-1")
    # then exactly one migration is reverted
    assert result.exit_code == 0, result.output
    assert revision_of(database) == head.down_revision


def test_reverting_the_tokens_migration_is_refused_while_tokens_exist(database: str) -> None:
    # given a database at the tokens migration, with tokens issued
    command.downgrade(alembic_config(database), TOKENS_REVISION)
    before = issue_tokens(database)
    # when downgrading past it without saying the tokens may go
    result = kyodo("db", "downgrade", "-1")
    # then nothing changes, and the operator is told why and what to do
    assert result.exit_code == 1, result.output
    assert "--drop-tokens" in result.output
    assert "2" in result.output  # how many tokens would be lost
    assert revision_of(database) == TOKENS_REVISION
    assert token_rows(database) == before


def test_drop_tokens_reverts_the_tokens_migration(database: str) -> None:
    # given a database at the tokens migration, with tokens issued
    command.downgrade(alembic_config(database), TOKENS_REVISION)
    issue_tokens(database)
    # when the operator confirms that the tokens go
    result = kyodo("db", "downgrade", "-1", "--drop-tokens")
    # then the migration is reverted, and upgrading again gives an empty token table
    assert result.exit_code == 0, result.output
    assert "api_token" not in tables_of(database)
    command.upgrade(alembic_config(database), "head")
    assert token_rows(database) == []


@pytest.mark.parametrize("revision", later_revisions())
def test_a_migration_not_about_tokens_keeps_them(database: str, revision: str) -> None:
    # given tokens issued at this migration
    command.downgrade(alembic_config(database), revision)
    before = issue_tokens(database)
    # when it is reverted and applied again
    assert kyodo("db", "downgrade", "-1").exit_code == 0
    command.upgrade(alembic_config(database), revision)
    # then every token row is as it was
    assert token_rows(database) == before
