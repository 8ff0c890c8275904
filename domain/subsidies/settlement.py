"""After approval: the report of what was actually spent (実績報告) and the settlement
of the final amount (精算, rules 10 and 18)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.commanding import move
from kyodo.domain.enums import ExpenseKind, SubsidyApplicationStatus
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.subsidies import rules
from kyodo.domain.subsidies import service as subsidies
from kyodo.domain.subsidies.inputs import ExpenseData, expense_lines
from kyodo.domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram
from kyodo.domain.subsidies.stored import APPLICATIONS, add_lines

_Status = SubsidyApplicationStatus


async def report_application(
    session: AsyncSession,
    *,
    application_id: int,
    expected_version: int,
    actual_expenses: Sequence[ExpenseData],
    actor: str,
) -> SubsidyApplication:
    """APPROVED → REPORTED with what was actually spent (実績報告, rule 10).

    At least one line; the categories must be ones the program pays for (用途の制限),
    checked by the same rule as on submission.
    """
    change = await APPLICATIONS.begin(session, application_id, expected_version)
    application = change.row
    rules.check_application_transition(application.status, _Status.REPORTED)
    problems = v.Problems()
    field = "actual_expenses"
    if not actual_expenses:
        problems.add(ErrorCode.REQUIRED, "実際にかかった経費を1行以上入れてください。", field)
    lines = expense_lines(problems, actual_expenses, field=field)
    program = await session.get(SubsidyProgram, application.program_id)
    assert program is not None
    problems.extend(
        rules.expense_category_problems(
            [line.category for line in lines], program.allowed_expense_categories, field=field
        )
    )
    problems.raise_if_any()

    async def replace_actual_lines() -> None:
        await session.execute(
            sa.delete(ExpenseLine).where(
                col(ExpenseLine.application_id) == application_id,
                col(ExpenseLine.kind) == ExpenseKind.ACTUAL,
            )
        )
        add_lines(session, application_id, ExpenseKind.ACTUAL, lines)
        await session.flush()

    return await move(
        change,
        rules.APPLICATION_STATUSES,
        _Status.REPORTED,
        actor=actor,
        action="subsidyApplication.report",
        children=replace_actual_lines,
    )


async def settle_application(
    session: AsyncSession,
    *,
    application_id: int,
    expected_version: int,
    settled_amount_yen: int,
    actor: str,
) -> SubsidyApplication:
    """REPORTED → SETTLED (精算, rules 10 and 18).

    The city pays at most what it granted and, under a subsidy rate, at most that rate
    of the actual eligible costs reported (see :func:`rules.settlement_problems`).
    """
    change = await APPLICATIONS.begin(session, application_id, expected_version)
    application = change.row
    assert application.id is not None
    rules.check_application_transition(application.status, _Status.SETTLED)
    program = await session.get(SubsidyProgram, application.program_id)
    assert program is not None
    (lines,) = await subsidies.expenses_by_application(session, [application.id])
    problems = rules.settlement_problems(
        granted_amount_yen=application.granted_amount_yen,
        settled_amount_yen=settled_amount_yen,
        subsidy_rate_percent=program.subsidy_rate_percent,
        eligible_costs_yen=rules.eligible_costs_yen(
            [(line.category, line.amount_yen) for line in lines.actual],
            program.allowed_expense_categories,
        ),
    )
    if problems:
        raise DomainError(problems=problems)
    return await move(
        change,
        rules.APPLICATION_STATUSES,
        _Status.SETTLED,
        {"settled_amount_yen": settled_amount_yen},
        actor=actor,
        action="subsidyApplication.settle",
    )
