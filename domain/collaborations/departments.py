"""Several departments on one collaboration (第3章(5), rule 17): the owner and the
departments sharing it (共同の担当課), e.g. 協働・男女平等参画室 with 行政監理室 on the
consignment case. STAFF of a co-department sees and runs it as its own department's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.batches import linked_by_parent
from kyodo.domain.collaborations.models import CollaborationCoDepartment
from kyodo.domain.errors import DomainError, ErrorCode, Problem, at
from kyodo.domain.reference.models import Department
from kyodo.domain.reference.service import get_department_by_code_or_raise


async def co_department_ids_of(session: AsyncSession, collaboration_id: int) -> list[int]:
    stmt = (
        sa.select(col(CollaborationCoDepartment.department_id))
        .where(col(CollaborationCoDepartment.collaboration_id) == collaboration_id)
        .order_by(col(CollaborationCoDepartment.department_id))
    )
    return list((await session.execute(stmt)).scalars())


async def resolve_co_departments(
    session: AsyncSession, problems: v.Problems, codes: Sequence[str] | None, *, owner: int | None
) -> list[int]:
    """第3章(5): departments sharing the collaboration; each known, none the owner."""
    path = "co_department_codes"
    if not codes or not v.bounded_list(problems, codes, label="共同の担当課", field=path):
        return []
    found: list[int] = []
    for i, raw in enumerate(codes):
        code = v.clean_text(raw)
        if code is None:
            continue
        try:
            department = await get_department_by_code_or_raise(session, code)
        except DomainError as error:
            problems.extend([Problem(p.code, p.message, at(path, i)) for p in error.problems])
            continue
        assert department.id is not None
        if department.id == owner:
            problems.add(
                ErrorCode.INVALID,
                "担当課を共同の担当課にも入れることはできません。",
                at(path, i),
            )
        elif department.id not in found:
            found.append(department.id)
    return sorted(found)


co_departments_by_collaboration = linked_by_parent(
    CollaborationCoDepartment.collaboration_id,
    Department,
    CollaborationCoDepartment.department_id,
    (col(Department.id),),
)
"""The co-departments of each collaboration, in the departments' order (by id)."""


def in_departments(collaboration_id: Any, department_ids: Any) -> sa.ColumnElement[bool]:
    """Shared with any of ``department_ids`` (a subquery of ids): the ``departmentCodes``
    filter matches a collaboration its department owns or shares (rule 17)."""
    return collaboration_id.in_(
        sa.select(col(CollaborationCoDepartment.collaboration_id)).where(
            col(CollaborationCoDepartment.department_id).in_(department_ids)
        )
    )
