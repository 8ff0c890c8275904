"""Citizens' proposals (提案, 第2章3) and the city's answers."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field

from kyodo.domain.base import Versioned, enum_column, status_field
from kyodo.domain.columns import Identified
from kyodo.domain.enums import ProposalChannel, ProposalKind, ProposalStatus


class Proposal(Identified, Versioned, table=True):
    __tablename__ = "proposal"

    title: str = Field(max_length=300, nullable=False)
    body: str = Field(sa_type=sa.Text, nullable=False)
    kind: ProposalKind = Field(sa_type=enum_column(ProposalKind), nullable=False)
    channel: ProposalChannel = Field(sa_type=enum_column(ProposalChannel), nullable=False)
    received_on: date = Field(nullable=False)
    proposer_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True, nullable=False)
    status: ProposalStatus = status_field(ProposalStatus.RECEIVED)
    background: str | None = Field(default=None, sa_type=sa.Text)
    support_options: str | None = Field(default=None, sa_type=sa.Text)
    response: str | None = Field(default=None, sa_type=sa.Text)
    responded_on: date | None = None
    # 課題・ニーズ learned from the exchange, kept even when not adopted.
    identified_needs: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    collaboration_id: int | None = Field(default=None, foreign_key="collaboration.id", index=True)
