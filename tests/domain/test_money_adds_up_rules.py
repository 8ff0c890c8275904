"""Rule 18's pure functions: the edges, without a database."""

from __future__ import annotations

from kyodo.domain.collaborations.forms import budget_share_problems
from kyodo.domain.errors import ErrorCode
from kyodo.domain.subsidies.rules import (
    eligible_costs_yen,
    expense_total_problems,
    settlement_problems,
)


def test_settlement_is_bounded_by_the_rate_of_the_eligible_costs() -> None:
    def codes(settled: int) -> list[ErrorCode]:
        problems = settlement_problems(
            granted_amount_yen=150_000,
            settled_amount_yen=settled,
            subsidy_rate_percent=50,
            eligible_costs_yen=60_000,
        )
        return [p.code for p in problems]

    assert codes(30_000) == []
    assert codes(30_001) == [ErrorCode.OVER_SUBSIDY_RATE]
    assert codes(150_001) == [ErrorCode.INVALID]


def test_eligible_costs_count_allowed_categories_folded_and_all_without_a_list() -> None:
    lines = [("印刷費 ", 40_000), ("飲食費", 100_000)]
    assert eligible_costs_yen(lines, ["印刷費"]) == 40_000
    assert eligible_costs_yen(lines, []) == 140_000


def test_expense_lines_must_add_up_to_the_total_when_given() -> None:
    assert expense_total_problems([], total_project_cost_yen=300_000) == []
    assert expense_total_problems([100_000, 200_000], total_project_cost_yen=300_000) == []
    (problem,) = expense_total_problems([1], total_project_cost_yen=300_000)
    assert (problem.code, problem.field) == (ErrorCode.INVALID, "expenses")


def test_shares_fit_in_the_total() -> None:
    def fits(total: int | None, city: int | None, partner: int | None) -> bool:
        return not budget_share_problems(
            budget_total_yen=total, city_share_yen=city, partner_share_yen=partner
        )

    assert fits(1_000, 600, 400) and fits(None, 900_000, 900_000) and fits(1_000, None, 1_000)
    assert not fits(1_000, 900_000, 900_000) and not fits(1_000, 1_001, None)
    # A negative amount is refused by its own check, not twice.
    assert fits(-1, 5, 5)
