"""Partners (協働のパートナー, 第2章1) and their contacts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kyodo.domain.base import Versioned, enum_column
from kyodo.domain.enums import PartnerKind, PartnerStatus


class Partner(Versioned, table=True):
    __tablename__ = "partner"

    id: int | None = Field(default=None, primary_key=True)
    kind: PartnerKind = Field(sa_type=enum_column(PartnerKind), nullable=False, index=True)
    name: str = Field(max_length=300, nullable=False)
    name_kana: str | None = Field(default=None, max_length=300)
    # Derived columns, kept in step by domain.partners.service: the 五十音 sort key and the
    # width/kana-folded text the search matches against.
    sort_key: str = Field(default="", max_length=300, nullable=False, index=True)
    search_text: str = Field(default="", max_length=700, nullable=False)
    corporate_number: str | None = Field(default=None, max_length=13, unique=True)
    external_id: str | None = Field(default=None, max_length=200, unique=True)
    # Indexed: the lists filter by it, and every disaster lookup leaves out the parties
    # that are DISSOLVED or INACTIVE (domain.agreements.standing.party_standing).
    status: PartnerStatus = Field(
        default=PartnerStatus.ACTIVE,
        sa_type=enum_column(PartnerStatus),
        nullable=False,
        index=True,
    )
    district: str | None = Field(default=None, max_length=100, index=True)
    representative: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=10)
    prefecture: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    street: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=500)


class PartnerField(SQLModel, table=True):
    """Which fields of collaboration (Q8) a partner is active in."""

    __tablename__ = "partner_field"

    partner_id: int = Field(foreign_key="partner.id", primary_key=True, ondelete="CASCADE")
    field_id: int = Field(foreign_key="collaboration_field.id", primary_key=True, index=True)


class Contact(SQLModel, table=True):
    """A person to reach. Personal data.

    A contact belongs to a partner (``agreement_id`` empty) or is an agreement's
    emergency contact, then ``partner_id`` names the party it speaks for.
    """

    __tablename__ = "contact"
    __table_args__ = (
        sa.CheckConstraint("partner_id IS NOT NULL OR agreement_id IS NOT NULL", name="has_owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int | None = Field(
        default=None, foreign_key="partner.id", index=True, ondelete="CASCADE"
    )
    agreement_id: int | None = Field(
        default=None, foreign_key="agreement.id", index=True, ondelete="CASCADE"
    )
    position: int = Field(default=0, nullable=False)
    name: str = Field(max_length=200, nullable=False)
    role: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    available_around_the_clock: bool = Field(default=False, nullable=False)
    is_emergency_contact: bool = Field(default=False, nullable=False)
