"""The authorisation matrix: the Query and Subscription tables.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import ExecutionResult

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.disasters.models import (
    SupportRequest,
)
from kyodo.domain.events import ChangeEvent
from kyodo.schema import schema
from kyodo.schema.node import to_global_id
from kyodo.schema.subscriptions import SubscriptionContext
from tests.conftest import GraphQLClient

from .support import (
    QUERIES,
    QUERY_CASES,
    QUERY_ROLES,
    SUBSCRIPTION_MATRIX,
    SUBSCRIPTIONS,
    TODAY,
    cases,
    demo_id,
    principal,
)


@pytest.mark.parametrize(("field", "role", "allowed"), QUERY_CASES)
async def test_query_field_access(
    session: AsyncSession, gql: GraphQLClient, field: str, role: str, allowed: bool
) -> None:
    # given a published demo collaboration (for node/nodes)
    pk = await demo_id(session, Collaboration, "demo-collab-kadan-supporter")
    variables = {"id": str(to_global_id("Collaboration", pk))} if "$id" in QUERIES[field] else None
    # when
    result = await gql.raw(QUERIES[field], variables, today=TODAY, principal=principal(role))
    # then
    if allowed:
        assert result["errors"] == []
        assert result["data"][field] not in (None, [None])
    else:
        assert [(e["path"], e["extensions"].get("code")) for e in result["errors"]] == [
            ([field], "FORBIDDEN")
        ]
        assert result["errors"][0]["message"] == "この情報を見る権限がありません。"


# The change each subscription is sent: (topic, kind, entity type, its table).
SUBSCRIPTION_EVENTS: dict[str, tuple[str, str, str, type[Any]]] = {
    "agreementChanged": ("agreement", "CONTACTS_VERIFIED", "Agreement", Agreement),
    "contactsVerified": ("agreement", "CONTACTS_VERIFIED", "Agreement", Agreement),
    "supportRequestChanged": ("support_request", "ANSWERED", "SupportRequest", SupportRequest),
}


SUBSCRIPTION_CASES = cases(SUBSCRIPTION_MATRIX, QUERY_ROLES)


@dataclass
class OneEvent:
    """An event source (schema.subscriptions.EventSource) that announces one change."""

    event: ChangeEvent

    async def listen(self, topic: str) -> AsyncIterator[ChangeEvent]:
        if topic == self.event.topic:
            yield self.event


@pytest.mark.parametrize(("field", "role", "allowed"), SUBSCRIPTION_CASES)
async def test_subscription_field_access(
    session: AsyncSession, field: str, role: str, allowed: bool
) -> None:
    # given a demo record the subscription follows, just changed
    topic, kind, entity_type, table = SUBSCRIPTION_EVENTS[field]
    pk = await session.scalar(sa.select(sa.func.min(table.id)))
    assert pk is not None
    event = ChangeEvent(topic, kind, entity_type, pk, datetime.now(UTC))

    @asynccontextmanager
    async def this_session() -> AsyncIterator[AsyncSession]:
        yield session

    context = SubscriptionContext(
        session=session,
        principal=principal(role),
        events=OneEvent(event),
        sessions=this_session,
    )
    # when
    stream = await schema.subscribe(SUBSCRIPTIONS[field], context_value=context)
    results = [stream] if isinstance(stream, ExecutionResult) else [r async for r in stream]
    # then
    assert len(results) == 1
    errors = [(e.path, (e.extensions or {}).get("code")) for e in results[0].errors or []]
    if allowed:
        assert errors == []
        assert results[0].data is not None
        assert results[0].data[field]["kind"] == kind
    else:
        assert errors == [([field], "FORBIDDEN")]
        assert results[0].errors is not None
        assert results[0].errors[0].message == "この情報を見る権限がありません。"
