"""Agreement terms (rule 8): term_problems and contacts_stale.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from datetime import date, timedelta

from kyodo.domain.agreements.terms import (
    contacts_stale,
    term_problems,
)
from kyodo.domain.errors import ErrorCode


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
    assert [(p.code, p.field) for p in problems] == [(ErrorCode.REQUIRED, "renewal_term_months")]


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
    assert [(p.code, p.field) for p in problems] == [(ErrorCode.REQUIRED, "effective_until")]


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
    assert [(p.code, p.field) for p in problems] == [(ErrorCode.INVALID, "effective_until")]


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
    assert [(p.code, p.field) for p in problems] == [(ErrorCode.INVALID, "renewal_term_months")]


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
