"""Subsidy mutations (rule 10): subsidyProgramCreate and subsidyApplicationSubmit.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.subsidies.models import SubsidyApplication, SubsidyProgram
from kyodo.schema.node import to_global_id

from ..factories import unique
from .support import (
    PROGRAM_CREATE,
    SUBMIT,
    TODAY,
    S,
    World,
    application,
    audit_count,
    count_rows,
    errors_of,
    last_event,
    program,
    program_input,
    submit_input,
)


async def test_program_create_stores_the_program_and_records_one_event(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    events = await audit_count(session)
    payload = program_input(world)

    # when
    data = await gql(PROGRAM_CREATE, {"input": payload})

    # then
    result = data["subsidyProgramCreate"]
    assert result["errors"] == []
    created = result["program"]
    assert created["name"] == payload["name"]
    assert created["department"]["code"] == world.department.code
    assert created["allowedExpenseCategories"] == ["印刷費", "消耗品費"]
    assert created["subsidyRatePercent"] == 50
    assert created["applicationDeadline"] == "2021-07-31"
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    stored = (
        await session.execute(
            sa.select(SubsidyProgram).where(col(SubsidyProgram.name) == payload["name"])
        )
    ).scalar_one()
    assert (event.action, event.entity_type, event.entity_id) == (
        "subsidyProgram.create",
        "SubsidyProgram",
        str(stored.id),
    )
    assert event.changes is not None
    assert event.changes["budget_yen"] == {"before": None, "after": 1_000_000}
    assert event.changes["allowed_expense_categories"]["after"] == ["印刷費", "消耗品費"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"name": "  "}, "REQUIRED", ["input", "name"]),
        ({"departmentCode": "no-such-department"}, "NOT_FOUND", ["input", "departmentCode"]),
        ({"fiscalYear": 21}, "INVALID", ["input", "fiscalYear"]),
        ({"budgetYen": -1}, "INVALID", ["input", "budgetYen"]),
        ({"maxAmountPerGrantYen": -1}, "INVALID", ["input", "maxAmountPerGrantYen"]),
        ({"subsidyRatePercent": 0}, "INVALID", ["input", "subsidyRatePercent"]),
        ({"subsidyRatePercent": 101}, "INVALID", ["input", "subsidyRatePercent"]),
        ({"maxConsecutiveYears": 0}, "INVALID", ["input", "maxConsecutiveYears"]),
        (
            {"allowedExpenseCategories": [f"区分{i}" for i in range(101)]},
            "INVALID",
            ["input", "allowedExpenseCategories"],
        ),
        (
            {"allowedExpenseCategories": ["印刷費", ""]},
            "REQUIRED",
            ["input", "allowedExpenseCategories", "1"],
        ),
    ],
)
async def test_program_create_refuses_an_invalid_program_and_writes_nothing(
    session: AsyncSession,
    gql: Any,
    world: World,
    overrides: dict[str, Any],
    code: str,
    field: list[str],
) -> None:
    # given
    events, programs = await audit_count(session), await count_rows(session, SubsidyProgram)

    # when
    data = await gql(PROGRAM_CREATE, {"input": program_input(world, **overrides)})

    # then
    assert data["subsidyProgramCreate"]["program"] is None
    assert errors_of(data, "subsidyProgramCreate") == [(code, field)]
    assert await count_rows(session, SubsidyProgram) == programs
    assert await audit_count(session) == events


async def test_program_create_refuses_a_second_program_of_the_same_name_and_year(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    existing = await program(session, world, fiscal_year=2021)
    events, programs = await audit_count(session), await count_rows(session, SubsidyProgram)

    # when
    data = await gql(
        PROGRAM_CREATE, {"input": program_input(world, name=existing.name, fiscalYear=2021)}
    )

    # then
    assert errors_of(data, "subsidyProgramCreate") == [("DUPLICATE", ["input", "name"])]
    assert await count_rows(session, SubsidyProgram) == programs
    assert await audit_count(session) == events


async def test_submit_stores_the_application_with_its_expenses_and_records_one_event(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await program(
        session,
        world,
        max_amount_per_grant_yen=200_000,
        subsidy_rate_percent=50,
        allowed_expense_categories=["印刷費", "消耗品費"],
        max_consecutive_years=3,
        application_deadline=date(2021, 7, 31),
    )
    events = await audit_count(session)

    # when
    data = await gql(SUBMIT, {"input": submit_input(world, row)}, today=TODAY)

    # then
    result = data["subsidyApplicationSubmit"]
    assert result["errors"] == []
    created = result["application"]
    assert created["status"] == "SUBMITTED"
    assert created["version"] == 1
    assert created["submittedOn"] == TODAY.isoformat()
    assert created["requestedAmountYen"] == 100_000
    assert created["applicant"]["id"] == world.applicant_gid
    assert created["expenses"] == [
        {"category": "印刷費", "amountYen": 50_000, "description": "チラシ"},
        {"category": "消耗品費", "amountYen": 250_000, "description": None},
    ]
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_type) == ("subsidyApplication.submit", "SubsidyApplication")
    assert to_global_id("SubsidyApplication", int(event.entity_id)) == created["id"]
    assert event.changes is not None
    assert event.changes["status"] == {"before": None, "after": "SUBMITTED"}
    assert event.changes["expenses"]["after"] == [
        {"category": "印刷費", "amount_yen": 50_000, "description": "チラシ"},
        {"category": "消耗品費", "amount_yen": 250_000, "description": None},
    ]


@pytest.mark.parametrize(
    ("program_kwargs", "overrides", "code", "field"),
    [
        (
            {"max_amount_per_grant_yen": 50_000},
            {},
            "OVER_MAX_AMOUNT",
            ["input", "requestedAmountYen"],
        ),
        (
            {"subsidy_rate_percent": 30},
            {"requestedAmountYen": 90_001},
            "OVER_SUBSIDY_RATE",
            ["input", "requestedAmountYen"],
        ),
        (
            {"allowed_expense_categories": ["印刷費"]},
            {},
            "EXPENSE_NOT_ALLOWED",
            ["input", "expenses", "1", "category"],
        ),
        (
            {"application_deadline": date(2021, 5, 31)},
            {},
            "DEADLINE_PASSED",
            ["input", "submittedOn"],
        ),
        (
            {},
            {"requestedAmountYen": 300_001},
            "INVALID",
            ["input", "requestedAmountYen"],
        ),
        (
            {},
            {"expenses": [{"category": "印刷費", "amountYen": 1}] * 101},
            "INVALID",
            ["input", "expenses"],
        ),
        (
            {},
            {"expenses": [{"category": "印刷費", "amountYen": -1}]},
            "INVALID",
            ["input", "expenses", "0", "amountYen"],
        ),
        (
            {},
            {"expenses": [{"category": " ", "amountYen": 1}]},
            "REQUIRED",
            ["input", "expenses", "0", "category"],
        ),
        ({}, {"totalProjectCostYen": -5}, "INVALID", ["input", "totalProjectCostYen"]),
        ({}, {"title": ""}, "REQUIRED", ["input", "title"]),
    ],
)
async def test_submit_refuses_an_application_that_breaks_a_condition_and_writes_nothing(
    session: AsyncSession,
    gql: Any,
    world: World,
    program_kwargs: dict[str, Any],
    overrides: dict[str, Any],
    code: str,
    field: list[str],
) -> None:
    # given
    row = await program(session, world, **program_kwargs)
    events = await audit_count(session)
    applications = await count_rows(session, SubsidyApplication)

    # when
    data = await gql(SUBMIT, {"input": submit_input(world, row, **overrides)}, today=TODAY)

    # then
    assert data["subsidyApplicationSubmit"]["application"] is None
    assert errors_of(data, "subsidyApplicationSubmit") == [(code, field)]
    assert await count_rows(session, SubsidyApplication) == applications
    assert await audit_count(session) == events


async def test_submit_accepts_the_deadline_day_itself(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await program(session, world, application_deadline=TODAY)

    # when
    data = await gql(SUBMIT, {"input": submit_input(world, row)}, today=TODAY)

    # then
    assert data["subsidyApplicationSubmit"]["errors"] == []


async def test_submit_refuses_a_third_consecutive_year_beyond_the_limit(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given: granted in 2019 and 2020 under the same program name, at most 2 years in a row
    name = unique("連続助成金")
    for year, status in ((2019, S.SETTLED), (2020, S.APPROVED)):
        earlier = await program(session, world, name=name, fiscal_year=year)
        await application(session, world, earlier, status=status, granted_amount_yen=50_000)
    row = await program(session, world, name=name, fiscal_year=2021, max_consecutive_years=2)
    events = await audit_count(session)
    applications = await count_rows(session, SubsidyApplication)

    # when
    data = await gql(SUBMIT, {"input": submit_input(world, row)}, today=TODAY)

    # then
    assert errors_of(data, "subsidyApplicationSubmit") == [
        ("CONSECUTIVE_YEARS_EXCEEDED", ["input", "applicantId"])
    ]
    assert await count_rows(session, SubsidyApplication) == applications
    assert await audit_count(session) == events


async def test_submit_counts_a_year_without_a_grant_as_a_break_in_the_run(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given: granted in 2019, refused in 2020, at most 1 year in a row
    name = unique("連続助成金")
    first = await program(session, world, name=name, fiscal_year=2019)
    await application(session, world, first, status=S.SETTLED, granted_amount_yen=50_000)
    second = await program(session, world, name=name, fiscal_year=2020)
    await application(session, world, second, status=S.REJECTED)
    row = await program(session, world, name=name, fiscal_year=2021, max_consecutive_years=1)

    # when
    data = await gql(SUBMIT, {"input": submit_input(world, row)}, today=TODAY)

    # then
    assert data["subsidyApplicationSubmit"]["errors"] == []


async def test_submit_reports_every_broken_condition_at_once(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    name = unique("連続助成金")
    earlier = await program(session, world, name=name, fiscal_year=2020)
    await application(session, world, earlier, status=S.SETTLED, granted_amount_yen=1)
    row = await program(
        session,
        world,
        name=name,
        fiscal_year=2021,
        max_amount_per_grant_yen=10_000,
        subsidy_rate_percent=10,
        allowed_expense_categories=["印刷費"],
        max_consecutive_years=1,
        application_deadline=date(2021, 4, 30),
    )
    events = await audit_count(session)
    overrides = {
        "expenses": [
            {"category": "飲食費", "amountYen": 100_000},
            {"category": "印刷費", "amountYen": 100_000},
            {"category": "謝礼", "amountYen": 100_000},
        ]
    }

    # when
    data = await gql(SUBMIT, {"input": submit_input(world, row, **overrides)}, today=TODAY)

    # then
    assert errors_of(data, "subsidyApplicationSubmit") == [
        ("OVER_MAX_AMOUNT", ["input", "requestedAmountYen"]),
        ("OVER_SUBSIDY_RATE", ["input", "requestedAmountYen"]),
        ("EXPENSE_NOT_ALLOWED", ["input", "expenses", "0", "category"]),
        ("EXPENSE_NOT_ALLOWED", ["input", "expenses", "2", "category"]),
        ("CONSECUTIVE_YEARS_EXCEEDED", ["input", "applicantId"]),
        ("DEADLINE_PASSED", ["input", "submittedOn"]),
    ]
    assert await audit_count(session) == events


async def test_submit_matches_expense_categories_regardless_of_width_and_spaces(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await program(session, world, allowed_expense_categories=["ＰＲ費"])
    overrides = {"expenses": [{"category": " PR費 ", "amountYen": 300_000}]}

    # when
    data = await gql(SUBMIT, {"input": submit_input(world, row, **overrides)}, today=TODAY)

    # then
    assert data["subsidyApplicationSubmit"]["errors"] == []


@pytest.mark.parametrize("which", ["programId", "applicantId"])
async def test_submit_refuses_an_unknown_program_or_applicant(
    session: AsyncSession, gql: Any, world: World, which: str
) -> None:
    # given
    row = await program(session, world)
    missing = {
        "programId": to_global_id("SubsidyProgram", 987_654_321),
        "applicantId": to_global_id("Partner", 987_654_321),
    }[which]
    applications = await count_rows(session, SubsidyApplication)

    # when
    data = await gql(SUBMIT, {"input": submit_input(world, row, **{which: missing})}, today=TODAY)

    # then
    assert errors_of(data, "subsidyApplicationSubmit") == [("NOT_FOUND", ["input", which])]
    assert await count_rows(session, SubsidyApplication) == applications


async def test_submit_reports_an_id_of_the_wrong_type_in_the_payload(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    row = await program(session, world)
    overrides = {"programId": world.applicant_gid}

    # when
    result = await gql.raw(SUBMIT, {"input": submit_input(world, row, **overrides)}, today=TODAY)

    # then
    assert result["errors"] == []
    assert errors_of(result["data"], "subsidyApplicationSubmit") == [
        ("INVALID", ["input", "programId"])
    ]
