"""An entity type's plain fields, read from its row: written once for every type.

A plain field (a ``strawberry.field`` without a resolver) is its row's column of the same
name: ``id`` the row's global id, an instant (``datetime``) in Asia/Tokyo
(``schema.common.aware``), anything else as stored. ``from_row`` builds a type that way,
given the fields it computes otherwise; ``schema.compiled.specs.columns`` reads the same list
(``plain_fields``), so that a column added to a type is answered alike by both paths.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.types.base import StrawberryOptional
from strawberry.types.lazy_type import LazyType
from strawberry.types.private import is_private

from kyodo.schema.common import aware
from kyodo.schema.context import BatchFn, Info
from kyodo.schema.descriptions import CREATED_AT, UPDATED_AT, VERSION
from kyodo.schema.node import to_global_id

T = TypeVar("T")


class PlainField(NamedTuple):
    name: str
    """The Python name: the row's column."""
    graphql_name: str
    instant: bool
    """A ``datetime``: it leaves the API in Asia/Tokyo."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@cache
def plain_fields(cls: type) -> tuple[PlainField, ...]:
    """The fields of a Strawberry type that have no resolver (nor are private), in
    their order."""
    result = []
    for field in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        annotation = field.type_annotation
        if field.base_resolver is not None or (
            annotation is not None and is_private(annotation.resolve())
        ):
            continue
        kind = field.type
        if isinstance(kind, StrawberryOptional):
            kind = kind.of_type
        name = field.python_name
        result.append(PlainField(name, field.graphql_name or _camel(name), kind is datetime))
    return tuple(result)


@cache
def _keeps_row(cls: type) -> tuple[bool, bool]:
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return "pk" in names, "row" in names


def from_row(cls: type[T], row: Any, /, **computed: Any) -> T:
    """``cls`` for ``row``: every plain field not in ``computed`` from the row's column of
    that name, and the private ``pk`` and ``row`` when the type keeps them. ``row`` may be
    any object with those attributes (a domain result, not only a table's row)."""
    type_name = cls.__strawberry_definition__.name  # type: ignore[attr-defined]
    values = dict(computed)
    for field in plain_fields(cls):
        if field.name in values:
            continue
        if field.name == "id":
            values["id"] = to_global_id(type_name, row.id)
            continue
        value = getattr(row, field.name)
        values[field.name] = aware(value) if field.instant and value is not None else value
    keeps_pk, keeps_row = _keeps_row(cls)
    if keeps_pk and "pk" not in values:
        values["pk"] = row.id
    if keeps_row and "row" not in values:
        values["row"] = row
    return cls(**values)


C = TypeVar("C", bound=type)

_STAMP = (
    ("version", int, VERSION),
    ("created_at", datetime, CREATED_AT),
    ("updated_at", datetime, UPDATED_AT),
)


def stamped(cls: C) -> C:
    """Under ``@strawberry.type``: the fields every versioned record ends with, after the
    class's own: ``version``, ``createdAt``, ``updatedAt`` (columns of its row)."""
    for name, kind, description in _STAMP:
        cls.__annotations__[name] = kind
        setattr(cls, name, strawberry.field(description=description))
    return cls


class FromRow:
    """Base of a type built from its row alone: ``XType.from_row(row)`` is ``from_row``."""

    @classmethod
    def from_row(cls: type[T], row: Any) -> T:
        return from_row(cls, row)


async def load_optional(
    info: Info,
    batch: BatchFn,
    key: Any,
    convert: Callable[[Any], T],
    visible: Callable[[Any, Any], bool] | None = None,
) -> T | None:
    """``convert`` of the row ``batch`` loads for ``key`` (the request's DataLoader); None
    when ``key`` is None, when there is no such row, or when ``visible(context, row)`` says
    the caller may not see it."""
    if key is None:
        return None
    row = await info.context.loader(batch).load(key)
    if row is None or (visible is not None and not visible(info.context, row)):
        return None
    return convert(row)


def record_field(batch: BatchFn, key: str, returns: Any, description: str) -> Any:
    """The field of the record a type refers to: ``from_row`` of the row ``batch`` loads
    (the request's DataLoader) for the type's ``key`` (dotted: ``row.event_id``).
    ``returns``: the record's type, or ``Annotated["PartnerType", strawberry.lazy(module)]``
    where importing it would be an import cycle."""
    return _loaded_field(
        batch, key, returns, returns, lambda of, row: of.from_row(row), description
    )


def records_field(batch: BatchFn, key: str, item: Any, description: str) -> Any:
    """The field of the records a type has: ``from_row`` of each row ``batch`` loads for
    the type's ``key`` (``pk``), in the order loaded. ``item``: the records' type, as
    ``returns`` of :func:`record_field`."""
    return _loaded_field(
        batch, key, item, list[item], lambda of, rows: [of.from_row(r) for r in rows], description
    )


def _loaded_field(
    batch: BatchFn,
    key: str,
    item: Any,
    returns: Any,
    convert: Callable[[Any, Any], Any],
    description: str,
) -> Any:
    key_of = attrgetter(key)

    async def resolve(self: Any, info: Info) -> Any:
        loaded = await info.context.loader(batch).load(key_of(self))
        return convert(_record_type(item), loaded)

    resolve.__annotations__["return"] = returns
    return strawberry.field(resolver=resolve, description=description)


@cache
def _record_type(returns: Any) -> Any:
    resolved = StrawberryAnnotation(returns).resolve()
    return resolved.resolve_type() if isinstance(resolved, LazyType) else resolved


async def read_rows(
    info: Info, convert: Callable[[Any], T], read: Callable[..., Any], /, **arguments: Any
) -> list[T]:
    """``convert`` of every row the domain read ``read(session, **arguments)`` returns."""
    return [convert(row) for row in await info.context.run(read, **arguments)]
