"""Reading endorsement applications (後援, 第3章(7)): lists and batch getters."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.batches import get_by_ids
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import EndorsementStatus
from kyodo.domain.ordering import by_column
from kyodo.domain.pagination import Page, PageRequest, paginate

LIST_ORDERING = by_column("endorsementApplications", EndorsementApplication, "event_starts_on")
"""Latest event first."""


async def list_applications(
    session: AsyncSession,
    *,
    statuses: Sequence[EndorsementStatus] | None = None,
    page: PageRequest,
) -> Page[EndorsementApplication]:
    """One page of endorsement applications (:func:`list_conditions`), latest event first."""
    stmt = sa.select(EndorsementApplication).where(*list_conditions(statuses))
    return await paginate(session, stmt, LIST_ORDERING, page)


def list_conditions(
    statuses: Sequence[EndorsementStatus] | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The applications listed: those in ``statuses``, when any are given."""
    if not statuses:
        return []
    return [col(EndorsementApplication.status).in_(list(statuses))]


async def get_many(
    session: AsyncSession, ids: Sequence[int]
) -> list[EndorsementApplication | None]:
    return await get_by_ids(session, EndorsementApplication, ids)
