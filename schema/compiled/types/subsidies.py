"""The compiled path's SubsidyProgram, SubsidyApplication and ExpenseLine
(``schema/subsidies/types.py``). An application's ``consecutiveYear`` and live
``conditionCheck`` are the domain's (``rules.consecutive_years``,
``subsidies.application_problems``) over rows read in the same statement: the program,
what it has granted, the planned expense lines, the earlier grants of the series."""

from __future__ import annotations

from typing import Any

from kyodo.domain.subsidies import rules
from kyodo.domain.subsidies.service import APPLICATION_ORDERING, application_problems
from kyodo.schema.compiled.specs import Derived, Paged, Related, TypeSpec, Value, columns
from kyodo.schema.context import Context
from kyodo.schema.subsidies.types import (
    ConditionCheckType,
    ExpenseLineType,
    SubsidyApplicationType,
    SubsidyProgramType,
)


def _remaining_budget(row: Any, related: dict[str, Any], _context: Context) -> int:
    """``SubsidyProgramType.remaining_budget_yen``: budgetYen minus grantedTotalYen."""
    return int(row.budget_yen - related["granted_total"])


def _statuses(kwargs: dict[str, Any], _context: Context) -> Any:
    """``SubsidyProgramType.applications``' statuses, as its resolver keys them."""
    return tuple(sorted(set(kwargs.get("statuses") or ())))


SUBSIDY_PROGRAM = TypeSpec(
    "SubsidyProgram",
    "SubsidyProgram",
    fields={
        **columns(SubsidyProgramType, "SubsidyProgram"),
        "allowedExpenseCategories": Value(
            ("allowed_expense_categories",), lambda row: list(row.allowed_expense_categories)
        ),
        "department": Related("department"),
        "grantedTotalYen": Related("granted_total"),
        "remainingBudgetYen": Derived(("budget_yen",), {"granted_total": ()}, _remaining_budget),
        "applications": Paged("applications", _statuses, APPLICATION_ORDERING),
    },
)


def _consecutive_year(_row: Any, related: dict[str, Any], _context: Context) -> int:
    """``SubsidyApplicationType.consecutive_year``."""
    return rules.consecutive_years(
        fiscal_year=related["program"].fiscal_year,
        granted_fiscal_years=related["earlier_grant_years"],
    )


def _condition_check(row: Any, related: dict[str, Any], context: Context) -> ConditionCheckType:
    """``SubsidyApplicationType.condition_check``, live."""
    problems = application_problems(
        row,
        related["program"],
        granted_total=related["program_granted_total"],
        planned_categories=[line.category for line in related["expenses"]],
        consecutive_year=_consecutive_year(row, related, context),
    )
    return ConditionCheckType.from_problems(problems)


_CONSECUTIVE = {"program": ("fiscal_year",), "earlier_grant_years": ()}
_CHECKED = (
    "requested_amount_yen",
    "total_project_cost_yen",
    "submitted_on",
    "status",
    "granted_amount_yen",
    "settled_amount_yen",
)

SUBSIDY_APPLICATION = TypeSpec(
    "SubsidyApplication",
    "SubsidyApplication",
    fields={
        **columns(SubsidyApplicationType, "SubsidyApplication"),
        "program": Related("program"),
        "applicant": Related("applicant"),
        "expenses": Related("expenses"),
        "actualExpenses": Related("actual_expenses"),
        "consecutiveYear": Derived((), _CONSECUTIVE, _consecutive_year),
        "conditionCheck": Derived(
            _CHECKED,
            {
                **_CONSECUTIVE,
                "program": ("fiscal_year", "budget_yen", *rules.PROGRAM_CONDITIONS),
                "program_granted_total": (),
                "expenses": ("category",),
            },
            _condition_check,
        ),
    },
)

EXPENSE_LINE = TypeSpec(
    "ExpenseLine", "ExpenseLine", fields=columns(ExpenseLineType, "ExpenseLine")
)
