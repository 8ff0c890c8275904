"""Changing partners: create, update, delete-or-deactivate; the bulk upsert is
``domain.partners.upsert`` (rules 14, 15).

Every function flushes and never commits; the caller commits once. Each writes exactly
one audit event describing what it changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements.models import AgreementParty
from kyodo.domain.audit.log import snapshot
from kyodo.domain.base import is_set
from kyodo.domain.collaborations.models import Participation
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import PartnerStatus
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.partners.bulk import (
    children_of,
    partner_columns,
    stored_columns,
)
from kyodo.domain.partners.inputs import (
    ADDRESS_FIELDS,
    SCALAR_FIELDS,
    ContactData,
    PartnerData,
    check_codes_known,
    codes_to_ids,
    field_of,
    validate,
    validate_contact,
)
from kyodo.domain.partners.models import Contact, Partner, PartnerField
from kyodo.domain.partners.service import refresh_derived_fields
from kyodo.domain.partners.upsert import UpsertResult, upsert_partners
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.subsidies.models import SubsidyApplication
from kyodo.domain.versioning import get_or_raise
from kyodo.domain.writes import Audited, fields_snapshot

ENTITY = "Partner"
LABEL = "パートナー"


async def _field_ids(
    session: AsyncSession, codes: Sequence[str], problems: v.Problems, path: str
) -> list[int]:
    code_ids = await codes_to_ids(session, codes)
    check_codes_known(problems, codes, code_ids, path)
    return [code_ids[c] for c in codes if c in code_ids]


async def _check_unique(
    session: AsyncSession,
    data: PartnerData,
    problems: v.Problems,
    *,
    own_id: int | None,
) -> None:
    for name, label in (("corporate_number", "法人番号"), ("external_id", "外部ID")):
        value = getattr(data, name)
        if not is_set(value) or value is None:
            continue
        column = getattr(Partner, name)
        stmt = sa.select(col(Partner.id), col(Partner.name)).where(column == value)
        if own_id is not None:
            stmt = stmt.where(col(Partner.id) != own_id)
        other = (await session.execute(stmt)).first()
        if other is not None:
            problems.add(
                ErrorCode.DUPLICATE,
                f"{label}「{value}」は既に「{other.name}」に登録されています。",
                name,
            )


def _apply(partner: Partner, data: PartnerData) -> None:
    for name, value in data.scalars().items():
        setattr(partner, name, value)
    refresh_derived_fields(partner)


def _changed_columns(partner: Partner, data: PartnerData) -> dict[str, Any]:
    """The columns of ``partner`` once ``data`` is applied, derived ones included, for a
    guarded UPDATE (the loaded row itself stays untouched, so no unguarded flush)."""
    names = list(SCALAR_FIELDS)
    return partner_columns(names, stored_columns(partner, names), data)


async def _replace_children(
    session: AsyncSession, partner_id: int, data: PartnerData, field_ids: list[int] | None
) -> None:
    if field_ids is not None:
        await session.execute(
            sa.delete(PartnerField).where(col(PartnerField.partner_id) == partner_id)
        )
        session.add_all([PartnerField(partner_id=partner_id, field_id=fid) for fid in field_ids])
    if is_set(data.contacts):
        await session.execute(
            sa.delete(Contact).where(
                col(Contact.partner_id) == partner_id, col(Contact.agreement_id).is_(None)
            )
        )
        session.add_all(
            [
                Contact(partner_id=partner_id, position=i, **vars(c))
                for i, c in enumerate(data.contacts or [])
            ]
        )
    await session.flush()


async def _snapshot(session: AsyncSession, partner: Partner) -> dict[str, Any]:
    """The partner as the audit log records it: its columns, field codes and contacts."""
    assert partner.id is not None
    return (await snapshots_of(session, [partner]))[partner.id]


async def snapshots_of(session: AsyncSession, partners: Sequence[Partner]) -> dict[int, Any]:
    """:func:`_snapshot` of many partners, by id, their children read in two statements."""
    children = await children_of(session, [p.id for p in partners if p.id is not None])
    return {
        partner.id: snapshot(partner, SCALAR_FIELDS) | children[partner.id]
        for partner in partners
        if partner.id is not None
    }


PARTNERS = Audited(Partner, entity_type=ENTITY, label=LABEL, snapshot=_snapshot)


async def check_new_partner(
    session: AsyncSession, data: PartnerData
) -> tuple[PartnerData, list[int], Partner]:
    """The checks of :func:`create_partner` (DomainError with every problem found):
    the cleaned data, its fields' ids and the new partner's row, not yet added."""
    data, problems = validate(data, creating=True)
    field_ids = await _field_ids(session, data.field_codes or [], problems, "field_codes")
    await _check_unique(session, data, problems, own_id=None)
    problems.raise_if_any()
    partner = Partner(kind=data.kind, name=data.name)
    _apply(partner, data)
    return data, field_ids, partner


async def create_partner(session: AsyncSession, *, data: PartnerData, actor: str) -> Partner:
    """Register a partner (第2章1)."""
    data, field_ids, partner = await check_new_partner(session, data)

    async def children(partner_id: int) -> None:
        await _replace_children(session, partner_id, data, field_ids)

    return await PARTNERS.insert(
        session, partner, actor=actor, action="partner.create", children=children
    )


async def update_partner(
    session: AsyncSession, *, partner_id: int, expected_version: int, data: PartnerData, actor: str
) -> Partner:
    """Change a partner; only the fields the caller sent change (rule 15: expectedVersion)."""
    change = await PARTNERS.begin(session, partner_id, expected_version)
    partner = change.row
    data, problems = validate(data, creating=False)
    field_ids = (
        await _field_ids(session, data.field_codes or [], problems, "field_codes")
        if is_set(data.field_codes)
        else None
    )
    await _check_unique(session, data, problems, own_id=partner_id)
    problems.raise_if_any()
    await change.write(_changed_columns(partner, data))
    await _replace_children(session, partner_id, data, field_ids)
    await change.record(actor=actor, action="partner.update")
    return partner


async def is_referenced(session: AsyncSession, partner_id: int) -> bool:
    """Does any record with history point at this partner?"""
    checks = [
        sa.select(col(AgreementParty.partner_id)).where(
            col(AgreementParty.partner_id) == partner_id
        ),
        sa.select(col(Participation.id)).where(col(Participation.partner_id) == partner_id),
        sa.select(col(SubsidyApplication.id)).where(
            col(SubsidyApplication.applicant_id) == partner_id
        ),
        sa.select(col(EndorsementApplication.id)).where(
            col(EndorsementApplication.organizer_id) == partner_id
        ),
        sa.select(col(Proposal.id)).where(col(Proposal.proposer_id) == partner_id),
        sa.select(col(Contact.id)).where(
            col(Contact.partner_id) == partner_id, col(Contact.agreement_id).is_not(None)
        ),
    ]
    stmt = sa.select(sa.or_(*(sa.exists(c) for c in checks)))
    return bool((await session.execute(stmt)).scalar())


async def delete_partner(
    session: AsyncSession, *, partner_id: int, expected_version: int, actor: str
) -> Partner | None:
    """Delete a partner nobody refers to; deactivate one with history instead (rule 15).

    Returns the deactivated partner, or None when it was deleted.
    """
    change = await PARTNERS.begin(
        session, partner_id, expected_version, snapshot=fields_snapshot(list(SCALAR_FIELDS))
    )
    if await is_referenced(session, partner_id):
        # Only the status changes, so the event records just that.
        await change.write({"status": PartnerStatus.INACTIVE})
        await change.record(actor=actor, action="partner.deactivate")
        return change.row
    await change.delete()
    await change.record(actor=actor, action="partner.delete")
    return None


__all__ = [
    "ADDRESS_FIELDS",
    "SCALAR_FIELDS",
    "ContactData",
    "DomainError",
    "PartnerData",
    "UpsertResult",
    "create_partner",
    "delete_partner",
    "field_of",
    "get_or_raise",
    "update_partner",
    "upsert_partners",
    "validate",
    "validate_contact",
]
