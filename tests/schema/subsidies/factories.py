"""Small builders for subsidy tests: rows the tests own, next to the demo data.

Each builder adds its rows to the test's session and flushes, so they get ids and are
rolled back with the test. A fresh program name per test keeps a test's series (the
programs of the same series key over the years, by default derived from the name) apart
from the demo data's.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import ExpenseKind, PartnerKind, SubsidyApplicationStatus
from kyodo.domain.partners.models import Partner
from kyodo.domain.partners.service import refresh_derived_fields
from kyodo.domain.reference.models import Department
from kyodo.domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram
from kyodo.domain.subsidies.service import series_key_of


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def make_department(session: AsyncSession, name: str = "テスト課") -> Department:
    department = Department(code=unique("test-dept"), name=name)
    session.add(department)
    await session.flush()
    return department


async def make_partner(session: AsyncSession, name: str | None = None) -> Partner:
    partner = Partner(kind=PartnerKind.CITIZEN_GROUP, name=name or unique("テスト団体"))
    refresh_derived_fields(partner)
    session.add(partner)
    await session.flush()
    return partner


async def make_program(
    session: AsyncSession,
    *,
    department: Department,
    name: str,
    fiscal_year: int = 2021,
    budget_yen: int = 1_000_000,
    max_amount_per_grant_yen: int | None = None,
    subsidy_rate_percent: int | None = None,
    allowed_expense_categories: Sequence[str] = (),
    max_consecutive_years: int | None = None,
    application_deadline: date | None = None,
    series_key: str | None = None,
) -> SubsidyProgram:
    program = SubsidyProgram(
        name=name,
        series_key=series_key_of(series_key or name),
        department_id=department.id,
        fiscal_year=fiscal_year,
        budget_yen=budget_yen,
        max_amount_per_grant_yen=max_amount_per_grant_yen,
        subsidy_rate_percent=subsidy_rate_percent,
        allowed_expense_categories=list(allowed_expense_categories),
        max_consecutive_years=max_consecutive_years,
        application_deadline=application_deadline,
    )
    session.add(program)
    await session.flush()
    return program


async def make_application(
    session: AsyncSession,
    *,
    program: SubsidyProgram,
    applicant: Partner,
    status: SubsidyApplicationStatus = SubsidyApplicationStatus.SUBMITTED,
    requested_amount_yen: int = 100_000,
    total_project_cost_yen: int = 300_000,
    granted_amount_yen: int | None = None,
    settled_amount_yen: int | None = None,
    submitted_on: date | None = None,
    planned: Sequence[tuple[str, int]] = (),
    actual: Sequence[tuple[str, int]] = (),
    title: str | None = None,
) -> SubsidyApplication:
    application = SubsidyApplication(
        program_id=program.id,
        applicant_id=applicant.id,
        title=title or unique("テスト事業"),
        purpose="テストのための事業",
        total_project_cost_yen=total_project_cost_yen,
        requested_amount_yen=requested_amount_yen,
        granted_amount_yen=granted_amount_yen,
        settled_amount_yen=settled_amount_yen,
        status=status,
        submitted_on=submitted_on or date(program.fiscal_year, 5, 1),
    )
    session.add(application)
    await session.flush()
    for kind, lines in ((ExpenseKind.PLANNED, planned), (ExpenseKind.ACTUAL, actual)):
        for position, (category, amount) in enumerate(lines):
            session.add(
                ExpenseLine(
                    application_id=application.id,
                    kind=kind,
                    position=position,
                    category=category,
                    amount_yen=amount,
                )
            )
    await session.flush()
    return application
