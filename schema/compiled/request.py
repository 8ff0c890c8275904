"""What a plan binds per request, and what the compiled path gives up with.

:class:`Fallback` hands a request back to Strawberry; :class:`Request` is one request
through a plan; an :class:`ArgSite` is where a field's arguments are read (bound once per
request, before any SQL); a :class:`FetchBuilder` collects the columns and relations the
writers of one entity selection need (:class:`domain.read.selection.Fetch`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    GraphQLField,
    ListValueNode,
    ObjectValueNode,
    ValueNode,
    VariableNode,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types.arguments import convert_arguments

from kyodo.domain.read.entity import Entity
from kyodo.domain.read.fetch import ReadQuery
from kyodo.domain.read.selection import Fetch, Nested
from kyodo.schema.context import Context

if TYPE_CHECKING:
    from kyodo.schema.compiled.plan import Planner

Writer = Callable[[Any, "Request"], Any]


class Fallback(Exception):
    """The compiled path does not answer this request; Strawberry does."""


# ---------------------------------------------------------------- per request


@dataclass(eq=False)
class Request:
    """One request through a plan: the context, bound arguments, the read query."""

    context: Context
    variables: VariableValues
    query: ReadQuery
    args: dict[int, Any] = field(default_factory=dict)
    slots: dict[int, Any] = field(default_factory=dict)
    # Personal-data reads, handed to the context only once the whole answer is written.
    reads: dict[tuple[str, int], set[str]] = field(default_factory=dict)

    def note(self, entity_type: str, pk: int, field_name: str) -> None:
        self.reads.setdefault((entity_type, pk), set()).add(field_name)


class ArgSite:
    """Where a field's arguments are read: bound once per request (``prepare``)."""

    def __init__(
        self,
        planner: Planner,
        details: Sequence[FieldDetails],
        definition: GraphQLField,
        prepare: Callable[[dict[str, Any], Context], Any],
        nested: Callable[[], Nested] | None = None,
    ) -> None:
        self.key = len(planner.sites)
        self.node: FieldNode = details[0].node
        self.definition = definition
        self.strawberry = definition.extensions.get("strawberry-definition")
        self.prepare = prepare
        self.nested = nested
        self.schema = planner.strawberry_schema
        # Arguments written out in the document (``first: 100``, an id) are the same in
        # every request: converted once (graphql-core's coercion and Strawberry's
        # conversion were 4 % of a list page's CPU, per request). A site that reads a
        # variable anywhere in its arguments converts them per request.
        self._constant = not any(_reads_variables(a.value) for a in self.node.arguments or ())
        self._converted: dict[str, Any] | None = None
        planner.sites.append(self)

    def kwargs(self, variables: VariableValues) -> dict[str, Any]:
        """The field's arguments as its resolver receives them (Python names, inputs as
        Strawberry input objects), computed as graphql-core and Strawberry compute them;
        a fresh dict each time (of the same values, when the arguments are constant)."""
        if self._constant:
            if self._converted is None:
                self._converted = self._convert(variables)
            return dict(self._converted)
        return self._convert(variables)

    def _convert(self, variables: VariableValues) -> dict[str, Any]:
        raw = get_argument_values(self.definition, self.node, variables)
        if self.strawberry is None:
            return raw
        return convert_arguments(
            raw,
            self.strawberry.arguments,
            scalar_registry=self.schema.schema_converter.scalar_registry,
            config=self.schema.config,
        )

    def bind(self, request: Request) -> None:
        value = self.prepare(self.kwargs(request.variables), request.context)
        request.args[self.key] = value
        if self.nested is not None:
            request.query.args[self.nested()] = value  # type: ignore[index]

    def value(self, request: Request) -> Any:
        return request.args[self.key]


def _reads_variables(value: ValueNode) -> bool:
    """Whether an argument's value is or holds a variable (in a list or an object).

    Not graphql-core's ``is_const_value_node``: for a list or an object it asks whether
    *any* item is constant (3.3.2), so ``[1, $id]`` passes as constant."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, VariableNode):
            return True
        if isinstance(node, ListValueNode):
            stack.extend(node.values)
        elif isinstance(node, ObjectValueNode):
            stack.extend(f.value for f in node.fields)
    return False


# ---------------------------------------------------------------- fetch building


class FetchBuilder:
    """Collects what the writers of one entity selection need; ``build`` makes the Fetch."""

    def __init__(self, entity_: Entity) -> None:
        self.entity = entity_
        self.columns: dict[str, None] = {}
        self.nested: list[Nested] = []
        self.children: list[tuple[str, FetchBuilder | None]] = []
        self.fetch: Fetch | None = None

    def need(self, *columns: str) -> None:
        for name in columns:
            self.columns.setdefault(name, None)

    def relation(self, name: str, child: FetchBuilder | None) -> tuple[str, Callable[[], Nested]]:
        """A slot for relation ``name`` (each use its own: arguments may differ): the
        row attribute its value arrives in, and its Nested once built."""
        index = len(self.children)
        self.children.append((name, child))
        return f"n{index}", lambda: self.nested[index]

    def build(self) -> Fetch:
        nested = tuple(
            Nested(name, child.build() if child is not None else None, key=f"n{i}")
            for i, (name, child) in enumerate(self.children)
        )
        self.nested = list(nested)
        self.fetch = Fetch(self.entity, tuple(self.columns), nested)
        return self.fetch
