"""Property-based fuzzing of /graphql over HTTP (issue 4).

Hypothesis feeds the real app (every middleware, the schema's limits, the resolvers and
the database) hostile strings, numbers past every bound, garbage global ids, deep
nesting, values of the wrong type and malformed bodies, anonymously and as ADMIN.
Whatever it sends, every response must:

1. have a status below 500;
2. carry no stack trace and no Python, SQLAlchemy or driver text;
3. carry only deliberate errors: a message of ours (with its code) or graphql-core's
   standard wording; never "Unexpected error." (that would be a bug nobody handled);
4. change no data unless it was an ADMIN mutation that succeeded: the rows of every
   table, their highest key and the versions of versioned ones are compared before and
   after (tests/database_state.py), so a refused mutation that left a row behind fails,
   even one reported as refused. An ADMIN read may add personal-data access-log events
   (APPI), nothing else.

Examples are derandomized (the same ones on every run and in CI). ``KYODO_FUZZ=deep``
draws new random examples, ten times as many, for a longer hunt.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from domain.errors import ErrorCode
from schema import schema as default_schema
from schema.extensions import UNEXPECTED_ERROR_MESSAGE
from schema.mutation import NOT_SAVED
from server.app import create_app
from server.settings import Settings
from tests.database_state import changes, database_state
from tests.server.strategies import (
    LEAK_MARKERS,
    Operation,
    RawRequest,
    authorization_headers,
    documents,
    global_ids,
    operations,
    raw_requests,
    texts,
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

# ---------------------------------------------------------------- what a response may say

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


# ---------------------------------------------------------------- the client


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


# ---------------------------------------------------------------- fixtures


async def _admin_token(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    from domain.auth import service as tokens
    from domain.enums import Role

    async with sessionmaker() as session:
        _token, plaintext = await tokens.create_token(
            session, name="fuzz-admin", role=Role.ADMIN, department_code=None, expires_at=None
        )
        await session.commit()
    return plaintext


@pytest.fixture
async def api(
    sessionmaker: async_sessionmaker[AsyncSession], connection: AsyncConnection
) -> AsyncIterator[Api]:
    app = create_app(Settings(), sessionmaker=sessionmaker)
    token = await _admin_token(sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://test") as anonymous,
        httpx.AsyncClient(
            transport=transport,
            base_url="http://test",
            headers={"Authorization": f"Bearer {token}"},
        ) as admin,
    ):
        yield Api(connection, anonymous, admin)


# ---------------------------------------------------------------- properties


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


@fuzz(200)
@found("operation", FOUND_QUERIES, as_admin=True)
@given(operation=operations(SCHEMA, mutation=False), as_admin=st.booleans())
async def test_any_query_with_hostile_arguments_is_answered_safely(
    api: Api, operation: Operation, as_admin: bool
) -> None:
    # given: a query on random fields, nested up to 14 levels, with hostile arguments
    # when
    outcome = await _run(api, operation, as_admin=as_admin)
    # then: the checks in _run; and a query answers 200 or a refusal, never a crash
    assert outcome.response.status_code in (200, 400), outcome.response.text[:500]


# An answer that fails after the write: the agreement was committed, then refused.
FOUND_MUTATIONS = [
    Operation(
        'mutation { agreementCreate(input: { title: "（デモ）答えで止まる協定", category: OTHER, '
        'partyIds: ["UGFydG5lcjox"], departmentCode: "kyodo" }) '
        '{ agreement { id isInForce(on: "0001-01-01") } errors { code } } }',
        {},
        ("agreementCreate",),
        is_mutation=True,
    ),
]


@fuzz(250)
@found("operation", FOUND_MUTATIONS, as_admin=True)
@given(operation=operations(SCHEMA, mutation=True), as_admin=st.booleans())
async def test_any_mutation_with_hostile_input_is_answered_safely(
    api: Api, operation: Operation, as_admin: bool
) -> None:
    # given: one mutation with hostile input (inline or in variables)
    # when
    outcome = await _run(api, operation, as_admin=as_admin)
    # then: anonymous callers are refused and write nothing (checked in _run)
    body = outcome.body
    if not as_admin and isinstance(body, dict) and isinstance(body.get("data"), dict):
        payload = body["data"].get(operation.root_fields[0])
        if isinstance(payload, dict):
            errors = payload["errors"]
            assert len(errors) == 1, payload
            assert errors[0].get("code", "FORBIDDEN") == "FORBIDDEN", payload  # if selected


# Dates no page could render or PostgreSQL stores as -infinity / infinity (issue 8).
OUT_OF_RANGE_DATES = ["1800-01-01", "0001-01-01", "1872-12-31", "3000-01-01", "9999-12-31"]

PARTNER_INPUT = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["INDIVIDUAL", "NPO", "COMPANY", "NEIGHBORHOOD_ASSOCIATION"]),
        "name": texts(),
    },
    optional={
        "nameKana": texts(),
        "corporateNumber": texts(14),
        "externalId": texts(20),
        "district": texts(),
        "representative": texts(),
        "phone": texts(20),
        "email": texts(30),
        "website": texts(),
        "fieldCodes": st.lists(
            st.one_of(st.sampled_from(["safety", "arts"]), texts(10)), max_size=3
        ),
        "address": st.fixed_dictionaries({}, optional={"postalCode": texts(10), "street": texts()}),
        "contacts": st.lists(
            st.fixed_dictionaries(
                {"name": texts()}, optional={"phone": texts(20), "email": texts(30)}
            ),
            max_size=2,
        ),
    },
)

PARTNER_CREATE = (
    "mutation ($input: PartnerInput!) { partnerCreate(input: $input) "
    "{ partner { id name nameKana contacts { name phone email } } errors { field code message } } }"
)
PARTNERS_UPSERT = (
    "mutation ($rows: [PartnerUpsertInput!]!, $dry: Boolean) { partnersUpsert(input: $rows, dryRun: $dry) "
    "{ created updated unchanged partners { id name } errors { field code message } } }"
)
COLLABORATION_CREATE = (
    "mutation ($input: CollaborationInput!) { collaborationCreate(input: $input) "
    "{ collaboration { id title readiness { ready missing } } errors { field code message } } }"
)
COLLABORATION_INPUT = st.fixed_dictionaries(
    {
        "title": texts(),
        "forms": st.lists(
            st.sampled_from(["CO_HOSTING", "COMMITTEE", "ENDORSEMENT", "CONSIGNMENT"]),
            min_size=0,
            max_size=3,
        ),
        "departmentCode": st.one_of(st.sampled_from(["kyodo", "kikikanri"]), texts(10)),
    },
    optional={
        "summary": texts(),
        "fiscalYear": st.integers(),
        "startsOn": st.one_of(st.sampled_from(OUT_OF_RANGE_DATES), st.dates().map(str), texts(10)),
        "endsOn": st.one_of(st.sampled_from(OUT_OF_RANGE_DATES), st.dates().map(str), texts(10)),
        "purpose": texts(),
        "budget": st.fixed_dictionaries(
            {},
            optional={"totalYen": st.integers(), "cityShareYen": st.integers(-(2**31), 2**31 - 1)},
        ),
        "participations": st.lists(
            st.fixed_dictionaries(
                {"partnerId": global_ids()},
                optional={"role": texts(), "costShareYen": st.integers(-(2**31), 2**31 - 1)},
            ),
            max_size=2,
        ),
        "committee": st.fixed_dictionaries(
            {"name": texts(), "kind": st.sampled_from(["EXECUTIVE_COMMITTEE", "COUNCIL", "X"])},
            optional={"dissolvesOn": st.dates().map(str)},
        ),
        "fieldCodes": st.lists(texts(10), max_size=2),
        "reviewDueOn": st.dates().map(str),
        "isPublic": st.booleans(),
    },
)


# What validation accepted and the column could not hold (issue 8): an eleven-character
# postal code, a reading folded (NFKC) to 1,200 characters; and a collaboration starting
# before 明治, committed and then answered "Unexpected error.".
FOUND_PARTNER = {
    "kind": "NPO",
    "name": "㌀" * 300,
    "nameKana": "㌀" * 300,
    "externalId": "fuzz-found",
    "address": {"postalCode": "053-8722-99"},
}
FOUND_COLLABORATION = {"title": "t", "forms": ["CO_HOSTING"], "departmentCode": "kyodo"}


@fuzz(100)
@example(
    which="partnerCreate",
    partners=[FOUND_PARTNER],
    collaboration=FOUND_COLLABORATION,
    dry_run=False,
    as_admin=True,
)
@example(
    which="partnersUpsert",
    partners=[FOUND_PARTNER],
    collaboration=FOUND_COLLABORATION,
    dry_run=False,
    as_admin=True,
)
@example(
    which="collaborationCreate",
    partners=[FOUND_PARTNER],
    collaboration={**FOUND_COLLABORATION, "startsOn": "1800-01-01"},
    dry_run=False,
    as_admin=True,
)
@given(
    which=st.sampled_from(["partnerCreate", "partnersUpsert", "collaborationCreate"]),
    partners=st.lists(PARTNER_INPUT, min_size=1, max_size=3),
    collaboration=COLLABORATION_INPUT,
    dry_run=st.booleans(),
    as_admin=st.booleans(),
)
async def test_partner_and_collaboration_writes_survive_hostile_text(
    api: Api,
    which: str,
    partners: list[dict[str, Any]],
    collaboration: dict[str, Any],
    dry_run: bool,
    as_admin: bool,
) -> None:
    # given: inputs of the right shape (so they reach the domain) filled with hostile text
    if which == "partnerCreate":
        operation = Operation(PARTNER_CREATE, {"input": partners[0]}, (which,), True)
    elif which == "partnersUpsert":
        operation = Operation(PARTNERS_UPSERT, {"rows": partners, "dry": dry_run}, (which,), True)
    else:
        operation = Operation(COLLABORATION_CREATE, {"input": collaboration}, (which,), True)
    # when
    outcome = await _run(api, operation, as_admin=as_admin)
    # then: the payload, unless the request was refused as a whole: a lone surrogate
    # (400), NUL or a string that is no date (top-level errors; nothing written)
    body = outcome.body
    if outcome.response.status_code == 400:
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST", body
        assert error["message"].startswith("リクエストに使えない文字"), body
        return
    assert outcome.response.status_code == 200
    if body.get("errors"):
        assert body.get("data") is None, body
        return
    payload = body["data"][which]
    if not as_admin:
        assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    if which == "partnersUpsert" and dry_run and as_admin:
        assert payload["partners"] == []


ID_QUERIES = [
    "query ($id: ID!) { node(id: $id) { __typename id } }",
    "query ($id: ID!) { nodes(ids: [$id, $id]) { __typename id } }",
    "query ($id: ID!) { auditEvents(first: 1, entityId: $id) { totalCount } }",
    "query ($id: ID!) { collaborations(first: 1, filter: { partnerId: $id }) { totalCount } }",
    "query ($id: ID!) { agreements(first: 1, filter: { partnerId: $id }) { totalCount } }",
    "query ($id: ID!) { subsidyApplications(first: 1, programId: $id) { totalCount } }",
    "query ($id: String) { partners(first: 1, after: $id) { totalCount edges { cursor } } }",
    "query ($id: String) { proposals(first: 1, after: $id) { totalCount } }",
]
ID_MUTATIONS = [
    "mutation ($id: ID!) { partnerDelete(id: $id, expectedVersion: 1) { deleted errors { field code message } } }",
    "mutation ($id: ID!) { collaborationTransition(id: $id, expectedVersion: 2147483647, to: CANCELLED) { errors { field code message } } }",
    'mutation ($id: ID!) { agreementTerminate(id: $id, expectedVersion: -1, terminatedOn: "2022-03-10", reason: "x") { errors { field code message } } }',
    "mutation ($id: ID!) { proposalRespond(id: $id, expectedVersion: 0, input: { decision: NOT_ADOPTED }) { errors { field code message } } }",
    "mutation ($id: ID!) { subsidyApplicationWithdraw(id: $id, expectedVersion: -2147483648) { errors { field code message } } }",
    'mutation ($id: ID!) { proposalSubmit(input: { title: "t", body: "b", kind: PLAN, channel: EMAIL, departmentCode: "kyodo", proposerId: $id }) { errors { field code message } } }',
]


# Keys past the INTEGER columns reached SQL: the driver failed (an "Unexpected error.").
FOUND_IDS = [
    "UGFydG5lcjoxMTExMTExMTExMTEx",  # Partner:1111111111111 (past int32, PostgreSQL)
    "UGFydG5lcjo5MjIzMzcyMDM2ODU0Nzc1ODA4",  # Partner:9223372036854775808 (past int64)
]


@fuzz(120)
@found("global_id", FOUND_IDS, query=ID_QUERIES[0], as_admin=True)
@found("global_id", FOUND_IDS, query=ID_MUTATIONS[0], as_admin=True)
@given(
    query=st.sampled_from(ID_QUERIES + ID_MUTATIONS),
    global_id=global_ids(),
    as_admin=st.booleans(),
)
async def test_broken_global_ids_are_refused_cleanly(
    api: Api, query: str, global_id: str, as_admin: bool
) -> None:
    # given: a garbage, foreign or out-of-range global id where an id belongs
    is_mutation = query.startswith("mutation")
    root = re.search(r"\{ (\w+)\(", query)
    assert root is not None
    operation = Operation(query, {"id": global_id}, (root.group(1),), is_mutation)
    # when / then (the checks in _run)
    await _run(api, operation, as_admin=as_admin)


FRAGMENT_CHAIN = (
    "{ viewer { ...F0 } } "
    + " ".join(f"fragment F{i} on Viewer {{ ...F{i + 1} }}" for i in range(240))
    + " fragment F240 on Viewer { name }"
)

# What the fuzzer found; each answered "Unexpected error.", leaked Python's own words, or
# broke the request.
FOUND_DOCUMENTS = [
    # a renewing agreement's term rolled past 9999-12-31 (ValueError)
    '{ disasterSupport(on: "9999-12-31") { contactsStale } }',
    # 0001-01-01 minus 365 days, 9999-12-31 plus one day (OverflowError)
    '{ agreements(filter: { contactsStaleAsOf: "0001-01-01" }) { totalCount } }',
    '{ agreements(filter: { termEndsBy: "9999-12-31" }) { totalCount } }',
    # QueryDepthLimiter: "max() arg is an empty sequence", "maximum recursion depth exceeded"
    "{ }",
    "{ viewer { } }",
    FRAGMENT_CHAIN,
    # a field that failed got its siblings cancelled mid-statement: the session broke
    '{ node(id: "UHJvcG9zYWw6MQ") { ... on Proposal { department { name } proposer { name } } }'
    " collaborations(first: 101) { totalCount } }",
    # NUL in a string: PostgreSQL refuses it mid-statement
    '{ partners(filter: { search: "a\\u0000b" }) { totalCount } }',
]


@fuzz(150)
@found("document", FOUND_DOCUMENTS, as_admin=True)
@given(
    document=documents(),
    as_admin=st.booleans(),
)
async def test_broken_and_deep_documents_are_refused_cleanly(
    api: Api, document: str, as_admin: bool
) -> None:
    # given: a document that is broken, nested past the limits, or plain garbage
    operation = Operation(document, {}, ("-",), False)
    # when / then: refused or answered, never a crash; nothing written
    outcome = await _run(api, operation, as_admin=as_admin)
    assert outcome.response.status_code in (200, 400), outcome.response.text[:500]


def _post(body: bytes) -> RawRequest:
    return RawRequest("POST", body, "application/json")


FOUND_REQUESTS = [
    # JSON that is no object: AttributeError inside Strawberry (500)
    _post(b"null"),
    _post(b"5"),
    _post(b'"x"'),
    # bytes that are not UTF-8: UnicodeDecodeError (500)
    _post(b'{"query": "{ viewer { name \xc0\xaf } }"}'),
    # nesting past the recursion limit: RecursionError in json.loads (500)
    _post(b"[" * 100_000 + b"]" * 100_000),
    _post(
        b'{"query": "{ viewer { name } }", "variables": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    ),
    # a lone surrogate echoed in a message could not be encoded as UTF-8 (500)
    _post(b'{"query": "{ viewer { name } }", "operationName": "\\ud800"}'),
    _post(
        b'{"query": "mutation ($i: PartnerInput!) { partnerCreate(input: $i) { errors { code } } }",'
        b' "variables": {"i": {"kind": "NPO", "name": "\\ud800"}}}'
    ),
    # NUL in a variable: PostgreSQL refuses it mid-statement
    _post(
        b'{"query": "mutation ($i: PartnerInput!) { partnerCreate(input: $i) { errors { code } } }",'
        b' "variables": {"i": {"kind": "NPO", "name": "a\\u0000b"}}}'
    ),
]


@fuzz(150)
@found("request", FOUND_REQUESTS, as_admin=True)
@given(request=raw_requests(), as_admin=st.booleans())
async def test_malformed_requests_are_refused_cleanly(
    api: Api, request: RawRequest, as_admin: bool
) -> None:
    # given: bytes no GraphQL client sends, the wrong media type, the wrong method
    # when / then: a 4xx (or a plain answer), never a crash; nothing written
    await api.send(api.client(as_admin), request)


@fuzz(60)
@given(authorization=authorization_headers(), request=st.sampled_from(["query", "mutation"]))
async def test_a_broken_token_is_refused_and_changes_nothing(
    api: Api, authorization: str, request: str
) -> None:
    # given: an Authorization header that carries no valid token
    query = (
        "{ viewer { name } }"
        if request == "query"
        else 'mutation { partnerCreate(input: { kind: NPO, name: "x" }) { errors { code } } }'
    )
    raw = RawRequest("POST", json_body({"query": query}), "application/json")
    # when
    outcome = await api.send(api.anonymous, raw, headers={"Authorization": authorization})
    # then: 401 with our message; nothing written
    assert outcome.response.status_code == 401, outcome.response.text
    assert outcome.body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
