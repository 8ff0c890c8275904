"""Reading the activation log: events, the live view of open requests, batch getters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.batches import by_id, group_by_key
from kyodo.domain.disasters.commands import OPEN_STATUSES
from kyodo.domain.disasters.models import DisasterEvent, SupportRequest
from kyodo.domain.enums import SupportRequestStatus

_STATUS_ORDER = {status: index for index, status in enumerate(SupportRequestStatus)}


def _col(attr: Any) -> Any:
    return attr


async def list_events(session: AsyncSession, *, open_only: bool = False) -> list[DisasterEvent]:
    """Disaster events, the latest first; ``open_only``: those not closed yet."""
    stmt = sa.select(DisasterEvent).order_by(
        _col(DisasterEvent.started_on).desc(), _col(DisasterEvent.id).desc()
    )
    if open_only:
        stmt = stmt.where(_col(DisasterEvent.closed_on).is_(None))
    return list((await session.execute(stmt)).scalars())


async def get_events(session: AsyncSession, ids: Sequence[int]) -> list[DisasterEvent | None]:
    stmt = sa.select(DisasterEvent).where(_col(DisasterEvent.id).in_(list(ids)))
    return by_id(list((await session.execute(stmt)).scalars()), ids)


async def get_requests(session: AsyncSession, ids: Sequence[int]) -> list[SupportRequest | None]:
    stmt = sa.select(SupportRequest).where(_col(SupportRequest.id).in_(list(ids)))
    return by_id(list((await session.execute(stmt)).scalars()), ids)


def request_order() -> list[Any]:
    """Requests in the order they were made."""
    return [_col(SupportRequest.requested_at), _col(SupportRequest.id)]


async def requests_by_event(
    session: AsyncSession, event_ids: Sequence[int]
) -> list[list[SupportRequest]]:
    """Every request of each event, in the order they were made (the activation log)."""
    stmt = (
        sa.select(SupportRequest)
        .where(_col(SupportRequest.event_id).in_(list(event_ids)))
        .order_by(*request_order())
    )
    rows = (await session.execute(stmt)).scalars().all()
    return group_by_key([(r.event_id, r) for r in rows], event_ids)


async def open_requests(
    session: AsyncSession, *, event_id: int | None = None
) -> list[SupportRequest]:
    """The live view: requests not yet closed or cancelled (of one event, or of every
    event not closed), the ones waiting longest for an answer first: REQUESTED, then
    ANSWERED (accepted, awaiting delivery; declined or unanswered, to close), then
    DELIVERED (to close), each in the order they were made."""
    stmt = sa.select(SupportRequest).where(_col(SupportRequest.status).in_(OPEN_STATUSES))
    if event_id is not None:
        stmt = stmt.where(_col(SupportRequest.event_id) == event_id)
    else:
        stmt = stmt.where(
            _col(SupportRequest.event_id).in_(
                sa.select(_col(DisasterEvent.id)).where(_col(DisasterEvent.closed_on).is_(None))
            )
        )
    rows = list((await session.execute(stmt.order_by(*request_order()))).scalars())
    rows.sort(key=lambda r: _STATUS_ORDER[r.status])  # stable: keeps the time order
    return rows
