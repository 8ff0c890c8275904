"""The compiled path's SubsidyProgram (``schema/subsidies/types.py``)."""

from __future__ import annotations

from typing import Any

from kyodo.schema.compiled.specs import Derived, Related, TypeSpec, Value, columns
from kyodo.schema.context import Context
from kyodo.schema.subsidies.types import SubsidyProgramType


def _remaining_budget(row: Any, related: dict[str, Any], _context: Context) -> int:
    """``SubsidyProgramType.remaining_budget_yen``: budgetYen minus grantedTotalYen."""
    return int(row.budget_yen - related["granted_total"])


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
    },
)
