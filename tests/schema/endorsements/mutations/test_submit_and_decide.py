"""Endorsement mutations (rule 11): endorsementApplicationSubmit and endorsementApplicationDecide.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.schema.node import to_global_id

from .support import (
    DECIDE,
    SUBMIT,
    TODAY,
    E,
    World,
    application_count,
    audit_count,
    errors_of,
    gid,
    last_event,
    make_endorsement,
    stored,
    submit_input,
)


async def test_submit_stores_the_application_and_records_one_event(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    events = await audit_count(session)

    # when
    data = await gql(SUBMIT, {"input": submit_input(world, requestedFundingYen=0)}, today=TODAY)

    # then
    result = data["endorsementApplicationSubmit"]
    assert result["errors"] == []
    created = result["application"]
    assert (created["status"], created["version"]) == ("SUBMITTED", 1)
    assert created["organizer"]["id"] == world.organizer_gid
    assert created["department"]["code"] == world.department_code
    assert created["contributesToCityPolicy"] is None
    assert created["screening"]["eligible"] is False
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_type) == (
        "endorsementApplication.submit",
        "EndorsementApplication",
    )
    assert gid(int(event.entity_id)) == created["id"]
    assert event.changes is not None
    assert event.changes["status"] == {"before": None, "after": "SUBMITTED"}
    assert event.changes["submitted_on"] == {"before": None, "after": TODAY.isoformat()}


async def test_submit_stores_the_checklist_answers_once_each_in_the_guideline_order(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    answers = ["RISK_OF_ILLEGALITY", "FOR_PROFIT", "RISK_OF_ILLEGALITY"]

    # when
    data = await gql(SUBMIT, {"input": submit_input(world, disqualifiers=answers)}, today=TODAY)

    # then
    created = data["endorsementApplicationSubmit"]["application"]
    assert created["disqualifiers"] == ["FOR_PROFIT", "RISK_OF_ILLEGALITY"]
    assert created["screening"]["disqualifiers"] == ["FOR_PROFIT", "RISK_OF_ILLEGALITY"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        (
            {"requestedFundingYen": 1},
            "FINANCIAL_SUPPORT_NOT_ALLOWED",
            ["input", "requestedFundingYen"],
        ),
        ({"requestedFundingYen": -1}, "INVALID", ["input", "requestedFundingYen"]),
        ({"eventEndsOn": "2021-10-02"}, "INVALID", ["input", "eventEndsOn"]),
        ({"eventName": " "}, "REQUIRED", ["input", "eventName"]),
        ({"purpose": ""}, "REQUIRED", ["input", "purpose"]),
        ({"departmentCode": "no-such-department"}, "NOT_FOUND", ["input", "departmentCode"]),
        (
            {"organizerId": to_global_id("Partner", 987_654_321)},
            "NOT_FOUND",
            ["input", "organizerId"],
        ),
        (
            {"organizerId": to_global_id("Department", 1)},
            "INVALID",
            ["input", "organizerId"],
        ),
    ],
)
async def test_submit_refuses_an_invalid_application_and_writes_nothing(
    session: AsyncSession,
    gql: Any,
    world: World,
    overrides: dict[str, Any],
    code: str,
    field: list[str],
) -> None:
    # given
    events, applications = await audit_count(session), await application_count(session)

    # when
    result = await gql.raw(SUBMIT, {"input": submit_input(world, **overrides)}, today=TODAY)

    # then
    assert result["errors"] == []
    data = result["data"]
    assert data["endorsementApplicationSubmit"]["application"] is None
    assert errors_of(data, "endorsementApplicationSubmit") == [(code, field)]
    assert await application_count(session) == applications
    assert await audit_count(session) == events


async def test_approve_an_eligible_application_stores_the_decision(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_endorsement(session, world)
    events = await audit_count(session)

    # when
    data = await gql(DECIDE, {"id": gid(pk), "v": 1, "approve": True, "policy": True}, today=TODAY)

    # then
    result = data["endorsementApplicationDecide"]
    assert result["errors"] == []
    approved = result["application"]
    assert (approved["status"], approved["contributesToCityPolicy"], approved["decidedOn"]) == (
        "APPROVED",
        True,
        TODAY.isoformat(),
    )
    assert approved["screening"]["eligible"] is True
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_type, event.entity_id) == (
        "endorsementApplication.approve",
        "EndorsementApplication",
        str(pk),
    )
    assert event.changes == {
        "status": {"before": "SUBMITTED", "after": "APPROVED"},
        "contributes_to_city_policy": {"before": None, "after": True},
        "decided_on": {"before": None, "after": TODAY.isoformat()},
    }


async def test_approve_refuses_an_application_with_a_disqualifier(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_endorsement(session, world, disqualifiers=["FOR_PROFIT"])
    before, events = await stored(session, pk), await audit_count(session)

    # when
    data = await gql(DECIDE, {"id": gid(pk), "v": 1, "approve": True, "policy": True}, today=TODAY)

    # then
    assert errors_of(data, "endorsementApplicationDecide") == [("ENDORSEMENT_DISQUALIFIED", None)]
    assert "営利" in data["endorsementApplicationDecide"]["errors"][0]["message"]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


async def test_approve_refuses_an_event_not_judged_to_advance_city_policy(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_endorsement(session, world)
    before, events = await stored(session, pk), await audit_count(session)

    # when
    data = await gql(DECIDE, {"id": gid(pk), "v": 1, "approve": True, "policy": False}, today=TODAY)

    # then
    assert errors_of(data, "endorsementApplicationDecide") == [
        ("ENDORSEMENT_DISQUALIFIED", ["contributesToCityPolicy"])
    ]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


@pytest.mark.parametrize("reason", [None, "", " 　"])
async def test_reject_without_a_reason_is_refused(
    session: AsyncSession, gql: Any, world: World, reason: str | None
) -> None:
    # given
    pk = await make_endorsement(session, world, disqualifiers=["FOR_PROFIT"])
    before, events = await stored(session, pk), await audit_count(session)

    # when
    data = await gql(
        DECIDE,
        {"id": gid(pk), "v": 1, "approve": False, "policy": False, "reason": reason},
        today=TODAY,
    )

    # then
    assert errors_of(data, "endorsementApplicationDecide") == [("REASON_REQUIRED", ["reason"])]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


async def test_reject_with_a_reason_stores_it(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_endorsement(session, world, disqualifiers=["FOR_PROFIT"])
    events = await audit_count(session)
    reason = "入場料を取って利益を得る催しのため、市の名前はお貸しできません。"

    # when
    data = await gql(
        DECIDE,
        {
            "id": gid(pk),
            "v": 1,
            "approve": False,
            "policy": True,
            "reason": reason,
            "on": "2021-08-25",
        },
        today=TODAY,
    )

    # then
    rejected = data["endorsementApplicationDecide"]["application"]
    assert (rejected["status"], rejected["decisionReason"], rejected["decidedOn"]) == (
        "REJECTED",
        reason,
        "2021-08-25",
    )
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert event.action == "endorsementApplication.reject"
    assert event.changes is not None
    assert event.changes["decision_reason"] == {"before": None, "after": reason}


async def test_decide_refuses_an_application_already_decided(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    pk = await make_endorsement(session, world, status=E.APPROVED)
    before, events = await stored(session, pk), await audit_count(session)

    # when
    data = await gql(DECIDE, {"id": gid(pk), "v": 1, "approve": True, "policy": True}, today=TODAY)

    # then
    assert errors_of(data, "endorsementApplicationDecide") == [("INVALID_TRANSITION", None)]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


async def test_decide_refuses_a_decision_dated_before_the_application(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given: submitted on 2021-08-20
    pk = await make_endorsement(session, world)
    before = await stored(session, pk)

    # when
    data = await gql(
        DECIDE,
        {"id": gid(pk), "v": 1, "approve": True, "policy": True, "on": "2021-08-19"},
        today=TODAY,
    )

    # then
    assert errors_of(data, "endorsementApplicationDecide") == [("INVALID", ["decidedOn"])]
    assert await stored(session, pk) == before
