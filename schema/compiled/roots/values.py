"""Root fields whose value the resolver builds without reading the database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLField
from graphql.execution.collect_fields import FieldDetails

from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import ArgSite, Fallback, Request, Writer
from kyodo.schema.compiled.writers import completer
from kyodo.schema.context import Context


async def _nothing(_request: Request) -> None:
    return None


def _values(
    type_name: str,
    values: Callable[..., Any],
    arguments: Callable[[dict[str, Any], Context], Any] | None = None,
) -> Callable[[Planner, str, Sequence[FieldDetails], GraphQLField], RootPlan]:
    """Value objects the resolver builds without reading the database (``viewer``,
    ``collaborationForms``, ``enumLabels``), built by the resolver's own function:
    ``values(request)``, or with ``arguments`` ``values(request, the bound arguments)``
    (a refusal raised while binding them, before any SQL, leaves the request to
    Strawberry, which reports it)."""

    def plan(
        planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
    ) -> RootPlan:
        if definition.args and arguments is None:
            raise Fallback(f"Query.{details[0].node.name.value} takes arguments")
        shape = planner.value_shape(type_name, details)
        complete: Writer = completer(definition.type, shape.write)
        if arguments is None:
            return RootPlan(key, _nothing, lambda request: complete(values(request), request))
        site = ArgSite(planner, details, definition, arguments)
        return RootPlan(
            key, _nothing, lambda request: complete(values(request, site.value(request)), request)
        )

    return plan
