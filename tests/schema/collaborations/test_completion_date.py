"""A collaboration cannot be COMPLETED before it has ended (rule 4, issue 11).

Marking a project running until 2099 COMPLETED is refused (INVALID at input.endsOn),
as is moving a finished project's end into the future; ``today`` is the request's day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .test_mutations_helpers import (
    TRANSITION,
    UPDATE,
    audit_count,
    codes_and_fields,
    create,
    created_in,
    read,
    ready_input,
    transition,
    world,
)

TODAY = date(2022, 3, 1)


async def _move(gql: Any, collaboration: dict[str, Any], to: str) -> dict[str, Any]:
    data = await gql(
        TRANSITION,
        {"id": collaboration["id"], "v": collaboration["version"], "to": to},
        today=TODAY,
    )
    return data["collaborationTransition"]


async def test_a_project_ending_in_2099_cannot_be_completed_and_nothing_changes(
    session: AsyncSession, gql: Any
) -> None:
    # given: an ACTIVE project that runs until 2099
    w = await world(session)
    active = await transition(gql, await create(gql, ready_input(w, endsOn="2099-03-31")), "ACTIVE")
    stored, events = await read(gql, active["id"]), await audit_count(session)

    # when
    payload = await _move(gql, active, "COMPLETED")

    # then
    assert payload["collaboration"] is None
    assert codes_and_fields(payload["errors"]) == [("INVALID", ["input", "endsOn"])]
    assert "2099-03-31" in payload["errors"][0]["message"]
    assert await read(gql, active["id"]) == stored
    assert await audit_count(session) == events


async def test_a_project_that_ended_by_today_is_completed(session: AsyncSession, gql: Any) -> None:
    # given: ended on the day before (ready_input ends 2022-02-28), and one ending today
    w = await world(session)
    ended = await transition(gql, await create(gql, ready_input(w)), "ACTIVE")
    today = await transition(
        gql, await create(gql, ready_input(w, endsOn=TODAY.isoformat())), "ACTIVE"
    )

    # when
    first = await _move(gql, ended, "COMPLETED")
    second = await _move(gql, today, "COMPLETED")

    # then
    assert first["errors"] == [] and second["errors"] == []
    assert first["collaboration"]["status"] == second["collaboration"]["status"] == "COMPLETED"


async def test_a_finished_project_cannot_be_moved_to_end_in_the_future(
    session: AsyncSession, gql: Any
) -> None:
    # given: a COMPLETED project (ended 2022-02-28)
    w = await world(session)
    completed = await created_in(gql, w, "COMPLETED")
    stored, events = await read(gql, completed["id"]), await audit_count(session)

    # when: its end is set to 2099, and (allowed) to another past day
    future = await gql(
        UPDATE,
        {
            "id": completed["id"],
            "v": completed["version"],
            "input": ready_input(w, endsOn="2099-12-31"),
        },
        today=TODAY,
    )
    refused = future["collaborationUpdate"]
    unchanged = await read(gql, completed["id"])
    past = await gql(
        UPDATE,
        {
            "id": completed["id"],
            "v": completed["version"],
            "input": ready_input(w, endsOn="2022-02-27"),
        },
        today=TODAY,
    )

    # then
    assert codes_and_fields(refused["errors"]) == [("INVALID", ["input", "endsOn"])]
    assert unchanged == stored
    assert past["collaborationUpdate"]["errors"] == []
    assert await audit_count(session) == events + 1
