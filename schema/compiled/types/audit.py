"""The compiled path's AuditEvent (``schema/audit/types.py``)."""

from __future__ import annotations

from kyodo.schema.audit.types import AuditEventType, entity_global_id
from kyodo.schema.compiled.specs import TypeSpec, Value, columns

AUDIT_EVENT = TypeSpec(
    "AuditEvent",
    "AuditEvent",
    fields={
        **columns(AuditEventType, "AuditEvent"),
        "entityId": Value(("entity_type", "entity_id"), entity_global_id),
    },
)
