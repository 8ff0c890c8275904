"""The access log's keeping period (domain.audit.retention): only access records older
than the cutoff go, the oldest first, a batch at a time, each batch recorded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit import retention
from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.errors import DomainError, ErrorCode

CUTOFF = datetime(2002, 1, 1, tzinfo=UTC)
ACTOR = "test-retention"


def event(action: str, year: int, entity_id: str) -> AuditEvent:
    return AuditEvent(
        occurred_at=datetime(year, 6, 1, tzinfo=UTC),
        actor=ACTOR,
        action=action,
        entity_type="Partner",
        entity_id=entity_id,
        changes={"fields": ["phone"], "requestId": "r"},
    )


async def actions(session: AsyncSession) -> list[tuple[str, str]]:
    stmt = (
        sa.select(col(AuditEvent.action), col(AuditEvent.entity_id))
        .where(
            col(AuditEvent.actor) == ACTOR,
            col(AuditEvent.action) != retention.PERSONAL_DATA_PRUNE,
        )
        .order_by(col(AuditEvent.id))
    )
    return [(a, e) for a, e in await session.execute(stmt)]


async def test_only_access_records_older_than_the_cutoff_are_deleted(
    session: AsyncSession,
) -> None:
    # given: three old reads, a recent one, and an old change event
    session.add_all(
        [
            event(PERSONAL_DATA_READ, 2000, "1"),
            event(PERSONAL_DATA_READ, 2001, "2"),
            event("partner.update", 2000, "3"),
            event(PERSONAL_DATA_READ, 2001, "4"),
            event(PERSONAL_DATA_READ, 2003, "5"),
        ]
    )
    await session.flush()
    assert await retention.count_reads_before(session, CUTOFF) == 3

    # when: batches of two
    deleted = []
    for _ in range(3):
        deleted.append(
            await retention.prune_reads_batch(
                session, cutoff=CUTOFF, keep_days=365, actor=ACTOR, limit=2
            )
        )

    # then: the oldest two, then the third, then nothing; the change event and the
    # recent read stay; each batch deleted is one prune event
    assert deleted == [2, 1, 0]
    assert await retention.count_reads_before(session, CUTOFF) == 0
    assert await actions(session) == [
        ("partner.update", "3"),
        (PERSONAL_DATA_READ, "5"),
    ]
    stmt = (
        sa.select(col(AuditEvent.changes))
        .where(col(AuditEvent.action) == retention.PERSONAL_DATA_PRUNE)
        .order_by(col(AuditEvent.id))
    )
    prunes = list((await session.execute(stmt)).scalars())[-2:]
    assert [p["deleted"] for p in prunes] == [2, 1]
    assert prunes[0]["olderThan"] == CUTOFF.isoformat()


@pytest.mark.parametrize("days", [0, -1, retention.MIN_KEEP_DAYS - 1])
def test_a_keeping_period_under_the_minimum_is_refused(days: int) -> None:
    with pytest.raises(DomainError) as refused:
        retention.prune_cutoff(datetime.now(UTC), days)
    problem = refused.value.problems[0]
    assert problem.code is ErrorCode.INVALID
    assert "保存期間" in problem.message


def test_the_cutoff_is_the_keeping_period_before_now() -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert retention.prune_cutoff(now, 365) == datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
