"""auditEvents: newest first, one entity's events by its global id, paginated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.models import AuditEvent
from kyodo.schema.node import to_global_id

EVENTS = """
query ($entityId: ID, $first: Int, $after: String) {
  auditEvents(entityId: $entityId, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id occurredAt actor action entityType entityId changes } }
  }
}
"""

NODE = """
query ($id: ID!) {
  node(id: $id) { id ... on AuditEvent { action entityId } }
}
"""

# An entity no demo row refers to, so its events are the test's alone.
# Events store the entity's type and primary key; the API speaks global ids.
ENTITY_PK = 987_654_321
ENTITY_ID = str(to_global_id("Partner", ENTITY_PK))


async def _record(
    session: AsyncSession, *, action: str, at: datetime, entity_pk: int = ENTITY_PK
) -> AuditEvent:
    event = AuditEvent(
        occurred_at=at,
        actor="tester",
        action=action,
        entity_type="Partner",
        entity_id=str(entity_pk),
        changes={"name": ["旧名", "新名"]},
    )
    session.add(event)
    await session.flush()
    return event


async def test_audit_events_of_one_entity_are_read_back_newest_first(
    session: AsyncSession, gql: Any
) -> None:
    # given
    start = datetime(2022, 3, 10, 0, 0, tzinfo=UTC)
    await _record(session, action="partnerCreate", at=start)
    await _record(session, action="partnerUpdate", at=start + timedelta(hours=1))
    await _record(
        session,
        action="partnerUpdate",
        at=start,
        entity_pk=987_654_322,
    )

    # when
    data = await gql(EVENTS, {"entityId": ENTITY_ID})

    # then
    events = data["auditEvents"]
    assert events["totalCount"] == 2
    nodes = [edge["node"] for edge in events["edges"]]
    assert [n["action"] for n in nodes] == ["partnerUpdate", "partnerCreate"]
    assert {n["entityId"] for n in nodes} == {ENTITY_ID}
    assert nodes[0]["actor"] == "tester"
    assert nodes[0]["entityType"] == "Partner"
    assert nodes[0]["changes"] == {"name": ["旧名", "新名"]}
    assert nodes[0]["occurredAt"] == "2022-03-10T10:00:00+09:00"


async def test_audit_events_are_paginated(session: AsyncSession, gql: Any) -> None:
    # given
    start = datetime(2022, 3, 10, tzinfo=UTC)
    for minute in range(3):
        await _record(session, action=f"step{minute}", at=start + timedelta(minutes=minute))

    # when
    first = await gql(EVENTS, {"entityId": ENTITY_ID, "first": 2})
    cursor = first["auditEvents"]["pageInfo"]["endCursor"]
    second = await gql(EVENTS, {"entityId": ENTITY_ID, "first": 2, "after": cursor})

    # then
    assert first["auditEvents"]["totalCount"] == 3
    assert first["auditEvents"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["action"] for e in first["auditEvents"]["edges"]] == ["step2", "step1"]
    assert second["auditEvents"]["pageInfo"]["hasNextPage"] is False
    assert [e["node"]["action"] for e in second["auditEvents"]["edges"]] == ["step0"]


async def test_an_audit_event_is_found_by_its_node_id(session: AsyncSession, gql: Any) -> None:
    # given
    event = await _record(session, action="partnerCreate", at=datetime(2022, 3, 10, tzinfo=UTC))
    assert event.id is not None
    event_id = str(to_global_id("AuditEvent", event.id))

    # when
    data = await gql(NODE, {"id": event_id})

    # then
    assert data["node"] == {"id": event_id, "action": "partnerCreate", "entityId": ENTITY_ID}


async def test_more_than_100_audit_events_per_page_is_refused(gql: Any) -> None:
    # when
    result = await gql.raw(EVENTS, {"first": 101})

    # then
    assert result["errors"][0]["extensions"]["code"] == "INVALID"


async def test_the_audit_log_reads_the_same_on_both_paths(session: AsyncSession) -> None:
    from kyodo.domain.enums import Role
    from kyodo.schema.context import Principal
    from tests.conftest import TEST_ADMIN
    from tests.schema.compiled.both_paths import both_paths

    # given: events of one partner, and one of a record with no node (a plain key)
    start = datetime(2022, 3, 10, 0, 0, tzinfo=UTC)
    first = await _record(session, action="partnerCreate", at=start)
    await _record(session, action="partnerUpdate", at=start + timedelta(hours=1))
    plain = AuditEvent(
        occurred_at=start + timedelta(hours=2),
        actor="cli:tester",
        action="settings.change",
        entity_type="Setting",
        entity_id="kyodo-mode",
        changes=None,
    )
    session.add(plain)
    await session.flush()

    # when / then: the list, one entity's, a later page, and the nodes, alike
    everything = await both_paths(session, EVENTS, {"first": 2}, principal=TEST_ADMIN)
    assert everything["auditEvents"]["edges"][0]["node"]["entityId"] == "kyodo-mode"
    cursor = everything["auditEvents"]["pageInfo"]["endCursor"]
    later = await both_paths(session, EVENTS, {"first": 2, "after": cursor}, principal=TEST_ADMIN)
    assert later["auditEvents"]["edges"]
    mine = await both_paths(session, EVENTS, {"entityId": ENTITY_ID}, principal=TEST_ADMIN)
    assert [e["node"]["action"] for e in mine["auditEvents"]["edges"]] == [
        "partnerUpdate",
        "partnerCreate",
    ]
    event_id = str(to_global_id("AuditEvent", first.id or 0))
    node = await both_paths(session, NODE, {"id": event_id}, principal=TEST_ADMIN)
    assert node["node"]["entityId"] == ENTITY_ID
    staff = Principal(name="職員", role=Role.STAFF, department_code="kyodo")
    assert (await both_paths(session, NODE, {"id": event_id}, principal=staff))["node"] is None
