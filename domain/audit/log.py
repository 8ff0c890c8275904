"""Writing audit events (rule 15): one event per committed change, in its transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.models import AuditEvent
from domain.base import utcnow


def json_value(value: Any) -> Any:
    """A JSON-safe rendering of a column value (dates as ISO strings, enums by name)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def snapshot(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: json_value(getattr(row, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """{field: {"before": old, "after": new}} for the fields whose value changed."""
    changes: dict[str, Any] = {}
    for name in sorted(set(before) | set(after)):
        old, new = json_value(before.get(name)), json_value(after.get(name))
        if old != new:
            changes[name] = {"before": old, "after": new}
    return changes


async def record_event(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: int | str,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction (it commits or rolls back with it).

    ``entity_type`` is the entity's type name (e.g. ``Partner``) and ``entity_id`` its
    primary key, so the API can rebuild the entity's global id.
    """
    event = AuditEvent(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        changes=json_value(dict(changes)) if changes is not None else None,
    )
    session.add(event)
    await session.flush()
    return event


PERSONAL_DATA_READ = "personal_data.read"


async def record_personal_data_reads(
    session: AsyncSession,
    *,
    actor: str,
    reads: Mapping[tuple[str, int], Iterable[str]],
    request_id: str = "",
) -> int:
    """Record who read which personal data (APPI: access records), one event per record.

    One event per record lets ``auditEvents(entityId:)`` answer "who read this person's
    data"; the events of one request share its request id.
    """
    rows = [
        {
            "occurred_at": utcnow(),
            "actor": actor,
            "action": PERSONAL_DATA_READ,
            "entity_type": entity_type,
            "entity_id": str(pk),
            "changes": {"fields": sorted(fields), "requestId": request_id},
        }
        for (entity_type, pk), fields in sorted(reads.items())
    ]
    if rows:
        # One executemany, however many records the page returned.
        await session.execute(sa.insert(AuditEvent), rows)
    return len(rows)
