"""Fixtures shared by the tests of this package."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.schema.collaborations.factories import make_department, make_partner

from .support import (
    World,
    unique,
)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    partner = await make_partner(session, unique("（テスト）協働パートナー"))
    return World(
        own=await make_department(session, "（テスト）担当課"),
        other=await make_department(session, "（テスト）他課"),
        partner=partner,
    )
