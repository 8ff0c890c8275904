"""Subsidy programs and applications as stored: expense lines, and the audited entities
whose snapshot every change records (rule 15)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.log import snapshot
from kyodo.domain.enums import ExpenseKind
from kyodo.domain.subsidies import service as subsidies
from kyodo.domain.subsidies.inputs import (
    APPLICATION_ENTITY,
    APPLICATION_FIELDS,
    PROGRAM_ENTITY,
    PROGRAM_FIELDS,
    ExpenseData,
)
from kyodo.domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram
from kyodo.domain.writes import Audited, fields_snapshot


def expense_dict(line: ExpenseLine | ExpenseData) -> dict[str, Any]:
    """An expense line as the audit records it: the fields of :class:`ExpenseData`."""
    return {f.name: getattr(line, f.name) for f in fields(ExpenseData)}


async def snapshot_of(session: AsyncSession, application: SubsidyApplication) -> dict[str, Any]:
    """The application's columns and both expense lists, as the audit event records them."""
    assert application.id is not None
    (lines,) = await subsidies.expenses_by_application(session, [application.id])
    return snapshot(application, APPLICATION_FIELDS) | {
        "expenses": [expense_dict(line) for line in lines.planned],
        "actual_expenses": [expense_dict(line) for line in lines.actual],
    }


def add_lines(
    session: AsyncSession, application_id: int, kind: ExpenseKind, lines: Sequence[ExpenseData]
) -> None:
    session.add_all(
        [
            ExpenseLine(
                application_id=application_id,
                kind=kind,
                position=position,
                **expense_dict(line),
            )
            for position, line in enumerate(lines)
        ]
    )


APPLICATIONS = Audited(
    SubsidyApplication,
    entity_type=APPLICATION_ENTITY,
    label="補助金の申請",
    snapshot=snapshot_of,
)
PROGRAMS = Audited(
    SubsidyProgram,
    entity_type=PROGRAM_ENTITY,
    label="補助金の制度",
    snapshot=fields_snapshot(PROGRAM_FIELDS),
)
