"""Reading collaborations (協働事業): filters, batch getters and live checks.

The 第4章 analyses (fixed partners, suggestions, the partner network) are
:mod:`domain.collaborations.analyses`.

Everything here reads; nothing commits. Batch getters take the keys a DataLoader
collected and return one result per key, in the keys' order, from one statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.batches import get_by_ids, group_by_key, linked_by_parent, rows_by_parent
from kyodo.domain.collaborations import rules
from kyodo.domain.collaborations.departments import in_departments
from kyodo.domain.collaborations.fields import in_fields
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
    ReadinessItem,
)
from kyodo.domain.japanese import normalize_for_search
from kyodo.domain.ordering import Ordering, SortKey
from kyodo.domain.pagination import FIRST_PAGE, Page, PageRequest, paginate, paginate_per_parent
from kyodo.domain.reference.models import CollaborationField, Department
from kyodo.domain.reference.service import field_order
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
        conditions.append(in_fields(spec.field_codes))
    if spec.fiscal_year is not None:
        conditions.append(col(Collaboration.fiscal_year) == spec.fiscal_year)
    if spec.partner_id is not None:
        taking_part = (col(Participation.collaboration_id), col(Participation.partner_id))
        conditions.append(collaboration_id.in_(visibility.owners_of(*taking_part, spec.partner_id)))
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
    return await get_by_ids(session, Collaboration, ids)


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


fields_by_collaboration = linked_by_parent(
    CollaborationFieldLink.collaboration_id,
    CollaborationField,
    CollaborationFieldLink.field_id,
    field_order(),
)
"""The fields of collaboration (Q8) of each collaboration, in the taxonomy's order."""


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
    return await rows_by_parent(
        session, ProgressReport, "collaboration_id", ids, progress_report_order()
    )


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
    return await rows_by_parent(
        session, Agreement, "collaboration_id", ids, collaboration_agreement_order()
    )


# ------------------------------------------------------------------ live checks (no SQL)


def readiness(
    collaboration: Collaboration, participations: Sequence[Participation]
) -> list[ReadinessItem]:
    """What 第4章(1)(2) still asks for before ``collaboration`` may start; empty means ready.

    Built from rows the caller already holds (the collaboration and its participations,
    normally from DataLoaders), so listing readiness for a page costs no extra query.
    """
    return rules.missing_readiness(
        participation_roles=[p.role for p in participations],
        participation_reasons=[(p.reason, p.capacity) for p in participations],
        **{name: getattr(collaboration, name) for name in rules.READINESS_COLUMNS},
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
