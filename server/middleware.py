"""ASGI middleware of the HTTP edge: request ids, client disconnects, body size limit,
JSON-only POSTs.

Each refuses a request before the GraphQL view (or the database) sees it, and answers in
the GraphQL error shape: ``{"errors": [{"message": ..., "extensions": {"code": ...}}]}``.
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

from kyodo.server import logs

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


def _media_type(scope: Scope) -> tuple[str, str, str]:
    content_type = Headers(scope=scope).get("content-type", "")
    media_type, separator, parameters = content_type.partition(";")
    return media_type.strip().lower(), separator, parameters


class RequestIdMiddleware:
    """Give every request an id (``scope["state"]["request_id"]``), returned as the
    ``X-Request-ID`` header; masked errors and every log line written while serving it
    (``server.logs.request_id``) carry the same id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER)
        request_id = incoming if incoming and _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        token = logs.request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logs.request_id.reset(token)


class ClientDisconnectMiddleware:
    """A client that goes away before its request is read (a closed tab, a timeout on
    its side) is not an application error: one INFO line, and no answer, since no one
    is listening. Starlette raises ClientDisconnect from the body read; uvicorn logged
    it as "Exception in ASGI application" with a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:
            log.info("client disconnected before its request was read")


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Answer 413 to a body larger than ``max_bytes`` (``upload_max_bytes`` on the
    ``uploads`` routes): at once when Content-Length says so, else as soon as the
    streamed body passes the limit (chunked uploads)."""

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

    def too_large(self, max_bytes: int | None = None) -> JSONResponse:
        maximum = max_bytes or self.max_bytes
        limit = (
            f"{maximum // (1024 * 1024)} MiB"
            if maximum % (1024 * 1024) == 0
            else f"{maximum:,} バイト"
        )
        return error_response(
            413, f"リクエストが大きすぎます（上限 {limit}）。", "PAYLOAD_TOO_LARGE"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = (
            self.upload_max_bytes if _upload_of(scope, self.uploads) is not None else self.max_bytes
        )
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await error_response(400, "Content-Length が正しくありません。", "BAD_REQUEST")(
                    scope, receive, send
                )
                return
            if int(declared) > max_bytes:
                await self.too_large(max_bytes)(scope, receive, send)
                return

        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if response_started:  # pragma: no cover - the app answered before reading it all
                raise
            await self.too_large(max_bytes)(scope, receive, send)


class JsonOnlyMiddleware:
    """Refuse (415) a POST whose body is not ``application/json``.

    Browsers send form posts (``application/x-www-form-urlencoded``, ``multipart/form-data``)
    and ``text/plain`` across origins without asking: accepting only JSON means another
    site cannot make a signed-in browser post to the API (CSRF), because a cross-origin
    JSON post needs a CORS preflight, which only allowed origins pass. An ``uploads``
    route takes its own media type instead (``application/pdf``: no form can send it
    either, so the same defence holds).
    """

    def __init__(self, app: ASGIApp, uploads: Sequence[Upload] = ()) -> None:
        self.app = app
        self.uploads = tuple(uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            media_type, separator, parameters = _media_type(scope)
            upload = _upload_of(scope, self.uploads)
            if upload is not None:
                if media_type != upload.media_type:
                    response = error_response(
                        415,
                        f"Content-Type は {upload.media_type} にしてください。",
                        "UNSUPPORTED_MEDIA_TYPE",
                    )
                    await response(scope, receive, send)
                    return
                await self.app(scope, receive, send)
                return
            if media_type != "application/json":
                response = error_response(
                    415,
                    "Content-Type は application/json にしてください。",
                    "UNSUPPORTED_MEDIA_TYPE",
                )
                await response(scope, receive, send)
                return
            # Media types are case-insensitive (RFC 9110 §8.3.1), but Strawberry compares
            # them as written and refused "Application/JSON": pass it on spelled as it
            # expects, parameters (charset...) kept.
            canonical = f"application/json{separator}{parameters}".encode("latin-1")
            scope = dict(scope)
            scope["headers"] = [
                *((k, v) for k, v in scope["headers"] if k.lower() != b"content-type"),
                (b"content-type", canonical),
            ]
        await self.app(scope, receive, send)
