"""JSON built by the database, in the two dialects kyodo runs on.

Objects travel as positional JSON arrays (the fetch knows what each position holds):
shorter than objects with keys, and free of PostgreSQL's limit of 100 arguments per
function call, which ``array`` works around by nesting chunks.

SQLite loses the JSON "subtype" of a value once it leaves a subquery, after which
``json_array`` would embed it as a string; ``embed`` marks it as JSON again. SQLite 3.40
has no ``ORDER BY`` inside aggregates, so lists aggregate over an ordered derived table
(the order SQLite then feeds ``json_group_array``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

MAX_ARGS = 100
"""PostgreSQL's FUNC_MAX_ARGS: the most values one json_build_array call takes."""


def count(value: int) -> sa.ColumnElement[int]:
    """A LIMIT or OFFSET written into the SQL (an int, so nothing can be smuggled in)
    rather than sent as a parameter. A read whose only parameters are its counts then
    has none: PostgreSQL plans its prepared statement once and reuses the plan, where a
    LIMIT parameter made it plan the statement anew at every execution (a custom plan:
    0.6 ms of a partner page's 3 ms, 0.7–1 ms of the nested read's 2 ms on 10,000
    partners). Other counts make other statements, each planned once per connection."""
    return sa.literal_column(str(int(value)), sa.Integer)


ONE = count(1)


class JsonSQL:
    def __init__(self, dialect: str) -> None:
        self.postgresql = dialect == "postgresql"

    def array(self, values: Sequence[Any]) -> sa.ColumnElement[Any]:
        """A JSON array of ``values``; past ``MAX_ARGS`` an array of arrays of at most
        ``MAX_ARGS`` (see :func:`chunked`)."""
        if len(values) > MAX_ARGS:
            if len(values) > MAX_ARGS * MAX_ARGS:
                raise ValueError(f"{len(values)} values are too many for one JSON array")
            return self.array([self.array(chunk) for chunk in chunked(values)])
        fn = sa.func.json_build_array if self.postgresql else sa.func.json_array
        return fn(*values)

    def embed(self, value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        """A JSON value coming out of a subquery, marked as JSON for the enclosing one."""
        return value if self.postgresql else sa.func.json(value)

    def one(self, element: sa.ColumnElement[Any], select: sa.Select[Any]) -> Any:
        """The JSON ``element`` of the single row ``select`` finds, or null."""
        return self.embed(select.with_only_columns(element).limit(ONE).scalar_subquery())

    def many(
        self,
        element: sa.ColumnElement[Any],
        select: sa.Select[Any],
        order_by: Sequence[Any],
        *,
        json_element: bool = True,
        correlate: Any = None,
        limit: int | None = None,
    ) -> Any:
        """A JSON array of ``element`` over the rows of ``select``, in ``order_by``;
        ``[]`` when there are none. ``json_element``: the element is JSON (an array)
        rather than a plain column value. ``correlate``: the parent row's alias, which
        SQLAlchemy does not correlate into a derived table by itself. ``limit``: at most
        that many rows, the first in order."""
        if self.postgresql and limit is not None:
            # The first ``limit`` rows, numbered, then aggregated in their order.
            first = (
                select.with_only_columns(
                    element.label("e"),
                    sa.func.row_number().over(order_by=list(order_by)).label("n"),
                )
                .order_by(*order_by)
                .limit(count(limit))
            )
            if correlate is not None:
                first = first.correlate(correlate)
            rows = first.subquery()
            aggregated = sa.func.json_agg(aggregate_order_by(rows.c.e, rows.c.n))
            return sa.func.coalesce(sa.select(aggregated).scalar_subquery(), sa.text("'[]'::json"))
        if self.postgresql:
            aggregated = sa.func.json_agg(
                aggregate_order_by(element, *order_by) if order_by else element
            )
            return sa.func.coalesce(
                select.with_only_columns(aggregated).scalar_subquery(), sa.text("'[]'::json")
            )
        ordered = select.with_only_columns(element.label("e")).order_by(*order_by)
        if limit is not None:
            ordered = ordered.limit(count(limit))
        if correlate is not None:
            ordered = ordered.correlate(correlate)
        rows = ordered.subquery()
        value = sa.func.json(rows.c.e) if json_element else rows.c.e
        return self.embed(sa.select(sa.func.json_group_array(value)).scalar_subquery())

    def page(
        self,
        element: sa.ColumnElement[Any],
        item: Any,
        select: sa.Select[Any],
        key: Any,
        order_by: Sequence[Any],
        *,
        limit: int,
        offset: int,
        correlate: Any = None,
    ) -> Any:
        """A JSON array of ``element`` over one page (LIMIT/OFFSET) of ``select``'s rows,
        in the page's order; ``[]`` when the page is empty.

        The page's keys come first, numbered in order; only the rows of ``item`` (an
        alias) having those keys then get their JSON built: a page far down the list
        costs its own rows, not the ones before it."""
        numbered = (
            select.with_only_columns(
                key.label("key"), sa.func.row_number().over(order_by=list(order_by)).label("n")
            )
            .order_by(*order_by)
            .limit(count(limit))
            .offset(count(offset))
        )
        if correlate is not None:
            numbered = numbered.correlate(correlate)
        keys = numbered.subquery()
        rows = keys.join(item, item.id == keys.c.key)
        if self.postgresql:
            aggregated = sa.func.json_agg(aggregate_order_by(element, keys.c.n))
            return sa.func.coalesce(
                sa.select(aggregated).select_from(rows).scalar_subquery(), sa.text("'[]'::json")
            )
        ordered = sa.select(element.label("e")).select_from(rows).order_by(keys.c.n).subquery()
        return self.embed(
            sa.select(sa.func.json_group_array(sa.func.json(ordered.c.e))).scalar_subquery()
        )

    def text(self, value: Any) -> Any:
        """The JSON as text, for the driver to hand over unparsed."""
        return sa.cast(value, sa.Text) if self.postgresql else value


def chunked(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[i : i + MAX_ARGS] for i in range(0, len(values), MAX_ARGS)]


def flatten(values: list[Any], length: int) -> list[Any]:
    """Undo :meth:`JsonSQL.array`'s chunking of an array of ``length`` values."""
    if length <= MAX_ARGS:
        return values
    return [value for chunk in values for value in chunk]
