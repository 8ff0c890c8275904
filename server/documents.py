"""The signed 協定書 over HTTP: ``POST /agreements/{id}/documents`` and ``GET /documents/{id}``.

Uploads do not go through GraphQL: Strawberry's multipart uploads stay off, because a
``multipart/form-data`` post is one a browser sends across origins without asking (CSRF).
This route takes the PDF itself as the body, ``Content-Type: application/pdf`` (which no
form can send: a cross-origin request needs a CORS preflight, which only allowed origins
pass) and a bearer token of a role that may change the agreement (STAFF of the owning
department, ADMIN: ``schema.permissions.WRITE_AGREEMENTS``). The file name comes in
the query (``?fileName=協定書.pdf``, percent-encoded UTF-8). The body may be as large as
``KYODO_MAX_DOCUMENT_BYTES`` (the only route allowed above ``KYODO_MAX_BODY_BYTES``).

| answer | when |
|---|---|
| 201 ``{"document": {...}}`` + ``Location`` | stored, with its SHA-256 and one audit event |
| 400 ``REQUIRED`` / ``INVALID`` | no file name, an empty body, not a PDF (``%PDF-`` … ``%%EOF``), a malformed id |
| 401 / 403 ``FORBIDDEN`` | no token / a role or department that may not change the agreement |
| 404 ``NOT_FOUND`` | no such agreement |
| 409 ``DUPLICATE`` | the same file is attached already |
| 413 ``PAYLOAD_TOO_LARGE`` / 415 ``UNSUPPORTED_MEDIA_TYPE`` | too large / not ``application/pdf`` (middleware) |

Refusals are the edge's JSON errors, each with the UserError's code, Japanese message
and ``extensions.field``; nothing is written. The download answers the PDF with its
``Content-Disposition`` (the name as RFC 6266/5987 ``filename*``), ``Repr-Digest``
(RFC 9530, the stored SHA-256), ``X-Content-Type-Options: nosniff`` and a sandboxing
Content-Security-Policy, to whoever may read it (``domain.agreements.documents``);
downloads by token holders are written to the access log.
"""

from __future__ import annotations

import base64
import logging
import re
from typing import Any
from urllib.parse import quote

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from kyodo.domain.agreements import documents
from kyodo.domain.agreements.models import AgreementDocument
from kyodo.domain.audit.log import record_personal_data_reads
from kyodo.domain.enums import Role
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.transactions import WriteLockTimeout, begin_write
from kyodo.domain.visibility import PartnerVisibility
from kyodo.schema.agreements.documents import download_path
from kyodo.schema.common import aware
from kyodo.schema.context import ANONYMOUS, Principal
from kyodo.schema.database_trouble import database_trouble
from kyodo.schema.errors import input_path
from kyodo.schema.node import from_global_id, pk_of, to_global_id
from kyodo.schema.permissions import FORBIDDEN_WRITE, WRITE_AGREEMENTS, may_change_record
from kyodo.server.middleware import Upload, error_response

log = logging.getLogger("kyodo.documents")

UPLOAD = Upload(re.compile(r"^/agreements/[^/]+/documents$"), documents.MEDIA_TYPE)
"""The upload route's path, for the middleware (media type and size limit)."""

LOGIN_REQUIRED = (
    "協定書を登録・表示するには認証が必要です。Authorization: Bearer <トークン> を付けてください。"
)
NOT_FOUND = "協定書が見つかりません。"
DUPLICATE_AT_ONCE = "同じ内容の協定書が同時に登録されました。一覧を確かめてください。"
FAILED = "協定書を登録できませんでした。時間をおいてもう一度試してください。"
# The PDF is shown by the browser's viewer at most: no scripts, no forms, nothing loaded.
SECURITY_POLICY = "default-src 'none'; sandbox"

_PLAIN_NAME = re.compile(r"[A-Za-z0-9._ ()-]+")
STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.DUPLICATE: 409,
    ErrorCode.FORBIDDEN: 403,
}


def _unauthenticated() -> Response:
    return error_response(
        401,
        LOGIN_REQUIRED,
        "UNAUTHENTICATED",
        headers={"WWW-Authenticate": "Bearer", "Cache-Control": "no-store"},
    )


def _domain_refusal(error: DomainError) -> Response:
    """The UserErrors of a refused upload, in the edge's JSON error shape."""
    return JSONResponse(
        {
            "errors": [
                {
                    "message": problem.message,
                    "extensions": {"code": problem.code.value, "field": input_path(problem)},
                }
                for problem in error.problems
            ]
        },
        status_code=STATUS.get(error.code, 400),
    )


def document_json(row: AgreementDocument) -> dict[str, Any]:
    """The stored document as ``Agreement.documents`` shows it."""
    assert row.id is not None
    return {
        "id": to_global_id("AgreementDocument", row.id),
        "agreementId": to_global_id("Agreement", row.agreement_id),
        "fileName": row.file_name,
        "mediaType": documents.MEDIA_TYPE,
        "sizeBytes": row.size_bytes,
        "sha256": row.sha256,
        "uploadedAt": aware(row.uploaded_at).isoformat(),
        "uploadedBy": row.uploaded_by,
        "downloadUrl": download_path(row.id),
    }


async def upload(request: Request) -> Response:
    principal: Principal = getattr(request.state, "principal", ANONYMOUS)
    if principal.role is Role.PUBLIC:
        return _unauthenticated()
    session: AsyncSession = request.state.db_session
    max_bytes: int = request.app.state.max_document_bytes
    try:
        agreement_id = pk_of(request.path_params["agreement_id"], "Agreement")
        allowed = await may_change_record(
            session, principal, roles=WRITE_AGREEMENTS, entity_type="Agreement", pk=agreement_id
        )
        if not allowed:
            await session.rollback()
            return error_response(403, FORBIDDEN_WRITE, ErrorCode.FORBIDDEN.value)
        content = await request.body()
        await begin_write(session)
        row = await documents.attach_document(
            session,
            agreement_id=agreement_id,
            file_name=request.query_params.get("fileName"),
            content=content,
            max_bytes=max_bytes,
            actor=principal.name,
        )
        await session.commit()
    except DomainError as error:
        await session.rollback()
        return _domain_refusal(error)
    except WriteLockTimeout as error:
        await session.rollback()
        return error_response(503, error.message, "TIMEOUT")
    except IntegrityError:
        # PostgreSQL: the same file sent twice at once; the first one won the unique key.
        await session.rollback()
        return _domain_refusal(
            DomainError(ErrorCode.DUPLICATE, DUPLICATE_AT_ONCE, documents.CONTENT_FIELD)
        )
    except Exception as error:
        if database_trouble(error) is not None:
            raise  # the middleware answers 503 and logs one line
        await session.rollback()
        log.exception("upload failed (request %s)", getattr(request.state, "request_id", ""))
        return error_response(500, FAILED, "INTERNAL_SERVER_ERROR")
    log.info("document %s attached to agreement %s by %s", row.id, agreement_id, principal.name)
    body = document_json(row)
    return JSONResponse(
        {"document": body}, status_code=201, headers={"Location": body["downloadUrl"]}
    )


def content_disposition(file_name: str) -> str:
    """``attachment`` with the name as RFC 5987 UTF-8 (``filename*``) and, for clients
    that read only ``filename``, the name itself when it is plain ASCII, else
    ``document.pdf``."""
    fallback = file_name if _PLAIN_NAME.fullmatch(file_name) else "document.pdf"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


async def download(request: Request) -> Response:
    principal: Principal = getattr(request.state, "principal", ANONYMOUS)
    session: AsyncSession = request.state.db_session
    decoded = from_global_id(request.path_params["document_id"])
    row = None
    if decoded is not None and decoded[0] == "AgreementDocument":
        row = await documents.get_document(session, decoded[1])
    if row is None:
        return error_response(404, NOT_FOUND, ErrorCode.NOT_FOUND.value)
    visibility = PartnerVisibility.for_role(principal.role)
    if await documents.hidden_agreements(session, [row.agreement_id], visibility):
        # Only PUBLIC can be refused: every other role reads every document.
        return _unauthenticated()
    if principal.role is not Role.PUBLIC:
        assert row.id is not None
        try:
            await begin_write(session)
            await record_personal_data_reads(
                session,
                actor=principal.name,
                reads={(documents.ENTITY, row.id): ["content"]},
                request_id=getattr(request.state, "request_id", ""),
            )
            await session.commit()
        except WriteLockTimeout as error:
            await session.rollback()
            return error_response(503, error.message, "TIMEOUT")
    digest = base64.b64encode(bytes.fromhex(row.sha256)).decode("ascii")
    return Response(
        row.content,
        media_type=documents.MEDIA_TYPE,
        headers={
            "Content-Disposition": content_disposition(row.file_name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": SECURITY_POLICY,
            "Cache-Control": "no-store",
            "ETag": f'"{row.sha256}"',
            "Repr-Digest": f"sha-256=:{digest}:",
        },
    )


def document_routes() -> list[BaseRoute]:
    return [
        Route("/agreements/{agreement_id}/documents", upload, methods=["POST"]),
        Route("/documents/{document_id}", download, methods=["GET"]),
    ]
