"""Subsidy rules (補助・助成, 第3章(6), rule 10)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kyodo.domain.enums import SubsidyApplicationStatus
from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.subsidies.rules import (
    APPLICATION_TRANSITIONS,
    check_application_transition,
    condition_violations,
    consecutive_years,
    rejection_requires_reason,
    settlement_problems,
    yen,
)

Status = SubsidyApplicationStatus

# ------------------------------------------------------------------ consecutive_years


def test_first_grant_is_year_one() -> None:
    # given an applicant never granted before
    # when counting consecutive years for fiscal 2021
    # then this year is the first
    assert consecutive_years(fiscal_year=2021, granted_fiscal_years=[]) == 1


def test_unbroken_run_counts_every_year() -> None:
    # given grants in fiscal 2018, 2019 and 2020
    # when counting for fiscal 2021
    # then 2021 would be the fourth year in a row
    assert consecutive_years(fiscal_year=2021, granted_fiscal_years=[2018, 2019, 2020]) == 4


def test_a_gap_ends_the_run() -> None:
    # given grants in 2017, 2018 and 2020 (none in 2019)
    # when counting for fiscal 2021
    # then only 2020 continues into 2021
    assert consecutive_years(fiscal_year=2021, granted_fiscal_years=[2017, 2018, 2020]) == 2


def test_last_year_missing_means_year_one() -> None:
    # given grants long ago but not last year
    # when counting for fiscal 2021
    # then the run starts again
    assert consecutive_years(fiscal_year=2021, granted_fiscal_years=[2018, 2019]) == 1


def test_this_year_and_later_years_are_ignored() -> None:
    # given grants recorded for this year and next (e.g. a second application)
    # when counting for fiscal 2021
    # then only earlier years count
    assert consecutive_years(fiscal_year=2021, granted_fiscal_years=[2020, 2021, 2022]) == 2


def test_duplicate_years_count_once() -> None:
    # given two grants in the same earlier year
    # when counting
    # then the year counts once
    assert consecutive_years(fiscal_year=2021, granted_fiscal_years=[2020, 2020]) == 2


# ------------------------------------------------------------------ condition_violations

PROGRAM: dict[str, Any] = {
    "requested_amount_yen": 50_000,
    "total_project_cost_yen": 100_000,
    "expense_categories": ["報償費", "消耗品費"],
    "submitted_on": date(2021, 6, 30),
    "max_amount_per_grant_yen": 300_000,
    "subsidy_rate_percent": 50,
    "allowed_expense_categories": ["報償費", "消耗品費", "広告費"],
    "max_consecutive_years": 3,
    "consecutive_year": 3,
    "application_deadline": date(2021, 6, 30),
    "budget_remaining_yen": 1_000_000,
    "amount_for_budget": None,
}


def violations(**changes: Any) -> list[Problem]:
    return condition_violations(**{**PROGRAM, **changes})


def codes(problems: list[Problem]) -> list[ErrorCode]:
    return [p.code for p in problems]


def test_application_within_every_condition_has_no_violations() -> None:
    # given an application on the edge of every limit
    # when checking the program's conditions
    # then none is broken
    assert violations() == []


def test_program_without_conditions_checks_nothing() -> None:
    # given a program that sets no limits at all
    # when checking a large, late, odd application
    result = violations(
        requested_amount_yen=10_000_000,
        max_amount_per_grant_yen=None,
        subsidy_rate_percent=None,
        allowed_expense_categories=[],
        expense_categories=["何でも"],
        max_consecutive_years=None,
        consecutive_year=10,
        application_deadline=None,
        budget_remaining_yen=None,
        amount_for_budget=10_000_000,
    )
    # then nothing is reported
    assert result == []


def test_request_over_the_maximum_per_grant() -> None:
    # given a program paying at most 30,000 yen per grant
    # when 30,001 yen is requested
    result = violations(
        requested_amount_yen=30_001, max_amount_per_grant_yen=30_000, subsidy_rate_percent=None
    )
    # then OVER_MAX_AMOUNT, with both amounts shown as yen
    assert [(p.code, p.field) for p in result] == [
        (ErrorCode.OVER_MAX_AMOUNT, "requested_amount_yen")
    ]
    assert "30,001円" in result[0].message
    assert "30,000円" in result[0].message


def test_request_equal_to_the_maximum_is_fine() -> None:
    # given a maximum of 50,000 yen
    # when exactly 50,000 yen is requested
    # then it is within the limit
    assert violations(max_amount_per_grant_yen=50_000) == []


def test_request_one_yen_over_the_rate_is_refused() -> None:
    # given a 50% rate on a 100,001-yen project (exactly 50,000.5 yen allowed)
    # when 50,001 yen is requested
    result = violations(total_project_cost_yen=100_001, requested_amount_yen=50_001)
    # then OVER_SUBSIDY_RATE (integer comparison, no rounding up)
    assert codes(result) == [ErrorCode.OVER_SUBSIDY_RATE]
    assert "50,000円" in result[0].message


def test_request_just_within_an_uneven_rate_is_fine() -> None:
    # given a 50% rate on a 100,001-yen project
    # when 50,000 yen is requested
    # then it is within the rate
    assert violations(total_project_cost_yen=100_001, requested_amount_yen=50_000) == []


def test_rate_that_floats_would_get_wrong_is_exact() -> None:
    # given a 29% rate on 100 yen: 0.29 * 100 is 28.999999999999996 in floating point
    # when exactly 29 yen is requested
    # then it is allowed, because the check is done in integers
    assert (
        violations(requested_amount_yen=29, total_project_cost_yen=100, subsidy_rate_percent=29)
        == []
    )


def test_rate_message_shows_the_limit() -> None:
    # given a 50% rate on a 100,000-yen project
    # when 60,000 yen is requested
    result = violations(requested_amount_yen=60_000)
    # then the message shows the request, the project cost and the limit
    assert "60,000円" in result[0].message
    assert "100,000円" in result[0].message
    assert "50%" in result[0].message
    assert "50,000円" in result[0].message


def test_each_disallowed_expense_line_is_named_by_position() -> None:
    # given two expense lines the program does not pay for
    # when checking conditions
    result = violations(expense_categories=["報償費", "飲食費", "消耗品費", "備品購入費"])
    # then each is reported at its own position
    assert [(p.code, p.field) for p in result] == [
        (ErrorCode.EXPENSE_NOT_ALLOWED, "expenses.1.category"),
        (ErrorCode.EXPENSE_NOT_ALLOWED, "expenses.3.category"),
    ]
    assert "「飲食費」" in result[0].message


def test_expense_categories_match_regardless_of_width_and_spaces() -> None:
    # given a category typed with a trailing full-width space and a half-width variant
    # when checking conditions against the program's list
    result = violations(
        expense_categories=["報償費\u3000", "ﾁﾗｼ印刷費"],
        allowed_expense_categories=["報償費", "チラシ印刷費"],
    )
    # then they still match
    assert result == []


def test_empty_allowed_list_means_no_restriction() -> None:
    # given a program with no expense restriction
    # when any category is used
    # then it is allowed
    assert violations(allowed_expense_categories=[], expense_categories=["飲食費"]) == []


def test_consecutive_years_over_the_limit() -> None:
    # given a program allowing three years in a row
    # when this would be the fourth
    result = violations(consecutive_year=4)
    # then CONSECUTIVE_YEARS_EXCEEDED, naming both numbers
    assert [(p.code, p.field) for p in result] == [
        (ErrorCode.CONSECUTIVE_YEARS_EXCEEDED, "applicant_id")
    ]
    assert "3年度" in result[0].message
    assert "4年度" in result[0].message


def test_submitted_on_the_deadline_is_in_time() -> None:
    # given a deadline of 30 June 2021
    # when submitted that day
    # then it is in time
    assert violations(submitted_on=date(2021, 6, 30)) == []


def test_submitted_after_the_deadline() -> None:
    # given a deadline of 30 June 2021
    # when submitted on 1 July 2021
    result = violations(submitted_on=date(2021, 7, 1))
    # then DEADLINE_PASSED, with the dates in wareki
    assert [(p.code, p.field) for p in result] == [(ErrorCode.DEADLINE_PASSED, "submitted_on")]
    assert "令和3年6月30日" in result[0].message


def test_budget_is_not_checked_without_an_amount_to_commit() -> None:
    # given no amount about to be granted (e.g. at submission)
    # when the budget is already used up
    # then the budget is not checked
    assert violations(budget_remaining_yen=0, amount_for_budget=None) == []


def test_grant_over_the_remaining_budget() -> None:
    # given 40,000 yen left in the budget
    # when granting 50,000 yen
    result = violations(budget_remaining_yen=40_000, amount_for_budget=50_000)
    # then OVER_BUDGET on the granted amount, with both amounts in yen
    assert [(p.code, p.field) for p in result] == [(ErrorCode.OVER_BUDGET, "granted_amount_yen")]
    assert "40,000円" in result[0].message


def test_grant_using_up_the_budget_exactly_is_fine() -> None:
    # given 50,000 yen left in the budget
    # when granting 50,000 yen
    # then it fits
    assert violations(budget_remaining_yen=50_000, amount_for_budget=50_000) == []


def test_all_violations_are_reported_together_in_a_fixed_order() -> None:
    # given an application that breaks every condition
    # when checking conditions
    result = violations(
        requested_amount_yen=400_000,
        expense_categories=["飲食費"],
        consecutive_year=4,
        submitted_on=date(2021, 7, 1),
        budget_remaining_yen=100_000,
        amount_for_budget=400_000,
    )
    # then each is reported once, in rule order
    assert codes(result) == [
        ErrorCode.OVER_MAX_AMOUNT,
        ErrorCode.OVER_SUBSIDY_RATE,
        ErrorCode.EXPENSE_NOT_ALLOWED,
        ErrorCode.CONSECUTIVE_YEARS_EXCEEDED,
        ErrorCode.DEADLINE_PASSED,
        ErrorCode.OVER_BUDGET,
    ]


def test_yen_formats_with_thousands_separators() -> None:
    # given an amount
    # when formatting it
    # then it reads like 1,234,567円
    assert yen(1_234_567) == "1,234,567円"


# ------------------------------------------------------------------ status machine

ALLOWED = {
    (Status.SUBMITTED, Status.UNDER_REVIEW),
    (Status.SUBMITTED, Status.APPROVED),
    (Status.SUBMITTED, Status.REJECTED),
    (Status.UNDER_REVIEW, Status.APPROVED),
    (Status.UNDER_REVIEW, Status.REJECTED),
    (Status.APPROVED, Status.REPORTED),
    (Status.REPORTED, Status.SETTLED),
    (Status.SUBMITTED, Status.WITHDRAWN),
    (Status.UNDER_REVIEW, Status.WITHDRAWN),
    (Status.APPROVED, Status.WITHDRAWN),
}


def test_transition_table_is_exactly_the_flow() -> None:
    # given the table
    # when listing it
    table = {(c, t) for c, targets in APPLICATION_TRANSITIONS.items() for t in targets}
    # then it is the rule's flow and nothing more
    assert table == ALLOWED


@pytest.mark.parametrize(("current", "to"), sorted(ALLOWED))
def test_allowed_application_transitions_pass(
    current: SubsidyApplicationStatus, to: SubsidyApplicationStatus
) -> None:
    # given an allowed step of the flow
    # when checking it
    # then nothing is raised
    check_application_transition(current, to)


@pytest.mark.parametrize(
    ("current", "to"), [(c, t) for c in Status for t in Status if (c, t) not in ALLOWED]
)
def test_other_application_transitions_are_invalid(
    current: SubsidyApplicationStatus, to: SubsidyApplicationStatus
) -> None:
    # given a step outside the flow
    # when checking it
    with pytest.raises(DomainError) as caught:
        check_application_transition(current, to)
    # then it is INVALID_TRANSITION
    assert caught.value.code is ErrorCode.INVALID_TRANSITION


def test_invalid_application_transition_names_both_states() -> None:
    # given a settled application
    # when trying to withdraw it
    with pytest.raises(DomainError) as caught:
        check_application_transition(Status.SETTLED, Status.WITHDRAWN)
    # then the message names both states in Japanese
    assert "「精算済み」" in caught.value.problems[0].message
    assert "「取り下げ」" in caught.value.problems[0].message


# ------------------------------------------------------------------ settlement and rejection


def test_settling_below_the_grant_is_fine() -> None:
    # given a 100,000-yen grant
    # when settling 80,000 yen (less was spent)
    # then it is accepted
    assert settlement_problems(granted_amount_yen=100_000, settled_amount_yen=80_000) == []


def test_settling_exactly_the_grant_is_fine() -> None:
    # given a 100,000-yen grant
    # when settling 100,000 yen
    # then it is accepted
    assert settlement_problems(granted_amount_yen=100_000, settled_amount_yen=100_000) == []


def test_settling_zero_is_fine() -> None:
    # given a grant whose project spent nothing eligible
    # when settling 0 yen
    # then it is accepted
    assert settlement_problems(granted_amount_yen=100_000, settled_amount_yen=0) == []


def test_settling_above_the_grant_is_invalid() -> None:
    # given a 100,000-yen grant
    # when settling 100,001 yen
    result = settlement_problems(granted_amount_yen=100_000, settled_amount_yen=100_001)
    # then INVALID on settledAmountYen, showing both amounts
    assert [(p.code, p.field) for p in result] == [(ErrorCode.INVALID, "settled_amount_yen")]
    assert "100,001円" in result[0].message
    assert "100,000円" in result[0].message


def test_negative_settlement_is_invalid() -> None:
    # given a grant
    # when settling a negative amount
    result = settlement_problems(granted_amount_yen=100_000, settled_amount_yen=-1)
    # then INVALID on settledAmountYen
    assert [(p.code, p.field) for p in result] == [(ErrorCode.INVALID, "settled_amount_yen")]


def test_settling_without_a_grant_is_invalid() -> None:
    # given an application with no granted amount
    # when settling
    result = settlement_problems(granted_amount_yen=None, settled_amount_yen=0)
    # then INVALID on settledAmountYen
    assert [(p.code, p.field) for p in result] == [(ErrorCode.INVALID, "settled_amount_yen")]


@pytest.mark.parametrize("reason", [None, "", "  ", "\u3000"])
def test_rejection_without_reason_is_refused(reason: str | None) -> None:
    # given a blank reason
    # when rejecting
    problem = rejection_requires_reason(reason)
    # then REASON_REQUIRED on the reason argument
    assert problem is not None
    assert (problem.code, problem.field) == (ErrorCode.REASON_REQUIRED, "reason")


def test_rejection_with_reason_is_fine() -> None:
    # given a plain reason
    # when rejecting
    # then nothing is wrong
    assert rejection_requires_reason("対象となる経費が含まれていないため") is None
