"""Helpers shared by the tests of this package (Query.collaborations and the Collaboration type: filters, pagination, related data)."""

from __future__ import annotations

from typing import Any

LIST = """
query ($first: Int, $after: String, $filter: CollaborationFilter) {
  collaborations(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title fiscalYear } }
  }
}
"""


async def _titles(gql: Any, filter: dict[str, Any], **kw: Any) -> list[str]:
    data = await gql(LIST, {"filter": filter, "first": 100}, **kw)
    return [e["node"]["title"] for e in data["collaborations"]["edges"]]
