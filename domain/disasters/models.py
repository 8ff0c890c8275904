"""Disaster events, support requests, contact verifications and capacity reports."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from kyodo.domain.base import Versioned, created_at_field, enum_column, status_field
from kyodo.domain.columns import Identified
from kyodo.domain.enums import (
    DisasterKind,
    SupportAnswer,
    SupportCategory,
    SupportRequestStatus,
    VerificationOutcome,
)


class DisasterEvent(Identified, Versioned, table=True):
    """災害: a disaster or an exercise, under which support is requested."""

    __tablename__ = "disaster_event"

    name: str = Field(max_length=200, nullable=False)
    kind: DisasterKind = Field(sa_type=enum_column(DisasterKind), nullable=False)
    started_on: date = Field(nullable=False, index=True)
    districts: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    note: str | None = Field(default=None, sa_type=sa.Text)
    closed_on: date | None = None


class SupportRequest(Identified, Versioned, table=True):
    """応援要請: support asked of a party under an agreement during a disaster event."""

    __tablename__ = "support_request"

    event_id: int = Field(foreign_key="disaster_event.id", index=True, nullable=False)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, nullable=False)
    partner_id: int = Field(foreign_key="partner.id", index=True, nullable=False)
    category: SupportCategory = Field(sa_type=enum_column(SupportCategory), nullable=False)
    what: str = Field(max_length=500, nullable=False)
    quantity: int | None = None
    unit: str | None = Field(default=None, max_length=50)
    status: SupportRequestStatus = status_field(SupportRequestStatus.REQUESTED)
    requested_by: str = Field(max_length=200, nullable=False)
    requested_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
    answer: SupportAnswer | None = Field(default=None, sa_type=enum_column(SupportAnswer))
    answered_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    answered_by: str | None = Field(default=None, max_length=200)
    answer_note: str | None = Field(default=None, sa_type=sa.Text)
    delivered_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    delivered_by: str | None = Field(default=None, max_length=200)
    delivery_note: str | None = Field(default=None, sa_type=sa.Text)
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    closed_by: str | None = Field(default=None, max_length=200)
    close_note: str | None = Field(default=None, sa_type=sa.Text)


class ContactVerification(Identified, table=True):
    """連絡先確認: one call of a partner's yearly contact check, across all its agreements."""

    __tablename__ = "contact_verification"

    partner_id: int = Field(foreign_key="partner.id", index=True, nullable=False)
    verified_on: date = Field(nullable=False)
    outcome: VerificationOutcome = Field(sa_type=enum_column(VerificationOutcome), nullable=False)
    verified_by: str = Field(max_length=200, nullable=False)
    note: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = created_at_field()


class CapacityReport(Identified, table=True):
    """備蓄・能力: what a partner reports it can supply, as of the day it reported."""

    __tablename__ = "capacity_report"

    partner_id: int = Field(foreign_key="partner.id", index=True, nullable=False)
    item: str = Field(max_length=200, nullable=False)
    quantity: int = Field(nullable=False)
    unit: str = Field(max_length=50, nullable=False)
    reported_on: date = Field(nullable=False)
    note: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = created_at_field()
