"""Reading agreements (協定, 第3章(3)): the list's filters and order, and batch getters.

Which agreements are in force on a day is :mod:`domain.agreements.in_force` (rule 8);
the disaster lookup and the support categories are :mod:`domain.agreements.lookup`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements import terms
from kyodo.domain.agreements.in_force import (
    agreement_ids_term_ending_by,
    in_force_condition,
    stale_condition,
)
from kyodo.domain.agreements.lookup import contact_order, with_support
from kyodo.domain.agreements.models import Agreement, AgreementParty
from kyodo.domain.batches import get_by_ids, linked_by_parent, loose, rows_by_parent
from kyodo.domain.enums import AgreementCategory, AgreementStatus, SupportCategory
from kyodo.domain.ordering import by_column
from kyodo.domain.pagination import Page, PageRequest, paginate
from kyodo.domain.partners.models import Contact, Partner
from kyodo.domain.reference.models import Department
from kyodo.domain.search import search_pattern
from kyodo.domain.validation import filter_codes, require_date
from kyodo.domain.visibility import PartnerVisibility


@dataclass(frozen=True, slots=True)
class AgreementFilterSpec:
    """What ``agreements(filter:)`` may ask for; every given criterion must hold."""

    categories: Sequence[AgreementCategory] | None = None
    statuses: Sequence[AgreementStatus] | None = None
    support_categories: Sequence[SupportCategory] | None = None
    partner_id: int | None = None
    department_codes: Sequence[str] | None = None
    in_force_on: date | None = None
    term_ends_by: date | None = None
    contacts_stale_as_of: date | None = None
    search: str | None = None


_FILTER_DATES = (
    ("in_force_on", "効力のある日"),
    ("term_ends_by", "期間の終わりの期限"),
    ("contacts_stale_as_of", "連絡先の確認を見る日"),
)


async def _conditions(
    session: AsyncSession, spec: AgreementFilterSpec, today: date, visibility: PartnerVisibility
) -> list[sa.ColumnElement[bool]]:
    """SQL for ``spec``. Criteria about parties (``partnerId``, a party's name in
    ``search``) look only at the parties ``visibility`` shows: a hidden volunteer's id or
    name matches nothing (rule 13)."""
    for name, label in _FILTER_DATES:
        require_date(getattr(spec, name), label=label, field=f"filter.{name}")
    conditions: list[sa.ColumnElement[bool]] = []
    agreement_id = loose(Agreement.id)
    if spec.categories:
        conditions.append(loose(Agreement.category).in_(list(spec.categories)))
    if spec.statuses:
        conditions.append(loose(Agreement.status).in_(list(spec.statuses)))
    if spec.support_categories:
        conditions.append(agreement_id.in_(with_support(spec.support_categories)))
    if spec.partner_id is not None:
        parties = (loose(AgreementParty.agreement_id), loose(AgreementParty.partner_id))
        conditions.append(agreement_id.in_(visibility.owners_of(*parties, spec.partner_id)))
    department_codes = filter_codes(spec.department_codes)
    if department_codes:
        conditions.append(
            loose(Agreement.department_id).in_(
                sa.select(loose(Department.id)).where(loose(Department.code).in_(department_codes))
            )
        )
    if spec.contacts_stale_as_of is not None:
        conditions.append(stale_condition(spec.contacts_stale_as_of, terms.CONTACTS_MAX_AGE_DAYS))
    pattern = search_pattern(spec.search)
    if pattern is not None:
        by_party_name = (
            sa.select(loose(AgreementParty.agreement_id))
            .join(Partner, loose(Partner.id) == loose(AgreementParty.partner_id))
            .where(loose(Partner.search_text).like(pattern, escape="\\"), *visibility.conditions())
        )
        conditions.append(
            sa.or_(
                loose(Agreement.search_text).like(pattern, escape="\\"),
                agreement_id.in_(by_party_name),
            )
        )
    if spec.in_force_on is not None:
        conditions.append(await in_force_condition(session, agreement_id, on=spec.in_force_on))
    if spec.term_ends_by is not None:
        ids = await agreement_ids_term_ending_by(session, by=spec.term_ends_by, today=today)
        conditions.append(agreement_id.in_(ids))
    return conditions


async def list_agreements(
    session: AsyncSession,
    *,
    spec: AgreementFilterSpec,
    page: PageRequest,
    today: date,
    visibility: PartnerVisibility,
) -> Page[Agreement]:
    """One page of agreements matching ``spec`` (第3章(3)), newest conclusion first.

    Agreements are public; ``visibility`` decides which parties the criteria about
    parties may look at (see :func:`_conditions`).

    Order: ``concludedOn`` descending with unconcluded drafts last, then id descending,
    so pages are stable. ``termEndsBy`` applies renewals as of ``today``.
    """
    stmt = sa.select(Agreement).where(
        *await list_conditions(session, spec=spec, today=today, visibility=visibility)
    )
    return await paginate(session, stmt, LIST_ORDERING, page)


async def list_conditions(
    session: AsyncSession,
    *,
    spec: AgreementFilterSpec,
    today: date,
    visibility: PartnerVisibility,
) -> list[sa.ColumnElement[bool]]:
    """The WHERE of :func:`list_agreements` (on the ``Agreement`` table itself), for every
    read path that lists agreements. May read the term columns first (``inForceOn``,
    ``termEndsBy``: decided by :mod:`domain.agreements.terms`)."""
    return await _conditions(session, spec, today, visibility)


LIST_ORDERING = by_column("agreements", Agreement, "concluded_on", nulls_greatest=False)
"""The order of :func:`list_agreements`: newest conclusion first, drafts last."""


def list_order() -> list[Any]:
    """The ORDER BY of :func:`list_agreements`."""
    return LIST_ORDERING.order_by()


# ----------------------------------------------------------------- batch getters


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Agreement | None]:
    """Agreements by id, aligned with ``ids`` (None where missing)."""
    return await get_by_ids(session, Agreement, ids)


parties_by_agreement = linked_by_parent(
    AgreementParty.agreement_id,
    Partner,
    AgreementParty.partner_id,
    (loose(AgreementParty.position), loose(Partner.id)),
)
"""Each agreement's counterparties, in the order the agreement lists them."""


async def emergency_contacts_by_agreement(
    session: AsyncSession, agreement_ids: Sequence[int]
) -> list[list[Contact]]:
    """The emergency contacts each agreement itself lists (rows of ``Contact`` with
    ``agreement_id`` set), in their listed order. No fallback to the parties' own
    contacts here; :func:`domain.agreements.lookup.disaster_support` does that per party."""
    return await rows_by_parent(session, Contact, "agreement_id", agreement_ids, contact_order())
