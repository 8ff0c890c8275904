"""Queries of the disaster office's tool: the activation log and its live view."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kyodo.domain.disasters import service as disasters
from kyodo.schema.context import Info
from kyodo.schema.disasters.types import DisasterEventType, SupportRequestType
from kyodo.schema.node import decode_optional_id
from kyodo.schema.permissions import CanReadDisaster
from kyodo.schema.rows import read_rows


@strawberry.type
class DisasterQueries:
    @strawberry.field(
        description="Disaster events and exercises, the latest first; openOnly: not closed.",
        permission_classes=[CanReadDisaster],
    )
    async def disaster_events(
        self,
        info: Info,
        open_only: Annotated[
            bool, strawberry.argument(description="Only the events not closed yet.")
        ] = False,
    ) -> list[DisasterEventType]:
        return await read_rows(
            info, DisasterEventType.from_row, disasters.list_events, open_only=open_only
        )

    @strawberry.field(
        description=(
            "The live view: support requests not closed or cancelled, of one event (eventId) "
            "or of every open event; REQUESTED first, then ANSWERED, then DELIVERED, each "
            "in the order made. A malformed eventId is INVALID; an unknown one gives an "
            "empty list."
        ),
        permission_classes=[CanReadDisaster],
    )
    async def open_support_requests(
        self,
        info: Info,
        event_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Global id of one event; every open event if omitted."),
        ] = None,
    ) -> list[SupportRequestType]:
        pk = decode_optional_id(event_id, "DisasterEvent")
        return await read_rows(
            info, SupportRequestType.from_row, disasters.open_requests, event_id=pk
        )
