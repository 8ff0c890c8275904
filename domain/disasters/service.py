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


def event_order() -> list[Any]:
    """Disaster events, the latest first."""
    return [loose(DisasterEvent.started_on).desc(), loose(DisasterEvent.id).desc()]


def event_conditions(*, open_only: bool) -> list[sa.ColumnElement[bool]]:
    """``open_only``: only the events not closed yet."""
    return [loose(DisasterEvent.closed_on).is_(None)] if open_only else []


async def list_events(session: AsyncSession, *, open_only: bool = False) -> list[DisasterEvent]:
    """Disaster events, the latest first; ``open_only``: those not closed yet."""
    stmt = sa.select(DisasterEvent).where(*event_conditions(open_only=open_only))
    return list((await session.execute(stmt.order_by(*event_order()))).scalars())


async def get_events(session: AsyncSession, ids: Sequence[int]) -> list[DisasterEvent | None]:
    return await get_by_ids(session, DisasterEvent, ids)


async def get_requests(session: AsyncSession, ids: Sequence[int]) -> list[SupportRequest | None]:
    return await get_by_ids(session, SupportRequest, ids)


def request_order(request: Any = SupportRequest) -> list[Any]:
    """Requests in the order they were made (``request``: the model or an alias)."""
    return [loose(request.requested_at), loose(request.id)]


def is_open(request: Any = SupportRequest) -> sa.ColumnElement[bool]:
    """A request not yet closed or cancelled (``rules.OPEN_STATUSES``)."""
    return loose(request.status).in_(OPEN_STATUSES)


def event_requests(event: Any, request: Any, *, open_only: bool) -> list[sa.ColumnElement[bool]]:
    """The requests made under ``event`` (aliases); ``open_only``: those still open."""
    conditions = [loose(request.event_id) == event.id]
    if open_only:
        conditions.append(is_open(request))
    return conditions


async def requests_by_event(
    session: AsyncSession, event_ids: Sequence[int]
) -> list[list[SupportRequest]]:
    """Every request of each event, in the order they were made (the activation log)."""
    return await rows_by_parent(session, SupportRequest, "event_id", event_ids, request_order())


def open_request_conditions(event_id: int | None = None) -> list[sa.ColumnElement[bool]]:
    """The live view's requests: not yet closed or cancelled, of one event, or of every
    event not closed."""
    status = is_open()
    if event_id is not None:
        return [status, loose(SupportRequest.event_id) == event_id]
    open_events = sa.select(loose(DisasterEvent.id)).where(*event_conditions(open_only=True))
    return [status, loose(SupportRequest.event_id).in_(open_events)]


LIVE_ORDER_READS = ("status",)
"""The columns :func:`in_live_order` reads of each row."""


def in_live_order(rows: list[Any]) -> list[Any]:
    """Rows read in :func:`request_order`, the ones waiting longest for an answer first:
    REQUESTED, then ANSWERED, then DELIVERED, each in the order made (a stable sort)."""
    rows.sort(key=lambda r: _STATUS_ORDER[r.status])
    return rows


async def open_requests(
    session: AsyncSession, *, event_id: int | None = None
) -> list[SupportRequest]:
    """The live view: requests not yet closed or cancelled (of one event, or of every
    event not closed), the ones waiting longest for an answer first: REQUESTED, then
    ANSWERED (accepted, awaiting delivery; declined or unanswered, to close), then
    DELIVERED (to close), each in the order they were made."""
    stmt = sa.select(SupportRequest).where(*open_request_conditions(event_id))
    return in_live_order(list((await session.execute(stmt.order_by(*request_order()))).scalars()))
