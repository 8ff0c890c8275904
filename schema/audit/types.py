"""GraphQL types of audit events (監査記録)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from kyodo.domain.audit import service as audit
from kyodo.domain.audit.models import AuditEvent
from kyodo.schema.node import Node, register_node, to_global_id
from kyodo.schema.permissions import can_read_audit
from kyodo.schema.rows import from_row


@strawberry.type(
    name="AuditEvent",
    description="One committed change (監査記録, rule 15): who did what to which record. "
    "ADMIN only.",
)
class AuditEventType(Node):
    occurred_at: datetime = strawberry.field(description="When the change was committed.")
    actor: str = strawberry.field(
        description="Who made it: the token's holder, or cli:<user> for the command line."
    )
    action: str = strawberry.field(description="What was done, e.g. agreement.conclude.")
    entity_type: str = strawberry.field(description="Type of the record changed, e.g. Agreement.")
    entity_id: strawberry.ID = strawberry.field(
        description="Global id of the record changed (a plain key for records with no node)."
    )
    changes: JSON | None = strawberry.field(
        description="The fields changed, each as {before, after}; null when none were recorded."
    )

    @classmethod
    def from_row(cls, row: AuditEvent) -> AuditEventType:
        return from_row(cls, row, entity_id=entity_global_id(row))


def entity_global_id(row: Any) -> strawberry.ID:
    """The global id of the record an event names (a plain key for records with no
    node: not all digits)."""
    if row.entity_id.isdigit():
        return to_global_id(row.entity_type, int(row.entity_id))
    return strawberry.ID(row.entity_id)


register_node(
    "AuditEvent",
    batch=audit.get_many,
    convert=AuditEventType.from_row,
    visible=lambda context, _row: can_read_audit(context),
)
