"""What is not collaboration (第5章 Q8, rule 16): the screening every collaboration carries.

Religious or political activity and activity that may harm the public interest are unfit
for collaboration in every form. The applicant ticks grounds in the input; staff add
those the applicant did not tick (collaborationScreen, with a note); while any ground is
present the collaboration cannot start (UNFIT_FOR_COLLABORATION).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.enums import AgreementCategory, AgreementStatus, Role
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.models import Department
from kyodo.schema.context import Principal
from kyodo.schema.node import to_global_id

from ..agreements.factories import make_agreement
from .test_mutations_helpers import (
    ERRORS,
    TRANSITION,
    World,
    audit_count,
    codes_and_fields,
    create,
    created_in,
    events_of,
    pk,
    read,
    ready_input,
    transition,
    world,
)

TODAY = date(2022, 4, 15)
POLITICAL = "選挙前 市政報告会（〇〇議員の後援会）"

SCREENING = "screening { fit grounds declaredGrounds addedGrounds reasons note screenedOn }"
SCREEN = f"""
mutation ($id: ID!, $v: Int!, $input: CollaborationScreeningInput!) {{
  collaborationScreen(id: $id, expectedVersion: $v, input: $input) {{
    collaboration {{ id status version {SCREENING} }} {ERRORS}
  }}
}}
"""
READ_SCREENING = (
    f"query ($id: ID!) {{ node(id: $id) {{ ... on Collaboration {{ {SCREENING} }} }} }}"
)


def staff_of(w: World) -> Principal:
    return Principal(name="staff-test", role=Role.STAFF, department_code=w.department_code)


async def screen(gql: Any, collaboration: dict[str, Any], **input: Any) -> dict[str, Any]:
    variables = {"id": collaboration["id"], "v": collaboration["version"], "input": input}
    return (await gql(SCREEN, variables, today=TODAY))["collaborationScreen"]


async def screening_of(gql: Any, collaboration: dict[str, Any]) -> dict[str, Any]:
    return (await gql(READ_SCREENING, {"id": collaboration["id"]}))["node"]["screening"]


async def refused_start(
    session: AsyncSession, gql: Any, collaboration: dict[str, Any]
) -> list[tuple[str, list[str] | None]]:
    """PLANNING→ACTIVE that must be refused; nothing may change."""
    stored, events = await read(gql, collaboration["id"]), await audit_count(session)
    variables = {"id": collaboration["id"], "v": stored["version"], "to": "ACTIVE"}
    payload = (await gql(TRANSITION, variables))["collaborationTransition"]
    assert payload["collaboration"] is None
    assert await read(gql, collaboration["id"]) == stored
    assert await audit_count(session) == events
    return codes_and_fields(payload["errors"])


async def test_a_ground_staff_add_blocks_the_start_of_a_political_meeting(
    session: AsyncSession, gql: Any
) -> None:
    # given: the applicant ticked nothing, and everything 第4章 asks for is set
    w = await world(session)
    meeting = await create(gql, ready_input(w, title=POLITICAL))
    assert meeting["readiness"] == {"ready": True, "missing": []}
    assert (await screening_of(gql, meeting))["fit"] is True

    # when staff of the department mark it political, with a note
    payload = await gql(
        SCREEN,
        {
            "id": meeting["id"],
            "v": meeting["version"],
            "input": {
                "addedGrounds": ["POLITICAL_ACTIVITY"],
                "note": "議員の後援会が主催する市政報告会で、政治活動にあたる",
            },
        },
        today=TODAY,
        principal=staff_of(w),
    )

    # then the screening says so, and the meeting cannot start
    screened = payload["collaborationScreen"]
    assert screened["errors"] == []
    assert screened["collaboration"]["screening"] == {
        "fit": False,
        "grounds": ["POLITICAL_ACTIVITY"],
        "declaredGrounds": [],
        "addedGrounds": ["POLITICAL_ACTIVITY"],
        "reasons": ["政治活動を目的としているため、協働の事業として適しません。"],
        "note": "議員の後援会が主催する市政報告会で、政治活動にあたる",
        "screenedOn": TODAY.isoformat(),
    }
    assert await refused_start(session, gql, screened["collaboration"]) == [
        ("UNFIT_FOR_COLLABORATION", ["to"])
    ]


async def test_a_screening_writes_one_audit_event(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    meeting = await create(gql, ready_input(w, title=POLITICAL))
    events = await audit_count(session)

    # when
    await screen(gql, meeting, addedGrounds=["POLITICAL_ACTIVITY"], note="後援会の行事")

    # then
    assert await audit_count(session) == events + 1
    event = (await events_of(session, meeting["id"]))[-1]
    assert event.action == "collaboration.screen"
    assert event.changes == {
        "added_unfit_grounds": {"before": [], "after": ["POLITICAL_ACTIVITY"]},
        "screening_note": {"before": None, "after": "後援会の行事"},
        "screened_on": {"before": None, "after": TODAY.isoformat()},
    }


async def test_a_ground_the_applicant_ticked_blocks_the_start(
    session: AsyncSession, gql: Any
) -> None:
    # given: the applicant's own answer (any form: here CO_HOSTING)
    w = await world(session)
    rite = await create(
        gql, ready_input(w, title="（テスト）祭礼の奉納行事", unfitGrounds=["RELIGIOUS_ACTIVITY"])
    )

    # when / then
    assert (await screening_of(gql, rite))["declaredGrounds"] == ["RELIGIOUS_ACTIVITY"]
    assert await refused_start(session, gql, rite) == [("UNFIT_FOR_COLLABORATION", ["to"])]


async def test_every_ground_present_is_named(session: AsyncSession, gql: Any) -> None:
    # given: one ground from the applicant, two more (one repeated) from staff
    w = await world(session)
    collaboration = await create(gql, ready_input(w, unfitGrounds=["HARMS_PUBLIC_INTEREST"]))
    screened = await screen(
        gql,
        collaboration,
        addedGrounds=["HARMS_PUBLIC_INTEREST", "POLITICAL_ACTIVITY", "RELIGIOUS_ACTIVITY"],
        note="宗教団体の勧誘を兼ねた選挙の集会",
    )

    # when
    errors = await refused_start(session, gql, screened["collaboration"])

    # then: one refusal per ground, in the guideline's order
    assert errors == [("UNFIT_FOR_COLLABORATION", ["to"])] * 3
    assert screened["collaboration"]["screening"]["grounds"] == [
        "RELIGIOUS_ACTIVITY",
        "POLITICAL_ACTIVITY",
        "HARMS_PUBLIC_INTEREST",
    ]


async def test_lifting_the_finding_with_a_note_lets_it_start(
    session: AsyncSession, gql: Any
) -> None:
    # given: staff found a ground, then learned the organiser was misread
    w = await world(session)
    collaboration = await create(gql, ready_input(w))
    found = await screen(
        gql, collaboration, addedGrounds=["POLITICAL_ACTIVITY"], note="主催者確認中"
    )
    lifted = await screen(
        gql, found["collaboration"], addedGrounds=[], note="主催は町内会で、議員は来賓だった"
    )
    assert lifted["errors"] == []

    # when
    started = await transition(gql, lifted["collaboration"], "ACTIVE")

    # then
    assert started["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("input", "expected"),
    [
        pytest.param(
            {"addedGrounds": ["POLITICAL_ACTIVITY"]},
            [("REASON_REQUIRED", ["input", "note"])],
            id="a-ground-without-a-note",
        ),
        pytest.param(
            {"addedGrounds": ["POLITICAL_ACTIVITY"], "note": "　"},
            [("REASON_REQUIRED", ["input", "note"])],
            id="a-blank-note",
        ),
        pytest.param(
            {"addedGrounds": [], "note": "確認", "screenedOn": "2022-04-16"},
            [("INVALID", ["input", "screenedOn"])],
            id="a-day-in-the-future",
        ),
    ],
)
async def test_a_bad_screening_writes_nothing(
    session: AsyncSession, gql: Any, input: dict[str, Any], expected: list[Any]
) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))
    stored, events = await read(gql, collaboration["id"]), await audit_count(session)

    # when
    payload = await screen(gql, collaboration, **input)

    # then
    assert payload["collaboration"] is None
    assert codes_and_fields(payload["errors"]) == expected
    assert await read(gql, collaboration["id"]) == stored
    assert await audit_count(session) == events


async def test_only_planned_or_running_collaborations_are_screened(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    completed = await created_in(gql, w, "COMPLETED")

    # when
    payload = await screen(gql, completed, addedGrounds=["POLITICAL_ACTIVITY"], note="後援会")

    # then
    assert codes_and_fields(payload["errors"]) == [("INVALID_TRANSITION", ["id"])]


async def test_staff_of_another_department_cannot_screen(session: AsyncSession, gql: Any) -> None:
    # given
    w, other = await world(session), await world(session)
    collaboration = await create(gql, ready_input(w))
    events = await audit_count(session)

    # when
    payload = await gql(
        SCREEN,
        {"id": collaboration["id"], "v": 1, "input": {"addedGrounds": [], "note": "確認"}},
        principal=staff_of(other),
    )

    # then
    assert codes_and_fields(payload["collaborationScreen"]["errors"]) == [("FORBIDDEN", None)]
    assert await audit_count(session) == events


async def test_the_screening_is_for_city_staff_only(session: AsyncSession, gql: Any) -> None:
    # given: a published collaboration
    w = await world(session)
    collaboration = await create(gql, ready_input(w))

    # when read without a token
    result = await gql.raw(
        READ_SCREENING,
        {"id": collaboration["id"]},
        principal=Principal(name="anonymous", role=Role.PUBLIC),
    )

    # then
    assert [e["extensions"].get("code") for e in result["errors"]] == ["FORBIDDEN"]


CONCLUDE = """
mutation ($id: ID!, $v: Int!) {
  agreementConclude(id: $id, expectedVersion: $v, concludedOn: "2022-04-01") {
    agreement { status } errors { field code message }
  }
}
"""


async def test_an_agreement_for_a_screened_out_collaboration_is_not_concluded(
    session: AsyncSession, gql: Any
) -> None:
    # given: an agreement (協定, another form) drafted for the political meeting
    w = await world(session)
    meeting = await create(gql, ready_input(w, title=POLITICAL))
    screened = await screen(gql, meeting, addedGrounds=["POLITICAL_ACTIVITY"], note="後援会の行事")
    assert screened["errors"] == []
    department = await session.scalar(
        sa.select(Department).where(col(Department.code) == w.department_code)
    )
    partner = await session.get(Partner, pk(w.partner_ids[0]))
    assert department is not None and partner is not None
    agreement = await make_agreement(
        session,
        department=department,
        category=AgreementCategory.OTHER,
        status=AgreementStatus.NEGOTIATING,
        parties=[partner],
        concluded_on=None,
    )
    agreement.collaboration_id = pk(meeting["id"])
    await session.commit()
    events = await audit_count(session)

    # when
    variables = {"id": str(to_global_id("Agreement", agreement.id)), "v": agreement.version}
    payload = (await gql(CONCLUDE, variables))["agreementConclude"]

    # then
    assert codes_and_fields(payload["errors"]) == [("UNFIT_FOR_COLLABORATION", None)]
    assert payload["errors"][0]["message"].startswith(f"この協定の協働事業「{POLITICAL}」は")
    assert await audit_count(session) == events
    await session.refresh(agreement)
    assert agreement.status is AgreementStatus.NEGOTIATING
