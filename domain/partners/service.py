"""Reading partners: filters, 五十音 order, search, and batch getters for DataLoaders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.lookup import contact_order
from kyodo.domain.agreements.models import Agreement, AgreementParty
from kyodo.domain.batches import get_by_ids, group_by_key, linked_by_parent, rows_by_parent
from kyodo.domain.collaborations.models import Participation
from kyodo.domain.enums import AgreementStatus, PartnerKind, PartnerStatus
from kyodo.domain.japanese import kana_sort_key, normalize_corporate_number, normalize_for_search
from kyodo.domain.ordering import Ordering, by_column
from kyodo.domain.pagination import Page, PageRequest, paginate
from kyodo.domain.partners.models import Contact, Partner, PartnerField
from kyodo.domain.reference.models import CollaborationField
from kyodo.domain.reference.service import field_order
from kyodo.domain.search import search_pattern
from kyodo.domain.validation import filter_codes, filter_text, fit
from kyodo.domain.visibility import PartnerVisibility


def derived_columns(name: str, name_kana: str | None) -> dict[str, str]:
    """The 五十音 sort key and the folded search text of a partner called ``name``.

    Folding can lengthen a name (NFKC turns ㌀ into アパート): both are cut to what their
    columns hold.
    """
    return {
        "sort_key": fit(kana_sort_key(name_kana, name), Partner.sort_key),
        "search_text": fit(normalize_for_search(f"{name} {name_kana or ''}"), Partner.search_text),
    }


def refresh_derived_fields(partner: Partner) -> None:
    """Keep the sort key and the search text in step with name and kana."""
    for column, value in derived_columns(partner.name, partner.name_kana).items():
        setattr(partner, column, value)


class PartnerOrderField(StrEnum):
    NAME_KANA = "NAME_KANA"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@dataclass(frozen=True, slots=True)
class PartnerFilterSpec:
    kinds: Sequence[PartnerKind] | None = None
    statuses: Sequence[PartnerStatus] | None = None
    search: str | None = None
    field_codes: Sequence[str] | None = None
    district: str | None = None
    corporate_number: str | None = None
    external_id: str | None = None
    has_agreement_in_force: bool | None = None
    partner_ids: Sequence[int] | None = None


@dataclass(frozen=True, slots=True)
class PartnerOrderSpec:
    field: PartnerOrderField = PartnerOrderField.NAME_KANA
    descending: bool = False


_ORDER_COLUMNS = {
    PartnerOrderField.NAME_KANA: "sort_key",
    PartnerOrderField.CREATED_AT: "created_at",
    PartnerOrderField.UPDATED_AT: "updated_at",
}


async def list_partners(
    session: AsyncSession,
    *,
    spec: PartnerFilterSpec,
    order: PartnerOrderSpec | None = None,
    page: PageRequest,
    today: date,
    visibility: PartnerVisibility,
) -> Page[Partner]:
    """One page of the partners ``visibility`` shows that match ``spec``, in 五十音
    order unless asked otherwise; the total counts only those too."""
    stmt = sa.select(Partner).where(
        *await list_conditions(session, spec=spec, today=today, visibility=visibility)
    )
    return await paginate(session, stmt, list_ordering(order), page)


async def list_conditions(
    session: AsyncSession, *, spec: PartnerFilterSpec, today: date, visibility: PartnerVisibility
) -> list[sa.ColumnElement[bool]]:
    """The WHERE of :func:`list_partners` (on the ``Partner`` table itself), for every
    read path that lists partners."""
    return [*visibility.conditions(), *await _conditions(session, spec, today)]


def list_ordering(order: PartnerOrderSpec | None) -> Ordering:
    """The order of :func:`list_partners`: a total order (id breaks ties)."""
    order = order or PartnerOrderSpec()
    name = _ORDER_COLUMNS[order.field]
    desc = order.descending
    return by_column(
        f"partners.{order.field.value}.{'desc' if desc else 'asc'}", Partner, name, descending=desc
    )


ALL_ORDERINGS = tuple(
    list_ordering(PartnerOrderSpec(field, descending))
    for field in PartnerOrderField
    for descending in (False, True)
)


def list_order(order: PartnerOrderSpec | None) -> list[Any]:
    """The ORDER BY of :func:`list_partners`."""
    return list_ordering(order).order_by()


async def _conditions(
    session: AsyncSession, spec: PartnerFilterSpec, today: date
) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if spec.kinds:
        conditions.append(col(Partner.kind).in_(list(spec.kinds)))
    if spec.statuses:
        conditions.append(col(Partner.status).in_(list(spec.statuses)))
    pattern = search_pattern(spec.search)
    if pattern is not None:
        conditions.append(col(Partner.search_text).like(pattern, escape="\\"))
    # Compared in the form the values are stored in (see domain/partners/commands.py).
    district = filter_text(spec.district)
    if district:
        conditions.append(col(Partner.district) == district)
    corporate_number = filter_text(spec.corporate_number)
    if corporate_number:
        number = normalize_corporate_number(corporate_number)
        conditions.append(col(Partner.corporate_number) == number)
    external_id = filter_text(spec.external_id)
    if external_id:
        conditions.append(col(Partner.external_id) == external_id)
    if spec.partner_ids is not None:
        conditions.append(col(Partner.id).in_(list(spec.partner_ids)))
    field_codes = filter_codes(spec.field_codes)
    if field_codes:
        in_fields = (
            sa.select(col(PartnerField.partner_id))
            .join(CollaborationField, col(CollaborationField.id) == col(PartnerField.field_id))
            .where(col(CollaborationField.code).in_(field_codes))
        )
        conditions.append(col(Partner.id).in_(in_fields))
    if spec.has_agreement_in_force is not None:
        from kyodo.domain.agreements.in_force import in_force_condition

        in_force = await in_force_condition(session, col(AgreementParty.agreement_id), on=today)
        parties = sa.select(col(AgreementParty.partner_id)).where(in_force)
        membership = col(Partner.id).in_(parties)
        conditions.append(membership if spec.has_agreement_in_force else sa.not_(membership))
    return conditions


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Partner | None]:
    return await get_by_ids(session, Partner, ids)


fields_by_partner = linked_by_parent(
    PartnerField.partner_id, CollaborationField, PartnerField.field_id, field_order()
)
"""Each partner's fields of collaboration, in the taxonomy's order."""


async def contacts_by_partner(
    session: AsyncSession, partner_ids: Sequence[int]
) -> list[list[Contact]]:
    """A partner's own contacts (not the emergency contacts of its agreements)."""
    return await rows_by_parent(
        session,
        Contact,
        "partner_id",
        partner_ids,
        contact_order(),
        where=[col(Contact.agreement_id).is_(None)],
    )


@dataclass(frozen=True, slots=True)
class AgreementsOfPartnerKey:
    partner_id: int
    statuses: tuple[AgreementStatus, ...] = ()
    limit: int | None = None


async def agreements_by_partner(
    session: AsyncSession, keys: Sequence[AgreementsOfPartnerKey]
) -> list[list[Agreement]]:
    """Agreements each partner is party to, newest conclusion first, optionally by status;
    at most ``limit`` of them, counted in SQL (a partner's agreements are not bounded)."""
    found: dict[AgreementsOfPartnerKey, list[Agreement]] = {}
    groups: dict[tuple[tuple[AgreementStatus, ...], int | None], list[int]] = {}
    for key in keys:
        groups.setdefault((key.statuses, key.limit), []).append(key.partner_id)
    for (statuses, limit), partner_ids in groups.items():
        party = col(AgreementParty.partner_id)
        ranked = (
            sa.select(
                party.label("party_id"),
                Agreement,
                sa.func.row_number()
                .over(
                    partition_by=party,
                    order_by=(col(Agreement.concluded_on).desc(), col(Agreement.id)),
                )
                .label("rank"),
            )
            .join(Agreement, col(Agreement.id) == col(AgreementParty.agreement_id))
            .where(party.in_(sorted(set(partner_ids))))
        )
        if statuses:
            ranked = ranked.where(col(Agreement.status).in_(statuses))
        subquery = ranked.subquery()
        agreement = sa.orm.aliased(Agreement, subquery)
        stmt = sa.select(subquery.c.party_id, agreement).order_by(
            subquery.c.party_id, subquery.c.rank
        )
        if limit is not None:
            stmt = stmt.where(subquery.c.rank <= limit)
        rows = (await session.execute(stmt)).all()
        grouped: list[list[Agreement]] = group_by_key(rows, partner_ids)
        for partner_id, items in zip(partner_ids, grouped, strict=True):
            found[AgreementsOfPartnerKey(partner_id, statuses, limit)] = items
    return [found[key] for key in keys]


@dataclass(frozen=True, slots=True)
class CollaboratorsKey:
    partner_id: int
    limit: int


async def collaborators_by_partner(
    session: AsyncSession, keys: Sequence[CollaboratorsKey]
) -> list[list[tuple[Partner, int]]]:
    """Other partners sharing collaborations with each partner, most shared first."""
    partner_ids = sorted({k.partner_id for k in keys})
    mine = sa.orm.aliased(Participation)
    theirs = sa.orm.aliased(Participation)
    shared = sa.func.count(sa.distinct(col(mine.collaboration_id))).label("shared")
    stmt = (
        sa.select(col(mine.partner_id), col(theirs.partner_id), shared)
        .join(theirs, col(theirs.collaboration_id) == col(mine.collaboration_id))
        .where(
            col(mine.partner_id).in_(partner_ids), col(theirs.partner_id) != col(mine.partner_id)
        )
        .group_by(col(mine.partner_id), col(theirs.partner_id))
    )
    counts = (await session.execute(stmt)).all()
    others = await get_many(session, sorted({other for _, other, _ in counts}))
    partners = {p.id: p for p in others if p is not None}
    per_partner: dict[int, list[tuple[Partner, int]]] = {pid: [] for pid in partner_ids}
    for pid, other, count in counts:
        per_partner[pid].append((partners[other], count))
    for pid, items in per_partner.items():
        items.sort(key=lambda item: (-item[1], item[0].sort_key, item[0].id))
        per_partner[pid] = items
    return [per_partner[k.partner_id][: k.limit] for k in keys]
