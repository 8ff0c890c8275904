"""GraphQL types of audit events (監査記録)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from domain.audit import service as audit
from domain.audit.models import AuditEvent
from schema.common import aware
from schema.node import Node, register_node, to_global_id
from schema.permissions import can_read_audit


@strawberry.type(name="AuditEvent")
class AuditEventType(Node):
    id: strawberry.ID
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: strawberry.ID
    changes: JSON | None

    @classmethod
    def from_row(cls, row: AuditEvent) -> AuditEventType:
        assert row.id is not None
        return cls(
            id=to_global_id("AuditEvent", row.id),
            occurred_at=aware(row.occurred_at),
            actor=row.actor,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=to_global_id(row.entity_type, int(row.entity_id))
            if row.entity_id.isdigit()
            else strawberry.ID(row.entity_id),
            changes=row.changes,
        )


register_node(
    "AuditEvent",
    batch=audit.get_many,
    convert=AuditEventType.from_row,
    visible=lambda context, _row: can_read_audit(context),
)
