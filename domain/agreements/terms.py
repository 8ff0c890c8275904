"""Agreement terms (協定の期間, 第3章(3)): month arithmetic, renewal and "in force on".

Rule 8 of the domain: the current term end and whether an agreement is in force are
computed from the stored dates every time, never stored, so they cannot go stale.
Everything here is pure date arithmetic; the database rows come in through
:class:`AgreementTerms`, which ``domain.agreements.models.Agreement`` satisfies.

Period counting follows the Civil Code (民法143条): a term of N months that starts on
a day ends on the day before the day with the same number N months later, or, when that
month has no such day, on that month's last day.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import Any, Protocol

from kyodo.domain.enums import AgreementStatus
from kyodo.domain.errors import ErrorCode, Problem

# An auto-renewal loop normally takes a handful of steps (see _terms_to_skip); this only
# stops a corrupt row or an absurd date from spinning forever.
MAX_RENEWAL_STEPS = 10_000

# A contact list is confirmed once a year (rule 9); one checked longer ago than this is
# treated as unchecked.
CONTACTS_MAX_AGE_DAYS = 365

_ONE_DAY = timedelta(days=1)

# The fewest days each month can have; February counts as 28 so leap years never matter.
_MIN_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

_NOT_IN_FORCE_YET = frozenset({AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING})


class BeyondCalendar(ValueError):
    """A date past 9999-12-31 (or before 0001-01-01), which ``date`` cannot hold."""


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_index(day: date) -> int:
    """Months since year 0, so month differences are plain subtraction."""
    return day.year * 12 + day.month - 1


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's last day.

    2023-01-31 + 1 → 2023-02-28, 2024-01-31 + 1 → 2024-02-29, 2024-03-31 - 1 → 2024-02-29.
    Raises ``BeyondCalendar`` when the result falls outside the years 1–9999.
    """
    year, month0 = divmod(_month_index(day) + months, 12)
    if not 1 <= year <= 9999:
        raise BeyondCalendar(f"{day.isoformat()} + {months} months is out of the supported range")
    month = month0 + 1
    return date(year, month, min(day.day, _days_in_month(year, month)))


def term_end(start: date, months: int) -> date:
    """Last day of a term of ``months`` months beginning on ``start`` (民法143条2項).

    The term ends on the day before the day corresponding to ``start`` in the final month
    (2023-06-16, 12 → 2024-06-15; 2023-04-01, 12 → 2024-03-31). When the final month has
    no corresponding day, the term ends on that month's last day instead
    (2023-01-31, 1 → 2023-02-28; 2024-01-31, 1 → 2024-02-29).
    """
    if months < 1:
        raise ValueError("a term lasts at least one month")
    year, month0 = divmod(_month_index(start) + months, 12)
    if not 1 <= year <= 9999:
        raise BeyondCalendar(f"a {months}-month term from {start.isoformat()} is out of range")
    month = month0 + 1
    last_day = _days_in_month(year, month)
    if start.day > last_day:
        # 民法143条2項ただし書: no corresponding day, so the month's last day.
        return date(year, month, last_day)
    return date(year, month, start.day) - _ONE_DAY


def _same_day_every_term(start: date, months: int) -> bool:
    """Whether every later term starts on ``start.day`` whatever the year.

    Terms start on the day after the previous end. That is the same day of the month as
    long as each final month has that day; once a month lacks it (say the 31st), the term
    ends on the month's last day and the next one starts on the 1st. When the day fits
    every month the terms can land on, the chain is a plain "+N months" sequence and can
    be skipped over arithmetically.
    """
    landing_months = {(start.month - 1 + k * months) % 12 for k in range(12)}
    return all(start.day <= _MIN_DAYS_IN_MONTH[m] for m in landing_months)


def _terms_to_skip(start: date, months: int, as_of: date) -> int:
    """How many whole terms from ``start`` certainly end before ``as_of``.

    Deliberately one term short, so that the caller steps onto the right term itself and
    the jump never overshoots whatever the days of the month.
    """
    months_between = _month_index(as_of) - _month_index(start)
    return max(0, months_between // months - 1)


def term_problems(
    *,
    effective_from: date | None,
    effective_until: date | None,
    auto_renewal: bool,
    renewal_term_months: int | None,
) -> list[Problem]:
    """Inconsistent term settings, to refuse on create and update (第3章(3), rule 8).

    Catching these when the agreement is saved keeps :func:`current_term_ends_on` from
    meeting them later, in the middle of a disaster lookup.
    """
    problems: list[Problem] = []
    if effective_from and effective_until and effective_until < effective_from:
        problems.append(
            Problem(
                ErrorCode.INVALID,
                "期間の終わりの日は、始まりの日より後にしてください。",
                "effective_until",
            )
        )
    if auto_renewal and effective_until is None:
        problems.append(
            Problem(
                ErrorCode.REQUIRED,
                "自動更新する協定には、最初の期間が終わる日を入れてください。",
                "effective_until",
            )
        )
    if renewal_term_months is not None and renewal_term_months < 1:
        problems.append(
            Problem(
                ErrorCode.INVALID,
                "更新の期間は1か月以上にしてください。",
                "renewal_term_months",
            )
        )
    elif auto_renewal and renewal_term_months is None:
        problems.append(
            Problem(
                ErrorCode.REQUIRED,
                "自動更新する協定には、1回の更新で延びる月数を入れてください。",
                "renewal_term_months",
            )
        )
    return problems


def current_term_ends_on(
    *,
    status: AgreementStatus,
    effective_until: date | None,
    auto_renewal: bool,
    renewal_term_months: int | None,
    terminated_on: date | None,
    as_of: date,
) -> date | None:
    """Last day of the term running on ``as_of`` (第3章(3), rule 8); None if open-ended.

    - No ``effective_until`` means the agreement has no end date (many 災害時応援協定 run
      until one side cancels), so None — unless it was terminated.
    - Without auto-renewal, or once EXPIRED (it did not renew past its stored end), or
      while ``as_of`` is still within the first term, the end is ``effective_until``.
    - Otherwise terms of ``renewal_term_months`` follow one another, each starting the
      day after the previous one ends, and the one covering ``as_of`` is returned.
    - A termination takes effect on ``terminated_on``, so the agreement's last day is
      the day before; the result never runs past it. ``terminated_on`` is honoured
      whatever the status, because only a termination sets it.

    Raises ``BeyondCalendar`` when the term covering ``as_of`` ends after 9999-12-31.
    """
    termination_cap = terminated_on - _ONE_DAY if terminated_on is not None else None
    if effective_until is None:
        return termination_cap

    end = effective_until
    renews = auto_renewal and status != AgreementStatus.EXPIRED
    if renews and as_of > effective_until:
        months = renewal_term_months
        if months is None or months < 1:
            raise ValueError("an auto-renewing agreement needs renewal_term_months >= 1")
        end = _roll_renewals(effective_until=effective_until, months=months, as_of=as_of)

    if termination_cap is not None and termination_cap < end:
        return termination_cap
    return end


def _roll_renewals(*, effective_until: date, months: int, as_of: date) -> date:
    end = effective_until
    for _ in range(MAX_RENEWAL_STEPS):
        if end >= as_of:
            return end
        start = end + _ONE_DAY
        if _same_day_every_term(start, months):
            start = add_months(start, _terms_to_skip(start, months, as_of) * months)
        end = term_end(start, months)
    raise ValueError(
        f"renewal of an agreement ending {effective_until.isoformat()} did not reach "
        f"{as_of.isoformat()} within {MAX_RENEWAL_STEPS} steps"
    )


def is_in_force(
    *,
    status: AgreementStatus,
    concluded_on: date | None,
    effective_from: date | None,
    effective_until: date | None,
    auto_renewal: bool,
    renewal_term_months: int | None,
    terminated_on: date | None,
    on: date,
) -> bool:
    """Whether the agreement binds its parties on the day ``on`` (第3章(3), rule 8).

    A draft or an agreement still being negotiated binds nobody. A concluded one is in
    force from ``effective_from`` (or, when none was set, the day it was concluded)
    through the end of its current term, and no longer from the day a termination takes
    effect. EXPIRED and TERMINATED agreements still answer True for days in the past
    when they were in force, so that history can be asked about.
    """
    if status in _NOT_IN_FORCE_YET:
        return False
    start = effective_from or concluded_on
    if start is None or on < start:
        return False
    if terminated_on is not None and on >= terminated_on:
        return False
    try:
        end = current_term_ends_on(
            status=status,
            effective_until=effective_until,
            auto_renewal=auto_renewal,
            renewal_term_months=renewal_term_months,
            terminated_on=terminated_on,
            as_of=on,
        )
    except BeyondCalendar:
        # The renewed term that covers ``on`` ends after 9999-12-31: in force.
        return True
    return end is None or on <= end


class AgreementTerms(Protocol):
    """The columns of an agreement that its term depends on.

    ``domain.agreements.models.Agreement`` fits, and so does any small stand-in with
    these attributes (read-only properties are enough).
    """

    @property
    def status(self) -> AgreementStatus: ...

    @property
    def concluded_on(self) -> date | None: ...

    @property
    def effective_from(self) -> date | None: ...

    @property
    def effective_until(self) -> date | None: ...

    @property
    def auto_renewal(self) -> bool: ...

    @property
    def renewal_term_months(self) -> int | None: ...

    @property
    def terminated_on(self) -> date | None: ...


TERM_COLUMNS = (
    "status",
    "concluded_on",
    "effective_from",
    "effective_until",
    "auto_renewal",
    "renewal_term_months",
    "terminated_on",
)
"""The columns of :class:`AgreementTerms`: what :func:`is_in_force` reads, as keywords
of the same names (``domain.agreements.in_force`` selects them)."""
_STARTS = ("concluded_on", "effective_from")
_TERM_END_COLUMNS = tuple(name for name in TERM_COLUMNS if name not in _STARTS)
"""What :func:`current_term_ends_on` reads: the term columns but when it began."""


TERMS_CACHE_SIZE = 16_384
"""Answers of :func:`agreement_term_ends_on` and :func:`agreement_in_force_on` kept, by
the term columns and the day (a few hundred bytes each, some 7 MB when full): the
disaster lookup asks them for every agreement that may be in force, and asks again at
its next refresh; the notice calendar asks for the term after the current one too (on
10,000 partners some 6,200 answers a calendar: with 4,096 kept, an LRU cache read in
the same order each time kept almost none of them)."""

_term_end_columns = attrgetter(*_TERM_END_COLUMNS)
_in_force_columns = attrgetter(*TERM_COLUMNS)


def agreement_term_ends_on(agreement: AgreementTerms, as_of: date) -> date | None:
    """:func:`current_term_ends_on` for an agreement row (``currentTermEndsOn``)."""
    return _term_ends_on(_term_end_columns(agreement), as_of)


def agreement_in_force_on(agreement: AgreementTerms, on: date) -> bool:
    """:func:`is_in_force` for an agreement row (``isInForce(on:)``)."""
    return _in_force(_in_force_columns(agreement), on)


# Pure functions of immutable values, kept by them (a status given as its string value
# equals its member, and the rules compare by equality). A refusal (ValueError) is
# raised again each time, never kept.
@lru_cache(maxsize=TERMS_CACHE_SIZE)
def _term_ends_on(columns: tuple[Any, ...], as_of: date) -> date | None:
    return current_term_ends_on(**dict(zip(_TERM_END_COLUMNS, columns, strict=True)), as_of=as_of)


@lru_cache(maxsize=TERMS_CACHE_SIZE)
def _in_force(columns: tuple[Any, ...], on: date) -> bool:
    return is_in_force(**dict(zip(TERM_COLUMNS, columns, strict=True)), on=on)


def contacts_stale(
    *, verified_on: date | None, as_of: date, max_age_days: int = CONTACTS_MAX_AGE_DAYS
) -> bool:
    """Whether an agreement's emergency contacts need checking again (rule 9).

    Contacts are confirmed once a year; a list nobody ever checked, or checked more than
    ``max_age_days`` before ``as_of``, is stale. Checked exactly 365 days before is still
    fresh; 366 days before is stale.
    """
    if verified_on is None:
        return True
    return (as_of - verified_on).days > max_age_days


def notice_deadline_on(agreement: AgreementTerms, as_of: date) -> date | None:
    """The notice deadline of the term current on ``as_of`` (rule 20): the current term's
    end minus ``notice_days`` — for an auto-renewing agreement the last day to say it
    will not be renewed, for a fixed term the day to start reviewing it. None without
    ``noticeDays`` or without an end. Raises ``BeyondCalendar`` past the calendar."""
    notice_days = getattr(agreement, "notice_days", None)
    if notice_days is None:
        return None
    end = agreement_term_ends_on(agreement, as_of)
    if end is None:
        return None
    try:
        return end - timedelta(days=notice_days)
    except OverflowError as error:
        raise BeyondCalendar(f"{notice_days} days before {end.isoformat()}") from error
