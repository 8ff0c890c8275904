"""API hardening: depth, alias, token and cost limits, refused before any resolver runs.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

import httpx
from graphql.language import Lexer, Source, TokenKind
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kyodo.domain.agreements.commands import MAX_PARTIES
from kyodo.schema.extensions import (
    MAX_ALIASES,
    MAX_COST,
    MAX_COST_PUBLIC,
    MAX_DEPTH,
    MAX_TOKENS,
)
from kyodo.server.app import create_app
from kyodo.server.settings import Settings

from .support import ORIGIN, _client, admin_headers, codes, deep, post, refused


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
