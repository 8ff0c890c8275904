"""Which agreements are in force on a day, and whose term ends by a day, in SQL.

Whether an agreement is in force on a day and when its current term ends are never
stored (rule 8): SQL only narrows the candidates with conditions that are necessary for
the answer, and :mod:`domain.agreements.terms` decides exactly. Agreements number at
most a few thousand, so the exact check runs over a handful of narrow columns; what
goes back into SQL is an id list (:func:`agreement_ids_in_force_on`) or, for the filters
that page and count, the candidates' subquery less the few the rule rejects
(:func:`in_force_condition`). Pagination always stays in SQL.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements import terms
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.batches import loose
from kyodo.domain.enums import AgreementStatus

# Statuses an agreement can have been in force under: IN_FORCE now, EXPIRED and
# TERMINATED for the days before their end (history can be asked about).
_CONCLUDED = (AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED)

# The columns the term arithmetic of domain.agreements.terms reads.
_TERM_COLUMNS: tuple[Any, ...] = (
    Agreement.id,
    *(getattr(Agreement, name) for name in terms.TERM_COLUMNS),
)


def maybe_in_force_on(on: date) -> list[sa.ColumnElement[bool]]:
    """SQL conditions every agreement in force on ``on`` meets (necessary, not sufficient).

    Concluded (IN_FORCE, EXPIRED or TERMINATED), started by ``on`` (``effective_from``,
    else ``concludedOn``), not terminated by then, and either open-ended, still in its
    stored term, or auto-renewing and not EXPIRED (an expired agreement did not renew;
    renewals are checked exactly in Python). Without that last part every expired
    auto-renewing agreement stayed a candidate for ever, read back and rejected by every
    in-force filter (:func:`in_force_condition`) year after year.
    """
    start = sa.func.coalesce(loose(Agreement.effective_from), loose(Agreement.concluded_on))
    return [
        loose(Agreement.status).in_(_CONCLUDED),
        start.is_not(None),
        start <= on,
        sa.or_(loose(Agreement.terminated_on).is_(None), loose(Agreement.terminated_on) > on),
        sa.or_(
            loose(Agreement.effective_until).is_(None),
            loose(Agreement.effective_until) >= on,
            sa.and_(
                loose(Agreement.auto_renewal).is_(True),
                loose(Agreement.status) != AgreementStatus.EXPIRED,
            ),
        ),
    ]


async def agreement_ids_in_force_on(
    session: AsyncSession,
    *,
    on: date,
    conditions: Sequence[sa.ColumnElement[bool]] = (),
) -> list[int]:
    """Ids of the agreements in force on ``on`` (第3章(3), rule 8), ascending.

    One statement selecting only the term columns, narrowed in SQL by
    :func:`maybe_in_force_on` (plus any extra ``conditions``), then decided exactly by
    :func:`terms.agreement_in_force_on` — the single place that knows about renewals,
    month ends and terminations. The check runs on every candidate, not only the
    renewing ones, so SQL never has to agree with Python on anything but a superset.
    """
    return sorted(row.id for row in await rows_in_force_on(session, on=on, conditions=conditions))


async def rows_in_force_on(
    session: AsyncSession,
    *,
    on: date,
    conditions: Sequence[sa.ColumnElement[bool]] = (),
    also: Sequence[str] = (),
) -> list[Any]:
    """The agreements in force on ``on``, as rows of their id, their term columns and the
    columns named in ``also`` (each row reads as the agreement does for
    :mod:`domain.agreements.terms`): the one statement of :func:`agreement_ids_in_force_on`."""
    return [
        row
        for row in await _candidates(session, on, conditions, tuple(also))
        if terms.agreement_in_force_on(row, on)
    ]


async def in_force_condition(
    session: AsyncSession,
    agreement_id: Any,
    *,
    on: date,
    conditions: Sequence[sa.ColumnElement[bool]] = (),
) -> sa.ColumnElement[bool]:
    """SQL: ``agreement_id`` (a column holding an agreement's id) names an agreement in
    force on ``on`` meeting ``conditions`` — for a filter that pages and counts in SQL.

    The candidates (:func:`agreements_maybe_in_force_on`, a subquery) less the ones
    :func:`terms.agreement_in_force_on` rejects: the same answer as an id list of
    :func:`agreement_ids_in_force_on`, but what goes back into SQL is the few rejected
    (an auto-renewing agreement that lapsed), not the thousands in force (on 10,000
    partners 4,600 ids, rendered, sent and planned per request). Only candidates past
    their stored term (:func:`_renewing_on`) can be rejected, so only those are read."""
    rejected = [
        row.id
        for row in await _candidates(session, on, [*conditions, _renewing_on(on)], ())
        if not terms.agreement_in_force_on(row, on)
    ]
    candidate = agreement_id.in_(agreements_maybe_in_force_on(on, conditions))
    return sa.and_(candidate, agreement_id.not_in(rejected)) if rejected else candidate


def _renewing_on(on: date) -> sa.ColumnElement[bool]:
    """SQL: past its stored term on ``on``. Among :func:`maybe_in_force_on`'s
    candidates these are the auto-renewing ones, whose renewals decide; the others are
    in force (started, not terminated, within their stored term or open-ended):
    tests/domain/agreement_terms/test_in_force_sql.py compares both readings."""
    return loose(Agreement.effective_until) < on


@cache
def _row_type(also: tuple[str, ...]) -> Any:
    # A named tuple reads its fields at C speed: the term rules read seven per row, and
    # through SQLAlchemy's Row that was most of deciding 4,600 candidates.
    return namedtuple("AgreementTermsRow", [column.key for column in _TERM_COLUMNS] + list(also))


async def _candidates(
    session: AsyncSession,
    on: date,
    conditions: Sequence[sa.ColumnElement[bool]],
    also: tuple[str, ...],
) -> list[Any]:
    """The id and term columns (and ``also``) of the agreements that may be in force on
    ``on`` meeting ``conditions``."""
    return await _term_rows(session, [*maybe_in_force_on(on), *conditions], also)


async def _term_rows(
    session: AsyncSession,
    conditions: Sequence[sa.ColumnElement[bool]],
    also: tuple[str, ...] = (),
) -> list[Any]:
    """The id and term columns (and ``also``) of the agreements meeting ``conditions``,
    as named tuples that satisfy :class:`terms.AgreementTerms`."""
    stmt = sa.select(*_PLAIN_TERM_COLUMNS, *(getattr(Agreement, name) for name in also)).where(
        *conditions
    )
    make = _row_type(also)._make
    # Core, not the ORM's row loading (a third of the read's time, for plain columns).
    connection = await session.connection()
    return [make(row) for row in (await connection.execute(stmt)).all()]


_PLAIN_TERM_COLUMNS = tuple(
    # the status as its stored string: the term rules compare it by equality, and the
    # Enum type's conversion of every candidate's status was a fifth of deciding them
    sa.type_coerce(column, sa.String).label(column.key) if column.key == "status" else column
    for column in _TERM_COLUMNS
)


TERM_FIELDS: tuple[str, ...] = tuple(column.key for column in _TERM_COLUMNS)
"""What :func:`terms.agreement_in_force_on` reads of an agreement (the model's names)."""


def agreements_maybe_in_force_on(
    on: date, conditions: Sequence[sa.ColumnElement[bool]] = ()
) -> sa.Select[Any]:
    """The ids of the agreements that may be in force on ``on`` (a superset, as in
    :func:`agreement_ids_in_force_on`), meeting ``conditions``, as a subquery: a read
    that selects :data:`TERM_FIELDS` with its rows decides exactly, in the same statement's
    answer, with :func:`terms.agreement_in_force_on` (the compiled disaster lookup)."""
    return sa.select(loose(Agreement.id)).where(*maybe_in_force_on(on), *conditions)


async def agreement_ids_term_ending_by(
    session: AsyncSession, *, by: date, today: date
) -> list[int]:
    """Ids of agreements whose current term (renewals applied as of ``today``) ends on
    or before ``by`` (第3章(3), the ``termEndsBy`` filter); open-ended ones never match.

    Renewal only moves an end later, so a current end ≤ ``by`` needs the stored
    ``effectiveUntil`` ≤ ``by`` or a termination taking effect by the day after ``by``;
    SQL keeps those, :func:`terms.agreement_term_ends_on` decides.
    """
    conditions = [
        sa.or_(
            sa.and_(
                loose(Agreement.effective_until).is_not(None),
                loose(Agreement.effective_until) <= by,
            ),
            sa.and_(
                loose(Agreement.terminated_on).is_not(None),
                # (by 9999-12-31 has no day after; every termination date is <= it)
                loose(Agreement.terminated_on) <= (by + timedelta(days=1) if by < date.max else by),
            ),
        )
    ]
    ids: list[int] = []
    for row in await _term_rows(session, conditions):
        end = terms.agreement_term_ends_on(row, today)
        if end is not None and end <= by:
            ids.append(row.id)
    return sorted(ids)


def stale_condition(as_of: date, max_age_days: int) -> sa.ColumnElement[bool]:
    """SQL form of :func:`terms.contacts_stale`: never verified, or verified more than
    ``max_age_days`` days before ``as_of`` (exactly ``max_age_days`` is still fresh)."""
    verified = loose(Agreement.contacts_verified_on)
    try:
        cutoff = as_of - timedelta(days=max_age_days)
    except OverflowError:
        # The cutoff falls before 0001-01-01: no verification is that old.
        return verified.is_(None)
    return sa.or_(verified.is_(None), verified < cutoff)
