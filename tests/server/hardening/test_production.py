"""API hardening: production settings and PostgreSQL's statement timeout.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from graphql import get_introspection_query

from kyodo.server.app import create_app
from kyodo.server.db import make_engine
from kyodo.server.settings import ConfigurationError, Settings

from .support import post, production, refused


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
