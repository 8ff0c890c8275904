"""The signed 協定書 over HTTP (server/documents.py): upload by role, refusals that write
nothing, downloads by role with their headers, and the listing in GraphQL."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from kyodo.domain.agreements.models import Agreement, AgreementDocument
from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.enums import AgreementStatus, PartnerKind, Role
from kyodo.schema.node import to_global_id
from kyodo.seeds.demo_documents import demo_pdf
from kyodo.server.app import create_app
from kyodo.server.settings import Settings
from tests.conftest import CHANGE_EVENTS
from tests.schema.agreements.factories import make_agreement, make_partner
from tests.server.test_access_http import department, token_for

Maker = async_sessionmaker[AsyncSession]
MAX_DOCUMENT_BYTES = 64 * 1024
PDF = demo_pdf(["kyodo test document"])
NAME = "災害時応援協定書（テスト）.pdf"
PDF_HEADERS = {"Content-Type": "application/pdf"}


@pytest.fixture
async def client(sessionmaker: Maker) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(KYODO_MAX_DOCUMENT_BYTES=MAX_DOCUMENT_BYTES), sessionmaker=sessionmaker
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def an_agreement(
    sessionmaker: Maker,
    *,
    code: str = "machizukuri",
    status: AgreementStatus = AgreementStatus.IN_FORCE,
    party_kind: PartnerKind = PartnerKind.COMPANY,
) -> Agreement:
    async with sessionmaker() as session:
        partner = await make_partner(session, "（テスト）協定先", kind=party_kind)
        agreement = await make_agreement(
            session,
            department=await department(session, code),
            title="（テスト）協定書のある協定",
            status=status,
            parties=[partner],
        )
        await session.commit()
    return agreement


def gid(agreement: Agreement) -> str:
    assert agreement.id is not None
    return str(to_global_id("Agreement", agreement.id))


async def upload(
    client: httpx.AsyncClient,
    agreement: Agreement | str,
    headers: dict[str, str],
    *,
    content: bytes = PDF,
    name: str | None = NAME,
    content_type: str = "application/pdf",
) -> httpx.Response:
    target = agreement if isinstance(agreement, str) else gid(agreement)
    return await client.post(
        f"/agreements/{target}/documents",
        content=content,
        params={"fileName": name} if name is not None else {},
        headers={**headers, "Content-Type": content_type},
    )


async def stored(sessionmaker: Maker) -> tuple[int, int]:
    """(documents, change events): what a refused upload must leave as it was."""
    async with sessionmaker() as session:
        documents = await session.scalar(sa.select(sa.func.count()).select_from(AgreementDocument))
        events = await session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
        )
    return int(documents or 0), int(events or 0)


def error_of(response: httpx.Response) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    error: dict[str, Any] = errors[0]
    return error


# ---------------------------------------------------------------- upload


async def test_staff_attach_the_signed_pdf_with_its_sha256_and_one_audit_event(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given an agreement of まちづくり推進課 and a token of that department
    agreement = await an_agreement(sessionmaker)
    headers = await token_for(sessionmaker, Role.STAFF, "machizukuri", name="まちづくり 端末")
    _, events = await stored(sessionmaker)
    # when the PDF is posted
    response = await upload(client, agreement, headers)
    # then it is stored with its digest, and the answer says where to get it
    assert response.status_code == 201, response.text
    document = response.json()["document"]
    assert document["fileName"] == NAME
    assert document["sizeBytes"] == len(PDF)
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert document["uploadedBy"] == "まちづくり 端末"
    assert document["agreementId"] == gid(agreement)
    assert document["uploadedAt"].endswith("+09:00")
    assert response.headers["location"] == document["downloadUrl"]
    async with sessionmaker() as session:
        row = (
            await session.execute(
                sa.select(AgreementDocument).where(
                    col(AgreementDocument.agreement_id) == agreement.id
                )
            )
        ).scalar_one()
        event = (
            await session.execute(
                sa.select(AuditEvent).where(
                    col(AuditEvent.entity_type) == "AgreementDocument",
                    col(AuditEvent.entity_id) == str(row.id),
                )
            )
        ).scalar_one()
    assert row.content == PDF
    assert row.sha256 == document["sha256"]
    assert event.action == "agreement_document.attach"
    assert event.actor == "まちづくり 端末"
    assert (await stored(sessionmaker))[1] == events + 1


@pytest.mark.parametrize(
    ("role", "code", "status", "error_code"),
    [
        (Role.PUBLIC, None, 401, "UNAUTHENTICATED"),
        (Role.STAFF, "seishonen", 403, "FORBIDDEN"),  # another department's agreement
        (Role.DISASTER_OFFICE, "kikikanri", 403, "FORBIDDEN"),
        (Role.INTEGRATION, None, 403, "FORBIDDEN"),
        (Role.STAFF, "machizukuri", 201, None),
        (Role.ADMIN, None, 201, None),
    ],
)
async def test_only_roles_that_may_change_the_agreement_upload(
    client: httpx.AsyncClient,
    sessionmaker: Maker,
    role: Role,
    code: str | None,
    status: int,
    error_code: str | None,
) -> None:
    # given an agreement of まちづくり推進課
    agreement = await an_agreement(sessionmaker)
    headers = {} if role is Role.PUBLIC else await token_for(sessionmaker, role, code)
    before = await stored(sessionmaker)
    # when
    response = await upload(client, agreement, headers)
    # then
    assert response.status_code == status, response.text
    if error_code is None:
        assert response.json()["document"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    else:
        assert error_of(response)["extensions"]["code"] == error_code
        assert await stored(sessionmaker) == before


NOT_PDF = b"<html><script>alert(1)</script></html>"
CUT_OFF = PDF[: len(PDF) - 40]  # the upload broke off: no %%EOF


@pytest.mark.parametrize(
    ("change", "status", "code", "message"),
    [
        ({"content": NOT_PDF}, 400, "INVALID", "先頭が %PDF- ではありません"),
        ({"content": CUT_OFF}, 400, "INVALID", "途中で切れています"),
        ({"content": b""}, 400, "REQUIRED", "ファイルが空です"),
        ({"name": None}, 400, "REQUIRED", "ファイル名を指定してください"),
        ({"name": "　"}, 400, "REQUIRED", "ファイル名を指定してください"),
        ({"name": "協定書\r\n.pdf"}, 400, "INVALID", "制御文字"),
        ({"name": "あ" * 201 + ".pdf"}, 400, "INVALID", "ファイル名"),
        ({"content_type": "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE", "application/pdf"),
        (
            {"content_type": "multipart/form-data; boundary=x"},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "application/pdf",
        ),
        ({"content_type": "application/json"}, 415, "UNSUPPORTED_MEDIA_TYPE", "application/pdf"),
        (
            {"content": PDF + b" " * MAX_DOCUMENT_BYTES},
            413,
            "PAYLOAD_TOO_LARGE",
            "上限 65,536 バイト",
        ),
    ],
    ids=[
        "not-a-pdf",
        "cut-off",
        "empty",
        "no-name",
        "blank-name",
        "control-characters",
        "name-too-long",
        "text",
        "multipart",
        "json",
        "too-large",
    ],
)
async def test_a_refused_upload_writes_nothing(
    client: httpx.AsyncClient,
    sessionmaker: Maker,
    change: dict[str, Any],
    status: int,
    code: str,
    message: str,
) -> None:
    # given
    agreement = await an_agreement(sessionmaker)
    headers = await token_for(sessionmaker, Role.ADMIN)
    before = await stored(sessionmaker)
    # when
    response = await upload(client, agreement, headers, **change)
    # then
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["extensions"]["code"] == code
    assert message in error["message"]
    assert await stored(sessionmaker) == before


async def test_the_same_file_twice_is_a_duplicate_and_unknown_agreements_are_not_found(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given a document already attached
    agreement = await an_agreement(sessionmaker)
    headers = await token_for(sessionmaker, Role.ADMIN)
    assert (await upload(client, agreement, headers)).status_code == 201
    before = await stored(sessionmaker)
    # when the same bytes come again (under another name), or go to no agreement
    again = await upload(client, agreement, headers, name="写し.pdf")
    missing = await upload(client, str(to_global_id("Agreement", 2**31 - 1)), headers)
    malformed = await upload(client, "not-an-id", headers)
    # then
    assert again.status_code == 409
    assert error_of(again)["extensions"] == {"code": "DUPLICATE", "field": ["content"]}
    assert NAME in error_of(again)["message"]
    assert missing.status_code == 404
    assert error_of(missing)["extensions"]["code"] == "NOT_FOUND"
    assert malformed.status_code == 400
    assert error_of(malformed)["extensions"] == {"code": "INVALID", "field": ["id"]}
    assert await stored(sessionmaker) == before


async def test_a_document_may_exceed_the_body_limit_of_the_api_but_graphql_may_not(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given a PDF above KYODO_MAX_BODY_BYTES, within KYODO_MAX_DOCUMENT_BYTES
    agreement = await an_agreement(sessionmaker)
    headers = await token_for(sessionmaker, Role.ADMIN)
    big = demo_pdf(["x" * 80] * 40) + b"%" + b" " * 200
    body_limit = 2048
    app = create_app(
        Settings(KYODO_MAX_BODY_BYTES=body_limit, KYODO_MAX_DOCUMENT_BYTES=MAX_DOCUMENT_BYTES),
        sessionmaker=sessionmaker,
    )
    assert body_limit < len(big) < MAX_DOCUMENT_BYTES
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as small:
        # when
        uploaded = await upload(small, agreement, headers, content=big)
        graphql = await small.post(
            "/graphql", json={"query": "{ __typename }", "pad": "x" * len(big)}, headers=headers
        )
    # then
    assert uploaded.status_code == 201, uploaded.text
    assert graphql.status_code == 413


# ---------------------------------------------------------------- download

DOCUMENTS = """
query ($id: ID!) { node(id: $id) { ... on Agreement {
  documents { id fileName mediaType sizeBytes sha256 uploadedAt downloadUrl }
} } }
"""


async def attached(
    client: httpx.AsyncClient, sessionmaker: Maker, agreement: Agreement
) -> dict[str, Any]:
    response = await upload(client, agreement, await token_for(sessionmaker, Role.ADMIN))
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()["document"]
    return document


async def listed(client: httpx.AsyncClient, agreement: Agreement, headers: dict[str, str]) -> Any:
    response = await client.post(
        "/graphql", json={"query": DOCUMENTS, "variables": {"id": gid(agreement)}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["node"]["documents"]


async def test_a_download_is_the_stored_pdf_with_safe_headers(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given an attached document and a token of the disaster office
    agreement = await an_agreement(sessionmaker)
    document = await attached(client, sessionmaker, agreement)
    headers = await token_for(sessionmaker, Role.DISASTER_OFFICE, "kikikanri")
    # when the office lists the agreement's documents and downloads one
    documents = await listed(client, agreement, headers)
    response = await client.get(documents[0]["downloadUrl"], headers=headers)
    # then the listing matches the upload and the bytes are the stored ones
    assert documents == [{key: document[key] for key in documents[0]}]
    assert documents[0]["mediaType"] == "application/pdf"
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"document.pdf\"; filename*=UTF-8''{quote(NAME, safe='')}"
    )
    digest = base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    assert response.headers["repr-digest"] == f"sha-256=:{digest}:"
    assert response.headers["cache-control"] == "no-store"
    assert "sandbox" in response.headers["content-security-policy"]


async def test_a_download_by_a_token_holder_is_in_the_access_log(
    client: httpx.AsyncClient, sessionmaker: Maker
) -> None:
    # given
    agreement = await an_agreement(sessionmaker)
    document = await attached(client, sessionmaker, agreement)
    headers = await token_for(sessionmaker, Role.STAFF, "machizukuri", name="読む人 端末")
    # when
    response = await client.get(document["downloadUrl"], headers=headers)
    # then
    assert response.status_code == 200
    async with sessionmaker() as session:
        reads = (
            (
                await session.execute(
                    sa.select(AuditEvent).where(
                        col(AuditEvent.actor) == "読む人 端末",
                        col(AuditEvent.action) == PERSONAL_DATA_READ,
                    )
                )
            )
            .scalars()
            .all()
        )
    assert [(r.entity_type, r.changes["fields"]) for r in reads] == [
        ("AgreementDocument", ["content"])
    ]


@pytest.mark.parametrize(
    ("status", "party_kind", "public_reads"),
    [
        (AgreementStatus.IN_FORCE, PartnerKind.COMPANY, True),
        (AgreementStatus.TERMINATED, PartnerKind.NPO, True),
        (AgreementStatus.NEGOTIATING, PartnerKind.COMPANY, False),  # not signed yet
        (AgreementStatus.IN_FORCE, PartnerKind.INDIVIDUAL, False),  # names a volunteer
    ],
)
async def test_the_public_downloads_only_signed_documents_of_agreements_it_may_see_whole(
    client: httpx.AsyncClient,
    sessionmaker: Maker,
    status: AgreementStatus,
    party_kind: PartnerKind,
    public_reads: bool,
) -> None:
    # given a document of such an agreement
    agreement = await an_agreement(sessionmaker, status=status, party_kind=party_kind)
    document = await attached(client, sessionmaker, agreement)
    staff = await token_for(sessionmaker, Role.INTEGRATION)
    # when the public and a token holder list and download it
    public_list = await listed(client, agreement, {})
    public_get = await client.get(document["downloadUrl"])
    staff_list = await listed(client, agreement, staff)
    staff_get = await client.get(document["downloadUrl"], headers=staff)
    # then token holders always get it; the public only when the agreement is public
    assert [d["id"] for d in staff_list] == [document["id"]]
    assert staff_get.status_code == 200
    assert [d["id"] for d in public_list] == ([document["id"]] if public_reads else [])
    assert public_get.status_code == (200 if public_reads else 401)
    if public_reads:
        assert public_get.content == PDF
    else:
        assert error_of(public_get)["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "document_id",
    [
        str(to_global_id("AgreementDocument", 2**31 - 1)),
        str(to_global_id("Agreement", 1)),  # an id of another type
        "garbage",
    ],
)
async def test_an_unknown_document_is_not_found(
    client: httpx.AsyncClient, sessionmaker: Maker, document_id: str
) -> None:
    headers = await token_for(sessionmaker, Role.ADMIN)
    response = await client.get(f"/documents/{document_id}", headers=headers)
    assert response.status_code == 404
    assert error_of(response)["extensions"]["code"] == "NOT_FOUND"


async def test_the_demo_agreement_and_its_amendment_have_signed_documents(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given the demo's agreement with 東日本電信電話 and the amendment of ds-037
    for external_id in ("demo-agreement-ds-000", "demo-agreement-ds-037-kaisei"):
        agreement = (
            await session.execute(
                sa.select(Agreement).where(col(Agreement.external_id) == external_id)
            )
        ).scalar_one()
        # when the public lists and downloads its document
        documents = await listed(client, agreement, {})
        response = await client.get(documents[0]["downloadUrl"])
        # then it is a PDF whose digest is the listed one
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF-1.4")
        assert hashlib.sha256(response.content).hexdigest() == documents[0]["sha256"]
        assert (
            documents[0]["fileName"].endswith("（デモ）.pdf") or "デモ" in documents[0]["fileName"]
        )
