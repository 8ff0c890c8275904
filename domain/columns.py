"""Columns several tables share, declared once (the tables' own pieces are in ``base``)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Identified(SQLModel):
    """A row's own id, and the key it has in the system it was imported from (unique)."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=200, unique=True)
