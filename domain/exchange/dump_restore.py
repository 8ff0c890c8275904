"""Restoring a dump (``kyodo restore``) into a database at the same schema revision, in
the caller's transaction: tables parents first, rows in chunks, self-references last."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from kyodo.domain.data_version import bump_data_version
from kyodo.domain.exchange.dump import (
    CHUNK_ROWS,
    ROW_CHECKS,
    DumpError,
    check_database_revision,
    chunk_rows,
    tables,
)
from kyodo.domain.exchange.dump_codecs import codec_for
from kyodo.domain.exchange.dump_reader import (
    JsonStream,
    RowChunk,
    TableStart,
    check_header,
    read_header,
    read_tables,
)


async def row_counts(conn: AsyncConnection) -> dict[str, int]:
    """Rows per table, for every table of the schema."""
    counts: dict[str, int] = {}
    for table in tables():
        counts[table.name] = (await conn.scalar(sa.select(sa.func.count()).select_from(table))) or 0
    return counts


def _describe(counts: dict[str, int]) -> str:
    return "、".join(f"{name} {count:,} 件" for name, count in counts.items() if count)


def _self_references(table: sa.Table) -> list[sa.Column[Any]]:
    return [fk.parent for fk in table.foreign_keys if fk.column.table is table]


async def _lock_for_restore(conn: AsyncConnection) -> None:
    """On PostgreSQL, keep other writers out until the restore commits (reads go on)."""
    if conn.dialect.name != "postgresql":
        return
    preparer = conn.dialect.identifier_preparer
    names = ", ".join(preparer.format_table(table) for table in tables())
    await conn.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


async def _empty_all_tables(conn: AsyncConnection) -> None:
    for table in reversed(tables()):
        for column in _self_references(table):
            await conn.execute(sa.update(table).where(column.is_not(None)).values({column: None}))
        await conn.execute(sa.delete(table))


async def _reset_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL: make each serial key continue after the restored ids."""
    if conn.dialect.name != "postgresql":
        return  # SQLite picks max(rowid) + 1 by itself
    preparer = conn.dialect.identifier_preparer
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
            continue
        key = keys[0]
        table_name = preparer.format_table(table)
        sequence = await conn.scalar(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table_name, "column": key.name},
        )
        if sequence is None:
            continue
        column_name = preparer.format_column(key)
        await conn.execute(
            sa.text(
                f"SELECT setval(CAST(:sequence AS regclass), "
                f"COALESCE(MAX({column_name}), 1), MAX({column_name}) IS NOT NULL) "
                f"FROM {table_name}"
            ),
            {"sequence": sequence},
        )


class _TableRestore:
    """Inserting one table's rows, chunk by chunk, with the error naming the row."""

    def __init__(self, table: sa.Table, columns: list[str]) -> None:
        self.table = table
        expected = [column.name for column in table.columns]
        if sorted(columns) != sorted(expected):
            missing = [name for name in expected if name not in columns]
            extra = [name for name in columns if name not in expected]
            details = []
            if missing:
                details.append(f"足りない列: {'、'.join(missing)}")
            if extra:
                details.append(f"知らない列: {'、'.join(extra)}")
            if not details:
                details.append("同じ列が二度あります")
            raise DumpError(
                f"表 {table.name} の列がこのデータベースと合いません（{'；'.join(details)}）。"
            )
        self.columns = [table.columns[name] for name in columns]
        self.codecs = [codec_for(column) for column in self.columns]
        self.deferred = {column.name for column in _self_references(table)}
        self.keys = [column.name for column in table.primary_key.columns]
        # Self-references are written after all rows exist: (primary key, {column: value}).
        self.pending: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.count = 0

    def _decode(self, row: Any, number: int) -> dict[str, Any]:
        where = f"表 {self.table.name} の {number:,} 行目"
        if not isinstance(row, list):
            raise DumpError(f"{where}が配列ではありません。")
        if len(row) != len(self.columns):
            raise DumpError(f"{where}の値の数が {len(row)} 個です（列は {len(self.columns)} 個）。")
        values: dict[str, Any] = {}
        for column, codec, value in zip(self.columns, self.codecs, row, strict=True):
            if value is None:
                values[column.name] = None
                continue
            try:
                values[column.name] = codec.decode(value)
            except ValueError as error:
                raise DumpError(f"{where}、列 {column.name}: {error}。") from None
        check = ROW_CHECKS.get(self.table.name)
        problem = check(values) if check is not None else None
        if problem is not None:
            raise DumpError(f"{where}: {problem}。")
        later = {name: values[name] for name in self.deferred if values[name] is not None}
        if later:
            self.pending.append(({key: values[key] for key in self.keys}, later))
            values.update(dict.fromkeys(later))
        return values

    async def insert(self, conn: AsyncConnection, chunk: RowChunk) -> None:
        rows = [
            self._decode(row, chunk.first_row_number + offset)
            for offset, row in enumerate(chunk.rows)
        ]
        statement = sa.insert(self.table)
        try:
            async with conn.begin_nested():
                await conn.execute(statement, rows)
        except DBAPIError as chunk_error:
            await self._name_the_bad_row(conn, chunk, rows)
            last = chunk.first_row_number + len(rows) - 1
            raise DumpError(
                f"表 {self.table.name} の {chunk.first_row_number:,}〜{last:,} 行目を"
                f"書き込めません: {_reason(chunk_error)}"
            ) from None
        self.count += len(rows)

    async def _name_the_bad_row(
        self, conn: AsyncConnection, chunk: RowChunk, rows: list[dict[str, Any]]
    ) -> None:
        """Insert the chunk row by row (then undo it) to raise an error naming the row."""
        statement = sa.insert(self.table)
        savepoint = await conn.begin_nested()
        try:
            for offset, row in enumerate(rows):
                try:
                    async with conn.begin_nested():
                        await conn.execute(statement, [row])
                except DBAPIError as error:
                    number = chunk.first_row_number + offset
                    raise DumpError(
                        f"表 {self.table.name} の {number:,} 行目を書き込めません"
                        f"（{_key_text(row, self.keys)}）: {_reason(error)}"
                    ) from None
        finally:
            await savepoint.rollback()

    async def finish(self, conn: AsyncConnection) -> None:
        for key, values in self.pending:
            statement = sa.update(self.table).values(values)
            for name, value in key.items():
                statement = statement.where(self.table.columns[name] == value)
            try:
                async with conn.begin_nested():
                    await conn.execute(statement)
            except DBAPIError as error:
                raise DumpError(
                    f"表 {self.table.name} の {_key_text(key, self.keys)} の"
                    f"{'、'.join(values)} を書き込めません: {_reason(error)}"
                ) from None


def _key_text(row: dict[str, Any], keys: Sequence[str]) -> str:
    return "、".join(f"{key}={row[key]}" for key in keys)


def _reason(error: DBAPIError) -> str:
    """The database's own words, first line only (no SQL, no parameters)."""
    return str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__


async def restore_database(
    conn: AsyncConnection, source: TextIO, *, schema_revision: str, replace: bool = False
) -> dict[str, int]:
    """Load a dump into the database; return rows restored per table.

    Runs in the caller's transaction (commit on success, roll back on a DumpError, and
    nothing has changed). The database must be migrated to ``schema_revision``, the same
    revision as the dump. A database holding any data is refused unless ``replace``, which
    deletes everything first. Tables are filled parents first; a table's references to
    itself (an amendment's ``amends_id``) are set once all its rows exist. On PostgreSQL
    the id sequences then continue after the restored ids.
    """
    await check_database_revision(conn, schema_revision)
    stream = JsonStream(source)
    document = stream.members()
    check_header(read_header(stream, document), schema_revision)

    await _lock_for_restore(conn)
    existing = await row_counts(conn)
    if any(existing.values()):
        if not replace:
            raise DumpError(
                f"データベースが空ではありません（{_describe(existing)}）。"
                "中身を消して置き換えるには --replace を付けてください。"
            )
        await _empty_all_tables(conn)

    known = {table.name: table for table in tables()}
    done: dict[str, int] = {}
    current: _TableRestore | None = None

    async def close(current: _TableRestore | None) -> None:
        if current is not None:
            await current.finish(conn)
            done[current.table.name] = current.count

    def chunk_size(name: str) -> int:
        return chunk_rows(known[name]) if name in known else CHUNK_ROWS

    for event in read_tables(stream, chunk_size):
        if isinstance(event, TableStart):
            await close(current)
            current = None
            table = known.get(event.name)
            if table is None:
                raise DumpError(f"ダンプにこのデータベースにない表 {event.name} があります。")
            if event.name in done:
                raise DumpError(f"ダンプに表 {event.name} が二度あります。")
            for parent in sorted({fk.column.table.name for fk in table.foreign_keys}):
                if parent != table.name and parent not in done:
                    raise DumpError(
                        f"表 {event.name} が、参照先の表 {parent} より前に書かれています。"
                        "kyodo dump が書いた順のまま復元してください。"
                    )
            current = _TableRestore(table, event.columns)
        else:
            assert current is not None
            await current.insert(conn, event)
    await close(current)
    for _later_field in document:
        stream.value()  # fields after the tables carry nothing a restore needs
    stream.end()

    missing = [name for name in known if name not in done]
    if missing:
        raise DumpError(f"ダンプに表がありません: {'、'.join(missing)}。")
    await _reset_sequences(conn)
    # Whatever any app instance kept from the content before is no longer current.
    await bump_data_version(conn)
    return {table.name: done[table.name] for table in tables()}
