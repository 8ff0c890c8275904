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
from kyodo.domain.read.sql import MAX_ARGS, flatten
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
        """The row of a JSON value, as one generated function: every position read
        once, through its decoder when it has one (dates, enums, nested rows), into the
        row type's tuple. A loop over the positions with a step each cost a fifth more
        on a large read (the disaster lookup decodes 1,000 rows and 5 nested lists per
        row)."""
        names: dict[str, Any] = {
            "new": tuple.__new__,
            "row_type": self.row_type,
            "flatten": flatten,
            "width": self.width,
        }
        items = [f"value[{i}]" for i in range(self.width)]

        def step(i: int, decoder: Callable[[Any], Any], optional: bool = False) -> None:
            # A decoder of nullable values that says what it does to the others
            # (``not_null``, a built-in): that, inline.
            not_null = getattr(decoder, "not_null", None)
            names[f"d{i}"] = not_null or decoder
            if optional or not_null is not None:
                items[i] = f"(None if (x{i} := value[{i}]) is None else d{i}(x{i}))"
            else:
                items[i] = f"d{i}(value[{i}])"

        def each(i: int, item: Callable[[Any], Any]) -> None:
            names[f"d{i}"] = item
            items[i] = f"[d{i}(v) for v in value[{i}]]"

        for i, name in enumerate(self.columns):
            if (decoder := self.entity.decoders[name]) is not None:
                step(i, decoder)
        base = len(self.columns)
        for j, nested in enumerate(self.nested):
            relation = self.entity.relations[nested.relation]
            if relation.count or relation.aggregate is not None or relation.value is not None:
                continue  # values as the JSON has them
            if nested.fetch is not None:
                item = nested.fetch.decode
            else:
                assert relation.scalar is not None
                scalar = entity(relation.target).decoders[relation.scalar]
                item = scalar if scalar is not None else _same
            if relation.paged:
                step(base + j, _page(item))
            elif relation.many:
                each(base + j, item)
            else:
                step(base + j, item, optional=True)
        lines = ["def decode(value):"]
        if self.width > MAX_ARGS:
            lines.append("    value = flatten(value, width)")
        lines.append(f"    return new(row_type, ({''.join(f'{item}, ' for item in items)}))")
        exec("\n".join(lines), names)
        decode: Callable[[Any], Any] = names["decode"]
        return decode


def _same(value: Any) -> Any:
    return value


def _page(item: Decoder) -> Decoder:
    """[total, [rows]] -> (total, rows)."""
    return lambda value: (value[0], [item(v) for v in value[1]])


@lru_cache(maxsize=1024)
def _row_type(names: tuple[str, ...]) -> Any:
    return namedtuple("Row", names)


Args = Mapping[Nested, Any]
"""Each relation's arguments for this request (e.g. the statuses of Partner.agreements)."""
