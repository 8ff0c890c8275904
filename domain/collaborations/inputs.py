"""What a caller says about a collaboration (協働事業): the input data, the state it
resolves to, and the stored children that state starts from. How the input is checked
and merged is :mod:`domain.collaborations.state`. Reads, never writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.base import UNSET
from kyodo.domain.collaborations.models import (
    CollaborationFieldLink,
    CollaborationFormLink,
    Participation,
)
from kyodo.domain.enums import CollaborationForm, CollaborationStatus, CommitteeKind
from kyodo.domain.errors import Problem
from kyodo.domain.reference.models import CollaborationField

ENTITY = "Collaboration"
LABEL = "協働事業"

# The columns a caller may set (status only changes through transitions).
COLUMNS: tuple[str, ...] = (
    "title",
    "summary",
    "department_id",
    "fiscal_year",
    "starts_on",
    "ends_on",
    "purpose",
    "plan",
    "budget_total_yen",
    "city_share_yen",
    "partner_share_yen",
    "responsibility",
    "committee_name",
    "committee_kind",
    "committee_established_on",
    "committee_dissolves_on",
    "subsidy_program_id",
    "review_due_on",
    "is_public",
    "city_can_do",
    "city_cannot_do",
    "declared_unfit_grounds",
)
# Long free text (目的, 計画, 責任の所在...) is capped generously; titles like a name.
TEXT_MAX = v.MAX_TEXT
ROLE_MAX = 1_000
FISCAL_YEAR_RANGE = (1900, 2200)

# Once a collaboration has passed the start gate (PLANNING→ACTIVE), what the gate
# checked must stay true: an edit may not empty the purpose of a running project.
STARTED = frozenset(
    {CollaborationStatus.ACTIVE, CollaborationStatus.COMPLETED, CollaborationStatus.EVALUATED}
)
# 第4章(4): a collaboration that was called off is evaluated too; what went badly is
# the lesson the guideline asks to keep.
EVALUABLE = frozenset(
    {CollaborationStatus.COMPLETED, CollaborationStatus.EVALUATED, CollaborationStatus.CANCELLED}
)

FORM_ORDER = {form: i for i, form in enumerate(CollaborationForm)}


# ------------------------------------------------------------------ input data


@dataclass
class BudgetData:
    """経費 in yen. On update, amounts left UNSET keep their value; None clears them."""

    total_yen: Any = UNSET
    city_share_yen: Any = UNSET
    partner_share_yen: Any = UNSET


@dataclass
class CommitteeData:
    """実行委員会・協議会. On update, dates left UNSET keep their value."""

    name: str | None
    kind: CommitteeKind
    established_on: Any = UNSET
    dissolves_on: Any = UNSET


@dataclass
class ParticipationData:
    """A partner's part (役割分担). ``partner_id`` is None when the caller's id could
    not be read; that problem is then already in :attr:`CollaborationData.problems`."""

    partner_id: int | None
    role: str | None = None
    is_lead: bool = False
    cost_share_yen: int | None = None
    reason: str | None = None
    capacity: str | None = None


@dataclass
class CollaborationData:
    """A collaboration as a caller describes it. Fields left UNSET are not touched on
    update; lists that are sent (forms, field codes, participations) replace the stored ones.
    """

    title: Any = UNSET
    summary: Any = UNSET
    forms: Any = UNSET
    department_code: Any = UNSET
    field_codes: Any = UNSET
    fiscal_year: Any = UNSET
    starts_on: Any = UNSET
    ends_on: Any = UNSET
    purpose: Any = UNSET
    plan: Any = UNSET
    budget: Any = UNSET
    responsibility: Any = UNSET
    participations: Any = UNSET
    committee: Any = UNSET
    subsidy_program_id: Any = UNSET
    review_due_on: Any = UNSET
    is_public: Any = UNSET
    city_can_do: Any = UNSET
    city_cannot_do: Any = UNSET
    unfit_grounds: Any = UNSET
    co_department_codes: Any = UNSET
    # Problems found while reading the request (e.g. an unreadable global id), reported
    # together with everything the checks below find.
    problems: list[Problem] = field(default_factory=list)


@dataclass
class EvaluationData:
    evaluated_on: date
    outcomes: str | None
    partner_feedback: str | None
    lessons: str | None = None
    rating: int | None = None


@dataclass
class State:
    """The collaboration as it would be after the change: what the rules look at."""

    values: dict[str, Any]
    forms: list[CollaborationForm]
    field_ids: list[int]
    participations: list[ParticipationData]
    co_department_ids: list[int] = field(default_factory=list)


# ------------------------------------------------------------------ stored children


async def forms_of(session: AsyncSession, collaboration_id: int) -> list[CollaborationForm]:
    stmt = sa.select(col(CollaborationFormLink.form)).where(
        col(CollaborationFormLink.collaboration_id) == collaboration_id
    )
    return sorted((await session.execute(stmt)).scalars(), key=FORM_ORDER.__getitem__)


async def field_codes_of(session: AsyncSession, collaboration_id: int) -> list[tuple[int, str]]:
    stmt = (
        sa.select(col(CollaborationField.id), col(CollaborationField.code))
        .join(
            CollaborationFieldLink,
            col(CollaborationFieldLink.field_id) == col(CollaborationField.id),
        )
        .where(col(CollaborationFieldLink.collaboration_id) == collaboration_id)
        .order_by(col(CollaborationField.sort_order), col(CollaborationField.id))
    )
    return [(i, c) for i, c in (await session.execute(stmt)).all() if i is not None]


async def participations_of(session: AsyncSession, collaboration_id: int) -> list[Participation]:
    stmt = (
        sa.select(Participation)
        .where(col(Participation.collaboration_id) == collaboration_id)
        .order_by(col(Participation.is_lead).desc(), col(Participation.id))
    )
    return list((await session.execute(stmt)).scalars())


# ------------------------------------------------------------------ validation


def clean_text_field(
    problems: v.Problems, value: Any, *, label: str, path: str, max_length: int = TEXT_MAX
) -> str | None:
    return v.optional_text(problems, value, label=label, field=path, max_length=max_length)
