"""Helpers shared by the tests of this package (Property-based fuzzing of /graphql over HTTP (issue 4))."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, example, settings
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from kyodo.domain.errors import ErrorCode
from kyodo.schema import schema as default_schema
from kyodo.schema.extensions import UNEXPECTED_ERROR_MESSAGE
from kyodo.schema.mutation import NOT_SAVED
from tests.database_state import changes, database_state
from tests.server.strategies import (
    LEAK_MARKERS,
    Operation,
    RawRequest,
)

settings.register_profile(
    "kyodo-fuzz",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


settings.register_profile("kyodo-fuzz-deep", settings.get_profile("kyodo-fuzz"), derandomize=False)


DEEP = os.environ.get("KYODO_FUZZ") == "deep"


PROFILE = settings.get_profile("kyodo-fuzz-deep" if DEEP else "kyodo-fuzz")


def fuzz(max_examples: int) -> settings:
    return settings(PROFILE, max_examples=max_examples * (10 if DEEP else 1))


def found(argument: str, values: list[Any], **others: Any) -> Callable[[Any], Any]:
    """Run these values on every run: inputs that once broke the API (regressions)."""

    def decorate(test: Any) -> Any:
        for value in reversed(values):
            test = example(**{argument: value}, **others)(test)
        return test

    return decorate


SCHEMA = default_schema._schema


# Codes of errors we raise on purpose: the domain's, the limits', the HTTP edge's.
OUR_CODES = {code.value for code in ErrorCode} | {
    "QUERY_TOO_DEEP",
    "TOO_MANY_ALIASES",
    "TOO_MANY_TOKENS",
    "QUERY_TOO_COMPLEX",
    "PAYLOAD_TOO_LARGE",
    "UNSUPPORTED_MEDIA_TYPE",
    "BAD_REQUEST",
    "UNAUTHENTICATED",
    "METHOD_NOT_ALLOWED",
    "NOT_FOUND",
    "BATCHING_NOT_SUPPORTED",
    "PERSISTED_QUERY_NOT_FOUND",
    "OPERATION_RESOLUTION_FAILURE",
    NOT_SAVED,
}


# Codes of graphql-core's own errors: their messages are its standard English wording.
GRAPHQL_CODES = {
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "BAD_USER_INPUT",
    "OPERATION_RESOLUTION_FAILURE",
}


JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


# graphql-core's and Strawberry's standard messages for documents and variables they
# refuse (parse, validation, coercion). Only the wording is known; what they quote is
# the caller's own input.
_NAME = r"[_A-Za-z][_0-9A-Za-z]*"


_QUOTED = r"'[^']*'"


GRAPHQL_MESSAGES = [
    re.compile(p, re.DOTALL)
    for p in (
        r"^Syntax Error: ",
        rf"^Cannot query field {_QUOTED} on type {_QUOTED}\.",
        rf"^Unknown argument {_QUOTED} on (field|directive) ",
        rf"^Unknown type {_QUOTED}\.",
        rf"^Unknown fragment {_QUOTED}\.",
        rf"^Unknown directive {_QUOTED}\.",
        rf"^Cannot spread fragment {_QUOTED} within itself",
        rf"^Fragment {_QUOTED} is never used\.",
        rf"^Fragment ({_QUOTED} )?cannot be spread here",
        rf"^Fragment ({_QUOTED} )?cannot condition on non composite type",
        r"^There can be only one ",
        r"^This anonymous operation must be the only defined operation\.$",
        r"^Must provide operation name if query contains multiple operations\.$",
        rf"^Argument {_QUOTED} of type {_QUOTED} is required, but it was not provided\.$",
        rf"^Field {_QUOTED} argument {_QUOTED} of type {_QUOTED} is required",
        rf"^Field {_QUOTED} of required type {_QUOTED} was not provided\.$",
        rf"^Field {_QUOTED} is not defined by type {_QUOTED}\.",
        rf"^Field {_QUOTED} must not have a selection since type {_QUOTED} has no subfields\.$",
        rf"^Field {_QUOTED} of type {_QUOTED} must have a selection of subfields\.",
        rf"^Fields {_QUOTED} conflict because ",
        rf"^Variable '\${_NAME}' ",
        r"^Expected (a )?value of (non-null )?type ",
        r"^(Int|Float|String|Boolean|ID) cannot represent ",
        r"^Value cannot represent a (Date|DateTime): ",  # Strawberry's Date scalars
        rf"^Enum {_QUOTED} cannot represent ",
        rf"^Value {_QUOTED} does not exist in {_QUOTED} enum\.",
        rf"^The directive {_QUOTED} can only be used once at this location\.$",
        rf"^Directive {_QUOTED} may not be used on ",
        r"^Anonymous Subscription must select only one top level field\.$",
        r"^The subscription operation is not supported by the schema\.$",
        r"^(Too many validation errors, error limit reached\. )?Validation aborted\.$",
        r"^Too many errors processing variables, error limit reached\. Execution aborted\.$",
    )
]


def is_deliberate(error: dict[str, Any]) -> bool:
    message = error.get("message")
    if not isinstance(message, str) or not message:
        return False
    code = (error.get("extensions") or {}).get("code")
    if code in OUR_CODES and JAPANESE.search(message):
        return True  # ours are plain Japanese
    return code in GRAPHQL_CODES and any(p.match(message) for p in GRAPHQL_MESSAGES)


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [marker for marker in LEAK_MARKERS if marker in lowered]


@dataclass
class Outcome:
    response: httpx.Response
    body: Any  # parsed JSON, or None when the body is not JSON


@dataclass
class Api:
    connection: AsyncConnection
    anonymous: httpx.AsyncClient
    admin: httpx.AsyncClient

    def client(self, as_admin: bool) -> httpx.AsyncClient:
        return self.admin if as_admin else self.anonymous

    async def request(
        self,
        client: httpx.AsyncClient,
        request: RawRequest,
        headers: dict[str, str] | None = None,
        *,
        check: bool = True,
    ) -> Outcome:
        """Send ``request`` and check what every response must satisfy (unless ``check``
        is False: the caller checks it)."""
        all_headers = dict(headers or {})
        if request.content_type is not None:
            all_headers["Content-Type"] = request.content_type
        response = await client.request(
            request.method,
            "/graphql",
            content=request.content or None,
            params=request.params,
            headers=all_headers,
        )
        outcome = Outcome(response, _json_or_none(response))
        if check:
            check_response(outcome)
        return outcome

    async def send(
        self,
        client: httpx.AsyncClient,
        request: RawRequest,
        headers: dict[str, str] | None = None,
    ) -> Outcome:
        """Send a request that must not write; check that it did not."""
        before = await database_state(self.connection)
        outcome = await self.request(client, request, headers, check=False)
        check_unchanged(before, await database_state(self.connection), body=outcome.body)
        check_response(outcome)
        return outcome


def json_body(body: Any) -> bytes:
    # ensure_ascii: lone surrogates travel as \uD800 escapes, as a JSON client sends them.
    return json.dumps(body, ensure_ascii=True).encode()


def _json_or_none(response: httpx.Response) -> Any:
    if "json" not in response.headers.get("content-type", "") or not response.content:
        return None
    return response.json()


def check_response(outcome: Outcome) -> None:
    response, body = outcome.response, outcome.body
    context = f"{response.status_code} {response.text[:2000]}"
    assert response.status_code < 500, context
    assert not leaks(response.text), (leaks(response.text), context)
    assert UNEXPECTED_ERROR_MESSAGE not in response.text, context
    if body is None:
        # Every refusal is JSON with a code (server/graphql_http.py); HEAD has no body.
        assert response.status_code < 400 or response.request.method == "HEAD", context
        return
    assert isinstance(body, dict), context
    errors = body.get("errors") or []
    assert isinstance(errors, list), context
    for error in errors:
        assert is_deliberate(error), (error, context)
        assert (error.get("extensions") or {}).get("code") != "INTERNAL_SERVER_ERROR", context
    for payload_error in _payload_errors(body.get("data")):  # as far as selected
        if "code" in payload_error:
            assert payload_error["code"] in OUR_CODES, (payload_error, context)
        if "message" in payload_error:
            assert JAPANESE.search(payload_error["message"]), (payload_error, context)


def _payload_errors(data: Any) -> list[dict[str, Any]]:
    """UserErrors in mutation payloads (each payload's ``errors`` list)."""
    if not isinstance(data, dict):
        return []
    found: list[dict[str, Any]] = []
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("errors"), list):
            found.extend(e for e in value["errors"] if isinstance(e, dict))
    return found


def check_unchanged(
    before: dict[str, int], after: dict[str, int], *, may_log_reads: bool = False, body: Any = None
) -> None:
    changed = changes(before, after)
    if may_log_reads:
        changed.pop("audit_event.reads", None)
    assert changed == {}, f"data changed: {changed} ({str(body)[:1000]})"


def mutation_succeeded(operation: Operation, body: Any) -> bool:
    """True when the (single) mutation returned a payload without UserErrors."""
    if not isinstance(body, dict) or body.get("errors"):
        return False
    data = body.get("data")
    if not isinstance(data, dict):
        return False
    payload = data.get(operation.root_fields[0])
    return isinstance(payload, dict) and payload.get("errors") == []


async def _admin_token(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    from kyodo.domain.auth import service as tokens
    from kyodo.domain.enums import Role

    async with sessionmaker() as session:
        _token, plaintext = await tokens.create_token(
            session, name="fuzz-admin", role=Role.ADMIN, department_code=None, expires_at=None
        )
        await session.commit()
    return plaintext


async def _run(api: Api, operation: Operation, *, as_admin: bool) -> Outcome:
    """Post ``operation``; check the response, and that it wrote nothing unless it was
    an ADMIN mutation that succeeded (an ADMIN read may log personal-data reads)."""
    request = RawRequest("POST", json_body(operation.body()), "application/json")
    before = await database_state(api.connection)
    outcome = await api.request(api.client(as_admin), request, check=False)
    after = await database_state(api.connection)
    body = outcome.body
    # Writes first: a refused mutation that left a row behind is the worse bug, and
    # it must be reported as such even when its answer was an error too.
    if not as_admin:
        check_unchanged(before, after, body=body)
    elif operation.is_mutation:
        if not mutation_succeeded(operation, body):
            check_unchanged(before, after, body=body)
    else:
        returned_data = isinstance(body, dict) and body.get("data") is not None
        check_unchanged(before, after, may_log_reads=returned_data, body=body)
    check_response(outcome)
    return outcome


# An error nulled the whole answer, yet the emergency contacts resolved before it were
# logged as read by the caller (APPI access log): a write for a request that got nothing.
FOUND_QUERIES = [
    Operation(
        "{ disasterSupport(categories: [EVACUATION_SHELTER]) { emergencyContacts { name } } "
        "subsidyPrograms { applications(first: 101) { totalCount } } }",
        {},
        ("disasterSupport", "subsidyPrograms"),
        is_mutation=False,
    ),
]
