"""Agreement term arithmetic (rule 8, 第3章(3)): month ends, leap days, renewal, in force."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest

from domain.agreements.models import Agreement
from domain.agreements.terms import (
    add_months,
    agreement_in_force_on,
    agreement_term_ends_on,
    contacts_stale,
    current_term_ends_on,
    is_in_force,
    term_end,
    term_problems,
)
from domain.enums import AgreementCategory, AgreementStatus
from domain.errors import ErrorCode


@dataclass(frozen=True)
class Terms:
    """A stand-in row: anything with these attributes can be asked about its term."""

    status: AgreementStatus = AgreementStatus.IN_FORCE
    concluded_on: date | None = date(2023, 3, 20)
    effective_from: date | None = date(2023, 4, 1)
    effective_until: date | None = date(2024, 3, 31)
    auto_renewal: bool = False
    renewal_term_months: int | None = None
    terminated_on: date | None = None


RENEWING = Terms(auto_renewal=True, renewal_term_months=12)


def ends_on(terms: Terms, as_of: date) -> date | None:
    return agreement_term_ends_on(terms, as_of)


def in_force(terms: Terms, on: date) -> bool:
    return agreement_in_force_on(terms, on)


def naive_term_end(effective_until: date, months: int, as_of: date) -> date:
    """Reference implementation: step one term at a time, no shortcuts."""
    end = effective_until
    while end < as_of:
        end = term_end(end + timedelta(days=1), months)
    return end


# ------------------------------------------------------------------ add_months


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


# ------------------------------------------------------------------ term_end (民法143条)


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


# ------------------------------------------------------------------ current_term_ends_on


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


# ------------------------------------------------------------------ is_in_force


@pytest.mark.parametrize("status", [AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING])
def test_unconcluded_agreement_is_not_in_force(status: AgreementStatus) -> None:
    # given an agreement still being drafted or negotiated, with dates filled in
    terms = replace(RENEWING, status=status)
    # when asked about a day inside those dates
    # then it binds nobody yet
    assert not in_force(terms, date(2023, 6, 1))


def test_agreement_is_in_force_on_its_first_day() -> None:
    # given a concluded agreement effective from 1 April 2023
    # when asked about that very day
    # then it is in force
    assert in_force(Terms(), date(2023, 4, 1))


def test_agreement_is_not_in_force_the_day_before_it_takes_effect() -> None:
    # given a concluded agreement effective from 1 April 2023
    # when asked about 31 March 2023
    # then it is not yet in force
    assert not in_force(Terms(), date(2023, 3, 31))


def test_agreement_is_in_force_on_its_last_day() -> None:
    # given a fixed-term agreement ending 31 March 2024
    # when asked about that day
    # then it is in force
    assert in_force(Terms(), date(2024, 3, 31))


def test_fixed_term_agreement_is_not_in_force_the_day_after_its_end() -> None:
    # given a fixed-term agreement ending 31 March 2024
    # when asked about 1 April 2024
    # then it has lapsed
    assert not in_force(Terms(), date(2024, 4, 1))


def test_renewing_agreement_is_in_force_the_day_after_its_first_end() -> None:
    # given an auto-renewing agreement ending its first term 31 March 2024
    # when asked about 1 April 2024
    # then the renewal keeps it in force
    assert in_force(RENEWING, date(2024, 4, 1))


def test_agreement_without_effective_from_starts_when_concluded() -> None:
    # given an agreement concluded 20 March 2023 with no separate start date
    terms = replace(Terms(), effective_from=None)
    # when asked about the day of conclusion
    # then it is in force from that day
    assert in_force(terms, date(2023, 3, 20))


def test_agreement_without_any_start_is_not_in_force() -> None:
    # given an agreement marked in force but with neither start nor conclusion date
    terms = replace(Terms(), effective_from=None, concluded_on=None)
    # when asked about any day
    # then it cannot be shown as in force
    assert not in_force(terms, date(2023, 6, 1))


def test_open_ended_agreement_is_in_force_indefinitely() -> None:
    # given a concluded agreement with no end date
    terms = replace(Terms(), effective_until=None)
    # when asked about a day far in the future
    # then it is in force
    assert in_force(terms, date(2060, 1, 1))


def test_terminated_agreement_is_in_force_the_day_before_termination() -> None:
    # given an open-ended agreement terminated with effect from 1 October 2024
    terms = Terms(
        status=AgreementStatus.TERMINATED, effective_until=None, terminated_on=date(2024, 10, 1)
    )
    # when asked about 30 September 2024
    # then it still binds on that day
    assert in_force(terms, date(2024, 9, 30))


def test_terminated_agreement_is_not_in_force_from_the_termination_day() -> None:
    # given an open-ended agreement terminated with effect from 1 October 2024
    terms = Terms(
        status=AgreementStatus.TERMINATED, effective_until=None, terminated_on=date(2024, 10, 1)
    )
    # when asked about 1 October 2024
    # then the termination has taken effect
    assert not in_force(terms, date(2024, 10, 1))


def test_expired_agreement_was_in_force_during_its_term() -> None:
    # given an expired agreement
    terms = replace(Terms(), status=AgreementStatus.EXPIRED)
    # when asked about a day in its term
    # then the history answers yes
    assert in_force(terms, date(2023, 12, 1))


def test_expired_renewing_agreement_is_not_in_force_after_its_stored_end() -> None:
    # given an auto-renewing agreement that was marked EXPIRED
    terms = replace(RENEWING, status=AgreementStatus.EXPIRED)
    # when asked about the day after its stored end
    # then it did not renew
    assert not in_force(terms, date(2024, 4, 1))


def test_keyword_function_matches_the_row_helper() -> None:
    # given the same terms passed field by field
    # when asking both entry points about a renewed term
    direct = is_in_force(
        status=AgreementStatus.IN_FORCE,
        concluded_on=date(2023, 3, 20),
        effective_from=date(2023, 4, 1),
        effective_until=date(2024, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
        terminated_on=None,
        on=date(2029, 7, 1),
    )
    # then they agree
    assert direct is in_force(RENEWING, date(2029, 7, 1)) is True


def test_sqlmodel_agreement_row_can_be_asked_directly() -> None:
    # given an Agreement table row (no database needed to build one)
    row = Agreement(
        title="苫小牧市災害時応援協定（テスト）",
        category=AgreementCategory.DISASTER_SUPPORT,
        department_id=1,
        status=AgreementStatus.IN_FORCE,
        concluded_on=date(2022, 3, 10),
        effective_from=date(2022, 3, 10),
        effective_until=date(2023, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
    )
    # when asking about a day two renewals later
    # then the row works with both helpers
    assert agreement_term_ends_on(row, date(2024, 6, 1)) == date(2025, 3, 31)
    assert agreement_in_force_on(row, date(2024, 6, 1))


# ------------------------------------------------------------------ term_problems


def test_consistent_terms_have_no_problems() -> None:
    # given a yearly renewing agreement
    # when checking its term settings
    problems = term_problems(
        effective_from=date(2023, 4, 1),
        effective_until=date(2024, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
    )
    # then nothing is wrong
    assert problems == []


def test_auto_renewal_needs_a_renewal_term() -> None:
    # given auto renewal without a term length
    # when checking the term settings
    problems = term_problems(
        effective_from=date(2023, 4, 1),
        effective_until=date(2024, 3, 31),
        auto_renewal=True,
        renewal_term_months=None,
    )
    # then the missing term length is named
    assert [(p.code, p.field) for p in problems] == [
        (ErrorCode.REQUIRED, ["input", "renewalTermMonths"])
    ]


def test_auto_renewal_needs_a_first_end_date() -> None:
    # given auto renewal without an end to renew from
    # when checking the term settings
    problems = term_problems(
        effective_from=date(2023, 4, 1),
        effective_until=None,
        auto_renewal=True,
        renewal_term_months=12,
    )
    # then the missing end date is named
    assert [(p.code, p.field) for p in problems] == [
        (ErrorCode.REQUIRED, ["input", "effectiveUntil"])
    ]


def test_term_cannot_end_before_it_starts() -> None:
    # given an end date before the start date
    # when checking the term settings
    problems = term_problems(
        effective_from=date(2024, 4, 1),
        effective_until=date(2024, 3, 31),
        auto_renewal=False,
        renewal_term_months=None,
    )
    # then the end date is refused
    assert [(p.code, p.field) for p in problems] == [
        (ErrorCode.INVALID, ["input", "effectiveUntil"])
    ]


def test_renewal_term_below_one_month_is_invalid() -> None:
    # given a renewal term of zero months
    # when checking the term settings
    problems = term_problems(
        effective_from=None,
        effective_until=date(2024, 3, 31),
        auto_renewal=True,
        renewal_term_months=0,
    )
    # then the term length is refused
    assert [(p.code, p.field) for p in problems] == [
        (ErrorCode.INVALID, ["input", "renewalTermMonths"])
    ]


# ------------------------------------------------------------------ contacts_stale


def test_contacts_never_verified_are_stale() -> None:
    # given contacts nobody ever confirmed
    # when checking them
    # then they are stale
    assert contacts_stale(verified_on=None, as_of=date(2024, 4, 1))


def test_contacts_verified_exactly_365_days_ago_are_fresh() -> None:
    # given contacts confirmed 365 days before the day asked about
    as_of = date(2024, 4, 1)
    # when checking them
    # then a year-old check still counts
    assert not contacts_stale(verified_on=as_of - timedelta(days=365), as_of=as_of)


def test_contacts_verified_366_days_ago_are_stale() -> None:
    # given contacts confirmed 366 days before the day asked about
    as_of = date(2024, 4, 1)
    # when checking them
    # then they need confirming again
    assert contacts_stale(verified_on=as_of - timedelta(days=366), as_of=as_of)


def test_contacts_verified_today_are_fresh() -> None:
    # given contacts confirmed on the day asked about
    # when checking them
    # then they are fresh
    assert not contacts_stale(verified_on=date(2024, 4, 1), as_of=date(2024, 4, 1))


def test_contacts_max_age_can_be_shortened() -> None:
    # given contacts confirmed 31 days ago and a 30-day policy
    # when checking them
    # then they are stale under that policy
    assert contacts_stale(verified_on=date(2024, 3, 1), as_of=date(2024, 4, 1), max_age_days=30)
