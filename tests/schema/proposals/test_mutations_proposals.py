"""Proposal mutations through the API (rule 12, 第2章3; rule 15).

Every refused mutation is checked for its exact code and field path, and for having
changed nothing: the row and the audit log read the same after. Setup rows are
committed before the mutation runs, so a refused mutation's rollback keeps them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.audit.models import AuditEvent
from domain.collaborations.models import Collaboration
from domain.enums import PartnerKind, ProposalChannel, ProposalKind, ProposalStatus
from domain.partners.models import Partner
from domain.partners.service import refresh_derived_fields
from domain.proposals.models import Proposal
from domain.reference.models import Department
from schema.node import to_global_id
from tests.conftest import CHANGE_EVENTS

TODAY = date(2021, 11, 15)
P = ProposalStatus

RESULT = """
    proposal {
      id status version title body kind channel receivedOn background supportOptions
      response respondedOn identifiedNeeds
      proposer { id }
      department { code }
      collaboration { id }
    }
    errors { field code message }
"""

SUBMIT = (
    """
mutation ($input: ProposalInput!) {
  proposalSubmit(input: $input) {"""
    + RESULT
    + "} }"
)

RESPOND = (
    """
mutation ($id: ID!, $v: Int!, $input: ProposalResponseInput!) {
  proposalRespond(id: $id, expectedVersion: $v, input: $input) {"""
    + RESULT
    + "} }"
)


# ------------------------------------------------------------------ helpers


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class World:
    department_id: int
    department_code: str
    proposer_id: int

    @property
    def proposer_gid(self) -> str:
        return to_global_id("Partner", self.proposer_id)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    department = Department(code=unique("test-dept"), name="テスト課")
    proposer = Partner(kind=PartnerKind.CITIZEN_GROUP, name=unique("テスト町内会"))
    refresh_derived_fields(proposer)
    session.add_all([department, proposer])
    await session.commit()
    assert department.id is not None and proposer.id is not None
    return World(department.id, department.code, proposer.id)


async def make_proposal(
    session: AsyncSession,
    world: World,
    *,
    status: ProposalStatus = P.RECEIVED,
    identified_needs: list[str] | None = None,
    background: str | None = None,
) -> int:
    row = Proposal(
        title=unique("公園の花壇を町内会で世話したい"),
        body="花壇の手入れを町内会が引き受けたい",
        kind=ProposalKind.PLAN,
        channel=ProposalChannel.LETTER,
        received_on=date(2021, 10, 1),
        department_id=world.department_id,
        status=status,
        identified_needs=identified_needs or [],
        background=background,
    )
    session.add(row)
    await session.commit()
    assert row.id is not None
    return row.id


async def make_collaboration(session: AsyncSession, world: World) -> int:
    row = Collaboration(title=unique("花壇の協働"), department_id=world.department_id)
    session.add(row)
    await session.commit()
    assert row.id is not None
    return row.id


def gid(pk: int) -> str:
    return to_global_id("Proposal", pk)


async def audit_count(session: AsyncSession) -> int:
    return (
        await session.execute(
            sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
        )
    ).scalar_one()


async def last_event(session: AsyncSession) -> AuditEvent:
    stmt = sa.select(AuditEvent).where(CHANGE_EVENTS).order_by(col(AuditEvent.id).desc()).limit(1)
    return (await session.execute(stmt)).scalar_one()


async def stored(session: AsyncSession, pk: int) -> tuple[Any, ...]:
    """The stored row, read past the session's identity map."""
    table = Proposal.__table__  # type: ignore[attr-defined]
    return tuple((await session.execute(sa.select(table).where(table.c.id == pk))).one())


async def proposal_count(session: AsyncSession) -> int:
    return (await session.execute(sa.select(sa.func.count()).select_from(Proposal))).scalar_one()


def submit_input(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "公園の花壇を町内会で世話したい",
        "body": "近くの公園の花壇を、町内会で季節ごとに植え替えたいと考えています。",
        "kind": "PLAN",
        "channel": "EMAIL",
        "departmentCode": world.department_code,
    }
    data.update(overrides)
    return data


def errors_of(data: dict[str, Any], name: str) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in data[name]["errors"]]


# ------------------------------------------------------------------ proposalSubmit


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


# ------------------------------------------------------------------ proposalRespond


async def test_respond_under_consideration_stores_the_findings_and_records_one_event(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_proposal(session, world)
    events = await audit_count(session)
    answer = {
        "decision": "UNDER_CONSIDERATION",
        "background": "花壇の手入れをする人が足りていない",
        "supportOptions": "苗と道具は市が用意できる",
        "response": "担当課で検討しています。12月中にお答えします。",
        "identifiedNeeds": ["花壇の担い手不足"],
    }

    # when
    data = await gql(RESPOND, {"id": gid(pk), "v": 1, "input": answer}, today=TODAY)

    # then
    result = data["proposalRespond"]
    assert result["errors"] == []
    answered = result["proposal"]
    assert (answered["status"], answered["version"], answered["respondedOn"]) == (
        "UNDER_CONSIDERATION",
        2,
        TODAY.isoformat(),
    )
    assert answered["background"] == answer["background"]
    assert answered["supportOptions"] == answer["supportOptions"]
    assert answered["response"] == answer["response"]
    assert answered["identifiedNeeds"] == ["花壇の担い手不足"]
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_type, event.entity_id) == (
        "proposal.respond",
        "Proposal",
        str(pk),
    )
    assert event.changes == {
        "status": {"before": "RECEIVED", "after": "UNDER_CONSIDERATION"},
        "background": {"before": None, "after": answer["background"]},
        "support_options": {"before": None, "after": answer["supportOptions"]},
        "response": {"before": None, "after": answer["response"]},
        "responded_on": {"before": None, "after": TODAY.isoformat()},
        "identified_needs": {"before": [], "after": ["花壇の担い手不足"]},
    }


@pytest.mark.parametrize("response", [None, "", "　"])
async def test_not_adopting_without_a_reason_is_refused(
    session: AsyncSession, gql: Any, world: World, response: str | None
) -> None:
    # given
    pk = await make_proposal(session, world)
    before, events = await stored(session, pk), await audit_count(session)
    answer: dict[str, Any] = {"decision": "NOT_ADOPTED", "identifiedNeeds": ["担い手不足"]}
    if response is not None:
        answer["response"] = response

    # when
    data = await gql(RESPOND, {"id": gid(pk), "v": 1, "input": answer}, today=TODAY)

    # then
    assert errors_of(data, "proposalRespond") == [("REASON_REQUIRED", ["input", "response"])]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


async def test_not_adopting_keeps_the_needs_learned_and_adds_the_new_ones(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_proposal(
        session, world, status=P.UNDER_CONSIDERATION, identified_needs=["担い手不足", "水やり"]
    )
    reason = (
        "この公園は来年工事をするため、花壇をいったん無くします。"
        "工事のあとにまた相談させてください。"
    )
    answer = {
        "decision": "NOT_ADOPTED",
        "response": reason,
        "identifiedNeeds": ["水やり", " 道具置き場 ", "", "担い手不足", "道具置き場"],
    }

    # when
    data = await gql(RESPOND, {"id": gid(pk), "v": 1, "input": answer}, today=TODAY)

    # then
    answered = data["proposalRespond"]["proposal"]
    assert (answered["status"], answered["response"]) == ("NOT_ADOPTED", reason)
    assert answered["identifiedNeeds"] == ["担い手不足", "水やり", "道具置き場"]


async def test_an_answer_without_needs_keeps_the_stored_needs(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_proposal(session, world, identified_needs=["担い手不足"])

    # when
    data = await gql(
        RESPOND,
        {
            "id": gid(pk),
            "v": 1,
            "input": {"decision": "UNDER_CONSIDERATION", "identifiedNeeds": None},
        },
        today=TODAY,
    )

    # then
    assert data["proposalRespond"]["proposal"]["identifiedNeeds"] == ["担い手不足"]


async def test_fields_left_out_of_an_answer_keep_their_value(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_proposal(
        session, world, status=P.UNDER_CONSIDERATION, background="担い手が足りない"
    )

    # when
    data = await gql(
        RESPOND,
        {
            "id": gid(pk),
            "v": 1,
            "input": {"decision": "UNDER_CONSIDERATION", "supportOptions": None},
        },
        today=TODAY,
    )

    # then
    answered = data["proposalRespond"]["proposal"]
    assert (answered["background"], answered["supportOptions"]) == ("担い手が足りない", None)


async def test_adopting_links_the_collaboration_it_became(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_proposal(session, world, status=P.UNDER_CONSIDERATION)
    collaboration = await make_collaboration(session, world)
    collaboration_gid = to_global_id("Collaboration", collaboration)
    events = await audit_count(session)

    # when
    data = await gql(
        RESPOND,
        {
            "id": gid(pk),
            "v": 1,
            "input": {
                "decision": "ADOPTED",
                "response": "来春から一緒に進めましょう。",
                "collaborationId": collaboration_gid,
            },
        },
        today=TODAY,
    )

    # then
    answered = data["proposalRespond"]["proposal"]
    assert answered["status"] == "ADOPTED"
    assert answered["collaboration"]["id"] == collaboration_gid
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert event.changes is not None
    assert event.changes["collaboration_id"] == {"before": None, "after": collaboration}


@pytest.mark.parametrize(
    ("decision", "collaboration", "code"),
    [
        ("UNDER_CONSIDERATION", "existing", "INVALID"),
        ("ADOPTED", "missing", "NOT_FOUND"),
        ("ADOPTED", "wrong type", "INVALID"),
    ],
)
async def test_respond_refuses_a_collaboration_link_that_does_not_fit(
    session: AsyncSession,
    gql: Any,
    world: World,
    decision: str,
    collaboration: str,
    code: str,
) -> None:
    # given
    pk = await make_proposal(session, world)
    collaboration_gid = {
        "existing": to_global_id("Collaboration", await make_collaboration(session, world)),
        "missing": to_global_id("Collaboration", 987_654_321),
        "wrong type": to_global_id("Partner", 1),
    }[collaboration]
    before, events = await stored(session, pk), await audit_count(session)
    answer = {"decision": decision, "collaborationId": collaboration_gid}

    # when
    result = await gql.raw(RESPOND, {"id": gid(pk), "v": 1, "input": answer}, today=TODAY)

    # then
    assert result["errors"] == []
    assert errors_of(result["data"], "proposalRespond") == [(code, ["input", "collaborationId"])]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


@pytest.mark.parametrize("status", [P.ADOPTED, P.NOT_ADOPTED])
async def test_a_final_answer_stands(
    session: AsyncSession, gql: Any, world: World, status: ProposalStatus
) -> None:
    # given
    pk = await make_proposal(session, world, status=status)
    before, events = await stored(session, pk), await audit_count(session)
    answer = {"decision": "UNDER_CONSIDERATION", "response": "もう一度考えます"}

    # when
    data = await gql(RESPOND, {"id": gid(pk), "v": 1, "input": answer}, today=TODAY)

    # then
    assert errors_of(data, "proposalRespond") == [("INVALID_TRANSITION", ["input", "decision"])]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


async def test_respond_refuses_more_than_100_needs(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_proposal(session, world)
    before = await stored(session, pk)
    answer = {
        "decision": "UNDER_CONSIDERATION",
        "identifiedNeeds": [f"課題{i}" for i in range(101)],
    }

    # when
    data = await gql(RESPOND, {"id": gid(pk), "v": 1, "input": answer}, today=TODAY)

    # then
    assert errors_of(data, "proposalRespond") == [("INVALID", ["input", "identifiedNeeds"])]
    assert await stored(session, pk) == before


# ------------------------------------------------------------------ versions and ids


async def test_a_stale_expected_version_is_a_version_conflict_and_changes_nothing(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given: someone else already answered (version 2)
    pk = await make_proposal(session, world)
    await session.execute(sa.update(Proposal).where(col(Proposal.id) == pk).values(version=2))
    await session.commit()
    before, events = await stored(session, pk), await audit_count(session)

    # when
    data = await gql(
        RESPOND, {"id": gid(pk), "v": 1, "input": {"decision": "UNDER_CONSIDERATION"}}, today=TODAY
    )

    # then
    assert data["proposalRespond"]["proposal"] is None
    assert errors_of(data, "proposalRespond") == [("VERSION_CONFLICT", ["expectedVersion"])]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


async def test_an_unknown_proposal_is_not_found(gql: Any) -> None:
    # when
    data = await gql(
        RESPOND, {"id": gid(987_654_321), "v": 1, "input": {"decision": "UNDER_CONSIDERATION"}}
    )

    # then
    assert errors_of(data, "proposalRespond") == [("NOT_FOUND", ["id"])]


async def test_an_id_of_another_type_is_invalid_in_the_payload(gql: Any) -> None:
    # when
    result = await gql.raw(
        RESPOND,
        {"id": to_global_id("Partner", 1), "v": 1, "input": {"decision": "UNDER_CONSIDERATION"}},
    )

    # then
    assert result["errors"] == []
    assert errors_of(result["data"], "proposalRespond") == [("INVALID", ["id"])]
