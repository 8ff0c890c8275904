"""Subsidy mutations through the API (rule 10, 第3章(6); rule 15).

Every refused mutation is checked for its exact code and field path, and for having
changed nothing: the row, its expense lines and the audit log read the same after.
Setup rows are committed (the test's savepoint is released) before the mutation runs,
so a refused mutation's rollback cannot take them with it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col

from domain.audit.models import AuditEvent
from domain.enums import SubsidyApplicationStatus
from domain.errors import DomainError, ErrorCode
from domain.partners.models import Partner
from domain.reference.models import Department
from domain.subsidies import commands
from domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram
from schema.node import to_global_id
from tests.conftest import CHANGE_EVENTS

from .factories import make_application, make_department, make_partner, make_program, unique

TODAY = date(2021, 6, 1)
S = SubsidyApplicationStatus

PROGRAM_CREATE = """
mutation ($input: SubsidyProgramInput!) {
  subsidyProgramCreate(input: $input) {
    program {
      id name fiscalYear budgetYen maxAmountPerGrantYen subsidyRatePercent
      allowedExpenseCategories maxConsecutiveYears applicationDeadline
      department { code }
    }
    errors { field code message }
  }
}
"""

APPLICATION_FIELDS = """
    application {
      id status version title purpose totalProjectCostYen requestedAmountYen
      grantedAmountYen settledAmountYen submittedOn decidedOn decisionReason
      expenses { category amountYen description }
      actualExpenses { category amountYen description }
      applicant { id }
      program { id }
    }
    errors { field code message }
"""

SUBMIT = (
    """
mutation ($input: SubsidyApplicationInput!) {
  subsidyApplicationSubmit(input: $input) {"""
    + APPLICATION_FIELDS
    + "} }"
)

START_REVIEW = (
    """
mutation ($id: ID!, $v: Int!) {
  subsidyApplicationStartReview(id: $id, expectedVersion: $v) {"""
    + APPLICATION_FIELDS
    + "} }"
)

DECIDE = (
    """
mutation ($id: ID!, $v: Int!, $approve: Boolean!, $granted: Int, $reason: String, $on: Date) {
  subsidyApplicationDecide(
    id: $id, expectedVersion: $v, approve: $approve, grantedAmountYen: $granted,
    reason: $reason, decidedOn: $on
  ) {"""
    + APPLICATION_FIELDS
    + "} }"
)

REPORT = (
    """
mutation ($id: ID!, $v: Int!, $lines: [ExpenseLineInput!]!) {
  subsidyApplicationReport(id: $id, expectedVersion: $v, actualExpenses: $lines) {"""
    + APPLICATION_FIELDS
    + "} }"
)

SETTLE = (
    """
mutation ($id: ID!, $v: Int!, $amount: Int!) {
  subsidyApplicationSettle(id: $id, expectedVersion: $v, settledAmountYen: $amount) {"""
    + APPLICATION_FIELDS
    + "} }"
)

WITHDRAW = (
    """
mutation ($id: ID!, $v: Int!, $reason: String) {
  subsidyApplicationWithdraw(id: $id, expectedVersion: $v, reason: $reason) {"""
    + APPLICATION_FIELDS
    + "} }"
)


# ------------------------------------------------------------------ helpers


@dataclass(frozen=True)
class World:
    department: Department
    applicant: Partner
    applicant_id: int

    @property
    def applicant_gid(self) -> str:
        return to_global_id("Partner", self.applicant_id)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    department = await make_department(session)
    applicant = await make_partner(session)
    await session.commit()
    assert applicant.id is not None
    return World(department, applicant, applicant.id)


@dataclass(frozen=True)
class Ref:
    """An application's id, safe to use after a refused mutation expired the session's rows."""

    id: int

    @property
    def gid(self) -> str:
        return to_global_id("SubsidyApplication", self.id)


async def program(session: AsyncSession, world: World, **kwargs: Any) -> SubsidyProgram:
    kwargs.setdefault("name", unique("テスト助成金"))
    row = await make_program(session, department=world.department, **kwargs)
    await session.commit()
    return row


async def application(
    session: AsyncSession, world: World, program_row: SubsidyProgram, **kwargs: Any
) -> Ref:
    row = await make_application(session, program=program_row, applicant=world.applicant, **kwargs)
    await session.commit()
    assert row.id is not None
    return Ref(row.id)


def gid(row: Ref | SubsidyProgram) -> str:
    if isinstance(row, Ref):
        return row.gid
    assert row.id is not None
    return to_global_id("SubsidyProgram", row.id)


async def audit_count(session: AsyncSession) -> int:
    return (
        await session.execute(
            sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
        )
    ).scalar_one()


async def last_event(session: AsyncSession) -> AuditEvent:
    stmt = sa.select(AuditEvent).where(CHANGE_EVENTS).order_by(col(AuditEvent.id).desc()).limit(1)
    return (await session.execute(stmt)).scalar_one()


async def application_state(session: AsyncSession, application_id: int) -> Any:
    """The stored row and its expense lines, read past the session's identity map."""
    row = (
        await session.execute(
            sa.select(SubsidyApplication.__table__).where(  # type: ignore[attr-defined]
                SubsidyApplication.__table__.c.id == application_id  # type: ignore[attr-defined]
            )
        )
    ).one()
    lines = (
        await session.execute(
            sa.select(ExpenseLine.__table__)  # type: ignore[attr-defined]
            .where(ExpenseLine.__table__.c.application_id == application_id)  # type: ignore[attr-defined]
            .order_by(ExpenseLine.__table__.c.id)  # type: ignore[attr-defined]
        )
    ).all()
    return (tuple(row), [tuple(line) for line in lines])


async def count_rows(session: AsyncSession, model: Any) -> int:
    return (await session.execute(sa.select(sa.func.count()).select_from(model))).scalar_one()


def submit_input(world: World, program_row: SubsidyProgram, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "programId": gid(program_row),
        "applicantId": world.applicant_gid,
        "title": "まちかど清掃の日",
        "purpose": "商店街を地域の人と一緒にきれいにする",
        "totalProjectCostYen": 300_000,
        "requestedAmountYen": 100_000,
        "expenses": [
            {"category": "印刷費", "amountYen": 50_000, "description": "チラシ"},
            {"category": "消耗品費", "amountYen": 250_000},
        ],
    }
    data.update(overrides)
    return data


def errors_of(data: dict[str, Any], name: str) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in data[name]["errors"]]


# ------------------------------------------------------------------ subsidyProgramCreate


def program_input(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": unique("イベント・環境整備等助成金"),
        "departmentCode": world.department.code,
        "fiscalYear": 2021,
        "budgetYen": 1_000_000,
        "maxAmountPerGrantYen": 200_000,
        "subsidyRatePercent": 50,
        "allowedExpenseCategories": ["印刷費", " 消耗品費 ", "印刷費"],
        "maxConsecutiveYears": 3,
        "applicationDeadline": "2021-07-31",
    }
    data.update(overrides)
    return data


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


# ------------------------------------------------------------------ subsidyApplicationSubmit


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


# ------------------------------------------------------------------ subsidyApplicationStartReview


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


# ------------------------------------------------------------------ subsidyApplicationDecide


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


# ------------------------------------------------------------------ subsidyApplicationReport


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


# ------------------------------------------------------------------ subsidyApplicationSettle


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


# ------------------------------------------------------------------ subsidyApplicationWithdraw


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


# ------------------------------------------------------------------ versions and ids

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


# ------------------------------------------------------------------ the whole flow

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
