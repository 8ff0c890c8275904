"""The data version: one number that every committed change of the data moves, in its own
transaction, so that anything kept from an earlier read (the API's response cache,
``schema.response_cache``) can tell whether it is still current.

The number lives in a one-row table, ``data_version`` (migration 0003). It is moved by

- every transaction that records an audit event (``domain.audit.log.record_event``, which
  every committed mutation passes through exactly once, and the CLI's import, token and
  other commands with it): the event marks the session (``note_data_change``) and the
  version is moved when that session commits, as its transaction's last statement;
- what writes data without an event: the demo data loader (``seeds.loader``) and
  ``kyodo restore`` (``domain.exchange.dump_restore``), which call ``bump_data_version``.

The move is ``UPDATE data_version SET version = version + 1`` inside the writer's own
transaction: readers see the new number exactly when they can see the new data, on
PostgreSQL (the row lock orders the writers; it is taken just before COMMIT, after every
other row the transaction locks, so it cannot close a cycle of waits) as on SQLite (one
writer at a time). A sequence would not do: ``nextval`` is not transactional, so a reader
could see the new number before the data it stands for.

The personal-data access log does not move it: it changes no data a response shows,
except ``auditEvents``, which the response cache never keeps. Writes made behind kyodo's
back (psql) do not move it either: whoever makes them runs
``UPDATE data_version SET version = version + 1`` too (README, "Response cache").
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session
from sqlmodel import Field

from kyodo.domain.base import SQLModel
from kyodo.domain.transactions import transaction_key

CHANGED = transaction_key("kyodo_data_changed")
"""Key in ``Session.info``: this session's transaction changed data."""


class DataVersion(SQLModel, table=True):
    """The one row (``id = 1``) holding the data version. Not part of dumps: it belongs
    to the database, not to its content (a restore moves it on)."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)


_table: Any = DataVersion.__table__  # type: ignore[attr-defined]
_BUMP = sa.update(_table).where(_table.c.id == 1).values(version=_table.c.version + 1)
_READ = sa.select(_table.c.version).where(_table.c.id == 1)


def note_data_change(session: AsyncSession | Session) -> None:
    """Mark the session's transaction as changing data: the version moves at its commit."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    sync.info[CHANGED] = True


async def bump_data_version(target: AsyncSession | AsyncConnection) -> None:
    """Move the version now, in ``target``'s transaction (for writers that hold a
    connection rather than a session: ``kyodo restore``)."""
    await target.execute(_BUMP)


def data_version_column() -> Any:
    """The version as a column to add to another query (the token lookup reads it along,
    saving the request a round trip)."""
    return _READ.scalar_subquery().label("data_version")


async def current_data_version(session: AsyncSession) -> int:
    """The version this transaction sees (0 when the row is missing: never in a
    migrated database)."""
    value = (await session.execute(_READ)).scalar_one_or_none()
    return int(value or 0)


async def data_version_on(raw: Any) -> int:
    """:func:`current_data_version` read on a connection of its own
    (``domain.read.raw.RawPostgreSQL``, autocommit)."""
    row = await raw.fetchrow(_READ, kept=True)
    return int((row[0] if row is not None else None) or 0)


@event.listens_for(Session, "before_commit")
def _bump_on_commit(session: Session) -> None:
    if session.info.pop(CHANGED, False):
        # Pending changes first: the version row is the transaction's last lock.
        session.flush()
        session.execute(_BUMP)


__all__ = [
    "DataVersion",
    "bump_data_version",
    "current_data_version",
    "data_version_column",
    "data_version_on",
    "note_data_change",
]
