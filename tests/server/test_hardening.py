"""API hardening: every limit at its boundary, refused before any resolver runs.

A refused operation must cost no database work, so the tests that refuse one count the
SQL statements sent while it is handled (anonymous requests send none of their own).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from graphql import get_introspection_query
from graphql.language import Lexer, Source, TokenKind
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.agreements.commands import MAX_PARTIES
from schema import schema as default_schema
from schema.extensions import (
    MAX_ALIASES,
    MAX_COST,
    MAX_COST_PUBLIC,
    MAX_DEPTH,
    MAX_TOKENS,
    estimate_cost,
)
from schema.list_sizes import NESTED_LIST_MAX
from server.app import create_app
from server.db import make_engine
from server.settings import ConfigurationError, Settings

ORIGIN = "https://kyodo.example.jp"
PG_URL = "postgresql+asyncpg://kyodo@db.example.jp:5432/kyodo"


def production(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "KYODO_ENV": "production",
        "DATABASE_URL": PG_URL,
        "KYODO_CORS_ORIGINS": ORIGIN,
    }
    values.update(overrides)
    return Settings(**values)


async def _client(
    app: Any, headers: dict[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as client:
        yield client


async def admin_headers(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    """The limits apply to every caller; an ADMIN token keeps permissions out of the way."""
    from domain.auth import service as tokens
    from domain.enums import Role

    async with sessionmaker() as session:
        _token, plaintext = await tokens.create_token(
            session, name="hardening-test", role=Role.ADMIN, department_code=None, expires_at=None
        )
        await session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
async def client(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(KYODO_CORS_ORIGINS=ORIGIN)
    headers = await admin_headers(sessionmaker)
    async for client in _client(create_app(settings, sessionmaker=sessionmaker), headers):
        yield client


@pytest.fixture
async def production_client(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(create_app(production(), sessionmaker=sessionmaker)):
        yield client


async def post(client: httpx.AsyncClient, query: str, variables: Any = None) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def refused(
    client: httpx.AsyncClient, count_queries: Any, query: str, variables: Any = None
) -> dict[str, Any]:
    """Post ``query``; assert it failed and sent no SQL; return the (first) error."""
    with count_queries() as counter:
        body = await post(client, query, variables)
    # Authentication (the token lookup) comes before GraphQL; nothing after it may run.
    assert [s for s in counter.statements if "api_token" not in s] == []
    assert body.get("data") is None
    assert body["errors"]
    return dict(body["errors"][0])


def codes(body: dict[str, Any]) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


# ---------------------------------------------------------------- depth


def deep(depth: int) -> str:
    """A query whose deepest field is ``depth`` levels below the top-level field."""
    # agreements(0) > edges(1) > node(2) > amends(3) > ... > id(depth)
    amends = depth - 3
    return (
        "{ agreements(first: 1) { edges { node { "
        + "amends { " * amends
        + "id"
        + " }" * amends
        + " } } } }"
    )


async def test_depth_10_is_allowed(client: httpx.AsyncClient) -> None:
    body = await post(client, deep(MAX_DEPTH))
    assert "errors" not in body
    assert MAX_DEPTH == 10


async def test_depth_11_is_refused_before_any_resolver(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    error = await refused(client, count_queries, deep(MAX_DEPTH + 1))
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert "10" in error["message"]


async def test_depth_through_fragments_is_counted(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    # given: 11 levels, hidden in two fragments
    query = """
    { agreements(first: 1) { edges { node { ...A } } } }
    fragment A on Agreement { amends { amends { amends { ...B } } } }
    fragment B on Agreement { amends { amends { amends { amends { amends { id } } } } } }
    """
    error = await refused(client, count_queries, query)
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"


# ---------------------------------------------------------------- aliases


def aliases(count: int) -> str:
    return (
        "{ " + " ".join(f"a{i}: partners(first: 1) {{ totalCount }}" for i in range(count)) + " }"
    )


async def test_15_aliases_are_allowed(client: httpx.AsyncClient) -> None:
    body = await post(client, aliases(MAX_ALIASES))
    assert "errors" not in body
    assert len(body["data"]) == 15


async def test_16_aliases_are_refused_before_any_resolver(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    error = await refused(client, count_queries, aliases(MAX_ALIASES + 1))
    assert error["extensions"]["code"] == "TOO_MANY_ALIASES"


async def test_aliases_inside_fragments_are_counted(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    # given: 8 aliases in a fragment spread twice, 16 in all
    fields = " ".join(f"a{i}: totalCount" for i in range(8))
    query = f"""
    {{ one: partners(first: 1) {{ ...Counts }} two: partners(first: 1) {{ ...Counts }} }}
    fragment Counts on PartnerConnection {{ {fields} }}
    """
    error = await refused(client, count_queries, query)
    assert error["extensions"]["code"] == "TOO_MANY_ALIASES"


async def test_circular_fragments_are_refused(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    query = """
    { ...A }
    fragment A on Query { partners(first: 1) { totalCount } ...B }
    fragment B on Query { ...A }
    """
    error = await refused(client, count_queries, query)
    assert "Cannot spread fragment 'A' within itself" in error["message"]


async def test_an_unknown_fragment_is_refused_cleanly(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    error = await refused(client, count_queries, "{ ...Nowhere }")
    assert error["message"] == "Unknown fragment 'Nowhere'."


# ---------------------------------------------------------------- tokens


def token_count(query: str) -> int:
    lexer, count = Lexer(Source(query)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def with_tokens(count: int) -> str:
    # { partners ( first : 1 filter : { fieldCodes : [ "x"... ] } ) { totalCount } }
    #  = 19 tokens + one per list item
    items = " ".join('"x"' for _ in range(count - 19))
    query = f"{{ partners(first: 1, filter: {{fieldCodes: [{items}]}}) {{ totalCount }} }}"
    assert token_count(query) == count
    return query


async def test_2000_tokens_are_allowed(client: httpx.AsyncClient) -> None:
    body = await post(client, with_tokens(MAX_TOKENS))
    assert "errors" not in body
    assert MAX_TOKENS == 2000


async def test_2001_tokens_are_refused_before_any_resolver(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    error = await refused(client, count_queries, with_tokens(MAX_TOKENS + 1))
    assert error["extensions"]["code"] == "TOO_MANY_TOKENS"


# ---------------------------------------------------------------- cost

NESTED_PAGES = """
query ($outer: Int, $inner: Int) {
  partners(first: $outer) { edges { node { name collaborators(first: $inner) { sharedCollaborationCount } } } }
}
"""
# partners 30 + connection 10 + edges 1 + outer × (edge 10 + node 1 + partner 10 + name 3
# + collaborators 30 + inner × (collaborator 10 + sharedCollaborationCount 1))
NESTED_PAGES_COST = 41 + 100 * (54 + 11 * 905)
PUBLIC_PAGE = """
query ($n: Int) { agreements(first: $n) { edges { node { title parties { name } } } } }
"""


def public_page_cost(n: int) -> int:
    # agreements 30 + connection 10 + edges 1 + n × (edge 10 + node 1 + agreement 10
    # + title 1 + parties 30 + 100 × (partner 10 + name 3))
    return 41 + n * (22 + 30 + MAX_PARTIES * 13)


@pytest.fixture
async def anonymous_client(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(KYODO_CORS_ORIGINS=ORIGIN)
    async for client in _client(create_app(settings, sessionmaker=sessionmaker)):
        yield client


async def test_an_anonymous_query_within_its_budget_is_allowed(
    anonymous_client: httpx.AsyncClient,
) -> None:
    # given: 36 agreements with up to 100 parties each: 48,713
    assert public_page_cost(36) == 48_713 <= MAX_COST_PUBLIC
    # when
    body = await post(anonymous_client, PUBLIC_PAGE, {"n": 36})
    # then
    assert "errors" not in body, body["errors"]


async def test_an_anonymous_query_over_its_budget_is_refused_before_any_resolver(
    anonymous_client: httpx.AsyncClient, count_queries: Any
) -> None:
    # given: 37 agreements: 50,065
    assert public_page_cost(37) == 50_065 > MAX_COST_PUBLIC
    # when
    error = await refused(anonymous_client, count_queries, PUBLIC_PAGE, {"n": 37})
    # then
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "cost": 50_065,
        "maxCost": MAX_COST_PUBLIC,
    }
    assert "first を小さく" in error["message"]


async def test_a_caller_with_a_token_has_the_larger_budget(client: httpx.AsyncClient) -> None:
    # when: what anonymous callers may not ask
    body = await post(client, PUBLIC_PAGE, {"n": 37})
    # then
    assert "errors" not in body, body["errors"]


async def test_a_caller_with_a_token_has_no_estimate_cap_by_default(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # given: the default settings; 100 partners × 905 collaborators estimate 1,000,941
    assert NESTED_PAGES_COST == 1_000_941 > MAX_COST
    headers = await admin_headers(sessionmaker)
    app = create_app(Settings(KYODO_CORS_ORIGINS=ORIGIN), sessionmaker=sessionmaker)
    async for client in _client(app, headers):
        # when
        body = await post(client, NESTED_PAGES, {"outer": 100, "inner": 905})
    # then: the estimate let it run (the time, statement and response-size limits still
    # bound it); the field's own check refuses first: 905
    assert codes(body) == ["INVALID"]


async def test_a_query_over_the_operators_cap_for_tokens_is_refused_before_any_resolver(
    sessionmaker: async_sessionmaker[AsyncSession], count_queries: Any
) -> None:
    # given: KYODO_MAX_COST_AUTHENTICATED=1000000; the query estimates 1,000,941
    settings = Settings(KYODO_CORS_ORIGINS=ORIGIN, KYODO_MAX_COST_AUTHENTICATED=MAX_COST)
    headers = await admin_headers(sessionmaker)
    async for client in _client(create_app(settings, sessionmaker=sessionmaker), headers):
        # when
        error = await refused(client, count_queries, NESTED_PAGES, {"outer": 100, "inner": 905})
    # then
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "cost": NESTED_PAGES_COST,
        "maxCost": MAX_COST,
    }


async def test_nested_lists_of_an_agreement_of_100_parties_are_refused(
    anonymous_client: httpx.AsyncClient, count_queries: Any
) -> None:
    # given: parties (≤ 100) → each party's agreements (≤ 100) → their parties (≤ 100)
    query = """{ node(id: "QWdyZWVtZW50OjE") { ... on Agreement {
        parties { agreements { parties { name } } } } } }"""
    # when
    error = await refused(anonymous_client, count_queries, query)
    # then
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    # node 30 + 10 + parties 30 + 100 × (10 + agreements 30 + 100 × (10 + 1,330))
    assert error["extensions"]["cost"] == 70 + 100 * (40 + 100 * (10 + 30 + MAX_PARTIES * 13))


async def test_a_fragment_bomb_is_refused_at_once(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    # given: each fragment spreads the next one twice: 2^30 copies of one field
    levels = 30
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    query = f"{{ ...F0 }} {fragments} fragment F{levels} on Query {{ viewer {{ name }} }}"
    # when / then
    error = await refused(client, count_queries, query)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def cost_of(query: str, variables: dict[str, Any] | None = None) -> int:
    from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return estimate_cost(default_schema._schema, operation, fragments, variables).work


AGREEMENT = "QWdyZWVtZW50OjE"
PARTNER = "UGFydG5lcjox"


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        # viewer (a resolver) 3 + object 10 + name 1
        ("{ viewer { name } }", 14),
        # partners (loads data) 30 + connection 10 + totalCount 1
        ("{ partners { totalCount } }", 41),
        # partners 30 + connection 10 + edges 1 + 5 × (edge 10 + node 1 + partner 10 + name 3)
        ("{ partners(first: 5) { edges { node { name } } } }", 41 + 5 * 24),
        # a connection without first: 20 per page
        ("{ partners { edges { cursor } } }", 41 + 20 * 11),
        # backwards: sized by last, as forwards by first
        ("{ partners(last: 50) { edges { cursor } } }", 41 + 50 * 11),
        ('{ partners(last: 2, before: "x") { edges { cursor } } }', 41 + 2 * 11),
        ("query ($n: Int = 9) { partners(last: $n) { edges { cursor } } }", 41 + 9 * 11),
        # contacts: at most domain.validation.MAX_LIST (100) per partner
        (
            "{ partners(first: 10) { edges { node { contacts { name } } } } }",
            41 + 10 * (10 + 1 + 10 + 30 + 100 * 11),
        ),
        # reference data: 50 assumed
        ("{ departments { name } }", 30 + 50 * 11),
        ("{ a: partners(first: 10) { totalCount } b: partners(first: 30) { totalCount } }", 82),
        ("query ($n: Int = 7) { partners(first: $n) { edges { cursor } } }", 41 + 7 * 11),
        ("{ ...P ...P } fragment P on Query { partners(first: 3) { totalCount } }", 82),
        # nodes: by the number of ids
        ('{ nodes(ids: ["a", "b", "c"]) { id } }', 30 + 3 * 11),
        # an agreement's parties: at most MAX_PARTIES
        (
            f'{{ node(id: "{AGREEMENT}") {{ ... on Agreement {{ parties {{ name }} }} }} }}',
            40 + 30 + MAX_PARTIES * 13,
        ),
        # a partner's agreements: NESTED_LIST_MAX unless first says fewer
        (
            f'{{ node(id: "{PARTNER}") {{ ... on Partner {{ agreements {{ title }} }} }} }}',
            40 + 30 + NESTED_LIST_MAX * 11,
        ),
        (
            f'{{ node(id: "{PARTNER}") {{ ... on Partner {{ agreements(first: 3) {{ title }} }} }} }}',
            40 + 30 + 3 * 11,
        ),
        # fields that load data count, even when they return nothing
        (
            f'{{ node(id: "{PARTNER}") {{ ... on Partner {{ a: agreements(first: 0) {{ id }} '
            "b: agreements(first: 0) { id } } } }",
            40 + 2 * 30,
        ),
        # a fragment on a connection is sized by the page it is spread in
        (
            "{ partners(first: 4) { ...E } } fragment E on PartnerConnection { edges { cursor } }",
            41 + 4 * 11,
        ),
        (get_introspection_query(), 0),
    ],
)
def test_cost_estimates(query: str, cost: int) -> None:
    assert cost_of(query) == cost


def test_cost_uses_variables() -> None:
    query = "query ($n: Int) { partners(first: $n) { edges { cursor } } }"
    assert cost_of(query, {"n": 50}) == 41 + 50 * 11
    assert cost_of(query, {"n": None}) == 41 + 20 * 11
    backwards = "query ($n: Int) { partners(last: $n) { edges { cursor } } }"
    assert cost_of(backwards, {"n": 80}) == 41 + 80 * 11


def test_fields_refused_to_the_caller_cost_nothing_below_them() -> None:
    # given: proposals are not for anonymous callers
    from graphql import parse

    from domain.enums import Role

    query = "{ proposals(first: 100) { edges { node { title body kind status } } } }"
    operation = parse(query).definitions[0]
    # when
    public = estimate_cost(default_schema._schema, operation, {}, role=Role.PUBLIC).work  # type: ignore[arg-type]
    staff = estimate_cost(default_schema._schema, operation, {}, role=Role.STAFF).work  # type: ignore[arg-type]
    # then
    assert public == 30
    # proposals 30 + connection 10 + edges 1 + 100 × (edge 10 + node 1 + proposal 10 + 4)
    assert staff == cost_of(query) == 41 + 100 * 25


def test_an_upsert_payload_is_sized_by_its_input() -> None:
    query = """mutation ($rows: [PartnerUpsertInput!]!) {
        partnersUpsert(input: $rows) { partners { name } } }"""
    # partnersUpsert 30 + payload 10 + partners 1 + rows × (partner 10 + name 3)
    assert cost_of(query, {"rows": [{}] * 7}) == 41 + 7 * 13


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        # a text search scans the table: 10,000 on top of the field
        ('{ agreements(filter: {search: "防災"}) { totalCount } }', None, 41 + 10_000),
        ('{ agreements(filter: {search: " "}) { totalCount } }', None, 41),
        (
            "query ($f: AgreementFilter) { agreements(filter: $f) { totalCount } }",
            {"f": {"inForceOn": "2022-03-10"}},
            41 + 25_000,
        ),
        # ... once per department it is asked for (50 assumed)
        (
            '{ departments { collaborations(filter: {search: "祭"}) { totalCount } } }',
            None,
            30 + 50 * (10 + 41 + 10_000),
        ),
    ],
)
def test_filters_that_scan_the_table_cost_more(
    query: str, variables: dict[str, Any] | None, cost: int
) -> None:
    assert cost_of(query, variables) == cost


def test_nodes_cost_counts_the_ids_in_a_variable() -> None:
    query = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert cost_of(query, {"ids": ["a"] * 7}) == 30 + 7 * 11


# ---------------------------------------------------------------- errors


async def test_field_suggestions_are_never_given(client: httpx.AsyncClient) -> None:
    # given: a typo in a field, an argument, an enum value and an input field
    queries = [
        "{ viewr { name } }",
        "{ partners(frist: 1) { totalCount } }",
        "{ agreements(filter: { categories: [DISASTER_SUPORT] }) { totalCount } }",
        "{ agreements(filter: { categoriez: [DISASTER_SUPPORT] }) { totalCount } }",
        "{ partners { totalCont } }",
    ]
    for query in queries:
        # when
        body = await post(client, query)
        # then
        assert body["errors"], query
        assert not any("Did you mean" in e["message"] for e in body["errors"]), body["errors"]


async def test_a_deliberate_error_keeps_its_message_and_code(client: httpx.AsyncClient) -> None:
    body = await post(client, "{ partners(first: 101) { totalCount } }")
    assert codes(body) == ["INVALID"]
    assert "100" in body["errors"][0]["message"]


async def test_an_unexpected_error_is_masked_and_logged_with_the_request_id(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a read that fails in a way nobody planned, on the compiled read path (which
    # then leaves the query to Strawberry) and in the resolver
    async def broken(_session: AsyncSession) -> None:
        raise RuntimeError("password=hunter2 in a stack trace")

    async def broken_compiled_read(_query: object) -> None:
        raise RuntimeError("password=hunter2 in a stack trace")

    monkeypatch.setattr("schema.reference.queries.list_departments", broken)
    monkeypatch.setattr("domain.read.fetch.ReadQuery.run", broken_compiled_read)
    # when
    with caplog.at_level(logging.ERROR, logger="kyodo.errors"):
        response = await client.post("/graphql", json={"query": "{ departments { code } }"})
    # then: the caller sees a generic message and the request id, nothing more
    assert "hunter2" not in response.text
    error = response.json()["errors"][0]
    request_id = response.headers["x-request-id"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    # and the log has the whole exception under the same id
    records = [r for r in caplog.records if request_id in r.getMessage()]
    assert records and records[0].exc_info is not None
    assert "hunter2" in str(records[0].exc_info[1])


async def test_every_response_has_a_request_id(client: httpx.AsyncClient) -> None:
    mine = await client.post(
        "/graphql", json={"query": "{ viewer { name } }"}, headers={"X-Request-ID": "lb-1234"}
    )
    unsafe = await client.post(
        "/graphql", json={"query": "{ viewer { name } }"}, headers={"X-Request-ID": "a\tb c"}
    )
    assert mine.headers["x-request-id"] == "lb-1234"
    assert len(unsafe.headers["x-request-id"]) == 32


# ---------------------------------------------------------------- HTTP


async def test_a_body_over_1_mib_gets_413(client: httpx.AsyncClient, count_queries: Any) -> None:
    # given: a valid request padded to one byte over 1 MiB
    body = json.dumps({"query": "{ departments { code } }"}).encode()
    too_big = body + b" " * (1024 * 1024 - len(body) + 1)
    # when
    with count_queries() as counter:
        response = await client.post(
            "/graphql", content=too_big, headers={"Content-Type": "application/json"}
        )
    # then
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert counter.statements == []


async def test_a_body_of_exactly_1_mib_is_accepted(client: httpx.AsyncClient) -> None:
    body = json.dumps({"query": "{ viewer { name } }"}).encode()
    exactly = body + b" " * (1024 * 1024 - len(body))
    response = await client.post(
        "/graphql", content=exactly, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"viewer": {"name": "hardening-test"}}


async def test_a_streamed_body_over_1_mib_gets_413(client: httpx.AsyncClient) -> None:
    # given: a chunked upload that announces no length
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ viewer { name } }"'
        for _ in range(17):
            yield b" " * 65536
        yield b"}"

    # when
    response = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    # then
    assert response.status_code == 413


async def test_batched_operations_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json=[{"query": "{ viewer { name } }"}, {"query": "{ viewer { role } }"}]
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", '{"query": "{ departments { code } }"}'),
        ("application/x-www-form-urlencoded", "query=%7B+departments+%7B+code+%7D+%7D"),
        (
            "multipart/form-data; boundary=x",
            '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--x--\r\n',
        ),
        ("application/graphql", "{ departments { code } }"),
        ("", '{"query": "{ departments { code } }"}'),
    ],
)
async def test_posts_that_are_not_json_get_415(
    client: httpx.AsyncClient, count_queries: Any, content_type: str, content: str
) -> None:
    with count_queries() as counter:
        response = await client.post(
            "/graphql", content=content.encode(), headers={"Content-Type": content_type}
        )
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert counter.statements == []


async def test_json_with_a_charset_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=b'{"query": "{ viewer { role } }"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


async def test_mutations_over_get_are_refused(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    # given
    mutation = 'mutation { partnerDelete(id: "UGFydG5lcjox", expectedVersion: 1) { deleted } }'
    # when
    with count_queries() as counter:
        response = await client.get("/graphql", params={"query": mutation})
    # then: 405, as GraphQL over HTTP asks for a mutation over GET; nothing ran
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert [s for s in counter.statements if "api_token" not in s] == []


async def test_queries_over_get_are_refused_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ viewer { name } }"})
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


# ---------------------------------------------------------------- CORS


async def test_an_allowed_origin_may_call_from_a_browser(client: httpx.AsyncClient) -> None:
    # when: the preflight, then the call
    preflight = await client.options(
        "/graphql",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    response = await client.post(
        "/graphql", json={"query": "{ viewer { name } }"}, headers={"Origin": ORIGIN}
    )
    # then
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert response.headers["access-control-allow-origin"] == ORIGIN


async def test_another_origin_may_not(client: httpx.AsyncClient) -> None:
    evil = "https://evil.example.com"
    preflight = await client.options(
        "/graphql",
        headers={
            "Origin": evil,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    response = await client.post(
        "/graphql", json={"query": "{ viewer { name } }"}, headers={"Origin": evil}
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in response.headers


# ---------------------------------------------------------------- production


async def test_introspection_works_outside_production(client: httpx.AsyncClient) -> None:
    # GraphiQL's own introspection query passes every limit
    body = await post(client, get_introspection_query(descriptions=True))
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_is_off_in_production(
    production_client: httpx.AsyncClient, count_queries: Any
) -> None:
    error = await refused(production_client, count_queries, "{ __schema { types { name } } }")
    assert "introspection" in error["message"].lower()
    error = await refused(production_client, count_queries, '{ __type(name: "Partner") { name } }')
    assert "introspection" in error["message"].lower()
    # __typename is not introspection of the schema
    body = await post(production_client, "{ __typename viewer { role } }")
    assert body["data"] == {"__typename": "Query", "viewer": {"role": "PUBLIC"}}


async def test_graphiql_is_off_in_production(production_client: httpx.AsyncClient) -> None:
    response = await production_client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "KYODO_ENV", "KYODO_CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("clean_environment")
def test_production_refuses_to_start_without_database_url_and_cors() -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_app(Settings(KYODO_ENV="production"), sessionmaker=object())  # type: ignore[arg-type]
    assert "DATABASE_URL" in str(caught.value)
    assert "KYODO_CORS_ORIGINS" in str(caught.value)


@pytest.mark.usefixtures("clean_environment")
def test_production_refuses_the_sqlite_default_and_a_wildcard_origin() -> None:
    settings = production(DATABASE_URL="sqlite+aiosqlite:///./kyodo.db", KYODO_CORS_ORIGINS="*")
    problems = settings.production_problems()
    assert len(problems) == 2
    assert production().production_problems() == []
    assert Settings().production_problems() == []


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("KYODO_CORS_ORIGINS", "https://a.example.jp, https://b.example.jp/")
    monkeypatch.setenv("KYODO_STATEMENT_TIMEOUT_MS", "2500")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://kyodo:s3cret@db:5432/kyodo")
    # when
    settings = Settings()
    # then
    assert settings.cors_origins == ["https://a.example.jp", "https://b.example.jp"]
    assert settings.statement_timeout_ms == 2500
    assert settings.max_body_bytes == 1024 * 1024
    assert "s3cret" not in repr(settings)


# ---------------------------------------------------------------- PostgreSQL


async def test_statement_timeout_applies_to_every_transaction(
    backend: str, database_url: str
) -> None:
    if backend != "postgresql":
        pytest.skip("statement_timeout is a PostgreSQL setting")
    # given
    engine = make_engine(database_url, statement_timeout_ms=200)
    try:
        async with engine.connect() as conn:
            # then: set in each transaction, and enforced
            assert (await conn.execute(sa.text("SHOW statement_timeout"))).scalar() == "200ms"
            await conn.rollback()
            assert (await conn.execute(sa.text("SHOW statement_timeout"))).scalar() == "200ms"
            with pytest.raises(sa.exc.DBAPIError, match="statement timeout"):
                await conn.execute(sa.text("SELECT pg_sleep(2)"))
    finally:
        await engine.dispose()
