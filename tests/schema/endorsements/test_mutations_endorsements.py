"""Endorsement mutations through the API (rule 11, 第3章(7); rule 15).

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
from domain.endorsements.models import EndorsementApplication
from domain.enums import EndorsementStatus, PartnerKind
from domain.partners.models import Partner
from domain.partners.service import refresh_derived_fields
from domain.reference.models import Department
from schema.node import to_global_id
from tests.conftest import CHANGE_EVENTS

TODAY = date(2021, 9, 1)
E = EndorsementStatus

RESULT = """
    application {
      id status version eventName eventStartsOn eventEndsOn venue purpose expectedAudience
      disqualifiers contributesToCityPolicy decidedOn decisionReason
      organizer { id }
      department { code }
      screening { eligible disqualifiers reasons }
    }
    errors { field code message }
"""

SUBMIT = (
    """
mutation ($input: EndorsementApplicationInput!) {
  endorsementApplicationSubmit(input: $input) {"""
    + RESULT
    + "} }"
)

DECIDE = (
    """
mutation ($id: ID!, $v: Int!, $approve: Boolean!, $policy: Boolean!, $reason: String, $on: Date) {
  endorsementApplicationDecide(
    id: $id, expectedVersion: $v, approve: $approve, contributesToCityPolicy: $policy,
    reason: $reason, decidedOn: $on
  ) {"""
    + RESULT
    + "} }"
)

WITHDRAW = (
    """
mutation ($id: ID!, $v: Int!) {
  endorsementApplicationWithdraw(id: $id, expectedVersion: $v) {"""
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
    organizer_id: int

    @property
    def organizer_gid(self) -> str:
        return to_global_id("Partner", self.organizer_id)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    department = Department(code=unique("test-dept"), name="テスト課")
    organizer = Partner(kind=PartnerKind.NPO, name=unique("テスト環境ネットワーク"))
    refresh_derived_fields(organizer)
    session.add_all([department, organizer])
    await session.commit()
    assert department.id is not None and organizer.id is not None
    return World(department.id, department.code, organizer.id)


async def make_endorsement(
    session: AsyncSession,
    world: World,
    *,
    status: EndorsementStatus = E.SUBMITTED,
    disqualifiers: list[str] | None = None,
) -> int:
    row = EndorsementApplication(
        event_name=unique("クリーンアップ"),
        organizer_id=world.organizer_id,
        department_id=world.department_id,
        event_starts_on=date(2021, 10, 3),
        purpose="海岸のごみを拾う",
        disqualifiers=disqualifiers or [],
        status=status,
        submitted_on=date(2021, 8, 20),
    )
    session.add(row)
    await session.commit()
    assert row.id is not None
    return row.id


def gid(pk: int) -> str:
    return to_global_id("EndorsementApplication", pk)


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
    table = EndorsementApplication.__table__  # type: ignore[attr-defined]
    return tuple((await session.execute(sa.select(table).where(table.c.id == pk))).one())


async def application_count(session: AsyncSession) -> int:
    stmt = sa.select(sa.func.count()).select_from(EndorsementApplication)
    return (await session.execute(stmt)).scalar_one()


def submit_input(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "eventName": "ラブアース・クリーンアップ in 北海道 2021",
        "organizerId": world.organizer_gid,
        "departmentCode": world.department_code,
        "eventStartsOn": "2021-10-03",
        "eventEndsOn": "2021-10-03",
        "venue": "海岸",
        "purpose": "海岸のごみを拾い、環境を考えるきっかけにする",
        "expectedAudience": "市民どなたでも",
        "disqualifiers": [],
    }
    data.update(overrides)
    return data


def errors_of(data: dict[str, Any], name: str) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in data[name]["errors"]]


# ------------------------------------------------------------------ endorsementApplicationSubmit


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


# ------------------------------------------------------------------ endorsementApplicationDecide


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


# ------------------------------------------------------------------ endorsementApplicationWithdraw


@pytest.mark.parametrize("status", [E.SUBMITTED, E.APPROVED])
async def test_withdraw_ends_a_pending_or_approved_application(
    session: AsyncSession, gql: Any, world: World, status: EndorsementStatus
) -> None:
    # given
    pk = await make_endorsement(session, world, status=status)
    events = await audit_count(session)

    # when
    data = await gql(WITHDRAW, {"id": gid(pk), "v": 1})

    # then
    withdrawn = data["endorsementApplicationWithdraw"]["application"]
    assert (withdrawn["status"], withdrawn["version"]) == ("WITHDRAWN", 2)
    assert await audit_count(session) == events + 1
    event = await last_event(session)
    assert (event.action, event.entity_id) == ("endorsementApplication.withdraw", str(pk))
    assert event.changes == {"status": {"before": status.value, "after": "WITHDRAWN"}}


@pytest.mark.parametrize("status", [E.REJECTED, E.WITHDRAWN])
async def test_withdraw_refuses_a_closed_application(
    session: AsyncSession, gql: Any, world: World, status: EndorsementStatus
) -> None:
    # given
    pk = await make_endorsement(session, world, status=status)
    before, events = await stored(session, pk), await audit_count(session)

    # when
    data = await gql(WITHDRAW, {"id": gid(pk), "v": 1})

    # then
    assert errors_of(data, "endorsementApplicationWithdraw") == [("INVALID_TRANSITION", None)]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


# ------------------------------------------------------------------ versions and ids


@pytest.mark.parametrize(
    ("name", "mutation", "extra"),
    [
        ("endorsementApplicationDecide", DECIDE, {"approve": True, "policy": True}),
        ("endorsementApplicationWithdraw", WITHDRAW, {}),
    ],
)
async def test_a_stale_expected_version_is_a_version_conflict_and_changes_nothing(
    session: AsyncSession,
    gql: Any,
    world: World,
    name: str,
    mutation: str,
    extra: dict[str, Any],
) -> None:
    # given: someone else already moved the row to version 2
    pk = await make_endorsement(session, world)
    await session.execute(
        sa.update(EndorsementApplication)
        .where(col(EndorsementApplication.id) == pk)
        .values(version=2)
    )
    await session.commit()
    before, events = await stored(session, pk), await audit_count(session)

    # when
    data = await gql(mutation, {"id": gid(pk), "v": 1, **extra}, today=TODAY)

    # then
    assert data[name]["application"] is None
    assert errors_of(data, name) == [("VERSION_CONFLICT", ["expectedVersion"])]
    assert await stored(session, pk) == before
    assert await audit_count(session) == events


async def test_an_unknown_application_is_not_found(gql: Any) -> None:
    # when
    data = await gql(WITHDRAW, {"id": gid(987_654_321), "v": 1})

    # then
    assert errors_of(data, "endorsementApplicationWithdraw") == [("NOT_FOUND", ["id"])]


async def test_an_id_of_another_type_is_invalid_in_the_payload(gql: Any) -> None:
    # when
    result = await gql.raw(WITHDRAW, {"id": to_global_id("Partner", 1), "v": 1})

    # then
    assert result["errors"] == []
    assert errors_of(result["data"], "endorsementApplicationWithdraw") == [("INVALID", ["id"])]
