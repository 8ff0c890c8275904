"""Root fields whose value the resolver builds without reading the database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLField
from graphql.execution.collect_fields import FieldDetails

from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import Fallback, Request, Writer
from kyodo.schema.compiled.writers import completer


async def _nothing(_request: Request) -> None:
    return None


def _values(
    type_name: str, values: Callable[[Request], Any]
) -> Callable[[Planner, str, Sequence[FieldDetails], GraphQLField], RootPlan]:
    """Value objects the resolver builds without reading the database (``viewer``,
    ``collaborationForms``), built by the resolver's own function."""

    def plan(
        planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
    ) -> RootPlan:
        if definition.args:
            raise Fallback(f"Query.{details[0].node.name.value} takes arguments")
        shape = planner.value_shape(type_name, details)
        complete: Writer = completer(definition.type, shape.write)
        return RootPlan(key, _nothing, lambda request: complete(values(request), request))

    return plan
