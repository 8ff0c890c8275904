"""GraphQL types of endorsement applications (後援)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from kyodo.domain.endorsements import rules
from kyodo.domain.endorsements import service as endorsements
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import EndorsementDisqualifier as DomainDisqualifier
from kyodo.domain.partners import service as partners
from kyodo.schema.descriptions import VERSION
from kyodo.schema.enums import EndorsementDisqualifier, EndorsementStatus
from kyodo.schema.node import Node, register_node
from kyodo.schema.permissions import can_read_internal
from kyodo.schema.reference.types import department_field
from kyodo.schema.rows import from_row, record_field

if TYPE_CHECKING:
    from kyodo.schema.partners.types import PartnerType


@strawberry.type(
    name="EndorsementScreening",
    description="An application checked against 第3章(7): may the city lend its name?",
)
class EndorsementScreeningType:
    eligible: bool = strawberry.field(
        description="No ground applies and staff judged the event to advance the city's policies."
    )
    disqualifiers: list[EndorsementDisqualifier] = strawberry.field(
        description="The grounds that apply, in the guideline's order."
    )
    reasons: list[str] = strawberry.field(
        description="Plain-language reasons, one per disqualifier or missing judgement."
    )

    @classmethod
    def from_screening(cls, screening: rules.Screening) -> EndorsementScreeningType:
        return cls(
            eligible=screening.eligible,
            disqualifiers=list(screening.disqualifiers),
            reasons=list(screening.reasons),
        )


@strawberry.type(
    name="EndorsementApplication",
    description="An application for the city's endorsement (後援, 第3章(7)) of an event. "
    "STAFF and ADMIN.",
)
class EndorsementApplicationType(Node):
    event_name: str = strawberry.field(description="行事名.")
    event_starts_on: date = strawberry.field(description="First day of the event.")
    event_ends_on: date | None = strawberry.field(description="Last day; null for one day.")
    venue: str | None = strawberry.field(description="会場.")
    purpose: str = strawberry.field(description="What the event is for.")
    expected_audience: str | None = strawberry.field(
        description="Who is expected to attend (対象者)."
    )
    disqualifiers: list[EndorsementDisqualifier] = strawberry.field(
        description="The checklist's answers: the grounds that apply."
    )
    contributes_to_city_policy: bool | None = strawberry.field(
        description="Staff judgement: does the event advance the city's policies?"
    )
    status: EndorsementStatus = strawberry.field(description="Where it stands.")
    decided_on: date | None = strawberry.field(description="The day it was decided.")
    decision_reason: str | None = strawberry.field(description="The reason given.")
    version: int = strawberry.field(description=VERSION)
    pk: strawberry.Private[int]
    row: strawberry.Private[EndorsementApplication]

    @classmethod
    def from_row(cls, row: EndorsementApplication) -> EndorsementApplicationType:
        return from_row(cls, row, disqualifiers=disqualifiers_of(row))

    organizer = record_field(
        partners.get_many,
        "row.organizer_id",
        Annotated["PartnerType", strawberry.lazy("kyodo.schema.partners.types")],
        "The partner organising the event (主催者).",
    )

    department = department_field()

    @strawberry.field(description="第3章(7): the seven grounds and the policy judgement, live.")
    def screening(self) -> EndorsementScreeningType:
        return screening_of(self.row)


def disqualifiers_of(row: Any) -> list[DomainDisqualifier]:
    """The checklist's answers of an application row, as the enum."""
    return [DomainDisqualifier(d) for d in row.disqualifiers]


def screening_of(row: Any) -> EndorsementScreeningType:
    """An application row screened against 第3章(7) (``rules.screen``), live."""
    return EndorsementScreeningType.from_screening(
        rules.screen(
            disqualifiers=row.disqualifiers,
            contributes_to_city_policy=row.contributes_to_city_policy,
        )
    )


register_node(
    "EndorsementApplication",
    batch=endorsements.get_many,
    convert=EndorsementApplicationType.from_row,
    visible=lambda context, _row: can_read_internal(context),
)
