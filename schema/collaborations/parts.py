"""The parts of a collaboration that are values, not entities: its budget, committee,
readiness, progress checks, evaluation and screening (第4章(1)-(4), 第5章 Q8)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import strawberry

from kyodo.domain.collaborations import service as collaborations
from kyodo.domain.collaborations.models import Collaboration, Participation
from kyodo.domain.collaborations.screening import screening_of
from kyodo.schema.enums import CommitteeKind, ReadinessItem, UnfitGround
from kyodo.schema.rows import FromRow


@strawberry.type(name="Budget", description="経費, in yen.")
class BudgetType:
    total_yen: int | None = strawberry.field(description="事業費の合計 (readiness: 経費).")
    city_share_yen: int | None = strawberry.field(description="What the city bears.")
    partner_share_yen: int | None = strawberry.field(description="What the partners bear.")


@strawberry.type(
    name="Committee", description="実行委員会・協議会: the body a COMMITTEE collaboration sets up."
)
class CommitteeType:
    name: str = strawberry.field(description="Its name.")
    kind: CommitteeKind = strawberry.field(description="Time-limited or standing.")
    established_on: date | None = strawberry.field(description="設立日.")
    dissolves_on: date | None = strawberry.field(
        description="解散日; required before an EXECUTIVE_COMMITTEE's collaboration starts."
    )


@strawberry.type(
    name="Readiness", description="Whether a collaboration may start (第4章(1)(2)), checked live."
)
class ReadinessType:
    ready: bool = strawberry.field(description="Nothing is missing: PLANNING→ACTIVE is allowed.")
    missing: list[ReadinessItem] = strawberry.field(
        description="What 第4章(1)(2) and 第2章1 still ask for before the collaboration may start."
    )


@strawberry.type(name="ProgressReport", description="進捗確認 (第4章(3)): one progress check.")
class ProgressReportType(FromRow):
    reported_on: date = strawberry.field(description="Date of the check.")
    note: str = strawberry.field(description="What was found.")


@strawberry.type(
    name="Evaluation", description="結果の評価 (第4章(4)): recorded with the partner's own view."
)
class EvaluationType(FromRow):
    evaluated_on: date = strawberry.field(description="Date of the evaluation.")
    outcomes: str = strawberry.field(description="成果: the effects achieved.")
    partner_feedback: str = strawberry.field(description="The partner's own view (相手の評価).")
    lessons: str | None = strawberry.field(description="課題・教訓 for next time.")
    rating: int | None = strawberry.field(description="1 (poor) to 5 (excellent).")


@strawberry.type(
    name="CollaborationScreening",
    description="What is not collaboration (第5章 Q8): religious or political activity and "
    "activity that may harm the public interest are unfit in every form. Any ground blocks "
    "the start (UNFIT_FOR_COLLABORATION).",
)
class CollaborationScreeningType:
    fit: bool = strawberry.field(description="No ground applies: the screening lets it start.")
    grounds: list[UnfitGround] = strawberry.field(
        description="Every ground present: the applicant's and those staff added."
    )
    declared_grounds: list[UnfitGround] = strawberry.field(
        description="Grounds the applicant ticked (CollaborationInput.unfitGrounds)."
    )
    added_grounds: list[UnfitGround] = strawberry.field(
        description="Grounds staff found on screening (collaborationScreen)."
    )
    reasons: list[str] = strawberry.field(description="Plain-language reasons, one per ground.")
    note: str | None = strawberry.field(description="Staff's note on the screening.")
    screened_on: date | None = strawberry.field(description="When staff last screened it.")

    @classmethod
    def from_row(cls, row: Collaboration) -> CollaborationScreeningType:
        found = screening_of(row)
        return cls(
            fit=found.fit,
            grounds=list(found.grounds),
            declared_grounds=list(found.declared),
            added_grounds=list(found.added),
            reasons=list(found.reasons),
            note=found.note,
            screened_on=found.screened_on,
        )


def budget_of(row: Collaboration) -> BudgetType | None:
    """経費, or null when none of its amounts is known."""
    amounts = (row.budget_total_yen, row.city_share_yen, row.partner_share_yen)
    if all(v is None for v in amounts):
        return None
    return BudgetType(
        total_yen=row.budget_total_yen,
        city_share_yen=row.city_share_yen,
        partner_share_yen=row.partner_share_yen,
    )


def committee_of(row: Collaboration) -> CommitteeType | None:
    if not (row.committee_name and row.committee_kind):
        return None
    return CommitteeType(
        name=row.committee_name,
        kind=row.committee_kind,
        established_on=row.committee_established_on,
        dissolves_on=row.committee_dissolves_on,
    )


def readiness_of(row: Collaboration, participations: Sequence[Participation]) -> ReadinessType:
    missing = collaborations.readiness(row, participations)
    return ReadinessType(ready=not missing, missing=missing)
