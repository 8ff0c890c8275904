"""Fuzzing /graphql over HTTP: broken ids, documents, requests and tokens.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tests.server.strategies import (
    Operation,
    RawRequest,
    authorization_headers,
    documents,
    global_ids,
    raw_requests,
)

from .support import (
    Api,
    _run,
    found,
    fuzz,
    json_body,
)

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
