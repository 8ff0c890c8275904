"""Database trouble at the HTTP edge: a 503 in the API's JSON error shape, never a 500.

Resolvers' database errors are turned into codes by ``schema.extensions.SafeErrors``; this
module answers for what runs outside GraphQL (the token check, /healthz, /exports, and the
opening and closing of the request's session): ``server.middleware.EdgeMiddleware`` uses
its responses.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse

from kyodo.schema.database_trouble import DATABASE_UNAVAILABLE, DatabaseTrouble

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
