"""Reading the activation log: events, the live view of open requests, batch getters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.batches import get_by_ids, loose, rows_by_parent
from kyodo.domain.disasters.models import DisasterEvent, SupportRequest
from kyodo.domain.disasters.rules import OPEN_STATUSES
from kyodo.domain.enums import SupportRequestStatus

_STATUS_ORDER = {status: index for index, status in enumerate(SupportRequestStatus)}


async def list_events(session: AsyncSession, *, open_only: bool = False) -> list[DisasterEvent]:
    """Disaster events, the latest first; ``open_only``: those not closed yet."""
    stmt = sa.select(DisasterEvent).order_by(
        loose(DisasterEvent.started_on).desc(), loose(DisasterEvent.id).desc()
    )
    if open_only:
        stmt = stmt.where(loose(DisasterEvent.closed_on).is_(None))
    return list((await session.execute(stmt)).scalars())


async def get_events(session: AsyncSession, ids: Sequence[int]) -> list[DisasterEvent | None]:
    return await get_by_ids(session, DisasterEvent, ids)


async def get_requests(session: AsyncSession, ids: Sequence[int]) -> list[SupportRequest | None]:
    return await get_by_ids(session, SupportRequest, ids)


def request_order() -> list[Any]:
    """Requests in the order they were made."""
    return [loose(SupportRequest.requested_at), loose(SupportRequest.id)]


async def requests_by_event(
    session: AsyncSession, event_ids: Sequence[int]
) -> list[list[SupportRequest]]:
    """Every request of each event, in the order they were made (the activation log)."""
    return await rows_by_parent(session, SupportRequest, "event_id", event_ids, request_order())


async def open_requests(
    session: AsyncSession, *, event_id: int | None = None
) -> list[SupportRequest]:
    """The live view: requests not yet closed or cancelled (of one event, or of every
    event not closed), the ones waiting longest for an answer first: REQUESTED, then
    ANSWERED (accepted, awaiting delivery; declined or unanswered, to close), then
    DELIVERED (to close), each in the order they were made."""
    stmt = sa.select(SupportRequest).where(loose(SupportRequest.status).in_(OPEN_STATUSES))
    if event_id is not None:
        stmt = stmt.where(loose(SupportRequest.event_id) == event_id)
    else:
        stmt = stmt.where(
            loose(SupportRequest.event_id).in_(
                sa.select(loose(DisasterEvent.id)).where(loose(DisasterEvent.closed_on).is_(None))
            )
        )
    rows = list((await session.execute(stmt.order_by(*request_order()))).scalars())
    rows.sort(key=lambda r: _STATUS_ORDER[r.status])  # stable: keeps the time order
    return rows
