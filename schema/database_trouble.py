"""Database trouble, told apart from bugs: what callers and operators are told instead.

A failure of the database (not reachable, shutting down, or too slow) is no fault of the
request and no bug of the application: it is answered with HTTP 503 and one of

| code | when |
|---|---|
| ``DATABASE_UNAVAILABLE`` | no connection: refused, lost, the server starting or shutting down, too many connections, an unopenable SQLite file |
| ``TIMEOUT`` | a statement ran past the statement timeout (PostgreSQL ``query_canceled``) or waited too long for a lock, or no pooled connection became free in time |

and logged as one line (no traceback), wherever it happens: in a resolver
(``schema.extensions.SafeErrors``), while a token is checked or in /healthz and /exports
(``server.app``), or in the command line (``server.cli``).
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc

DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
TIMEOUT = "TIMEOUT"

UNAVAILABLE_MESSAGE = "データベースに接続できません。しばらくしてからもう一度お試しください。"
STATEMENT_TIMEOUT_MESSAGE = (
    "データベースの処理が時間内に終わりませんでした。"
    "条件を絞るか、しばらくしてからもう一度お試しください。"
)
POOL_TIMEOUT_MESSAGE = (
    "データベースが混み合っていて、時間内に接続できませんでした。"
    "しばらくしてからもう一度お試しください。"
)


@dataclass(frozen=True, slots=True)
class DatabaseTrouble:
    code: str
    message: str
    detail: str
    """For the log: the exception's type and first line."""

    status: int = 503


# PostgreSQL SQLSTATEs: class 08 (connection exception) and these.
_UNAVAILABLE_STATES = frozenset(
    {
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now (starting up, shutting down)
        "53300",  # too_many_connections
        "53000",  # insufficient_resources
    }
)
_TIMEOUT_STATES = frozenset(
    {
        "57014",  # query_canceled: statement_timeout
        "55P03",  # lock_not_available: lock_timeout
        "25P03",  # idle_in_transaction_session_timeout
    }
)
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (SQLAlchemy's ``orig``) and its causes."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend([getattr(current, "orig", None), current.__cause__, current.__context__])


def _detail(error: BaseException) -> str:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first_line}"[:300]


def database_trouble(error: BaseException) -> DatabaseTrouble | None:
    """What kind of database trouble ``error`` is, or None when it is something else."""
    for cause in _chain(error):
        detail = _detail(cause)
        if isinstance(cause, sa_exc.TimeoutError):
            return DatabaseTrouble(TIMEOUT, POOL_TIMEOUT_MESSAGE, detail)
        state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if isinstance(state, str):
            if state in _TIMEOUT_STATES:
                return DatabaseTrouble(TIMEOUT, STATEMENT_TIMEOUT_MESSAGE, detail)
            if state.startswith("08") or state in _UNAVAILABLE_STATES:
                return DatabaseTrouble(DATABASE_UNAVAILABLE, UNAVAILABLE_MESSAGE, detail)
        if isinstance(cause, sqlite3.OperationalError):
            text = str(cause).lower()
            if "database is locked" in text:
                return DatabaseTrouble(TIMEOUT, POOL_TIMEOUT_MESSAGE, detail)
            if any(marker in text for marker in _SQLITE_UNAVAILABLE):
                return DatabaseTrouble(DATABASE_UNAVAILABLE, UNAVAILABLE_MESSAGE, detail)
        # Connecting failed: refused, unreachable, unknown host, or timed out.
        if isinstance(cause, ConnectionError | socket.gaierror | TimeoutError):
            return DatabaseTrouble(DATABASE_UNAVAILABLE, UNAVAILABLE_MESSAGE, detail)
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return DatabaseTrouble(DATABASE_UNAVAILABLE, UNAVAILABLE_MESSAGE, detail)
        # asyncpg, on a connection the server closed: "... connection is closed".
        if type(cause).__name__ == "InterfaceError" and "connection is closed" in str(cause):
            return DatabaseTrouble(DATABASE_UNAVAILABLE, UNAVAILABLE_MESSAGE, detail)
    return None
