"""Many rows written at once: the set-based statements of the bulk paths.

A bulk path (the imports, ``partnersUpsert``) checks its rows with the commands' own checks, then writes them here in a
fixed number of statements instead of one per row, as the commands would have left
them: new rows with :func:`insert_many` / :func:`insert_new` (numbered as one-at-a-time
inserts would number them, :func:`new_ids`), changed rows with :func:`write_many`
(each still version-guarded, as ``domain.writes.Change.write`` guards one), and lookups
of thousands of ids with :func:`among`. On PostgreSQL each statement takes one array
per column (``unnest``), so its size does not grow with the row count; SQLite gets an
executemany. The audit events of the batch are recorded by
``domain.audit.log.record_events``; the single-row pipeline is ``domain.writes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.base import utcnow
from kyodo.domain.versioning import ConcurrentChange, version_conflict


def row_columns(row: Any) -> dict[str, Any]:
    """The columns of a new ORM row not added to any session, every one but ``id``: the
    values its flush would write, for :func:`insert_new` (a bulk path builds its rows
    as the command does, then writes them together)."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key != "id"}


POSTGRES_ROWS_PER_UPDATE = 5000
"""Rows of one ``UPDATE … FROM unnest(…)`` on PostgreSQL (arrays, one parameter per column)."""


def among(session: AsyncSession, column: Any, values: Sequence[Any]) -> Any:
    """``column IN (values)`` for thousands of values: on PostgreSQL
    ``column IN (SELECT unnest(:array))``, one parameter (an IN list of 10,000
    parameters costs the server more to plan than to run); elsewhere the IN list.

    Not ``column = ANY(:array)``: beside another indexed condition (the contacts of
    1,000 partners that belong to no agreement) and with statistics not yet up to date
    after a bulk load, PostgreSQL scanned by the other index and filtered every row
    through the array, searched from end to end under a prepared statement's generic
    plan: 0.9 s for 40,000 contacts instead of 5 ms. A semi-join over the array's
    elements is planned as one (a hash or an index lookup per element) whatever the
    statistics say."""
    if session.get_bind().dialect.name == "postgresql":
        array = sa.bindparam(None, list(values), type_=ARRAY(column.type))
        return column.in_(sa.select(sa.func.unnest(array)).scalar_subquery())
    return column.in_(values)


def _array_type(column: sa.Column[Any]) -> Any:
    # Enum columns are VARCHAR holding the value (domain.base.enum_column): their
    # arrays carry the values as text; JSON columns carry the documents as text
    # (:func:`_selected`).
    if isinstance(column.type, sa.Enum):
        return ARRAY(sa.String)
    if isinstance(column.type, sa.JSON):
        return ARRAY(sa.Text)
    return ARRAY(column.type)


def _selected(column: sa.Column[Any], value: Any) -> Any:
    """An unnested array's column as ``column`` takes it: JSON cast back from its text."""
    if isinstance(column.type, sa.JSON):
        return sa.cast(value, column.type)
    return value


def _db_value(column: sa.Column[Any], value: Any) -> Any:
    if isinstance(column.type, sa.Enum) and value is not None and hasattr(value, "value"):
        return value.value
    return value


def _db_values(
    session: AsyncSession, column: sa.Column[Any], rows: Sequence[Mapping[str, Any]], name: str
) -> list[Any]:
    """:func:`_db_value` of the column ``name`` of every row, the column's type looked
    at once (not once a value: a bulk load binds 10,000 rows). JSON documents are
    serialised as the column serialises them on any other INSERT (its bind processor)."""
    if isinstance(column.type, sa.JSON):
        dialect = session.get_bind().dialect
        serialise = column.type.dialect_impl(dialect).bind_processor(dialect)
        assert serialise is not None
        return [serialise(row[name]) for row in rows]
    if not isinstance(column.type, sa.Enum):
        return [row[name] for row in rows]
    return [_db_value(column, row[name]) for row in rows]


async def insert_many(
    session: AsyncSession,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    returning: Sequence[str] = (),
) -> list[Any]:
    """Insert many rows (every row with the same columns) as set-based statements and
    return the ``returning`` columns of each, in no particular order.

    PostgreSQL: ``INSERT … SELECT … FROM unnest(:col…)``, one array per column (one
    statement per 5,000 rows, whatever the column count); SQLite: one executemany.
    """
    if not rows:
        return []
    names = sorted(rows[0])
    back = [table.c[n] for n in returning]
    found: list[Any] = []
    if session.get_bind().dialect.name == "postgresql":
        for start in range(0, len(rows), POSTGRES_ROWS_PER_UPDATE):
            chunk = rows[start : start + POSTGRES_ROWS_PER_UPDATE]
            source = (
                sa.func.unnest(
                    *(sa.bindparam(f"c_{n}", type_=_array_type(table.c[n])) for n in names)
                )
                .table_valued(*names)
                .render_derived(name="v")
            )
            stmt = sa.insert(table).from_select(
                names, sa.select(*(_selected(table.c[n], source.c[n]) for n in names))
            )
            params = {f"c_{n}": _db_values(session, table.c[n], chunk, n) for n in names}
            if back:
                found += (await session.execute(stmt.returning(*back), params)).all()
            else:
                await session.execute(stmt, params)
        return found
    if back:
        return list((await session.execute(sa.insert(table).returning(*back), rows)).all())
    await session.execute(sa.insert(table), list(rows))
    return []


async def new_ids(session: AsyncSession, table: sa.Table, count: int) -> list[int]:
    """``count`` ids for new rows of ``table``, ascending: the ids the database gives
    rows inserted one by one, so rows written set-based with them are numbered in the
    order they would have been written one at a time.

    PostgreSQL: taken from the ``id`` column's sequence in one statement (like any
    insert, they are used up even if the transaction rolls back). SQLite: after the
    largest id, as SQLite numbers a new row; the write transaction holds the lock
    (``BEGIN IMMEDIATE``, ``domain.transactions``), so nobody takes them meanwhile.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        found = await session.execute(
            sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, count))
        )
        return sorted(found.scalars())
    largest = (await session.execute(sa.select(sa.func.max(table.c.id)))).scalar()
    start = int(largest or 0) + 1
    return list(range(start, start + count))


async def insert_new(
    session: AsyncSession, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert new rows (every row with the same columns, no ``id``) with
    :func:`insert_many` and return their ids, in the order of ``rows``: each row gets
    the id it would have got inserted alone, in that order (:func:`new_ids`)."""
    ids = await new_ids(session, table, len(rows))
    await insert_many(
        session, table, [{"id": pk, **row} for pk, row in zip(ids, rows, strict=True)]
    )
    return ids


async def write_many(
    session: AsyncSession,
    model: Any,
    rows: Sequence[tuple[int, int, Mapping[str, Any]]],
    *,
    own_read: bool = True,
) -> None:
    """Many guarded UPDATEs as set-based statements: ``(id, version read, values)`` each,
    every row with the same columns.

    PostgreSQL: ``UPDATE … SET … FROM unnest(:ids, :versions, :col…) WHERE id = v.id
    AND version = v.version`` (one statement per 5,000 rows); SQLite: one executemany of
    the guarded UPDATE. When fewer rows matched than were given, another writer got in
    between: ``ConcurrentChange`` (``own_read``, retried from a fresh read) or
    VERSION_CONFLICT. Rows are written in id order, so two batches lock shared rows in
    the same order on PostgreSQL (no deadlock).
    """
    if not rows:
        return
    ordered = sorted(rows, key=lambda row: row[0])
    names = sorted(ordered[0][2])
    table: sa.Table = model.__table__
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        matched = 0
        for start in range(0, len(ordered), POSTGRES_ROWS_PER_UPDATE):
            chunk = ordered[start : start + POSTGRES_ROWS_PER_UPDATE]
            source = (
                sa.func.unnest(
                    sa.bindparam("ids", type_=ARRAY(sa.Integer)),
                    sa.bindparam("versions", type_=ARRAY(sa.Integer)),
                    *(sa.bindparam(f"c_{n}", type_=_array_type(table.c[n])) for n in names),
                )
                .table_valued("id", "version", *names)
                .render_derived(name="v")
            )
            stmt = (
                sa.update(table)
                .where(table.c.id == source.c.id, table.c.version == source.c.version)
                .values(
                    {n: source.c[n] for n in names}
                    | {"version": table.c.version + 1, "updated_at": sa.bindparam("now")}
                )
            )
            params: dict[str, Any] = {
                "ids": [pk for pk, _v, _values in chunk],
                "versions": [version for _pk, version, _values in chunk],
                "now": now,
            }
            for n in names:
                params[f"c_{n}"] = [_db_value(table.c[n], values[n]) for *_k, values in chunk]
            result = await session.execute(stmt, params)
            matched += result.rowcount  # type: ignore[attr-defined]
    else:
        stmt = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"), table.c.version == sa.bindparam("b_v"))
            .values(
                {n: sa.bindparam(f"b_{n}") for n in names}
                | {"version": table.c.version + 1, "updated_at": now}
            )
        )
        result = await session.execute(
            stmt,
            [
                {"b_id": pk, "b_v": version, **{f"b_{n}": values[n] for n in names}}
                for pk, version, values in ordered
            ],
        )
        matched = result.rowcount  # type: ignore[attr-defined]
    if matched != len(ordered):
        raise ConcurrentChange() if own_read else version_conflict(ordered[0][1])
