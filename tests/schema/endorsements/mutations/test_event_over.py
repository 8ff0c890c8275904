"""後援 is asked for an event ahead, never for one already over (rule 11, issue 11).

An application for a 2001 event submitted in 2021 is INVALID at the event's last day
(``eventEndsOn``, else ``eventStartsOn``) and nothing is written; an event under way or
ending today can still be applied for.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .support import (
    SUBMIT,
    TODAY,
    World,
    application_count,
    audit_count,
    errors_of,
    submit_input,
)


async def _submit(gql: Any, world: World, **overrides: Any) -> dict[str, Any]:
    return await gql(SUBMIT, {"input": submit_input(world, **overrides)}, today=TODAY)


async def test_an_event_that_ended_in_2001_is_refused_and_nothing_is_written(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    applications, events = await application_count(session), await audit_count(session)

    # when
    ended = await _submit(gql, world, eventStartsOn="2001-05-01", eventEndsOn="2001-05-02")
    one_day = await _submit(gql, world, eventStartsOn="2021-08-31", eventEndsOn=None)

    # then
    assert errors_of(ended, "endorsementApplicationSubmit") == [
        ("INVALID", ["input", "eventEndsOn"])
    ]
    assert "2001-05-02" in ended["endorsementApplicationSubmit"]["errors"][0]["message"]
    assert ended["endorsementApplicationSubmit"]["application"] is None
    assert errors_of(one_day, "endorsementApplicationSubmit") == [
        ("INVALID", ["input", "eventStartsOn"])
    ]
    assert await application_count(session) == applications
    assert await audit_count(session) == events


async def test_an_event_under_way_or_ending_today_can_still_be_applied_for(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # when (TODAY is 2021-09-01)
    under_way = await _submit(gql, world, eventStartsOn="2021-08-25", eventEndsOn="2021-09-05")
    today = await _submit(gql, world, eventStartsOn="2021-09-01", eventEndsOn=None)

    # then
    assert under_way["endorsementApplicationSubmit"]["errors"] == []
    assert today["endorsementApplicationSubmit"]["errors"] == []
    assert today["endorsementApplicationSubmit"]["application"]["status"] == "SUBMITTED"
