"""A living contact list (連絡先確認, issue 11 item 10, rules 9 and 19).

Contacts are confirmed once a year per partner — one round of calls covers every
agreement the partner is party to, not one round per agreement. Each call is recorded
with its outcome (REACHED, NO_ANSWER, CHANGED), day and caller. A call that reached
someone (REACHED or CHANGED) verifies the partner's contacts as of that day; one that
was not answered verifies nothing and marks the partner as not reachable until the next
call gets through.

:func:`contact_standing` folds the calls and the agreements' own ``contactsVerifiedOn``
into what the disaster lookup ranks by (``domain.agreements.lookup.disaster_rows``),
and :func:`contacts_due` lists what turns stale within a window (the reminders).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements import terms
from kyodo.domain.agreements.calendar import check_within
from kyodo.domain.agreements.models import Agreement, AgreementParty
from kyodo.domain.agreements.standing import party_standing
from kyodo.domain.disasters.models import ContactVerification
from kyodo.domain.enums import AgreementCategory, VerificationOutcome
from kyodo.domain.errors import ErrorCode
from kyodo.domain.partners.models import Partner
from kyodo.domain.versioning import get_or_raise
from kyodo.domain.writes import Audited, fields_snapshot

ENTITY = "ContactVerification"
FIELDS = ("partner_id", "verified_on", "outcome", "verified_by", "note")
MAX_NOTE = 2000
CALLS = Audited(
    ContactVerification, entity_type=ENTITY, label="連絡先確認", snapshot=fields_snapshot(FIELDS)
)
"""Rows only ever added (history): the pipeline records their creation."""
DEFAULT_WITHIN_DAYS = 30
MAX_WITHIN_DAYS = 366

_REACHED = frozenset({VerificationOutcome.REACHED, VerificationOutcome.CHANGED})


# ------------------------------------------------------------------ recording a call


async def record_verification(
    session: AsyncSession,
    *,
    partner_id: int,
    verified_on: date,
    outcome: VerificationOutcome,
    note: str | None,
    verified_by: str | None,
    today: date,
    actor: str,
) -> ContactVerification:
    """One call of the yearly check of a partner's contacts (all its agreements at once).

    ``verifiedOn`` is not in the future; CHANGED asks for a note of what changed (the
    new contacts themselves are entered on the partner or the agreement)."""
    partner = await get_or_raise(
        session, Partner, partner_id, label="パートナー", field="partner_id"
    )
    problems = v.Problems()
    v.check_date(problems, verified_on, label="確認した日", field="verified_on")
    if not problems and verified_on > today:
        problems.add(
            ErrorCode.INVALID,
            f"確認した日に、まだ来ていない日（{verified_on.isoformat()}）は入れられません。",
            "verified_on",
        )
    text = v.optional_text(problems, note, label="メモ", field="note", max_length=MAX_NOTE)
    if outcome is VerificationOutcome.CHANGED and text is None:
        problems.add(
            ErrorCode.REQUIRED,
            "連絡先が変わっていたときは、何が変わったかをメモに書いてください。",
            "note",
        )
    caller = v.column_text(
        problems, verified_by, ContactVerification.verified_by, label="確認した人"
    )
    problems.raise_if_any()
    assert partner.id is not None
    row = ContactVerification(
        partner_id=partner.id,
        verified_on=verified_on,
        outcome=outcome,
        verified_by=v.fit(caller or actor, ContactVerification.verified_by),
        note=text,
    )
    return await CALLS.insert(session, row, actor=actor, action="contact_verification.record")


# ------------------------------------------------------------------ standing of a partner


@dataclass(frozen=True, slots=True)
class ContactStanding:
    """What the calls up to a day say about one partner's contacts."""

    last_checked_on: date | None = None
    last_outcome: VerificationOutcome | None = None
    reached_on: date | None = None
    """The latest call that reached someone (REACHED or CHANGED)."""

    @property
    def reachable(self) -> bool:
        """False only when the latest call went unanswered."""
        return self.last_outcome is not VerificationOutcome.NO_ANSWER


NO_CALLS = ContactStanding()


def fold_calls(calls: Iterable[Any]) -> ContactStanding:
    """``calls``: rows with ``verified_on``, ``outcome``, in the order they were made."""
    standing = NO_CALLS
    for call in calls:
        standing = ContactStanding(
            last_checked_on=call.verified_on,
            last_outcome=call.outcome,
            reached_on=call.verified_on if call.outcome in _REACHED else standing.reached_on,
        )
    return standing


def standing_on(calls: Iterable[Any], on: date) -> ContactStanding:
    """The standing on ``on`` from a partner's calls in the order made (later ones are
    not known yet on that day). Both read paths of the disaster lookup fold with it."""
    return fold_calls(call for call in calls if call.verified_on <= on)


def call_order() -> list[Any]:
    return [col(ContactVerification.verified_on), col(ContactVerification.id)]


async def standings_of_parties(
    session: AsyncSession, *, agreement_ids: Sequence[int], on: date
) -> dict[int, ContactStanding]:
    """The standing on ``on`` of every party of ``agreement_ids`` that has calls (one
    statement; both read paths of the disaster lookup use it)."""
    if not agreement_ids:
        return {}
    parties = sa.select(col(AgreementParty.partner_id)).where(
        col(AgreementParty.agreement_id).in_(list(agreement_ids))
    )
    return await _standings(session, col(ContactVerification.partner_id).in_(parties), on)


async def standings_of(
    session: AsyncSession, partner_ids: Sequence[int], on: date
) -> dict[int, ContactStanding]:
    return await _standings(session, col(ContactVerification.partner_id).in_(partner_ids), on)


async def _standings(
    session: AsyncSession, condition: sa.ColumnElement[bool], on: date
) -> dict[int, ContactStanding]:
    stmt = (
        sa.select(ContactVerification)
        .where(condition, col(ContactVerification.verified_on) <= on)
        .order_by(*call_order())
    )
    calls: dict[int, list[ContactVerification]] = {}
    for call in (await session.execute(stmt)).scalars():
        calls.setdefault(call.partner_id, []).append(call)
    return {partner_id: standing_on(rows, on) for partner_id, rows in calls.items()}


def verified_on(agreement_verified_on: date | None, standing: ContactStanding) -> date | None:
    """The day a row's contacts were last confirmed: the agreement's own check or the
    latest call to the partner that reached someone, whichever is later."""
    reached_on = standing.reached_on
    if agreement_verified_on is None:
        return reached_on
    if reached_on is None:
        return agreement_verified_on
    return max(agreement_verified_on, reached_on)


def contact_rank(
    *, verified: date | None, stale: bool, standing: ContactStanding
) -> tuple[int, int, int]:
    """How the disaster lookup orders partners within a support category (rule 9): fresh
    contacts before stale ones (``stale``: ``terms.contacts_stale`` of ``verified`` on the
    day asked), reachable before those whose last call went unanswered, then the most
    recently confirmed first."""
    recency = -verified.toordinal() if verified is not None else 0
    return (int(stale), int(not standing.reachable), recency)


# ------------------------------------------------------------------ the reminders


@dataclass(frozen=True, slots=True)
class ContactDue:
    """A partner whose contacts are stale by the end of the window."""

    partner: Partner
    agreements: list[Agreement]
    verified_on: date | None
    stale_on: date | None
    """The first day the contacts count as stale (None: never confirmed)."""
    stale: bool
    """Stale already on the day asked about."""
    standing: ContactStanding = field(default=NO_CALLS)


def due_agreements() -> list[sa.ColumnElement[bool]]:
    """The agreements whose parties the reminders consider, besides being in force on
    the day: disaster-support ones (both read paths of ``contactsDue``)."""
    return [col(Agreement.category) == AgreementCategory.DISASTER_SUPPORT]


async def contacts_due(
    session: AsyncSession, *, as_of: date, within_days: int = DEFAULT_WITHIN_DAYS
) -> list[ContactDue]:
    """Partners of disaster-support agreements in force on ``as_of`` whose contacts are
    stale on ``as_of`` or turn stale within ``within_days`` days: the calls to make.

    Only parties that can be counted on (:func:`domain.agreements.standing.party_standing`,
    as in ``disasterSupport``): a DISSOLVED or INACTIVE one is owed no call — its
    agreement needs reviewing (``disasterSupportNeedingReview``, ``agreementsDue``).
    Never confirmed first, then by the day they turn stale, then 五十音.
    """
    from kyodo.domain.agreements.in_force import agreement_ids_in_force_on

    check_within(as_of, within_days, most=MAX_WITHIN_DAYS)
    ids = await agreement_ids_in_force_on(session, on=as_of, conditions=due_agreements())
    if not ids:
        return []
    stmt = (
        sa.select(Partner, Agreement)
        .join(AgreementParty, col(AgreementParty.partner_id) == col(Partner.id))
        .join(Agreement, col(Agreement.id) == col(AgreementParty.agreement_id))
        .where(col(Agreement.id).in_(ids), party_standing(col(AgreementParty.partner_id)))
        .order_by(col(Agreement.id))
    )
    pairs = (await session.execute(stmt)).all()
    standings = await standings_of(session, sorted({p.id or 0 for p, _a in pairs}), as_of)
    return due_from_pairs(pairs, standings, as_of=as_of, within_days=within_days)


def due_from_pairs(
    pairs: Iterable[tuple[Any, Any]],
    standings: Mapping[int, ContactStanding],
    *,
    as_of: date,
    within_days: int,
) -> list[ContactDue]:
    """The reminders' rules over (partner, agreement) pairs already read — parties that
    can be counted on, of disaster-support agreements in force on ``as_of``, in agreement
    order — and their partners' standings on ``as_of`` (missing: no calls). Both read
    paths of ``contactsDue`` fold with it. A partner is due when its contacts (the latest
    of its agreements' own checks and of its calls that reached someone) are stale by
    ``as_of + within_days`` (rule 9). Never confirmed first, then by the day they turn
    stale, then 五十音."""
    partners: dict[int, Any] = {}
    agreements: dict[int, list[Any]] = {}
    for partner, agreement in pairs:
        key = partner.id or 0
        partners[key] = partner
        agreements.setdefault(key, []).append(agreement)
    horizon = as_of + timedelta(days=within_days)
    due: list[ContactDue] = []
    for partner_id, partner in partners.items():
        standing = standings.get(partner_id, NO_CALLS)
        own = [a.contacts_verified_on for a in agreements[partner_id] if a.contacts_verified_on]
        verified = verified_on(max(own) if own else None, standing)
        if not terms.contacts_stale(verified_on=verified, as_of=horizon):
            continue
        stale_on = verified + timedelta(days=terms.CONTACTS_MAX_AGE_DAYS + 1) if verified else None
        due.append(
            ContactDue(
                partner=partner,
                agreements=agreements[partner_id],
                verified_on=verified,
                stale_on=stale_on,
                stale=terms.contacts_stale(verified_on=verified, as_of=as_of),
                standing=standing,
            )
        )
    due.sort(
        key=lambda d: (
            d.stale_on is not None,
            d.stale_on or as_of,
            d.partner.sort_key or "",
            d.partner.id or 0,
        )
    )
    return due


async def calls_by_partner(
    session: AsyncSession, partner_ids: Sequence[int]
) -> list[list[ContactVerification]]:
    """Each partner's calls, the latest first."""
    from kyodo.domain.batches import rows_by_parent

    latest_first = (
        col(ContactVerification.verified_on).desc(),
        col(ContactVerification.id).desc(),
    )
    return await rows_by_parent(
        session, ContactVerification, "partner_id", partner_ids, latest_first
    )
