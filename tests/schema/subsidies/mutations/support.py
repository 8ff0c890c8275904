"""Helpers shared by the tests of this package (Subsidy mutations through the API (rule 10, 第3章(6); rule 15))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.enums import SubsidyApplicationStatus
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.models import Department
from kyodo.domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram
from kyodo.schema.node import to_global_id
from tests.conftest import CHANGE_EVENTS

from ..factories import make_application, make_program, unique

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


@dataclass(frozen=True)
class World:
    department: Department
    applicant: Partner
    applicant_id: int

    @property
    def applicant_gid(self) -> str:
        return to_global_id("Partner", self.applicant_id)


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
