"""Limits on one request at the HTTP edge: response size, and the database waits' settings.

The elapsed-time limit and the pool wait are exercised against real locks in
test_lock_waits_pg.py; the database going away in test_database_outage_pg.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kyodo.server.app import create_app
from kyodo.server.db import make_engine
from kyodo.server.settings import ConfigurationError, Settings


@pytest.fixture
def small_responses(sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    async def client(max_bytes: int) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(Settings(KYODO_MAX_RESPONSE_BYTES=max_bytes), sessionmaker=sessionmaker)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http

    return client


async def test_a_response_over_the_limit_is_replaced_by_response_too_large(
    small_responses: Any,
) -> None:
    # given: the demo departments take more than 300 bytes
    async for client in small_responses(300):
        # when
        response = await client.post("/graphql", json={"query": "{ departments { code name } }"})
    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "応答が大きすぎます（上限 300 バイト）。"
                "取得する件数やフィールドを減らすか、クエリを分けてください。",
                "extensions": {"code": "RESPONSE_TOO_LARGE", "maxBytes": 300},
            }
        ],
    }


async def test_a_response_within_the_limit_is_sent(small_responses: Any) -> None:
    # given
    async for client in small_responses(300):
        # when
        response = await client.post("/graphql", json={"query": "{ viewer { role } }"})
    # then
    assert response.json() == {"data": {"viewer": {"role": "PUBLIC"}}}


def test_the_pool_wait_must_be_shorter_than_the_statement_timeout() -> None:
    # given
    settings = Settings(KYODO_STATEMENT_TIMEOUT_MS=2000, KYODO_DB_POOL_TIMEOUT_MS=2000)
    # when / then
    with pytest.raises(ConfigurationError, match="KYODO_DB_POOL_TIMEOUT_MS（2000 ms）は"):
        settings.check_ready_to_serve()
    with pytest.raises(ConfigurationError):
        create_app(settings)


def test_the_default_pool_wait_is_shorter_than_the_statement_timeout() -> None:
    settings = Settings()
    assert 0 < settings.db_pool_timeout_ms < settings.statement_timeout_ms
    settings.check_ready_to_serve()


async def test_the_pool_settings_reach_the_engine() -> None:
    # given
    settings = Settings(
        DATABASE_URL="postgresql+asyncpg://kyodo@db.example.jp/kyodo",
        KYODO_DB_POOL_SIZE=3,
        KYODO_DB_MAX_OVERFLOW=2,
        KYODO_DB_POOL_TIMEOUT_MS=750,
    )
    # when
    engine = make_engine(settings.database_url, **settings.engine_options())
    try:
        # then
        pool: Any = engine.pool
        assert (pool.size(), pool._max_overflow, pool.timeout()) == (3, 2, 0.75)
        assert settings.engine_options()["connect_args"] == {"timeout": 0.75}
    finally:
        await engine.dispose()
