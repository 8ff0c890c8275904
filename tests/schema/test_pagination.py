"""Cursors: opaque keyset cursors; anything else (offset cursors of old) is INVALID."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import GraphQLClient


def offset_cursor(offset: int) -> str:
    """A cursor as kyodo wrote them before keyset cursors."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


NESTED = """
query ($after: String) {
  partners(first: 1) { edges { node { participations(first: 5, after: $after) {
    totalCount edges { cursor }
  } } } }
}
"""
TOP_LEVEL = "query ($after: String) { partners(first: 5, after: $after) { totalCount } }"


@pytest.mark.parametrize(
    "cursor",
    [offset_cursor(2), offset_cursor(2**64 + 7), "not-a-cursor", "W10", "x" * 5000],
    ids=["offset", "huge-offset", "garbage", "empty-json", "long"],
)
@pytest.mark.parametrize("query", [NESTED, TOP_LEVEL], ids=["nested", "top-level"])
async def test_a_cursor_kyodo_did_not_issue_is_invalid(
    gql: GraphQLClient, query: str, cursor: str
) -> None:
    # when a page is asked for after a cursor that is not one of ours (or an old one)
    result = await gql.raw(query, {"after": cursor})
    # then it is a clear INVALID error in Japanese, not an unexpected one
    assert [e["extensions"].get("code") for e in result["errors"]] == ["INVALID"]
    assert "カーソル" in result["errors"][0]["message"]
