"""Audit events (監査記録): who changed what, when; and who read personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kyodo.domain.base import utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(
        default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False, index=True
    )
    actor: str = Field(max_length=200, nullable=False)
    action: str = Field(max_length=100, nullable=False)
    entity_type: str = Field(max_length=100, nullable=False)
    entity_id: str = Field(max_length=100, nullable=False)
    changes: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
