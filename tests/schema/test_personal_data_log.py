"""The personal-data access log (APPI, schema/access_log.py).

Every operation that returns personal data records, per record read, one audit event
``personal_data.read`` naming the caller and the fields; ADMIN reads them back with
``auditEvents(entityId:)``, nobody else may.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.enums import (
    AgreementCategory,
    AgreementStatus,
    PartnerKind,
    Role,
    SupportCategory,
)
from kyodo.domain.partners.models import Contact, Partner
from kyodo.domain.partners.service import refresh_derived_fields
from kyodo.schema.context import ANONYMOUS, Principal
from kyodo.schema.node import from_global_id, to_global_id
from tests.conftest import GraphQLClient
from tests.schema.agreements.factories import make_agreement, make_department

TODAY = date(2022, 3, 10)
STAFF = Principal(name="まちづくり推進課 端末1", role=Role.STAFF, department_code="machizukuri")
DISASTER_OFFICE = Principal(name="危機管理室 端末1", role=Role.DISASTER_OFFICE)
ADMIN = Principal(name="管理者", role=Role.ADMIN)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def gid(type_name: str, row: Any) -> str:
    assert row.id is not None
    return str(to_global_id(type_name, row.id))


async def make_partner(
    session: AsyncSession,
    *,
    district: str,
    kind: PartnerKind = PartnerKind.CITIZEN_GROUP,
    contacts: Sequence[str] = (),
    emergency: bool = False,
    **values: Any,
) -> Partner:
    """A partner in ``district`` with the named contacts (fictional numbers)."""
    partner = Partner(kind=kind, name=unique("（テスト）団体"), district=district, **values)
    refresh_derived_fields(partner)
    session.add(partner)
    await session.flush()
    for position, name in enumerate(contacts):
        session.add(
            Contact(
                partner_id=partner.id,
                position=position,
                name=name,
                phone=f"000-0000-{position + 1:04d}",
                is_emergency_contact=emergency,
            )
        )
    await session.flush()
    return partner


async def reads(session: AsyncSession) -> list[tuple[str, str, str, list[str]]]:
    """The access-log events, oldest first: (actor, entity type, entity id, fields)."""
    rows = await session.execute(
        sa.select(AuditEvent)
        .where(col(AuditEvent.action) == PERSONAL_DATA_READ)
        .order_by(col(AuditEvent.id))
    )
    return [
        (e.actor, e.entity_type, e.entity_id, (e.changes or {})["fields"]) for e in rows.scalars()
    ]


async def new_reads(
    session: AsyncSession, before: list[tuple[str, str, str, list[str]]]
) -> list[tuple[str, str, str, list[str]]]:
    return (await reads(session))[len(before) :]


PARTNER_CONTACTS = """
query ($district: String!) {
  partners(first: 100, filter: { district: $district }) {
    edges { node { id name contacts { name phone } } }
  }
}
"""


async def test_reading_contacts_logs_one_event_per_partner(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given two partners with contacts (one with two of them) and one without
    district = unique("テスト地区")
    first = await make_partner(session, district=district, contacts=["デモ 一", "デモ 二"])
    second = await make_partner(session, district=district, contacts=["デモ 三"])
    await make_partner(session, district=district)
    before = await reads(session)
    # when a member of staff reads their contacts
    data = await gql(PARTNER_CONTACTS, {"district": district}, principal=STAFF)
    # then: one event per partner whose contacts were returned, none for the other
    assert len(data["partners"]["edges"]) == 3
    assert sorted(await new_reads(session, before)) == sorted(
        [
            (STAFF.name, "Partner", str(first.id), ["contacts"]),
            (STAFF.name, "Partner", str(second.id), ["contacts"]),
        ]
    )


async def test_an_event_names_the_fields_read_and_the_request(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given a volunteer (individual) with phone, e-mail and address
    district = unique("テスト地区")
    volunteer = await make_partner(
        session,
        district=district,
        kind=PartnerKind.INDIVIDUAL,
        contacts=["デモ 本人"],
        phone="000-0000-0009",
        email="demo-volunteer@example.jp",
        city="苫小牧市",
    )
    # when
    await gql(
        """query ($id: ID!) { node(id: $id) { ... on Partner {
             name phone email address { city } contacts { name } } } }""",
        {"id": gid("Partner", volunteer)},
        principal=STAFF,
    )
    # then: one event for the record, every field it returned, in order
    event = (
        await session.execute(
            sa.select(AuditEvent).where(
                col(AuditEvent.action) == PERSONAL_DATA_READ,
                col(AuditEvent.entity_id) == str(volunteer.id),
            )
        )
    ).scalar_one()
    assert (event.actor, event.entity_type) == (STAFF.name, "Partner")
    assert event.changes is not None
    assert event.changes["fields"] == ["address", "contacts", "email", "name", "phone"]
    assert "requestId" in event.changes


async def test_an_organisations_own_phone_is_not_personal_data_but_its_representative_is(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given a company with a phone, an e-mail and a representative
    district = unique("テスト地区")
    company = await make_partner(
        session,
        district=district,
        kind=PartnerKind.COMPANY,
        phone="000-0100-0099",
        email="company@example.jp",
        representative="デモ 社長",
    )
    before = await reads(session)
    # when
    await gql(
        "query ($id: ID!) { node(id: $id) { ... on Partner { phone email representative } } }",
        {"id": gid("Partner", company)},
        principal=STAFF,
    )
    # then
    assert await new_reads(session, before) == [
        (STAFF.name, "Partner", str(company.id), ["representative"])
    ]


DISASTER_SUPPORT = """
query ($district: String!) {
  disasterSupport(categories: [SUPPLIES], on: "2022-03-10", district: $district) {
    partner { name }
    agreement { title }
    emergencyContacts { name phone }
  }
}
"""


async def test_disaster_support_logs_emergency_contacts_per_agreement(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given an agreement in force with two parties in one district and one contact for all
    district = unique("テスト地区")
    first = await make_partner(session, district=district)
    second = await make_partner(session, district=district)
    agreement = await make_agreement(
        session,
        department=await make_department(session),
        category=AgreementCategory.DISASTER_SUPPORT,
        status=AgreementStatus.IN_FORCE,
        parties=[first, second],
        support=[SupportCategory.SUPPLIES],
        effective_from=date(2020, 4, 1),
        contacts=[(None, "デモ 連絡係")],
    )
    before = await reads(session)
    # when the disaster office looks up who can supply goods there
    data = await gql(DISASTER_SUPPORT, {"district": district}, principal=DISASTER_OFFICE)
    # then: two rows, both showing the contact, and one event for the agreement
    assert [row["emergencyContacts"][0]["name"] for row in data["disasterSupport"]] == [
        "デモ 連絡係",
        "デモ 連絡係",
    ]
    assert await new_reads(session, before) == [
        (DISASTER_OFFICE.name, "Agreement", str(agreement.id), ["emergencyContacts"])
    ]


async def test_disaster_support_logs_a_partners_own_contacts_on_the_partner(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given an agreement that lists no contact, with a party that has its own
    # emergency contact (disasterSupport shows that one instead)
    district = unique("テスト地区")
    party = await make_partner(session, district=district, contacts=["デモ 当番"], emergency=True)
    await make_agreement(
        session,
        department=await make_department(session),
        category=AgreementCategory.DISASTER_SUPPORT,
        status=AgreementStatus.IN_FORCE,
        parties=[party],
        support=[SupportCategory.SUPPLIES],
        effective_from=date(2020, 4, 1),
    )
    before = await reads(session)
    # when
    data = await gql(DISASTER_SUPPORT, {"district": district}, principal=DISASTER_OFFICE)
    # then: the partner's contact was shown, so the partner's record logs the read
    assert data["disasterSupport"][0]["emergencyContacts"][0]["name"] == "デモ 当番"
    assert await new_reads(session, before) == [
        (DISASTER_OFFICE.name, "Partner", str(party.id), ["contacts"])
    ]


async def test_an_agreements_emergency_contacts_are_logged_on_the_agreement(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given
    party = await make_partner(session, district=unique("テスト地区"))
    agreement = await make_agreement(
        session,
        department=await make_department(session),
        parties=[party],
        contacts=[(party, "デモ 窓口")],
    )
    before = await reads(session)
    # when
    await gql(
        "query ($id: ID!) { node(id: $id) { ... on Agreement { emergencyContacts { name } } } }",
        {"id": gid("Agreement", agreement)},
        principal=DISASTER_OFFICE,
    )
    # then
    assert await new_reads(session, before) == [
        (DISASTER_OFFICE.name, "Agreement", str(agreement.id), ["emergencyContacts"])
    ]


async def test_a_query_without_personal_data_logs_nothing(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given partners with contacts and an agreement with emergency contacts
    district = unique("テスト地区")
    party = await make_partner(session, district=district, contacts=["デモ 一"])
    await make_agreement(
        session,
        department=await make_department(session),
        parties=[party],
        support=[SupportCategory.SUPPLIES],
        effective_from=date(2020, 4, 1),
        contacts=[(party, "デモ 窓口")],
    )
    before = await reads(session)
    # when staff read names, districts, agreements and the disaster lookup without contacts
    await gql(
        """query ($district: String!) {
             partners(filter: { district: $district }) { edges { node { name kind district } } }
             agreements(first: 5) { edges { node { title parties { name } } } }
             disasterSupport(on: "2022-03-10", district: $district) { partner { name } }
           }""",
        {"district": district},
        principal=STAFF,
    )
    # then
    assert await new_reads(session, before) == []


async def test_a_refused_read_logs_nothing(session: AsyncSession, gql: GraphQLClient) -> None:
    # given an organisation with contacts
    company = await make_partner(
        session, district=unique("テスト地区"), kind=PartnerKind.COMPANY, contacts=["デモ 一"]
    )
    before = await reads(session)
    # when the public asks for them
    result = await gql.raw(
        "query ($id: ID!) { node(id: $id) { ... on Partner { contacts { name } } } }",
        {"id": gid("Partner", company)},
        principal=ANONYMOUS,
    )
    # then
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await new_reads(session, before) == []


async def test_contacts_returned_by_a_mutation_are_logged(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given
    before = await reads(session)
    # when staff register a partner and read back its contacts in the payload
    data = await gql(
        """mutation { partnerCreate(input: { kind: CITIZEN_GROUP, name: "（テスト）見守りの会",
             contacts: [{ name: "デモ 代表", phone: "000-0000-0007" }] }) {
             partner { id contacts { name } } errors { code } } }""",
        principal=STAFF,
    )
    # then
    decoded = from_global_id(data["partnerCreate"]["partner"]["id"])
    assert decoded is not None
    assert await new_reads(session, before) == [
        (STAFF.name, "Partner", str(decoded[1]), ["contacts"])
    ]


AUDIT_EVENTS = """
query ($id: ID!) {
  auditEvents(first: 10, entityId: $id) {
    edges { node { actor action entityType entityId changes } }
  }
}
"""


async def test_admin_sees_who_read_a_partners_data(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given staff read a partner's contacts
    district = unique("テスト地区")
    partner = await make_partner(session, district=district, contacts=["デモ 一"])
    await gql(PARTNER_CONTACTS, {"district": district}, principal=STAFF)
    # when ADMIN asks who read that partner's data
    data = await gql(AUDIT_EVENTS, {"id": gid("Partner", partner)}, principal=ADMIN)
    # then
    events = [e["node"] for e in data["auditEvents"]["edges"]]
    assert [
        (e["actor"], e["action"], e["entityType"], e["entityId"], e["changes"]["fields"])
        for e in events
    ] == [(STAFF.name, PERSONAL_DATA_READ, "Partner", gid("Partner", partner), ["contacts"])]


@pytest.mark.parametrize(
    "caller",
    [
        ANONYMOUS,
        STAFF,
        DISASTER_OFFICE,
        Principal(name="連携スクリプト", role=Role.INTEGRATION),
    ],
    ids=lambda p: str(p.role),
)
async def test_only_admin_reads_the_access_log(
    session: AsyncSession, gql: GraphQLClient, caller: Principal
) -> None:
    # given a logged read
    district = unique("テスト地区")
    partner = await make_partner(session, district=district, contacts=["デモ 一"])
    await gql(PARTNER_CONTACTS, {"district": district}, principal=STAFF)
    # when
    result = await gql.raw(AUDIT_EVENTS, {"id": gid("Partner", partner)}, principal=caller)
    # then
    assert result["data"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
        (["auditEvents"], "FORBIDDEN")
    ]
