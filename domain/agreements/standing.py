"""Whether an agreement's party can still be counted on (rule 9, issue 11).

A partner that is DISSOLVED (解散) or INACTIVE (休止中) is bound to nothing in practice:
the disaster lookup (``disasterSupport``) and the printed contact list leave it out and
list its agreements apart as 「協定の見直しが必要」 (the agreement needs reviewing —
amending, terminating or a new counterparty). The SQL predicate is defined here once and
used by every read path (the resolvers' lookup, the compiled read path, the exports).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from kyodo.domain.enums import PartnerStatus
from kyodo.domain.labels import label_of
from kyodo.domain.partners.models import Partner

NEEDS_REVIEW_STATUSES = (PartnerStatus.DISSOLVED, PartnerStatus.INACTIVE)
"""Partner statuses under which an agreement with the partner needs reviewing."""

REVIEW_LABEL = "協定の見直しが必要"


def party_standing(partner_id: Any, *, needing_review: bool = False) -> sa.ColumnElement[bool]:
    """SQL: the party ``partner_id`` (a column holding a partner's id) can be counted on —
    or, with ``needing_review``, is DISSOLVED or INACTIVE so its agreement needs reviewing."""
    status: Any = Partner.status
    statuses = sa.select(Partner.id).where(  # type: ignore[call-overload]
        status.in_(NEEDS_REVIEW_STATUSES)
    )
    member = partner_id.in_(statuses)
    return member if needing_review else sa.not_(member)


def needs_review(status: PartnerStatus) -> bool:
    """The Python form of :func:`party_standing` for one partner's status."""
    return status in NEEDS_REVIEW_STATUSES


def review_reason(status: PartnerStatus) -> str:
    """Why the agreement needs reviewing, in Japanese (「協定の見直しが必要（相手方が解散）」)."""
    return f"{REVIEW_LABEL}（相手方が{label_of(status)}）"
