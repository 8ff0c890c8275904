"""Endorsement applications (後援, 第3章(7))."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field

from kyodo.domain.base import Versioned, status_field
from kyodo.domain.columns import Identified
from kyodo.domain.enums import EndorsementStatus


class EndorsementApplication(Identified, Versioned, table=True):
    __tablename__ = "endorsement_application"

    event_name: str = Field(max_length=300, nullable=False)
    organizer_id: int = Field(foreign_key="partner.id", index=True, nullable=False)
    department_id: int = Field(foreign_key="department.id", index=True, nullable=False)
    event_starts_on: date = Field(nullable=False)
    event_ends_on: date | None = None
    venue: str | None = Field(default=None, max_length=300)
    purpose: str = Field(sa_type=sa.Text, nullable=False)
    expected_audience: str | None = Field(default=None, max_length=300)
    # The grounds of the seven-item checklist that apply (EndorsementDisqualifier names).
    disqualifiers: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    requested_funding_yen: int | None = Field(default=None, sa_type=sa.BigInteger)
    contributes_to_city_policy: bool | None = None
    status: EndorsementStatus = status_field(EndorsementStatus.SUBMITTED)
    submitted_on: date | None = None
    decided_on: date | None = None
    decision_reason: str | None = Field(default=None, sa_type=sa.Text)
