"""Reading agreements (協定, 第3章(3)): filters, batch getters and the disaster lookup.

All SQL of the agreement area lives here. Whether an agreement is in force on a day and
when its current term ends are never stored (rule 8): SQL only narrows the candidates
with conditions that are necessary for the answer, and :mod:`domain.agreements.terms`
decides exactly. Agreements number at most a few thousand, so the exact check runs over
a handful of narrow columns and the survivors go back into SQL as an id list; pagination
always stays in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements import terms
from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.agreements.standing import party_standing
from kyodo.domain.disasters.capacity import capacity_of_parties
from kyodo.domain.disasters.contacts import (
    NO_CALLS,
    ContactStanding,
    contact_rank,
    standings_of_parties,
    verified_on,
)
from kyodo.domain.enums import (
    AgreementCategory,
    AgreementStatus,
    SupportCategory,
    VerificationOutcome,
)
from kyodo.domain.pagination import (
    Ordering,
    Page,
    PageRequest,
    SortKey,
    by_id,
    group_by_key,
    paginate,
)
from kyodo.domain.partners.models import Contact, Partner
from kyodo.domain.reference.models import Department
from kyodo.domain.search import search_pattern
from kyodo.domain.validation import filter_codes, filter_text, require_date
from kyodo.domain.visibility import PartnerVisibility

# Statuses an agreement can have been in force under: IN_FORCE now, EXPIRED and
# TERMINATED for the days before their end (history can be asked about).
_CONCLUDED = (AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED)

_SUPPORT_ORDER = {category: index for index, category in enumerate(SupportCategory)}

# The columns the term arithmetic of domain.agreements.terms reads.
_TERM_COLUMNS: tuple[Any, ...] = (
    Agreement.id,
    Agreement.status,
    Agreement.concluded_on,
    Agreement.effective_from,
    Agreement.effective_until,
    Agreement.auto_renewal,
    Agreement.renewal_term_months,
    Agreement.terminated_on,
)


@dataclass(frozen=True, slots=True)
class _Terms:
    """The term columns of one agreement; satisfies :class:`terms.AgreementTerms`."""

    id: int
    status: AgreementStatus
    concluded_on: date | None
    effective_from: date | None
    effective_until: date | None
    auto_renewal: bool
    renewal_term_months: int | None
    terminated_on: date | None


def _col(attr: Any) -> Any:
    """An ORM attribute typed loosely: SQLModel fields confuse mypy in SQL expressions."""
    return attr


def _maybe_in_force_on(on: date) -> list[sa.ColumnElement[bool]]:
    """SQL conditions every agreement in force on ``on`` meets (necessary, not sufficient).

    Concluded (IN_FORCE, EXPIRED or TERMINATED), started by ``on`` (``effective_from``,
    else ``concludedOn``), not terminated by then, and either open-ended, still in its
    stored term, or auto-renewing (renewals are checked exactly in Python).
    """
    start = sa.func.coalesce(_col(Agreement.effective_from), _col(Agreement.concluded_on))
    return [
        _col(Agreement.status).in_(_CONCLUDED),
        start.is_not(None),
        start <= on,
        sa.or_(_col(Agreement.terminated_on).is_(None), _col(Agreement.terminated_on) > on),
        sa.or_(
            _col(Agreement.effective_until).is_(None),
            _col(Agreement.effective_until) >= on,
            _col(Agreement.auto_renewal).is_(True),
        ),
    ]


async def _term_rows(
    session: AsyncSession, conditions: Sequence[sa.ColumnElement[bool]]
) -> list[_Terms]:
    stmt = sa.select(*_TERM_COLUMNS).where(*conditions)
    return [_Terms(*row) for row in (await session.execute(stmt)).all()]


async def agreement_ids_in_force_on(
    session: AsyncSession,
    *,
    on: date,
    conditions: Sequence[sa.ColumnElement[bool]] = (),
) -> list[int]:
    """Ids of the agreements in force on ``on`` (第3章(3), rule 8), ascending.

    One statement selecting only the term columns, narrowed in SQL by
    :func:`_maybe_in_force_on` (plus any extra ``conditions``), then decided exactly by
    :func:`terms.agreement_in_force_on` — the single place that knows about renewals,
    month ends and terminations. The check runs on every candidate, not only the
    renewing ones, so SQL never has to agree with Python on anything but a superset.
    """
    rows = await _term_rows(session, [*_maybe_in_force_on(on), *conditions])
    return sorted(row.id for row in rows if terms.agreement_in_force_on(row, on))


TERM_FIELDS: tuple[str, ...] = tuple(column.key for column in _TERM_COLUMNS)
"""What :func:`terms.agreement_in_force_on` reads of an agreement (the model's names)."""


def agreements_maybe_in_force_on(
    on: date, conditions: Sequence[sa.ColumnElement[bool]] = ()
) -> sa.Select[Any]:
    """The ids of the agreements that may be in force on ``on`` (a superset, as in
    :func:`agreement_ids_in_force_on`), meeting ``conditions``, as a subquery: a read
    that selects :data:`TERM_FIELDS` with its rows decides exactly, in the same statement's
    answer, with :func:`terms.agreement_in_force_on` (the compiled disaster lookup)."""
    return sa.select(_col(Agreement.id)).where(*_maybe_in_force_on(on), *conditions)


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
                _col(Agreement.effective_until).is_not(None),
                _col(Agreement.effective_until) <= by,
            ),
            sa.and_(
                _col(Agreement.terminated_on).is_not(None),
                # (by 9999-12-31 has no day after; every termination date is <= it)
                _col(Agreement.terminated_on) <= (by + timedelta(days=1) if by < date.max else by),
            ),
        )
    ]
    ids: list[int] = []
    for row in await _term_rows(session, conditions):
        end = terms.agreement_term_ends_on(row, today)
        if end is not None and end <= by:
            ids.append(row.id)
    return sorted(ids)


def _stale_condition(as_of: date, max_age_days: int) -> sa.ColumnElement[bool]:
    """SQL form of :func:`terms.contacts_stale`: never verified, or verified more than
    ``max_age_days`` days before ``as_of`` (exactly ``max_age_days`` is still fresh)."""
    verified = _col(Agreement.contacts_verified_on)
    try:
        cutoff = as_of - timedelta(days=max_age_days)
    except OverflowError:
        # The cutoff falls before 0001-01-01: no verification is that old.
        return verified.is_(None)
    return sa.or_(verified.is_(None), verified < cutoff)


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
    agreement_id = _col(Agreement.id)
    if spec.categories:
        conditions.append(_col(Agreement.category).in_(list(spec.categories)))
    if spec.statuses:
        conditions.append(_col(Agreement.status).in_(list(spec.statuses)))
    if spec.support_categories:
        conditions.append(agreement_id.in_(_with_support(spec.support_categories)))
    if spec.partner_id is not None:
        conditions.append(
            agreement_id.in_(
                sa.select(_col(AgreementParty.agreement_id)).where(
                    _col(AgreementParty.partner_id) == spec.partner_id,
                    *visibility.only_visible(_col(AgreementParty.partner_id)),
                )
            )
        )
    department_codes = filter_codes(spec.department_codes)
    if department_codes:
        conditions.append(
            _col(Agreement.department_id).in_(
                sa.select(_col(Department.id)).where(_col(Department.code).in_(department_codes))
            )
        )
    if spec.contacts_stale_as_of is not None:
        conditions.append(_stale_condition(spec.contacts_stale_as_of, terms.CONTACTS_MAX_AGE_DAYS))
    pattern = search_pattern(spec.search)
    if pattern is not None:
        by_party_name = (
            sa.select(_col(AgreementParty.agreement_id))
            .join(Partner, _col(Partner.id) == _col(AgreementParty.partner_id))
            .where(_col(Partner.search_text).like(pattern, escape="\\"), *visibility.conditions())
        )
        conditions.append(
            sa.or_(
                _col(Agreement.search_text).like(pattern, escape="\\"),
                agreement_id.in_(by_party_name),
            )
        )
    if spec.in_force_on is not None:
        ids = await agreement_ids_in_force_on(session, on=spec.in_force_on)
        conditions.append(agreement_id.in_(ids))
    if spec.term_ends_by is not None:
        ids = await agreement_ids_term_ending_by(session, by=spec.term_ends_by, today=today)
        conditions.append(agreement_id.in_(ids))
    return conditions


def _with_support(categories: Sequence[SupportCategory]) -> sa.Select[Any]:
    """Ids of agreements offering any of ``categories``."""
    return sa.select(_col(AgreementSupportCategory.agreement_id)).where(
        _col(AgreementSupportCategory.category).in_(list(categories))
    )


def _with_party_in(district: str) -> sa.Select[Any]:
    """Ids of agreements with a party in ``district`` (地区)."""
    return (
        sa.select(_col(AgreementParty.agreement_id))
        .join(Partner, _col(Partner.id) == _col(AgreementParty.partner_id))
        .where(_col(Partner.district) == district)
    )


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


LIST_ORDERING = Ordering(
    "agreements",
    (
        SortKey(_col(Agreement.concluded_on), True, "concluded_on", nulls_greatest=False),
        SortKey(_col(Agreement.id), True, "id"),
    ),
)
"""The order of :func:`list_agreements`: newest conclusion first, drafts last."""


def list_order() -> list[Any]:
    """The ORDER BY of :func:`list_agreements`."""
    return LIST_ORDERING.order_by()


# ----------------------------------------------------------------- batch getters


async def get_many(session: AsyncSession, ids: Sequence[int]) -> list[Agreement | None]:
    """Agreements by id, aligned with ``ids`` (None where missing)."""
    stmt = sa.select(Agreement).where(_col(Agreement.id).in_(list(ids)))
    return by_id(list((await session.execute(stmt)).scalars()), ids)


async def parties_by_agreement(
    session: AsyncSession, agreement_ids: Sequence[int]
) -> list[list[Partner]]:
    """Each agreement's counterparties, in the order the agreement lists them."""
    stmt = (
        sa.select(_col(AgreementParty.agreement_id), Partner)
        .join(Partner, _col(Partner.id) == _col(AgreementParty.partner_id))
        .where(_col(AgreementParty.agreement_id).in_(list(agreement_ids)))
        .order_by(_col(AgreementParty.position), _col(Partner.id))
    )
    rows = (await session.execute(stmt)).all()
    return group_by_key(rows, agreement_ids)


async def support_categories_by_agreement(
    session: AsyncSession, agreement_ids: Sequence[int]
) -> list[list[SupportCategory]]:
    """Each agreement's support categories (協定区分), in the enum's order."""
    stmt = sa.select(
        _col(AgreementSupportCategory.agreement_id), _col(AgreementSupportCategory.category)
    ).where(_col(AgreementSupportCategory.agreement_id).in_(list(agreement_ids)))
    rows = (await session.execute(stmt)).all()
    grouped: list[list[SupportCategory]] = group_by_key(rows, agreement_ids)
    return [in_category_order(cats) for cats in grouped]


def in_category_order(categories: Iterable[SupportCategory]) -> list[SupportCategory]:
    """Support categories in the enum's (協定区分) order."""
    return sorted(categories, key=_SUPPORT_ORDER.__getitem__)


async def emergency_contacts_by_agreement(
    session: AsyncSession, agreement_ids: Sequence[int]
) -> list[list[Contact]]:
    """The emergency contacts each agreement itself lists (rows of ``Contact`` with
    ``agreement_id`` set), in their listed order. No fallback to the parties' own
    contacts here; :func:`disaster_support` does that per party."""
    stmt = (
        sa.select(Contact)
        .where(_col(Contact.agreement_id).in_(list(agreement_ids)))
        .order_by(_col(Contact.position), _col(Contact.id))
    )
    rows = (await session.execute(stmt)).scalars().all()
    return group_by_key([(c.agreement_id, c) for c in rows], agreement_ids)  # type: ignore[misc]


async def agreements_by_collaboration(
    session: AsyncSession, collaboration_ids: Sequence[int]
) -> list[list[Agreement]]:
    """Agreements made for each collaboration, newest conclusion first (第3章(3))."""
    stmt = (
        sa.select(Agreement)
        .where(_col(Agreement.collaboration_id).in_(list(collaboration_ids)))
        .order_by(sa.nulls_last(_col(Agreement.concluded_on).desc()), _col(Agreement.id).desc())
    )
    rows = (await session.execute(stmt)).scalars().all()
    return group_by_key([(a.collaboration_id, a) for a in rows], collaboration_ids)  # type: ignore[misc]


# ----------------------------------------------------------------- disaster lookup


@dataclass(frozen=True, slots=True)
class DisasterSupportRow:
    """One line of the disaster-management office's list (rule 9)."""

    partner: Partner
    agreement: Agreement
    support_categories: list[SupportCategory]
    emergency_contacts: list[Contact] = field(default_factory=list)
    contacts_verified_on: date | None = None
    contacts_stale: bool = True
    last_checked_on: date | None = None
    """The latest call of the yearly contact check to the partner (by the day asked)."""
    last_check_outcome: VerificationOutcome | None = None
    reachable: bool = True
    """False when the latest call to the partner went unanswered."""
    capacity: list[Any] = field(default_factory=list)
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
                *_maybe_in_force_on(on), *disaster_conditions(wanted, district)
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
        sa.select(_col(AgreementParty.agreement_id), Partner)
        .join(Partner, _col(Partner.id) == _col(AgreementParty.partner_id))
        .where(*of_parties)
    )
    parties = (await session.execute(party_stmt)).all()
    if not parties:
        return []

    listed_stmt = (
        sa.select(_col(AgreementParty.agreement_id), _col(AgreementParty.partner_id), Contact)
        .join(
            Contact,
            sa.and_(
                _col(Contact.agreement_id) == _col(AgreementParty.agreement_id),
                speaks_for_party(Contact, _col(AgreementParty.partner_id)),
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
            .where(_col(Contact.partner_id).in_(needs_own), *own_emergency_contacts())
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
        _col(Agreement.category) == AgreementCategory.DISASTER_SUPPORT
    ]
    if wanted:
        conditions.append(_col(Agreement.id).in_(_with_support(wanted)))
    # As the district is stored: "中央　" is 中央 (rule 14); blank is every district.
    district = filter_text(district)
    if district is not None:
        conditions.append(_col(Agreement.id).in_(_with_party_in(district)))
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
    of them (:func:`agreements_maybe_in_force_on`)."""
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
                sa.select(_col(Partner.id)).where(_col(Partner.district) == district)
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


@dataclass(frozen=True, slots=True)
class DisasterParty:
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
    for party in parties:
        standing = standings.get(party.partner.id or 0, NO_CALLS)
        verified = verified_on(party.agreement.contacts_verified_on, standing)
        row = DisasterSupportRow(
            partner=party.partner,
            agreement=party.agreement,
            support_categories=party.support_categories,
            emergency_contacts=party.listed or party.own,
            contacts_verified_on=verified,
            contacts_stale=terms.contacts_stale(verified_on=verified, as_of=on),
            last_checked_on=standing.last_checked_on,
            last_check_outcome=standing.last_outcome,
            reachable=standing.reachable,
            capacity=list(capacity.get(party.partner.id or 0, [])),
        )
        offered = [c for c in row.support_categories if wanted is None or c in wanted]
        first = min((_SUPPORT_ORDER[c] for c in offered), default=len(_SUPPORT_ORDER))
        key = (
            first,
            *contact_rank(verified=verified, standing=standing, on=on),
            row.partner.sort_key or "",
            row.agreement.id or 0,
            row.partner.id or 0,
        )
        ranked.append((key, row))
    ranked.sort(key=lambda pair: pair[0])
    return [row for _key, row in ranked]
