"""Reviewing the choice of partners (相手方の固定化を避ける, 第4章(5)).

The guideline asks the city to review, at regular intervals, whom it works with so that
the partner does not become fixed. A collaboration's ``reviewDueOn`` says when its
review is due; recording a review stores the day it was done (``reviewedOn``), what it
found and the next due date. A review is *pending* while its due date is set and no
review was recorded on or after it: that is what :func:`reviews_due` lists, and what
the concentration findings (:func:`domain.collaborations.analyses.partner_concentration`)
report per department–partner pair through :func:`reviews_by_pair`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements.calendar import DEFAULT_WITHIN_DAYS, check_window
from kyodo.domain.collaborations.inputs import clean_text_field
from kyodo.domain.collaborations.models import Collaboration, Participation
from kyodo.domain.collaborations.stored import COLLABORATIONS
from kyodo.domain.enums import CollaborationStatus
from kyodo.domain.errors import ErrorCode
from kyodo.domain.reference.models import Department
from kyodo.domain.writes import fields_snapshot

REVIEW_FIELDS = ("reviewed_on", "review_note", "review_due_on")

__all__ = [
    "DEFAULT_WITHIN_DAYS",
    "PairReview",
    "ReviewData",
    "ReviewDue",
    "record_review",
    "reviews_by_pair",
    "reviews_due",
]


def pending_review(collaboration: type[Collaboration] = Collaboration) -> sa.ColumnElement[bool]:
    """A review is due and none was recorded on or after its due date (not cancelled)."""
    due = col(collaboration.review_due_on)
    reviewed = col(collaboration.reviewed_on)
    return sa.and_(
        due.is_not(None),
        sa.or_(reviewed.is_(None), reviewed < due),
        col(collaboration.status) != CollaborationStatus.CANCELLED,
    )


# ------------------------------------------------------------------ recording a review


@dataclass(frozen=True, slots=True)
class ReviewData:
    reviewed_on: date
    next_review_due_on: date
    note: str | None = None


async def record_review(
    session: AsyncSession,
    *,
    collaboration_id: int,
    expected_version: int,
    data: ReviewData,
    actor: str,
    today: date,
) -> Collaboration:
    """Record a review of the collaboration's choice of partners (第4章(5)).

    ``reviewedOn`` is not in the future and ``nextReviewDueOn`` comes after it (the
    guideline asks for reviews at regular intervals, so a review always names the
    next one); both ``INVALID`` otherwise, as are dates outside the calendar's range.
    A cancelled collaboration is not reviewed (``INVALID_TRANSITION``).
    """
    change = await COLLABORATIONS.begin(
        session, collaboration_id, expected_version, snapshot=fields_snapshot(REVIEW_FIELDS)
    )
    problems = v.Problems()
    if change.row.status is CollaborationStatus.CANCELLED:
        problems.add(
            ErrorCode.INVALID_TRANSITION,
            "中止した協働事業のパートナーの見直しは記録できません。",
            "id",
        )
    reviewed_path, next_path = "reviewed_on", "next_review_due_on"
    v.check_date(problems, data.reviewed_on, label="見直した日", field=reviewed_path)
    v.check_date(problems, data.next_review_due_on, label="次に見直す日", field=next_path)
    if data.reviewed_on > today:
        problems.add(
            ErrorCode.INVALID,
            f"見直した日（{data.reviewed_on.isoformat()}）に先の日付は使えません。",
            reviewed_path,
        )
    if data.next_review_due_on <= data.reviewed_on:
        problems.add(
            ErrorCode.INVALID,
            f"次に見直す日（{data.next_review_due_on.isoformat()}）は見直した日"
            f"（{data.reviewed_on.isoformat()}）より後にしてください。",
            next_path,
        )
    note = clean_text_field(problems, data.note, label="見直しの結果", path="note")
    problems.raise_if_any()

    await change.write(
        {
            "reviewed_on": data.reviewed_on,
            "review_note": note,
            "review_due_on": data.next_review_due_on,
        }
    )
    await change.record(actor=actor, action="collaboration.review")
    return change.row


# ------------------------------------------------------------------ what is due


@dataclass(frozen=True, slots=True)
class ReviewDue:
    collaboration: Collaboration
    due_on: date
    overdue: bool
    """Due before ``asOf`` and still not reviewed."""
    days_until_due: int
    """From ``asOf``; negative when overdue."""


async def reviews_due(
    session: AsyncSession,
    *,
    as_of: date,
    within_days: int = DEFAULT_WITHIN_DAYS,
    department_codes: Sequence[str] | None = None,
    include_overdue: bool = True,
) -> list[ReviewDue]:
    """Pending reviews due by ``as_of`` + ``within_days`` (and, unless
    ``include_overdue`` is false, those already overdue), earliest first.

    Cancelled collaborations are left out; ``department_codes`` keeps those of the
    given departments (unknown codes match nothing). ``INVALID`` for a window outside
    0–731 days or the calendar's dates (:func:`domain.agreements.calendar.check_window`).
    """
    last = check_window(as_of, within_days)
    due = col(Collaboration.review_due_on)
    conditions = [pending_review(), due <= last]
    if not include_overdue:
        conditions.append(due >= as_of)
    codes = v.filter_codes(department_codes)
    if codes:
        conditions.append(
            col(Collaboration.department_id).in_(
                sa.select(col(Department.id)).where(col(Department.code).in_(codes))
            )
        )
    stmt = sa.select(Collaboration).where(*conditions).order_by(due, col(Collaboration.id))
    items: list[ReviewDue] = []
    for row in (await session.execute(stmt)).scalars():
        assert row.review_due_on is not None
        days = (row.review_due_on - as_of).days
        items.append(ReviewDue(row, row.review_due_on, days < 0, days))
    return items


# ------------------------------------------------------------------ per department–partner pair


@dataclass(frozen=True, slots=True)
class PairReview:
    last_reviewed_on: date | None
    """The latest review recorded on any of the pair's collaborations."""
    next_review_due_on: date | None
    """The earliest pending review among the pair's collaborations (may be past)."""


async def reviews_by_pair(
    session: AsyncSession, pairs: Sequence[tuple[int, int]]
) -> list[PairReview]:
    """For each (department id, partner id): when their choice was last reviewed and when
    the next review is due, over all the department's collaborations the partner takes
    part in — one grouped statement for all pairs (a DataLoader's batch).

    The statement asks for the pairs' departments and partners as two plain lists (a
    superset of the pairs, narrowed here), and only for collaborations with a review
    date: both dates are aggregates that skip nulls. A list of (department, partner)
    tuples took longer to bind and plan than to run, some 100 ms for the 2,500 pairs of
    ten years' findings on 10,000 partners."""
    if not pairs:
        return []
    department_id = col(Collaboration.department_id)
    partner_id = col(Participation.partner_id)
    reviewed_on = col(Collaboration.reviewed_on)
    due_on = col(Collaboration.review_due_on)
    pending_due = sa.case((pending_review(), due_on))
    stmt = (
        sa.select(department_id, partner_id, sa.func.max(reviewed_on), sa.func.min(pending_due))
        .join(Participation, col(Participation.collaboration_id) == col(Collaboration.id))
        .where(
            department_id.in_(sorted({d for d, _ in pairs})),
            partner_id.in_(sorted({p for _, p in pairs})),
            sa.or_(reviewed_on.is_not(None), due_on.is_not(None)),
        )
        .group_by(department_id, partner_id)
    )
    found = {(d, p): PairReview(last, due) for d, p, last, due in await session.execute(stmt)}
    return [found.get(pair, PairReview(None, None)) for pair in pairs]
