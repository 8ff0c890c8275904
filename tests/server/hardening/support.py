"""Helpers shared by the tests of this package (API hardening: every limit at its boundary, refused before any resolver runs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kyodo.server.settings import Settings

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
    from kyodo.domain.auth import service as tokens
    from kyodo.domain.enums import Role

    async with sessionmaker() as session:
        _token, plaintext = await tokens.create_token(
            session, name="hardening-test", role=Role.ADMIN, department_code=None, expires_at=None
        )
        await session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


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
