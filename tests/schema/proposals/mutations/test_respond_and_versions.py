"""Proposal mutations (rule 12): proposalRespond, stale versions and ids.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.enums import ProposalStatus
from kyodo.domain.proposals.models import Proposal
from kyodo.schema.node import to_global_id

from .support import (
    RESPOND,
    TODAY,
    P,
    World,
    audit_count,
    errors_of,
    gid,
    last_event,
    make_collaboration,
    make_proposal,
    stored,
)


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
    answer: dict[str, Any] = {
        "decision": "NOT_ADOPTED",
        "background": "担い手が高齢になり、手入れの回数が減っている",
        "supportOptions": "苗の提供はできるが、作業の人手は出せない",
        "identifiedNeeds": ["担い手不足"],
    }
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
        "background": "花壇の横で来年、下水道の工事がある",
        "supportOptions": "工事のあとなら苗と道具を市が用意できる",
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
