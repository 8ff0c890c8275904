"""Helpers shared by the tests of this package (Agreement term arithmetic (rule 8, 第3章(3)): month ends, leap days, renewal, in force)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kyodo.domain.agreements.terms import (
    agreement_in_force_on,
    agreement_term_ends_on,
    term_end,
)
from kyodo.domain.enums import AgreementStatus


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
