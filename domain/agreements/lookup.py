"""The disaster lookup (rule 9, 第3章(3)): who is bound to help with what on a day, and
how to reach them; and the support categories (協定区分) agreements offer.

:func:`disaster_support` reads it with the ORM; its rules (:func:`disaster_conditions`,
:func:`disaster_party_conditions`, :func:`disaster_rows` ...) are the functions the
compiled read path applies in its own single statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements import terms
from kyodo.domain.agreements.in_force import maybe_in_force_on
from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.agreements.standing import party_standing
from kyodo.domain.batches import group_by_key, loose
from kyodo.domain.disasters.capacity import capacity_of_parties
from kyodo.domain.disasters.contacts import (
    NO_CALLS,
    ContactStanding,
    contact_rank,
    standings_of_parties,
    verified_on,
)
from kyodo.domain.enums import AgreementCategory, SupportCategory, VerificationOutcome
from kyodo.domain.partners.models import Contact, Partner
from kyodo.domain.validation import filter_text, require_date

_SUPPORT_ORDER = {category: index for index, category in enumerate(SupportCategory)}


def with_support(categories: Sequence[SupportCategory]) -> sa.Select[Any]:
    """Ids of agreements offering any of ``categories``."""
    return sa.select(loose(AgreementSupportCategory.agreement_id)).where(
        loose(AgreementSupportCategory.category).in_(list(categories))
    )


def _with_party_in(district: str) -> sa.Select[Any]:
    """Ids of agreements with a party in ``district`` (地区)."""
    return (
        sa.select(loose(AgreementParty.agreement_id))
        .join(Partner, loose(Partner.id) == loose(AgreementParty.partner_id))
        .where(loose(Partner.district) == district)
    )


async def support_categories_by_agreement(
    session: AsyncSession, agreement_ids: Sequence[int]
) -> list[list[SupportCategory]]:
    """Each agreement's support categories (協定区分), in the enum's order."""
    stmt = sa.select(
        loose(AgreementSupportCategory.agreement_id), loose(AgreementSupportCategory.category)
    ).where(loose(AgreementSupportCategory.agreement_id).in_(list(agreement_ids)))
    rows = (await session.execute(stmt)).all()
    grouped: list[list[SupportCategory]] = group_by_key(rows, agreement_ids)
    return [in_category_order(cats) for cats in grouped]


def in_category_order(categories: Iterable[SupportCategory]) -> list[SupportCategory]:
    """Support categories in the enum's (協定区分) order."""
    return sorted(categories, key=_SUPPORT_ORDER.__getitem__)


class DisasterSupportRow(NamedTuple):
    """One line of the disaster-management office's list (rule 9). (Immutable like a
    frozen dataclass, and built in a third of its time: the lookup builds one per
    (agreement, party), a thousand on a large city's data.)"""

    partner: Partner
    agreement: Agreement
    support_categories: list[SupportCategory]
    emergency_contacts: list[Contact]
    contacts_verified_on: date | None
    contacts_stale: bool
    last_checked_on: date | None
    """The latest call of the yearly contact check to the partner (by the day asked)."""
    last_check_outcome: VerificationOutcome | None
    reachable: bool
    """False when the latest call to the partner went unanswered."""
    capacity: list[Any]
    """The partner's latest capacity report per item by the day asked (CapacityReport)."""


async def disaster_support(
    session: AsyncSession,
    *,
    categories: Sequence[SupportCategory] | None,
    on: date,
    district: str | None,
) -> list[DisasterSupportRow]:
    """Who is bound to help with what on ``on``, and how to reach them (rule 9, 第3章(3)).

    Every DISASTER_SUPPORT agreement in force on ``on`` whose support categories
    intersect ``categories`` (all when none are given), one row per (agreement, party);
    with ``district`` only parties of that 地区. Parties that are DISSOLVED or INACTIVE
    are left out: their agreements are listed apart (「協定の見直しが必要」,
    :func:`domain.disasters.review.agreements_needing_review`).

    Emergency contacts of a row are the agreement's contacts speaking for that party
    (``partner_id`` = the party) or for no party in particular (``partner_id`` empty).
    When the agreement names none for the party, the party's own contacts flagged
    ``is_emergency_contact`` are used instead, so the office always sees a way to
    reach a partner the city has one for. ``contactsVerifiedOn`` is the agreement's;
    ``contactsStale`` is :func:`terms.contacts_stale` as of ``on`` (never verified or
    verified more than 365 days before). A call of the partner's yearly contact check
    (``domain.disasters.contacts``) that reached someone by ``on`` verifies every row of
    that partner: ``contactsVerifiedOn`` is the later of the agreement's check and that
    call.

    Sorted by support category (the first requested category the agreement offers, in
    協定区分 order), then reachable, recently verified contacts first
    (:func:`domain.disasters.contacts.contact_rank`: fresh before stale, then those whose
    last call was answered, then the most recent confirmation), then the partner's 五十音
    key, then agreement id: a stable list the office can read top to bottom. Each row
    carries the partner's latest capacity report per item by ``on``
    (``domain.disasters.capacity``). At most seven statements whatever the result size.
    The rules are the functions below (:func:`disaster_conditions` ...), which the
    compiled read path applies in its own single statement.
    """
    disaster_day(on)
    wanted = disaster_wanted(categories)
    candidates = (
        await session.execute(
            sa.select(Agreement).where(
                *maybe_in_force_on(on), *disaster_conditions(wanted, district)
            )
        )
    ).scalars()
    agreements = {a.id: a for a in candidates if terms.agreement_in_force_on(a, on)}
    if not agreements:
        return []
    ids = sorted(a for a in agreements if a is not None)

    categories_of = dict(zip(ids, await support_categories_by_agreement(session, ids), strict=True))

    of_parties = disaster_party_conditions(AgreementParty, agreement_ids=ids, district=district)
    party_stmt = (
        sa.select(loose(AgreementParty.agreement_id), Partner)
        .join(Partner, loose(Partner.id) == loose(AgreementParty.partner_id))
        .where(*of_parties)
    )
    parties = (await session.execute(party_stmt)).all()
    if not parties:
        return []

    listed_stmt = (
        sa.select(loose(AgreementParty.agreement_id), loose(AgreementParty.partner_id), Contact)
        .join(
            Contact,
            sa.and_(
                loose(Contact.agreement_id) == loose(AgreementParty.agreement_id),
                speaks_for_party(Contact, loose(AgreementParty.partner_id)),
            ),
        )
        .where(*of_parties)
        .order_by(*contact_order())
    )
    listed: dict[tuple[int, int], list[Contact]] = {}
    for agreement_id, partner_id, contact in (await session.execute(listed_stmt)).all():
        listed.setdefault((agreement_id, partner_id), []).append(contact)

    needs_own = sorted(
        {p.id for aid, p in parties if p.id is not None and (aid, p.id) not in listed}
    )
    own: dict[int, list[Contact]] = {}
    if needs_own:
        own_stmt = (
            sa.select(Contact)
            .where(loose(Contact.partner_id).in_(needs_own), *own_emergency_contacts())
            .order_by(*contact_order())
        )
        for contact in (await session.execute(own_stmt)).scalars():
            if contact.partner_id is not None:
                own.setdefault(contact.partner_id, []).append(contact)

    standings = await standings_of_parties(session, agreement_ids=ids, on=on)
    capacity = await capacity_of_parties(session, agreement_ids=ids, on=on)
    return disaster_rows(
        (
            DisasterParty(
                partner=partner,
                agreement=agreements[agreement_id],
                support_categories=categories_of[agreement_id],
                listed=listed.get((agreement_id, partner.id or 0), []),
                own=own.get(partner.id or 0, []),
            )
            for agreement_id, partner in parties
        ),
        wanted=wanted,
        on=on,
        standings=standings,
        capacity=capacity,
    )


def disaster_day(on: date) -> date:
    """The lookup's day; refused (INVALID) outside the dates the database can hold."""
    require_date(on, label="日付", field="on")
    return on


def disaster_wanted(categories: Sequence[SupportCategory] | None) -> list[SupportCategory] | None:
    """The requested categories, without repeats; None for all."""
    return list(dict.fromkeys(categories)) if categories else None


def disaster_conditions(
    wanted: Sequence[SupportCategory] | None, district: str | None
) -> list[sa.ColumnElement[bool]]:
    """Which agreements the lookup considers, besides being in force (on ``Agreement``)."""
    conditions: list[sa.ColumnElement[bool]] = [
        loose(Agreement.category) == AgreementCategory.DISASTER_SUPPORT
    ]
    if wanted:
        conditions.append(loose(Agreement.id).in_(with_support(wanted)))
    # As the district is stored: "中央　" is 中央 (rule 14); blank is every district.
    district = filter_text(district)
    if district is not None:
        conditions.append(loose(Agreement.id).in_(_with_party_in(district)))
    return conditions


def disaster_party_conditions(
    party: Any,
    *,
    agreement_ids: Sequence[int] | sa.Select[Any],
    district: str | None,
    needing_review: bool = False,
) -> list[sa.ColumnElement[bool]]:
    """The (agreement, party) pairs of the lookup: parties of those agreements that can be
    counted on (not DISSOLVED or INACTIVE, :func:`domain.agreements.standing.party_standing`),
    of the district when one is given. With ``needing_review`` the other pairs: those
    whose party is DISSOLVED or INACTIVE (listed apart, 「協定の見直しが必要」).
    ``party``: ``AgreementParty`` or an alias of it; ``agreement_ids``: ids, or a subquery
    of them (:func:`domain.agreements.in_force.agreements_maybe_in_force_on`)."""
    conditions = [
        party.agreement_id.in_(
            agreement_ids if isinstance(agreement_ids, sa.Select) else list(agreement_ids)
        ),
        party_standing(party.partner_id, needing_review=needing_review),
    ]
    district = filter_text(district)
    if district is not None:
        conditions.append(
            party.partner_id.in_(
                sa.select(loose(Partner.id)).where(loose(Partner.district) == district)
            )
        )
    return conditions


def speaks_for_party(contact: Any, partner_id: Any) -> sa.ColumnElement[bool]:
    """An agreement's emergency contact speaks for the party ``partner_id`` when it names
    that party or no party in particular."""
    return sa.or_(contact.partner_id.is_(None), contact.partner_id == partner_id)


def own_emergency_contacts(contact: Any = Contact) -> list[sa.ColumnElement[bool]]:
    """A partner's own contacts (not an agreement's) flagged for emergencies."""
    return [contact.agreement_id.is_(None), contact.is_emergency_contact.is_(True)]


def contact_order(contact: Any = Contact) -> list[Any]:
    """Contacts in their listed order."""
    return [contact.position, contact.id]


class DisasterParty(NamedTuple):
    """What the lookup read for one (agreement, party): rows of any read path that carry
    the model's attribute names (ORM objects, or the compiled path's rows)."""

    partner: Any
    agreement: Any
    support_categories: list[SupportCategory]
    listed: list[Any]
    """The agreement's emergency contacts speaking for the party."""
    own: list[Any]
    """The party's own emergency contacts."""


def disaster_rows(
    parties: Iterable[DisasterParty],
    *,
    wanted: Sequence[SupportCategory] | None,
    on: date,
    standings: Mapping[int, ContactStanding],
    capacity: Mapping[int, list[Any]],
) -> list[DisasterSupportRow]:
    """The lookup's rows, in its order (see :func:`disaster_support`); ``standings`` and
    ``capacity``: :func:`domain.disasters.contacts.standings_of_parties` and
    :func:`domain.disasters.capacity.capacity_of_parties` for the same day."""
    ranked: list[tuple[tuple[Any, ...], DisasterSupportRow]] = []
    unranked = len(_SUPPORT_ORDER)
    order = _SUPPORT_ORDER.__getitem__
    for party in parties:
        partner, agreement = party.partner, party.agreement
        standing = standings.get(partner.id or 0, NO_CALLS)
        verified = verified_on(agreement.contacts_verified_on, standing)
        stale = terms.contacts_stale(verified_on=verified, as_of=on)
        row = DisasterSupportRow(
            partner=partner,
            agreement=agreement,
            support_categories=party.support_categories,
            emergency_contacts=party.listed or party.own,
            contacts_verified_on=verified,
            contacts_stale=stale,
            last_checked_on=standing.last_checked_on,
            last_check_outcome=standing.last_outcome,
            reachable=standing.reachable,
            capacity=list(capacity.get(partner.id or 0, ())),
        )
        categories = row.support_categories
        first = min(
            map(order, categories if wanted is None else [c for c in categories if c in wanted]),
            default=unranked,
        )
        key = (
            first,
            *contact_rank(verified=verified, stale=stale, standing=standing),
            partner.sort_key or "",
            agreement.id or 0,
            partner.id or 0,
        )
        ranked.append((key, row))
    ranked.sort(key=lambda pair: pair[0])
    return [row for _key, row in ranked]
