"""KYODO_COMPILED_READS: the operator's switch for the compiled read path.

On (the default), a query the planner covers is read with one statement however many
root fields and rows it has; off, every query runs through Strawberry's resolvers,
one statement per list (and per batch of related rows).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kyodo.server.app import create_app
from kyodo.server.settings import Settings

QUERY = "{ departments { code name } collaborationFields { code name } }"


async def statements_for(sessionmaker: Any, count_queries: Any) -> int:
    # The response cache off: its data-version read is not what these tests count.
    app = create_app(Settings(KYODO_RESPONSE_CACHE=False), sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        with count_queries() as counter:
            response = await client.post("/graphql", json={"query": QUERY})
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["departments"] and body["data"]["collaborationFields"]
    return int(counter.count)


async def test_compiled_reads_are_on_by_default(sessionmaker: Any, count_queries: Any) -> None:
    # when: an anonymous caller asks for two lists
    statements = await statements_for(sessionmaker, count_queries)
    # then: one statement answers both
    assert statements == 1


async def test_kyodo_compiled_reads_false_sends_queries_through_strawberry(
    sessionmaker: Any, count_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setenv("KYODO_COMPILED_READS", "false")
    # when
    statements = await statements_for(sessionmaker, count_queries)
    # then: each list's resolver reads on its own
    assert statements == 2
