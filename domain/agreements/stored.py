"""An agreement as stored: its child rows (parties, support categories, emergency
contacts), their replacement, and the audit snapshot every change records (rule 15)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements import rules
from kyodo.domain.agreements.contacts import AgreementContactData
from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.agreements.validation import (
    ENTITY,
    LABEL,
    SCALAR_FIELDS,
    SUPPORT_ORDER,
)
from kyodo.domain.audit.log import snapshot
from kyodo.domain.enums import SupportCategory
from kyodo.domain.partners.models import Contact, Partner
from kyodo.domain.writes import Audited

# ------------------------------------------------------------------ children and audit


async def party_ids_of(session: AsyncSession, agreement_id: int) -> list[int]:
    stmt = (
        sa.select(col(AgreementParty.partner_id))
        .where(col(AgreementParty.agreement_id) == agreement_id)
        .order_by(col(AgreementParty.position), col(AgreementParty.partner_id))
    )
    return list((await session.execute(stmt)).scalars())


async def support_categories_of(session: AsyncSession, agreement_id: int) -> list[SupportCategory]:
    stmt = sa.select(col(AgreementSupportCategory.category)).where(
        col(AgreementSupportCategory.agreement_id) == agreement_id
    )
    found = (await session.execute(stmt)).scalars()
    return sorted(found, key=SUPPORT_ORDER.__getitem__)


async def contacts_of(session: AsyncSession, agreement_id: int) -> list[AgreementContactData]:
    stmt = (
        sa.select(Contact)
        .where(col(Contact.agreement_id) == agreement_id)
        .order_by(col(Contact.position), col(Contact.id))
    )
    return [
        AgreementContactData(**{f.name: getattr(c, f.name) for f in fields(AgreementContactData)})
        for c in (await session.execute(stmt)).scalars()
    ]


async def replace_parties(
    session: AsyncSession, agreement_id: int, party_ids: Sequence[int]
) -> None:
    await session.execute(
        sa.delete(AgreementParty).where(col(AgreementParty.agreement_id) == agreement_id)
    )
    if party_ids:
        await session.execute(
            sa.insert(AgreementParty),
            [
                {"agreement_id": agreement_id, "partner_id": pid, "position": i}
                for i, pid in enumerate(party_ids)
            ],
        )


async def replace_support(
    session: AsyncSession, agreement_id: int, support: Sequence[SupportCategory]
) -> None:
    await session.execute(
        sa.delete(AgreementSupportCategory).where(
            col(AgreementSupportCategory.agreement_id) == agreement_id
        )
    )
    if support:
        await session.execute(
            sa.insert(AgreementSupportCategory),
            [{"agreement_id": agreement_id, "category": c} for c in support],
        )


async def replace_contacts(
    session: AsyncSession, agreement_id: int, contacts: Sequence[AgreementContactData]
) -> None:
    await session.execute(sa.delete(Contact).where(col(Contact.agreement_id) == agreement_id))
    if contacts:
        await session.execute(
            sa.insert(Contact),
            [
                {"agreement_id": agreement_id, "position": i, **vars(c)}
                for i, c in enumerate(contacts)
            ],
        )


async def snapshot_of(session: AsyncSession, agreement: Agreement) -> dict[str, Any]:
    """The agreement as the audit log records it: its columns, the parties (with names,
    so the log reads without joins), support categories and emergency contacts.

    Contacts are personal data; the audit log is readable by ADMIN only.
    """
    assert agreement.id is not None
    stmt = (
        sa.select(col(Partner.id), col(Partner.name))
        .join(AgreementParty, col(AgreementParty.partner_id) == col(Partner.id))
        .where(col(AgreementParty.agreement_id) == agreement.id)
        .order_by(col(AgreementParty.position), col(Partner.id))
    )
    return audit_view(
        agreement,
        parties=[(row.id, row.name) for row in await session.execute(stmt)],
        support=await support_categories_of(session, agreement.id),
        contacts=await contacts_of(session, agreement.id),
    )


def audit_view(
    agreement: Any,
    *,
    parties: Sequence[tuple[int, str]],
    support: Sequence[SupportCategory],
    contacts: Sequence[AgreementContactData],
) -> dict[str, Any]:
    """:func:`snapshot_of` from what is known of the agreement: its row (or anything with
    its columns as attributes), its parties ``(partner id, name)`` in order, its support
    categories (in ``SUPPORT_ORDER``) and emergency contacts (a bulk import knows them
    without reading them back)."""
    return snapshot(agreement, SCALAR_FIELDS) | {
        "parties": [{"partner_id": pid, "name": name} for pid, name in parties],
        "support_categories": list(support),
        "emergency_contacts": [vars(c) for c in contacts],
    }


AGREEMENTS = Audited(Agreement, entity_type=ENTITY, label=LABEL, snapshot=snapshot_of)


def refuse_status(agreement: Agreement, doing: str) -> NoReturn:
    """INVALID_TRANSITION for a call the agreement's status does not allow. The field is
    null: the fault is the stored status, not any argument."""
    raise rules.STATUSES.refuse(f"「{rules.STATUSES.label(agreement.status)}」の協定は{doing}。")
