"""What a support request may ask for (応援要請, rules 19, 21): an agreement for disaster
support in force on the day, one of its parties that is still active, and a category of
support the agreement covers. Reads, never writes."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements import terms
from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.enums import AgreementCategory, PartnerStatus
from kyodo.domain.errors import ErrorCode
from kyodo.domain.labels import SUPPORT_CATEGORY_LABELS
from kyodo.domain.partners.models import Partner

if TYPE_CHECKING:
    from kyodo.domain.disasters.commands import SupportRequestData


async def _agreement_lists(
    session: AsyncSession, agreement_id: int, column: Any, value: Any
) -> bool:
    """Whether the agreement has a row of ``column``'s link table holding ``value`` there
    (a party, a support category)."""
    link = column.class_
    stmt = sa.select(sa.literal(1)).where(
        col(link.agreement_id) == agreement_id, col(column) == value
    )
    return bool(await session.scalar(stmt))


async def check_request_target(
    session: AsyncSession, data: SupportRequestData, day: date, problems: v.Problems
) -> None:
    """The agreement is a disaster-support agreement in force on ``day`` covering the
    category, and the partner is one of its parties, still active (rules 19, 21)."""
    agreement = await session.get(Agreement, data.agreement_id)
    if agreement is None:
        problems.add(ErrorCode.NOT_FOUND, "指定された協定は見つかりません。", "agreement_id")
        return
    if agreement.category != AgreementCategory.DISASTER_SUPPORT:
        problems.add(
            ErrorCode.INVALID,
            "応援要請は災害時応援協定に基づいて行ってください。",
            "agreement_id",
        )
        return
    if not terms.agreement_in_force_on(agreement, day):
        problems.add(
            ErrorCode.INVALID,
            f"協定「{agreement.title}」は要請日（{day.isoformat()}）に効力がありません。",
            "agreement_id",
        )
    is_party = await _agreement_lists(
        session, data.agreement_id, AgreementParty.partner_id, data.partner_id
    )
    partner = await session.get(Partner, data.partner_id)
    if partner is None:
        problems.add(ErrorCode.NOT_FOUND, "指定されたパートナーは見つかりません。", "partner_id")
    elif not is_party:
        problems.add(
            ErrorCode.INVALID,
            f"「{partner.name}」はこの協定の相手方ではありません。",
            "partner_id",
        )
    elif partner.status != PartnerStatus.ACTIVE:
        problems.add(
            ErrorCode.INVALID,
            f"「{partner.name}」は活動していないため要請できません。協定の見直しが必要です。",
            "partner_id",
        )
    covered = await _agreement_lists(
        session, data.agreement_id, AgreementSupportCategory.category, data.category
    )
    if not covered:
        problems.add(
            ErrorCode.INVALID,
            f"この協定は「{SUPPORT_CATEGORY_LABELS[data.category]}」を対象にしていません。",
            "category",
        )
