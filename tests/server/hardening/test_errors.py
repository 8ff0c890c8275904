"""API hardening: the error policy.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from .support import codes, post


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

    monkeypatch.setattr("kyodo.schema.reference.queries.list_departments", broken)
    monkeypatch.setattr("kyodo.domain.read.fetch.ReadQuery.run", broken_compiled_read)
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
