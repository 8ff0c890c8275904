"""Database trouble at the HTTP edge: a 503 in the API's JSON error shape, never a 500.

Resolvers' database errors are turned into codes by ``schema.extensions.SafeErrors``; this
module answers for what runs outside GraphQL: the token check, /healthz, /exports, and the
opening and closing of the request's session.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyodo.schema.database_trouble import DATABASE_UNAVAILABLE, DatabaseTrouble, database_trouble

log = logging.getLogger("kyodo.database")

RETRY_AFTER_SECONDS = 5
TROUBLE_CODES = frozenset({DATABASE_UNAVAILABLE, "TIMEOUT"})
"""Error codes answered with HTTP 503: the service, not the request, is at fault."""


def trouble_headers(code: str) -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if code == DATABASE_UNAVAILABLE else {}


def trouble_response(trouble: DatabaseTrouble, request_id: str) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": trouble.message,
                    "extensions": {"code": trouble.code, "requestId": request_id},
                }
            ]
        },
        status_code=trouble.status,
        headers=trouble_headers(trouble.code),
    )


def log_trouble(trouble: DatabaseTrouble, where: str, request_id: str) -> None:
    log.warning(
        "database trouble %s in %s (request %s): %s",
        trouble.code,
        where,
        request_id or "-",
        trouble.detail,
    )


class DatabaseTroubleMiddleware:
    """Answer 503 (DATABASE_UNAVAILABLE or TIMEOUT) when database trouble escapes what
    runs inside it; anything else propagates as before."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            trouble = database_trouble(error)
            if trouble is None or started:
                raise
            state: dict[str, Any] = scope.get("state", {})
            request_id = str(state.get("request_id", ""))
            log_trouble(trouble, scope.get("path", "?"), request_id)
            await trouble_response(trouble, request_id)(scope, receive, send)
