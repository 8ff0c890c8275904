"""Shared pieces of the agreement mutation tests (no tests of its own).

Builders commit the session after adding rows: a refused mutation rolls the session
back to its last commit, and the rows a test set up must survive that, so that "nothing
changed" is checked against them. Everything still runs inside the test's outer
transaction and is rolled back at the end.

Row state is read with plain SQL (never the ORM objects, which a rollback expires), so
a comparison before and after a refused mutation sees what the database holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.enums import AgreementCategory, AgreementStatus, PartnerKind, SupportCategory
from kyodo.domain.partners.models import Contact, Partner
from kyodo.domain.reference.models import Department
from kyodo.schema.node import to_global_id
from tests.conftest import CHANGE_EVENTS

from .factories import make_agreement, make_department, make_partner

AGREEMENT_FIELDS = """
  id title category status version supportDetails noticeDays
  concludedOn effectiveFrom effectiveUntil autoRenewal renewalTermMonths
  contactsVerifiedOn supportCategories
  department { code }
  parties { id name }
  emergencyContacts { name role phone email availableAroundTheClock isEmergencyContact }
  amends { id }
"""

PAYLOAD = f"agreement {{ {AGREEMENT_FIELDS} }} errors {{ field code message }}"

CREATE = f"""
mutation ($input: AgreementInput!) {{
  agreementCreate(input: $input) {{ {PAYLOAD} }}
}}
"""

UPDATE = f"""
mutation ($id: ID!, $v: Int!, $input: AgreementInput!) {{
  agreementUpdate(id: $id, expectedVersion: $v, input: $input) {{ {PAYLOAD} }}
}}
"""

CONCLUDE = f"""
mutation ($id: ID!, $v: Int!, $on: Date!, $effectiveFrom: Date) {{
  agreementConclude(
    id: $id, expectedVersion: $v, concludedOn: $on, effectiveFrom: $effectiveFrom
  ) {{
    {PAYLOAD}
  }}
}}
"""

TERMINATE = f"""
mutation ($id: ID!, $v: Int!, $on: Date!, $reason: String!) {{
  agreementTerminate(id: $id, expectedVersion: $v, terminatedOn: $on, reason: $reason) {{
    {PAYLOAD}
  }}
}}
"""

VERIFY = f"""
mutation ($id: ID!, $v: Int!, $on: Date!, $contacts: [ContactInput!]!) {{
  agreementVerifyContacts(
    id: $id, expectedVersion: $v, verifiedOn: $on, emergencyContacts: $contacts
  ) {{ {PAYLOAD} }}
}}
"""

TRANSITION = f"""
mutation ($id: ID!, $v: Int!, $to: AgreementStatus!) {{
  agreementTransition(id: $id, expectedVersion: $v, to: $to) {{ {PAYLOAD} }}
}}
"""

TODAY = date(2024, 6, 1)


def gid(type_name: str, pk: int) -> str:
    return str(to_global_id(type_name, pk))


def pk_of(global_id: str) -> int:
    from kyodo.schema.node import from_global_id

    decoded = from_global_id(global_id)
    assert decoded is not None
    return decoded[1]


class World:
    """A department and partners of the test's own, committed."""

    def __init__(self, department: Department, partners: Sequence[Partner]) -> None:
        assert department.id is not None
        self.department_code = department.code
        self.department_id = department.id
        self.partner_ids = [p.id for p in partners if p.id is not None]
        self.partner_gids = [gid("Partner", pk) for pk in self.partner_ids]
        self.partner_names = [p.name for p in partners]


async def world(session: AsyncSession, partners: int = 3) -> World:
    department = await make_department(session, "危機管理室（テスト）")
    rows = [
        await make_partner(session, f"テスト運輸{i}", kana=f"テストウンユ{i}")
        for i in range(partners)
    ]
    await session.commit()
    return World(department, rows)


async def inactive_partner(session: AsyncSession) -> str:
    from kyodo.domain.enums import PartnerStatus

    partner = await make_partner(session, "休止中の会", kind=PartnerKind.CITIZEN_GROUP)
    partner.status = PartnerStatus.INACTIVE
    await session.flush()
    assert partner.id is not None
    pk = partner.id
    await session.commit()
    return gid("Partner", pk)


def agreement_input(w: World, **overrides: Any) -> dict[str, Any]:
    """A valid one-party disaster-support draft; ``overrides`` replace or add fields."""
    data: dict[str, Any] = {
        "title": "災害時における物資の輸送に関する協定",
        "category": "DISASTER_SUPPORT",
        "partyIds": [w.partner_gids[0]],
        "departmentCode": w.department_code,
        "supportCategories": ["TRANSPORT"],
        "supportDetails": "トラックによる救援物資の輸送",
        "effectiveFrom": "2024-04-01",
        "effectiveUntil": "2025-03-31",
        "noticeDays": 30,
        "emergencyContacts": [{"name": "テスト担当者", "phone": "000-0000-0001"}],
    }
    data.update(overrides)
    return data


async def create(gql: Any, w: World, **overrides: Any) -> dict[str, Any]:
    """An agreement made through the API (a DRAFT); returns the payload's agreement."""
    data = await gql(CREATE, {"input": agreement_input(w, **overrides)})
    payload = data["agreementCreate"]
    assert payload["errors"] == [], payload["errors"]
    return dict(payload["agreement"])


async def conclude(
    gql: Any, agreement: dict[str, Any], on: str = "2024-04-01", **extra: Any
) -> dict[str, Any]:
    data = await gql(
        CONCLUDE, {"id": agreement["id"], "v": agreement["version"], "on": on, **extra}
    )
    payload = data["agreementConclude"]
    assert payload["errors"] == [], payload["errors"]
    return dict(payload["agreement"])


async def stored_agreement(
    session: AsyncSession,
    w: World,
    *,
    status: AgreementStatus,
    category: AgreementCategory = AgreementCategory.DISASTER_SUPPORT,
    parties: int = 1,
    support: Sequence[SupportCategory] = (SupportCategory.SUPPLIES,),
    **columns: Any,
) -> dict[str, Any]:
    """An agreement in any status, written directly (as a data load would), committed.

    Returns ``{"id": global id, "version": 1, "pk": pk}``.
    """
    department = await session.get(Department, w.department_id)
    assert department is not None
    partners = [await session.get(Partner, pk) for pk in w.partner_ids[:parties]]
    agreement = await make_agreement(
        session,
        department=department,
        status=status,
        category=category,
        parties=[p for p in partners if p is not None],
        support=support,
        **columns,
    )
    assert agreement.id is not None
    pk = agreement.id
    await session.commit()
    return {"id": gid("Agreement", pk), "version": 1, "pk": pk}


# ------------------------------------------------------------------ database reads


async def audit_count(session: AsyncSession) -> int:
    return int(
        (
            await session.execute(
                sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
            )
        ).scalar_one()
    )


async def agreement_count(session: AsyncSession) -> int:
    return int(
        (await session.execute(sa.select(sa.func.count()).select_from(Agreement))).scalar_one()
    )


async def audit_events(session: AsyncSession, pk: int) -> list[dict[str, Any]]:
    table: Any = AuditEvent.__table__
    stmt = (
        sa.select(
            table.c.action, table.c.entity_type, table.c.entity_id, table.c.actor, table.c.changes
        )
        .where(table.c.entity_type == "Agreement", table.c.entity_id == str(pk), CHANGE_EVENTS)
        .order_by(table.c.id)
    )
    return [dict(row) for row in (await session.execute(stmt)).mappings()]


async def db_state(session: AsyncSession, pk: int) -> dict[str, Any]:
    """Everything stored about one agreement: its row and its child rows."""
    table: Any = Agreement.__table__
    row = (await session.execute(sa.select(table).where(table.c.id == pk))).mappings().one()
    parties: Any = AgreementParty.__table__
    support: Any = AgreementSupportCategory.__table__
    contacts: Any = Contact.__table__
    return {
        "row": dict(row),
        "parties": [
            tuple(r)
            for r in await session.execute(
                sa.select(parties.c.partner_id, parties.c.position)
                .where(parties.c.agreement_id == pk)
                .order_by(parties.c.position)
            )
        ],
        "support": sorted(
            r[0]
            for r in await session.execute(
                sa.select(support.c.category).where(support.c.agreement_id == pk)
            )
        ),
        "contacts": [
            tuple(r)
            for r in await session.execute(
                sa.select(
                    contacts.c.partner_id,
                    contacts.c.position,
                    contacts.c.name,
                    contacts.c.phone,
                    contacts.c.email,
                    contacts.c.is_emergency_contact,
                )
                .where(contacts.c.agreement_id == pk)
                .order_by(contacts.c.position)
            )
        ],
    }


class Snapshot:
    """The database before a mutation expected to be refused."""

    def __init__(self, state: dict[str, Any] | None, audits: int, agreements: int) -> None:
        self.state = state
        self.audits = audits
        self.agreements = agreements


async def before(session: AsyncSession, pk: int | None = None) -> Snapshot:
    state = await db_state(session, pk) if pk is not None else None
    return Snapshot(state, await audit_count(session), await agreement_count(session))


async def assert_unchanged(session: AsyncSession, snap: Snapshot, pk: int | None = None) -> None:
    assert await audit_count(session) == snap.audits
    assert await agreement_count(session) == snap.agreements
    if pk is not None:
        assert await db_state(session, pk) == snap.state


def errors_of(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """(code, field) of each error; the message must be plain, non-empty Japanese."""
    for error in payload["errors"]:
        assert error["message"]
    return [(e["code"], e["field"]) for e in payload["errors"]]
