"""The authorisation matrix end to end: bearer tokens over HTTP, as real clients call.

Each test issues a token (domain/auth/service.py), posts to /graphql through the app
and reads what the database holds afterwards with a fresh session.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.auth import service as tokens
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import AgreementCategory, AgreementStatus, CollaborationStatus, Role
from kyodo.domain.partners.models import Contact, Partner
from kyodo.domain.reference.models import Department
from kyodo.schema.node import to_global_id
from kyodo.server.app import create_app
from kyodo.server.settings import Settings
from tests.conftest import CHANGE_EVENTS
from tests.schema.agreements.factories import make_agreement
from tests.schema.collaborations.factories import make_collaboration, make_partner

Maker = async_sessionmaker[AsyncSession]


@pytest.fixture
async def client(sessionmaker: Maker) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(), sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def token_for(
    sessionmaker: Maker, role: Role, department_code: str | None = None, name: str = ""
) -> dict[str, str]:
    """Authorization headers with a fresh token for ``role``."""
    async with sessionmaker() as session:
        _, token = await tokens.create_token(
            session, name=name or f"{role} 端末", role=role, department_code=department_code
        )
        await session.commit()
    return {"Authorization": f"Bearer {token}"}


async def post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def department(session: AsyncSession, code: str) -> Department:
    return (
        await session.execute(sa.select(Department).where(col(Department.code) == code))
    ).scalar_one()


async def change_events(sessionmaker: Maker) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
        )
    return int(count or 0)


async def row_state(sessionmaker: Maker, model: Any, pk: int, *columns: str) -> tuple[Any, ...]:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                sa.select(*(getattr(model, c) for c in columns)).where(model.id == pk)
            )
        ).one()
    return tuple(row)


FORBIDDEN_PAYLOAD = [{"code": "FORBIDDEN", "message": "この操作を行う権限がありません。"}]

# ---------------------------------------------------------------- STAFF and departments

UPDATE_COLLABORATION = """
mutation ($id: ID!, $v: Int!, $input: CollaborationInput!) {
  collaborationUpdate(id: $id, expectedVersion: $v, input: $input) {
    collaboration { title version }
    errors { code message }
  }
}
"""


async def a_collaboration_of(sessionmaker: Maker, code: str) -> Collaboration:
    async with sessionmaker() as session:
        collaboration = await make_collaboration(
            session,
            department=await department(session, code),
            title="（テスト）青少年課の事業",
            status=CollaborationStatus.PLANNING,
        )
        await session.commit()
    return collaboration


def rename(collaboration: Collaboration, department_code: str) -> dict[str, Any]:
    assert collaboration.id is not None
    return {
        "id": str(to_global_id("Collaboration", collaboration.id)),
        "v": collaboration.version,
        "input": {
            "title": "（テスト）書き換えた題名",
            "forms": ["CO_HOSTING"],
            "departmentCode": department_code,
        },
    }


async def test_staff_cannot_update_another_departments_collaboration(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given a collaboration of 青少年課 and a token of まちづくり推進課
    collaboration = await a_collaboration_of(sessionmaker, "seishonen")
    assert collaboration.id is not None
    headers = await token_for(sessionmaker, Role.STAFF, "machizukuri")
    events = await change_events(sessionmaker)
    # when it tries to rename it (naming either department)
    answers = [
        await post(client, UPDATE_COLLABORATION, rename(collaboration, code), headers)
        for code in ("seishonen", "machizukuri")
    ]
    # then both are refused and nothing changed
    for body in answers:
        assert "errors" not in body
        assert body["data"]["collaborationUpdate"] == {
            "collaboration": None,
            "errors": FORBIDDEN_PAYLOAD,
        }
    assert await row_state(sessionmaker, Collaboration, collaboration.id, "title", "version") == (
        "（テスト）青少年課の事業",
        collaboration.version,
    )
    assert await change_events(sessionmaker) == events


async def test_staff_update_their_own_departments_collaboration(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given the same kind of collaboration and a token of its own department
    collaboration = await a_collaboration_of(sessionmaker, "seishonen")
    headers = await token_for(sessionmaker, Role.STAFF, "seishonen")
    # when
    body = await post(client, UPDATE_COLLABORATION, rename(collaboration, "seishonen"), headers)
    # then
    assert body["data"]["collaborationUpdate"] == {
        "collaboration": {
            "title": "（テスト）書き換えた題名",
            "version": collaboration.version + 1,
        },
        "errors": [],
    }


# ---------------------------------------------------------------- the disaster office

AGREEMENT_PAYLOAD = "agreement { status contactsVerifiedOn version } errors { code message }"
VERIFY = f"""
mutation ($id: ID!, $v: Int!) {{
  agreementVerifyContacts(id: $id, expectedVersion: $v, verifiedOn: "2022-03-01",
    emergencyContacts: [{{ name: "デモ 当直", phone: "000-0000-0001",
                           isEmergencyContact: true, availableAroundTheClock: true }}]) {{
    {AGREEMENT_PAYLOAD}
  }}
}}
"""
TERMINATE = f"""
mutation ($id: ID!, $v: Int!) {{
  agreementTerminate(id: $id, expectedVersion: $v, terminatedOn: "2022-03-31",
                     reason: "協定先の事業終了") {{
    {AGREEMENT_PAYLOAD}
  }}
}}
"""


async def a_disaster_support_agreement(sessionmaker: Maker) -> Agreement:
    async with sessionmaker() as session:
        partner = await make_partner(session, f"（テスト）物資協力会-{uuid.uuid4().hex[:6]}")
        agreement = await make_agreement(
            session,
            department=await department(session, "kikikanri"),
            category=AgreementCategory.DISASTER_SUPPORT,
            status=AgreementStatus.IN_FORCE,
            parties=[partner],
            effective_from=date(2020, 4, 1),
        )
        await session.commit()
    return agreement


async def test_the_disaster_office_verifies_contacts(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given
    agreement = await a_disaster_support_agreement(sessionmaker)
    assert agreement.id is not None
    headers = await token_for(sessionmaker, Role.DISASTER_OFFICE, "kikikanri")
    variables = {"id": str(to_global_id("Agreement", agreement.id)), "v": agreement.version}
    # when
    body = await post(client, VERIFY, variables, headers)
    # then
    assert body["data"]["agreementVerifyContacts"] == {
        "agreement": {
            "status": "IN_FORCE",
            "contactsVerifiedOn": "2022-03-01",
            "version": agreement.version + 1,
        },
        "errors": [],
    }


async def test_the_disaster_office_cannot_terminate_an_agreement(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given
    agreement = await a_disaster_support_agreement(sessionmaker)
    assert agreement.id is not None
    headers = await token_for(sessionmaker, Role.DISASTER_OFFICE, "kikikanri")
    variables = {"id": str(to_global_id("Agreement", agreement.id)), "v": agreement.version}
    events = await change_events(sessionmaker)
    # when
    body = await post(client, TERMINATE, variables, headers)
    # then
    assert body["data"]["agreementTerminate"] == {"agreement": None, "errors": FORBIDDEN_PAYLOAD}
    assert await row_state(sessionmaker, Agreement, agreement.id, "status", "version") == (
        AgreementStatus.IN_FORCE,
        agreement.version,
    )
    assert await change_events(sessionmaker) == events


# ---------------------------------------------------------------- integration scripts

UPSERT = """
mutation ($rows: [PartnerUpsertInput!]!) {
  partnersUpsert(input: $rows) { created updated unchanged errors { code } }
}
"""


async def test_an_integration_script_upserts_partners(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given
    headers = await token_for(sessionmaker, Role.INTEGRATION)
    external_id = f"test-sync-{uuid.uuid4().hex[:8]}"
    rows = [{"kind": "NEIGHBORHOOD_ASSOCIATION", "name": "（テスト）緑町内会",
             "nameKana": "みどりちょうないかい", "externalId": external_id}]  # fmt: skip
    # when
    body = await post(client, UPSERT, {"rows": rows}, headers)
    # then
    assert body["data"]["partnersUpsert"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    async with sessionmaker() as session:
        names = (
            await session.execute(
                sa.select(col(Partner.name)).where(col(Partner.external_id) == external_id)
            )
        ).scalars()
        assert list(names) == ["（テスト）緑町内会"]


async def test_an_integration_script_reads_answered_proposals_without_the_proposer(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given: answers to proposals are public (第2章2), their proposers are not
    headers = await token_for(sessionmaker, Role.INTEGRATION)
    # when
    body = await post(client, "{ proposals(first: 5) { edges { node { status proposer { name } } } } }",
                      headers=headers)  # fmt: skip
    # then
    nodes = [edge["node"] for edge in body["data"]["proposals"]["edges"]]
    assert nodes and {n["status"] for n in nodes} <= {"ADOPTED", "NOT_ADOPTED"}
    assert all(n["proposer"] is None for n in nodes)
    assert {(e["path"][-1], e["extensions"]["code"]) for e in body["errors"]} == {
        ("proposer", "FORBIDDEN")
    }


# ---------------------------------------------------------------- the public


async def test_the_public_lists_organisations_but_not_their_phones(
    client: httpx.AsyncClient,
) -> None:
    # when no token is sent
    body = await post(client, "{ partners(first: 5) { edges { node { name kind phone } } } }")
    # then the organisations are listed, and each phone is refused
    nodes = [e["node"] for e in body["data"]["partners"]["edges"]]
    assert len(nodes) == 5
    assert all(n["kind"] != "INDIVIDUAL" and n["phone"] is None for n in nodes)
    assert {(tuple(e["path"][-1:]), e["extensions"]["code"]) for e in body["errors"]} == {
        (("phone",), "FORBIDDEN")
    }
    assert len(body["errors"]) == 5
    assert body["errors"][0]["message"] == "この情報を見る権限がありません。"


# ---------------------------------------------------------------- the access log


async def test_the_access_log_names_the_token_holder_and_the_request(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given a partner with a contact, and a member of staff's token
    async with sessionmaker() as session:
        partner = await make_partner(session, f"（テスト）見守り隊-{uuid.uuid4().hex[:6]}")
        session.add(Contact(partner_id=partner.id, name="デモ 隊長", phone="000-0000-0003"))
        await session.commit()
    assert partner.id is not None
    headers = await token_for(sessionmaker, Role.STAFF, "machizukuri", name="まちづくり 端末7")
    # when it reads the contact, under a request id of its own
    response = await client.post(
        "/graphql",
        json={
            "query": "query ($id: ID!) { node(id: $id) { ... on Partner { contacts { name } } } }",
            "variables": {"id": str(to_global_id("Partner", partner.id))},
        },
        headers={**headers, "X-Request-ID": "test-request-42"},
    )
    # then
    assert response.json()["data"]["node"]["contacts"] == [{"name": "デモ 隊長"}]
    async with sessionmaker() as session:
        event = (
            await session.execute(
                sa.select(AuditEvent).where(
                    col(AuditEvent.action) == PERSONAL_DATA_READ,
                    col(AuditEvent.entity_type) == "Partner",
                    col(AuditEvent.entity_id) == str(partner.id),
                )
            )
        ).scalar_one()
    assert event.actor == "まちづくり 端末7"
    assert event.changes == {"fields": ["contacts"], "requestId": "test-request-42"}
