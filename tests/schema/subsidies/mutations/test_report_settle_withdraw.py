"""Subsidy mutations (rule 10): report, settlement, withdrawal, stale versions and the whole lifecycle.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.enums import SubsidyApplicationStatus
from kyodo.domain.subsidies.models import SubsidyApplication
from kyodo.schema.node import to_global_id

from .support import (
    DECIDE,
    REPORT,
    SETTLE,
    START_REVIEW,
    SUBMIT,
    TODAY,
    WITHDRAW,
    S,
    World,
    application,
    application_state,
    audit_count,
    errors_of,
    gid,
    last_event,
    program,
    submit_input,
)


async def test_report_stores_the_actual_expenses(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(
        session,
        world,
        await program(session, world, allowed_expense_categories=["印刷費", "消耗品費"]),
        status=S.APPROVED,
        granted_amount_yen=100_000,
        planned=[("印刷費", 300_000)],
    )
    events = await audit_count(session)
    lines = [
        {"category": "印刷費", "amountYen": 120_000},
        {"category": "消耗品費", "amountYen": 30_000, "description": "ごみ袋"},
    ]

    # when
    data = await gql(REPORT, {"id": gid(row), "v": 1, "lines": lines})

    # then
    reported = data["subsidyApplicationReport"]["application"]
    assert reported["status"] == "REPORTED"
    assert reported["actualExpenses"] == [
        {"category": "印刷費", "amountYen": 120_000, "description": None},
        {"category": "消耗品費", "amountYen": 30_000, "description": "ごみ袋"},
    ]
    assert reported["expenses"] == [
        {"category": "印刷費", "amountYen": 300_000, "description": None}
    ]
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_id) == ("subsidyApplication.report", str(row.id))
    assert event.changes == {
        "status": {"before": "APPROVED", "after": "REPORTED"},
        "actual_expenses": {
            "before": [],
            "after": [
                {"category": "印刷費", "amount_yen": 120_000, "description": None},
                {"category": "消耗品費", "amount_yen": 30_000, "description": "ごみ袋"},
            ],
        },
    }


@pytest.mark.parametrize(
    ("lines", "code", "field"),
    [
        ([], "REQUIRED", ["actualExpenses"]),
        (
            [{"category": "印刷費", "amountYen": 1}, {"category": "飲食費", "amountYen": 1}],
            "EXPENSE_NOT_ALLOWED",
            ["actualExpenses", "1", "category"],
        ),
        (
            [{"category": "印刷費", "amountYen": -1}],
            "INVALID",
            ["actualExpenses", "0", "amountYen"],
        ),
        ([{"category": "印刷費", "amountYen": 1}] * 101, "INVALID", ["actualExpenses"]),
    ],
)
async def test_report_refuses_invalid_actual_expenses(
    session: AsyncSession,
    gql: Any,
    world: World,
    lines: list[dict[str, Any]],
    code: str,
    field: list[str],
) -> None:
    # given
    row = await application(
        session,
        world,
        await program(session, world, allowed_expense_categories=["印刷費"]),
        status=S.APPROVED,
        granted_amount_yen=100_000,
    )
    assert row.id is not None
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(REPORT, {"id": gid(row), "v": 1, "lines": lines})

    # then
    assert errors_of(data, "subsidyApplicationReport") == [(code, field)]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


async def test_report_refuses_an_application_not_approved(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(session, world, await program(session, world))
    assert row.id is not None
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(
        REPORT, {"id": gid(row), "v": 1, "lines": [{"category": "印刷費", "amountYen": 1}]}
    )

    # then
    assert errors_of(data, "subsidyApplicationReport") == [("INVALID_TRANSITION", None)]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


async def test_settle_stores_the_settled_amount(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(
        session,
        world,
        await program(session, world),
        status=S.REPORTED,
        granted_amount_yen=100_000,
        actual=[("印刷費", 90_000)],
    )
    events = await audit_count(session)

    # when
    data = await gql(SETTLE, {"id": gid(row), "v": 1, "amount": 90_000})

    # then
    settled = data["subsidyApplicationSettle"]["application"]
    assert (settled["status"], settled["settledAmountYen"], settled["version"]) == (
        "SETTLED",
        90_000,
        2,
    )
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_id) == ("subsidyApplication.settle", str(row.id))
    assert event.changes == {
        "status": {"before": "REPORTED", "after": "SETTLED"},
        "settled_amount_yen": {"before": None, "after": 90_000},
    }


@pytest.mark.parametrize("amount", [100_001, -1])
async def test_settle_refuses_an_amount_outside_zero_to_granted(
    session: AsyncSession, gql: Any, world: World, amount: int
) -> None:
    # given
    row = await application(
        session, world, await program(session, world), status=S.REPORTED, granted_amount_yen=100_000
    )
    assert row.id is not None
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(SETTLE, {"id": gid(row), "v": 1, "amount": amount})

    # then
    assert errors_of(data, "subsidyApplicationSettle") == [("INVALID", ["settledAmountYen"])]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


async def test_settle_refuses_an_application_not_reported(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await application(
        session, world, await program(session, world), status=S.APPROVED, granted_amount_yen=100_000
    )
    assert row.id is not None
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(SETTLE, {"id": gid(row), "v": 1, "amount": 1})

    # then
    assert errors_of(data, "subsidyApplicationSettle") == [("INVALID_TRANSITION", None)]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


@pytest.mark.parametrize("status", [S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED])
async def test_withdraw_ends_an_open_application_and_keeps_the_reason(
    session: AsyncSession, gql: Any, world: World, status: SubsidyApplicationStatus
) -> None:
    # given
    granted = 100_000 if status is S.APPROVED else None
    row = await application(
        session, world, await program(session, world), status=status, granted_amount_yen=granted
    )
    events = await audit_count(session)

    # when
    data = await gql(WITHDRAW, {"id": gid(row), "v": 1, "reason": "行事を中止したため"})

    # then
    withdrawn = data["subsidyApplicationWithdraw"]["application"]
    assert (withdrawn["status"], withdrawn["decisionReason"]) == ("WITHDRAWN", "行事を中止したため")
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_id) == ("subsidyApplication.withdraw", str(row.id))
    assert event.changes == {
        "status": {"before": status.value, "after": "WITHDRAWN"},
        "decision_reason": {"before": None, "after": "行事を中止したため"},
    }


@pytest.mark.parametrize("status", [S.REJECTED, S.REPORTED, S.SETTLED, S.WITHDRAWN])
async def test_withdraw_refuses_an_application_no_longer_open(
    session: AsyncSession, gql: Any, world: World, status: SubsidyApplicationStatus
) -> None:
    # given
    row = await application(session, world, await program(session, world), status=status)
    assert row.id is not None
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(WITHDRAW, {"id": gid(row), "v": 1})

    # then
    assert errors_of(data, "subsidyApplicationWithdraw") == [("INVALID_TRANSITION", None)]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


# Each update mutation, the status in which it would succeed, and its extra arguments.
UPDATES = [
    ("subsidyApplicationStartReview", START_REVIEW, S.SUBMITTED, {}),
    ("subsidyApplicationDecide", DECIDE, S.UNDER_REVIEW, {"approve": True}),
    (
        "subsidyApplicationReport",
        REPORT,
        S.APPROVED,
        {"lines": [{"category": "印刷費", "amountYen": 1}]},
    ),
    ("subsidyApplicationSettle", SETTLE, S.REPORTED, {"amount": 1}),
    ("subsidyApplicationWithdraw", WITHDRAW, S.SUBMITTED, {}),
]


@pytest.mark.parametrize(
    ("name", "mutation", "status", "extra"), UPDATES, ids=[u[0] for u in UPDATES]
)
async def test_a_stale_expected_version_is_a_version_conflict_and_changes_nothing(
    session: AsyncSession,
    gql: Any,
    world: World,
    name: str,
    mutation: str,
    status: SubsidyApplicationStatus,
    extra: dict[str, Any],
) -> None:
    # given: someone else already moved the row to version 2
    row = await application(
        session, world, await program(session, world), status=status, granted_amount_yen=100_000
    )
    assert row.id is not None
    await session.execute(
        sa.update(SubsidyApplication).where(col(SubsidyApplication.id) == row.id).values(version=2)
    )
    await session.commit()
    before, events = await application_state(session, row.id), await audit_count(session)

    # when
    data = await gql(mutation, {"id": gid(row), "v": 1, **extra}, today=TODAY)

    # then
    assert data[name]["application"] is None
    assert errors_of(data, name) == [("VERSION_CONFLICT", ["expectedVersion"])]
    assert await application_state(session, row.id) == before
    assert await audit_count(session) == events


async def test_an_unknown_application_is_not_found(gql: Any) -> None:
    # when
    data = await gql(START_REVIEW, {"id": to_global_id("SubsidyApplication", 987_654_321), "v": 1})

    # then
    assert errors_of(data, "subsidyApplicationStartReview") == [("NOT_FOUND", ["id"])]


async def test_an_id_of_another_type_is_invalid_in_the_payload(gql: Any) -> None:
    # when
    result = await gql.raw(START_REVIEW, {"id": to_global_id("Partner", 1), "v": 1})

    # then
    assert result["errors"] == []
    assert errors_of(result["data"], "subsidyApplicationStartReview") == [("INVALID", ["id"])]


PROGRAM_TOTALS = """
query ($id: ID!) {
  node(id: $id) { ... on SubsidyProgram { grantedTotalYen remainingBudgetYen } }
}
"""


async def test_an_application_goes_from_submission_to_settlement_with_one_event_per_step(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await program(
        session, world, budget_yen=500_000, allowed_expense_categories=["印刷費", "消耗品費"]
    )
    events = await audit_count(session)
    submitted = (await gql(SUBMIT, {"input": submit_input(world, row)}, today=TODAY))[
        "subsidyApplicationSubmit"
    ]["application"]
    app_id = submitted["id"]

    # when
    await gql(START_REVIEW, {"id": app_id, "v": 1})
    await gql(DECIDE, {"id": app_id, "v": 2, "approve": True, "granted": 90_000}, today=TODAY)
    await gql(
        REPORT, {"id": app_id, "v": 3, "lines": [{"category": "印刷費", "amountYen": 80_000}]}
    )
    settled = (await gql(SETTLE, {"id": app_id, "v": 4, "amount": 80_000}))[
        "subsidyApplicationSettle"
    ]["application"]

    # then
    assert (settled["status"], settled["version"], settled["grantedAmountYen"]) == (
        "SETTLED",
        5,
        90_000,
    )
    totals = (await gql(PROGRAM_TOTALS, {"id": gid(row)}))["node"]
    assert totals == {"grantedTotalYen": 80_000, "remainingBudgetYen": 420_000}
    assert await audit_count(session) == events + 5
    actions = (
        await session.execute(
            sa.select(col(AuditEvent.action))
            .where(col(AuditEvent.entity_type) == "SubsidyApplication")
            .order_by(col(AuditEvent.id).desc())
            .limit(5)
        )
    ).scalars()
    assert list(actions)[::-1] == [
        "subsidyApplication.submit",
        "subsidyApplication.startReview",
        "subsidyApplication.approve",
        "subsidyApplication.report",
        "subsidyApplication.settle",
    ]
