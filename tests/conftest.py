"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

A database per backend is created and migrated once per session (through Alembic,
the only way tables are made) and the demo data is loaded into it. Each test then
runs inside a transaction on one connection that is rolled back afterwards.
PostgreSQL tests skip with a clear message when no server is reachable, unless
``CI`` is set: then its absence fails the run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.enums import Role
from kyodo.schema.context import Context, Principal
from kyodo.server.db import make_engine

ROOT = Path(__file__).resolve().parents[1]

# Commands run in this process (CliRunner) would otherwise freeze the test process's
# heap (server/collector.py): what a fixture leaves in a reference cycle afterwards
# would never be collected. tests/server/test_collector.py tests the tuning itself.
os.environ.setdefault("KYODO_GC_TUNING", "false")

PG_HOST = os.environ.get("KYODO_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("KYODO_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("KYODO_TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("KYODO_TEST_PG_DB", "test")
BACKENDS = ("sqlite", "postgresql")

TEST_ADMIN = Principal(name="test-admin", role=Role.ADMIN)

# Audit events that record changes, as opposed to the personal-data access log.
CHANGE_EVENTS = sa.column("action") != PERSONAL_DATA_READ


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logging"] = False
    return cfg


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB, timeout=5
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except Exception as exc:  # any failure to connect means: no usable server
        return f"{type(exc).__name__}: {exc}"
    return None


def require_postgresql() -> None:
    reason = pg_available()
    if reason is None:
        return
    message = f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} as {PG_USER} ({reason})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(f"{message}; PostgreSQL tests skipped")


@contextmanager
def scratch_database(backend: str, tmp_dir: Path) -> Iterator[str]:
    """A new, empty database for ``backend``; dropped afterwards."""
    if backend == "sqlite":
        path = tmp_dir / f"kyodo-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite+aiosqlite:///{path}"
        return
    require_postgresql()
    name = f"kyodo_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database with the demo data, shared by the session's tests."""
    with scratch_database(backend, tmp_path_factory.mktemp(backend)) as url:
        command.upgrade(alembic_config(url), "head")
        asyncio.run(_load_demo(url))
        yield url


async def _load_demo(url: str) -> None:
    from kyodo.seeds.loader import load_demo_data

    engine = make_engine(url)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            await load_demo_data(session)
            await session.commit()
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection in an outer transaction that is always rolled back."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's connection; their commits become savepoints."""
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def session(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@dataclass
class GraphQLClient:
    """Executes operations against the schema with a Context on the test session."""

    session: AsyncSession
    principal: Principal = TEST_ADMIN

    async def raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        today: date | None = None,
        principal: Principal | None = None,
    ) -> dict[str, Any]:
        from kyodo.schema import schema

        context = Context(session=self.session, principal=principal or self.principal)
        if today is not None:
            context.today = today
        result = await schema.execute(query, variable_values=variables, context_value=context)
        errors = [
            {
                "message": e.message,
                "path": e.path,
                "extensions": e.extensions or {},
                "original": repr(e.original_error) if e.original_error else None,
            }
            for e in result.errors or []
        ]
        return {"data": result.data, "errors": errors}

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        today: date | None = None,
        principal: Principal | None = None,
    ) -> dict[str, Any]:
        result = await self.raw(query, variables, today=today, principal=principal)
        assert not result["errors"], result["errors"]
        assert result["data"] is not None
        return result["data"]


@pytest.fixture
def gql(session: AsyncSession) -> GraphQLClient:
    return GraphQLClient(session)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []
        self.parameters: list[Any] = []


@pytest.fixture
def count_queries(engine: AsyncEngine) -> Any:
    """``with count_queries() as counter: ...`` counts the SQL statements sent."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before_execute(*args: Any) -> None:
            statement = str(args[2])
            if statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
                return  # transaction bookkeeping of the test's savepoints, not data access
            counter.count += 1
            counter.statements.append(statement)
            counter.parameters.append(args[3])

        sa.event.listen(engine.sync_engine, "before_cursor_execute", before_execute)
        try:
            yield counter
        finally:
            sa.event.remove(engine.sync_engine, "before_cursor_execute", before_execute)

    return counting
