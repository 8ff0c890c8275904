"""The notice and renewal calendar (rule 20): agreementsDue."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from kyodo.domain.agreements import calendar
from kyodo.schema.agreements.types import AgreementType
from kyodo.schema.context import Info
from kyodo.schema.descriptions import AsOf, WithinDays
from kyodo.schema.enums import AgreementDueKind
from kyodo.schema.permissions import CanReadDisaster, can_read_internal
from kyodo.schema.rows import from_row, read_rows

if TYPE_CHECKING:
    from kyodo.schema.collaborations.types import CollaborationType


@strawberry.type(
    name="AgreementDue",
    description=(
        "One date of the notice and renewal calendar: an agreement's notice deadline "
        "(currentTermEndsOn − noticeDays) or term end, or the review (reviewDueOn) of a "
        "collaboration agreements are made for."
    ),
)
class AgreementDueType:
    kind: AgreementDueKind = strawberry.field(description="What falls due.")
    kind_label: str = strawberry.field(description="The kind in Japanese, e.g. 期間満了.")
    due_on: date = strawberry.field(description="The day it falls due.")
    due_on_wareki: str = strawberry.field(description="dueOn in the Japanese calendar (和暦).")
    term_ends_on: date | None = strawberry.field(
        description="For notice deadlines and term ends: the end of the term concerned."
    )
    agreement: AgreementType | None = strawberry.field(
        description="For notice deadlines and term ends: the agreement."
    )
    needs_review: bool = strawberry.field(
        description=(
            "The agreement needs reviewing (協定の見直しが必要): one of its parties is "
            "DISSOLVED or INACTIVE (agreement.parties' status says which), as in "
            "disasterSupportNeedingReview. The date still falls due: a notice deadline is "
            "when to terminate or amend it. False for REVIEW."
        )
    )
    review_reason: str | None = strawberry.field(
        description="Why, in Japanese, e.g. 協定の見直しが必要（相手方が解散）; null when needsReview is false."
    )
    item: strawberry.Private[calendar.DueItem]

    @strawberry.field(description="For reviews: the collaboration to review.")
    def collaboration(
        self, info: Info
    ) -> Annotated[CollaborationType, strawberry.lazy("kyodo.schema.collaborations.types")] | None:
        from kyodo.schema.collaborations.types import CollaborationType

        row = self.item.collaboration
        return CollaborationType.from_row(row) if row is not None else None

    @classmethod
    def from_item(cls, item: calendar.DueItem) -> AgreementDueType:
        return from_row(
            cls,
            item,
            kind_label=item.kind_label,
            due_on_wareki=item.due_on_wareki,
            agreement=AgreementType.from_row(item.agreement) if item.agreement else None,
            item=item,
        )


@strawberry.type
class CalendarQueries:
    @strawberry.field(
        description=(
            "The notice and renewal calendar: notice deadlines, term ends and reviews from "
            "asOf (default today) through withinDays days later (default 90, at most 731), "
            "by date. Agreements with a DISSOLVED or INACTIVE party stay listed, marked "
            "needsReview. Also as an iCal feed: /exports/agreements-due.ics."
        ),
        permission_classes=[CanReadDisaster],
    )
    async def agreements_due(
        self,
        info: Info,
        as_of: AsOf = None,
        within_days: WithinDays = calendar.DEFAULT_WITHIN_DAYS,
    ) -> list[AgreementDueType]:
        return await read_rows(
            info,
            AgreementDueType.from_item,
            calendar.agreements_due,
            as_of=as_of or info.context.today,
            within_days=within_days,
            include_internal=can_read_internal(info.context),
        )
