"""The entries of a root whose answer the domain folds from the rows it read (the
disaster lookup, the reminders, the calendar): each entry is a domain value whose
entity fields (a partner, an agreement, a collaboration) are rows of the plan's
statement, and whose leaves are its own attributes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter

from graphql import GraphQLField, GraphQLObjectType, get_named_type
from graphql.execution.collect_fields import FieldDetails

from kyodo.schema.compiled.plan import Planner
from kyodo.schema.compiled.request import Fallback, FetchBuilder, Writer
from kyodo.schema.compiled.roots.connections import _const
from kyodo.schema.compiled.writers import ObjectShape, completer, read_then, serializer

Field = Callable[[str, list[FieldDetails], GraphQLField], Writer | None]
"""The writer of one of a root's own entry fields (name, details, definition); None:
not compiled."""


def entry_fields(
    planner: Planner,
    entry: GraphQLObjectType,
    details: Sequence[FieldDetails],
    entities: Mapping[str, FetchBuilder | tuple[str, FetchBuilder]],
    scalars: Mapping[str, str],
    own: Field | None = None,
) -> list[tuple[str, Writer]]:
    """The selected fields of an entry: ``entities``, a field's rows (one or a list) at
    the entry's attribute of the same name (or the one named with the builder), fetched
    by the builder given; ``scalars``, leaves read at the attribute named (dotted for a
    nested one); the others as ``own`` plans them."""
    fields: list[tuple[str, Writer]] = []
    for key, name, sub, definition in planner.selected(entry, details, fields, _const):
        writer: Writer | None = None
        if name in entities:
            found = entities[name]
            attribute, builder = found if isinstance(found, tuple) else (name, found)
            type_name = get_named_type(definition.type).name
            shape = planner.entity_shape(type_name, sub, builder)
            writer = read_then(attrgetter(attribute), completer(definition.type, shape.write))
        elif name in scalars:
            serialize = serializer(definition.type)
            complete = completer(definition.type, lambda v, _r, s=serialize: s(v))
            writer = read_then(attrgetter(scalars[name]), complete)
        elif own is not None:
            writer = own(name, sub, definition)
        if writer is None:
            raise Fallback(f"{entry.name}.{name} is not compiled")
        fields.append((key, writer))
    return fields


def entries(definition: GraphQLField, fields: list[tuple[str, Writer]]) -> Writer:
    """The writer of the root's value, a list of entries each written with ``fields``."""
    shape = ObjectShape(get_named_type(definition.type).name)
    shape.fields = fields
    return completer(definition.type, shape.seal().write)
