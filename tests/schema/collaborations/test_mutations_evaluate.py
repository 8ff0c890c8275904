"""collaborationEvaluate: the closing evaluation with the partner's view (rule 5, 第4章(4))."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from .test_mutations_helpers import (
    EVALUATE,
    audit_count,
    codes_and_fields,
    created_in,
    events_of,
    read,
    transition,
    world,
)

TODAY = date(2022, 4, 15)
EVALUATION = {
    "evaluatedOn": "2022-03-20",
    "outcomes": "4回で延べ120人が参加し、防犯灯の要望が3件まとまった",
    "partnerFeedback": "町内会からは「来年も続けたい」との声",
    "lessons": "周知は回覧板が効いた",
    "rating": 4,
}


async def _evaluate(
    gql: Any, collaboration: dict[str, Any], version: int | None = None, **changes: Any
) -> dict[str, Any]:
    data = await gql(
        EVALUATE,
        {
            "id": collaboration["id"],
            "v": collaboration["version"] if version is None else version,
            "input": EVALUATION | changes,
        },
        today=TODAY,
    )
    return data["collaborationEvaluate"]


async def _refused(
    session: AsyncSession,
    gql: Any,
    collaboration: dict[str, Any],
    version: int | None = None,
    **changes: Any,
) -> list[tuple[str, list[str] | None]]:
    """Send an evaluation that must be refused; check nothing changed; return the errors."""
    stored, events = await read(gql, collaboration["id"]), await audit_count(session)
    payload = await _evaluate(gql, collaboration, version, **changes)
    assert payload["collaboration"] is None
    assert await read(gql, collaboration["id"]) == stored
    assert await audit_count(session) == events
    return codes_and_fields(payload["errors"])


async def test_a_completed_collaboration_is_evaluated(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "COMPLETED")

    # when
    payload = await _evaluate(gql, collaboration)

    # then
    assert payload["errors"] == []
    evaluated = payload["collaboration"]
    assert evaluated["evaluation"] == EVALUATION
    assert evaluated["status"] == "COMPLETED"
    assert evaluated["version"] == collaboration["version"] + 1


async def test_an_evaluation_writes_one_audit_event(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "COMPLETED")
    events = await audit_count(session)

    # when
    await _evaluate(gql, collaboration)

    # then
    assert await audit_count(session) == events + 1
    event = (await events_of(session, collaboration["id"]))[-1]
    assert event.action == "collaboration.evaluate"
    assert event.entity_type == "Collaboration"
    assert event.changes == {
        "evaluation": {
            "before": None,
            "after": {
                "evaluated_on": "2022-03-20",
                "outcomes": EVALUATION["outcomes"],
                "partner_feedback": EVALUATION["partnerFeedback"],
                "lessons": "周知は回覧板が効いた",
                "rating": 4,
            },
        }
    }


async def test_a_project_that_went_badly_is_evaluated_too(session: AsyncSession, gql: Any) -> None:
    # given: the lessons of a poor result are kept (第4章(4))
    w = await world(session)
    collaboration = await created_in(gql, w, "COMPLETED")

    # when
    payload = await _evaluate(
        gql,
        collaboration,
        outcomes="参加者は予定の3分の1だった",
        partnerFeedback="準備の時間が足りなかった",
        lessons="周知は2か月前から始める",
        rating=1,
    )

    # then
    assert payload["errors"] == []
    assert payload["collaboration"]["evaluation"]["rating"] == 1


async def test_evaluating_again_replaces_and_the_audit_log_keeps_the_earlier_lessons(
    session: AsyncSession, gql: Any
) -> None:
    # given: already EVALUATED with the helper's evaluation
    w = await world(session)
    collaboration = await created_in(gql, w, "EVALUATED")
    earlier = (await read(gql, collaboration["id"]))["evaluation"]

    # when
    payload = await _evaluate(gql, collaboration, lessons="会場は駅の近くがよい")

    # then
    assert payload["errors"] == []
    assert payload["collaboration"]["evaluation"]["lessons"] == "会場は駅の近くがよい"
    assert payload["collaboration"]["status"] == "EVALUATED"
    changes = (await events_of(session, collaboration["id"]))[-1].changes or {}
    assert changes["evaluation"]["before"]["lessons"] == earlier["lessons"]
    assert changes["evaluation"]["after"]["lessons"] == "会場は駅の近くがよい"


@pytest.mark.parametrize("start", ["PLANNING", "ACTIVE"])
async def test_a_cancelled_collaboration_is_evaluated_and_stays_cancelled(
    session: AsyncSession, gql: Any, start: str
) -> None:
    # given: a project called off (第4章(4): what went badly is kept as the lesson)
    w = await world(session)
    collaboration = await created_in(gql, w, start)
    cancelled = await transition(gql, collaboration, "CANCELLED")
    events = await audit_count(session)

    # when
    payload = await _evaluate(
        gql,
        cancelled,
        outcomes="中止までに出展団体の連絡網ができた",
        partnerFeedback="中止の判断がもっと早ければ準備が無駄にならなかった",
        lessons="中止の基準と時期を計画の段階で決めておく",
        rating=2,
    )

    # then
    assert payload["errors"] == []
    assert payload["collaboration"]["status"] == "CANCELLED"
    stored = await read(gql, collaboration["id"])
    assert stored["evaluation"]["lessons"] == "中止の基準と時期を計画の段階で決めておく"
    assert stored["evaluation"]["rating"] == 2
    assert await audit_count(session) == events + 1
    assert (await events_of(session, collaboration["id"]))[-1].action == "collaboration.evaluate"


@pytest.mark.parametrize("lessons", [None, "  "])
async def test_a_cancelled_collaborations_evaluation_must_give_the_lessons(
    session: AsyncSession, gql: Any, lessons: str | None
) -> None:
    # given: a cancelled project is evaluated for its lessons, so they are required
    w = await world(session)
    collaboration = await created_in(gql, w, "CANCELLED")

    # when
    errors = await _refused(session, gql, collaboration, lessons=lessons)

    # then
    assert errors == [("EVALUATION_REQUIRED", ["input", "lessons"])]


@pytest.mark.parametrize("status", ["PLANNING", "ACTIVE"])
async def test_only_finished_collaborations_are_evaluated(
    session: AsyncSession, gql: Any, status: str
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, status)

    # when
    errors = await _refused(session, gql, collaboration)

    # then
    assert errors == [("INVALID_TRANSITION", ["id"])]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"outcomes": "  "},
            [("EVALUATION_REQUIRED", ["input", "outcomes"])],
            id="outcomes",
        ),
        pytest.param(
            {"partnerFeedback": ""},
            [("EVALUATION_REQUIRED", ["input", "partnerFeedback"])],
            id="partner-feedback",
        ),
        pytest.param({"rating": 6}, [("INVALID", ["input", "rating"])], id="rating-above-5"),
        pytest.param({"rating": 0}, [("INVALID", ["input", "rating"])], id="rating-below-1"),
        pytest.param(
            {"evaluatedOn": "2022-04-16"},
            [("INVALID", ["input", "evaluatedOn"])],
            id="dated-in-the-future",
        ),
    ],
)
async def test_an_evaluation_must_say_something(
    session: AsyncSession,
    gql: Any,
    changes: dict[str, Any],
    expected: list[tuple[str, list[str]]],
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "COMPLETED")

    # when
    errors = await _refused(session, gql, collaboration, **changes)

    # then
    assert errors == expected


async def test_an_evaluation_from_a_stale_version_is_refused(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "COMPLETED")

    # when
    errors = await _refused(session, gql, collaboration, version=collaboration["version"] - 1)

    # then
    assert errors == [("VERSION_CONFLICT", ["expectedVersion"])]
