"""Reviews of the choice of partners (第4章(5)): collaborationReviewsDue and
collaborationRecordReview."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from kyodo.domain.collaborations import reviews
from kyodo.domain.japanese import to_wareki
from kyodo.schema.collaborations.mutations import CollaborationPayload
from kyodo.schema.collaborations.queries import _run_query
from kyodo.schema.collaborations.types import CollaborationType
from kyodo.schema.context import Info
from kyodo.schema.descriptions import AsOf, DepartmentCodes, WithinDays
from kyodo.schema.inputs import ToData
from kyodo.schema.payloads import argument
from kyodo.schema.permissions import ADMIN, STAFF, CanReadInternal, allow
from kyodo.schema.rows import from_row


@strawberry.type(
    name="CollaborationReviewDue",
    description="A review of a collaboration's partners that is due (reviewDueOn) and not "
    "yet recorded (第4章(5)).",
)
class ReviewDueType:
    collaboration: CollaborationType = strawberry.field(description="The collaboration.")
    due_on: date = strawberry.field(description="Its reviewDueOn.")
    due_on_wareki: str = strawberry.field(description="dueOn in 和暦.")
    overdue: bool = strawberry.field(description="Due before asOf and still not reviewed.")
    days_until_due: int = strawberry.field(description="Days from asOf; negative when overdue.")

    @classmethod
    def from_domain(cls, item: reviews.ReviewDue) -> ReviewDueType:
        return from_row(
            cls,
            item,
            collaboration=CollaborationType.from_row(item.collaboration),
            due_on_wareki=to_wareki(item.due_on),
        )


@strawberry.input(
    name="CollaborationReviewInput",
    description="A review of the choice of partners (相手方の見直し, 第4章(5)).",
)
class ReviewInput(ToData, data=reviews.ReviewData):
    reviewed_on: date = strawberry.field(description="The day of the review; not in the future.")
    next_review_due_on: date = strawberry.field(
        description="When to review again (becomes reviewDueOn); after reviewedOn."
    )
    note: str | None = strawberry.field(
        default=None, description="What the review found, e.g. other partners approached."
    )


@strawberry.type
class ReviewQueries:
    @strawberry.field(
        description="Reviews of partners due (第4章(5)): collaborations whose reviewDueOn "
        "falls by asOf + withinDays (default 90, at most 731) and has not been followed "
        "by a review, overdue ones included unless includeOverdue is false; earliest "
        "first, cancelled collaborations left out. STAFF and ADMIN; for everyone else "
        "FORBIDDEN, and null, without blanking the rest of the answer.",
        permission_classes=[CanReadInternal],
    )
    async def collaboration_reviews_due(
        self,
        info: Info,
        as_of: AsOf = None,
        within_days: WithinDays = reviews.DEFAULT_WITHIN_DAYS,
        department_codes: DepartmentCodes = None,
        include_overdue: Annotated[
            bool, strawberry.argument(description="Also the reviews already overdue.")
        ] = True,
    ) -> list[ReviewDueType] | None:
        items = await _run_query(
            info,
            reviews.reviews_due,
            as_of=as_of or info.context.today,
            within_days=within_days,
            department_codes=department_codes,
            include_overdue=include_overdue,
        )
        return [ReviewDueType.from_domain(item) for item in items]


@strawberry.type
class ReviewMutations:
    collaboration_record_review = CollaborationPayload.change_mutation(
        reviews.record_review,
        description="Record a review of a collaboration's partners (第4章(5)): the day, "
        "what it found and when to review again (reviewDueOn). INVALID for a future "
        "reviewedOn or a next review not after it.",
        extensions=allow(STAFF, ADMIN, department_of="Collaboration"),
        input=argument(ReviewInput, "The review.", to_data=True),
    )
