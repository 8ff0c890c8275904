"""The track record of collaboration (Q1: まずは取り組みやすい形態から実績を積みましょう).

How many collaborations, by form, fiscal year, department and kind of partner. Each
breakdown is one grouped statement over the same filtered set (the list's own
conditions, :func:`domain.collaborations.service.list_conditions`), so the cost does not
grow with the number of rows read into Python: five statements, whatever the data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.collaborations.models import Collaboration, CollaborationFormLink, Participation
from kyodo.domain.collaborations.service import CollaborationFilterSpec, list_conditions
from kyodo.domain.enums import CollaborationForm, CollaborationStatus, PartnerKind
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.models import Department
from kyodo.domain.validation import require_fiscal_year_range
from kyodo.domain.visibility import PartnerVisibility

COUNTED_BY_DEFAULT = tuple(s for s in CollaborationStatus if s is not CollaborationStatus.CANCELLED)
"""Cancelled collaborations never happened: not counted unless asked for by status."""


@dataclass(frozen=True, slots=True)
class KindCount:
    kind: PartnerKind
    collaboration_count: int
    """Collaborations with at least one partner of this kind."""
    partner_count: int
    """Distinct partners of this kind taking part in them."""


@dataclass(frozen=True, slots=True)
class CollaborationStats:
    total: int
    by_form: list[tuple[CollaborationForm, int]]
    by_fiscal_year: list[tuple[int | None, int]]
    by_department: list[tuple[Department, int]]
    by_partner_kind: list[KindCount]


async def collaboration_stats(
    session: AsyncSession,
    *,
    spec: CollaborationFilterSpec,
    visibility: PartnerVisibility,
    from_fiscal_year: int | None = None,
    to_fiscal_year: int | None = None,
) -> CollaborationStats:
    """Counts over the collaborations ``spec`` selects (``spec.public_only``: only the
    published ones, for callers outside the city's staff), within the fiscal-year range.

    Without ``spec.statuses`` cancelled collaborations are left out. A collaboration
    combining two forms counts once under each, so ``byForm`` may add up to more than
    ``total``; the same holds for partner kinds. Every form appears (0 when unused) and
    every partner kind ``visibility`` shows; fiscal years and departments only where
    there are collaborations. Partners ``visibility`` hides (individuals, for PUBLIC)
    are counted nowhere. ``INVALID`` when the range is reversed.
    """
    require_fiscal_year_range(from_fiscal_year, to_fiscal_year, field="to_fiscal_year")
    if not spec.statuses:
        spec = replace(spec, statuses=COUNTED_BY_DEFAULT)
    conditions = list_conditions(spec, visibility)
    fiscal_year = col(Collaboration.fiscal_year)
    if from_fiscal_year is not None:
        conditions.append(fiscal_year >= from_fiscal_year)
    if to_fiscal_year is not None:
        conditions.append(fiscal_year <= to_fiscal_year)
    counted = sa.select(col(Collaboration.id)).where(*conditions)

    total = await session.scalar(sa.select(sa.func.count()).select_from(counted.subquery()))

    form = col(CollaborationFormLink.form)
    form_rows = await session.execute(
        sa.select(form, sa.func.count(sa.distinct(col(CollaborationFormLink.collaboration_id))))
        .where(col(CollaborationFormLink.collaboration_id).in_(counted))
        .group_by(form)
    )
    forms = dict(form_rows.all())

    year_rows = await session.execute(
        sa.select(fiscal_year, sa.func.count()).where(*conditions).group_by(fiscal_year)
    )
    years = sorted(year_rows.all(), key=lambda r: (r[0] is None, r[0] or 0))

    department_id = col(Collaboration.department_id)
    counts = sa.select(department_id, sa.func.count().label("n")).where(*conditions)
    per_department = counts.group_by(department_id).subquery()
    department_rows = await session.execute(
        sa.select(Department, per_department.c.n)
        .join(per_department, per_department.c.department_id == col(Department.id))
        .order_by(per_department.c.n.desc(), col(Department.id))
    )

    kind = col(Partner.kind)
    kind_rows = await session.execute(
        sa.select(
            kind,
            sa.func.count(sa.distinct(col(Participation.collaboration_id))),
            sa.func.count(sa.distinct(col(Participation.partner_id))),
        )
        .join(Partner, col(Partner.id) == col(Participation.partner_id))
        .where(col(Participation.collaboration_id).in_(counted), *visibility.conditions())
        .group_by(kind)
    )
    kinds = {k: (c, p) for k, c, p in kind_rows}
    shown_kinds = [k for k in PartnerKind if visibility.allows_kind(k)]
    return CollaborationStats(
        total=int(total or 0),
        by_form=[(f, int(forms.get(f, 0))) for f in CollaborationForm],
        by_fiscal_year=[(year, int(n)) for year, n in years],
        by_department=[(department, int(n)) for department, n in department_rows],
        by_partner_kind=[KindCount(k, *map(int, kinds.get(k, (0, 0)))) for k in shown_kinds],
    )
