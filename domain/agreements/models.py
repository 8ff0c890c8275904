"""Agreements (協定, 第3章(3)): parties, support categories, terms and amendments."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kyodo.domain.base import Versioned, created_at_field, enum_column, status_field
from kyodo.domain.columns import Identified, linked_key, owner_key
from kyodo.domain.enums import AgreementCategory, AgreementStatus, SupportCategory


class Agreement(Identified, Versioned, table=True):
    __tablename__ = "agreement"

    title: str = Field(max_length=300, nullable=False)
    search_text: str = Field(default="", max_length=700, nullable=False)
    category: AgreementCategory = Field(
        sa_type=enum_column(AgreementCategory), nullable=False, index=True
    )
    status: AgreementStatus = status_field(AgreementStatus.DRAFT)
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

    agreement_id: int = owner_key("agreement")
    partner_id: int = linked_key("partner")
    position: int = Field(default=0, nullable=False)


class AgreementSupportCategory(SQLModel, table=True):
    __tablename__ = "agreement_support_category"

    agreement_id: int = owner_key("agreement")
    category: SupportCategory = linked_key(SupportCategory)


class AgreementDocument(SQLModel, table=True):
    """協定書: the signed document (PDF) of an agreement or of an amendment (an amendment
    is an agreement whose ``amends_id`` names the one it revises).

    The bytes live in this row (``content``, BLOB/bytea), not in a file beside the app:
    every app instance on one database serves the same documents, ``kyodo dump`` and
    ``kyodo restore`` carry them, and an upload is one transaction with its audit event.
    Lists never load ``content`` (``domain.agreements.documents``).
    """

    __tablename__ = "agreement_document"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, nullable=False)
    file_name: str = Field(max_length=200, nullable=False)
    size_bytes: int = Field(nullable=False)
    sha256: str = Field(max_length=64, nullable=False)
    uploaded_at: datetime = created_at_field()
    uploaded_by: str = Field(max_length=200, nullable=False)
    content: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
