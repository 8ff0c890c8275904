"""Fixtures shared by the tests of this package."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kyodo.server.app import create_app
from kyodo.server.settings import Settings

from .support import ORIGIN, _client, admin_headers, production


@pytest.fixture
async def client(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(KYODO_CORS_ORIGINS=ORIGIN)
    headers = await admin_headers(sessionmaker)
    async for client in _client(create_app(settings, sessionmaker=sessionmaker), headers):
        yield client


@pytest.fixture
async def production_client(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(create_app(production(), sessionmaker=sessionmaker)):
        yield client


@pytest.fixture
async def anonymous_client(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(KYODO_CORS_ORIGINS=ORIGIN)
    async for client in _client(create_app(settings, sessionmaker=sessionmaker)):
        yield client


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "KYODO_ENV", "KYODO_CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
