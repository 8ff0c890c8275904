"""Reading citizens' proposals (提案, 第2章3): lists and batch getters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.batches import get_by_ids
from kyodo.domain.enums import ProposalStatus
from kyodo.domain.ordering import by_column
from kyodo.domain.pagination import Page, PageRequest, paginate
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.reference.models import Department

ANSWERED: frozenset[ProposalStatus] = frozenset(
    {ProposalStatus.ADOPTED, ProposalStatus.NOT_ADOPTED}
)
"""Proposals the city has answered: their answers are public (第2章2, 第2章3), without
the proposer (personal data); the others are read by the city's staff only."""


def answered(proposal: Any = Proposal) -> sa.ColumnElement[bool]:
    """:data:`ANSWERED` as SQL, on ``proposal`` (the table or an alias of it)."""
    status: Any = proposal.status
    return status.in_(sorted(ANSWERED))


def is_answered(proposal: Proposal) -> bool:
    return proposal.status in ANSWERED


async def list_proposals(
    session: AsyncSession,
    *,
    statuses: Sequence[ProposalStatus] | None = None,
    department_codes: Sequence[str] | None = None,
    answered_only: bool = False,
    page: PageRequest,
) -> Page[Proposal]:
    """One page of proposals, most recently received first.

    ``department_codes`` keeps the proposals handled by those departments (担当課);
    unknown codes simply match nothing. ``answered_only``: only the answered ones
    (:data:`ANSWERED`), for callers outside the city's staff (第2章2).
    """
    stmt = sa.select(Proposal).where(
        *list_conditions(
            statuses=statuses, department_codes=department_codes, answered_only=answered_only
        )
    )
    return await paginate(session, stmt, LIST_ORDERING, page)


def list_conditions(
    *,
    statuses: Sequence[ProposalStatus] | None = None,
    department_codes: Sequence[str] | None = None,
    answered_only: bool = False,
) -> list[sa.ColumnElement[bool]]:
    """The WHERE of :func:`list_proposals` (on the ``Proposal`` table itself)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if answered_only:
        conditions.append(answered())
    if statuses:
        conditions.append(col(Proposal.status).in_(list(statuses)))
    if department_codes:
        departments = sa.select(col(Department.id)).where(
            col(Department.code).in_(list(department_codes))
        )
        conditions.append(col(Proposal.department_id).in_(departments))
    return conditions


LIST_ORDERING = by_column("proposals", Proposal, "received_on")
"""Most recently received first."""


def list_order() -> list[Any]:
    """The ORDER BY of :func:`list_proposals`."""
    return LIST_ORDERING.order_by()


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Proposal | None]:
    return await get_by_ids(session, Proposal, ids)
