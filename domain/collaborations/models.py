"""Collaborations (協働事業), their forms, participations, reports and evaluation."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kyodo.domain.base import Versioned, enum_column, status_field
from kyodo.domain.columns import Identified, linked_key, owner_id, owner_key
from kyodo.domain.enums import CollaborationForm, CollaborationStatus, CommitteeKind


def _ground_list() -> Any:
    """A list of UnfitGround names, [] by default in the database too: a row written by
    SQL without it has none."""
    return Field(
        default_factory=list,
        sa_type=sa.JSON,
        nullable=False,
        sa_column_kwargs={"server_default": "[]"},
    )


class Collaboration(Identified, Versioned, table=True):
    __tablename__ = "collaboration"

    title: str = Field(max_length=300, nullable=False)
    search_text: str = Field(default="", max_length=2000, nullable=False)
    summary: str | None = Field(default=None, sa_type=sa.Text)
    status: CollaborationStatus = status_field(CollaborationStatus.PLANNING)
    department_id: int = Field(foreign_key="department.id", index=True, nullable=False)
    fiscal_year: int | None = Field(default=None, index=True)
    starts_on: date | None = None
    ends_on: date | None = None
    purpose: str | None = Field(default=None, sa_type=sa.Text)
    plan: str | None = Field(default=None, sa_type=sa.Text)
    budget_total_yen: int | None = Field(default=None, sa_type=sa.BigInteger)
    city_share_yen: int | None = Field(default=None, sa_type=sa.BigInteger)
    partner_share_yen: int | None = Field(default=None, sa_type=sa.BigInteger)
    responsibility: str | None = Field(default=None, sa_type=sa.Text)
    committee_name: str | None = Field(default=None, max_length=300)
    committee_kind: CommitteeKind | None = Field(default=None, sa_type=enum_column(CommitteeKind))
    committee_established_on: date | None = None
    committee_dissolves_on: date | None = None
    subsidy_program_id: int | None = Field(
        default=None, foreign_key="subsidy_program.id", index=True
    )
    review_due_on: date | None = None
    # 第4章(5): the last review of the choice of partners, and what it found.
    reviewed_on: date | None = None
    review_note: str | None = Field(default=None, sa_type=sa.Text)
    is_public: bool = Field(default=False, nullable=False)
    # 第2章2: what the city publishes, in plain words: the conclusion and how it was reached.
    public_conclusion: str | None = Field(default=None, sa_type=sa.Text)
    public_process: str | None = Field(default=None, sa_type=sa.Text)
    published_on: date | None = None
    # 第4章(1) 役割の分担: what the city can and cannot do, told to the partners.
    city_can_do: str | None = Field(default=None, sa_type=sa.Text)
    city_cannot_do: str | None = Field(default=None, sa_type=sa.Text)
    # 第5章 Q8 screening: grounds the applicant ticked (UnfitGround names), grounds staff
    # added on screening, with their note and day. Any ground blocks the start.
    declared_unfit_grounds: list[str] = _ground_list()
    added_unfit_grounds: list[str] = _ground_list()
    screening_note: str | None = Field(default=None, sa_type=sa.Text)
    screened_on: date | None = None


class _CollaborationLink(SQLModel):
    """A row linking a collaboration to one of its departments, forms or fields."""

    collaboration_id: int = owner_key("collaboration")


class CollaborationCoDepartment(_CollaborationLink, table=True):
    """A department sharing a collaboration with its owner (第3章(5): 委託 by two offices)."""

    __tablename__ = "collaboration_co_department"

    department_id: int = linked_key("department")


class CollaborationFormLink(_CollaborationLink, table=True):
    """A collaboration combines one or more of the seven forms (第3章)."""

    __tablename__ = "collaboration_form"

    form: CollaborationForm = linked_key(CollaborationForm)


class CollaborationFieldLink(_CollaborationLink, table=True):
    __tablename__ = "collaboration_field_link"

    field_id: int = linked_key("collaboration_field")


class Participation(SQLModel, table=True):
    """役割分担: a partner's part in a collaboration."""

    __tablename__ = "participation"
    __table_args__ = (sa.UniqueConstraint("collaboration_id", "partner_id"),)

    id: int | None = Field(default=None, primary_key=True)
    collaboration_id: int = owner_id("collaboration")
    partner_id: int = Field(foreign_key="partner.id", index=True, nullable=False)
    role: str | None = Field(default=None, sa_type=sa.Text)
    is_lead: bool = Field(default=False, nullable=False)
    cost_share_yen: int | None = Field(default=None, sa_type=sa.BigInteger)
    # 第2章1: why the city works with this partner, and its capacity for the work.
    reason: str | None = Field(default=None, sa_type=sa.Text)
    capacity: str | None = Field(default=None, sa_type=sa.Text)


class ProgressReport(SQLModel, table=True):
    """進捗確認 (第4章(3))."""

    __tablename__ = "progress_report"

    id: int | None = Field(default=None, primary_key=True)
    collaboration_id: int = owner_id("collaboration")
    reported_on: date = Field(nullable=False)
    note: str = Field(sa_type=sa.Text, nullable=False)


class Evaluation(SQLModel, table=True):
    """結果の評価 (第4章(4)), kept also for projects that went badly."""

    __tablename__ = "evaluation"

    id: int | None = Field(default=None, primary_key=True)
    collaboration_id: int = owner_id("collaboration", one=True)
    evaluated_on: date = Field(nullable=False)
    outcomes: str = Field(sa_type=sa.Text, nullable=False)
    partner_feedback: str = Field(sa_type=sa.Text, nullable=False)
    lessons: str | None = Field(default=None, sa_type=sa.Text)
    rating: int | None = None
