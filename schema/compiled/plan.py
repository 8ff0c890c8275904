"""Planning one validated operation: from the graphql-core AST to fetches and writers.

A plan is made once per (document, operation, role, values of the variables that
@skip/@include read) and cached. Planning walks the operation with graphql-core's own
``collect_fields``/``collect_subfields`` (fragments, inline fragments, aliases, type
conditions and @skip/@include behave exactly as in execution, fields come out in the
order execution writes them), maps each field onto its spec (:mod:`schema.compiled.types`)
and decides permissions from the field's own permission classes: a field the role may
not read, a field without a spec, a directive other than @skip/@include — no plan, and
Strawberry answers the document as it always did.

What a plan holds is static: :class:`domain.read.fetch.Fetch` trees (which columns and
relations), writers that turn fetched rows into the response, and the places where
arguments are read. Argument values are bound per request (:class:`Request`), before
any SQL; a value Strawberry would refuse (``first: 500``, a bad cursor or id) makes the
request fall back, so the error comes from Strawberry, word for word.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
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
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.arguments import convert_arguments

from kyodo.domain.enums import Role
from kyodo.domain.read.entity import Entity
from kyodo.domain.read.fetch import Fetch, Nested, ReadQuery
from kyodo.domain.read.models import entity
from kyodo.schema.context import Context

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
        planner.sites.append(self)

    def kwargs(self, variables: VariableValues) -> dict[str, Any]:
        """The field's arguments as its resolver receives them (Python names, inputs as
        Strawberry input objects), computed as graphql-core and Strawberry compute them."""
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


# ---------------------------------------------------------------- output values


def serializer(type_: Any) -> Callable[[Any], Any]:
    """How graphql-core would serialise a leaf value of ``type_``. Built-in scalars pass
    as they are (the columns already hold str, int and bool); enums and custom scalars
    (Date, DateTime) go through the type's own ``serialize``."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType) and named.name in ("String", "ID", "Int", "Boolean"):
        return _same
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return named.serialize
    raise TypeError(f"{named} is not a leaf type")


def _same(value: Any) -> Any:
    return value


def leaf(type_: Any) -> Callable[[Any], Any]:
    """Complete a leaf value of ``type_`` (lists and non-null included) as execution
    would: the shortest function that does it, as it runs once per value written."""
    if isinstance(type_, GraphQLNonNull):
        inner = leaf(type_.of_type)

        def non_null(value: Any) -> Any:
            if value is None:
                raise Fallback("null in a non-null position")
            return inner(value)

        return non_null
    if isinstance(type_, GraphQLList):
        element = leaf(type_.of_type)
        return lambda value: None if value is None else [element(v) for v in value]
    serialize = serializer(type_)
    if serialize is _same:
        return _same
    return lambda value: None if value is None else serialize(value)


def completer(type_: Any, item: Writer) -> Writer:
    """Complete a value of GraphQL type ``type_`` (lists, non-null) with ``item`` for
    each non-null element. A null where the type forbids it would be an error in
    execution: the compiled path never answers with one (Fallback)."""
    if isinstance(type_, GraphQLNonNull):
        inner = completer(type_.of_type, item)

        def non_null(value: Any, request: Request) -> Any:
            if value is None:
                raise Fallback("null in a non-null position")
            return inner(value, request)

        return non_null
    if isinstance(type_, GraphQLList):
        element = completer(type_.of_type, item)

        def each(value: Any, request: Request) -> Any:
            return None if value is None else [element(v, request) for v in value]

        return each

    def nullable(value: Any, request: Request) -> Any:
        return None if value is None else item(value, request)

    return nullable


def plain(get: Callable[[Any], Any]) -> Writer:
    """The writer of a value written as read (``get(source)``, no completion): a sealed
    :class:`ObjectShape` calls ``get`` itself, one Python call less per value."""

    def write(source: Any, _request: Request) -> Any:
        return get(source)

    write.plain_get = get  # type: ignore[attr-defined]
    return write


class ObjectShape:
    """Writes one object of a GraphQL type from a source (a row, or a value object)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.fields: list[tuple[str, Writer]] = []
        self.checks: list[Callable[[Any], Any]] = []

    def write(self, source: Any, request: Request) -> dict[str, Any]:
        for check in self.checks:
            check(source)
        return {key: writer(source, request) for key, writer in self.fields}

    def seal(self) -> ObjectShape:
        """Once every field is known: ``write`` becomes one generated function that
        builds the dict as a literal (the same keys, values and order, the checks
        first), which writes a row about twice as fast as the loop above. The writers
        run in field order, as before (the personal-data notes they make included)."""
        names: dict[str, Any] = {}
        lines = ["def write(source, request):"]
        for i, check in enumerate(self.checks):
            names[f"c{i}"] = check
            lines.append(f"    c{i}(source)")
        items = []
        for i, (key, writer) in enumerate(self.fields):
            names[f"k{i}"] = key
            get = getattr(writer, "plain_get", None)
            constant = getattr(writer, "constant", _NO_CONSTANT)
            if constant is not _NO_CONSTANT:
                names[f"v{i}"] = constant
                items.append(f"k{i}: v{i}")
            elif get is not None:
                names[f"g{i}"] = get
                items.append(f"k{i}: g{i}(source)")
            else:
                names[f"w{i}"] = writer
                items.append(f"k{i}: w{i}(source, request)")
        lines.append("    return {" + ", ".join(items) + "}")
        exec("\n".join(lines), names)
        self.write = names["write"]  # type: ignore[method-assign]
        return self


# ---------------------------------------------------------------- permissions


def permissions_of(definition: GraphQLField) -> list[BasePermission] | None:
    """The permissions a field declares, or None when it has extensions the compiled
    path does not know (they might do anything)."""
    strawberry_field = definition.extensions.get("strawberry-definition")
    if strawberry_field is None:
        return []
    permissions: list[BasePermission] = []
    for extension in strawberry_field.extensions:
        if type(extension) is not PermissionExtension:
            return None
        permissions.extend(extension.permissions)
    return permissions


def role_may_read(definition: GraphQLField, role: Role) -> bool:
    """Whether every permission on the field lets ``role`` read it: the field's own
    declaration (``schema.permissions``), decided without running any resolver."""
    from kyodo.schema.permissions import _RolePermission

    permissions = permissions_of(definition)
    if permissions is None:
        return False
    for permission in permissions:
        if not isinstance(permission, _RolePermission) or (
            type(permission).has_permission is not _RolePermission.has_permission
        ):
            return False  # a permission that may look at more than the role
        if role not in permission.roles:
            return False
    return True


# ---------------------------------------------------------------- the planner


@dataclass(eq=False)
class RootPlan:
    """One root field: ``prepare`` binds its arguments and adds its part to the read
    query (it may read what its conditions need first); ``write`` writes its value."""

    key: str
    prepare: Callable[[Request], Awaitable[None]]
    write: Callable[[Request], Any]


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
        if spec.check is not None:
            builder.need(*spec.check_needs)
            shape.checks.append(spec.check)
        for key, sub in self.subfields(type_, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                shape.fields.append((key, _constant(type_name)))
                continue
            definition = self.field(type_, sub)
            field_spec = spec.fields.get(name)
            if field_spec is None:
                raise Fallback(f"{type_name}.{name} is not compiled")
            shape.fields.append((key, field_spec.writer(self, spec, definition, sub, builder)))
        return shape.seal()

    def value_shape(self, type_name: str, details: Sequence[FieldDetails]) -> ObjectShape:
        """The writer of a value object (Address, Viewer...): every selected field is a
        plain attribute of the Strawberry object, read as Strawberry's default resolver
        reads it."""
        type_ = self.object_type(type_name)
        shape = ObjectShape(type_name)
        for key, sub in self.subfields(type_, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                shape.fields.append((key, _constant(type_name)))
                continue
            definition = self.field(type_, sub)
            strawberry_field = definition.extensions.get("strawberry-definition")
            if strawberry_field is None or strawberry_field.base_resolver is not None:
                raise Fallback(f"{type_name}.{name} has a resolver")
            named = get_named_type(definition.type)
            if not isinstance(named, GraphQLScalarType | GraphQLEnumType):
                raise Fallback(f"{type_name}.{name} is an object")
            get = attrgetter(strawberry_field.python_name)
            shape.fields.append((key, _read(get, leaf(definition.type))))
        return shape.seal()


_NO_CONSTANT = object()


def _constant(value: Any) -> Writer:
    def write(_source: Any, _request: Request) -> Any:
        return value

    write.constant = value  # type: ignore[attr-defined]
    return write


def _read(get: Callable[[Any], Any], complete: Callable[[Any], Any]) -> Writer:
    if complete is _same:
        return plain(get)
    return lambda source, _request: complete(get(source))
