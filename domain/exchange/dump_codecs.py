"""How each column's values go to a dump's JSON and back: by the type the database stores,
checked on the way back in (a dump edited or damaged is refused with a Japanese message)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypeVar

import sqlalchemy as sa

from kyodo.domain.validation import date_problem

T = TypeVar("T")


@dataclass(frozen=True)
class Codec:
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


def _enum_codec(enum: type[Enum]) -> Codec:
    as_str = _expect(str, "文字列")

    def decode(value: Any) -> Any:
        name = as_str(value)
        try:
            return enum[name]
        except KeyError:
            allowed = "、".join(member.name for member in enum)
            raise ValueError(f"「{name}」は使えない値です（使える値: {allowed}）") from None

    return Codec(encode=lambda member: member.name, decode=decode)


def _iso(parse: Callable[[str], T], label: str, what: str) -> Callable[[Any], T]:
    """A decoder of ISO text: ``label`` names the JSON string it expects, ``what`` the
    value in the message when ``parse`` cannot read it."""
    as_str = _expect(str, label)

    def decode(value: Any) -> T:
        text = as_str(value)
        try:
            return parse(text)
        except ValueError:
            raise ValueError(f"{what}として読めません: {text}") from None

    return decode


def _date_codec() -> Codec:
    """ISO dates, within the range every other path accepts (domain.validation)."""
    read = _iso(date.fromisoformat, "日付の文字列", "日付")

    def decode(value: Any) -> date:
        day = read(value)
        problem = date_problem(day, label="日付", field=None)
        if problem is not None:
            raise ValueError(problem.message.rstrip("。"))
        return day

    return Codec(encode=lambda value: value.isoformat(), decode=decode)


def _text_codec(length: int | None) -> Codec:
    """Strings; those of a VARCHAR column no longer than it holds (SQLite would store a
    longer one, PostgreSQL refuses it, so a dump taken from SQLite is checked here)."""
    as_str = _expect(str, "文字列")

    def decode(value: Any) -> str:
        text = as_str(value)
        if length is not None and len(text) > length:
            raise ValueError(f"{len(text):,}文字あります（この列に入るのは{length:,}文字までです）")
        return text

    return Codec(encode=_identity, decode=decode)


def _instant_codec() -> Codec:
    """Timezone-aware instants, always written in UTC (SQLite hands them back naive, in UTC)."""
    read = _iso(datetime.fromisoformat, "日時の文字列", "日時")

    def encode(value: datetime) -> str:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.isoformat(timespec="microseconds")

    def decode(value: Any) -> datetime:
        parsed = read(value)
        if parsed.tzinfo is None:
            raise ValueError(f"日時に時差（+00:00 など）がありません: {value}")
        return parsed.astimezone(UTC)

    return Codec(encode=encode, decode=decode)


def _local_datetime_codec() -> Codec:
    read = _iso(datetime.fromisoformat, "日時の文字列", "日時")

    def decode(value: Any) -> datetime:
        parsed = read(value)
        if parsed.tzinfo is not None:
            raise ValueError(f"この列の日時には時差を付けません: {value}")
        return parsed

    return Codec(encode=lambda value: value.isoformat(timespec="microseconds"), decode=decode)


def _bytes_codec() -> Codec:
    """Bytes (a signed 協定書) as standard base64 text."""
    as_str = _expect(str, "base64 の文字列")

    def decode(value: Any) -> bytes:
        try:
            return base64.b64decode(as_str(value), validate=True)
        except binascii.Error:
            raise ValueError("base64 として読めません") from None

    return Codec(encode=lambda value: base64.b64encode(value).decode("ascii"), decode=decode)


def storage_type(column: sa.Column[Any]) -> Any:
    """The column's type as the database stores it (through e.g. SQLModel's AutoString)."""
    kind: Any = column.type
    while isinstance(kind, sa.TypeDecorator):
        kind = kind.impl_instance
    return kind


def codec_for(column: sa.Column[Any]) -> Codec:
    kind = storage_type(column)
    # Order matters: Enum is a String, BigInteger an Integer.
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        return _enum_codec(kind.enum_class)
    if isinstance(kind, sa.JSON):
        return Codec(encode=_identity, decode=_identity)
    if isinstance(kind, sa.DateTime):
        return _instant_codec() if kind.timezone else _local_datetime_codec()
    if isinstance(kind, sa.Date):
        return _date_codec()
    if isinstance(kind, sa.Boolean):
        return Codec(encode=_identity, decode=_expect(bool, "真偽値（true / false）"))
    if isinstance(kind, sa.Integer):
        return Codec(encode=_identity, decode=_expect(int, "整数"))
    if isinstance(kind, sa.String):
        return _text_codec(kind.length)
    if isinstance(kind, sa.LargeBinary):
        return _bytes_codec()
    # A new column type must get a codec here before it can be dumped losslessly.
    raise TypeError(f"no dump codec for {column.table.name}.{column.name} ({kind!r})")


def codecs_of(table: sa.Table) -> list[Codec]:
    return [codec_for(column) for column in table.columns]
