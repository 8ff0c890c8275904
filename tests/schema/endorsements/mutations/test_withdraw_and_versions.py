"""Endorsement mutations (rule 11): endorsementApplicationWithdraw, stale versions and ids.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import EndorsementStatus
from kyodo.schema.node import to_global_id

from .support import (
    DECIDE,
    TODAY,
    WITHDRAW,
    E,
    World,
    audit_count,
    errors_of,
    gid,
    last_event,
    make_endorsement,
    stored,
)


@pytest.mark.parametrize("status", [E.SUBMITTED, E.APPROVED])
async def test_withdraw_ends_a_pending_or_approved_application(
    session: AsyncSession, gql: Any, world: World, status: EndorsementStatus
) -> None:
    # given
    pk = await make_endorsement(session, world, status=status)
    events = await audit_count(session)

    # when
    data = await gql(WITHDRAW, {"id": gid(pk), "v": 1})

    # then
    withdrawn = data["endorsementApplicationWithdraw"]["application"]
    assert (withdrawn["status"], withdrawn["version"]) == ("WITHDRAWN", 2)
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_id) == ("endorsementApplication.withdraw", str(pk))
    assert event.changes == {"status": {"before": status.value, "after": "WITHDRAWN"}}


@pytest.mark.parametrize("status", [E.REJECTED, E.WITHDRAWN])
async def test_withdraw_refuses_a_closed_application(
    session: AsyncSession, gql: Any, world: World, status: EndorsementStatus
) -> None:
    # given
    pk = await make_endorsement(session, world, status=status)
    before, events = await stored(session, pk), await audit_count(session)

    # when
    data = await gql(WITHDRAW, {"id": gid(pk), "v": 1})

    # then
    assert errors_of(data, "endorsementApplicationWithdraw") == [("INVALID_TRANSITION", None)]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


@pytest.mark.parametrize(
    ("name", "mutation", "extra"),
    [
        ("endorsementApplicationDecide", DECIDE, {"approve": True, "policy": True}),
        ("endorsementApplicationWithdraw", WITHDRAW, {}),
    ],
)
async def test_a_stale_expected_version_is_a_version_conflict_and_changes_nothing(
    session: AsyncSession,
    gql: Any,
    world: World,
    name: str,
    mutation: str,
    extra: dict[str, Any],
) -> None:
    # given: someone else already moved the row to version 2
    pk = await make_endorsement(session, world)
    await session.execute(
        sa.update(EndorsementApplication)
        .where(col(EndorsementApplication.id) == pk)
        .values(version=2)
    )
    await session.commit()
    before, events = await stored(session, pk), await audit_count(session)

    # when
    data = await gql(mutation, {"id": gid(pk), "v": 1, **extra}, today=TODAY)

    # then
    assert data[name]["application"] is None
    assert errors_of(data, name) == [("VERSION_CONFLICT", ["expectedVersion"])]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


async def test_an_unknown_application_is_not_found(gql: Any) -> None:
    # when
    data = await gql(WITHDRAW, {"id": gid(987_654_321), "v": 1})

    # then
    assert errors_of(data, "endorsementApplicationWithdraw") == [("NOT_FOUND", ["id"])]


async def test_an_id_of_another_type_is_invalid_in_the_payload(gql: Any) -> None:
    # when
    result = await gql.raw(WITHDRAW, {"id": to_global_id("Partner", 1), "v": 1})

    # then
    assert result["errors"] == []
    assert errors_of(result["data"], "endorsementApplicationWithdraw") == [("INVALID", ["id"])]
