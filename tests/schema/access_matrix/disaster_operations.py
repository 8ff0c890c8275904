"""The prepared calls of the activation log's mutations (disaster events, support requests,
contact verifications, capacity reports) for the access matrix, registered in ``OPERATIONS``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.disasters.models import (
    CapacityReport,
    ContactVerification,
    DisasterEvent,
    SupportRequest,
)
from kyodo.domain.enums import (
    DisasterKind,
    SupportAnswer,
    SupportCategory,
    SupportRequestStatus,
)
from kyodo.schema.node import to_global_id
from tests.schema.agreements.factories import make_agreement

from .support import (
    Probe,
    World,
    gid,
    operation,
    unique,
)


async def an_event(session: AsyncSession) -> DisasterEvent:
    event = DisasterEvent(name=unique("（テスト）訓練"), kind=DisasterKind.EXERCISE,
                          started_on=date(2022, 3, 1))  # fmt: skip
    session.add(event)
    await session.flush()
    return event


async def a_request(
    session: AsyncSession, world: World, status: SupportRequestStatus, answer: Any = None
) -> tuple[dict[str, Any], Probe]:
    event = await an_event(session)
    agreement = await make_agreement(
        session,
        department=world.own,
        parties=[world.partner],
        support=[SupportCategory.SUPPLIES],
        concluded_on=date(2020, 4, 1),
        effective_from=date(2020, 4, 1),
    )
    assert event.id is not None and agreement.id is not None and world.partner.id is not None
    moment = datetime(2022, 3, 1, 0, 0, tzinfo=UTC)
    target = SupportRequest(
        event_id=event.id,
        agreement_id=agreement.id,
        partner_id=world.partner.id,
        category=SupportCategory.SUPPLIES,
        what="飲料水",
        requested_by="テスト",
        requested_at=moment,
        status=status,
        answer=answer,
        answered_at=moment if answer else None,
        delivered_at=moment if status is SupportRequestStatus.DELIVERED else None,
    )
    session.add(target)
    await session.flush()
    return {"id": gid("SupportRequest", target), "v": target.version}, Probe(
        SupportRequest, target.id
    )


@operation(
    "disasterEventCreate",
    "$input: DisasterEventInput!",
    "input: $input",
    "event { id }",
)
async def _event_create(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    variables = {
        "input": {"name": unique("（テスト）訓練"), "kind": "EXERCISE", "startedOn": "2022-03-01"}
    }
    return variables, Probe(DisasterEvent)


@operation(
    "disasterEventClose",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, closedOn: "2022-03-02"',
    "event { id }",
)
async def _event_close(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    target = await an_event(session)
    return {"id": gid("DisasterEvent", target), "v": target.version}, Probe(
        DisasterEvent, target.id
    )


@operation(
    "supportRequestCreate",
    "$input: SupportRequestInput!",
    "input: $input",
    "request { id }",
)
async def _request_create(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    variables, _probe = await a_request(session, world, SupportRequestStatus.CLOSED)
    stored = (
        await session.execute(sa.select(SupportRequest).order_by(SupportRequest.id.desc()).limit(1))  # type: ignore[union-attr]
    ).scalar_one()
    variables = {
        "input": {
            "eventId": str(to_global_id("DisasterEvent", stored.event_id)),
            "agreementId": str(to_global_id("Agreement", stored.agreement_id)),
            "partnerId": gid("Partner", world.partner),
            "category": "SUPPLIES",
            "what": "毛布",
            "requestedAt": "2022-03-02T09:00:00+09:00",
        }
    }
    return variables, Probe(SupportRequest)


@operation(
    "supportRequestAnswer",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, answer: ACCEPTED, answeredAt: "2022-03-02T09:00:00+09:00"',
    "request { id }",
)
async def _request_answer(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await a_request(session, world, SupportRequestStatus.REQUESTED)


@operation(
    "supportRequestDeliver",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, deliveredAt: "2022-03-02T09:00:00+09:00"',
    "request { id }",
)
async def _request_deliver(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await a_request(
        session, world, SupportRequestStatus.ANSWERED, answer=SupportAnswer.ACCEPTED
    )


@operation(
    "supportRequestClose",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, closedAt: "2022-03-02T09:00:00+09:00"',
    "request { id }",
)
async def _request_close(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await a_request(
        session, world, SupportRequestStatus.DELIVERED, answer=SupportAnswer.ACCEPTED
    )


@operation(
    "supportRequestCancel",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, reason: "訓練の中止", cancelledAt: "2022-03-02T09:00:00+09:00"',
    "request { id }",
)
async def _request_cancel(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await a_request(session, world, SupportRequestStatus.REQUESTED)


@operation(
    "contactVerificationRecord",
    "$id: ID!",
    'partnerId: $id, verifiedOn: "2022-03-01", outcome: REACHED',
    "verification { verifiedOn }",
)
async def _verification_record(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return {"id": gid("Partner", world.partner)}, Probe(ContactVerification)


@operation(
    "capacityReportRecord",
    "$id: ID!",
    'input: { partnerId: $id, item: "毛布", quantity: 100, unit: "枚", reportedOn: "2022-03-01" }',
    "report { item }",
)
async def _capacity_record(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return {"id": gid("Partner", world.partner)}, Probe(CapacityReport)
