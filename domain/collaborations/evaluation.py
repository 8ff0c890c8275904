"""The closing evaluation of a collaboration (結果の評価, 第4章(4), rule 5)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.audit.log import json_value
from kyodo.domain.collaborations import rules
from kyodo.domain.collaborations.inputs import EVALUABLE, EvaluationData, clean_text_field
from kyodo.domain.collaborations.models import (
    Collaboration,
    Evaluation,
)
from kyodo.domain.collaborations.stored import COLLABORATIONS, evaluation_of
from kyodo.domain.enums import CollaborationStatus
from kyodo.domain.errors import ErrorCode


def _evaluation_dict(evaluation: Evaluation | None) -> dict[str, Any] | None:
    if evaluation is None:
        return None
    return {
        "evaluated_on": json_value(evaluation.evaluated_on),
        "outcomes": evaluation.outcomes,
        "partner_feedback": evaluation.partner_feedback,
        "lessons": evaluation.lessons,
        "rating": evaluation.rating,
    }


async def evaluate_collaboration(
    session: AsyncSession,
    *,
    collaboration_id: int,
    expected_version: int,
    data: EvaluationData,
    actor: str,
    today: date,
) -> Collaboration:
    """Record the closing evaluation (結果の評価, 第4章(4), rule 5).

    A COMPLETED, EVALUATED or CANCELLED collaboration is evaluated; evaluating again
    replaces the evaluation, and the audit event keeps the earlier one, so lessons are
    never lost. Projects that went badly are evaluated like any other: they are the
    lessons. A cancelled one stays CANCELLED, and its evaluation must say what to do
    differently next time (``lessons``, EVALUATION_REQUIRED), since that is why it is kept.
    """

    async def evaluation_now(session: AsyncSession, _row: Collaboration) -> dict[str, Any]:
        return {"evaluation": _evaluation_dict(await evaluation_of(session, collaboration_id))}

    change = await COLLABORATIONS.begin(
        session, collaboration_id, expected_version, snapshot=evaluation_now
    )
    collaboration = change.row
    problems = v.Problems()
    if collaboration.status not in EVALUABLE:
        problems.add(
            ErrorCode.INVALID_TRANSITION,
            "結果の評価は、完了した協働事業か中止した協働事業にだけ記録できます"
            f"（この協働事業は「{rules.STATUS_LABELS[collaboration.status]}」です）。",
            "id",
        )
    outcomes = clean_text_field(
        problems, data.outcomes, label="得られた効果や実績", path="outcomes"
    )
    feedback = clean_text_field(
        problems, data.partner_feedback, label="パートナーの意見", path="partner_feedback"
    )
    lessons = clean_text_field(problems, data.lessons, label="教訓", path="lessons")
    problems.extend(
        rules.evaluation_problems(outcomes=outcomes, partner_feedback=feedback, rating=data.rating)
    )
    if collaboration.status is CollaborationStatus.CANCELLED and lessons is None:
        problems.add(
            ErrorCode.EVALUATION_REQUIRED,
            "中止した協働事業の評価では、うまくいかなかったことと、"
            "次に生かすこと（教訓）を書いてください。",
            "lessons",
        )
    v.check_past_date(
        problems, data.evaluated_on, today=today, label="評価日", field="evaluated_on"
    )
    problems.raise_if_any()

    evaluation = await evaluation_of(session, collaboration_id)
    change.before = {"evaluation": _evaluation_dict(evaluation)}
    await change.write()
    if evaluation is None:
        evaluation = Evaluation(
            collaboration_id=collaboration_id,
            evaluated_on=data.evaluated_on,
            outcomes=outcomes or "",
            partner_feedback=feedback or "",
        )
        session.add(evaluation)
    evaluation.evaluated_on = data.evaluated_on
    evaluation.outcomes = outcomes or ""
    evaluation.partner_feedback = feedback or ""
    evaluation.lessons = lessons
    evaluation.rating = data.rating
    await session.flush()
    await change.record(
        actor=actor,
        action="collaboration.evaluate",
        after={"evaluation": _evaluation_dict(evaluation)},
    )
    return collaboration
