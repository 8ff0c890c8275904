"""Cursors: opaque offsets that only ever point into a page the API could serve."""

from __future__ import annotations

import base64

import pytest

from domain.pagination import MAX_OFFSET
from tests.conftest import GraphQLClient


def cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


NESTED = """
query ($after: String) {
  partners(first: 1) { edges { node { participations(first: 5, after: $after) {
    totalCount edges { cursor }
  } } } }
}
"""
TOP_LEVEL = "query ($after: String) { partners(first: 5, after: $after) { totalCount } }"


@pytest.mark.parametrize("offset", [2**63, 2**64 + 7, MAX_OFFSET + 1])
@pytest.mark.parametrize("query", [NESTED, TOP_LEVEL], ids=["nested", "top-level"])
async def test_a_cursor_past_any_possible_row_is_invalid(
    gql: GraphQLClient, query: str, offset: int
) -> None:
    # when a page is asked for after an offset no table can reach (beyond int64, too)
    result = await gql.raw(query, {"after": cursor(offset)})
    # then it is a clear INVALID error, not an unexpected one
    assert [e["extensions"].get("code") for e in result["errors"]] == ["INVALID"]
    assert "カーソル" in result["errors"][0]["message"]


async def test_a_cursor_at_the_largest_offset_is_an_empty_page(gql: GraphQLClient) -> None:
    # when a nested page starts at the largest offset a cursor may carry
    data = await gql(NESTED, {"after": cursor(MAX_OFFSET - 1)})
    # then the page is empty, with the total still counted
    page = data["partners"]["edges"][0]["node"]["participations"]
    assert page["edges"] == []
    assert page["totalCount"] >= 0
