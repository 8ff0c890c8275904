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
    proposer = Partner(kind=PartnerKind.CITIZEN_GROUP, name=unique("テスト町内会"))
    refresh_derived_fields(proposer)
    session.add_all([department, proposer])
    await session.commit()
    assert department.id is not None and proposer.id is not None
    return World(department.id, department.code, proposer.id)
