"""Reading collaborations (協働事業): filters, batch getters and the 第4章 analyses.

Everything here reads; nothing commits. Batch getters take the keys a DataLoader
collected and return one result per key, in the keys' order, from one statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.collaborations import rules
from kyodo.domain.collaborations.departments import in_departments
from kyodo.domain.collaborations.models import (
    Collaboration,
    CollaborationFieldLink,
    CollaborationFormLink,
    Evaluation,
    Participation,
    ProgressReport,
)
from kyodo.domain.enums import (
    CollaborationForm,
    CollaborationStatus,
    PartnerKind,
    PartnerStatus,
    ReadinessItem,
)
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.japanese import normalize_for_search
from kyodo.domain.pagination import (
    FIRST_PAGE,
    MAX_PAGE_SIZE,
    Ordering,
    Page,
    PageRequest,
    SortKey,
    by_id,
    group_by_key,
    paginate,
    paginate_per_parent,
)
from kyodo.domain.partners.models import Partner, PartnerField
from kyodo.domain.reference.models import CollaborationField, Department
from kyodo.domain.reference.service import fields_by_code, get_department_by_code_or_raise
from kyodo.domain.search import search_pattern
from kyodo.domain.validation import fit
from kyodo.domain.visibility import PartnerVisibility

# ------------------------------------------------------------------ listing


@dataclass(frozen=True, slots=True)
class CollaborationFilterSpec:
    """What a list of collaborations is narrowed to; every given condition must hold.

    List-valued conditions match any of their values (a collaboration in any of the
    ``forms``, in any of the ``field_codes``...). ``search`` is a partial match on the
    folded title and summary (全角/半角 and ひらがな/カタカナ insensitive, rule 14).
    """

    forms: Sequence[CollaborationForm] | None = None
    statuses: Sequence[CollaborationStatus] | None = None
    department_codes: Sequence[str] | None = None
    field_codes: Sequence[str] | None = None
    fiscal_year: int | None = None
    partner_id: int | None = None
    search: str | None = None
    department_id: int | None = None
    # Rule 13 (第2章2): only what the city has published.
    public_only: bool = False


async def list_collaborations(
    session: AsyncSession,
    *,
    spec: CollaborationFilterSpec,
    page: PageRequest,
    visibility: PartnerVisibility,
) -> Page[Collaboration]:
    """One page of collaborations matching ``spec``: newest fiscal year first, then newest id.

    Collaborations without a fiscal year come last. The order is total (id breaks ties),
    so offset cursors stay stable between pages. ``partnerId`` matches only a partner
    ``visibility`` shows: filtering by a hidden volunteer finds nothing (rule 13).
    """
    stmt = sa.select(Collaboration).where(*list_conditions(spec, visibility))
    return await paginate(session, stmt, list_ordering(), page)


def list_conditions(
    spec: CollaborationFilterSpec, visibility: PartnerVisibility
) -> list[sa.ColumnElement[bool]]:
    """The WHERE of :func:`list_collaborations` (on the ``Collaboration`` table itself),
    for every read path that lists collaborations."""
    return _conditions(spec, visibility)


def list_ordering(collaboration: Any = Collaboration, name: str = "collaborations") -> Ordering:
    """Newest fiscal year first (none last), then newest id: a total order.
    ``collaboration``: the table or an alias of it."""
    on_row = collaboration is Collaboration and name == "collaborations"
    return Ordering(
        name,
        (
            SortKey(
                collaboration.fiscal_year,
                True,
                "fiscal_year" if on_row else None,
                nulls_greatest=False,
            ),
            SortKey(collaboration.id, True, "id" if on_row else None),
        ),
    )


def list_order(collaboration: Any = Collaboration) -> list[Any]:
    """The ORDER BY of :func:`list_collaborations`."""
    return list_ordering(collaboration).order_by()


def published_only(collaboration: Any = Collaboration) -> sa.ColumnElement[bool]:
    """Rule 13 (第2章2): what the city has published, for callers outside its staff."""
    is_public: Any = collaboration.is_public
    return is_public.is_(True)


def _conditions(
    spec: CollaborationFilterSpec, visibility: PartnerVisibility
) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    collaboration_id = col(Collaboration.id)
    if spec.forms:
        conditions.append(
            collaboration_id.in_(
                sa.select(col(CollaborationFormLink.collaboration_id)).where(
                    col(CollaborationFormLink.form).in_(list(spec.forms))
                )
            )
        )
    if spec.statuses:
        conditions.append(col(Collaboration.status).in_(list(spec.statuses)))
    if spec.department_codes:
        # A department's collaborations are those it owns and those it shares (rule 17).
        wanted = sa.select(col(Department.id)).where(
            col(Department.code).in_(list(spec.department_codes))
        )
        conditions.append(
            sa.or_(
                col(Collaboration.department_id).in_(wanted),
                in_departments(collaboration_id, wanted),
            )
        )
    if spec.department_id is not None:
        conditions.append(col(Collaboration.department_id) == spec.department_id)
    if spec.field_codes:
        conditions.append(
            collaboration_id.in_(
                sa.select(col(CollaborationFieldLink.collaboration_id))
                .join(
                    CollaborationField,
                    col(CollaborationField.id) == col(CollaborationFieldLink.field_id),
                )
                .where(col(CollaborationField.code).in_(list(spec.field_codes)))
            )
        )
    if spec.fiscal_year is not None:
        conditions.append(col(Collaboration.fiscal_year) == spec.fiscal_year)
    if spec.partner_id is not None:
        conditions.append(
            collaboration_id.in_(
                sa.select(col(Participation.collaboration_id)).where(
                    col(Participation.partner_id) == spec.partner_id,
                    *visibility.only_visible(col(Participation.partner_id)),
                )
            )
        )
    pattern = search_pattern(spec.search)
    if pattern is not None:
        conditions.append(col(Collaboration.search_text).like(pattern, escape="\\"))
    if spec.public_only:
        conditions.append(published_only())
    return conditions


def refresh_search_text(collaboration: Collaboration) -> None:
    """Keep the folded search text in step with title and summary (what ``search`` matches)."""
    collaboration.search_text = fit(
        normalize_for_search(f"{collaboration.title} {collaboration.summary or ''}"),
        Collaboration.search_text,
    )


# ------------------------------------------------------------------ batch getters


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Collaboration | None]:
    stmt = sa.select(Collaboration).where(col(Collaboration.id).in_(ids))
    return by_id(list((await session.execute(stmt)).scalars()), ids)


_FORM_ORDER = {form: i for i, form in enumerate(CollaborationForm)}


async def forms_by_collaboration(
    session: AsyncSession, ids: Sequence[int]
) -> list[list[CollaborationForm]]:
    """The forms each collaboration combines (第3章), in the guideline's order (共催 first)."""
    stmt = sa.select(
        col(CollaborationFormLink.collaboration_id), col(CollaborationFormLink.form)
    ).where(col(CollaborationFormLink.collaboration_id).in_(ids))
    rows = (await session.execute(stmt)).all()
    return [in_form_order(forms) for forms in group_by_key(rows, ids)]


def in_form_order(forms: Iterable[CollaborationForm]) -> list[CollaborationForm]:
    """Forms in the guideline's order (第3章: 共催 first)."""
    return sorted(forms, key=_FORM_ORDER.__getitem__)


def participation_order(participation: Any = Participation) -> list[Any]:
    """Lead partners first, then in the order they joined."""
    return [participation.is_lead.desc(), participation.id]


def progress_report_order(report: Any = ProgressReport) -> list[Any]:
    """Latest report first."""
    return [report.reported_on.desc(), report.id.desc()]


def collaboration_agreement_order(agreement: Any = Agreement) -> list[Any]:
    """A collaboration's agreements, latest conclusion first (unconcluded last)."""
    return [agreement.concluded_on.desc().nulls_last(), agreement.id]


async def fields_by_collaboration(
    session: AsyncSession, ids: Sequence[int]
) -> list[list[CollaborationField]]:
    """The fields of collaboration (Q8) of each collaboration, in the taxonomy's order."""
    stmt = (
        sa.select(col(CollaborationFieldLink.collaboration_id), CollaborationField)
        .join(
            CollaborationField, col(CollaborationField.id) == col(CollaborationFieldLink.field_id)
        )
        .where(col(CollaborationFieldLink.collaboration_id).in_(ids))
        .order_by(col(CollaborationField.sort_order), col(CollaborationField.id))
    )
    return group_by_key((await session.execute(stmt)).all(), ids)


@dataclass(frozen=True, slots=True)
class PartnersOfCollaborationKey:
    """A collaboration, as seen by a caller with ``visibility``."""

    collaboration_id: int
    visibility: PartnerVisibility


async def participations_by_collaboration(
    session: AsyncSession, keys: Sequence[PartnersOfCollaborationKey]
) -> list[list[Participation]]:
    """Each collaboration's participations (役割分担) of the partners its key's visibility
    shows (no volunteers for PUBLIC), lead partners first, then by id. The guideline's
    own checks (readiness) read them all, with ``PartnerVisibility.ALL``."""
    found: dict[PartnersOfCollaborationKey, list[Participation]] = {}
    for visibility in {k.visibility for k in keys}:
        ids = sorted({k.collaboration_id for k in keys if k.visibility is visibility})
        for pk, rows in zip(ids, await _participations(session, ids, visibility), strict=True):
            found[PartnersOfCollaborationKey(pk, visibility)] = rows
    return [found[k] for k in keys]


async def _participations(
    session: AsyncSession, ids: Sequence[int], visibility: PartnerVisibility
) -> list[list[Participation]]:
    stmt = (
        sa.select(Participation)
        .where(
            col(Participation.collaboration_id).in_(ids),
            *visibility.only_visible(col(Participation.partner_id)),
        )
        .order_by(*participation_order())
    )
    rows = (await session.execute(stmt)).scalars().all()
    return group_by_key([(p.collaboration_id, p) for p in rows], ids)


async def partner_count_by_collaboration(
    session: AsyncSession, keys: Sequence[PartnersOfCollaborationKey]
) -> list[int]:
    """How many partners take part in each collaboration, counting only those its key's
    visibility shows: the number of participations the same caller is listed."""
    counts: dict[PartnersOfCollaborationKey, int] = {}
    for visibility in {k.visibility for k in keys}:
        ids = sorted({k.collaboration_id for k in keys if k.visibility is visibility})
        stmt = (
            sa.select(col(Participation.collaboration_id), sa.func.count())
            .where(
                col(Participation.collaboration_id).in_(ids),
                *visibility.only_visible(col(Participation.partner_id)),
            )
            .group_by(col(Participation.collaboration_id))
        )
        for pk, count in (await session.execute(stmt)).all():
            counts[PartnersOfCollaborationKey(pk, visibility)] = count
    return [counts.get(k, 0) for k in keys]


@dataclass(frozen=True, slots=True)
class ParticipationsOfPartnerKey:
    partner_id: int
    page: PageRequest = FIRST_PAGE


PARTICIPATION_ORDERING = list_ordering(name="participations")
"""A partner's participations: newest collaboration first (the collaborations' order)."""


async def participations_page_by_partner(
    session: AsyncSession, keys: Sequence[ParticipationsOfPartnerKey]
) -> list[Page[Participation]]:
    """One page of each partner's participations, newest collaboration first; keys
    asking for the same page share one statement (``paginate_per_parent``)."""
    stmt = sa.select(Participation).join(
        Collaboration, col(Collaboration.id) == col(Participation.collaboration_id)
    )
    pages = await paginate_per_parent(
        session,
        stmt,
        col(Participation.partner_id),
        PARTICIPATION_ORDERING,
        [(k.partner_id, k.page) for k in keys],
    )
    return [pages[(k.partner_id, k.page)] for k in keys]


async def progress_reports_by_collaboration(
    session: AsyncSession, ids: Sequence[int]
) -> list[list[ProgressReport]]:
    """Progress reports (進捗確認, 第4章(3)) of each collaboration, latest first."""
    stmt = (
        sa.select(ProgressReport)
        .where(col(ProgressReport.collaboration_id).in_(ids))
        .order_by(*progress_report_order())
    )
    rows = (await session.execute(stmt)).scalars().all()
    return group_by_key([(r.collaboration_id, r) for r in rows], ids)


async def evaluation_by_collaboration(
    session: AsyncSession, ids: Sequence[int]
) -> list[Evaluation | None]:
    """The closing evaluation (結果の評価, 第4章(4)) of each collaboration, if recorded."""
    stmt = sa.select(Evaluation).where(col(Evaluation.collaboration_id).in_(ids))
    found = {e.collaboration_id: e for e in (await session.execute(stmt)).scalars()}
    return [found.get(i) for i in ids]


async def agreements_by_collaboration(
    session: AsyncSession, ids: Sequence[int]
) -> list[list[Agreement]]:
    """Agreements (協定) made for each collaboration, latest conclusion first."""
    stmt = (
        sa.select(Agreement)
        .where(col(Agreement.collaboration_id).in_(ids))
        .order_by(*collaboration_agreement_order())
    )
    rows = (await session.execute(stmt)).scalars().all()
    return group_by_key([(a.collaboration_id, a) for a in rows if a.collaboration_id], ids)


# ------------------------------------------------------------------ live checks (no SQL)


def readiness(
    collaboration: Collaboration, participations: Sequence[Participation]
) -> list[ReadinessItem]:
    """What 第4章(1)(2) still asks for before ``collaboration`` may start; empty means ready.

    Built from rows the caller already holds (the collaboration and its participations,
    normally from DataLoaders), so listing readiness for a page costs no extra query.
    """
    return rules.missing_readiness(
        purpose=collaboration.purpose,
        plan=collaboration.plan,
        budget_total_yen=collaboration.budget_total_yen,
        starts_on=collaboration.starts_on,
        ends_on=collaboration.ends_on,
        responsibility=collaboration.responsibility,
        participation_roles=[p.role for p in participations],
        city_can_do=collaboration.city_can_do,
        city_cannot_do=collaboration.city_cannot_do,
        participation_reasons=[(p.reason, p.capacity) for p in participations],
    )


def progress_overdue(
    collaboration: Collaboration, reports: Sequence[ProgressReport], *, as_of: date
) -> bool:
    """Whether a long ACTIVE collaboration is due a progress check (第4章(3), rule 6).

    Only running (ACTIVE) projects report progress; planned, finished and cancelled
    ones are never flagged. ``reports`` are the collaboration's progress reports.
    """
    if collaboration.status is not CollaborationStatus.ACTIVE:
        return False
    return rules.progress_overdue(
        starts_on=collaboration.starts_on,
        ends_on=collaboration.ends_on,
        last_report_on=max((r.reported_on for r in reports), default=None),
        as_of=as_of,
    )


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


async def partner_concentration(
    session: AsyncSession,
    *,
    from_fiscal_year: int,
    to_fiscal_year: int,
    min_consecutive_years: int = 3,
    department_code: str | None = None,
) -> list[ConcentrationFinding]:
    """Department–partner pairs repeated over consecutive fiscal years (第4章(5), rule 7).

    The guideline warns against always choosing the same partner (相手の固定化). A pair
    counts for a fiscal year in ``from_fiscal_year..to_fiscal_year`` when the partner took
    part in any of the department's collaborations of that year; cancelled collaborations
    never happened and do not count. A finding is a pair whose longest run of consecutive
    fiscal years reaches ``min_consecutive_years``; ``fiscal_years`` lists every year of
    the range the pair worked together and ``collaboration_count`` their collaborations
    in the range. Most consecutive years first, then most collaborations.

    ``INVALID`` when the range is reversed or too long, or ``min_consecutive_years`` < 2
    (one year is not a repetition); ``NOT_FOUND`` for an unknown department code.
    """
    if from_fiscal_year > to_fiscal_year:
        raise DomainError(
            ErrorCode.INVALID,
            f"年度の範囲が逆です。開始年度（{from_fiscal_year}）は終了年度（{to_fiscal_year}）"
            "以前にしてください。",
            "from_fiscal_year",
        )
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
        col(Collaboration.status) != CollaborationStatus.CANCELLED,
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
        )
        .join(Participation, col(Participation.collaboration_id) == col(Collaboration.id))
        .where(*conditions)
        .group_by(
            col(Collaboration.department_id),
            col(Participation.partner_id),
            col(Collaboration.fiscal_year),
        )
    )
    years: dict[tuple[int, int], list[int]] = defaultdict(list)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for department_id, partner_id, fiscal_year, count in await session.execute(stmt):
        assert fiscal_year is not None
        years[(department_id, partner_id)].append(fiscal_year)
        counts[(department_id, partner_id)] += count
    runs = {pair: longest_run(ys) for pair, ys in years.items()}
    pairs = [pair for pair, run in runs.items() if run >= min_consecutive_years]
    if not pairs:
        return []

    departments = {
        d.id: d
        for d in (
            await session.execute(
                sa.select(Department).where(col(Department.id).in_({d for d, _ in pairs}))
            )
        ).scalars()
    }
    partners = {
        p.id: p
        for p in (
            await session.execute(
                sa.select(Partner).where(col(Partner.id).in_({p for _, p in pairs}))
            )
        ).scalars()
    }
    findings = [
        ConcentrationFinding(
            department=departments[d],
            partner=partners[p],
            fiscal_years=sorted(years[(d, p)]),
            consecutive_years=runs[(d, p)],
            collaboration_count=counts[(d, p)],
        )
        for d, p in pairs
    ]
    findings.sort(
        key=lambda f: (
            -f.consecutive_years,
            -f.collaboration_count,
            f.department.id,
            f.partner.sort_key,
            f.partner.id,
        )
    )
    return findings


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


async def partner_suggestions(
    session: AsyncSession,
    *,
    field_codes: Sequence[str],
    department_code: str | None = None,
    first: int = DEFAULT_SUGGESTIONS,
    current_fiscal_year: int,
) -> list[PartnerSuggestion]:
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
                col(Collaboration.status) != CollaborationStatus.CANCELLED,
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
        sa.select(Partner, matched_sq.c.matched, last_col, numerator.label("numerator"))
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

    chosen_ids = [p.id for p, *_ in chosen]
    matching_stmt = (
        sa.select(col(PartnerField.partner_id), CollaborationField)
        .join(CollaborationField, col(CollaborationField.id) == col(PartnerField.field_id))
        .where(
            col(PartnerField.partner_id).in_(chosen_ids),
            col(PartnerField.field_id).in_(field_ids),
        )
        .order_by(col(CollaborationField.sort_order), col(CollaborationField.id))
    )
    matching = group_by_key(
        (await session.execute(matching_stmt)).all(),
        chosen_ids,
    )
    return [
        PartnerSuggestion(
            partner=partner,
            matching_fields=fields_of_partner,
            last_fiscal_year_with_department=last_year,
            score=round(score_numerator / (FRESH_AFTER_YEARS * requested), 4),
        )
        for (partner, _matched, last_year, score_numerator), fields_of_partner in zip(
            chosen, matching, strict=True
        )
    ]


# ------------------------------------------------------------------ partner network


@dataclass(frozen=True, slots=True)
class PartnerLink:
    source_id: int
    target_id: int
    shared_collaboration_count: int


@dataclass(frozen=True, slots=True)
class PartnerNetwork:
    nodes: list[Partner]
    links: list[PartnerLink]


MAX_NETWORK_NODES = 500
MAX_NETWORK_LINKS = 5000


async def partner_network(
    session: AsyncSession,
    *,
    field_codes: Sequence[str] | None = None,
    fiscal_year: int | None = None,
    min_shared_collaborations: int = 1,
) -> PartnerNetwork:
    """Partners linked by the collaborations they share, for network views (第2章1(4)).

    Collaborations count when in any of ``field_codes`` (if given) and of ``fiscal_year``
    (if given); cancelled ones never happened and do not count. A link joins two partners
    (``source_id < target_id``) sharing at least ``min_shared_collaborations`` of them.
    Bounded: the :data:`MAX_NETWORK_LINKS` strongest links are considered, and of their
    partners the :data:`MAX_NETWORK_NODES` most connected (by shared collaborations) are
    kept, with only the links among kept partners. Nodes come most connected first.
    """
    if min_shared_collaborations < 1:
        raise DomainError(
            ErrorCode.INVALID,
            "共通の協働事業の数は 1 以上にしてください。",
            "min_shared_collaborations",
        )
    collaboration_filter = [col(Collaboration.status) != CollaborationStatus.CANCELLED]
    if fiscal_year is not None:
        collaboration_filter.append(col(Collaboration.fiscal_year) == fiscal_year)
    collaboration_id = col(Collaboration.id)
    if field_codes:
        collaboration_filter.append(
            collaboration_id.in_(
                sa.select(col(CollaborationFieldLink.collaboration_id))
                .join(
                    CollaborationField,
                    col(CollaborationField.id) == col(CollaborationFieldLink.field_id),
                )
                .where(col(CollaborationField.code).in_(list(field_codes)))
            )
        )
    source = aliased(Participation)
    target = aliased(Participation)
    shared = sa.func.count(sa.distinct(col(source.collaboration_id)))
    stmt = (
        sa.select(col(source.partner_id), col(target.partner_id), shared)
        .join(target, col(target.collaboration_id) == col(source.collaboration_id))
        .join(Collaboration, col(Collaboration.id) == col(source.collaboration_id))
        .where(col(source.partner_id) < col(target.partner_id), *collaboration_filter)
        .group_by(col(source.partner_id), col(target.partner_id))
        .having(shared >= min_shared_collaborations)
        .order_by(shared.desc(), col(source.partner_id), col(target.partner_id))
        .limit(MAX_NETWORK_LINKS)
    )
    links = [
        PartnerLink(source_id=s, target_id=t, shared_collaboration_count=n)
        for s, t, n in (await session.execute(stmt))
    ]
    degree: dict[int, int] = defaultdict(int)
    for link in links:
        degree[link.source_id] += link.shared_collaboration_count
        degree[link.target_id] += link.shared_collaboration_count
    if not degree:
        return PartnerNetwork(nodes=[], links=[])
    partners = {
        p.id: p
        for p in (
            await session.execute(sa.select(Partner).where(col(Partner.id).in_(list(degree))))
        ).scalars()
    }
    ranked = sorted(
        partners.values(),
        key=lambda p: (-degree[p.id or 0], p.sort_key, p.id or 0),
    )[:MAX_NETWORK_NODES]
    kept = {p.id for p in ranked}
    return PartnerNetwork(
        nodes=ranked,
        links=[link for link in links if link.source_id in kept and link.target_id in kept],
    )
