"""Reading partners: filters, 五十音 order, search, and batch getters for DataLoaders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from kyodo.domain.agreements.lookup import contact_order
from kyodo.domain.agreements.models import Agreement, AgreementParty
from kyodo.domain.batches import (
    get_by_ids,
    group_by_key,
    linked_by_parent,
    loose,
    rows_by_parent,
)
from kyodo.domain.collaborations.models import Collaboration, Participation
from kyodo.domain.collaborations.network import happened
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


class Collaborator(NamedTuple):
    """Another partner one has collaborated with, and how often."""

    partner: Any
    shared_collaboration_count: int


def shared_counts(partner_ids: Any) -> sa.Subquery:
    """(``partner_id``, ``other_id``, ``shared``): for each of ``partner_ids`` (a list of
    ids, or one id: a value or a column of an enclosing query), every other partner it
    took part in a collaboration with, and in how many — collaborations that happened
    (``network.happened``: a cancelled one does not count). Its own aliases are fresh and
    everything else is correlated (``correlate_except``): the id may be a column several
    levels out (the compiled path's nested reads), which auto-correlation would not reach.
    """
    mine, theirs = aliased(Participation), aliased(Participation)
    collaboration = aliased(Collaboration)
    if isinstance(partner_ids, list | tuple):
        which = loose(mine.partner_id).in_(partner_ids)
    else:
        which = loose(mine.partner_id) == partner_ids
    return (
        sa.select(
            loose(mine.partner_id).label("partner_id"),
            loose(theirs.partner_id).label("other_id"),
            sa.func.count(sa.distinct(loose(mine.collaboration_id))).label("shared"),
        )
        .join(theirs, loose(theirs.collaboration_id) == loose(mine.collaboration_id))
        .join(collaboration, loose(collaboration.id) == loose(mine.collaboration_id))
        .where(which, loose(theirs.partner_id) != loose(mine.partner_id), happened(collaboration))
        .group_by(loose(mine.partner_id), loose(theirs.partner_id))
        .correlate_except(mine, theirs, collaboration)
        .subquery()
    )


def collaborator_order(shared: Any, other: Any) -> list[Any]:
    """Collaborators most shared collaborations first, then in 五十音 order (``other``:
    a Partner alias)."""
    return [shared.desc(), loose(other.sort_key), loose(other.id)]


async def collaborators_by_partner(
    session: AsyncSession, keys: Sequence[CollaboratorsKey]
) -> list[list[Collaborator]]:
    """Each partner's collaborators and how many collaborations they shared
    (:func:`shared_counts`), in :func:`collaborator_order`, at most the key's limit: one
    statement for the batch, ranked in SQL."""
    partner_ids = sorted({k.partner_id for k in keys})
    grouped = shared_counts(partner_ids)
    rank = sa.func.row_number().over(
        partition_by=grouped.c.partner_id,
        order_by=collaborator_order(grouped.c.shared, Partner),
    )
    ranked = (
        sa.select(grouped.c.partner_id, grouped.c.shared, Partner, rank.label("rank"))
        .join(Partner, loose(Partner.id) == grouped.c.other_id)
        .subquery()
    )
    other = aliased(Partner, ranked)
    stmt = (
        sa.select(ranked.c.partner_id, ranked.c.shared, other)
        .where(ranked.c.rank <= max(k.limit for k in keys))
        .order_by(ranked.c.partner_id, ranked.c.rank)
    )
    rows = (await session.execute(stmt)).all()
    grouped_rows: list[list[Collaborator]] = group_by_key(
        [(pid, Collaborator(partner, shared)) for pid, shared, partner in rows], partner_ids
    )
    found = dict(zip(partner_ids, grouped_rows, strict=True))
    return [found[k.partner_id][: k.limit] for k in keys]
