"""Reading a dump incrementally: its outer structure token by token, each header field,
column list and row decoded whole, so that only the value being read is in memory."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from kyodo.domain.exchange.dump import FORMAT, FORMAT_VERSION, DumpError

_WHITESPACE = " \t\n\r"


class JsonStream:
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
        self.take(char)

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

    def _empty(self, opening: str, closing: str) -> bool:
        """Consume ``opening``; True, with ``closing`` consumed too, when nothing is between."""
        self.expect(opening)
        if self.peek() == closing:
            self._pos += 1
            return True
        return False

    def members(self) -> Iterator[str]:
        """The keys of an object, one by one; the caller reads each value."""
        if self._empty("{", "}"):
            return
        while True:
            key = self.string()
            self.expect(":")
            yield key
            if self.take(",", "}") == "}":
                return

    def elements(self) -> Iterator[None]:
        """Step through an array; the caller reads each element."""
        if self._empty("[", "]"):
            return
        while True:
            yield None
            if self.take(",", "]") == "]":
                return

    def end(self) -> None:
        if self.peek():
            raise self.broken("ダンプの後ろに余分なデータがあります")


@dataclass
class TableStart:
    name: str
    columns: list[str]


@dataclass
class RowChunk:
    rows: list[Any]
    first_row_number: int


def read_header(stream: JsonStream, members: Iterator[str]) -> dict[str, Any]:
    """The fields before ``tables``; the stream is left at the start of ``tables``."""
    header: dict[str, Any] = {}
    for key in members:
        if key == "tables":
            return header
        header[key] = stream.value()
    raise DumpError("ダンプファイルに tables がありません。")


def check_header(header: dict[str, Any], schema_revision: str) -> None:
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


def read_tables(
    stream: JsonStream, chunk_size: Callable[[str], int]
) -> Iterator[TableStart | RowChunk]:
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
                yield TableStart(name, columns)
            elif key == "rows":
                if columns is None:
                    raise DumpError(f"表 {name} の columns が rows より前にありません。")
                chunk: list[Any] = []
                first = 1
                size = chunk_size(name)
                for _ in stream.elements():
                    chunk.append(stream.value())
                    if len(chunk) == size:
                        yield RowChunk(chunk, first)
                        first += len(chunk)
                        chunk = []
                if chunk:
                    yield RowChunk(chunk, first)
            else:
                raise DumpError(f"表 {name} に知らない項目 {key} があります。")
        if columns is None:
            raise DumpError(f"表 {name} に columns がありません。")
