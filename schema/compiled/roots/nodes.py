"""``node`` and ``nodes``: ids looked up as ``schema.node.resolve_nodes`` does, one read
per type of the ids asked for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, get_named_type
from graphql.execution.collect_fields import FieldDetails

from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import ArgSite, Fallback, FetchBuilder, Request
from kyodo.schema.compiled.writers import ObjectShape
from kyodo.schema.context import Context
from kyodo.schema.node import NODE_KINDS, from_global_id
from kyodo.schema.root import MAX_NODES


def _node_types(
    planner: Planner, details: Sequence[FieldDetails], definition: GraphQLField
) -> dict[str, tuple[FetchBuilder, ObjectShape] | Fallback]:
    """A plan per type implementing Node that the selection may meet at run time; a
    type the compiled path cannot answer keeps its reason (only a request that hits
    it falls back)."""
    from kyodo.schema.compiled.types import TYPES

    interface = get_named_type(definition.type)
    plans: dict[str, tuple[FetchBuilder, ObjectShape] | Fallback] = {}
    for type_ in planner.schema.get_possible_types(interface):  # type: ignore[arg-type]
        assert isinstance(type_, GraphQLObjectType)
        spec = TYPES.get(type_.name)
        if spec is None:
            plans[type_.name] = Fallback(f"node of type {type_.name} is not compiled")
            continue
        try:
            builder = planner.builder(spec.entity)
            builder.need("id")
            plans[type_.name] = (builder, planner.entity_shape(type_.name, details, builder))
        except Fallback as reason:
            plans[type_.name] = reason
    return plans


def _node_lookup(
    plans: dict[str, tuple[FetchBuilder, ObjectShape] | Fallback],
) -> Callable[[Request, Sequence[str]], Callable[[], list[Any]]]:
    """Looks ids up, as ``schema.node.resolve_nodes`` does (unknown or invisible: null),
    one read per type; returns what writes the objects once the query ran."""

    def lookup(request: Request, ids: Sequence[str]) -> Callable[[], list[Any]]:
        wanted: list[tuple[str, int] | None] = []
        pks: dict[str, list[int]] = {}
        for global_id in ids:
            decoded = from_global_id(global_id)
            if decoded is None or decoded[0] not in NODE_KINDS:
                wanted.append(None)
                continue
            plan = plans.get(decoded[0])
            if plan is None or isinstance(plan, Fallback):
                raise plan or Fallback(f"node of type {decoded[0]}")
            wanted.append(decoded)
            pks.setdefault(decoded[0], []).append(decoded[1])
        reads = {}
        for type_name, type_pks in pks.items():
            builder, _shape = plans[type_name]  # type: ignore[misc]
            reads[type_name] = request.query.by_ids(builder.fetch, type_pks)

        def write() -> list[Any]:
            found: list[Any] = []
            for item in wanted:
                if item is None:
                    found.append(None)
                    continue
                row = reads[item[0]].value.get(item[1])
                _builder, shape = plans[item[0]]  # type: ignore[misc]
                found.append(None if row is None else shape.write(row, request))
            return found

        return write

    return lookup


def _node(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``RootQueries.node``."""
    lookup = _node_lookup(_node_types(planner, details, definition))
    site = ArgSite(planner, details, definition, lambda kwargs, _context: kwargs["id"])
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        request.slots[slot] = lookup(request, [site.value(request)])

    return RootPlan(key, prepare, lambda request: request.slots[slot]()[0])


def _nodes(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``RootQueries.nodes``: more than MAX_NODES ids is Strawberry's INVALID error."""
    lookup = _node_lookup(_node_types(planner, details, definition))

    def arguments(kwargs: dict[str, Any], _context: Context) -> list[str]:
        if len(kwargs["ids"]) > MAX_NODES:
            raise Fallback("too many ids")
        return list(kwargs["ids"])

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        request.slots[slot] = lookup(request, site.value(request))

    return RootPlan(key, prepare, lambda request: request.slots[slot]())
