"""API tokens (bearer credentials). Only a SHA-256 digest of each token is stored."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kyodo.domain.base import created_at_field, enum_column
from kyodo.domain.enums import Role


class ApiToken(SQLModel, table=True):
    """One issued token: the caller it stands for (``name``), its role and, for STAFF,
    the department it is bound to.

    The token itself is shown once when issued and never stored: ``token_hash`` is its
    SHA-256 hex digest and ``prefix`` its first characters, so a list can tell tokens
    apart without revealing them.
    """

    __tablename__ = "api_token"
    __table_args__ = (
        sa.CheckConstraint(
            "role <> 'STAFF' OR department_code IS NOT NULL", name="staff_has_department"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, nullable=False)
    role: Role = Field(sa_type=enum_column(Role), nullable=False)
    department_code: str | None = Field(
        default=None, max_length=64, foreign_key="department.code", nullable=True
    )
    token_hash: str = Field(max_length=64, unique=True, nullable=False)
    prefix: str = Field(max_length=8, nullable=False, index=True)
    created_at: datetime = created_at_field()
    expires_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    last_used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
