"""Subsidy programs and applications as callers describe them, and the checks of their
expense lines (補助・助成, 第3章(6)), shared by submission and the report of what was spent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from kyodo.domain import validation as v
from kyodo.domain.errors import at
from kyodo.domain.subsidies.models import ExpenseLine

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


def expense_category(problems: v.Problems, value: str | None, *, field: str) -> str | None:
    """An expense category (経費の区分), of a line or among those a program pays for: the
    two must match, so both are as long as an expense line's column holds."""
    return v.column_text(
        problems, value, ExpenseLine.category, label="経費の区分", field=field, required=True
    )


def expense_lines(
    problems: v.Problems, lines: Sequence[ExpenseData], *, field: str
) -> list[ExpenseData]:
    """Clean expense lines; at most 100, each with a category and an amount ≥ 0."""
    if not v.bounded_list(problems, lines, label="経費", field=field):
        return []
    cleaned: list[ExpenseData] = []
    for i, line in enumerate(lines):
        prefix = at(field, i)
        category = expense_category(problems, line.category, field=at(prefix, "category"))
        v.amount(problems, line.amount_yen, label="経費の金額", field=at(prefix, "amount_yen"))
        description = v.optional_text(
            problems,
            line.description,
            label="経費の説明",
            field=at(prefix, "description"),
            max_length=MAX_EXPENSE_DESCRIPTION,
        )
        cleaned.append(ExpenseData(category or "", line.amount_yen, description))
    return cleaned
