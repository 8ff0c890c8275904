"""Who owns what: the department behind each record, for department-scoped writes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.collaborations.models import Collaboration, CollaborationCoDepartment
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.reference.models import Department
from kyodo.domain.subsidies.models import SubsidyApplication, SubsidyProgram

_OWNED_BY_DEPARTMENT = {
    "Collaboration": Collaboration,
    "Agreement": Agreement,
    "SubsidyProgram": SubsidyProgram,
    "EndorsementApplication": EndorsementApplication,
    "Proposal": Proposal,
}


async def department_code_of(session: AsyncSession, entity_type: str, pk: int) -> str | None:
    """The code of the department that owns a record (None when the record is unknown).

    A subsidy application belongs to the department running its program.
    """
    if entity_type == "SubsidyApplication":
        stmt = (
            sa.select(col(Department.code))
            .join(SubsidyProgram, col(SubsidyProgram.department_id) == col(Department.id))
            .join(SubsidyApplication, col(SubsidyApplication.program_id) == col(SubsidyProgram.id))
            .where(col(SubsidyApplication.id) == pk)
        )
    else:
        model = _OWNED_BY_DEPARTMENT[entity_type]
        stmt = (
            sa.select(col(Department.code))
            .join(model, model.department_id == Department.id)  # type: ignore[attr-defined]
            .where(model.id == pk)  # type: ignore[attr-defined]
        )
    return (await session.execute(stmt)).scalar_one_or_none()


async def co_department_codes_of(session: AsyncSession, entity_type: str, pk: int) -> list[str]:
    """The codes of the departments sharing a record with its owner (rule 17): a
    collaboration's co-departments; nothing for other records."""
    if entity_type != "Collaboration":
        return []
    stmt = (
        sa.select(col(Department.code))
        .join(
            CollaborationCoDepartment,
            col(CollaborationCoDepartment.department_id) == col(Department.id),
        )
        .where(col(CollaborationCoDepartment.collaboration_id) == pk)
    )
    return list((await session.execute(stmt)).scalars())
