"""The 第4章 analyses of collaborations: fixed partners (第4章(5)) and suggestions of
partners (中間支援, 第4章(7)); the partner network (第2章1(4)) is
:mod:`domain.collaborations.network`.

Everything here reads; nothing commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.batches import group_by_key, rows_by_ids
from kyodo.domain.collaborations.models import Collaboration, Participation
from kyodo.domain.collaborations.network import happened
from kyodo.domain.enums import PartnerKind, PartnerStatus
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.pagination import MAX_PAGE_SIZE
from kyodo.domain.partners.models import Partner, PartnerField
from kyodo.domain.reference.models import CollaborationField, Department
from kyodo.domain.reference.service import fields_by_code, get_department_by_code_or_raise
from kyodo.domain.validation import require_fiscal_year_range

# ------------------------------------------------------------------ fixed partners, 第4章(5)


@dataclass(frozen=True, slots=True)
class ConcentrationFinding:
    department: Department
    partner: Partner
    fiscal_years: list[int]
    consecutive_years: int
    collaboration_count: int


def longest_run(years: Sequence[int]) -> int:
    """Length of the longest run of consecutive years (2019, 2020, 2021 → 3)."""
    best = run = 0
    previous: int | None = None
    for year in sorted(set(years)):
        run = run + 1 if previous is not None and year == previous + 1 else 1
        best = max(best, run)
        previous = year
    return best


MAX_CONCENTRATION_SPAN_YEARS = 50
DEFAULT_MIN_CONSECUTIVE_YEARS = 3
"""How many consecutive fiscal years make a concentrated pair when none is asked for."""


@dataclass(frozen=True, slots=True)
class ConcentratedPair:
    """A finding by ids: what :func:`concentrated_pairs` decides, before the department
    and partner rows are read (each read path reads them its own way)."""

    department_id: int
    partner_id: int
    fiscal_years: list[int]
    consecutive_years: int
    collaboration_count: int


async def partner_concentration(
    session: AsyncSession, **arguments: Any
) -> list[ConcentrationFinding]:
    """The findings of :func:`concentrated_pairs` (the same arguments), with their
    department and partner."""
    pairs = await concentrated_pairs(session, **arguments)
    if not pairs:
        return []
    departments = await rows_by_ids(session, Department, {p.department_id for p in pairs})
    partners = await rows_by_ids(session, Partner, {p.partner_id for p in pairs})
    return [
        ConcentrationFinding(
            department=departments[p.department_id],
            partner=partners[p.partner_id],
            fiscal_years=p.fiscal_years,
            consecutive_years=p.consecutive_years,
            collaboration_count=p.collaboration_count,
        )
        for p in pairs
    ]


async def concentrated_pairs(
    session: AsyncSession,
    *,
    from_fiscal_year: int,
    to_fiscal_year: int,
    min_consecutive_years: int = DEFAULT_MIN_CONSECUTIVE_YEARS,
    department_code: str | None = None,
) -> list[ConcentratedPair]:
    """Department–partner pairs repeated over consecutive fiscal years (第4章(5), rule 7).

    The guideline warns against always choosing the same partner (相手の固定化). A pair
    counts for a fiscal year in ``from_fiscal_year..to_fiscal_year`` when the partner took
    part in any of the department's collaborations of that year; cancelled collaborations
    never happened and do not count. A finding is a pair whose longest run of consecutive
    fiscal years reaches ``min_consecutive_years``; ``fiscal_years`` lists every year of
    the range the pair worked together and ``collaboration_count`` their collaborations
    in the range. Most consecutive years first, then most collaborations, then by
    department, then by the partner's 五十音 order.

    ``INVALID`` when the range is reversed or too long, or ``min_consecutive_years`` < 2
    (one year is not a repetition); ``NOT_FOUND`` for an unknown department code.
    """
    require_fiscal_year_range(from_fiscal_year, to_fiscal_year, field="from_fiscal_year")
    if to_fiscal_year - from_fiscal_year >= MAX_CONCENTRATION_SPAN_YEARS:
        raise DomainError(
            ErrorCode.INVALID,
            f"年度の範囲は {MAX_CONCENTRATION_SPAN_YEARS} 年以内にしてください。",
            "to_fiscal_year",
        )
    if min_consecutive_years < 2:
        raise DomainError(
            ErrorCode.INVALID,
            "連続年数は 2 以上にしてください（1 年だけでは繰り返しになりません）。",
            "min_consecutive_years",
        )
    if to_fiscal_year - from_fiscal_year + 1 < min_consecutive_years:
        return []

    conditions = [
        col(Collaboration.fiscal_year).between(from_fiscal_year, to_fiscal_year),
        happened(),
    ]
    if department_code is not None:
        department = await get_department_by_code_or_raise(
            session, department_code, field="department_code"
        )
        conditions.append(col(Collaboration.department_id) == department.id)
    stmt = (
        sa.select(
            col(Collaboration.department_id),
            col(Participation.partner_id),
            col(Collaboration.fiscal_year),
            sa.func.count(sa.distinct(col(Collaboration.id))),
            # The partner's 五十音 key, for the order of findings on ties.
            col(Partner.sort_key),
        )
        .join(Participation, col(Participation.collaboration_id) == col(Collaboration.id))
        .join(Partner, col(Partner.id) == col(Participation.partner_id))
        .where(*conditions)
        .group_by(
            col(Collaboration.department_id),
            col(Participation.partner_id),
            col(Collaboration.fiscal_year),
            col(Partner.sort_key),
        )
    )
    years: dict[tuple[int, int], list[int]] = defaultdict(list)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    sort_keys: dict[int, str] = {}
    for department_id, partner_id, fiscal_year, count, sort_key in await session.execute(stmt):
        assert fiscal_year is not None
        years[(department_id, partner_id)].append(fiscal_year)
        counts[(department_id, partner_id)] += count
        sort_keys[partner_id] = sort_key
    runs = {pair: longest_run(ys) for pair, ys in years.items()}
    pairs = [pair for pair, run in runs.items() if run >= min_consecutive_years]
    if not pairs:
        return []
    pairs.sort(key=lambda pair: (-runs[pair], -counts[pair], pair[0], sort_keys[pair[1]], pair[1]))
    return [
        ConcentratedPair(
            department_id=d,
            partner_id=p,
            fiscal_years=sorted(years[(d, p)]),
            consecutive_years=runs[(d, p)],
            collaboration_count=counts[(d, p)],
        )
        for d, p in pairs
    ]


# ------------------------------------------------------------------ 中間支援, 第4章(7)


@dataclass(frozen=True, slots=True)
class PartnerSuggestion:
    partner: Partner
    matching_fields: list[CollaborationField]
    last_fiscal_year_with_department: int | None
    score: float


DEFAULT_SUGGESTIONS = 10
# After this many fiscal years apart, a partner counts as "new" to the department again.
FRESH_AFTER_YEARS = 5


async def partner_suggestions(session: AsyncSession, **arguments: Any) -> list[PartnerSuggestion]:
    """The suggestions of :func:`suggested` (the same arguments), with their partners and
    matching fields."""
    found = await suggested(session, **arguments)
    partners = await rows_by_ids(session, Partner, [s.partner_id for s in found])
    field_ids = sorted({pk for s in found for pk in s.field_ids})
    fields = await rows_by_ids(session, CollaborationField, field_ids)
    return [
        PartnerSuggestion(
            partner=partners[s.partner_id],
            matching_fields=[fields[pk] for pk in s.field_ids],
            last_fiscal_year_with_department=s.last_fiscal_year_with_department,
            score=s.score,
        )
        for s in found
    ]


@dataclass(frozen=True, slots=True)
class Suggested:
    """A suggestion by ids: what :func:`suggested` decides, before the partner and field
    rows are read (each read path reads them its own way)."""

    partner_id: int
    field_ids: list[int]
    """The requested fields it is active in, in the fields' order."""
    last_fiscal_year_with_department: int | None
    score: float


async def suggested(
    session: AsyncSession,
    *,
    field_codes: Sequence[str],
    department_code: str | None = None,
    first: int = DEFAULT_SUGGESTIONS,
    current_fiscal_year: int,
) -> list[Suggested]:
    """Partners the city could connect for a need (中間支援, 第2章1(4), 第4章(7), rule 7).

    Candidates are ACTIVE partners active (PartnerField) in any of ``field_codes``.
    Individuals (INDIVIDUAL) are left out: proposing private persons to a department is
    matchmaking on personal data (第2章2, rule 13), which their registration did not ask
    for; the city reaches volunteers through groups and 中間支援 organisations instead.

    Score, between 0 and 2, higher first (ties by 五十音 then id, so it is deterministic)::

        score = matched / requested + freshness
        freshness = 0                                   without department_code
                  = 1                                   never worked with the department
                  = min(max(current - last, 0), 5) / 5  last worked together in fiscal year ``last``

    ``matched`` counts the requested fields the partner is active in, ``requested`` the
    distinct requested fields; ``last`` is the latest fiscal year of a non-cancelled
    collaboration of the department the partner took part in. So more matching fields
    rank higher, and — avoiding fixed partners (第4章(5)) — partners the department has
    not worked with, or not for five years, rank above this year's partners.

    ``INVALID`` when no field is given or ``first`` is outside 1..100; ``NOT_FOUND`` for
    unknown field or department codes.
    """
    if not field_codes:
        raise DomainError(ErrorCode.INVALID, "分野を 1 つ以上指定してください。", "field_codes")
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise DomainError(
            ErrorCode.INVALID,
            f"first は 1 以上 {MAX_PAGE_SIZE} 以下で指定してください（指定値: {first}）。",
            "first",
        )
    fields = await fields_by_code(session, list(field_codes), field="field_codes")
    field_ids = [f.id for f in fields]
    requested = len(field_ids)

    matched_sq = (
        sa.select(col(PartnerField.partner_id), sa.func.count().label("matched"))
        .where(col(PartnerField.field_id).in_(field_ids))
        .group_by(col(PartnerField.partner_id))
        .subquery()
    )
    # The score times 5 × requested: an integer, so the SQL order is exact on both databases.
    last_col: sa.ColumnElement[int | None]
    fresh_years: sa.ColumnElement[int]
    if department_code is not None:
        department = await get_department_by_code_or_raise(
            session, department_code, field="department_code"
        )
        last_sq = (
            sa.select(
                col(Participation.partner_id),
                sa.func.max(col(Collaboration.fiscal_year)).label("last_year"),
            )
            .join(Collaboration, col(Collaboration.id) == col(Participation.collaboration_id))
            .where(
                col(Collaboration.department_id) == department.id,
                happened(),
            )
            .group_by(col(Participation.partner_id))
            .subquery()
        )
        last_col = last_sq.c.last_year
        years_apart = sa.literal(current_fiscal_year) - last_col
        fresh_years = sa.case(
            (last_col.is_(None), FRESH_AFTER_YEARS),
            (years_apart >= FRESH_AFTER_YEARS, FRESH_AFTER_YEARS),
            (years_apart <= 0, 0),
            else_=years_apart,
        )
    else:
        last_col = sa.null()  # type: ignore[assignment]
        fresh_years = sa.literal(0)
    numerator = matched_sq.c.matched * FRESH_AFTER_YEARS + fresh_years * requested

    stmt = (
        sa.select(col(Partner.id), last_col, numerator.label("numerator"))
        .join(matched_sq, matched_sq.c.partner_id == col(Partner.id))
        .where(
            col(Partner.status) == PartnerStatus.ACTIVE, col(Partner.kind) != PartnerKind.INDIVIDUAL
        )
        .order_by(numerator.desc(), col(Partner.sort_key), col(Partner.id))
        .limit(first)
    )
    if department_code is not None:
        stmt = stmt.outerjoin(last_sq, last_sq.c.partner_id == col(Partner.id))
    chosen = (await session.execute(stmt)).all()
    if not chosen:
        return []

    chosen_ids = [partner_id for partner_id, *_ in chosen]
    matching_stmt = (
        sa.select(col(PartnerField.partner_id), col(PartnerField.field_id))
        .join(CollaborationField, col(CollaborationField.id) == col(PartnerField.field_id))
        .where(
            col(PartnerField.partner_id).in_(chosen_ids),
            col(PartnerField.field_id).in_(field_ids),
        )
        .order_by(col(CollaborationField.sort_order), col(CollaborationField.id))
    )
    matching: list[list[int]] = group_by_key(
        [(partner_id, field_id) for partner_id, field_id in await session.execute(matching_stmt)],
        chosen_ids,
    )
    return [
        Suggested(
            partner_id=partner_id,
            field_ids=fields_of_partner,
            last_fiscal_year_with_department=last_year,
            score=round(score_numerator / (FRESH_AFTER_YEARS * requested), 4),
        )
        for (partner_id, last_year, score_numerator), fields_of_partner in zip(
            chosen, matching, strict=True
        )
    ]
