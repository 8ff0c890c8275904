"""Rule 18 "Money adds up" for subsidies, through the API on both databases.

Settlement stays within min(granted, rate × actual eligible costs); expense lines add
up to the application's total cost; a requested amount is more than 0 yen. Every
refusal is checked for its code, its field path and for having written nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.enums import SubsidyApplicationStatus
from kyodo.domain.subsidies.models import ExpenseLine, SubsidyApplication
from kyodo.schema.node import to_global_id
from tests.conftest import CHANGE_EVENTS

from .factories import make_application, make_department, make_partner, make_program, unique

S = SubsidyApplicationStatus

RESULT = "application { id status settledAmountYen } errors { field code message }"
SETTLE = (
    "mutation ($id: ID!, $v: Int!, $amount: Int!) {"
    " subsidyApplicationSettle(id: $id, expectedVersion: $v, settledAmountYen: $amount) {"
    + RESULT
    + "} }"
)
SUBMIT = (
    "mutation ($input: SubsidyApplicationInput!) { subsidyApplicationSubmit(input: $input) {"
    + RESULT
    + "} }"
)


async def table_state(session: AsyncSession) -> Any:
    """Every application, expense line and change event, read past the identity map."""
    rows = []
    for model in (SubsidyApplication, ExpenseLine):
        table = model.__table__  # type: ignore[attr-defined]
        rows.append(
            [tuple(r) for r in (await session.execute(sa.select(table).order_by(table.c.id)))]
        )
    events = (
        await session.execute(
            sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
        )
    ).scalar_one()
    return rows, events


def errors(data: dict[str, Any], name: str) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in data[name]["errors"]]


async def reported(
    session: AsyncSession, *, rate: int | None, actual: list[tuple[str, int]]
) -> str:
    """A REPORTED application granted 150,000 yen under a program with ``rate``."""
    department = await make_department(session)
    program = await make_program(
        session,
        department=department,
        name=unique("にぎわい助成金"),
        subsidy_rate_percent=rate,
        allowed_expense_categories=["印刷費", "消耗品費"],
    )
    row = await make_application(
        session,
        program=program,
        applicant=await make_partner(session),
        status=S.REPORTED,
        requested_amount_yen=150_000,
        total_project_cost_yen=300_000,
        granted_amount_yen=150_000,
        actual=actual,
    )
    await session.commit()
    return to_global_id("SubsidyApplication", row.id)


# ------------------------------------------------------------------ settlement


async def test_settle_refuses_more_than_the_rate_of_the_actual_costs(
    session: AsyncSession, gql: Any
) -> None:
    # given: rate 50 %, granted 150,000, actual costs 60,000 → at most 30,000
    app = await reported(session, rate=50, actual=[("印刷費", 20_000), ("消耗品費", 40_000)])
    before = await table_state(session)

    # when
    data = await gql(SETTLE, {"id": app, "v": 1, "amount": 150_000})

    # then
    assert errors(data, "subsidyApplicationSettle") == [("OVER_SUBSIDY_RATE", ["settledAmountYen"])]
    message = data["subsidyApplicationSettle"]["errors"][0]["message"]
    assert "150,000円" in message and "60,000円" in message and "30,000円" in message
    assert "50%" in message
    assert await table_state(session) == before


async def test_settle_refuses_a_single_yen_over_the_rate(session: AsyncSession, gql: Any) -> None:
    app = await reported(session, rate=50, actual=[("印刷費", 60_001)])
    before = await table_state(session)

    data = await gql(SETTLE, {"id": app, "v": 1, "amount": 30_001})

    assert errors(data, "subsidyApplicationSettle") == [("OVER_SUBSIDY_RATE", ["settledAmountYen"])]
    assert await table_state(session) == before


async def test_settle_accepts_exactly_the_rate_of_the_actual_costs(
    session: AsyncSession, gql: Any
) -> None:
    app = await reported(session, rate=50, actual=[("印刷費", 20_000), ("消耗品費", 40_000)])

    data = await gql(SETTLE, {"id": app, "v": 1, "amount": 30_000})

    assert data["subsidyApplicationSettle"]["errors"] == []
    assert data["subsidyApplicationSettle"]["application"]["settledAmountYen"] == 30_000


async def test_settle_counts_only_eligible_actual_costs(session: AsyncSession, gql: Any) -> None:
    # given: a line of a category the program does not pay for (stored before the rule)
    app = await reported(session, rate=50, actual=[("印刷費 ", 40_000), ("飲食費", 100_000)])
    before = await table_state(session)

    data = await gql(SETTLE, {"id": app, "v": 1, "amount": 20_001})

    assert errors(data, "subsidyApplicationSettle") == [("OVER_SUBSIDY_RATE", ["settledAmountYen"])]
    assert await table_state(session) == before


async def test_settle_without_a_rate_is_bounded_by_the_grant_only(
    session: AsyncSession, gql: Any
) -> None:
    app = await reported(session, rate=None, actual=[("印刷費", 60_000)])

    data = await gql(SETTLE, {"id": app, "v": 1, "amount": 150_000})

    assert data["subsidyApplicationSettle"]["errors"] == []


# ------------------------------------------------------------------ submission


async def submit_input(session: AsyncSession, **overrides: Any) -> dict[str, Any]:
    program = await make_program(
        session, department=await make_department(session), name=unique("にぎわい助成金")
    )
    applicant = await make_partner(session)
    await session.commit()
    data: dict[str, Any] = {
        "programId": to_global_id("SubsidyProgram", program.id),
        "applicantId": to_global_id("Partner", applicant.id),
        "title": "まちかど清掃の日",
        "purpose": "商店街を地域の人と一緒にきれいにする",
        "totalProjectCostYen": 300_000,
        "requestedAmountYen": 100_000,
        "expenses": [
            {"category": "印刷費", "amountYen": 50_000},
            {"category": "消耗品費", "amountYen": 250_000},
        ],
        "submittedOn": "2021-06-01",
    }
    return data | overrides


async def test_submit_refuses_expense_lines_that_do_not_add_up_to_the_total(
    session: AsyncSession, gql: Any
) -> None:
    # given: lines of 50,000 + 200,000 for a total of 300,000
    lines = [
        {"category": "印刷費", "amountYen": 50_000},
        {"category": "消耗品費", "amountYen": 200_000},
    ]
    input = await submit_input(session, expenses=lines)
    before = await table_state(session)

    # when
    data = await gql(SUBMIT, {"input": input})

    # then
    assert data["subsidyApplicationSubmit"]["application"] is None
    assert errors(data, "subsidyApplicationSubmit") == [("INVALID", ["input", "expenses"])]
    message = data["subsidyApplicationSubmit"]["errors"][0]["message"]
    assert "250,000円" in message and "300,000円" in message
    assert await table_state(session) == before


async def test_submit_refuses_lines_above_the_total_too(session: AsyncSession, gql: Any) -> None:
    lines = [{"category": "印刷費", "amountYen": 300_001}]
    input = await submit_input(session, expenses=lines)
    before = await table_state(session)

    data = await gql(SUBMIT, {"input": input})

    assert errors(data, "subsidyApplicationSubmit") == [("INVALID", ["input", "expenses"])]
    assert await table_state(session) == before


async def test_submit_accepts_lines_that_add_up_and_no_lines_at_all(
    session: AsyncSession, gql: Any
) -> None:
    for input in (await submit_input(session), await submit_input(session, expenses=[])):
        data = await gql(SUBMIT, {"input": input})
        assert data["subsidyApplicationSubmit"]["errors"] == []


async def test_submit_refuses_a_requested_amount_of_zero_or_less(
    session: AsyncSession, gql: Any
) -> None:
    for amount in (0, -1):
        # given
        input = await submit_input(session, requestedAmountYen=amount)
        before = await table_state(session)

        # when
        data = await gql(SUBMIT, {"input": input})

        # then
        assert data["subsidyApplicationSubmit"]["application"] is None
        assert errors(data, "subsidyApplicationSubmit") == [
            ("INVALID", ["input", "requestedAmountYen"])
        ]
        assert await table_state(session) == before
