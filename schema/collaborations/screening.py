"""``collaborationScreen``: staff's screening of 第5章 Q8 (what is not collaboration)."""

from __future__ import annotations

from datetime import date

import strawberry

from kyodo.domain.collaborations.screening import screen_collaboration
from kyodo.schema.collaborations.mutations import CollaborationPayload
from kyodo.schema.enums import UnfitGround
from kyodo.schema.payloads import argument
from kyodo.schema.permissions import ADMIN, STAFF, allow


@strawberry.input(
    name="CollaborationScreeningInput",
    description="Staff's screening (第5章 Q8): grounds found that the applicant may not have "
    "ticked, and why.",
)
class CollaborationScreeningInput:
    added_grounds: list[UnfitGround] = strawberry.field(
        description="Grounds staff found; they replace grounds added earlier (the applicant's "
        "own stay). Empty lifts earlier findings."
    )
    note: str | None = strawberry.field(
        default=None,
        description="Why (REASON_REQUIRED when grounds are added or earlier ones lifted).",
    )
    screened_on: date | None = strawberry.field(
        default=None, description="Day of the screening; today when left out."
    )


@strawberry.type
class CollaborationScreeningMutations:
    collaboration_screen = CollaborationPayload.change_mutation(
        screen_collaboration,
        description="Record staff's screening of a PLANNING or ACTIVE collaboration against "
        "第5章 Q8. While any ground is present it cannot start (UNFIT_FOR_COLLABORATION).",
        extensions=allow(STAFF, ADMIN, department_of="Collaboration"),
        input=argument(CollaborationScreeningInput, "The screening.", spread=True),
    )
