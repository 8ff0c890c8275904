"""Fixtures shared by the tests of this package."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from kyodo.server.app import create_app
from kyodo.server.settings import Settings

from .support import (
    Api,
    _admin_token,
)


@pytest.fixture
async def api(
    sessionmaker: async_sessionmaker[AsyncSession], connection: AsyncConnection
) -> AsyncIterator[Api]:
    app = create_app(Settings(), sessionmaker=sessionmaker)
    token = await _admin_token(sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://test") as anonymous,
        httpx.AsyncClient(
            transport=transport,
            base_url="http://test",
            headers={"Authorization": f"Bearer {token}"},
        ) as admin,
    ):
        yield Api(connection, anonymous, admin)
