"""``disasterEvents`` and ``openSupportRequests``: the activation log the disaster office
watches during an emergency, read with the conditions and order of
``domain.disasters.service`` (one definition, whichever path runs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLField
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.disasters import service as disasters
from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import ArgSite, Request
from kyodo.schema.compiled.writers import completer
from kyodo.schema.context import Context
from kyodo.schema.node import decode_optional_id


def _disaster_events(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``DisasterQueries.disaster_events``: the latest first."""
    builder = planner.builder("DisasterEvent")
    complete = completer(
        definition.type, planner.entity_shape("DisasterEvent", details, builder).write
    )
    site = ArgSite(planner, details, definition, lambda kwargs, _context: kwargs["open_only"])
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        open_only = site.value(request)
        request.slots[slot] = request.query.all(
            builder.fetch,
            conditions=disasters.event_conditions(open_only=open_only),
            order_by=disasters.event_order(),
            key=("disasterEvents", open_only),
        )

    return RootPlan(key, prepare, lambda request: complete(request.slots[slot].value, request))


def _open_support_requests(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``DisasterQueries.open_support_requests``: a malformed eventId is Strawberry's
    INVALID (the request falls back)."""
    builder = planner.builder("SupportRequest")
    complete = completer(
        definition.type, planner.entity_shape("SupportRequest", details, builder).write
    )

    def arguments(kwargs: dict[str, Any], _context: Context) -> int | None:
        return decode_optional_id(kwargs.get("event_id"), "DisasterEvent")

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        event_id = site.value(request)
        request.slots[slot] = request.query.all(
            builder.fetch,
            conditions=lambda: disasters.open_request_conditions(event_id),
            order_by=disasters.request_order(),
            key=("openSupportRequests", event_id),
        )

    def write(request: Request) -> Any:
        return complete(disasters.in_live_order(list(request.slots[slot].value)), request)

    return RootPlan(key, prepare, write)
