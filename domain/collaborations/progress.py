"""Progress reports on a running collaboration (進捗確認, 第4章(3), rule 6)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.audit.log import json_value
from kyodo.domain.collaborations import rules
from kyodo.domain.collaborations.inputs import TEXT_MAX
from kyodo.domain.collaborations.models import (
    Collaboration,
    ProgressReport,
)
from kyodo.domain.collaborations.stored import COLLABORATIONS
from kyodo.domain.enums import CollaborationStatus
from kyodo.domain.errors import ErrorCode


def _report_dict(report: ProgressReport) -> dict[str, Any]:
    return {"reported_on": json_value(report.reported_on), "note": report.note}


async def _reports_of(session: AsyncSession, collaboration_id: int) -> list[dict[str, Any]]:
    stmt = (
        sa.select(ProgressReport)
        .where(col(ProgressReport.collaboration_id) == collaboration_id)
        .order_by(col(ProgressReport.reported_on), col(ProgressReport.id))
    )
    return [_report_dict(r) for r in (await session.execute(stmt)).scalars()]


async def report_progress(
    session: AsyncSession,
    *,
    collaboration_id: int,
    reported_on: date,
    note: str | None,
    actor: str,
    today: date,
    expected_version: int | None = None,
) -> Collaboration:
    """Record a progress check on a running collaboration (進捗確認, 第4章(3), rule 6).

    Only ACTIVE collaborations report progress. The report changes the collaboration
    (its version goes up, so readers holding the old version notice); the contract asks
    no ``expectedVersion`` here, so unless one is given the version guard is the one read
    here (``ConcurrentChange``, retried by the API, when another change got in between).
    A report cannot be dated after today.
    """

    async def reports(session: AsyncSession, _collaboration: Collaboration) -> dict[str, Any]:
        return {"progress_reports": await _reports_of(session, collaboration_id)}

    # Without an expectedVersion the guard is the version read here, whose status is
    # checked below: any change since (a collaboration completed a moment ago no longer
    # takes reports) makes the report run again from a fresh read.
    change = await COLLABORATIONS.begin(
        session, collaboration_id, expected_version, snapshot=reports
    )
    collaboration = change.row
    problems = v.Problems()
    if collaboration.status is not CollaborationStatus.ACTIVE:
        problems.add(ErrorCode.INVALID_TRANSITION, _not_running(collaboration.status), "id")
    text = v.required_text(problems, note, label="進捗の内容", field="note", max_length=TEXT_MAX)
    v.check_past_date(problems, reported_on, today=today, label="進捗の報告日", field="reported_on")
    problems.raise_if_any()

    await change.write()
    session.add(
        ProgressReport(collaboration_id=collaboration_id, reported_on=reported_on, note=text or "")
    )
    await session.flush()
    await change.record(actor=actor, action="collaboration.report_progress")
    return collaboration


def _not_running(status: CollaborationStatus) -> str:
    return (
        "進捗は、実施中の協働事業にだけ記録できます"
        f"（この協働事業は「{rules.STATUS_LABELS[status]}」です）。"
    )
