"""Reading citizens' proposals (提案, 第2章3): lists and batch getters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.enums import ProposalStatus
from domain.pagination import Ordering, Page, PageRequest, SortKey, by_id, paginate
from domain.proposals.models import Proposal
from domain.reference.models import Department


async def list_proposals(
    session: AsyncSession,
    *,
    statuses: Sequence[ProposalStatus] | None = None,
    department_codes: Sequence[str] | None = None,
    page: PageRequest,
) -> Page[Proposal]:
    """One page of proposals, most recently received first.

    ``department_codes`` keeps the proposals handled by those departments (担当課);
    unknown codes simply match nothing.
    """
    stmt = sa.select(Proposal).where(
        *list_conditions(statuses=statuses, department_codes=department_codes)
    )
    return await paginate(session, stmt, LIST_ORDERING, page)


def list_conditions(
    *,
    statuses: Sequence[ProposalStatus] | None = None,
    department_codes: Sequence[str] | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The WHERE of :func:`list_proposals` (on the ``Proposal`` table itself)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if statuses:
        conditions.append(col(Proposal.status).in_(list(statuses)))
    if department_codes:
        departments = sa.select(col(Department.id)).where(
            col(Department.code).in_(list(department_codes))
        )
        conditions.append(col(Proposal.department_id).in_(departments))
    return conditions


LIST_ORDERING = Ordering(
    "proposals",
    (
        SortKey(col(Proposal.received_on), True, "received_on"),
        SortKey(col(Proposal.id), True, "id"),
    ),
)
"""Most recently received first."""


def list_order() -> list[Any]:
    """The ORDER BY of :func:`list_proposals`."""
    return LIST_ORDERING.order_by()


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Proposal | None]:
    stmt = sa.select(Proposal).where(col(Proposal.id).in_(ids))
    return by_id(list((await session.execute(stmt)).scalars()), ids)
