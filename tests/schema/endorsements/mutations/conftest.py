"""Fixtures shared by the tests of this package."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import PartnerKind
from kyodo.domain.partners.models import Partner
from kyodo.domain.partners.service import refresh_derived_fields
from kyodo.domain.reference.models import Department

from .support import (
    World,
    unique,
)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    department = Department(code=unique("test-dept"), name="テスト課")
    organizer = Partner(kind=PartnerKind.NPO, name=unique("テスト環境ネットワーク"))
    refresh_derived_fields(organizer)
    session.add_all([department, organizer])
    await session.commit()
    assert department.id is not None and organizer.id is not None
    return World(department.id, department.code, organizer.id)
