"""GraphQL over HTTP at /graphql: which media type answers, which status a result gets,
and refusals as JSON with a code instead of Strawberry's English plain text.

Follows the GraphQL over HTTP specification (graphql.github.io/graphql-over-http), as
checked by the ``graphql-http`` audit (tests/server/test_graphql_http_audit.py):

- ``Accept: application/graphql-response+json`` is answered in that media type; a
  *request error* (the document does not parse or validate, the variables do not fit, no
  operation matches ``operationName``, a limit refused it) is then a **400** whose body
  has no ``data`` entry. Field errors during execution stay 200.
- ``application/json`` (also for ``*/*``, for no ``Accept`` header, or for one that names
  neither) is answered as before: 200 for every GraphQL result, request errors included.
- In both, a request error carries no ``data`` (GraphQL spec, "Response"), and every error
  the edge raises itself has ``extensions.code`` and a Japanese message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mimeparse
from cross_web import HTTPException
from starlette.responses import JSONResponse

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

SERVER_SIDE_CODES = frozenset(
    {"DATABASE_UNAVAILABLE", "TIMEOUT", "INTERNAL_SERVER_ERROR", "RESPONSE_TOO_LARGE"}
)
"""Codes of errors that are the server's business, not the request's: a result carrying
one is never a request error (its status is decided elsewhere: 503 for the first two)."""


def response_media_type(accept: str | None) -> str:
    """The media type to answer a GraphQL request with, from its ``Accept`` header.

    ``application/graphql-response+json`` when the client prefers it (by q-value; named
    explicitly, it wins a tie with ``application/json``); ``application/json`` otherwise,
    also for ``*/*``, a missing or unparsable header, and one accepting neither (the spec
    lets a server disregard such a header and answer in ``application/json``).
    """
    if not accept:
        return JSON
    accept = accept.lower()  # media types are case-insensitive (RFC 9110 §8.3.1)
    try:
        preferred = mimeparse.quality(GRAPHQL_RESPONSE_JSON, accept)
        legacy = mimeparse.quality(JSON, accept)
    except ValueError:  # mimeparse.MimeTypeParseException: not a list of media ranges
        return JSON
    if preferred > legacy:
        return GRAPHQL_RESPONSE_JSON
    if preferred == legacy and preferred > 0 and GRAPHQL_RESPONSE_JSON in accept:
        return GRAPHQL_RESPONSE_JSON
    return JSON


def is_request_error(response_data: Mapping[str, Any]) -> bool:
    """True for the result of a request that never executed: no data, and only errors that
    belong to no field (parse, validation, variables, operation name, limits)."""
    errors = response_data.get("errors")
    if not errors or response_data.get("data") is not None:
        return False
    for error in errors:
        if not isinstance(error, Mapping) or error.get("path") is not None:
            return False
        if (error.get("extensions") or {}).get("code") in SERVER_SIDE_CODES:
            return False
    return True


def status_for(response_data: Any, media_type: str) -> int:
    """The status of a GraphQL result (before the 503 of database trouble is applied)."""
    if (
        media_type == GRAPHQL_RESPONSE_JSON
        and isinstance(response_data, Mapping)
        and is_request_error(response_data)
    ):
        return 400
    return 200


class RequestRefused(HTTPException):
    """A request the edge refuses before GraphQL runs: answered ``status`` with
    ``{"errors": [{"message": message, "extensions": {"code": code}}]}``."""

    def __init__(
        self, status_code: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


BAD_REQUEST = "BAD_REQUEST"

# Strawberry's own refusals (strawberry 0.341, cross_web.HTTPException reasons), in Japanese.
_STRAWBERRY_REASONS: dict[str, tuple[str, str]] = {
    "Unable to parse request body as JSON": (
        BAD_REQUEST,
        "リクエストの本文を JSON として読めません。",
    ),
    "Batching is not enabled": (
        "BATCHING_NOT_SUPPORTED",
        "複数の操作をまとめた配列（バッチ）は受け付けていません。操作ごとに 1 つの JSON "
        "オブジェクトで送ってください。",
    ),
    "Too many operations": (
        "BATCHING_NOT_SUPPORTED",
        "複数の操作をまとめた配列（バッチ）は受け付けていません。",
    ),
    "The GraphQL operation's `query` must be a string or null, if provided.": (
        BAD_REQUEST,
        "query は文字列にしてください。",
    ),
    "The GraphQL operation's `variables` must be an object or null, if provided.": (
        BAD_REQUEST,
        "variables は JSON オブジェクトにしてください。",
    ),
    "The GraphQL operation's `extensions` must be an object or null, if provided.": (
        BAD_REQUEST,
        "extensions は JSON オブジェクトにしてください。",
    ),
    "Unsupported content type": (
        "UNSUPPORTED_MEDIA_TYPE",
        "Content-Type は application/json にしてください。",
    ),
    "GraphQL only supports GET and POST requests.": (
        "METHOD_NOT_ALLOWED",
        "/graphql は POST（と GraphiQL を開く GET）だけを受け付けます。",
    ),
    "Not Found": ("NOT_FOUND", "見つかりません。"),
    # Starlette's routing, for paths and methods no route serves.
    "Method Not Allowed": (
        "METHOD_NOT_ALLOWED",
        "このパスではこのメソッドを使えません（/graphql は POST、GraphiQL は GET）。",
    ),
}
_BY_STATUS = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def refusal(error: HTTPException) -> RequestRefused:
    """A refusal of Strawberry's (English text) as one of ours: a code, a Japanese message.
    A reason this table does not know keeps its text after a Japanese sentence."""
    if isinstance(error, RequestRefused):
        return error
    known = _STRAWBERRY_REASONS.get(error.reason)
    if known is not None:
        return RequestRefused(error.status_code, *known)
    code = _BY_STATUS.get(error.status_code, BAD_REQUEST)
    return RequestRefused(
        error.status_code, code, f"リクエストを受け付けられません（{error.reason}）。"
    )


def refusal_response(error: HTTPException, media_type: str = JSON) -> JSONResponse:
    refused = refusal(error)
    return JSONResponse(
        {"errors": [{"message": refused.message, "extensions": {"code": refused.code}}]},
        status_code=refused.status_code,
        headers=refused.headers,
        media_type=media_type,
    )


def get_refused() -> RequestRefused:
    return RequestRefused(
        405,
        "METHOD_NOT_ALLOWED",
        "GET では操作を実行できません。POST（Content-Type: application/json）で送って"
        "ください。GET /graphql はブラウザに GraphiQL を表示するためだけのものです。",
        headers={"Allow": "POST"},
    )


def missing_query() -> RequestRefused:
    return RequestRefused(
        400,
        BAD_REQUEST,
        'クエリ（query）がありません。本文を {"query": "..."} の形の JSON にしてください。',
    )


def operation_name_not_text() -> RequestRefused:
    return RequestRefused(400, BAD_REQUEST, "operationName は文字列（または null）にしてください。")
