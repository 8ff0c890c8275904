"""Queries of audit events (監査記録, rule 15)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kyodo.domain.audit import service as audit
from kyodo.schema.audit.types import AuditEventType
from kyodo.schema.context import Info
from kyodo.schema.node import from_global_id, invalid_id
from kyodo.schema.pagination import (
    Connection,
    PageRequest,
    paged,
    read_page,
)
from kyodo.schema.permissions import CanReadAudit


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="Audit events, newest first; one entity's when entityId is given.",
        permission_classes=[CanReadAudit],
    )
    @paged
    async def audit_events(
        self,
        info: Info,
        page: PageRequest,
        entity_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only the events of this record (its global id)."),
        ] = None,
    ) -> Connection[AuditEventType]:
        entity_type, pk = audited_entity(entity_id)
        return await read_page(
            info,
            AuditEventType.from_row,
            audit.list_events,
            entity_type=entity_type,
            entity_id=pk,
            page=page,
        )


def audited_entity(entity_id: str | None) -> tuple[str | None, str | None]:
    """(entity type, key) of the record ``entityId`` names, as events store them (None,
    None when none is asked for); a broken id is refused."""
    if entity_id is None:
        return None, None
    decoded = from_global_id(entity_id)
    if decoded is None:
        raise invalid_id(entity_id)
    return decoded[0], str(decoded[1])
