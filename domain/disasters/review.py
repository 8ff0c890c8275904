"""Disaster-support agreements whose counterparty can no longer be counted on (rule 9).

The other side of :func:`domain.agreements.lookup.disaster_support`: the (agreement,
party) pairs the lookup leaves out because the party is DISSOLVED (解散) or INACTIVE
(休止中). The office does not call them in a disaster; it reviews the agreement
(「協定の見直しが必要」: amend it, terminate it or find another counterparty). Same
agreements (DISASTER_SUPPORT, in force on the day, the categories and district asked),
the pairs chosen by the same predicate with the opposite sign
(:func:`domain.agreements.standing.party_standing`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements import lookup
from kyodo.domain.agreements.in_force import agreements_maybe_in_force_on
from kyodo.domain.agreements.models import Agreement, AgreementParty
from kyodo.domain.agreements.standing import review_reason
from kyodo.domain.agreements.terms import agreement_in_force_on
from kyodo.domain.enums import PartnerStatus, SupportCategory
from kyodo.domain.partners.models import Partner


@dataclass(frozen=True, slots=True)
class DisasterReviewRow:
    """One agreement and the party that makes it need reviewing."""

    partner: Partner
    agreement: Agreement
    support_categories: list[SupportCategory]

    @property
    def partner_status(self) -> PartnerStatus:
        return self.partner.status

    @property
    def reason(self) -> str:
        return review_reason(self.partner.status)


def review_rows(
    pairs: Iterable[tuple[Any, Any]], categories_of: Mapping[int, list[SupportCategory]]
) -> list[DisasterReviewRow]:
    """The review list from its (agreement, party) pairs, each agreement in force on the
    day, and each agreement's categories in the enum's order: one row per pair, in the
    party's 五十音 order (``sort_key``), then agreement id, then partner id. Both read
    paths fold their rows with it."""
    ranked = sorted(pairs, key=lambda pair: (pair[1].sort_key or "", pair[0].id, pair[1].id))
    return [
        DisasterReviewRow(
            partner=partner,
            agreement=agreement,
            support_categories=categories_of[agreement.id],
        )
        for agreement, partner in ranked
    ]


async def agreements_needing_review(
    session: AsyncSession,
    *,
    categories: Sequence[SupportCategory] | None,
    on: date,
    district: str | None,
) -> list[DisasterReviewRow]:
    """The disaster-support agreements in force on ``on`` (offering any of
    ``categories``; with ``district`` only parties of that 地区) with a party that is
    DISSOLVED or INACTIVE, one row per (agreement, such party), as :func:`review_rows`
    orders them. Two statements: the pairs of the agreements that may be in force
    (``in_force.agreements_maybe_in_force_on``, a subquery: such parties are few, and a
    list of every agreement in force was thousands of parameters to render), kept when
    ``terms.agreement_in_force_on`` says so; then their categories."""
    lookup.disaster_day(on)
    wanted = lookup.disaster_wanted(categories)
    candidates = agreements_maybe_in_force_on(on, lookup.disaster_conditions(wanted, district))
    party_id: Any = AgreementParty.partner_id
    stmt = (
        sa.select(Agreement, Partner)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)  # type: ignore[arg-type]
        .join(Partner, Partner.id == party_id)  # type: ignore[arg-type]
        .where(
            *lookup.disaster_party_conditions(
                AgreementParty, agreement_ids=candidates, district=district, needing_review=True
            )
        )
    )
    pairs = [
        (agreement, partner)
        for agreement, partner in (await session.execute(stmt)).all()
        if agreement_in_force_on(agreement, on)
    ]
    if not pairs:
        return []
    found = sorted({a.id for a, _p in pairs if a.id is not None})
    categories_of = dict(
        zip(found, await lookup.support_categories_by_agreement(session, found), strict=True)
    )
    return review_rows(pairs, categories_of)
