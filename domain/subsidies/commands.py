"""Changing subsidy programs and applications (補助・助成, 第3章(6), rule 10).

Every function validates first (collecting every problem, so staff see them all at
once), writes with a conditional UPDATE on ``expectedVersion`` (rule 15), records
exactly one audit event, flushes and never commits: the caller commits once.

The program's conditions are checked by :func:`domain.subsidies.rules.condition_violations`
on submission and again, with the granted amount, on approval — the same function that
powers the live ``conditionCheck`` — so a condition is defined in one place only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import validation as v
from domain.audit.log import snapshot
from domain.enums import ExpenseKind, SubsidyApplicationStatus
from domain.errors import DomainError, ErrorCode, Problem
from domain.partners.models import Partner
from domain.reference.service import get_department_by_code
from domain.subsidies import rules
from domain.subsidies import service as subsidies
from domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram
from domain.versioning import not_found
from domain.writes import Audited, fields_snapshot

_Status = SubsidyApplicationStatus

PROGRAM_ENTITY = "SubsidyProgram"
APPLICATION_ENTITY = "SubsidyApplication"

PROGRAM_FIELDS = (
    "name",
    "series_key",
    "department_id",
    "fiscal_year",
    "budget_yen",
    "max_amount_per_grant_yen",
    "subsidy_rate_percent",
    "allowed_expense_categories",
    "max_consecutive_years",
    "application_deadline",
)
APPLICATION_FIELDS = (
    "program_id",
    "applicant_id",
    "title",
    "purpose",
    "total_project_cost_yen",
    "requested_amount_yen",
    "granted_amount_yen",
    "status",
    "submitted_on",
    "decided_on",
    "decision_reason",
    "settled_amount_yen",
)

MAX_TEXT = v.MAX_TEXT
# An expense line's description (a TEXT column): a line, not a report.
MAX_EXPENSE_DESCRIPTION = 1000
# Fiscal years are written as the Western year they start in (2021 = 令和3年度).
MIN_FISCAL_YEAR, MAX_FISCAL_YEAR = 1989, 2100


# ------------------------------------------------------------------ inputs


@dataclass
class ExpenseData:
    category: str
    amount_yen: int
    description: str | None = None


@dataclass
class ProgramData:
    name: str
    department_code: str
    fiscal_year: int
    budget_yen: int
    allowed_expense_categories: list[str] = field(default_factory=list)
    max_amount_per_grant_yen: int | None = None
    subsidy_rate_percent: int | None = None
    max_consecutive_years: int | None = None
    application_deadline: date | None = None
    # The yearly editions of one program share it (期限); None: derived from the name.
    series_key: str | None = None


@dataclass
class ApplicationData:
    program_id: int
    applicant_id: int
    title: str
    purpose: str
    total_project_cost_yen: int
    requested_amount_yen: int
    expenses: list[ExpenseData] = field(default_factory=list)
    # None: submitted today.
    submitted_on: date | None = None


# ------------------------------------------------------------------ shared checks


def _expense_lines(
    problems: v.Problems, lines: Sequence[ExpenseData], *, field: list[str]
) -> list[ExpenseData]:
    """Clean expense lines; at most 100, each with a category and an amount ≥ 0."""
    if not v.bounded_list(problems, lines, label="経費", field=field):
        return []
    cleaned: list[ExpenseData] = []
    for i, line in enumerate(lines):
        prefix = [*field, str(i)]
        category = v.required_text(
            problems,
            line.category,
            label="経費の区分",
            field=[*prefix, "category"],
            max_length=v.max_length(ExpenseLine.category),
        )
        v.amount(problems, line.amount_yen, label="経費の金額", field=[*prefix, "amountYen"])
        description = v.optional_text(
            problems,
            line.description,
            label="経費の説明",
            field=[*prefix, "description"],
            max_length=MAX_EXPENSE_DESCRIPTION,
        )
        cleaned.append(ExpenseData(category or "", line.amount_yen, description))
    return cleaned


def _with_field(problem: Problem, field: Sequence[str] | None) -> Problem:
    return Problem(problem.code, problem.message, field)


def _expense_dict(line: ExpenseLine | ExpenseData) -> dict[str, Any]:
    return {
        "category": line.category,
        "amount_yen": line.amount_yen,
        "description": line.description,
    }


async def _application_snapshot(
    session: AsyncSession, application: SubsidyApplication
) -> dict[str, Any]:
    """The application's columns and both expense lists, as the audit event records them."""
    assert application.id is not None
    (lines,) = await subsidies.expenses_by_application(session, [application.id])
    return snapshot(application, APPLICATION_FIELDS) | {
        "expenses": [_expense_dict(line) for line in lines.planned],
        "actual_expenses": [_expense_dict(line) for line in lines.actual],
    }


def _add_lines(
    session: AsyncSession, application_id: int, kind: ExpenseKind, lines: Sequence[ExpenseData]
) -> None:
    session.add_all(
        [
            ExpenseLine(
                application_id=application_id,
                kind=kind,
                position=position,
                category=line.category,
                amount_yen=line.amount_yen,
                description=line.description,
            )
            for position, line in enumerate(lines)
        ]
    )


APPLICATIONS = Audited(
    SubsidyApplication,
    entity_type=APPLICATION_ENTITY,
    label="補助金の申請",
    snapshot=_application_snapshot,
)
PROGRAMS = Audited(
    SubsidyProgram,
    entity_type=PROGRAM_ENTITY,
    label="補助金の制度",
    snapshot=fields_snapshot(PROGRAM_FIELDS),
)


# ------------------------------------------------------------------ programs


async def create_program(session: AsyncSession, *, data: ProgramData, actor: str) -> SubsidyProgram:
    """Set up a subsidy program with its conditions (第3章(6)).

    A program sets a budget, and may set a maximum per grant, a subsidy rate (補助率,
    1–100 %), the expense categories it pays for (用途の制限), the most consecutive
    fiscal years one recipient may receive it (期限, at least 1) and a deadline.
    The name is unique per fiscal year. The series key (``seriesKey``) ties the yearly
    editions together, whatever each is called: 期限 counts by it. Without one it is
    derived from the name (:func:`domain.subsidies.service.series_key_of`).
    """
    problems = v.Problems()
    name = v.required_text(
        problems,
        data.name,
        label="制度の名前",
        field=["input", "name"],
        max_length=v.max_length(SubsidyProgram.name),
    )
    series_key = _series_key(problems, data.series_key, name)
    v.check_date(
        problems,
        data.application_deadline,
        label="申請の締め切り",
        field=["input", "applicationDeadline"],
    )
    department = await get_department_by_code(session, data.department_code)
    if department is None:
        problems.add(
            ErrorCode.NOT_FOUND,
            f"担当課コード「{data.department_code}」は登録されていません。",
            ["input", "departmentCode"],
        )
    if not MIN_FISCAL_YEAR <= data.fiscal_year <= MAX_FISCAL_YEAR:
        problems.add(
            ErrorCode.INVALID,
            "年度は西暦の4桁で入れてください（例：令和3年度なら2021）。",
            ["input", "fiscalYear"],
        )
    v.amount(problems, data.budget_yen, label="予算額", field=["input", "budgetYen"])
    v.amount(
        problems,
        data.max_amount_per_grant_yen,
        label="1件あたりの上限額",
        field=["input", "maxAmountPerGrantYen"],
    )
    rate = data.subsidy_rate_percent
    if rate is not None and not 1 <= rate <= 100:
        problems.add(
            ErrorCode.INVALID,
            "補助率は1〜100（%）の範囲で入れてください。",
            ["input", "subsidyRatePercent"],
        )
    if data.max_consecutive_years is not None and data.max_consecutive_years < 1:
        problems.add(
            ErrorCode.INVALID,
            "続けて受けられる年数は1年以上にしてください。",
            ["input", "maxConsecutiveYears"],
        )
    categories: list[str] = []
    category_field = ["input", "allowedExpenseCategories"]
    if v.bounded_list(
        problems, data.allowed_expense_categories, label="経費の区分", field=category_field
    ):
        for i, raw in enumerate(data.allowed_expense_categories):
            category = v.required_text(
                problems,
                raw,
                label="経費の区分",
                field=[*category_field, str(i)],
                # The categories that expense lines must match: as long as theirs.
                max_length=v.max_length(ExpenseLine.category),
            )
            if category is not None and category not in categories:
                categories.append(category)
    if name is not None and department is not None and not problems:
        await _check_unique_name(session, problems, name, data.fiscal_year)
    problems.raise_if_any()
    assert name is not None and department is not None and department.id is not None
    assert series_key is not None

    program = SubsidyProgram(
        name=name,
        series_key=series_key,
        department_id=department.id,
        fiscal_year=data.fiscal_year,
        budget_yen=data.budget_yen,
        max_amount_per_grant_yen=data.max_amount_per_grant_yen,
        subsidy_rate_percent=rate,
        allowed_expense_categories=categories,
        max_consecutive_years=data.max_consecutive_years,
        application_deadline=data.application_deadline,
    )
    session.add(program)
    await session.flush()
    await PROGRAMS.created(session, program, actor=actor, action="subsidyProgram.create")
    return program


def _series_key(problems: v.Problems, given: str | None, name: str | None) -> str | None:
    """The series key of ``given`` (``seriesKey``), else of the program's ``name``;
    REQUIRED when ``given`` folds to nothing (「（令和3年度）」 alone)."""
    source = given if given is not None else name
    if source is None:
        return None
    key = subsidies.series_key_of(source)
    if not key:
        problems.add(
            ErrorCode.REQUIRED,
            "制度の系列（seriesKey）に、年度の表示以外の文字を入れてください。",
            ["input", "seriesKey" if given is not None else "name"],
        )
        return None
    if len(key) > (limit := v.max_length(SubsidyProgram.series_key)):
        problems.add(
            ErrorCode.INVALID,
            f"制度の系列（seriesKey）は{limit}文字以内にしてください。",
            ["input", "seriesKey" if given is not None else "name"],
        )
        return None
    return key


async def _check_unique_name(
    session: AsyncSession,
    problems: v.Problems,
    name: str,
    fiscal_year: int,
    *,
    other_than: int | None = None,
) -> None:
    stmt = sa.select(col(SubsidyProgram.id)).where(
        col(SubsidyProgram.name) == name, col(SubsidyProgram.fiscal_year) == fiscal_year
    )
    if other_than is not None:
        stmt = stmt.where(col(SubsidyProgram.id) != other_than)
    if (await session.execute(stmt)).first() is not None:
        problems.add(
            ErrorCode.DUPLICATE,
            f"{fiscal_year}年度の「{name}」はすでに登録されています。",
            ["input", "name"],
        )


async def update_program(
    session: AsyncSession,
    *,
    program_id: int,
    expected_version: int,
    name: str | None = None,
    series_key: str | None = None,
    actor: str,
) -> SubsidyProgram:
    """Rename a program or move it to another series (第3章(6)).

    Renaming keeps the series key: the program stays the same series for 期限 whatever
    it is called now. ``seriesKey`` changes only when given (normalised as on
    creation). The new name must still be unique in the program's fiscal year.
    """
    change = await PROGRAMS.begin(session, program_id, expected_version)
    program = change.row
    problems = v.Problems()
    values: dict[str, Any] = {}
    if name is not None:
        new_name = v.required_text(
            problems,
            name,
            label="制度の名前",
            field=["input", "name"],
            max_length=v.max_length(SubsidyProgram.name),
        )
        if new_name is not None:
            await _check_unique_name(
                session, problems, new_name, program.fiscal_year, other_than=program_id
            )
            values["name"] = new_name
    if series_key is not None:
        key = _series_key(problems, series_key, None)
        if key is not None:
            values["series_key"] = key
    problems.raise_if_any()
    await change.write(values)
    await change.record(actor=actor, action="subsidyProgram.update")
    return program


# ------------------------------------------------------------------ applications


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
        problems.extend(not_found("補助金の制度", ["input", "programId"]).problems)
    applicant = await session.get(Partner, data.applicant_id)
    if applicant is None:
        problems.extend(not_found("申請団体", ["input", "applicantId"]).problems)
    title = v.required_text(
        problems,
        data.title,
        label="事業名",
        field=["input", "title"],
        max_length=v.max_length(SubsidyApplication.title),
    )
    v.check_date(problems, data.submitted_on, label="申請日", field=["input", "submittedOn"])
    purpose = v.required_text(
        problems, data.purpose, label="事業の目的", field=["input", "purpose"], max_length=MAX_TEXT
    )
    v.amount(
        problems,
        data.total_project_cost_yen,
        label="事業費の総額",
        field=["input", "totalProjectCostYen"],
    )
    if data.requested_amount_yen <= 0:
        # An application asks for money: 0 yen is no application (rule 18).
        problems.add(
            ErrorCode.INVALID,
            f"申請額は1円以上にしてください（{rules.yen(data.requested_amount_yen)}）。",
            ["input", "requestedAmountYen"],
        )
    total_ok = data.total_project_cost_yen >= 0
    requested_ok = data.requested_amount_yen > 0
    if total_ok and requested_ok and data.requested_amount_yen > data.total_project_cost_yen:
        problems.add(
            ErrorCode.INVALID,
            f"申請額（{rules.yen(data.requested_amount_yen)}）が、事業費の総額"
            f"（{rules.yen(data.total_project_cost_yen)}）を超えています。",
            ["input", "requestedAmountYen"],
        )
    before_lines = len(problems.items)
    expenses = _expense_lines(problems, data.expenses, field=["input", "expenses"])
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
                max_amount_per_grant_yen=program.max_amount_per_grant_yen,
                subsidy_rate_percent=program.subsidy_rate_percent,
                allowed_expense_categories=program.allowed_expense_categories,
                max_consecutive_years=program.max_consecutive_years,
                consecutive_year=consecutive_year,
                application_deadline=program.application_deadline,
                # The budget is weighed when money is granted, not when it is asked for.
                budget_remaining_yen=None,
                amount_for_budget=None,
            )
        )
    problems.raise_if_any()
    assert program is not None and applicant is not None
    assert title is not None and purpose is not None

    application = SubsidyApplication(
        program_id=data.program_id,
        applicant_id=data.applicant_id,
        title=title,
        purpose=purpose,
        total_project_cost_yen=data.total_project_cost_yen,
        requested_amount_yen=data.requested_amount_yen,
        status=_Status.SUBMITTED,
        submitted_on=submitted_on,
    )
    session.add(application)
    await session.flush()
    assert application.id is not None
    _add_lines(session, application.id, ExpenseKind.PLANNED, expenses)
    await session.flush()
    await session.refresh(application)
    await APPLICATIONS.created(
        session, application, actor=actor, action="subsidyApplication.submit"
    )
    return application


async def _transition(
    session: AsyncSession,
    *,
    application_id: int,
    expected_version: int,
    to: SubsidyApplicationStatus,
    values: dict[str, Any],
    action: str,
    actor: str,
) -> SubsidyApplication:
    change = await APPLICATIONS.begin(session, application_id, expected_version)
    rules.check_application_transition(change.row.status, to)
    await change.write({"status": to, **values})
    await change.record(actor=actor, action=action)
    return change.row


async def start_review(
    session: AsyncSession, *, application_id: int, expected_version: int, actor: str
) -> SubsidyApplication:
    """SUBMITTED → UNDER_REVIEW (rule 10)."""
    return await _transition(
        session,
        application_id=application_id,
        expected_version=expected_version,
        to=_Status.UNDER_REVIEW,
        values={},
        action="subsidyApplication.startReview",
        actor=actor,
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
        problems, reason, label="取り下げの理由", field=["reason"], max_length=MAX_TEXT
    )
    problems.raise_if_any()
    values: dict[str, Any] = {"decision_reason": text} if text is not None else {}
    return await _transition(
        session,
        application_id=application_id,
        expected_version=expected_version,
        to=_Status.WITHDRAWN,
        values=values,
        action="subsidyApplication.withdraw",
        actor=actor,
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
        max_amount_per_grant_yen=program.max_amount_per_grant_yen,
        subsidy_rate_percent=program.subsidy_rate_percent,
        allowed_expense_categories=program.allowed_expense_categories,
        max_consecutive_years=program.max_consecutive_years,
        consecutive_year=consecutive_year,
        application_deadline=program.application_deadline,
        # The application is not granted yet, so it takes nothing from the total.
        budget_remaining_yen=program.budget_yen - granted_total,
        amount_for_budget=granted,
        amount_label="交付額",
        amount_field=["grantedAmountYen"],
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
    rules.check_application_transition(
        application.status, _Status.APPROVED if approve else _Status.REJECTED
    )
    problems = v.Problems()
    text = v.optional_text(problems, reason, label="理由", field=["reason"], max_length=MAX_TEXT)
    v.check_date(problems, decided_on, label="決定日", field=["decidedOn"])
    day = decided_on or today
    if day < application.submitted_on:
        problems.add(
            ErrorCode.INVALID,
            "決定日は申請日より後の日付にしてください。",
            ["decidedOn"],
        )
    values: dict[str, Any] = {"decided_on": day, "decision_reason": text}
    if approve:
        granted = (
            application.requested_amount_yen if granted_amount_yen is None else granted_amount_yen
        )
        if granted < 0:
            problems.add(ErrorCode.INVALID, "交付額は0円以上にしてください。", ["grantedAmountYen"])
        elif granted > application.requested_amount_yen:
            problems.add(
                ErrorCode.INVALID,
                f"交付額（{rules.yen(granted)}）は、申請額"
                f"（{rules.yen(application.requested_amount_yen)}）以下にしてください。",
                ["grantedAmountYen"],
            )
        else:
            problems.extend(await _approval_problems(session, application, granted))
        values |= {"status": _Status.APPROVED, "granted_amount_yen": granted}
    else:
        missing = rules.rejection_requires_reason(text)
        if missing is not None:
            problems.extend([missing])
        if granted_amount_yen is not None:
            problems.add(
                ErrorCode.INVALID,
                "交付しないときは、交付額を入れないでください。",
                ["grantedAmountYen"],
            )
        values |= {"status": _Status.REJECTED, "granted_amount_yen": None}
    problems.raise_if_any()

    await change.write(values)
    await change.record(
        actor=actor,
        action="subsidyApplication.approve" if approve else "subsidyApplication.reject",
    )
    return application


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
    field = ["actualExpenses"]
    if not actual_expenses:
        problems.add(ErrorCode.REQUIRED, "実際にかかった経費を1行以上入れてください。", field)
    lines = _expense_lines(problems, actual_expenses, field=field)
    program = await session.get(SubsidyProgram, application.program_id)
    assert program is not None
    violations = rules.condition_violations(
        requested_amount_yen=0,
        total_project_cost_yen=0,
        expense_categories=[line.category for line in lines],
        submitted_on=application.submitted_on,
        max_amount_per_grant_yen=None,
        subsidy_rate_percent=None,
        allowed_expense_categories=program.allowed_expense_categories,
        max_consecutive_years=None,
        consecutive_year=1,
        application_deadline=None,
        budget_remaining_yen=None,
        amount_for_budget=None,
    )
    for problem in violations:
        # The rule names the line by its index in the list it was given: keep the index,
        # point at this argument.
        index = problem.field[2] if problem.field and len(problem.field) > 2 else None
        problems.extend([_with_field(problem, [*field, index, "category"] if index else field)])
    problems.raise_if_any()

    await change.write({"status": _Status.REPORTED})
    await session.execute(
        sa.delete(ExpenseLine).where(
            col(ExpenseLine.application_id) == application_id,
            col(ExpenseLine.kind) == ExpenseKind.ACTUAL,
        )
    )
    _add_lines(session, application_id, ExpenseKind.ACTUAL, lines)
    await session.flush()
    await change.record(actor=actor, action="subsidyApplication.report")
    return application


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
    await change.write({"status": _Status.SETTLED, "settled_amount_yen": settled_amount_yen})
    await change.record(actor=actor, action="subsidyApplication.settle")
    return application


__all__ = [
    "ApplicationData",
    "ExpenseData",
    "ProgramData",
    "create_program",
    "decide_application",
    "report_application",
    "settle_application",
    "start_review",
    "submit_application",
    "withdraw_application",
]
