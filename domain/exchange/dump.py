"""Lossless dump and restore of the whole database (バックアップと復元).

A dump is one UTF-8 JSON document::

    {
    "format": "kyodo-dump",
    "version": 1,
    "schemaRevision": "0002_api_tokens",
    "tables": {
    "audit_event": {"columns": ["id", "occurred_at", ...], "rows": [
    [1, "2024-04-01T00:00:00.000000+00:00", ...],
    ...
    ]},
    ...
    }
    }

Every table of ``SQLModel.metadata`` is written in dependency order (``sorted_tables``),
its rows ordered by primary key (text keys in byte order, so SQLite and PostgreSQL agree),
one row per line. Values keep their type: dates as ISO dates, instants as ISO timestamps
normalised to UTC with microseconds, JSON columns as JSON, enums by member name, integers
(also bigint yen amounts) as integers. The same database always gives the same bytes, so
dump → restore → dump is byte-identical, across SQLite and PostgreSQL too.

``schemaRevision`` is the database's Alembic revision (``alembic_version``); a dump is
restored only into a database at the same revision. ``api_token`` is included: it holds
only SHA-256 hashes of the tokens, never the tokens themselves, so restored tokens keep
working and a dump reveals none. A dump does contain personal data (contacts).

One loss is accepted on purpose: in a nullable JSON column an SQL NULL and a JSON
``null`` both read as ``None`` (the application never tells them apart), and both
restore the way the application writes ``None``.

Both directions stream: the dump fetches rows in chunks through a server-side cursor and
writes each row as it comes; the restore parses the file incrementally and inserts
``CHUNK_ROWS`` rows at a time (a 協定書 one at a time: ``chunk_rows``), so neither holds
the database in memory. A restore runs in
the caller's single transaction: any problem raises :class:`DumpError` and, once the
caller rolls back, nothing has changed.

Here the format and the dump; ``dump_codecs`` turns values to JSON and back,
``dump_reader`` reads a dump incrementally and ``dump_restore`` loads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

import kyodo.domain.models  # noqa: F401  (registers every table on the metadata)
from kyodo.domain.agreements.documents import stored_problem as document_problem
from kyodo.domain.base import SQLModel
from kyodo.domain.exchange.dump_codecs import codecs_of, storage_type

FORMAT = "kyodo-dump"
FORMAT_VERSION = 1
CHUNK_ROWS = 1000


class DumpError(ValueError):
    """A dump cannot be written or restored; the message says why, in Japanese."""


NOT_DUMPED = frozenset({"data_version"})
"""Tables of the database itself, not of its content: the data version
(``domain.data_version``) is never dumped, emptied or restored; a restore moves it on."""


ROW_CHECKS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "agreement_document": document_problem,
}
"""Rules a restored row must meet beyond its columns' types: a 協定書 is a PDF whose size
and SHA-256 are those recorded with it (a dump edited or damaged is refused)."""


def chunk_rows(table: sa.Table) -> int:
    """Rows read, written and held at a time: one for a table of documents (each up to
    ``KYODO_MAX_DOCUMENT_BYTES``), else ``CHUNK_ROWS``."""
    if any(isinstance(storage_type(column), sa.LargeBinary) for column in table.columns):
        return 1
    return CHUNK_ROWS


def tables() -> list[sa.Table]:
    """Every table of the content, parents before children (the order of a dump and of a
    restore)."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in NOT_DUMPED]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- schema revision


async def database_revision(conn: AsyncConnection) -> str | None:
    """The Alembic revision the database is at, or None when it was never migrated."""
    has_table = await conn.run_sync(lambda sync: sa.inspect(sync).has_table("alembic_version"))
    if not has_table:
        return None
    revisions = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).all()
    return " ".join(sorted(row[0] for row in revisions)) or None


async def check_database_revision(conn: AsyncConnection, schema_revision: str) -> None:
    revision = await database_revision(conn)
    if revision is None:
        raise DumpError(
            "データベースにテーブルがありません。先に kyodo db upgrade を実行してください。"
        )
    if revision != schema_revision:
        raise DumpError(
            f"データベースのスキーマ版（{revision}）が、この kyodo の版（{schema_revision}）と"
            "違います。先に kyodo db upgrade を実行してください。"
        )


# ---------------------------------------------------------------- dump


def _primary_key_order(conn: AsyncConnection, table: sa.Table) -> list[Any]:
    """ORDER BY the primary key; text keys in byte order on every database."""
    order: list[Any] = []
    for column in table.primary_key.columns:
        if conn.dialect.name == "postgresql" and isinstance(storage_type(column), sa.String):
            order.append(column.collate("C"))
        else:
            order.append(column)
    return order


async def dump_database(
    conn: AsyncConnection, out: TextIO, *, schema_revision: str
) -> dict[str, int]:
    """Write every table to ``out`` (see the module docstring); return rows per table.

    ``conn`` must not be in a transaction: the dump reads in one transaction of its own
    (REPEATABLE READ on PostgreSQL), so it is a consistent snapshot even while the API
    keeps writing. ``schema_revision`` is the Alembic head this code expects; a database
    at another revision is refused.
    """
    if conn.dialect.name == "postgresql":
        await conn.execution_options(isolation_level="REPEATABLE READ")
    counts: dict[str, int] = {}
    async with conn.begin():
        await check_database_revision(conn, schema_revision)
        out.write(
            "{\n"
            f'"format": {_json(FORMAT)},\n'
            f'"version": {_json(FORMAT_VERSION)},\n'
            f'"schemaRevision": {_json(schema_revision)},\n'
            '"tables": {'
        )
        for index, table in enumerate(tables()):
            encoders = [codec.encode for codec in codecs_of(table)]
            names = [column.name for column in table.columns]
            out.write(("\n" if index == 0 else ",\n") + f"{_json(table.name)}: ")
            out.write(f'{{"columns": {_json(names)}, "rows": [')
            statement = (
                sa.select(*table.columns)
                .order_by(*_primary_key_order(conn, table))
                .execution_options(yield_per=chunk_rows(table))
            )
            count = 0
            result = await conn.stream(statement)
            async for partition in result.partitions():
                for row in partition:
                    values = [
                        None if value is None else encode(value)
                        for encode, value in zip(encoders, row, strict=True)
                    ]
                    out.write(("\n" if count == 0 else ",\n") + _json(values))
                    count += 1
            out.write("\n]}" if count else "]}")
            counts[table.name] = count
        out.write("\n}\n}\n")
    return counts
