"""Turning the JSON the database built back into the values the ORM would have returned.

One decoder per column type, derived from the SQLModel table itself (no second list of
columns to keep in step): dates and instants arrive as ISO strings, booleans as
``true``/``false`` (PostgreSQL) or ``1``/``0`` (SQLite), enums as their stored value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa

Decoder = Callable[[Any], Any]


def _date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _datetime(value: Any) -> datetime | None:
    # PostgreSQL: '2024-05-01T03:00:00.123456+00:00' (aware); SQLite stores naive UTC as
    # '2024-05-01 03:00:00.123456', which the ORM also hands back naive.
    return None if value is None else datetime.fromisoformat(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _enum(enum: type[Enum]) -> Decoder:
    members = {member.value: member for member in enum}

    def decode(value: Any) -> Any:
        return None if value is None else members[value]

    decode.not_null = members.__getitem__  # type: ignore[attr-defined]
    return decode


# What each decoder does to a value that is not null, as a built-in function: a
# generated row decoder (``domain.read.selection``) calls it inline, one Python call
# less per value (a large read decodes tens of thousands).
_date.not_null = date.fromisoformat  # type: ignore[attr-defined]
_datetime.not_null = datetime.fromisoformat  # type: ignore[attr-defined]
_bool.not_null = bool  # type: ignore[attr-defined]


def decoder_for(column: sa.Column[Any]) -> Decoder | None:
    """How to decode ``column``'s JSON value; None when it arrives as it is (text, ints)."""
    type_ = column.type
    while isinstance(type_, sa.types.TypeDecorator):  # e.g. SQLModel's AutoString
        type_ = type_.impl_instance
    if isinstance(type_, sa.Enum) and type_.enum_class is not None:
        return _enum(type_.enum_class)
    if isinstance(type_, sa.DateTime):
        return _datetime
    if isinstance(type_, sa.Date):
        return _date
    if isinstance(type_, sa.Boolean):
        return _bool
    if isinstance(type_, sa.Integer | sa.String | sa.Text | sa.JSON):
        return None  # (JSON columns are embedded as JSON: they arrive parsed)
    raise TypeError(f"no JSON decoder for column {column} of type {type_!r}")
