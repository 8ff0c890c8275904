"""How long the personal-data access log is kept (保存期間), and pruning what is older.

Every read of personal data leaves one audit event per record (``personal_data.read``,
:func:`domain.audit.log.record_personal_data_reads`): on 10,000 partners one disaster
lookup writes some 750, and front ends read all day. The city decides how long these
access records are kept (its personal-information rules); past that they are deleted,
the oldest first, in batches of their own transactions, so that a prune of millions
of rows neither holds one huge transaction nor keeps writers waiting for long.

Only access records are pruned. The audit events of changes (rule 15) are never
deleted here, and every batch deleted is itself recorded, in its own transaction, as
one ``personal_data.prune`` event (who, how many, older than when).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.log import PERSONAL_DATA_READ, record_event
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.errors import DomainError, ErrorCode

MIN_KEEP_DAYS = 30
"""Access records are kept at least this long: a mistyped ``--keep-days 0`` must not
wipe the log of who read what last week."""
DEFAULT_KEEP_DAYS = 1825
"""Five years, when the city has set nothing else (``KYODO_ACCESS_LOG_KEEP_DAYS``)."""
PRUNE_BATCH = 10_000
"""Access records deleted per transaction."""
PERSONAL_DATA_PRUNE = "personal_data.prune"
"""The action of the audit event that records one batch deleted."""


def prune_cutoff(now: datetime, keep_days: int) -> datetime:
    """The instant before which access records are deleted when ``keep_days`` are kept.
    ``INVALID`` below :data:`MIN_KEEP_DAYS`."""
    if keep_days < MIN_KEEP_DAYS:
        raise DomainError(
            ErrorCode.INVALID,
            f"アクセス記録の保存期間は {MIN_KEEP_DAYS} 日以上にしてください"
            f"（指定値: {keep_days} 日）。",
            "keep_days",
        )
    return now - timedelta(days=keep_days)


def _reads_before(cutoff: datetime) -> list[sa.ColumnElement[bool]]:
    return [col(AuditEvent.action) == PERSONAL_DATA_READ, col(AuditEvent.occurred_at) < cutoff]


async def count_reads_before(session: AsyncSession, cutoff: datetime) -> int:
    """How many access records are older than ``cutoff`` (what a prune would delete)."""
    stmt = sa.select(sa.func.count()).select_from(AuditEvent).where(*_reads_before(cutoff))
    return int((await session.execute(stmt)).scalar_one())


async def prune_reads_batch(
    session: AsyncSession,
    *,
    cutoff: datetime,
    keep_days: int,
    actor: str,
    limit: int = PRUNE_BATCH,
) -> int:
    """Delete up to ``limit`` of the oldest access records older than ``cutoff``, and
    record that in the same transaction (the caller commits). Returns how many were
    deleted: 0 when none is left (and then nothing is recorded)."""
    oldest = (
        sa.select(col(AuditEvent.id))
        .where(*_reads_before(cutoff))
        .order_by(col(AuditEvent.id))
        .limit(limit)
        .scalar_subquery()
    )
    stmt = (
        sa.delete(AuditEvent)
        .where(col(AuditEvent.id).in_(oldest))
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if deleted:
        await record_event(
            session,
            actor=actor,
            action=PERSONAL_DATA_PRUNE,
            entity_type="AccessLog",
            entity_id=PERSONAL_DATA_READ,
            changes={"olderThan": cutoff, "keepDays": keep_days, "deleted": deleted},
        )
    return deleted
