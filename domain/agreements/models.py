"""Agreements (協定, 第3章(3)): parties, support categories, terms and amendments."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.base import Versioned, enum_column
from domain.enums import AgreementCategory, AgreementStatus, SupportCategory


class Agreement(Versioned, table=True):
    __tablename__ = "agreement"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=200, unique=True)
    title: str = Field(max_length=300, nullable=False)
    search_text: str = Field(default="", max_length=700, nullable=False)
    category: AgreementCategory = Field(
        sa_type=enum_column(AgreementCategory), nullable=False, index=True
    )
    status: AgreementStatus = Field(
        default=AgreementStatus.DRAFT,
        sa_type=enum_column(AgreementStatus),
        nullable=False,
        index=True,
    )
    department_id: int = Field(foreign_key="department.id", index=True, nullable=False)
    collaboration_id: int | None = Field(default=None, foreign_key="collaboration.id", index=True)
    support_details: str | None = Field(default=None, sa_type=sa.Text)
    concluded_on: date | None = None
    effective_from: date | None = None
    effective_until: date | None = None
    auto_renewal: bool = Field(default=False, nullable=False)
    renewal_term_months: int | None = None
    notice_days: int | None = None
    contacts_verified_on: date | None = None
    terminated_on: date | None = None
    termination_reason: str | None = Field(default=None, sa_type=sa.Text)
    amends_id: int | None = Field(default=None, foreign_key="agreement.id", index=True)


class AgreementParty(SQLModel, table=True):
    __tablename__ = "agreement_party"

    agreement_id: int = Field(foreign_key="agreement.id", primary_key=True, ondelete="CASCADE")
    partner_id: int = Field(foreign_key="partner.id", primary_key=True, index=True)
    position: int = Field(default=0, nullable=False)


class AgreementSupportCategory(SQLModel, table=True):
    __tablename__ = "agreement_support_category"

    agreement_id: int = Field(foreign_key="agreement.id", primary_key=True, ondelete="CASCADE")
    category: SupportCategory = Field(
        sa_type=enum_column(SupportCategory), primary_key=True, index=True
    )
