"""Fixtures shared by the tests of this package."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ..factories import make_department, make_partner
from .support import (
    World,
)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    department = await make_department(session)
    applicant = await make_partner(session)
    await session.commit()
    assert applicant.id is not None
    return World(department, applicant, applicant.id)
