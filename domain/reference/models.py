"""Reference data: departments (担当課) and fields of collaboration (協働の分野, Q8)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Department(SQLModel, table=True):
    __tablename__ = "department"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, nullable=False)
    name: str = Field(max_length=200, nullable=False)


class CollaborationField(SQLModel, table=True):
    __tablename__ = "collaboration_field"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, nullable=False)
    name: str = Field(max_length=200, nullable=False)
    group_name: str = Field(max_length=200, nullable=False)
    sort_order: int = Field(default=0, nullable=False)
