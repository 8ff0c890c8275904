"""Subsidy mutations (rule 10): start of review and the decision (approve, reject), racing approvals included.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.models import Department
from kyodo.domain.subsidies import commands
from kyodo.domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram

from ..factories import make_application, make_department, make_partner, make_program, unique
from .support import (
    DECIDE,
    START_REVIEW,
    TODAY,
    S,
    World,
    application,
    application_state,
    audit_count,
    errors_of,
    gid,
    last_event,
    program,
)


async def test_start_review_moves_a_submitted_application_under_review(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(session, world, await program(session, world))
    events = await audit_count(session)

    # when
    data = await gql(START_REVIEW, {"id": gid(row), "v": 1})

    # then
    result = data["subsidyApplicationStartReview"]
    assert result["errors"] == []
    assert (result["application"]["status"], result["application"]["version"]) == (
        "UNDER_REVIEW",
        2,
    )
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_type, event.entity_id) == (
        "subsidyApplication.startReview",
        "SubsidyApplication",
        str(row.id),
    )
    assert event.changes == {"status": {"before": "SUBMITTED", "after": "UNDER_REVIEW"}}


async def test_start_review_refuses_an_application_already_under_review(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(session, world, await program(session, world), status=S.UNDER_REVIEW)
    assert row.id is not None
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(START_REVIEW, {"id": gid(row), "v": 1})

    # then
    assert errors_of(data, "subsidyApplicationStartReview") == [("INVALID_TRANSITION", None)]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


async def test_approve_grants_the_requested_amount_by_default(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(session, world, await program(session, world), status=S.UNDER_REVIEW)
    events = await audit_count(session)

    # when
    data = await gql(DECIDE, {"id": gid(row), "v": 1, "approve": True}, today=TODAY)

    # then
    result = data["subsidyApplicationDecide"]
    assert result["errors"] == []
    approved = result["application"]
    assert approved["status"] == "APPROVED"
    assert approved["grantedAmountYen"] == 100_000
    assert approved["decidedOn"] == TODAY.isoformat()
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_type, event.entity_id) == (
        "subsidyApplication.approve",
        "SubsidyApplication",
        str(row.id),
    )
    assert event.changes == {
        "status": {"before": "UNDER_REVIEW", "after": "APPROVED"},
        "granted_amount_yen": {"before": None, "after": 100_000},
        "decided_on": {"before": None, "after": TODAY.isoformat()},
    }


async def test_approve_may_grant_less_than_requested(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(session, world, await program(session, world))

    # when
    data = await gql(
        DECIDE,
        {"id": gid(row), "v": 1, "approve": True, "granted": 80_000, "on": "2021-06-10"},
        today=TODAY,
    )

    # then
    approved = data["subsidyApplicationDecide"]["application"]
    assert (approved["grantedAmountYen"], approved["decidedOn"]) == (80_000, "2021-06-10")


@pytest.mark.parametrize(
    ("program_kwargs", "granted", "code", "field"),
    [
        ({}, 100_001, "INVALID", ["grantedAmountYen"]),
        ({}, -1, "INVALID", ["grantedAmountYen"]),
        # The application asks for 100,000 but the program now allows at most 60,000.
        ({"max_amount_per_grant_yen": 60_000}, None, "OVER_MAX_AMOUNT", ["grantedAmountYen"]),
        # 20 % of 300,000 is 60,000.
        ({"subsidy_rate_percent": 20}, None, "OVER_SUBSIDY_RATE", ["grantedAmountYen"]),
        ({"allowed_expense_categories": ["謝礼"]}, None, "EXPENSE_NOT_ALLOWED", None),
        ({"application_deadline": date(2021, 4, 30)}, None, "DEADLINE_PASSED", None),
    ],
)
async def test_approve_rechecks_the_conditions_with_the_granted_amount(
    session: AsyncSession,
    gql: Any,
    world: World,
    program_kwargs: dict[str, Any],
    granted: int | None,
    code: str,
    field: list[str] | None,
) -> None:
    # given: stored directly, as if the conditions had changed since submission
    row = await application(
        session,
        world,
        await program(session, world, **program_kwargs),
        planned=[("印刷費", 100_000)],
    )
    assert row.id is not None
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(
        DECIDE, {"id": gid(row), "v": 1, "approve": True, "granted": granted}, today=TODAY
    )

    # then
    assert data["subsidyApplicationDecide"]["application"] is None
    assert errors_of(data, "subsidyApplicationDecide") == [(code, field)]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


async def test_approve_within_the_maximum_succeeds_when_less_is_granted(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(
        session, world, await program(session, world, max_amount_per_grant_yen=60_000)
    )

    # when
    data = await gql(
        DECIDE, {"id": gid(row), "v": 1, "approve": True, "granted": 60_000}, today=TODAY
    )

    # then
    assert data["subsidyApplicationDecide"]["errors"] == []
    assert data["subsidyApplicationDecide"]["application"]["grantedAmountYen"] == 60_000


async def test_approve_refuses_a_grant_beyond_the_remaining_budget(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given: a budget of 150,000 of which 60,000 is already granted
    row_program = await program(session, world, budget_yen=150_000)
    await application(session, world, row_program, status=S.APPROVED, granted_amount_yen=60_000)
    row = await application(session, world, row_program)
    assert row.id is not None
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(DECIDE, {"id": gid(row), "v": 1, "approve": True}, today=TODAY)

    # then
    assert errors_of(data, "subsidyApplicationDecide") == [("OVER_BUDGET", ["grantedAmountYen"])]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


async def test_approve_may_use_exactly_what_is_left_of_the_budget(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given: rejected and withdrawn applications take nothing from the budget
    row_program = await program(session, world, budget_yen=160_000)
    await application(session, world, row_program, status=S.APPROVED, granted_amount_yen=60_000)
    await application(session, world, row_program, status=S.REJECTED)
    await application(session, world, row_program, status=S.WITHDRAWN)
    row = await application(session, world, row_program)

    # when
    data = await gql(DECIDE, {"id": gid(row), "v": 1, "approve": True}, today=TODAY)

    # then
    assert data["subsidyApplicationDecide"]["errors"] == []


@pytest.mark.parametrize("reason", [None, "", "　 "])
async def test_reject_without_a_reason_is_refused(
    session: AsyncSession, gql: Any, world: World, reason: str | None
) -> None:
    # given
    row = await application(session, world, await program(session, world))
    assert row.id is not None
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(
        DECIDE, {"id": gid(row), "v": 1, "approve": False, "reason": reason}, today=TODAY
    )

    # then
    assert errors_of(data, "subsidyApplicationDecide") == [("REASON_REQUIRED", ["reason"])]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


async def test_reject_with_a_reason_stores_it(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(session, world, await program(session, world))
    events = await audit_count(session)
    reason = "事業の内容が、この補助金の目的と合っていないためです。"

    # when
    data = await gql(
        DECIDE, {"id": gid(row), "v": 1, "approve": False, "reason": reason}, today=TODAY
    )

    # then
    rejected = data["subsidyApplicationDecide"]["application"]
    assert (rejected["status"], rejected["decisionReason"], rejected["grantedAmountYen"]) == (
        "REJECTED",
        reason,
        None,
    )
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert event.action == "subsidyApplication.reject"
    assert event.changes is not None
    assert event.changes["decision_reason"] == {"before": None, "after": reason}


async def test_reject_refuses_a_granted_amount(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(session, world, await program(session, world))
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(
        DECIDE,
        {"id": gid(row), "v": 1, "approve": False, "reason": "予算がないため", "granted": 1},
        today=TODAY,
    )

    # then
    assert errors_of(data, "subsidyApplicationDecide") == [("INVALID", ["grantedAmountYen"])]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


async def test_decide_refuses_an_application_already_decided(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(session, world, await program(session, world), status=S.REJECTED)
    assert row.id is not None
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(DECIDE, {"id": gid(row), "v": 1, "approve": True}, today=TODAY)

    # then
    assert errors_of(data, "subsidyApplicationDecide") == [("INVALID_TRANSITION", None)]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


async def test_decide_refuses_a_decision_dated_before_the_submission(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(
        session, world, await program(session, world), submitted_on=date(2021, 5, 10)
    )
    assert row.id is not None
    before = await application_state(session, row.id)

    # when
    data = await gql(
        DECIDE, {"id": gid(row), "v": 1, "approve": True, "on": "2021-05-09"}, today=TODAY
    )

    # then
    assert errors_of(data, "subsidyApplicationDecide") == [("INVALID", ["decidedOn"])]
    assert await application_state(session, row.id) == before


async def test_two_approvals_racing_cannot_overspend_the_budget(
    backend: str, engine: AsyncEngine
) -> None:
    """PostgreSQL: the second approval waits for the program row and then sees the first."""
    if backend != "postgresql":
        pytest.skip("SQLite has a single writer; the race needs row locks")
    # given: committed for real, so that two connections see it
    maker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    async with (
        committed_world(maker) as (program_id, first_id, second_id),
        maker() as one,
        maker() as two,
        maker() as watcher,
    ):
        # the first approval holds the program row until it commits
        await commands.decide_application(one, **_approval(first_id))

        # when
        racing = asyncio.ensure_future(commands.decide_application(two, **_approval(second_id)))
        await _wait_until_blocked(watcher, racing)
        await one.commit()

        # then
        with pytest.raises(DomainError) as refused:
            await racing
        await two.rollback()
        assert [p.code for p in refused.value.problems] == [ErrorCode.OVER_BUDGET]
        granted = (
            await watcher.execute(
                sa.select(sa.func.sum(col(SubsidyApplication.granted_amount_yen))).where(
                    col(SubsidyApplication.program_id) == program_id
                )
            )
        ).scalar_one()
        assert granted == 100_000


def _approval(application_id: int) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "expected_version": 1,
        "approve": True,
        "granted_amount_yen": None,
        "reason": None,
        "decided_on": None,
        "today": TODAY,
        "actor": "test",
    }


async def _wait_until_blocked(watcher: AsyncSession, task: asyncio.Future[Any]) -> None:
    """Until the task's transaction waits for a lock (polled, no fixed sleep)."""
    for _ in range(500):
        assert not task.done(), "the second approval did not wait for the program lock"
        waiting = (
            await watcher.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            )
        ).scalar_one()
        await watcher.rollback()
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second approval never waited for the program lock")


class committed_world:
    """A program with a budget of 150,000 and two applications of 100,000, committed;
    everything it made (audit events included) is deleted afterwards."""

    def __init__(self, maker: async_sessionmaker[AsyncSession]) -> None:
        self.maker = maker
        self.ids: dict[str, Any] = {}

    async def __aenter__(self) -> tuple[int, int, int]:
        async with self.maker() as s:
            department = await make_department(s)
            applicant = await make_partner(s)
            row = await make_program(
                s, department=department, name=unique("競合"), budget_yen=150_000
            )
            first = await make_application(s, program=row, applicant=applicant)
            second = await make_application(s, program=row, applicant=applicant)
            await s.commit()
        self.ids = {
            "department": department.id,
            "partner": applicant.id,
            "program": row.id,
            "applications": [first.id, second.id],
        }
        assert row.id is not None and first.id is not None and second.id is not None
        return row.id, first.id, second.id

    async def __aexit__(self, *exc: object) -> None:
        apps = self.ids["applications"]
        async with self.maker() as s:
            await s.execute(
                sa.delete(AuditEvent).where(
                    col(AuditEvent.entity_type) == "SubsidyApplication",
                    col(AuditEvent.entity_id).in_([str(a) for a in apps]),
                )
            )
            await s.execute(sa.delete(ExpenseLine).where(col(ExpenseLine.application_id).in_(apps)))
            await s.execute(
                sa.delete(SubsidyApplication).where(col(SubsidyApplication.id).in_(apps))
            )
            await s.execute(
                sa.delete(SubsidyProgram).where(col(SubsidyProgram.id) == self.ids["program"])
            )
            await s.execute(sa.delete(Partner).where(col(Partner.id) == self.ids["partner"]))
            await s.execute(
                sa.delete(Department).where(col(Department.id) == self.ids["department"])
            )
            await s.commit()
