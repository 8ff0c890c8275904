"""The kinds of field spec the compiled path knows, and the type spec that holds them.

A :class:`TypeSpec` says what each GraphQL field of an entity type is (the tables are in
:mod:`schema.compiled.types`, one module per area); each field spec's ``writer`` plans
one selected field (:class:`schema.compiled.plan.FieldAt`): it adds the columns and
relations it reads to the fetch and returns the writer of the value. Every spec mirrors
the field's Strawberry resolver in ``schema/<area>/types.py`` and calls the same
functions it calls (``aware``, ``to_global_id``...), on rows that carry the model's
attribute names. Personal-data reads are noted for exactly the (entity, key, field) the
resolver notes (rule 13, APPI), so the access log records the same whichever path
answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from graphql import GraphQLField, get_named_type, is_leaf_type

from kyodo.domain.ordering import Ordering
from kyodo.domain.read.models import entity
from kyodo.schema.common import aware
from kyodo.schema.compiled.plan import FieldAt, Planner
from kyodo.schema.compiled.request import ArgSite, Fallback, FetchBuilder, Request, Writer
from kyodo.schema.compiled.writers import (
    _same,
    completed,
    completer,
    leaf,
    plain,
    read_then,
    serializer,
)
from kyodo.schema.context import Context
from kyodo.schema.node import global_ids
from kyodo.schema.rows import plain_fields


@dataclass(frozen=True, eq=False)
class TypeSpec:
    name: str
    entity: str
    fields: dict[str, Any]
    personal: str | None = None
    """The entity type personal-data reads of this type are logged under."""


class Value:
    """A value computed from the row's columns."""

    def __init__(
        self,
        needs: Sequence[str],
        get: Callable[[Any], Any] | None = None,
        *,
        note: str | None = None,
        noted_if: Callable[[Any, Any], bool] | None = None,
    ) -> None:
        self.needs = tuple(needs)
        self.get = get or attrgetter(self.needs[0])
        self.note = note
        self.noted_if = noted_if

    def writer(self, at: FieldAt) -> Writer:
        at.builder.need(*self.needs)
        complete = leaf(at.definition.type)
        get, noted_if = self.get, self.noted_if
        if noted_if is None:
            if complete is _same:
                return plain(get)
            return completed(get, complete)
        at.builder.need("id")
        entity_type, field_name = at.spec.personal, self.note
        assert entity_type is not None and field_name is not None

        def write(row: Any, request: Request) -> Any:
            value = get(row)
            if noted_if(row, value):
                request.note(entity_type, row.id, field_name)
            return complete(value)

        return write


def column(name: str) -> Value:
    return Value((name,))


def instant(name: str) -> Value:
    """Instants leave the API in Asia/Tokyo (``schema.common.aware``); an unset one
    (a request not answered yet) is null."""
    get = attrgetter(name)

    def value(row: Any) -> Any:
        found = get(row)
        return None if found is None else aware(found)

    return Value((name,), value)


def global_id(type_name: str) -> Value:
    of = global_ids(type_name)
    return Value(("id",), lambda row: of(row.id))


def columns(type_: type, entity_name: str) -> dict[str, Value]:
    """The type's plain fields (``schema.rows.plain_fields``) that are columns of the
    entity, as its ``from_row`` reads them: the global id, instants, stored values."""
    stored = entity(entity_name).decoders
    name = type_.__strawberry_definition__.name  # type: ignore[attr-defined]
    result: dict[str, Value] = {}
    for field in plain_fields(type_):
        if field.name == "id":
            result[field.graphql_name] = global_id(name)
        elif field.name in stored:
            result[field.graphql_name] = (instant if field.instant else column)(field.name)
    return result


class Computed:
    """A value computed from the row and the field's arguments."""

    def __init__(
        self,
        needs: Sequence[str],
        prepare: Callable[[dict[str, Any], Context], Any],
        get: Callable[[Any, Any], Any],
    ) -> None:
        self.needs = tuple(needs)
        self.prepare = prepare
        self.get = get

    def writer(self, at: FieldAt) -> Writer:
        at.builder.need(*self.needs)
        site = ArgSite(at.planner, at.details, at.definition, self.prepare)
        complete = leaf(at.definition.type)
        get, key = self.get, site.key
        return lambda row, request: complete(get(row, request.args[key]))


class Related:
    """Rows (or values) reached through a relation of the read model."""

    def __init__(
        self,
        relation: str,
        *,
        prepare: Callable[[dict[str, Any], Context], Any] | None = None,
        order: Callable[[list[Any]], list[Any]] | None = None,
        note: str | None = None,
    ) -> None:
        self.relation = relation
        self.prepare = prepare
        self.order = order
        self.note = note

    def writer(self, at: FieldAt) -> Writer:
        relation = at.builder.entity.relations[self.relation]
        named = get_named_type(at.definition.type)
        item: Writer
        if not relation.has_rows:
            key, nested = at.builder.relation(self.relation, None)
            serialize = serializer(at.definition.type)
            item = lambda value, _request: serialize(value)  # noqa: E731
        else:
            child = FetchBuilder(entity(relation.target))
            key, nested = at.builder.relation(self.relation, child)
            shape = at.planner.entity_shape(named.name, at.details, child)
            item = shape.write
        if self.prepare is not None:
            ArgSite(at.planner, at.details, at.definition, self.prepare, nested)
        elif at.definition.args:
            raise Fallback(f"{at.spec.name}.{at.details[0].node.name.value} takes arguments")
        complete = completer(at.definition.type, item)
        get, order = attrgetter(key), self.order
        if self.note is not None:
            at.builder.need("id")
        entity_type, field_name = at.spec.personal, self.note
        if order is None and field_name is None:
            return read_then(get, complete)

        def write(row: Any, request: Request) -> Any:
            value = get(row)
            if order is not None:
                value = order(value)
            if field_name is not None and value:
                assert entity_type is not None
                request.note(entity_type, row.id, field_name)
            return complete(value, request)

        return write


class Paged:
    """A connection over a paged relation (``Partner.participations``): one page per
    parent row, with its total, as ``schema.pagination`` pages it. ``ordering``: the
    list's order, when its keys are columns of the rows (else cursors fall back)."""

    def __init__(
        self,
        relation: str,
        prepare: Callable[[dict[str, Any], Context], Any] | None = None,
        ordering: Ordering | None = None,
    ) -> None:
        self.relation = relation
        self.prepare = prepare
        self.ordering = ordering

    def writer(self, at: FieldAt) -> Writer:
        from kyodo.schema.compiled.roots.connections import PageData, first_page, plan_connection

        relation = at.builder.entity.relations[self.relation]
        child = FetchBuilder(entity(relation.target))
        key, nested = at.builder.relation(self.relation, child)
        item_type = _connection_item(at.planner, at.definition)
        ordering = self.ordering
        names = ordering.names if ordering is not None else None
        _needs_total, write_connection = plan_connection(
            at.planner,
            at.definition,
            at.details,
            lambda sub: at.planner.entity_shape(item_type, sub, child),
            None if names is None else (lambda: child.need(*names)),
        )
        prepare = self.prepare

        def arguments(kwargs: dict[str, Any], context: Context) -> Any:
            page = first_page(kwargs)
            return page, prepare(kwargs, context) if prepare is not None else None

        ArgSite(  # registers itself with the planner
            at.planner, at.details, at.definition, arguments, nested
        )
        get = attrgetter(key)

        def write(row: Any, request: Request) -> Any:
            total, rows = get(row)
            return write_connection(PageData(rows, total, ordering), request)

        return write


def _connection_item(planner: Planner, definition: GraphQLField) -> str:
    connection = planner.object_type(get_named_type(definition.type).name)
    edge = get_named_type(connection.fields["edges"].type)
    return get_named_type(edge.fields["node"].type).name  # type: ignore[union-attr]


class Derived:
    """A value the domain computes from the row and rows related to it (readiness,
    progressOverdue), fetched for the purpose whatever else the selection asks."""

    def __init__(
        self,
        needs: Sequence[str],
        relations: dict[str, Sequence[str]],
        get: Callable[[Any, dict[str, Any], Context], Any],
    ) -> None:
        self.needs = tuple(needs)
        self.relations = relations
        self.get = get

    def writer(self, at: FieldAt) -> Writer:
        at.builder.need(*self.needs)
        keys: dict[str, str] = {}
        for name, columns in self.relations.items():
            relation = at.builder.entity.relations[name]
            child = FetchBuilder(entity(relation.target)) if relation.has_rows else None
            if child is not None:
                child.need(*columns)
            keys[name] = at.builder.relation(name, child)[0]
        named = get_named_type(at.definition.type)
        if is_leaf_type(named):
            complete_leaf = leaf(at.definition.type)
            complete: Writer = lambda value, _request: complete_leaf(value)  # noqa: E731
        else:
            complete = completer(
                at.definition.type, at.planner.value_shape(named.name, at.details).write
            )
        get = self.get

        def write(row: Any, request: Request) -> Any:
            related = {name: getattr(row, key) for name, key in keys.items()}
            return complete(get(row, related, request.context), request)

        return write


class Embedded:
    """A value object made of some of the row's columns (a partner's Address)."""

    def __init__(
        self,
        needs: Sequence[str],
        make: Callable[[Any], Any],
        *,
        note: str | None = None,
        noted_if: Callable[[Any], bool] | None = None,
    ) -> None:
        self.needs = tuple(needs)
        self.make = make
        self.note = note
        self.noted_if = noted_if

    def writer(self, at: FieldAt) -> Writer:
        at.builder.need(*self.needs)
        shape = at.planner.value_shape(get_named_type(at.definition.type).name, at.details)
        complete = completer(at.definition.type, shape.write)
        make, noted_if = self.make, self.noted_if
        entity_type, field_name = at.spec.personal, self.note
        if noted_if is not None:
            at.builder.need("id")

        def write(row: Any, request: Request) -> Any:
            value = make(row)
            if value is not None and noted_if is not None and noted_if(row):
                assert entity_type is not None and field_name is not None
                request.note(entity_type, row.id, field_name)
            return complete(value, request)

        return write
