"""A "no" to a proposal stands on an investigation (第2章3, rule 22).

「提案に至った背景を十分調査し、『どうやったら実現できるか。』『どんな支援ができるか。』について、
積極的に検討することが必要です。」 NOT_ADOPTED needs the background and the support
options, not only a reason. What every test of this package checks: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from .support import RESPOND, TODAY, World, audit_count, errors_of, gid, make_proposal, stored

BACKGROUND = "近くの公園の花壇は、世話をしていた老人クラブが解散してから荒れている"
SUPPORT = "苗と道具は市が用意できる。水やりの当番は町内会で決めてもらう必要がある"


async def test_a_bare_no_is_refused_with_investigation_required(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given a received proposal
    pk = await make_proposal(session, world)
    before, events = await stored(session, pk), await audit_count(session)

    # when it is answered 「できません。」 and nothing else
    answer = {"decision": "NOT_ADOPTED", "response": "できません。"}
    data = await gql(RESPOND, {"id": gid(pk), "v": 1, "input": answer}, today=TODAY)

    # then INVESTIGATION_REQUIRED on both texts, and nothing is written
    assert errors_of(data, "proposalRespond") == [
        ("INVESTIGATION_REQUIRED", ["input", "background"]),
        ("INVESTIGATION_REQUIRED", ["input", "supportOptions"]),
    ]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        pytest.param({"background": BACKGROUND}, "supportOptions", id="support-missing"),
        pytest.param({"supportOptions": SUPPORT, "background": "  "}, "background", id="blank"),
    ],
)
async def test_each_missing_finding_is_named(
    session: AsyncSession, gql: Any, world: World, sent: dict[str, str], field: str
) -> None:
    # given a received proposal
    pk = await make_proposal(session, world)
    before = await stored(session, pk)

    # when not adopted with a reason and only part of the investigation
    answer = {"decision": "NOT_ADOPTED", "response": "今年度は難しいためです。", **sent}
    data = await gql(RESPOND, {"id": gid(pk), "v": 1, "input": answer}, today=TODAY)

    # then the missing one is named
    assert errors_of(data, "proposalRespond") == [("INVESTIGATION_REQUIRED", ["input", field])]
    assert await stored(session, pk) == before


async def test_findings_recorded_while_under_consideration_count(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given: the background and support options were recorded with an interim answer
    pk = await make_proposal(session, world)
    interim = {
        "decision": "UNDER_CONSIDERATION",
        "background": BACKGROUND,
        "supportOptions": SUPPORT,
    }
    first = await gql(RESPOND, {"id": gid(pk), "v": 1, "input": interim}, today=TODAY)
    assert first["proposalRespond"]["errors"] == []
    events = await audit_count(session)

    # when it is then not adopted with a reason only
    reason = "水やりの当番を決められる団体が見つからないため、今回は採用できません。"
    answer = {"decision": "NOT_ADOPTED", "response": reason}
    data = await gql(RESPOND, {"id": gid(pk), "v": 2, "input": answer}, today=TODAY)

    # then the answer stands on the findings already stored
    answered = data["proposalRespond"]
    assert answered["errors"] == []
    assert answered["proposal"]["status"] == "NOT_ADOPTED"
    assert answered["proposal"]["background"] == BACKGROUND
    assert answered["proposal"]["supportOptions"] == SUPPORT
    assert await audit_count(session) == events + 1


async def test_clearing_a_stored_finding_in_the_no_is_refused(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given: a background recorded earlier
    pk = await make_proposal(session, world, background=BACKGROUND)
    before = await stored(session, pk)

    # when the "no" clears it
    answer = {
        "decision": "NOT_ADOPTED",
        "response": "今回は採用できません。",
        "background": None,
        "supportOptions": SUPPORT,
    }
    data = await gql(RESPOND, {"id": gid(pk), "v": 1, "input": answer}, today=TODAY)

    # then refused: the answer would stand on nothing
    assert errors_of(data, "proposalRespond") == [
        ("INVESTIGATION_REQUIRED", ["input", "background"])
    ]
    assert await stored(session, pk) == before
