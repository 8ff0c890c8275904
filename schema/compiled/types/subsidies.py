"""The compiled path's SubsidyProgram, SubsidyApplication and ExpenseLine
(``schema/subsidies/types.py``). An application's ``consecutiveYear`` and
``conditionCheck`` (Python over the applicant's history and the program's conditions)
are left to Strawberry."""

from __future__ import annotations

from typing import Any

from kyodo.domain.subsidies.service import APPLICATION_ORDERING
from kyodo.schema.compiled.specs import Derived, Paged, Related, TypeSpec, Value, columns
from kyodo.schema.context import Context
from kyodo.schema.subsidies.types import (
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

SUBSIDY_APPLICATION = TypeSpec(
    "SubsidyApplication",
    "SubsidyApplication",
    fields={
        **columns(SubsidyApplicationType, "SubsidyApplication"),
        "program": Related("program"),
        "applicant": Related("applicant"),
        "expenses": Related("expenses"),
        "actualExpenses": Related("actual_expenses"),
    },
)

EXPENSE_LINE = TypeSpec(
    "ExpenseLine", "ExpenseLine", fields=columns(ExpenseLineType, "ExpenseLine")
)
