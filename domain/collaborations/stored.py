"""A collaboration as stored: its child rows (forms, fields, participations), their
replacement, its evaluation, and the audit snapshot every change records (rule 15)."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.log import json_value
from kyodo.domain.collaborations.departments import co_department_ids_of
from kyodo.domain.collaborations.inputs import (
    COLUMNS,
    ENTITY,
    LABEL,
    ParticipationData,
    State,
    field_codes_of,
    forms_of,
    participations_of,
)
from kyodo.domain.collaborations.models import (
    Collaboration,
    CollaborationCoDepartment,
    CollaborationFieldLink,
    CollaborationFormLink,
    Evaluation,
    Participation,
)
from kyodo.domain.writes import Audited

# ------------------------------------------------------------------ snapshots for audit


def participation_dict(p: Participation | ParticipationData) -> dict[str, Any]:
    """A participation as the audit records it: the fields of :class:`ParticipationData`."""
    return {f.name: getattr(p, f.name) for f in dataclasses.fields(ParticipationData)}


async def snapshot_of(session: AsyncSession, collaboration: Collaboration) -> dict[str, Any]:
    """Every field a caller can change, child lists included, in JSON form.

    Child lists are sorted by a stable key so that sending the same list again shows as
    no change in the audit log.
    """
    assert collaboration.id is not None
    out = {name: json_value(getattr(collaboration, name)) for name in COLUMNS}
    out["forms"] = json_value(await forms_of(session, collaboration.id))
    out["field_codes"] = sorted(c for _, c in await field_codes_of(session, collaboration.id))
    out["participations"] = sorted(
        (participation_dict(p) for p in await participations_of(session, collaboration.id)),
        key=lambda p: p["partner_id"],
    )
    out["co_department_ids"] = await co_department_ids_of(session, collaboration.id)
    return out


COLLABORATIONS = Audited(Collaboration, entity_type=ENTITY, label=LABEL, snapshot=snapshot_of)


# ------------------------------------------------------------------ writing


async def write_children(
    session: AsyncSession,
    collaboration_id: int,
    state: State,
    *,
    forms: bool,
    fields: bool,
    participations: bool,
    co_departments: bool = False,
) -> None:
    cid = collaboration_id
    replacements: list[tuple[bool, Any, list[Any]]] = [
        (
            forms,
            CollaborationFormLink,
            [CollaborationFormLink(collaboration_id=cid, form=f) for f in state.forms],
        ),
        (
            fields,
            CollaborationFieldLink,
            [CollaborationFieldLink(collaboration_id=cid, field_id=f) for f in state.field_ids],
        ),
        (
            participations,
            Participation,
            [
                Participation(collaboration_id=cid, **participation_dict(p))
                for p in state.participations
                if p.partner_id is not None
            ],
        ),
        (
            co_departments,
            CollaborationCoDepartment,
            [
                CollaborationCoDepartment(collaboration_id=cid, department_id=d)
                for d in state.co_department_ids
            ],
        ),
    ]
    for replace, model, rows in replacements:
        if replace:
            await session.execute(sa.delete(model).where(model.collaboration_id == cid))
            session.add_all(rows)
    await session.flush()


async def evaluation_of(session: AsyncSession, collaboration_id: int) -> Evaluation | None:
    stmt = sa.select(Evaluation).where(col(Evaluation.collaboration_id) == collaboration_id)
    return (await session.execute(stmt)).scalar_one_or_none()
