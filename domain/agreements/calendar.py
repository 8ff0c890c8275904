"""The notice and renewal calendar (rule 20, issue 11 item 11).

What falls due in a window of days: each agreement's notice deadline (current term end −
``noticeDays``, :func:`domain.agreements.terms.notice_deadline_on`), its term end, and
the reviews (``reviewDueOn``, 第4章(5)) of the collaborations agreements are made for.
For an auto-renewing agreement the term after the current one counts too, so a deadline
just passed is followed by the next one.

A party of the agreement that is DISSOLVED or INACTIVE does not take a date off the
calendar — the agreement is still in force and its notice deadline is exactly when to
terminate or amend it — but marks it: 「協定の見直しが必要」, with the parties, chosen by the
predicate the disaster lookup uses (:func:`domain.agreements.standing.party_standing`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements import terms
from kyodo.domain.agreements.in_force import rows_in_force_on
from kyodo.domain.agreements.models import Agreement, AgreementParty
from kyodo.domain.agreements.standing import (
    NEEDS_REVIEW_STATUSES,
    party_standing,
    review_reason,
)
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import AgreementDueKind
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.japanese import to_wareki
from kyodo.domain.labels import AGREEMENT_DUE_KIND_LABELS
from kyodo.domain.partners.models import Partner

DEFAULT_WITHIN_DAYS = 90
MAX_WITHIN_DAYS = 731
_ONE_DAY = timedelta(days=1)
_KIND_ORDER = {kind: index for index, kind in enumerate(AgreementDueKind)}


@dataclass(frozen=True, slots=True)
class DueItem:
    kind: AgreementDueKind
    due_on: date
    agreement: Agreement | None
    collaboration: Collaboration | None
    term_ends_on: date | None = None
    """The end of the term a notice deadline or term end belongs to."""
    parties_needing_review: tuple[Partner, ...] = ()
    """The agreement's parties that are DISSOLVED or INACTIVE, in 五十音 order."""

    @property
    def kind_label(self) -> str:
        """The kind in Japanese, e.g. 期間満了."""
        return AGREEMENT_DUE_KIND_LABELS[self.kind]

    @property
    def due_on_wareki(self) -> str:
        """The day in the Japanese calendar (和暦)."""
        return to_wareki(self.due_on)

    @property
    def needs_review(self) -> bool:
        """The agreement has a party that can no longer be counted on (協定の見直しが必要)."""
        return bool(self.parties_needing_review)

    @property
    def review_reason(self) -> str | None:
        """「協定の見直しが必要（相手方が解散）」 — by the gravest status among the parties
        (DISSOLVED before INACTIVE); None when nothing needs reviewing."""
        if not self.parties_needing_review:
            return None
        statuses = {party.status for party in self.parties_needing_review}
        return review_reason(next(s for s in NEEDS_REVIEW_STATUSES if s in statuses))

    @property
    def uid(self) -> str:
        """Stable across feeds, so a calendar updates an event instead of adding one."""
        owner = (
            f"agreement-{self.agreement.id}"
            if self.agreement is not None
            else f"collaboration-{self.collaboration.id if self.collaboration else 0}"
        )
        return f"{self.kind.value.lower()}-{owner}-{self.due_on.isoformat()}"


def check_within(as_of: date, within_days: int, *, most: int) -> None:
    """INVALID when ``as_of`` is outside the dates the data holds or ``within_days``
    outside 0..``most``."""
    v.require_date(as_of, label="基準日", field="as_of")
    if not 0 <= within_days <= most:
        raise DomainError(
            ErrorCode.INVALID,
            f"withinDays は0から{most}までの日数にしてください。",
            "within_days",
        )


def check_window(as_of: date, within_days: int) -> date:
    """The window's last day; INVALID outside the dates the data holds or the bounds."""
    check_within(as_of, within_days, most=MAX_WITHIN_DAYS)
    last = as_of + timedelta(days=within_days)
    v.require_date(last, label="期間の終わり", field="within_days")
    return last


def _terms_ahead(agreement: Agreement, as_of: date) -> list[date]:
    """Ends of the current term and, when it renews, of the next one."""
    try:
        end = terms.agreement_term_ends_on(agreement, as_of)
        if end is None:
            return []
        ends = [end]
        if agreement.auto_renewal and agreement.terminated_on is None:
            following = terms.agreement_term_ends_on(agreement, end + _ONE_DAY)
            if following is not None and following > end:
                ends.append(following)
        return ends
    except (terms.BeyondCalendar, OverflowError):
        return []


def agreement_items(
    agreement: Agreement,
    as_of: date,
    last: date,
    *,
    needing_review: Sequence[Partner] = (),
) -> list[DueItem]:
    """An agreement's notice deadlines and term ends between ``as_of`` and ``last``;
    ``needing_review``: its parties that are DISSOLVED or INACTIVE."""
    review = tuple(needing_review)
    items: list[DueItem] = []
    for end in _terms_ahead(agreement, as_of):
        if agreement.notice_days is not None:
            try:
                deadline = terms.notice_deadline_on(agreement, end)
            except terms.BeyondCalendar:
                deadline = None
            if deadline is not None and as_of <= deadline <= last:
                items.append(
                    DueItem(
                        AgreementDueKind.NOTICE_DEADLINE, deadline, agreement, None, end, review
                    )
                )
        if as_of <= end <= last:
            items.append(DueItem(AgreementDueKind.TERM_END, end, agreement, None, end, review))
    return items


async def parties_needing_review(
    session: AsyncSession, agreement_ids: Sequence[int]
) -> dict[int, list[Partner]]:
    """Each agreement's parties that are DISSOLVED or INACTIVE
    (:func:`domain.agreements.standing.party_standing`), in 五十音 order; one statement."""
    if not agreement_ids:
        return {}
    party_id: Any = AgreementParty.partner_id
    stmt = (
        sa.select(col(AgreementParty.agreement_id), Partner)
        .join(Partner, col(Partner.id) == party_id)
        .where(*needing_review_conditions(agreement_ids))
        .order_by(col(Partner.sort_key), col(Partner.id))
    )
    found: dict[int, list[Partner]] = {}
    for agreement_id, partner in (await session.execute(stmt)).all():
        found.setdefault(agreement_id, []).append(partner)
    return found


async def agreement_ids_due(session: AsyncSession, *, as_of: date, last: date) -> list[int]:
    """Ids of the agreements in force on ``as_of`` with a notice deadline or term end
    from ``as_of`` through ``last``, ascending: one statement of the columns
    :func:`agreement_items` reads, narrowed in SQL by ``in_force.maybe_in_force_on`` and
    decided by ``terms.agreement_in_force_on`` and :func:`agreement_items` themselves.

    Most agreements in force have no date in the window (on 10,000 partners, some 1,000
    of the 4,600 do): only those are read whole afterwards, by either read path."""
    rows = await rows_in_force_on(session, on=as_of, also=("notice_days",))
    # a row of the columns agreement_items reads stands for the agreement here
    return sorted(row.id for row in rows if agreement_items(row, as_of, last))


def needing_review_conditions(agreement_ids: Sequence[int]) -> list[sa.ColumnElement[bool]]:
    """SQL: the (agreement, party) pairs of these agreements whose party is DISSOLVED or
    INACTIVE (:func:`domain.agreements.standing.party_standing`)."""
    party_id: Any = AgreementParty.partner_id
    return [
        col(AgreementParty.agreement_id).in_(list(agreement_ids)),
        party_standing(party_id, needing_review=True),
    ]


def review_conditions(
    as_of: date, last: date, *, include_internal: bool
) -> list[sa.ColumnElement[bool]]:
    """SQL: the collaborations agreements are made for whose review falls due from
    ``as_of`` through ``last`` (第4章(5)); public ones only unless ``include_internal``."""
    conditions: list[sa.ColumnElement[bool]] = [
        col(Collaboration.review_due_on).between(as_of, last),
        col(Collaboration.id).in_(
            sa.select(col(Agreement.collaboration_id)).where(
                col(Agreement.collaboration_id).is_not(None)
            )
        ),
    ]
    if not include_internal:
        conditions.append(col(Collaboration.is_public).is_(True))
    return conditions


def due_items(
    agreements: Iterable[Agreement],
    collaborations: Iterable[Collaboration],
    *,
    as_of: date,
    last: date,
    needing_review: Mapping[int, Sequence[Partner]],
) -> list[DueItem]:
    """The calendar over what was read — the agreements of :func:`agreement_ids_due`,
    the collaborations of :func:`review_conditions`, each agreement's parties of
    :func:`needing_review_conditions` — by date, then kind, then agreement. Both read
    paths of ``agreementsDue`` fold with it."""
    items: list[DueItem] = []
    for agreement in agreements:
        review = needing_review.get(agreement.id or 0, ())
        items.extend(agreement_items(agreement, as_of, last, needing_review=review))
    for collaboration in collaborations:
        assert collaboration.review_due_on is not None
        items.append(
            DueItem(AgreementDueKind.REVIEW, collaboration.review_due_on, None, collaboration)
        )
    items.sort(
        key=lambda item: (
            item.due_on,
            _KIND_ORDER[item.kind],
            item.agreement.id if item.agreement else 0,
            item.collaboration.id if item.collaboration else 0,
        )
    )
    return items


async def agreements_due(
    session: AsyncSession,
    *,
    as_of: date,
    within_days: int = DEFAULT_WITHIN_DAYS,
    include_internal: bool,
) -> list[DueItem]:
    """Notice deadlines, term ends and reviews due from ``as_of`` through ``within_days``
    days later, by date (then kind, then agreement). Agreements are those in force on
    ``as_of``, each date marked with the parties that make the agreement need reviewing
    (DISSOLVED or INACTIVE); reviews are of collaborations that agreements are made for,
    public ones only unless ``include_internal`` (the city staff)."""
    last = check_window(as_of, within_days)
    ids = await agreement_ids_due(session, as_of=as_of, last=last)
    agreements: Sequence[Agreement] = []
    review: dict[int, list[Partner]] = {}
    if ids:
        review = await parties_needing_review(session, ids)
        stmt = sa.select(Agreement).where(col(Agreement.id).in_(ids))
        agreements = (await session.execute(stmt)).scalars().all()
    reviews = sa.select(Collaboration).where(
        *review_conditions(as_of, last, include_internal=include_internal)
    )
    collaborations = (await session.execute(reviews)).scalars().all()
    return due_items(agreements, collaborations, as_of=as_of, last=last, needing_review=review)
