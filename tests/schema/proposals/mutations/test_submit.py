"""Proposal mutations (rule 12): proposalSubmit.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.schema.node import to_global_id

from .support import (
    SUBMIT,
    TODAY,
    World,
    audit_count,
    errors_of,
    gid,
    last_event,
    proposal_count,
    submit_input,
)


async def test_submit_stores_the_proposal_received_today_and_records_one_event(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    events = await audit_count(session)

    # when
    data = await gql(SUBMIT, {"input": submit_input(world)}, today=TODAY)

    # then
    result = data["proposalSubmit"]
    assert result["errors"] == []
    created = result["proposal"]
    assert (created["status"], created["version"], created["receivedOn"]) == (
        "RECEIVED",
        1,
        TODAY.isoformat(),
    )
    assert (created["kind"], created["channel"]) == ("PLAN", "EMAIL")
    assert created["proposer"] is None
    assert created["identifiedNeeds"] == []
    assert created["department"]["code"] == world.department_code
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_type) == ("proposal.submit", "Proposal")
    assert gid(int(event.entity_id)) == created["id"]
    assert event.changes is not None
    assert event.changes["status"] == {"before": None, "after": "RECEIVED"}
    assert event.changes["channel"] == {"before": None, "after": "EMAIL"}


async def test_submit_links_the_proposer_and_keeps_the_day_it_arrived(
    gql: Any, world: World
) -> None:
    # when
    data = await gql(
        SUBMIT,
        {
            "input": submit_input(
                world, proposerId=world.proposer_gid, receivedOn="2021-10-20", channel="LETTER"
            )
        },
        today=TODAY,
    )

    # then
    created = data["proposalSubmit"]["proposal"]
    assert created["proposer"]["id"] == world.proposer_gid
    assert (created["receivedOn"], created["channel"]) == ("2021-10-20", "LETTER")


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"title": " "}, "REQUIRED", ["input", "title"]),
        ({"body": ""}, "REQUIRED", ["input", "body"]),
        ({"departmentCode": "no-such-department"}, "NOT_FOUND", ["input", "departmentCode"]),
        (
            {"proposerId": to_global_id("Partner", 987_654_321)},
            "NOT_FOUND",
            ["input", "proposerId"],
        ),
        ({"proposerId": to_global_id("Proposal", 1)}, "INVALID", ["input", "proposerId"]),
    ],
)
async def test_submit_refuses_an_invalid_proposal_and_writes_nothing(
    session: AsyncSession,
    gql: Any,
    world: World,
    overrides: dict[str, Any],
    code: str,
    field: list[str],
) -> None:
    # given
    events, proposals = await audit_count(session), await proposal_count(session)

    # when
    result = await gql.raw(SUBMIT, {"input": submit_input(world, **overrides)}, today=TODAY)

    # then
    assert result["errors"] == []
    data = result["data"]
    assert data["proposalSubmit"]["proposal"] is None
    assert errors_of(data, "proposalSubmit") == [(code, field)]
    assert await proposal_count(session) == proposals
    assert await audit_count(session) == events
