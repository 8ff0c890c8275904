"""Helpers shared by the tests of this package (Endorsement mutations through the API (rule 11, 第3章(7); rule 15))."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import EndorsementStatus
from kyodo.schema.node import to_global_id
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
