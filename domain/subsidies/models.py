"""Subsidy programs and applications (補助・助成, 第3章(6))."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kyodo.domain.base import Versioned, enum_column, status_field
from kyodo.domain.columns import Identified, owner_id
from kyodo.domain.enums import ExpenseKind, SubsidyApplicationStatus


class SubsidyProgram(Identified, Versioned, table=True):
    __tablename__ = "subsidy_program"

    name: str = Field(max_length=300, nullable=False)
    # The yearly editions of one program share it (期限 counts consecutive years by it):
    # set on creation (from the name when not given), kept when the program is renamed.
    series_key: str = Field(max_length=300, nullable=False, index=True)
    department_id: int = Field(foreign_key="department.id", index=True, nullable=False)
    fiscal_year: int = Field(nullable=False, index=True)
    budget_yen: int = Field(sa_type=sa.BigInteger, nullable=False)
    max_amount_per_grant_yen: int | None = Field(default=None, sa_type=sa.BigInteger)
    subsidy_rate_percent: int | None = None
    # 用途の制限: the only expense categories a grant may pay for.
    allowed_expense_categories: list[str] = Field(
        default_factory=list, sa_type=sa.JSON, nullable=False
    )
    max_consecutive_years: int | None = None
    application_deadline: date | None = None


class SubsidyApplication(Identified, Versioned, table=True):
    __tablename__ = "subsidy_application"

    program_id: int = Field(foreign_key="subsidy_program.id", index=True, nullable=False)
    applicant_id: int = Field(foreign_key="partner.id", index=True, nullable=False)
    title: str = Field(max_length=300, nullable=False)
    purpose: str = Field(sa_type=sa.Text, nullable=False)
    total_project_cost_yen: int = Field(sa_type=sa.BigInteger, nullable=False)
    requested_amount_yen: int = Field(sa_type=sa.BigInteger, nullable=False)
    granted_amount_yen: int | None = Field(default=None, sa_type=sa.BigInteger)
    status: SubsidyApplicationStatus = status_field(SubsidyApplicationStatus.SUBMITTED)
    submitted_on: date = Field(nullable=False)
    decided_on: date | None = None
    decision_reason: str | None = Field(default=None, sa_type=sa.Text)
    settled_amount_yen: int | None = Field(default=None, sa_type=sa.BigInteger)


class ExpenseLine(SQLModel, table=True):
    __tablename__ = "expense_line"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = owner_id("subsidy_application")
    kind: ExpenseKind = Field(sa_type=enum_column(ExpenseKind), nullable=False)
    position: int = Field(default=0, nullable=False)
    category: str = Field(max_length=200, nullable=False)
    amount_yen: int = Field(sa_type=sa.BigInteger, nullable=False)
    description: str | None = Field(default=None, sa_type=sa.Text)
