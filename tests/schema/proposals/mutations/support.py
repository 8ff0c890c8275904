"""Helpers shared by the tests of this package (Proposal mutations through the API (rule 12, 第2章3; rule 15))."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import ProposalChannel, ProposalKind, ProposalStatus
from kyodo.domain.proposals.models import Proposal
from kyodo.schema.node import to_global_id
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
