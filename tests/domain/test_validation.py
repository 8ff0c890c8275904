"""The shared input checks: the one date range and lengths read from the model."""

from __future__ import annotations

from datetime import date

import pytest

from kyodo.domain import validation as v
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.errors import ErrorCode
from kyodo.domain.partners.models import Contact, Partner


@pytest.mark.parametrize("day", [date(1873, 1, 1), date(2022, 3, 10), date(2999, 12, 31)])
def test_dates_from_meiji_6_to_2999_are_in_range(day: date) -> None:
    # given a date from the first to the last day of the range
    # when checking it / then there is no problem
    assert v.date_problem(day, label="開始日", field="starts_on") is None


@pytest.mark.parametrize(
    "day", [date.min, date(1800, 1, 1), date(1872, 12, 31), date(3000, 1, 1), date.max]
)
def test_dates_outside_the_range_are_invalid_and_named(day: date) -> None:
    # given a date before 明治6年 or after 2999
    # when checking it
    problem = v.date_problem(day, label="開始日", field="starts_on")
    # then INVALID at the field, the message naming the field, the date and the range
    assert problem is not None
    assert (problem.code, problem.field) == (ErrorCode.INVALID, "starts_on")
    assert problem.message == (
        f"開始日（{day.isoformat()}）は1873-01-01（明治6年1月1日）から"
        "2999-12-31までの日付にしてください。"
    )


def test_a_limit_is_the_length_of_the_models_column() -> None:
    # given columns declared with Field(max_length=...)
    # when reading their limits / then they are the declared lengths
    assert v.max_length(Partner.name) == 300
    assert v.max_length(Partner.postal_code) == 10
    assert v.max_length(Contact.phone) == 40


def test_a_text_column_has_no_length_to_read() -> None:
    # given a TEXT column (its limit is the domain's, e.g. MAX_TEXT)
    # when reading a length from it / then that is refused, not guessed
    with pytest.raises(TypeError):
        v.max_length(Collaboration.summary)


def test_a_length_is_counted_on_the_folded_text_when_folding_first() -> None:
    # given a reading of 76 ㌀: 76 characters typed, 304 once folded
    problems = v.Problems()
    # when checking the folded text against a 300-character column
    v.optional_text(
        problems, v.nfkc("㌀" * 76), label="フリガナ", field="name_kana", max_length=300
    )
    # then it is too long, and the message says by how much
    assert [p.message for p in problems.items] == [
        "フリガナは300文字以内で入力してください（304文字あります）。"
    ]
