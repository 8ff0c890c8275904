"""Collaboration rules: evaluation (第4章(4)) and progress (第4章(3)).

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from datetime import date

import pytest

from kyodo.domain.collaborations.rules import (
    evaluation_problems,
    progress_overdue,
)
from kyodo.domain.errors import ErrorCode

from .support import codes_and_fields


def test_complete_evaluation_has_no_problems() -> None:
    # given outcomes, the partner's feedback and a rating
    # when checking the evaluation
    # then nothing is wrong
    assert (
        evaluation_problems(
            outcomes="12地区で開催し、延べ340人が参加した",
            partner_feedback="平日夜の開催が参加しやすかった",
            rating=4,
        )
        == []
    )


def test_evaluation_without_rating_is_fine() -> None:
    # given an evaluation without a rating
    # when checking it
    # then the rating is optional
    assert evaluation_problems(outcomes="実績", partner_feedback="感想", rating=None) == []


def test_evaluation_needs_outcomes() -> None:
    # given blank outcomes
    # when checking the evaluation
    result = evaluation_problems(outcomes=" ", partner_feedback="感想", rating=None)
    # then EVALUATION_REQUIRED points at outcomes
    assert codes_and_fields(result) == [(ErrorCode.EVALUATION_REQUIRED, "outcomes")]


def test_evaluation_needs_partner_feedback() -> None:
    # given no partner feedback
    # when checking the evaluation
    result = evaluation_problems(outcomes="実績", partner_feedback=None, rating=None)
    # then EVALUATION_REQUIRED points at partnerFeedback
    assert codes_and_fields(result) == [(ErrorCode.EVALUATION_REQUIRED, "partner_feedback")]


def test_evaluation_reports_every_problem_at_once() -> None:
    # given an empty evaluation with an impossible rating
    # when checking it
    result = evaluation_problems(outcomes="", partner_feedback="", rating=0)
    # then all three problems are reported together
    assert codes_and_fields(result) == [
        (ErrorCode.EVALUATION_REQUIRED, "outcomes"),
        (ErrorCode.EVALUATION_REQUIRED, "partner_feedback"),
        (ErrorCode.INVALID, "rating"),
    ]


@pytest.mark.parametrize("rating", [1, 5])
def test_rating_bounds_are_inclusive(rating: int) -> None:
    # given a rating at either end of the scale
    # when checking the evaluation
    # then it is accepted
    assert evaluation_problems(outcomes="実績", partner_feedback="感想", rating=rating) == []


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_rating_outside_one_to_five_is_invalid(rating: int) -> None:
    # given a rating outside 1–5
    # when checking the evaluation
    result = evaluation_problems(outcomes="実績", partner_feedback="感想", rating=rating)
    # then it is INVALID
    assert codes_and_fields(result) == [(ErrorCode.INVALID, "rating")]


LONG = {"starts_on": date(2023, 4, 1), "ends_on": date(2026, 3, 31)}


def test_long_project_with_recent_report_is_not_overdue() -> None:
    # given a three-year project reported on two months ago
    # when checking progress
    # then it is fine
    assert not progress_overdue(**LONG, last_report_on=date(2024, 5, 1), as_of=date(2024, 7, 1))


def test_report_exactly_six_months_old_is_not_overdue() -> None:
    # given a report made exactly six months before
    # when checking progress
    # then it is still on time
    assert not progress_overdue(**LONG, last_report_on=date(2024, 1, 15), as_of=date(2024, 7, 15))


def test_report_six_months_and_a_day_old_is_overdue() -> None:
    # given a report made six months and one day before
    # when checking progress
    # then the project is flagged
    assert progress_overdue(**LONG, last_report_on=date(2024, 1, 14), as_of=date(2024, 7, 15))


def test_six_months_back_from_a_month_end_lands_on_february_end() -> None:
    # given 31 August 2024 and a report on 29 February 2024
    # when checking progress
    # then six months back is 29 February, so it is on time
    assert not progress_overdue(**LONG, last_report_on=date(2024, 2, 29), as_of=date(2024, 8, 31))


def test_long_project_never_reported_counts_from_its_start() -> None:
    # given a long project without reports that started more than six months ago
    # when checking progress
    # then it is flagged
    assert progress_overdue(**LONG, last_report_on=None, as_of=date(2023, 10, 2))


def test_long_project_never_reported_is_fine_within_six_months_of_start() -> None:
    # given a long project without reports that started exactly six months ago
    # when checking progress
    # then it is not flagged yet
    assert not progress_overdue(**LONG, last_report_on=None, as_of=date(2023, 10, 1))


def test_report_before_the_start_does_not_make_a_new_project_late() -> None:
    # given a planning note filed long before a project that started last month
    # when checking progress
    # then the start counts as the last check
    assert not progress_overdue(
        starts_on=date(2024, 6, 1),
        ends_on=date(2026, 3, 31),
        last_report_on=date(2023, 9, 1),
        as_of=date(2024, 7, 1),
    )


def test_project_of_exactly_a_year_is_not_long() -> None:
    # given a project over one fiscal year (365 days from start to end)
    # when checking progress long after its start with no reports
    # then it does not need progress reports
    assert not progress_overdue(
        starts_on=date(2023, 4, 1),
        ends_on=date(2024, 3, 31),
        last_report_on=None,
        as_of=date(2024, 3, 1),
    )


def test_project_of_a_year_and_a_day_is_long() -> None:
    # given a project whose end is 366 days after its start
    # when checking progress with no reports for over six months
    # then it is flagged
    assert progress_overdue(
        starts_on=date(2022, 4, 1),
        ends_on=date(2023, 4, 2),
        last_report_on=None,
        as_of=date(2023, 3, 1),
    )


def test_project_not_started_is_not_overdue() -> None:
    # given a long project that starts next month
    # when checking progress
    # then there is nothing to report yet
    assert not progress_overdue(
        starts_on=date(2024, 8, 1),
        ends_on=date(2027, 3, 31),
        last_report_on=None,
        as_of=date(2024, 7, 1),
    )


def test_project_without_dates_is_not_flagged() -> None:
    # given a project with no period set
    # when checking progress
    # then its length is unknown and it is not flagged
    assert not progress_overdue(
        starts_on=None, ends_on=None, last_report_on=None, as_of=date(2030, 1, 1)
    )
