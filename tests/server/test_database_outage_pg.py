"""Database trouble is reported, not crashed: PostgreSQL stopped under a running app.

Each test runs the app on a throwaway cluster (tests/server/pg_cluster.py) that it stops
itself, and the cluster is started again before the next test; the shared server is never
touched.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
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
from tests.conftest import ROOT, alembic_config

from .pg_cluster import Cluster, throwaway_cluster

ANONYMOUS_QUERY = {"query": "{ departments { code } }"}
VIEWER_QUERY = {"query": "{ viewer { role } }"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with throwaway_cluster() as cluster:

        async def create() -> None:
            conn = await asyncpg.connect(host="127.0.0.1", port=cluster.port, user="postgres")
            try:
                await conn.execute("CREATE DATABASE kyodo")
            finally:
                await conn.close()

        asyncio.run(create())
        command.upgrade(alembic_config(cluster.url("kyodo")), "head")
        yield cluster


@pytest.fixture(scope="module")
def token(cluster: Cluster) -> str:
    if not cluster.running:  # set up before the test's other fixtures
        cluster.start()

    async def create() -> str:
        engine = make_engine(cluster.url("kyodo"))
        try:
            async with make_sessionmaker(engine)() as session:
                _row, plaintext = await tokens.create_token(
                    session, name="outage-test", role=Role.ADMIN, department_code=None
                )
                await session.commit()
                return plaintext
        finally:
            await engine.dispose()

    return asyncio.run(create())


@pytest.fixture
async def client(cluster: Cluster) -> AsyncIterator[httpx.AsyncClient]:
    """The app, as served, on the cluster; it has answered once (a pooled connection)."""
    if not cluster.running:
        cluster.start()
    app = create_app(Settings(DATABASE_URL=cluster.url("kyodo")))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            warm = await client.post("/graphql", json=ANONYMOUS_QUERY)
            assert warm.status_code == 200, warm.text
            yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unavailable(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["retry-after"] == "5"
    body = response.json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert (
        error["message"] == "データベースに接続できません。しばらくしてからもう一度お試しください。"
    )
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    return dict(body)


async def test_an_anonymous_query_gets_503_database_unavailable(
    client: httpx.AsyncClient, cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    cluster.stop()
    # when
    with caplog.at_level(logging.WARNING):
        response = await client.post("/graphql", json=ANONYMOUS_QUERY)
    # then: an answer in the API's shape, and a log line of ours without a traceback
    assert_unavailable(response)
    ours = [r for r in caplog.records if r.name.startswith("kyodo")]
    assert [r.getMessage().split(" (request")[0] for r in ours] == [
        "database trouble DATABASE_UNAVAILABLE at departments"
    ]
    assert not any(r.exc_info for r in ours)


async def test_a_caller_with_a_token_gets_503_database_unavailable(
    client: httpx.AsyncClient, cluster: Cluster, token: str
) -> None:
    # given: the token is checked against the database before anything else
    cluster.stop()
    # when
    response = await client.post("/graphql", json=VIEWER_QUERY, headers=bearer(token))
    # then
    assert_unavailable(response)


async def test_healthz_gets_503_json(client: httpx.AsyncClient, cluster: Cluster) -> None:
    # given
    cluster.stop()
    # when
    response = await client.get("/healthz")
    # then
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "code": "DATABASE_UNAVAILABLE",
        "message": "データベースに接続できません。しばらくしてからもう一度お試しください。",
    }


async def test_an_export_gets_503_database_unavailable(
    client: httpx.AsyncClient, cluster: Cluster
) -> None:
    # given
    cluster.stop()
    # when
    response = await client.get("/exports/agreements.csv")
    # then
    assert_unavailable(response)


async def test_the_app_serves_again_once_the_database_is_back(
    client: httpx.AsyncClient, cluster: Cluster, token: str
) -> None:
    # given: requests failed while the database was down
    cluster.stop()
    assert (await client.get("/healthz")).status_code == 503
    assert (
        await client.post("/graphql", json=VIEWER_QUERY, headers=bearer(token))
    ).status_code == 503
    # when: it is back, and the app was not restarted
    cluster.start()
    # then
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    anonymous = await client.post("/graphql", json=ANONYMOUS_QUERY)
    assert anonymous.status_code == 200 and "errors" not in anonymous.json()
    viewer = await client.post("/graphql", json=VIEWER_QUERY, headers=bearer(token))
    assert viewer.json() == {"data": {"viewer": {"role": "ADMIN"}}}


def test_the_command_line_reports_an_unreachable_database_in_one_line(cluster: Cluster) -> None:
    # given
    if cluster.running:
        cluster.stop()
    environment = {**os.environ, "DATABASE_URL": cluster.url("kyodo")}
    # when
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kyodo"), "token", "list"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("エラー: データベース（postgresql+asyncpg://postgres@127.0.0.1:")
    assert "に接続できません" in lines[0]
