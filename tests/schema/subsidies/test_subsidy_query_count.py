"""A page of subsidy applications costs a constant number of statements (no N+1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import SubsidyApplicationStatus

from .factories import make_application, make_department, make_partner, make_program, unique

APPLICATIONS = """
query ($first: Int) {
  subsidyApplications(first: $first) {
    totalCount
    edges {
      node {
        id
        program { id name department { name } grantedTotalYen remainingBudgetYen }
        applicant { id name }
        expenses { category amountYen }
        actualExpenses { category amountYen }
        consecutiveYear
        conditionCheck { satisfied violations { code message } }
      }
    }
  }
}
"""

PROGRAMS = """
{
  subsidyPrograms {
    id
    grantedTotalYen
    remainingBudgetYen
    department { name }
    applications(first: 3) {
      totalCount
      edges { node { id applicant { name } consecutiveYear conditionCheck { satisfied } } }
    }
  }
}
"""


async def _make_many_applications(session: AsyncSession, count: int) -> None:
    department = await make_department(session)
    name = unique("テスト助成金")
    programs = [
        await make_program(
            session,
            department=department,
            name=name,
            fiscal_year=year,
            allowed_expense_categories=["印刷費"],
            max_consecutive_years=2,
        )
        for year in (2019, 2020, 2021)
    ]
    applicants = [await make_partner(session) for _ in range(4)]
    for i in range(count):
        program = programs[i % 3]
        await make_application(
            session,
            program=program,
            applicant=applicants[i % 4],
            status=SubsidyApplicationStatus.APPROVED,
            granted_amount_yen=10_000,
            submitted_on=date(program.fiscal_year, 5, 1 + i % 28),
            planned=[("印刷費", 5_000), ("飲食費", 5_000)],
            actual=[("印刷費", 4_000)],
        )


async def test_a_page_of_100_applications_costs_as_many_statements_as_a_page_of_5(
    session: AsyncSession, gql: Any, count_queries: Any
) -> None:
    # given
    await _make_many_applications(session, 120)

    # when
    with count_queries() as small:
        small_page = await gql(APPLICATIONS, {"first": 5})
    with count_queries() as large:
        large_page = await gql(APPLICATIONS, {"first": 100})

    # then
    assert len(small_page["subsidyApplications"]["edges"]) == 5
    assert len(large_page["subsidyApplications"]["edges"]) == 100
    assert large.count == small.count, large.statements


async def test_programs_with_their_applications_cost_a_constant_number_of_statements(
    session: AsyncSession, gql: Any, count_queries: Any
) -> None:
    # given
    await _make_many_applications(session, 6)
    with count_queries() as before:
        await gql(PROGRAMS)
    for _ in range(3):
        await _make_many_applications(session, 30)

    # when
    with count_queries() as after:
        data = await gql(PROGRAMS)

    # then
    assert len(data["subsidyPrograms"]) >= 12
    assert after.count == before.count, after.statements
