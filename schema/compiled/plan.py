"""Planning one validated operation: from the graphql-core AST to fetches and writers.

A plan is made once per (document, operation, role, values of the variables that
@skip/@include read) and cached. Planning walks the operation with graphql-core's own
``collect_fields``/``collect_subfields`` (fragments, inline fragments, aliases, type
conditions and @skip/@include behave exactly as in execution, fields come out in the
order execution writes them), maps each field onto its spec (:mod:`schema.compiled.types`)
and decides permissions from the field's own permission classes: a field the role may
not read, a field without a spec, a directive other than @skip/@include — no plan, and
Strawberry answers the document as it always did.

What a plan holds is static: :class:`domain.read.selection.Fetch` trees (which columns and
relations), writers that turn fetched rows into the response, and the places where
arguments are read. Argument values are bound per request (:class:`Request`), before
any SQL; a value Strawberry would refuse (``first: 500``, a bad cursor or id) makes the
request fall back, so the error comes from Strawberry, word for word.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues

from kyodo.domain.enums import Role
from kyodo.domain.read.models import entity
from kyodo.schema.compiled.permissions import role_may_read
from kyodo.schema.compiled.request import ArgSite, Fallback, FetchBuilder, Request
from kyodo.schema.compiled.writers import (
    ObjectShape,
    _constant,
    _read,
    completer,
    leaf,
    read_then,
)

if TYPE_CHECKING:
    from kyodo.schema.compiled.specs import TypeSpec


@dataclass(eq=False)
class RootPlan:
    """One root field: ``prepare`` binds its arguments and adds its part to the read
    query (it may read what its conditions need first); ``write`` writes its value."""

    key: str
    prepare: Callable[[Request], Awaitable[None]]
    write: Callable[[Request], Any]


@dataclass(frozen=True, eq=False)
class FieldAt:
    """One selected field of an entity type, as its field spec's ``writer`` plans it
    (:mod:`schema.compiled.specs`): the writer adds what it reads to ``builder``."""

    planner: Planner
    spec: TypeSpec
    definition: GraphQLField
    details: Sequence[FieldDetails]
    builder: FetchBuilder


@dataclass(eq=False)
class Plan:
    roots: list[RootPlan]
    sites: list[ArgSite]
    fetches: list[FetchBuilder]


class Planner:
    def __init__(
        self,
        strawberry_schema: Any,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDetails],
        variables: VariableValues,
        role: Role,
    ) -> None:
        self.strawberry_schema = strawberry_schema
        self.schema: GraphQLSchema = strawberry_schema._schema
        self.operation = operation
        self.fragments = fragments
        self.variables = variables
        self.role = role
        self.sites: list[ArgSite] = []
        self.builders: list[FetchBuilder] = []
        self.root_count = 0

    def slot(self) -> int:
        """A key for what one root keeps per request (``Request.slots``)."""
        self.root_count += 1
        return self.root_count

    # ------------------------------------------------------------ walking

    def plan(self) -> Plan:
        from kyodo.schema.compiled.roots import plan_root

        if self.operation.operation.value != "query":
            raise Fallback(f"{self.operation.operation.value} operation")
        for directive in self.operation.directives or ():
            raise Fallback(f"operation directive @{directive.name.value}")
        query_type = self.schema.query_type
        assert query_type is not None
        collected = collect_fields(
            self.schema, self.fragments, self.variables, query_type, self.operation
        )
        self._no_defer(collected)
        roots = []
        for key, details in collected.grouped_field_set.items():
            self._plain(details)
            roots.append(plan_root(self, key, details))
        for builder in self.builders:
            builder.build()
        return Plan(roots, self.sites, self.builders)

    def _no_defer(self, collected: Any) -> None:
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise Fallback("@defer")

    def _plain(self, details: Sequence[FieldDetails]) -> None:
        """Fields with directives other than @skip/@include, or fragment variables,
        are left to Strawberry."""
        for detail in details:
            if detail.defer_usage is not None or detail.fragment_variable_values is not None:
                raise Fallback("deferred field or fragment variables")
            for directive in detail.node.directives or ():
                if directive.name.value not in ("skip", "include"):
                    raise Fallback(f"directive @{directive.name.value}")

    def subfields(
        self, type_: GraphQLObjectType, details: Sequence[FieldDetails]
    ) -> dict[str, list[FieldDetails]]:
        collected = collect_subfields(
            self.schema, self.fragments, self.variables, self.operation, type_, list(details)
        )
        self._no_defer(collected)
        for sub in collected.grouped_field_set.values():
            self._plain(sub)
        return collected.grouped_field_set

    def object_type(self, name: str) -> GraphQLObjectType:
        type_ = self.schema.get_type(name)
        assert isinstance(type_, GraphQLObjectType)
        return type_

    def field(self, parent: GraphQLObjectType, details: Sequence[FieldDetails]) -> GraphQLField:
        """The field's definition, once the role is known to be allowed to read it."""
        name = details[0].node.name.value
        definition = parent.fields[name]
        if not role_may_read(definition, self.role):
            raise Fallback(f"{parent.name}.{name} is not readable by {self.role}")
        return definition

    # ------------------------------------------------------------ shapes

    def selected(
        self,
        type_: GraphQLObjectType,
        details: Sequence[FieldDetails],
        fields: list[tuple[str, Any]],
        constant: Callable[[str], Any] = _constant,
    ) -> Iterator[tuple[str, str, list[FieldDetails], GraphQLField]]:
        """The selected fields of ``type_`` (key, name, details, definition), each once the
        role is known to be allowed to read it, for the caller to add to ``fields``;
        ``__typename`` is added here, in its place: ``constant(type_.name)``."""
        for key, sub in self.subfields(type_, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                fields.append((key, constant(type_.name)))
                continue
            yield key, name, sub, self.field(type_, sub)

    def builder(self, entity_name: str) -> FetchBuilder:
        builder = FetchBuilder(entity(entity_name))
        self.builders.append(builder)
        return builder

    def entity_shape(
        self, type_name: str, details: Sequence[FieldDetails], builder: FetchBuilder
    ) -> ObjectShape:
        """The writer of an entity-backed object (Partner, Agreement...), adding what it
        needs to ``builder``."""
        from kyodo.schema.compiled.types import TYPES

        spec = TYPES.get(type_name)
        if spec is None or spec.entity != builder.entity.name:
            raise Fallback(f"type {type_name} is not compiled")
        type_ = self.object_type(type_name)
        shape = ObjectShape(type_name)
        for key, name, sub, definition in self.selected(type_, details, shape.fields):
            field_spec = spec.fields.get(name)
            if field_spec is None:
                raise Fallback(f"{type_name}.{name} is not compiled")
            at = FieldAt(self, spec, definition, sub, builder)
            shape.fields.append((key, field_spec.writer(at)))
        return shape.seal()

    def value_shape(self, type_name: str, details: Sequence[FieldDetails]) -> ObjectShape:
        """The writer of a value object (Address, Viewer...): every selected field is a
        plain attribute of the Strawberry object, read as Strawberry's default resolver
        reads it (a leaf, or a value object in its turn)."""
        type_ = self.object_type(type_name)
        shape = ObjectShape(type_name)
        for key, name, _sub, definition in self.selected(type_, details, shape.fields):
            strawberry_field = definition.extensions.get("strawberry-definition")
            if strawberry_field is None or strawberry_field.base_resolver is not None:
                raise Fallback(f"{type_name}.{name} has a resolver")
            named = get_named_type(definition.type)
            get = attrgetter(strawberry_field.python_name)
            if isinstance(named, GraphQLObjectType):
                # A value object within one (a condition check's violations): the same
                # way down, each object completed as execution completes it.
                nested = self.value_shape(named.name, _sub)
                shape.fields.append((key, read_then(get, completer(definition.type, nested.write))))
                continue
            if not isinstance(named, GraphQLScalarType | GraphQLEnumType):
                raise Fallback(f"{type_name}.{name} is an object")
            shape.fields.append((key, _read(get, leaf(definition.type))))
        return shape.seal()
