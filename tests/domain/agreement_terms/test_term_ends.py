"""Agreement terms (rule 8): add_months, term_end and current_term_ends_on.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from kyodo.domain.agreements.terms import (
    add_months,
    current_term_ends_on,
    term_end,
)
from kyodo.domain.enums import AgreementStatus

from .support import RENEWING, Terms, ends_on, naive_term_end


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2023, 1, 15), 1, date(2023, 2, 15)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 3, 31), 1, date(2023, 4, 30)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2023, 12, 15), 1, date(2024, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 31), -2, date(2023, 11, 30)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
    ],
)
def test_add_months_keeps_the_day_or_clamps_to_month_end(
    day: date, months: int, expected: date
) -> None:
    # given a day and a number of months
    # when moving by that many months
    result = add_months(day, months)
    # then the day of the month is kept where it exists, otherwise the month's last day
    assert result == expected


def test_add_months_refuses_to_leave_the_calendar() -> None:
    # given the last representable month
    day = date(9999, 12, 1)
    # when moving past it
    # then the caller gets a ValueError, not a wrapped-around date
    with pytest.raises(ValueError):
        add_months(day, 1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 4, 1), 12, date(2024, 3, 31)),
        (date(2024, 3, 1), 12, date(2025, 2, 28)),
        (date(2023, 3, 1), 12, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 6, 16), 12, date(2024, 6, 15)),
        (date(2023, 3, 31), 1, date(2023, 4, 30)),
        (date(2023, 3, 30), 1, date(2023, 4, 29)),
        (date(2023, 12, 1), 1, date(2023, 12, 31)),
        (date(2023, 12, 15), 1, date(2024, 1, 14)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2023, 4, 1), 36, date(2026, 3, 31)),
    ],
)
def test_term_end_is_the_day_before_the_corresponding_day(
    start: date, months: int, expected: date
) -> None:
    # given a term starting on a day
    # when computing its last day
    result = term_end(start, months)
    # then it is the day before the corresponding day, or the month end when none exists
    assert result == expected


def test_term_end_from_a_leap_day_ends_on_february_28_the_next_year() -> None:
    # given a one-year term starting on 29 February
    start = date(2024, 2, 29)
    # when computing its last day
    result = term_end(start, 12)
    # then 2025 has no 29 February, so the term ends on the last day of that February
    assert result == date(2025, 2, 28)


def test_term_end_from_february_28_of_a_leap_year_ends_on_february_27() -> None:
    # given a one-year term starting on 28 February 2024 (a leap year)
    start = date(2024, 2, 28)
    # when computing its last day
    result = term_end(start, 12)
    # then the corresponding day exists, so the term ends the day before it
    assert result == date(2025, 2, 27)


@pytest.mark.parametrize("months", [0, -1])
def test_term_end_refuses_terms_shorter_than_a_month(months: int) -> None:
    # given a term length below one month
    # when computing its end
    # then it is refused
    with pytest.raises(ValueError):
        term_end(date(2024, 4, 1), months)


def test_open_ended_agreement_has_no_term_end() -> None:
    # given an agreement with no end date
    terms = replace(RENEWING, effective_until=None)
    # when asking when its term ends
    result = ends_on(terms, date(2030, 1, 1))
    # then there is none
    assert result is None


def test_open_ended_terminated_agreement_ends_the_day_before_termination() -> None:
    # given an open-ended agreement terminated with effect from 1 October
    terms = replace(
        RENEWING,
        status=AgreementStatus.TERMINATED,
        effective_until=None,
        terminated_on=date(2024, 10, 1),
    )
    # when asking when its term ends
    result = ends_on(terms, date(2024, 6, 1))
    # then its last day is 30 September
    assert result == date(2024, 9, 30)


def test_fixed_term_agreement_ends_on_its_end_date_even_after_it() -> None:
    # given an agreement that does not renew
    terms = Terms()
    # when asked about a day long after its end
    result = ends_on(terms, date(2026, 1, 1))
    # then the term still ends on the stored end date
    assert result == date(2024, 3, 31)


def test_renewing_agreement_within_first_term_ends_on_effective_until() -> None:
    # given an auto-renewing agreement
    # when asked about a day within its first term
    result = ends_on(RENEWING, date(2024, 3, 31))
    # then the first term's end is returned
    assert result == date(2024, 3, 31)


def test_renewing_agreement_rolls_over_the_day_after_its_end() -> None:
    # given an auto-renewing agreement whose first term ends 2024-03-31
    # when asked about the next day
    result = ends_on(RENEWING, date(2024, 4, 1))
    # then the renewed one-year term ends 2025-03-31
    assert result == date(2025, 3, 31)


def test_renewing_agreement_rolls_over_many_terms() -> None:
    # given a yearly auto-renewing agreement from fiscal 2023
    # when asked about a day in fiscal 2031
    result = ends_on(RENEWING, date(2031, 11, 3))
    # then the term covering it ends at the end of fiscal 2031
    assert result == date(2032, 3, 31)


def test_monthly_renewal_over_decades_lands_on_month_ends() -> None:
    # given an agreement renewing every month after the end of January
    terms = replace(RENEWING, effective_until=date(2024, 1, 31), renewal_term_months=1)
    # when asked about a day 26 years later, in a leap February
    result = ends_on(terms, date(2052, 2, 10))
    # then the monthly term covering it ends on 29 February 2052
    assert result == date(2052, 2, 29)


def test_renewal_from_a_mid_month_end_keeps_the_anniversary() -> None:
    # given a term ending 15 June, renewing yearly
    terms = replace(RENEWING, effective_until=date(2024, 6, 15))
    # when asked about a day after several renewals
    result = ends_on(terms, date(2027, 6, 16))
    # then each renewal runs 16 June – 15 June
    assert result == date(2028, 6, 15)


def test_renewal_across_leap_years_after_a_february_end() -> None:
    # given a term ending 28 February 2023, renewing yearly (next terms start 1 March)
    terms = replace(RENEWING, effective_until=date(2023, 2, 28))
    # when asked about 29 February 2024
    result = ends_on(terms, date(2024, 2, 29))
    # then the renewed term (2023-03-01 – ) runs to the last day of February 2024
    assert result == date(2024, 2, 29)


def test_renewal_from_a_leap_day_start_settles_on_month_ends() -> None:
    # given a first term ending 28 Feb 2024, so the renewal starts 29 Feb 2024
    terms = replace(RENEWING, effective_until=date(2024, 2, 28))
    # when asked about a day in the second renewal
    result = ends_on(terms, date(2025, 3, 1))
    # then 2024-02-29 – 2025-02-28 is followed by 2025-03-01 – 2026-02-28
    assert result == date(2026, 2, 28)


def test_renewal_day_that_always_exists_is_kept_across_many_terms() -> None:
    # given renewals starting on the 30th, every two months from January (never February)
    terms = replace(RENEWING, effective_until=date(2024, 1, 29), renewal_term_months=2)
    # when asked about a day ten years later
    result = ends_on(terms, date(2034, 2, 1))
    # then every term keeps starting on the 30th: 2034-01-30 – 2034-03-29
    assert result == date(2034, 3, 29)


def test_renewal_on_the_end_day_itself_returns_that_term() -> None:
    # given an agreement after one renewal
    # when asked exactly on the renewed term's last day
    result = ends_on(RENEWING, date(2025, 3, 31))
    # then that term is returned, not the next
    assert result == date(2025, 3, 31)


@pytest.mark.parametrize("months", [1, 2, 3, 5, 6, 7, 12, 24, 48])
@pytest.mark.parametrize(
    "effective_until",
    [
        date(2023, 1, 27),
        date(2023, 1, 28),
        date(2023, 1, 29),
        date(2023, 1, 30),
        date(2023, 2, 28),
        date(2024, 1, 28),
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 29),
        date(2024, 4, 29),
        date(2024, 7, 30),
        date(2024, 8, 30),
        date(2024, 12, 30),
    ],
)
def test_renewal_shortcut_agrees_with_stepping_one_term_at_a_time(
    effective_until: date, months: int
) -> None:
    # given an auto-renewing agreement and a set of days over the next decades
    terms = replace(RENEWING, effective_until=effective_until, renewal_term_months=months)
    days = [effective_until + timedelta(days=n) for n in range(0, 365 * 30, 97)]
    # when computing the current term end for each day
    results = [ends_on(terms, day) for day in days]
    # then each matches stepping through every term by hand
    assert results == [naive_term_end(effective_until, months, day) for day in days]


def test_expired_agreement_does_not_renew() -> None:
    # given an auto-renewing agreement marked EXPIRED (it was not renewed)
    terms = replace(RENEWING, status=AgreementStatus.EXPIRED)
    # when asked about a later day
    result = ends_on(terms, date(2025, 6, 1))
    # then its term ended on the stored end date
    assert result == date(2024, 3, 31)


def test_terminated_agreement_ends_the_day_before_termination() -> None:
    # given a renewing agreement terminated with effect from 1 October 2024
    terms = replace(RENEWING, status=AgreementStatus.TERMINATED, terminated_on=date(2024, 10, 1))
    # when asked about a later day
    result = ends_on(terms, date(2026, 1, 1))
    # then its last day is 30 September 2024
    assert result == date(2024, 9, 30)


def test_termination_after_the_current_term_does_not_shorten_it() -> None:
    # given a renewing agreement terminated with effect from a day in a later term
    terms = replace(RENEWING, status=AgreementStatus.TERMINATED, terminated_on=date(2024, 10, 1))
    # when asked about a day in the first term
    result = ends_on(terms, date(2024, 1, 10))
    # then the first term still ends on its own end date
    assert result == date(2024, 3, 31)


def test_renewal_without_term_length_is_rejected_rather_than_guessed() -> None:
    # given an auto-renewing agreement with no renewal term (a corrupt row)
    # when asked about a day after the first term
    # then the function refuses to invent a term length
    with pytest.raises(ValueError):
        current_term_ends_on(
            status=AgreementStatus.IN_FORCE,
            effective_until=date(2024, 3, 31),
            auto_renewal=True,
            renewal_term_months=None,
            terminated_on=None,
            as_of=date(2024, 4, 1),
        )
