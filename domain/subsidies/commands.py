"""Changing subsidy programs and applications (補助・助成, 第3章(6), rule 10).

Each function is a command as :mod:`domain.commanding` describes: staff see every
problem at once.

The program's conditions are checked by :func:`domain.subsidies.rules.condition_violations`
on submission and again, with the granted amount, on approval — the same function that
powers the live ``conditionCheck`` — so a condition is defined in one place only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.commanding import move
from kyodo.domain.enums import ExpenseKind, SubsidyApplicationStatus
from kyodo.domain.errors import ErrorCode, Problem
from kyodo.domain.partners.models import Partner
from kyodo.domain.subsidies import rules
from kyodo.domain.subsidies import service as subsidies
from kyodo.domain.subsidies.inputs import (
    MAX_TEXT,
    ApplicationData,
    ExpenseData,
    ProgramData,
    expense_lines,
)
from kyodo.domain.subsidies.models import SubsidyApplication, SubsidyProgram
from kyodo.domain.subsidies.programs import create_program, update_program
from kyodo.domain.subsidies.settlement import report_application, settle_application
from kyodo.domain.subsidies.stored import APPLICATIONS, PROGRAMS, add_lines
from kyodo.domain.versioning import not_found
from kyodo.domain.writes import row_values

_Status = SubsidyApplicationStatus


def _with_field(problem: Problem, field: str | None) -> Problem:
    return Problem(problem.code, problem.message, field)


async def submit_application(
    session: AsyncSession, *, data: ApplicationData, today: date, actor: str
) -> SubsidyApplication:
    """Receive a subsidy application, refusing one that breaks the program's conditions.

    第3章(6), rule 10: every condition is checked at once (over the maximum, over the
    subsidy rate, each expense line's category, consecutive years, the deadline), so
    the applicant learns everything that must change in one answer. The requested
    amount is more than 0 yen and cannot exceed the project's total cost; the expense
    lines, when given, add up to that total (rule 18).
    """
    problems = v.Problems()
    program = await session.get(SubsidyProgram, data.program_id)
    if program is None:
        problems.extend(not_found("補助金の制度", "program_id").problems)
    applicant = await session.get(Partner, data.applicant_id)
    if applicant is None:
        problems.extend(not_found("申請団体", "applicant_id").problems)
    title = v.column_text(
        problems, data.title, SubsidyApplication.title, label="事業名", required=True
    )
    v.check_date(problems, data.submitted_on, label="申請日", field="submitted_on")
    purpose = v.required_text(
        problems, data.purpose, label="事業の目的", field="purpose", max_length=MAX_TEXT
    )
    v.amount(
        problems,
        data.total_project_cost_yen,
        label="事業費の総額",
        field="total_project_cost_yen",
    )
    if data.requested_amount_yen <= 0:
        # An application asks for money: 0 yen is no application (rule 18).
        problems.add(
            ErrorCode.INVALID,
            f"申請額は1円以上にしてください（{rules.yen(data.requested_amount_yen)}）。",
            "requested_amount_yen",
        )
    total_ok = data.total_project_cost_yen >= 0
    requested_ok = data.requested_amount_yen > 0
    if total_ok and requested_ok and data.requested_amount_yen > data.total_project_cost_yen:
        problems.add(
            ErrorCode.INVALID,
            f"申請額（{rules.yen(data.requested_amount_yen)}）が、事業費の総額"
            f"（{rules.yen(data.total_project_cost_yen)}）を超えています。",
            "requested_amount_yen",
        )
    before_lines = len(problems.items)
    expenses = expense_lines(problems, data.expenses, field="expenses")
    # Lines that are themselves wrong are reported as such, not summed.
    if total_ok and len(problems.items) == before_lines:
        problems.extend(
            rules.expense_total_problems(
                [line.amount_yen for line in expenses],
                total_project_cost_yen=data.total_project_cost_yen,
            )
        )
    submitted_on = data.submitted_on or today
    if program is not None and applicant is not None and total_ok and requested_ok:
        assert applicant.id is not None
        consecutive_year = rules.consecutive_years(
            fiscal_year=program.fiscal_year,
            # The same definition of "the same program" as the live conditionCheck.
            granted_fiscal_years=await subsidies.granted_fiscal_years(
                session, applicant_id=applicant.id, program=program
            ),
        )
        problems.extend(
            rules.condition_violations(
                requested_amount_yen=data.requested_amount_yen,
                total_project_cost_yen=data.total_project_cost_yen,
                expense_categories=[line.category for line in expenses],
                submitted_on=submitted_on,
                **rules.conditions_of(program),
                consecutive_year=consecutive_year,
                # The budget is weighed when money is granted, not when it is asked for.
                budget_remaining_yen=None,
                amount_for_budget=None,
            )
        )
    problems.raise_if_any()
    assert program is not None and applicant is not None
    assert title is not None and purpose is not None

    application = SubsidyApplication(
        **row_values(
            data,
            SubsidyApplication,
            title=title,
            purpose=purpose,
            status=_Status.SUBMITTED,
            submitted_on=submitted_on,
        )
    )

    async def planned_lines(application_id: int) -> None:
        add_lines(session, application_id, ExpenseKind.PLANNED, expenses)
        await session.flush()

    return await APPLICATIONS.insert(
        session,
        application,
        actor=actor,
        action="subsidyApplication.submit",
        refresh=True,
        children=planned_lines,
    )


async def start_review(
    session: AsyncSession, *, application_id: int, expected_version: int, actor: str
) -> SubsidyApplication:
    """SUBMITTED → UNDER_REVIEW (rule 10)."""
    change = await APPLICATIONS.begin(session, application_id, expected_version)
    return await move(  # (refused by the machine unless the move is allowed)
        change,
        rules.APPLICATION_STATUSES,
        _Status.UNDER_REVIEW,
        actor=actor,
        action="subsidyApplication.startReview",
    )


async def withdraw_application(
    session: AsyncSession,
    *,
    application_id: int,
    expected_version: int,
    reason: str | None,
    actor: str,
) -> SubsidyApplication:
    """WITHDRAWN from any open state: SUBMITTED, UNDER_REVIEW or APPROVED (rule 10).

    A given reason is kept as the application's ``decisionReason`` (the audit event
    keeps whatever it replaces).
    """
    problems = v.Problems()
    text = v.optional_text(
        problems, reason, label="取り下げの理由", field="reason", max_length=MAX_TEXT
    )
    problems.raise_if_any()
    values: dict[str, Any] = {"decision_reason": text} if text is not None else {}
    change = await APPLICATIONS.begin(session, application_id, expected_version)
    return await move(  # (refused by the machine unless the move is allowed)
        change,
        rules.APPLICATION_STATUSES,
        _Status.WITHDRAWN,
        values,
        actor=actor,
        action="subsidyApplication.withdraw",
    )


async def _lock_program(session: AsyncSession, program_id: int) -> SubsidyProgram:
    """The program row, locked until the transaction ends (FOR UPDATE on PostgreSQL).

    Two approvals of the same program then run one after the other: the second reads
    the granted total only after the first has committed, so together they cannot
    overspend the budget. (SQLite has one writer at a time anyway.)
    """
    stmt = (
        sa.select(SubsidyProgram)
        .where(col(SubsidyProgram.id) == program_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one()


_GRANT_AMOUNT_CODES = frozenset({ErrorCode.OVER_MAX_AMOUNT, ErrorCode.OVER_SUBSIDY_RATE})


async def _approval_problems(
    session: AsyncSession, application: SubsidyApplication, granted: int
) -> list[Problem]:
    """The program's conditions re-checked with the amount about to be granted, budget included."""
    assert application.id is not None
    program = await _lock_program(session, application.program_id)
    (granted_total,) = await subsidies.granted_total_by_program(session, [application.program_id])
    (lines,) = await subsidies.expenses_by_application(session, [application.id])
    (consecutive_year,) = await subsidies.consecutive_years_by_application(
        session, [application.id]
    )
    violations = rules.condition_violations(
        requested_amount_yen=granted,
        total_project_cost_yen=application.total_project_cost_yen,
        expense_categories=[line.category for line in lines.planned],
        submitted_on=application.submitted_on,
        **rules.conditions_of(program),
        consecutive_year=consecutive_year,
        # The application is not granted yet, so it takes nothing from the total.
        budget_remaining_yen=program.budget_yen - granted_total,
        amount_for_budget=granted,
        amount_label="交付額",
        amount_field="granted_amount_yen",
    )
    problems: list[Problem] = []
    for problem in violations:
        if problem.code in _GRANT_AMOUNT_CODES or problem.code is ErrorCode.OVER_BUDGET:
            problems.append(problem)
        else:
            # The application itself breaks the condition; no argument of the decision is at fault.
            problems.append(_with_field(problem, None))
    return problems


async def decide_application(
    session: AsyncSession,
    *,
    application_id: int,
    expected_version: int,
    approve: bool,
    granted_amount_yen: int | None,
    reason: str | None,
    decided_on: date | None,
    today: date,
    actor: str,
) -> SubsidyApplication:
    """Grant (交付決定) or refuse (不交付) a subsidy application (第3章(6), rule 10).

    Approving re-checks every program condition with the granted amount (the requested
    amount unless a smaller one is given) and that the program's budget still covers
    it (OVER_BUDGET), with the program row locked so that racing approvals cannot
    overspend. Refusing needs a reason the applicant can read (REASON_REQUIRED).
    """
    change = await APPLICATIONS.begin(session, application_id, expected_version)
    application = change.row
    to = _Status.APPROVED if approve else _Status.REJECTED
    rules.check_application_transition(application.status, to)
    problems = v.Problems()
    text = v.optional_text(problems, reason, label="理由", field="reason", max_length=MAX_TEXT)
    v.check_date(problems, decided_on, label="決定日", field="decided_on")
    day = decided_on or today
    if day < application.submitted_on:
        problems.add(
            ErrorCode.INVALID,
            "決定日は申請日より後の日付にしてください。",
            "decided_on",
        )
    values: dict[str, Any] = {"decided_on": day, "decision_reason": text}
    if approve:
        granted = (
            application.requested_amount_yen if granted_amount_yen is None else granted_amount_yen
        )
        if granted < 0:
            problems.add(ErrorCode.INVALID, "交付額は0円以上にしてください。", "granted_amount_yen")
        elif granted > application.requested_amount_yen:
            problems.add(
                ErrorCode.INVALID,
                f"交付額（{rules.yen(granted)}）は、申請額"
                f"（{rules.yen(application.requested_amount_yen)}）以下にしてください。",
                "granted_amount_yen",
            )
        else:
            problems.extend(await _approval_problems(session, application, granted))
        values["granted_amount_yen"] = granted
    else:
        missing = rules.rejection_requires_reason(text)
        if missing is not None:
            problems.extend([missing])
        if granted_amount_yen is not None:
            problems.add(
                ErrorCode.INVALID,
                "交付しないときは、交付額を入れないでください。",
                "granted_amount_yen",
            )
        values["granted_amount_yen"] = None
    problems.raise_if_any()

    action = "subsidyApplication.approve" if approve else "subsidyApplication.reject"
    return await move(change, rules.APPLICATION_STATUSES, to, values, actor=actor, action=action)


__all__ = [
    "APPLICATIONS",
    "PROGRAMS",
    "ApplicationData",
    "ExpenseData",
    "ProgramData",
    "create_program",
    "decide_application",
    "report_application",
    "settle_application",
    "start_review",
    "submit_application",
    "update_program",
    "withdraw_application",
]
