"""Engine and session lifecycle. The app keeps no state besides the connection pool."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from kyodo.domain.transactions import WRITE_INTENT

DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for the SQLite write lock when the caller does not say (the
CLI: an import may wait for the server's writes); the server passes its setting."""
POOL_RECYCLE_SECONDS = 1800
"""PostgreSQL connections older than this are replaced when next checked out."""


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(
    url: str,
    *,
    echo: bool = False,
    statement_timeout_ms: int | None = None,
    postgres_jit: bool = False,
    sqlite_busy_timeout_ms: int | None = None,
    **kwargs: Any,
) -> AsyncEngine:
    """Create the async engine; on SQLite, turn on foreign keys, WAL and queued writers.

    On SQLite a transaction whose connection carries ``domain.transactions.WRITE_OPTIONS``
    begins with ``BEGIN IMMEDIATE``: it takes the one write lock before it reads, waiting
    up to ``sqlite_busy_timeout_ms`` (default 30 s) for the writers before it; every
    other transaction begins deferred and, thanks to WAL, reads beside the writer.

    On PostgreSQL, ``statement_timeout_ms`` (when set and non-zero) bounds every statement:
    a runaway query is cancelled by the server instead of holding a connection. It is a
    setting of each connection, sent once when the connection is opened (asyncpg's
    ``server_settings``), not a ``SET`` per transaction: no extra round trip per request.
    (Behind pgbouncer in transaction mode, which refuses unknown startup parameters, set
    it on the database role instead and ``KYODO_STATEMENT_TIMEOUT_MS=0``.) Migrations and
    the CLI build engines without it.

    On PostgreSQL, JIT compilation is off for every connection (``jit=off``, sent the same
    way) unless ``postgres_jit``: the compiled read path's nested lists are correlated
    subqueries whose estimated cost passes ``jit_above_cost`` on a city-sized database,
    and compiling them took 20–30 ms of a read that runs in 2–4 ms (the peer benchmark's
    nested read, a page of partners with their collaborators on 10,000 partners). The
    service's statements are small reads and writes; none runs long enough to repay it.
    (Behind pgbouncer, as above: ``KYODO_POSTGRES_JIT=true`` and ``jit`` on the role.)

    Connections are not pinged at every checkout (a round trip per request). A pooled
    connection the server has closed (a restart, ``pg_terminate_backend``, an idle
    timeout) is known closed to asyncpg without a round trip: the checkout drops it and
    the pool hands out, or opens, another (SQLAlchemy's ``DisconnectionError`` protocol).
    One that died silently fails its first statement: that request gets
    DATABASE_UNAVAILABLE, SQLAlchemy invalidates the pool, and the next requests get new
    connections ("optimistic" disconnect handling). ``pool_recycle`` replaces connections
    older than 30 minutes.

    Parameter values never reach a log line or an error message (``hide_parameters``):
    they carry names, phones and addresses. ``echo`` logs each statement without them,
    through the ``sqlalchemy.engine.Engine`` logger (so in the service's log format).
    """
    kwargs.setdefault("hide_parameters", True)
    if echo:
        logging.getLogger("sqlalchemy.engine.Engine").setLevel(logging.INFO)
    if is_sqlite(url):
        busy_timeout_ms = sqlite_busy_timeout_ms or DEFAULT_SQLITE_BUSY_TIMEOUT_MS
        kwargs.setdefault("connect_args", {"timeout": busy_timeout_ms / 1000})
    else:
        connect_args = dict(kwargs.get("connect_args") or {})
        server_settings = dict(connect_args.get("server_settings") or {})
        if statement_timeout_ms:
            server_settings["statement_timeout"] = str(int(statement_timeout_ms))
        if not postgres_jit:
            server_settings["jit"] = "off"
        if server_settings:
            connect_args["server_settings"] = server_settings
        kwargs["connect_args"] = connect_args
        kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
            # BEGIN, SAVEPOINT and transactional DDL behave as on PostgreSQL.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A writer must not start as a reader: SQLite cannot upgrade a read lock
            # once another connection has committed (see domain.transactions).
            writes = connection.get_execution_options().get(WRITE_INTENT)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    else:

        @event.listens_for(engine.sync_engine, "checkout")
        def _drop_closed(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
            # is_closed() looks at the socket's state, it sends nothing.
            driver = record.driver_connection
            if driver is not None and driver.is_closed():
                raise DisconnectionError("the server closed this pooled connection")

    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def session_scope(
    maker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with maker() as session:
        yield session
