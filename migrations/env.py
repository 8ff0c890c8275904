"""Alembic environment (async). The URL comes from the settings unless the caller set one."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import kyodo.domain.models  # noqa: F401  (registers every table on the metadata)
from kyodo.domain.transactions import WRITE_OPTIONS
from kyodo.server.db import make_engine
from kyodo.server.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def database_url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        literal_binds=connection is None,
    )


def run_migrations_offline() -> None:
    _configure(url=database_url())
    with context.begin_transaction():
        context.run_migrations()


# Several app instances may start at once against one PostgreSQL, each migrating before
# it serves: the first takes this lock, the others wait and then find nothing to do.
MIGRATION_LOCK_ID = 4_242_001


def _sqlite_foreign_keys(connection: Connection, enabled: bool) -> None:
    """Switch SQLite's foreign-key enforcement, on the driver connection directly: the
    pragma is ignored inside a transaction, and SQLAlchemy would open one."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    finally:
        cursor.close()


def do_run_migrations(connection: Connection) -> None:
    """Run the migrations in one transaction.

    On SQLite, ALTER goes through batch mode: a changed table is copied, dropped and
    renamed back. With foreign keys enforced, dropping a table that other rows refer to
    (a department, from tokens, collaborations...) failed, or would have cascaded; so
    enforcement is off while migrating, and ``PRAGMA foreign_key_check`` must find
    nothing before the transaction commits (the Alembic documentation's recipe).
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and not connection.in_transaction():
        _sqlite_foreign_keys(connection, enabled=False)
    try:
        _configure(connection=connection)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows with broken references: {broken}")
    finally:
        if sqlite and not connection.in_transaction():
            _sqlite_foreign_keys(connection, enabled=True)


async def run_async_migrations() -> None:
    engine = make_engine(database_url())
    async with engine.connect() as connection:
        # Migrations write: on SQLite their transaction takes the write lock first.
        await connection.execution_options(**WRITE_OPTIONS)
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
        return
    asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
