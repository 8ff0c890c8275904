"""API hardening: the HTTP edge (body size, content types, GET, CORS).

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from .support import ORIGIN


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
