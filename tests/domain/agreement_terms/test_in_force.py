"""Agreement terms (rule 8): is_in_force.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.agreements.terms import (
    agreement_in_force_on,
    agreement_term_ends_on,
    is_in_force,
)
from kyodo.domain.enums import AgreementCategory, AgreementStatus

from .support import RENEWING, Terms, in_force


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
