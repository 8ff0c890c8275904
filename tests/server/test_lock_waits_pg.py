"""Waits are bounded: a lock held on ``partner`` does not make requests hang (PostgreSQL).

Another connection holds ``LOCK TABLE partner`` in an open transaction; the app, as
served, on a scratch database of this module, with short timeouts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from alembic import command

from kyodo.domain.auth import service as tokens
from kyodo.domain.enums import Role
from kyodo.server.app import create_app
from kyodo.server.db import make_engine, make_sessionmaker
from kyodo.server.settings import Settings
from tests.conftest import alembic_config, scratch_database

# Reads the partner table (Partner:1), as an anonymous caller may.
READS_PARTNERS = {"query": '{ node(id: "UGFydG5lcjox") { id } }'}
STATEMENT_TIMEOUT = (
    "データベースの処理が時間内に終わりませんでした。"
    "条件を絞るか、しばらくしてからもう一度お試しください。"
)
POOL_TIMEOUT = (
    "データベースが混み合っていて、時間内に接続できませんでした。"
    "しばらくしてからもう一度お試しください。"
)


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of this module's own: what its tests commit stays here."""
    with scratch_database("postgresql", tmp_path_factory.mktemp("locks")) as url:
        command.upgrade(alembic_config(url), "head")
        yield url


class PartnerLock:
    """``LOCK TABLE partner`` held by a connection of its own until ``release``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.held = True

    async def release(self) -> None:
        if self.held:
            self.held = False
            await self.conn.execute("ROLLBACK")

    async def waiting(self) -> int:
        """Statements of other connections waiting for a lock in this database."""
        # Inside a transaction the activity view is a snapshot: take a fresh one.
        await self.conn.execute("SELECT pg_stat_clear_snapshot()")
        return int(
            await self.conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
        )


@asynccontextmanager
async def partner_lock(url: str) -> AsyncIterator[PartnerLock]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("BEGIN")
        await conn.execute("LOCK TABLE partner IN ACCESS EXCLUSIVE MODE")
        lock = PartnerLock(conn)
        try:
            yield lock
        finally:
            await lock.release()
    finally:
        await conn.close()


@asynccontextmanager
async def served(url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(DATABASE_URL=url, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def until_waiting(lock: PartnerLock) -> None:
    for _ in range(200):
        if await lock.waiting():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no statement started waiting for the lock")


async def test_a_statement_waiting_past_the_statement_timeout_gets_timeout(pg_url: str) -> None:
    # given
    async with (
        partner_lock(pg_url),
        served(pg_url, KYODO_STATEMENT_TIMEOUT_MS=300, KYODO_DB_POOL_TIMEOUT_MS=200) as client,
    ):
        # when
        response = await client.post("/graphql", json=READS_PARTNERS)
    # then
    assert response.status_code == 503
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert error["message"] == STATEMENT_TIMEOUT
    assert "retry-after" not in response.headers


async def test_waiting_for_a_pooled_connection_is_bounded(pg_url: str) -> None:
    # given: the pool's only connection is taken by a request waiting for the lock
    async with (
        partner_lock(pg_url) as lock,
        served(
            pg_url,
            KYODO_DB_POOL_SIZE=1,
            KYODO_DB_MAX_OVERFLOW=0,
            KYODO_STATEMENT_TIMEOUT_MS=30_000,
            KYODO_DB_POOL_TIMEOUT_MS=200,
        ) as client,
    ):
        blocked = asyncio.ensure_future(client.post("/graphql", json=READS_PARTNERS))
        await until_waiting(lock)
        # when: an unrelated request needs a connection
        health = await client.get("/healthz")
        graphql = await client.post("/graphql", json={"query": "{ departments { code } }"})
        # then: both are told at once, while the blocked request still waits
        assert not blocked.done()
        assert health.status_code == 503
        assert health.json()["code"] == "TIMEOUT"
        assert health.json()["message"] == POOL_TIMEOUT
        assert graphql.status_code == 503
        assert graphql.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        # and the blocked request goes on once the lock is released
        await lock.release()
        assert (await blocked).status_code == 200


async def test_a_query_running_past_the_request_timeout_is_stopped(pg_url: str) -> None:
    # given: the statement would wait 1 s; the request may take 0.1 s
    async with (
        partner_lock(pg_url),
        served(
            pg_url,
            KYODO_STATEMENT_TIMEOUT_MS=1000,
            KYODO_DB_POOL_TIMEOUT_MS=500,
            KYODO_REQUEST_TIMEOUT_MS=100,
        ) as client,
    ):
        # when
        response = await client.post("/graphql", json=READS_PARTNERS)
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert error["extensions"]["timeoutMs"] == 100
    assert "0.1 秒" in error["message"]


async def test_a_mutation_is_not_cut_short_by_the_request_timeout(pg_url: str) -> None:
    # given: a mutation waits 0.5 s for the lock; the request timeout is 0.1 s
    engine = make_engine(pg_url)
    async with make_sessionmaker(engine)() as session:
        _row, token = await tokens.create_token(session, name="lock-test", role=Role.ADMIN)
        await session.commit()
    await engine.dispose()
    mutation = """mutation { partnerCreate(input: {kind: NPO, name: "（デモ）待つ法人"}) {
        partner { name } errors { code } } }"""
    async with (
        partner_lock(pg_url) as lock,
        served(
            pg_url,
            KYODO_STATEMENT_TIMEOUT_MS=5000,
            KYODO_DB_POOL_TIMEOUT_MS=1000,
            KYODO_REQUEST_TIMEOUT_MS=100,
        ) as client,
    ):
        pending = asyncio.ensure_future(
            client.post(
                "/graphql", json={"query": mutation}, headers={"Authorization": f"Bearer {token}"}
            )
        )
        await until_waiting(lock)
        await asyncio.sleep(0.4)
        await lock.release()
        # when
        response = await pending
    # then
    assert response.status_code == 200
    assert response.json()["data"]["partnerCreate"] == {
        "partner": {"name": "（デモ）待つ法人"},
        "errors": [],
    }
