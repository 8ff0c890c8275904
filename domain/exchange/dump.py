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
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

import kyodo.domain.models  # noqa: F401  (registers every table on the metadata)
from kyodo.domain.agreements.documents import stored_problem as document_problem
from kyodo.domain.base import SQLModel
from kyodo.domain.data_version import bump_data_version
from kyodo.domain.validation import date_problem

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
    if any(isinstance(_storage_type(column), sa.LargeBinary) for column in table.columns):
        return 1
    return CHUNK_ROWS


def tables() -> list[sa.Table]:
    """Every table of the content, parents before children (the order of a dump and of a
    restore)."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in NOT_DUMPED]


# ---------------------------------------------------------------- value codecs


@dataclass(frozen=True)
class _Codec:
    """How one column's values go to JSON and back."""

    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]  # raises ValueError with a Japanese message


def _expect(kind: type | tuple[type, ...], label: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        # bool is an int in Python; a JSON true is not a number here.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{label}ではありません: {json.dumps(value, ensure_ascii=False)}")
        return value

    return check


def _identity(value: Any) -> Any:
    return value


def _enum_codec(enum: type[Enum]) -> _Codec:
    as_str = _expect(str, "文字列")

    def decode(value: Any) -> Any:
        name = as_str(value)
        try:
            return enum[name]
        except KeyError:
            allowed = "、".join(member.name for member in enum)
            raise ValueError(f"「{name}」は使えない値です（使える値: {allowed}）") from None

    return _Codec(encode=lambda member: member.name, decode=decode)


def _date_codec() -> _Codec:
    """ISO dates, within the range every other path accepts (domain.validation)."""
    as_str = _expect(str, "日付の文字列")

    def decode(value: Any) -> date:
        text = as_str(value)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"日付として読めません: {text}") from None
        problem = date_problem(day, label="日付", field=None)
        if problem is not None:
            raise ValueError(problem.message.rstrip("。"))
        return day

    return _Codec(encode=lambda value: value.isoformat(), decode=decode)


def _text_codec(length: int | None) -> _Codec:
    """Strings; those of a VARCHAR column no longer than it holds (SQLite would store a
    longer one, PostgreSQL refuses it, so a dump taken from SQLite is checked here)."""
    as_str = _expect(str, "文字列")

    def decode(value: Any) -> str:
        text = as_str(value)
        if length is not None and len(text) > length:
            raise ValueError(f"{len(text):,}文字あります（この列に入るのは{length:,}文字までです）")
        return text

    return _Codec(encode=_identity, decode=decode)


def _instant_codec() -> _Codec:
    """Timezone-aware instants, always written in UTC (SQLite hands them back naive, in UTC)."""
    as_str = _expect(str, "日時の文字列")

    def encode(value: datetime) -> str:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.isoformat(timespec="microseconds")

    def decode(value: Any) -> datetime:
        text = as_str(value)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"日時として読めません: {text}") from None
        if parsed.tzinfo is None:
            raise ValueError(f"日時に時差（+00:00 など）がありません: {text}")
        return parsed.astimezone(UTC)

    return _Codec(encode=encode, decode=decode)


def _local_datetime_codec() -> _Codec:
    as_str = _expect(str, "日時の文字列")

    def decode(value: Any) -> datetime:
        text = as_str(value)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"日時として読めません: {text}") from None
        if parsed.tzinfo is not None:
            raise ValueError(f"この列の日時には時差を付けません: {text}")
        return parsed

    return _Codec(encode=lambda value: value.isoformat(timespec="microseconds"), decode=decode)


def _bytes_codec() -> _Codec:
    """Bytes (a signed 協定書) as standard base64 text."""
    as_str = _expect(str, "base64 の文字列")

    def decode(value: Any) -> bytes:
        try:
            return base64.b64decode(as_str(value), validate=True)
        except binascii.Error:
            raise ValueError("base64 として読めません") from None

    return _Codec(encode=lambda value: base64.b64encode(value).decode("ascii"), decode=decode)


def _storage_type(column: sa.Column[Any]) -> Any:
    """The column's type as the database stores it (through e.g. SQLModel's AutoString)."""
    kind: Any = column.type
    while isinstance(kind, sa.TypeDecorator):
        kind = kind.impl_instance
    return kind


def _codec(column: sa.Column[Any]) -> _Codec:
    kind = _storage_type(column)
    # Order matters: Enum is a String, BigInteger an Integer.
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        return _enum_codec(kind.enum_class)
    if isinstance(kind, sa.JSON):
        return _Codec(encode=_identity, decode=_identity)
    if isinstance(kind, sa.DateTime):
        return _instant_codec() if kind.timezone else _local_datetime_codec()
    if isinstance(kind, sa.Date):
        return _date_codec()
    if isinstance(kind, sa.Boolean):
        return _Codec(encode=_identity, decode=_expect(bool, "真偽値（true / false）"))
    if isinstance(kind, sa.Integer):
        return _Codec(encode=_identity, decode=_expect(int, "整数"))
    if isinstance(kind, sa.String):
        return _text_codec(kind.length)
    if isinstance(kind, sa.LargeBinary):
        return _bytes_codec()
    # A new column type must get a codec here before it can be dumped losslessly.
    raise TypeError(f"no dump codec for {column.table.name}.{column.name} ({kind!r})")


def _codecs(table: sa.Table) -> list[_Codec]:
    return [_codec(column) for column in table.columns]


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


async def _check_database_revision(conn: AsyncConnection, schema_revision: str) -> None:
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
        if conn.dialect.name == "postgresql" and isinstance(_storage_type(column), sa.String):
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
        await _check_database_revision(conn, schema_revision)
        out.write(
            "{\n"
            f'"format": {_json(FORMAT)},\n'
            f'"version": {_json(FORMAT_VERSION)},\n'
            f'"schemaRevision": {_json(schema_revision)},\n'
            '"tables": {'
        )
        for index, table in enumerate(tables()):
            encoders = [codec.encode for codec in _codecs(table)]
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


# ---------------------------------------------------------------- reading a dump


_WHITESPACE = " \t\n\r"


class _JsonStream:
    """An incremental reader of one JSON document, value by value.

    The dump's outer structure (objects, arrays) is walked token by token; each inner
    value (a header field, a column list, one row) is decoded whole. Only the text of the
    value being read is held in memory, never the whole file.
    """

    def __init__(self, source: TextIO, read_size: int = 1 << 16) -> None:
        self._source = source
        self._read_size = read_size
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self._lines_dropped = 0
        self._decoder = json.JSONDecoder()

    # -- buffer

    def _fill(self, at_least: int | None = None) -> bool:
        """Read more text; False at the end of the file (then the buffer is untouched)."""
        if self._eof:
            return False
        try:
            chunk = self._source.read(max(self._read_size, at_least or 0))
        except UnicodeDecodeError:
            raise DumpError("ダンプファイルが UTF-8 ではありません。") from None
        if not chunk:
            self._eof = True
            return False
        if self._pos > len(self._buffer) // 2:  # drop what has been read
            self._lines_dropped += self._buffer.count("\n", 0, self._pos)
            self._buffer = self._buffer[self._pos :]
            self._pos = 0
        self._buffer += chunk
        return True

    def line(self) -> int:
        return self._lines_dropped + self._buffer.count("\n", 0, self._pos) + 1

    def broken(self, what: str) -> DumpError:
        return DumpError(f"ダンプファイルが壊れています（{self.line()} 行目）: {what}")

    # -- tokens

    def peek(self) -> str:
        """The next non-blank character ('' at the end of the file), not consumed."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in _WHITESPACE:
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise self.broken(
                f"「{char}」があるはずの所に「{found or 'ファイルの終わり'}」があります"
            )
        self._pos += 1

    def take(self, *chars: str) -> str:
        """Consume the next character, which must be one of ``chars``."""
        found = self.peek()
        if found not in chars or not found:
            expected = "」か「".join(chars)
            raise self.broken(
                f"「{expected}」があるはずの所に「{found or 'ファイルの終わり'}」があります"
            )
        self._pos += 1
        return found

    def value(self) -> Any:
        """Decode the next whole JSON value."""
        self.peek()
        read_more = self._read_size
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as error:
                # Near the end of the buffer the value may just be cut off: read on.
                cut_off = error.pos >= len(self._buffer) - 16 or error.msg.startswith(
                    "Unterminated string"
                )
                if cut_off and self._fill(read_more):
                    read_more *= 2
                    continue
                raise self.broken(f"JSON として読めません（{error.msg}）") from None
            # A number or literal right at the end may continue in the next chunk.
            if end > len(self._buffer) - 16 and self._fill(read_more):
                read_more *= 2
                continue
            self._pos = end
            return value

    def string(self) -> str:
        if self.peek() != '"':
            raise self.broken("名前（文字列）があるはずです")
        value = self.value()
        assert isinstance(value, str)
        return value

    def members(self) -> Iterator[str]:
        """The keys of an object, one by one; the caller reads each value."""
        self.expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            key = self.string()
            self.expect(":")
            yield key
            if self.take(",", "}") == "}":
                return

    def elements(self) -> Iterator[None]:
        """Step through an array; the caller reads each element."""
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield None
            if self.take(",", "]") == "]":
                return

    def end(self) -> None:
        if self.peek():
            raise self.broken("ダンプの後ろに余分なデータがあります")


@dataclass
class _TableStart:
    name: str
    columns: list[str]


@dataclass
class _Rows:
    rows: list[Any]
    first_row_number: int


def _read_header(stream: _JsonStream, members: Iterator[str]) -> dict[str, Any]:
    """The fields before ``tables``; the stream is left at the start of ``tables``."""
    header: dict[str, Any] = {}
    for key in members:
        if key == "tables":
            return header
        header[key] = stream.value()
    raise DumpError("ダンプファイルに tables がありません。")


def _check_header(header: dict[str, Any], schema_revision: str) -> None:
    if header.get("format") != FORMAT:
        raise DumpError(
            f"kyodo のダンプファイルではありません（format が {FORMAT} ではありません）。"
            "format・version・schemaRevision は tables より前に書かれている必要があります。"
        )
    if header.get("version") != FORMAT_VERSION:
        raise DumpError(
            f"ダンプ形式の版 {header.get('version')} には対応していません"
            f"（この kyodo が読めるのは版 {FORMAT_VERSION} です）。"
        )
    revision = header.get("schemaRevision")
    if revision != schema_revision:
        raise DumpError(
            f"ダンプのスキーマ版（{revision}）が、このデータベースの版（{schema_revision}）と"
            "違うため復元できません。ダンプを作った版の kyodo で復元してから、"
            "kyodo db upgrade を実行してください。"
        )


def _read_tables(
    stream: _JsonStream, chunk_size: Callable[[str], int]
) -> Iterator[_TableStart | _Rows]:
    """Walk the ``tables`` object: a start per table, then its rows in chunks of
    ``chunk_size(table name)``."""
    for name in stream.members():
        columns: list[str] | None = None
        for key in stream.members():
            if key == "columns":
                value = stream.value()
                if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
                    raise DumpError(f"表 {name} の columns が列名の配列ではありません。")
                columns = value
                yield _TableStart(name, columns)
            elif key == "rows":
                if columns is None:
                    raise DumpError(f"表 {name} の columns が rows より前にありません。")
                chunk: list[Any] = []
                first = 1
                size = chunk_size(name)
                for _ in stream.elements():
                    chunk.append(stream.value())
                    if len(chunk) == size:
                        yield _Rows(chunk, first)
                        first += len(chunk)
                        chunk = []
                if chunk:
                    yield _Rows(chunk, first)
            else:
                raise DumpError(f"表 {name} に知らない項目 {key} があります。")
        if columns is None:
            raise DumpError(f"表 {name} に columns がありません。")


# ---------------------------------------------------------------- restore


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
        self.codecs = [_codec(column) for column in self.columns]
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

    async def insert(self, conn: AsyncConnection, chunk: _Rows) -> None:
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
        self, conn: AsyncConnection, chunk: _Rows, rows: list[dict[str, Any]]
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
    await _check_database_revision(conn, schema_revision)
    stream = _JsonStream(source)
    document = stream.members()
    _check_header(_read_header(stream, document), schema_revision)

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

    for event in _read_tables(stream, chunk_size):
        if isinstance(event, _TableStart):
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
