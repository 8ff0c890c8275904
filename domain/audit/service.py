"""Reading audit events (監査記録, rule 15): who changed what, when."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.batches import get_by_ids
from kyodo.domain.ordering import by_column
from kyodo.domain.pagination import Page, PageRequest, paginate

LIST_ORDERING = by_column("auditEvents", AuditEvent, "occurred_at")
"""Newest first."""


async def list_events(
    session: AsyncSession,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    page: PageRequest,
) -> Page[AuditEvent]:
    """One page of audit events, newest first; only one entity's when ``entity_id`` is given.

    Events name their entity by type (e.g. ``Partner``) and primary key.
    """
    stmt = sa.select(AuditEvent).where(*list_conditions(entity_type, entity_id))
    return await paginate(session, stmt, LIST_ORDERING, page)


def list_conditions(
    entity_type: str | None = None, entity_id: str | None = None
) -> list[sa.ColumnElement[bool]]:
    """The events listed: of ``entity_type`` and ``entity_id``, when given."""
    conditions = []
    if entity_type is not None:
        conditions.append(col(AuditEvent.entity_type) == entity_type)
    if entity_id is not None:
        conditions.append(col(AuditEvent.entity_id) == entity_id)
    return conditions


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[AuditEvent | None]:
    return await get_by_ids(session, AuditEvent, ids)
