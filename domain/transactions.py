"""Write transactions say so before they begin, so that writers queue instead of failing.

SQLite lets one connection write at a time. A transaction begun as a reader (a plain,
deferred ``BEGIN``) that later writes must upgrade its lock; when another connection has
committed since it first read, SQLite refuses at once with ``SQLITE_BUSY`` ("database is
locked"), and the busy timeout does not help: no amount of waiting makes its snapshot
current. So every transaction that may write begins with ``BEGIN IMMEDIATE``
(``server.db`` issues it when the connection carries ``WRITE_OPTIONS``): it takes the
write lock first, waiting behind the writers before it for up to the busy timeout, and
only then reads, so what it reads is current and its writes cannot be refused. Read-only
transactions keep the deferred ``BEGIN`` and, in WAL mode, run beside the writer.

On PostgreSQL the option changes nothing: row locks already make writers queue there.

Which transactions write is known where they start: the GraphQL layer runs every
mutation through ``begin_write`` (a query writes only its personal-data access log,
after it has read), the CLI commands that change data open their transaction with it,
and a token check refreshes ``last_used_at`` in a transaction of its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

WRITE_INTENT = "kyodo_write"
"""Execution option on a connection whose next transaction will write."""
WRITE_OPTIONS: dict[str, Any] = {WRITE_INTENT: True}

_TRANSACTION_KEYS: list[str] = []


def transaction_key(key: str) -> str:
    """``key`` of ``Session.info``, declared to hold what the session's current
    transaction noted for its commit: a rollback drops it, so nothing carries over."""
    _TRANSACTION_KEYS.append(key)
    return key


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    for key in _TRANSACTION_KEYS:
        session.info.pop(key, None)


# SQLite's primary result codes for "another connection holds the lock".
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6


class WriteLockTimeout(Exception):
    """A writer waited for the writers before it for the whole busy timeout (SQLite)."""

    message = (
        "ほかの更新が続いているため、待ち時間内に書き込めませんでした。"
        "何も変更していません。少し待ってから、もう一度お試しください。"
    )

    def __init__(self) -> None:
        super().__init__(self.message)


def is_lock_timeout(error: BaseException) -> bool:
    """Is ``error`` SQLite's "database is locked" (the busy timeout ran out)?"""
    if not isinstance(error, OperationalError):
        return False
    code = getattr(error.orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


async def begin_write(session: AsyncSession) -> None:
    """Make the session's transaction a write transaction (``BEGIN IMMEDIATE`` on SQLite).

    On SQLite a read-only transaction in progress (the reads of a mutation's payload, a
    query's resolvers) is committed first: a read lock cannot be upgraded safely, so the
    write starts afresh and reads again. On PostgreSQL the transaction goes on. Raises ``WriteLockTimeout`` when the write lock was
    not granted within the busy timeout; nothing was written then.
    """
    if session.in_transaction():
        connection = (await session.connection()).sync_connection
        if connection is not None and connection.get_execution_options().get(WRITE_INTENT):
            return  # already writing
        if connection is not None and connection.dialect.name != "sqlite":
            # PostgreSQL: a transaction that has read may write (row locks, no lock
            # upgrade); going on saves a COMMIT and a BEGIN per write.
            return
        await session.commit()
    try:
        await session.connection(execution_options=WRITE_OPTIONS)
    except OperationalError as error:
        if is_lock_timeout(error):
            await session.rollback()
            raise WriteLockTimeout() from error
        raise
