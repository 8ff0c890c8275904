"""Columns several tables share, declared once (the tables' own pieces are in ``base``)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from sqlmodel import Field, SQLModel

from kyodo.domain.base import enum_column


class Identified(SQLModel):
    """A row's own id, and the key it has in the system it was imported from (unique)."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=200, unique=True)


def owner_key(table: str) -> Any:
    """A link row's owner (``table``'s id): part of the link's key, deleted with the owner."""
    return Field(foreign_key=f"{table}.id", primary_key=True, ondelete="CASCADE")


def owner_id(table: str, *, one: bool = False) -> Any:
    """A child row's owner (``table``'s id), deleted with the owner; ``one``: the owner
    has at most one such row (unique), otherwise indexed to read an owner's rows."""
    return Field(
        foreign_key=f"{table}.id", index=not one, unique=one, nullable=False, ondelete="CASCADE"
    )


def linked_key(to: str | type[Enum]) -> Any:
    """What a link row links its owner to, a ``to`` table's id or a value of the ``to``
    enum: the rest of the link's key, indexed to find the owners of one value."""
    if isinstance(to, str):
        return Field(foreign_key=f"{to}.id", primary_key=True, index=True)
    return Field(sa_type=enum_column(to), primary_key=True, index=True)
