"""The HTTP edge, one ASGI middleware: request ids, client disconnects, the body size
limit, JSON-only POSTs and database trouble.

Each refuses a request before the GraphQL view (or the database) sees it, and answers in
the GraphQL error shape: ``{"errors": [{"message": ..., "extensions": {"code": ...}}]}``.
They were five middleware classes, each wrapping ``send`` (and some ``receive``) again:
on a small read that stack was some 15 % of the request's time (issue 9). One class
does the same steps in the same order with one wrapper each way.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyodo.schema.database_trouble import database_trouble
from kyodo.server import logs
from kyodo.server.guards import log_trouble, trouble_response

log = logging.getLogger("kyodo.http")

REQUEST_ID_HEADER = "X-Request-ID"
# An id handed in by a proxy is kept only when it cannot smuggle anything into a log line.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def error_response(
    status_code: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status_code,
        headers=headers,
    )


@dataclass(frozen=True, slots=True)
class Upload:
    """A route whose POST body is a file of ``media_type`` instead of JSON (the signed
    協定書: ``server.documents``), allowed up to its own size limit."""

    path: re.Pattern[str]
    media_type: str

    def matches(self, scope: Scope) -> bool:
        return scope.get("method") == "POST" and bool(self.path.match(scope.get("path", "")))


def _upload_of(scope: Scope, uploads: Sequence[Upload]) -> Upload | None:
    return next((upload for upload in uploads if upload.matches(scope)), None)


def _media_type(headers: Headers) -> tuple[str, str, str]:
    content_type = headers.get("content-type", "")
    media_type, separator, parameters = content_type.partition(";")
    return media_type.strip().lower(), separator, parameters


class _BodyTooLarge(Exception):
    pass


def _too_large(maximum: int) -> JSONResponse:
    limit = (
        f"{maximum // (1024 * 1024)} MiB" if maximum % (1024 * 1024) == 0 else f"{maximum:,} バイト"
    )
    return error_response(413, f"リクエストが大きすぎます（上限 {limit}）。", "PAYLOAD_TOO_LARGE")


def _unsupported(media_type: str) -> JSONResponse:
    return error_response(
        415, f"Content-Type は {media_type} にしてください。", "UNSUPPORTED_MEDIA_TYPE"
    )


class EdgeMiddleware:
    """Every HTTP request, in this order:

    1. *Request id*: ``scope["state"]["request_id"]``, returned as ``X-Request-ID``; masked
       errors and every log line written while serving it (``server.logs.request_id``)
       carry it. An id handed in by a proxy is kept when it is safe to log.
    2. *Body size*: 413 for a body larger than ``max_bytes`` (``upload_max_bytes`` on the
       ``uploads`` routes) — at once when Content-Length says so, else as soon as the
       streamed body passes the limit (chunked uploads); 400 for a broken Content-Length.
    3. *JSON only*: 415 for a POST whose body is not ``application/json``. Browsers send
       form posts and ``text/plain`` across origins without asking: accepting only JSON
       means another site cannot make a signed-in browser post to the API (CSRF), because
       a cross-origin JSON post needs a CORS preflight, which only allowed origins pass.
       An ``uploads`` route takes its own media type instead (``application/pdf``: no form
       can send it either, so the same defence holds). Media types are case-insensitive
       (RFC 9110 §8.3.1) but Strawberry compares them as written: the header is passed on
       spelled as it expects, parameters kept.
    4. *Client disconnects*: a client gone before its request was read (a closed tab, a
       timeout on its side) is not an application error: one INFO line and no answer
       (uvicorn logged it as "Exception in ASGI application" with a traceback).
    5. *Database trouble* escaping what runs inside (the token check, the session,
       /healthz, /exports): 503 ``DATABASE_UNAVAILABLE`` or ``TIMEOUT``, never a 500;
       anything else propagates as before.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        uploads: Sequence[Upload] = (),
        upload_max_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.uploads = tuple(uploads)
        self.upload_max_bytes = upload_max_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get(REQUEST_ID_HEADER)
        request_id = incoming if incoming and _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def edge_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        upload = _upload_of(scope, self.uploads)
        max_bytes = self.upload_max_bytes if upload is not None else self.max_bytes
        refusal, scope = self._refusal(scope, headers, upload, max_bytes)
        if refusal is not None:
            await refusal(scope, receive, edge_send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _BodyTooLarge
            return message

        token = logs.request_id.set(request_id)
        try:
            await self.app(scope, limited_receive, edge_send)
        except ClientDisconnect:
            log.info("client disconnected before its request was read")
        except _BodyTooLarge:
            if started:  # pragma: no cover - the app answered before reading it all
                raise
            await _too_large(max_bytes)(scope, receive, edge_send)
        except Exception as error:
            trouble = database_trouble(error)
            if trouble is None or started:
                raise
            log_trouble(trouble, scope.get("path", "?"), request_id)
            await trouble_response(trouble, request_id)(scope, receive, edge_send)
        finally:
            logs.request_id.reset(token)

    def _refusal(
        self, scope: Scope, headers: Headers, upload: Upload | None, max_bytes: int
    ) -> tuple[JSONResponse | None, Scope]:
        """Steps 2 and 3 before the app runs: (a refusal or None, the scope to go on with)."""
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                return error_response(
                    400, "Content-Length が正しくありません。", "BAD_REQUEST"
                ), scope
            if int(declared) > max_bytes:
                return _too_large(max_bytes), scope
        if scope["method"] != "POST":
            return None, scope
        media_type, separator, parameters = _media_type(headers)
        if upload is not None:
            if media_type != upload.media_type:
                return _unsupported(upload.media_type), scope
            return None, scope
        if media_type != "application/json":
            return _unsupported("application/json"), scope
        canonical = f"application/json{separator}{parameters}".encode("latin-1")
        scope = dict(scope)
        scope["headers"] = [
            *((k, v) for k, v in scope["headers"] if k.lower() != b"content-type"),
            (b"content-type", canonical),
        ]
        return None, scope
