"""Shared pieces of the SQLModel tables: naming convention, enum columns, timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Named constraints make migrations reviewable and downgradable on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum: type[Enum]) -> sa.Enum:
    """A portable enum column: VARCHAR holding the member name, no native DB enum."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


def status_field(initial: Enum) -> Any:
    """The ``status`` column of an entity with a status machine: its enum, never empty,
    indexed (lists filter on it), and ``initial`` for a new row."""
    return Field(default=initial, sa_type=enum_column(type(initial)), nullable=False, index=True)


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)


def updated_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)


class Versioned(SQLModel):
    """Optimistic concurrency (rule 15) and timestamps shared by every editable entity."""

    version: int = Field(default=1, nullable=False)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class _Unset:
    """Marks an input field the caller did not send (as opposed to an explicit null)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


def is_set(value: Any) -> bool:
    return value is not UNSET
