"""Search terms: one length limit for every list, the same answer on both databases."""

from __future__ import annotations

import pytest

from kyodo.domain.search import MAX_SEARCH_LENGTH
from kyodo.schema.context import ANONYMOUS
from tests.conftest import GraphQLClient

LISTS = {
    "partners": "query ($q: String) { partners(filter: {search: $q}) { totalCount } }",
    "agreements": "query ($q: String) { agreements(filter: {search: $q}) { totalCount } }",
    "collaborations": (
        "query ($q: String) { collaborations(filter: {search: $q}) { totalCount } }"
    ),
}


@pytest.mark.parametrize("length", [MAX_SEARCH_LENGTH + 1, 100_000])
@pytest.mark.parametrize("field", list(LISTS))
async def test_a_search_term_over_the_limit_is_invalid(
    gql: GraphQLClient, field: str, length: int
) -> None:
    # when searching with a term longer than the limit (100,000 characters broke SQLite)
    result = await gql.raw(LISTS[field], {"q": "あ" * length})
    # then it is refused with INVALID, naming the field and the limit
    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"] == {"code": "INVALID", "field": ["filter", "search"]}
    assert error["message"] == (
        f"検索語は {MAX_SEARCH_LENGTH} 文字以内で指定してください（指定: {length:,} 文字）。"
    )


@pytest.mark.parametrize("field", list(LISTS))
async def test_a_search_term_at_the_limit_is_searched(gql: GraphQLClient, field: str) -> None:
    # when searching with the longest term allowed, full of LIKE wildcards to escape
    result = await gql.raw(LISTS[field], {"q": "%_" * (MAX_SEARCH_LENGTH // 2)})
    # then it runs and finds nothing
    assert result["errors"] == []
    assert result["data"][field]["totalCount"] == 0


async def test_the_public_gets_the_same_refusal(gql: GraphQLClient) -> None:
    # when an anonymous caller sends an overlong search
    result = await gql.raw(LISTS["agreements"], {"q": "x" * 100_000}, principal=ANONYMOUS)
    # then it is the same INVALID error
    assert [e["extensions"]["code"] for e in result["errors"]] == ["INVALID"]
