"""What one selection needs of an entity (:class:`Fetch`, its relations :class:`Nested`),
and how the statement's JSON for it decodes into rows.

A :class:`Fetch` is built once per planned document (it holds no argument values); the
relation arguments of one request come separately (:data:`Args`, by :class:`Nested`).
Rows are named tuples whose fields are the fetched columns (named as on the model,
typed as the ORM types them) followed by one field per nested relation.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kyodo.domain.read.entity import Entity
from kyodo.domain.read.models import entity
from kyodo.domain.read.sql import flatten
from kyodo.domain.read.values import Decoder


@dataclass(frozen=True, slots=True, eq=False)
class Nested:
    """A relation of a fetch: its rows' own fetch, or None for a scalar relation."""

    relation: str
    fetch: Fetch | None = None
    key: str = "nested"
    """The row attribute the relation's value arrives in."""


@dataclass(eq=False)
class Fetch:
    entity: Entity
    columns: tuple[str, ...]
    nested: tuple[Nested, ...] = ()
    row_type: Any = field(init=False, repr=False)
    decode: Callable[[Any], Any] = field(init=False, repr=False)
    """JSON value -> row."""

    def __post_init__(self) -> None:
        for name in self.columns:
            if name not in self.entity.decoders:
                raise KeyError(f"{self.entity.name} has no column {name!r}")
        for nested in self.nested:
            relation = self.entity.relations[nested.relation]
            if relation.has_rows != (nested.fetch is not None):
                raise ValueError(f"{self.entity.name}.{nested.relation}: fetch mismatch")
        self.row_type = _row_type((*self.columns, *(n.key for n in self.nested)))
        self.all_nested: tuple[Nested, ...] = tuple(
            found
            for nested in self.nested
            for found in (nested, *(nested.fetch.all_nested if nested.fetch else ()))
        )
        self.decode = self._decoder()

    @property
    def width(self) -> int:
        return len(self.columns) + len(self.nested)

    def _decoder(self) -> Callable[[Any], Any]:
        steps: list[tuple[int, Callable[[Any], Any]]] = [
            (i, decoder)
            for i, name in enumerate(self.columns)
            if (decoder := self.entity.decoders[name]) is not None
        ]
        base = len(self.columns)
        for j, nested in enumerate(self.nested):
            relation = self.entity.relations[nested.relation]
            if relation.count or relation.aggregate is not None:
                continue  # a number, as it comes
            if nested.fetch is not None:
                item = nested.fetch.decode
            else:
                assert relation.scalar is not None
                scalar = entity(relation.target).decoders[relation.scalar]
                item = scalar if scalar is not None else _same
            if relation.paged:
                steps.append((base + j, _page(item)))
            else:
                steps.append((base + j, _many(item) if relation.many else _optional(item)))
        width, make = self.width, self.row_type._make

        def decode(value: Any) -> Any:
            values = flatten(value, width)
            for i, step in steps:
                values[i] = step(values[i])
            return make(values)

        return decode


def _same(value: Any) -> Any:
    return value


def _many(item: Decoder) -> Decoder:
    return lambda values: [item(v) for v in values]


def _page(item: Decoder) -> Decoder:
    """[total, [rows]] -> (total, rows)."""
    return lambda value: (value[0], [item(v) for v in value[1]])


def _optional(item: Decoder) -> Decoder:
    return lambda value: None if value is None else item(value)


@lru_cache(maxsize=1024)
def _row_type(names: tuple[str, ...]) -> Any:
    return namedtuple("Row", names)


Args = Mapping[Nested, Any]
"""Each relation's arguments for this request (e.g. the statuses of Partner.agreements)."""
