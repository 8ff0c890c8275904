"""Rule 18 for collaborations: the city's and the partner's shares fit in the budget total.

Refused on create and update with INVALID on ``input.budget``, nothing written; a row
stored before the rule cannot start ACTIVE.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.collaborations.models import Collaboration

from .test_mutations_helpers import (
    CREATE,
    TRANSITION,
    UPDATE,
    audit_count,
    codes_and_fields,
    collaboration_count,
    create,
    pk,
    ready_input,
    world,
)

TOO_MUCH = {"totalYen": 1_000, "cityShareYen": 900_000, "partnerShareYen": 900_000}


async def stored(session: AsyncSession, collaboration_id: int) -> tuple[Any, ...]:
    table = Collaboration.__table__  # type: ignore[attr-defined]
    return tuple(
        (await session.execute(sa.select(table).where(table.c.id == collaboration_id))).one()
    )


async def test_create_refuses_shares_beyond_the_total(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    collaborations, events = await collaboration_count(session), await audit_count(session)

    # when
    data = await gql(CREATE, {"input": ready_input(w, budget=TOO_MUCH)})

    # then
    payload = data["collaborationCreate"]
    assert payload["collaboration"] is None
    assert codes_and_fields(payload["errors"]) == [("INVALID", ["input", "budget"])]
    message = payload["errors"][0]["message"]
    assert "1,800,000円" in message and "1,000円" in message
    assert await collaboration_count(session) == collaborations
    assert await audit_count(session) == events


async def test_create_refuses_one_share_beyond_the_total_in_any_form(
    session: AsyncSession, gql: Any
) -> None:
    w = await world(session)
    input = ready_input(w, forms=["SUBSIDY"], budget={"totalYen": 1_000, "partnerShareYen": 1_001})

    data = await gql(CREATE, {"input": input})

    assert codes_and_fields(data["collaborationCreate"]["errors"]) == [
        ("INVALID", ["input", "budget"])
    ]


async def test_create_accepts_shares_that_add_up_to_the_total(
    session: AsyncSession, gql: Any
) -> None:
    w = await world(session)
    budget = {"totalYen": 200_000, "cityShareYen": 120_000, "partnerShareYen": 80_000}

    collaboration = await create(gql, ready_input(w, budget=budget))

    assert collaboration["budget"] == budget


async def test_update_refuses_a_total_below_the_shares(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))
    before, events = await stored(session, pk(collaboration["id"])), await audit_count(session)

    # when
    data = await gql(
        UPDATE,
        {
            "id": collaboration["id"],
            "v": collaboration["version"],
            "input": ready_input(w, budget=TOO_MUCH),
        },
    )

    # then
    assert codes_and_fields(data["collaborationUpdate"]["errors"]) == [
        ("INVALID", ["input", "budget"])
    ]
    assert await stored(session, pk(collaboration["id"])) == before
    assert await audit_count(session) == events


async def test_a_collaboration_stored_with_shares_beyond_the_total_cannot_start(
    session: AsyncSession, gql: Any
) -> None:
    # given: a planning row written before the rule, with 900,000 + 900,000 of 1,000 yen
    w = await world(session)
    collaboration = await create(gql, ready_input(w))
    table = Collaboration.__table__  # type: ignore[attr-defined]
    await session.execute(
        sa.update(table)
        .where(table.c.id == pk(collaboration["id"]))
        .values(budget_total_yen=1_000, city_share_yen=900_000, partner_share_yen=900_000)
    )
    await session.commit()
    before, events = await stored(session, pk(collaboration["id"])), await audit_count(session)

    # when
    data = await gql(
        TRANSITION, {"id": collaboration["id"], "v": collaboration["version"], "to": "ACTIVE"}
    )

    # then
    assert codes_and_fields(data["collaborationTransition"]["errors"]) == [
        ("INVALID", ["input", "budget"])
    ]
    assert await stored(session, pk(collaboration["id"])) == before
    assert await audit_count(session) == events
