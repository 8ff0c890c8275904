"""Bearer tokens at the HTTP edge, and the `kyodo token` commands."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from kyodo.domain.auth import service as tokens
from kyodo.domain.base import utcnow
from kyodo.domain.enums import Role
from kyodo.schema.context import Principal
from kyodo.server.app import create_app
from kyodo.server.auth import PrincipalCache
from kyodo.server.cli import app as cli
from kyodo.server.db import make_engine, make_sessionmaker
from kyodo.server.settings import Settings, get_settings
from tests.conftest import alembic_config, scratch_database

VIEWER = {"query": "{ viewer { name role departmentCode } }"}
UNAUTHENTICATED = {
    "errors": [
        {
            "message": "認証に失敗しました。トークンを確認してください。",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ]
}


@pytest.fixture
async def client(sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    app = create_app(Settings(), sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def issue(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    name: str = "テスト端末",
    role: Role = Role.ADMIN,
    department_code: str | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[int, str]:
    async with sessionmaker() as session:
        token, plaintext = await tokens.create_token(
            session,
            name=name,
            role=role,
            department_code=department_code,
            expires_at=expires_at,
            now=now,
        )
        await session.commit()
    assert token.id is not None
    return token.id, plaintext


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------- HTTP


@pytest.mark.parametrize(
    ("role", "department"),
    [
        (Role.STAFF, "machizukuri"),
        (Role.DISASTER_OFFICE, "kikikanri"),
        (Role.INTEGRATION, None),
        (Role.ADMIN, None),
    ],
)
async def test_viewer_is_the_token_holder(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    role: Role,
    department: str | None,
) -> None:
    # given
    _, token = await issue(
        sessionmaker, name=f"{role} の端末", role=role, department_code=department
    )
    # when
    response = await client.post("/graphql", json=VIEWER, headers=bearer(token))
    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "viewer": {"name": f"{role} の端末", "role": str(role), "departmentCode": department}
        }
    }


async def test_no_credentials_is_the_public(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=VIEWER)
    assert response.json()["data"]["viewer"] == {
        "name": "anonymous",
        "role": "PUBLIC",
        "departmentCode": None,
    }


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_an_unknown_token_gets_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=VIEWER, headers=bearer("not-a-token"))
    assert_unauthenticated(response)


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b", "Token abc"]
)
async def test_a_malformed_authorization_header_gets_401(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.post("/graphql", json=VIEWER, headers={"Authorization": authorization})
    assert_unauthenticated(response)


async def test_an_expired_token_gets_401(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # given: a token issued two days ago that expired yesterday
    issued = utcnow() - timedelta(days=2)
    _, token = await issue(sessionmaker, now=issued, expires_at=issued + timedelta(days=1))
    # when
    response = await client.post("/graphql", json=VIEWER, headers=bearer(token))
    # then
    assert_unauthenticated(response)


async def test_a_revoked_token_gets_401(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    # given: a token that worked, on a server that caches no tokens
    app = create_app(Settings(KYODO_TOKEN_CACHE_SECONDS=0), sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://test")
    token_id, token = await issue(sessionmaker)
    assert (await client.post("/graphql", json=VIEWER, headers=bearer(token))).status_code == 200
    # when: it is revoked
    async with sessionmaker() as session:
        await tokens.revoke_token(session, token_id=token_id)
        await session.commit()
    # then: the very next request is refused
    assert_unauthenticated(await client.post("/graphql", json=VIEWER, headers=bearer(token)))
    await client.aclose()


async def test_a_known_token_is_not_looked_up_again_for_a_few_seconds(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], count_queries: Any
) -> None:
    # given: a token that worked once (KYODO_TOKEN_CACHE_SECONDS, default 5)
    token_id, token = await issue(sessionmaker)
    assert (await client.post("/graphql", json=VIEWER, headers=bearer(token))).status_code == 200
    async with sessionmaker() as session:
        await tokens.revoke_token(session, token_id=token_id)
        await session.commit()
    # when: it is used again at once
    with count_queries() as counter:
        response = await client.post("/graphql", json=VIEWER, headers=bearer(token))
    # then: answered from the process's memory (README: the revocation delay)
    assert response.json()["data"]["viewer"]["name"] == "テスト端末"
    assert [s for s in counter.statements if "api_token" in s] == []


def test_the_principal_cache_forgets_after_its_seconds_and_at_the_tokens_expiry() -> None:
    # given
    clock = [0.0]
    cache = PrincipalCache(5, timer=lambda: clock[0])
    now = utcnow()
    principal = Principal(name="端末", role=Role.ADMIN)
    cache.put("a-token", principal, None)
    cache.put("expiring", principal, now + timedelta(seconds=1))
    # then
    assert cache.get("a-token", now=now) == principal
    assert cache.get("other", now=now) is None
    assert cache.get("expiring", now=now + timedelta(seconds=2)) is None
    clock[0] = 5.1
    assert cache.get("a-token", now=now) is None
    assert PrincipalCache(0).get("a-token", now=now) is None


async def test_a_refused_token_runs_no_resolver(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    # when
    with count_queries() as counter:
        response = await client.post(
            "/graphql", json={"query": "{ partners { totalCount } }"}, headers=bearer("wrong")
        )
    # then: only the token lookup reached the database
    assert response.status_code == 401
    assert [s for s in counter.statements if "api_token" not in s and "SAVEPOINT" not in s] == []


async def test_use_of_a_token_is_recorded(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # given
    token_id, token = await issue(sessionmaker)
    before = utcnow() - timedelta(seconds=1)
    # when
    await client.post("/graphql", json=VIEWER, headers=bearer(token))
    # then
    async with sessionmaker() as session:
        row = await tokens.get_token_or_raise(session, token_id=token_id)
    assert row.last_used_at is not None
    assert tokens.as_utc(row.last_used_at) >= before


# ---------------------------------------------------------------- CLI


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated scratch SQLite database with one department, as DATABASE_URL."""
    with scratch_database("sqlite", tmp_path) as url:
        command.upgrade(alembic_config(url), "head")
        path = url.removeprefix("sqlite+aiosqlite:///")
        with sqlite3.connect(path) as db:
            db.execute(
                "INSERT INTO department (code, name) VALUES ('machizukuri', 'まちづくり推進課')"
            )
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
        get_settings.cache_clear()


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "250"})


def authenticate(url: str, token: str) -> tokens.TokenIdentity | None:
    async def check() -> tokens.TokenIdentity | None:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                return await tokens.authenticate(session, token, now=datetime.now(UTC))
        finally:
            await engine.dispose()

    return asyncio.run(check())


def test_cli_create_prints_the_token_once_on_stdout(cli_database: str) -> None:
    # when
    result = run_cli(
        "token", "create", "--name", "まちづくり推進課 端末1", "--role", "STAFF",
        "--department", "machizukuri", "--expires", "2099-03-31",
    )  # fmt: skip
    # then: stdout is the token alone; the warning goes to stderr
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert "\n" not in token and len(token) >= 43
    assert "二度と表示できません" in result.stderr
    assert token not in result.stderr
    identity = authenticate(cli_database, token)
    assert identity is not None
    assert (identity.name, identity.role, identity.department_code) == (
        "まちづくり推進課 端末1",
        Role.STAFF,
        "machizukuri",
    )


def test_cli_list_shows_prefixes_not_tokens(cli_database: str) -> None:
    # given
    token = run_cli("token", "create", "--name", "連携スクリプト", "--role", "INTEGRATION").stdout
    token = token.strip()
    # when
    result = run_cli("token", "list")
    # then
    assert result.exit_code == 0, result.output
    assert "連携スクリプト" in result.stdout
    assert "INTEGRATION" in result.stdout
    assert token[:8] in result.stdout
    assert token not in result.stdout
    assert "有効" in result.stdout


def test_cli_revoke_stops_the_token(cli_database: str) -> None:
    # given
    token = run_cli("token", "create", "--name", "危機管理室 端末1", "--role", "ADMIN").stdout
    token = token.strip()
    assert authenticate(cli_database, token) is not None
    # when
    result = run_cli("token", "revoke", "1")
    # then
    assert result.exit_code == 0, result.output
    assert authenticate(cli_database, token) is None
    assert "失効" in run_cli("token", "list").stdout


def test_cli_refuses_a_staff_token_without_department(cli_database: str) -> None:
    # when
    result = run_cli("token", "create", "--name", "誰か", "--role", "STAFF")
    # then
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "担当課コードが必要です" in result.stderr


def test_cli_revoke_of_an_unknown_id_fails(cli_database: str) -> None:
    result = run_cli("token", "revoke", "42")
    assert result.exit_code == 1
    assert "ID 42 のトークンはありません" in result.stderr
