"""Changing collaborations (協働事業): create, update, transition, progress, evaluation.

Rules 1–6 of the guideline hold on every path: the seven forms (第3章), readiness
before start (第4章(1)(2)), the form-specific rules, the status machine, the closing
evaluation (第4章(4)) and progress reports (第4章(3)). The rules themselves live in
:mod:`domain.collaborations.rules` and :mod:`~domain.collaborations.forms`. This module
creates, updates and moves collaborations; the input is in
:mod:`~domain.collaborations.inputs` and its checks in :mod:`~domain.collaborations.state`,
the stored children and the audit snapshot in :mod:`~domain.collaborations.stored`,
progress reports in :mod:`~domain.collaborations.progress` and the closing evaluation in
:mod:`~domain.collaborations.evaluation` (re-exported here).

Every function flushes and never commits; the caller commits once. Each writes exactly
one audit event describing what it changed, and a refused call writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.base import is_set
from kyodo.domain.collaborations import rules
from kyodo.domain.collaborations.completion import FINISHED, completion_problems
from kyodo.domain.collaborations.gate import excused_items, start_problems
from kyodo.domain.collaborations.inputs import (
    STARTED,
    BudgetData,
    CollaborationData,
    CommitteeData,
    EvaluationData,
    ParticipationData,
)
from kyodo.domain.collaborations.models import (
    Collaboration,
)
from kyodo.domain.collaborations.service import refresh_search_text
from kyodo.domain.collaborations.state import build_state, rule_problems
from kyodo.domain.collaborations.stored import (
    COLLABORATIONS,
    evaluation_of,
    snapshot_of,
    write_children,
)
from kyodo.domain.commanding import move
from kyodo.domain.enums import CollaborationStatus, ReadinessItem
from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.writes import fields_snapshot


async def create_collaboration(
    session: AsyncSession, *, data: CollaborationData, actor: str
) -> Collaboration:
    """Register a collaboration in PLANNING (第3章, 第4章(1)).

    While planning, readiness may still be incomplete (``Collaboration.readiness`` shows
    what is missing); only the rules that hold at every moment are refused now. The
    fiscal year defaults to the one ``startsOn`` falls in.
    """
    problems = v.Problems()
    problems.extend(data.problems)
    state = await build_state(session, data, problems, current=None)
    problems.extend(rule_problems(state, started=False))
    problems.raise_if_any()

    collaboration = Collaboration(status=CollaborationStatus.PLANNING, **state.values)
    refresh_search_text(collaboration)

    async def children(collaboration_id: int) -> None:
        await write_children(
            session,
            collaboration_id,
            state,
            forms=True,
            fields=True,
            participations=True,
            co_departments=True,
        )

    return await COLLABORATIONS.insert(
        session,
        collaboration,
        actor=actor,
        action="collaboration.create",
        children=children,
        snapshot=_created_snapshot,
    )


async def _created_snapshot(session: AsyncSession, collaboration: Collaboration) -> dict[str, Any]:
    """A creation records the status it starts in, besides what a change records."""
    return {"status": collaboration.status.value, **await snapshot_of(session, collaboration)}


async def update_collaboration(
    session: AsyncSession,
    *,
    collaboration_id: int,
    expected_version: int,
    data: CollaborationData,
    today: date,
    actor: str,
) -> Collaboration:
    """Change a collaboration; fields not sent keep their value (rule 15: expectedVersion).

    A collaboration that has started (ACTIVE, and later) must stay as ready as the start
    required (第4章(2), 第3章): an edit that would empty its purpose, drop its lead partner
    and so on is refused with the same NOT_READY problems as starting. A finished one
    (COMPLETED, EVALUATED) cannot be made to end after ``today`` (INVALID).
    """
    change = await COLLABORATIONS.begin(session, collaboration_id, expected_version)
    collaboration = change.row
    problems = v.Problems()
    problems.extend(data.problems)
    started = collaboration.status in STARTED
    excused = frozenset[ReadinessItem]()
    if started:
        stored = await build_state(
            session, CollaborationData(), v.Problems(), current=collaboration
        )
        excused = excused_items(stored)
    state = await build_state(session, data, problems, current=collaboration)
    problems.extend(rule_problems(state, started=started, excused=excused))
    if collaboration.status in FINISHED:
        problems.extend(completion_problems(ends_on=state.values["ends_on"], today=today))
    problems.raise_if_any()

    probe = Collaboration(**state.values)
    refresh_search_text(probe)
    await change.write({**state.values, "search_text": probe.search_text})
    await write_children(
        session,
        collaboration_id,
        state,
        forms=is_set(data.forms),
        fields=is_set(data.field_codes),
        participations=is_set(data.participations),
        co_departments=is_set(data.co_department_codes),
    )
    await change.record(actor=actor, action="collaboration.update")
    return collaboration


async def transition_collaboration(
    session: AsyncSession,
    *,
    collaboration_id: int,
    expected_version: int,
    to: CollaborationStatus,
    today: date,
    actor: str,
) -> Collaboration:
    """Move a collaboration along the status machine (rule 4).

    PLANNING→ACTIVE only when 第4章(1)(2)'s items are set and the forms' own rules hold
    (one NOT_READY per missing item, pointing at the input that fills it) and no ground
    of 第5章 Q8 is present (UNFIT_FOR_COLLABORATION, rule 16);
    ACTIVE→COMPLETED only once it has ended: no end date after ``today`` (INVALID at
    ``input.endsOn``); COMPLETED→EVALUATED only with an evaluation that states outcomes
    and the partner's view (第4章(4), EVALUATION_REQUIRED); CANCELLED from PLANNING or
    ACTIVE.
    """
    change = await COLLABORATIONS.begin(
        session, collaboration_id, expected_version, snapshot=fields_snapshot(["status"])
    )
    collaboration = change.row
    rules.check_transition(collaboration.status, to)
    if to is CollaborationStatus.ACTIVE:
        state = await build_state(session, CollaborationData(), v.Problems(), current=collaboration)
        raise_if_any(start_problems(state, collaboration))
    elif to is CollaborationStatus.COMPLETED:
        raise_if_any(completion_problems(ends_on=collaboration.ends_on, today=today))
    elif to is CollaborationStatus.EVALUATED:
        await require_evaluation(session, collaboration_id)

    return await move(change, rules.STATUSES, to, actor=actor, action="collaboration.transition")


def raise_if_any(problems: Iterable[Problem]) -> None:
    found = list(problems)
    if found:
        raise DomainError(problems=found)


async def require_evaluation(session: AsyncSession, collaboration_id: int) -> None:
    evaluation = await evaluation_of(session, collaboration_id)
    if evaluation is None:
        raise DomainError(
            ErrorCode.EVALUATION_REQUIRED,
            "評価済みにする前に、結果の評価（得られた効果とパートナーの意見）を記録してください。",
            "to",
        )
    # Recorded evaluations passed these checks; re-checking keeps rule 5 true even for
    # rows that reached the table another way (e.g. a data load).
    raise_if_any(
        Problem(ErrorCode.EVALUATION_REQUIRED, p.message, "to")
        for p in rules.evaluation_problems(
            outcomes=evaluation.outcomes, partner_feedback=evaluation.partner_feedback, rating=None
        )
    )


# Progress and evaluation live in their own modules; callers find every command here.
from kyodo.domain.collaborations.evaluation import evaluate_collaboration  # noqa: E402
from kyodo.domain.collaborations.progress import report_progress  # noqa: E402

__all__ = [
    "BudgetData",
    "CollaborationData",
    "CommitteeData",
    "EvaluationData",
    "ParticipationData",
    "create_collaboration",
    "evaluate_collaboration",
    "report_progress",
    "transition_collaboration",
    "update_collaboration",
]
