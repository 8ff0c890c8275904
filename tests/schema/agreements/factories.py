"""Small builders for agreement tests: rows the tests own, next to the demo data.

Each builder adds its rows to the test's session and flushes, so they get ids and are
rolled back with the test. A fresh department per test lets a test scope
``agreements(filter: {departmentCodes: [...]})`` to exactly the rows it made.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.commands import search_text_of
from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.enums import AgreementCategory, AgreementStatus, PartnerKind, SupportCategory
from kyodo.domain.partners.models import Contact, Partner
from kyodo.domain.partners.service import refresh_derived_fields
from kyodo.domain.reference.models import Department
from kyodo.schema.node import to_global_id


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def make_department(session: AsyncSession, name: str = "テスト課") -> Department:
    department = Department(code=unique("test-dept"), name=name)
    session.add(department)
    await session.flush()
    return department


async def make_partner(
    session: AsyncSession,
    name: str,
    *,
    kana: str | None = None,
    district: str | None = None,
    kind: PartnerKind = PartnerKind.COMPANY,
    emergency_contacts: Sequence[str] = (),
) -> Partner:
    partner = Partner(kind=kind, name=name, name_kana=kana, district=district)
    refresh_derived_fields(partner)
    session.add(partner)
    await session.flush()
    for position, contact_name in enumerate(emergency_contacts):
        session.add(
            Contact(
                partner_id=partner.id,
                position=position,
                name=contact_name,
                phone=f"000-0000-{position + 1:04d}",
                is_emergency_contact=True,
            )
        )
    await session.flush()
    return partner


async def make_agreement(
    session: AsyncSession,
    *,
    department: Department,
    title: str | None = None,
    category: AgreementCategory = AgreementCategory.DISASTER_SUPPORT,
    status: AgreementStatus = AgreementStatus.IN_FORCE,
    parties: Sequence[Partner] = (),
    support: Sequence[SupportCategory] = (),
    concluded_on: date | None = date(2020, 4, 1),
    effective_from: date | None = None,
    effective_until: date | None = None,
    auto_renewal: bool = False,
    renewal_term_months: int | None = None,
    terminated_on: date | None = None,
    contacts_verified_on: date | None = None,
    amends: Agreement | None = None,
    contacts: Sequence[tuple[Partner | None, str]] = (),
) -> Agreement:
    """An agreement with its parties (in the given order), support categories and
    emergency contacts (``(party or None, contact name)``)."""
    title = title or unique("テスト協定")
    agreement = Agreement(
        title=title,
        search_text=search_text_of(title, None),
        category=category,
        status=status,
        department_id=department.id,
        concluded_on=concluded_on,
        effective_from=effective_from,
        effective_until=effective_until,
        auto_renewal=auto_renewal,
        renewal_term_months=renewal_term_months,
        terminated_on=terminated_on,
        contacts_verified_on=contacts_verified_on,
        amends_id=amends.id if amends else None,
    )
    session.add(agreement)
    await session.flush()
    for position, partner in enumerate(parties):
        session.add(
            AgreementParty(agreement_id=agreement.id, partner_id=partner.id, position=position)
        )
    for support_category in support:
        session.add(AgreementSupportCategory(agreement_id=agreement.id, category=support_category))
    for position, (party, contact_name) in enumerate(contacts):
        session.add(
            Contact(
                agreement_id=agreement.id,
                partner_id=party.id if party else None,
                position=position,
                name=contact_name,
                phone=f"000-0000-{position + 1:04d}",
                is_emergency_contact=True,
            )
        )
    await session.flush()
    return agreement


def gid(type_name: str, row: Agreement | Partner | Department) -> str:
    assert row.id is not None
    return str(to_global_id(type_name, row.id))
