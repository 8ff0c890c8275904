"""役割の分担 (第4章(1)) and why this partner (第2章1), rule 17.

「双方の役割を明確にし、『市にできること、できないこと。』についても明確に伝えてください。」
and 「なぜ、その相手方と協働するのか。」「相手方にその事業を遂行する能力があるか。」: a
collaboration states what the city can and cannot do, and each participation why this
partner and its capacity, before it starts (CITY_ROLE, PARTNER_REASONS).
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.collaborations.models import Collaboration, Participation
from kyodo.domain.enums import Role
from kyodo.schema.context import Principal

from .test_mutations_helpers import (
    ERRORS,
    REASONS,
    TRANSITION,
    UPDATE,
    World,
    audit_count,
    codes_and_fields,
    create,
    created_in,
    pk,
    read,
    ready_input,
    world,
)

PARTS = """
  cityCanDo cityCannotDo readiness { ready missing } version
  participations { role reason capacity }
"""
READ_PARTS = f"query ($id: ID!) {{ node(id: $id) {{ ... on Collaboration {{ {PARTS} }} }} }}"
UPDATE_PARTS = f"""
mutation ($id: ID!, $v: Int!, $input: CollaborationInput!) {{
  collaborationUpdate(id: $id, expectedVersion: $v, input: $input) {{
    collaboration {{ {PARTS} }} {ERRORS}
  }}
}}
"""


async def update_parts(
    gql: Any, w: World, collaboration: dict[str, Any], **changes: Any
) -> dict[str, Any]:
    """collaborationUpdate sending only the required fields and ``changes``."""
    required = {
        "title": collaboration["title"],
        "forms": collaboration["forms"],
        "departmentCode": w.department_code,
    }
    variables = {
        "id": collaboration["id"],
        "v": collaboration["version"],
        "input": required | changes,
    }
    return (await gql(UPDATE_PARTS, variables))["collaborationUpdate"]


async def parts_of(gql: Any, global_id: str) -> dict[str, Any]:
    return (await gql(READ_PARTS, {"id": global_id}))["node"]


async def test_the_citys_part_and_each_partners_reason_are_stored_and_read(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)

    # when
    collaboration = await create(gql, ready_input(w))

    # then
    assert await parts_of(gql, collaboration["id"]) == {
        "cityCanDo": "会場の確保と市の広報紙での周知",
        "cityCannotDo": "町内会の会員集めや会費の徴収",
        "readiness": {"ready": True, "missing": []},
        "version": 1,
        "participations": [{"role": "進行", **REASONS}],
    }


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"cityCanDo": None}, [("NOT_READY", ["input", "cityCanDo"])], id="can-do"),
        pytest.param(
            {"cityCannotDo": "  "}, [("NOT_READY", ["input", "cityCanDo"])], id="cannot-do"
        ),
        pytest.param(
            {"participations": [{"role": "進行", "isLead": True, "capacity": "十分"}]},
            [("NOT_READY", ["input", "participations"])],
            id="a-partner-without-a-reason",
        ),
        pytest.param(
            {"participations": [{"role": "進行", "isLead": True, "reason": "地区に詳しい"}]},
            [("NOT_READY", ["input", "participations"])],
            id="a-partner-without-its-capacity",
        ),
    ],
)
async def test_starting_needs_the_citys_part_and_every_partners_reason(
    session: AsyncSession, gql: Any, changes: dict[str, Any], expected: list[Any]
) -> None:
    # given
    w = await world(session)
    if "participations" in changes:
        changes = changes | {
            "participations": [
                p | {"partnerId": w.partner_ids[0]} for p in changes["participations"]
            ]
        }
    collaboration = await create(gql, ready_input(w, **changes))
    missing = (await parts_of(gql, collaboration["id"]))["readiness"]["missing"]
    stored, events = await read(gql, collaboration["id"]), await audit_count(session)

    # when
    variables = {"id": collaboration["id"], "v": 1, "to": "ACTIVE"}
    payload = (await gql(TRANSITION, variables))["collaborationTransition"]

    # then: refused, named live in readiness, and nothing written
    assert codes_and_fields(payload["errors"]) == expected
    assert len(missing) == 1 and missing[0] in ("CITY_ROLE", "PARTNER_REASONS")
    assert await read(gql, collaboration["id"]) == stored
    assert await audit_count(session) == events


async def test_a_running_project_may_not_empty_the_citys_part(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    running = await created_in(gql, w, "ACTIVE")
    stored = await read(gql, running["id"])

    # when
    payload = await update_parts(gql, w, running, cityCannotDo=None)

    # then
    assert codes_and_fields(payload["errors"]) == [("NOT_READY", ["input", "cityCanDo"])]
    assert await read(gql, running["id"]) == stored


async def test_a_project_that_started_before_rule_17_can_still_be_edited(
    session: AsyncSession, gql: Any
) -> None:
    # given: an ACTIVE collaboration stored without the city's part or reasons
    w = await world(session)
    running = await created_in(gql, w, "ACTIVE")
    await session.execute(
        sa.update(Collaboration)
        .where(col(Collaboration.id) == pk(running["id"]))
        .values(city_can_do=None, city_cannot_do=None)
    )
    await session.execute(
        sa.update(Participation)
        .where(col(Participation.collaboration_id) == pk(running["id"]))
        .values(reason=None, capacity=None)
    )
    await session.commit()

    # when its plan is edited
    payload = await update_parts(gql, w, running, plan="年4回から年6回に増やす")

    # then the edit is saved; readiness still shows what is missing
    assert payload["errors"] == []
    assert payload["collaboration"]["readiness"]["missing"] == ["CITY_ROLE", "PARTNER_REASONS"]


async def test_reasons_and_capacity_are_for_city_staff_only(
    session: AsyncSession, gql: Any
) -> None:
    # given: a published collaboration
    w = await world(session)
    collaboration = await create(gql, ready_input(w))
    public = Principal(name="anonymous", role=Role.PUBLIC)

    # when read without a token
    shown = await gql(
        "query ($id: ID!) { node(id: $id) { ... on Collaboration { cityCanDo cityCannotDo } } }",
        {"id": collaboration["id"]},
        principal=public,
    )
    hidden = await gql.raw(
        "query ($id: ID!) { node(id: $id) { ... on Collaboration {"
        " participations { reason capacity } } } }",
        {"id": collaboration["id"]},
        principal=public,
    )

    # then what the city tells its partners is public; its view of a partner is not
    assert shown["node"]["cityCanDo"] == "会場の確保と市の広報紙での周知"
    assert {e["extensions"].get("code") for e in hidden["errors"]} == {"FORBIDDEN"}


async def test_resending_the_whole_ready_input_to_a_running_project_is_accepted(
    session: AsyncSession, gql: Any
) -> None:
    # given: the UPDATE of the other tests, with the whole ready input sent again
    w = await world(session)
    running = await created_in(gql, w, "ACTIVE")

    # when
    payload = (
        await gql(UPDATE, {"id": running["id"], "v": running["version"], "input": ready_input(w)})
    )["collaborationUpdate"]

    # then
    assert payload["errors"] == []
