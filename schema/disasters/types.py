"""GraphQL types of the activation log (応援要請): disaster events and support requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from kyodo.domain.agreements import service as agreements
from kyodo.domain.disasters import service as disasters
from kyodo.domain.disasters.models import DisasterEvent, SupportRequest
from kyodo.domain.disasters.rules import OPEN_STATUSES
from kyodo.domain.labels import (
    DISASTER_KIND_LABELS,
    SUPPORT_ANSWER_LABELS,
    SUPPORT_REQUEST_STATUS_LABELS,
)
from kyodo.domain.partners import service as partners
from kyodo.schema.agreements.types import AgreementType
from kyodo.schema.context import Context, Info
from kyodo.schema.enums import DisasterKind, SupportAnswer, SupportCategory, SupportRequestStatus
from kyodo.schema.node import Node, register_node
from kyodo.schema.partners.types import PartnerType
from kyodo.schema.permissions import READ_DISASTER
from kyodo.schema.rows import from_row, record_field, stamped


@strawberry.type(
    name="DisasterEvent",
    description="災害: a disaster or an exercise, under which support is requested (応援要請).",
)
@stamped
class DisasterEventType(Node):
    name: str = strawberry.field(description="Name of the event, e.g. 令和8年大雨訓練.")
    kind: DisasterKind = strawberry.field(description="What happened, or EXERCISE.")
    kind_label: str = strawberry.field(description="The kind in Japanese, e.g. 訓練.")
    started_on: date = strawberry.field(description="Day it started (Japan time).")
    districts: list[str] = strawberry.field(description="The districts (地区) affected.")
    note: str | None = strawberry.field(description="Free notes of the office.")
    closed_on: date | None = strawberry.field(
        description="Set when the event is closed for the after-action report."
    )
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: DisasterEvent) -> DisasterEventType:
        return from_row(
            cls, row, kind_label=DISASTER_KIND_LABELS[row.kind], districts=list(row.districts or [])
        )

    @strawberry.field(
        description=(
            "The activation log: every request made under this event, in the order made; "
            "openOnly: only those not closed or cancelled."
        )
    )
    async def requests(
        self,
        info: Info,
        open_only: Annotated[
            bool,
            strawberry.argument(description="Only the requests not closed or cancelled."),
        ] = False,
    ) -> list[SupportRequestType]:
        rows = await info.context.loader(disasters.requests_by_event).load(self.pk)
        return [
            SupportRequestType.from_row(r)
            for r in rows
            if not open_only or r.status in OPEN_STATUSES
        ]

    @strawberry.field(description="How many requests are not closed or cancelled yet.")
    async def open_request_count(self, info: Info) -> int:
        rows = await info.context.loader(disasters.requests_by_event).load(self.pk)
        return sum(1 for r in rows if r.status in OPEN_STATUSES)


@strawberry.type(
    name="SupportRequest",
    description=(
        "応援要請: support asked of a party under an agreement during a disaster event. "
        "REQUESTED → ANSWERED → DELIVERED → CLOSED, or CANCELLED while open."
    ),
)
@stamped
class SupportRequestType(Node):
    category: SupportCategory = strawberry.field(
        description="The support asked for: one of the agreement's support categories."
    )
    what: str = strawberry.field(description="What was asked for.")
    quantity: int | None = strawberry.field(description="How much, in unit.")
    unit: str | None = strawberry.field(description="Unit of quantity, e.g. 本, 台, 人.")
    status: SupportRequestStatus = strawberry.field(description="Where the request stands.")
    status_label: str = strawberry.field(description="The status in Japanese, e.g. 要請済み.")
    requested_by: str = strawberry.field(description="Who asked.")
    requested_at: datetime = strawberry.field(description="When it was asked (Asia/Tokyo).")
    answer: SupportAnswer | None = strawberry.field(description="The partner's answer.")
    answer_label: str | None = strawberry.field(description="The answer in Japanese, e.g. 受諾.")
    answered_at: datetime | None = strawberry.field(description="When the partner answered.")
    answered_by: str | None = strawberry.field(description="Who recorded the answer.")
    answer_note: str | None = strawberry.field(description="Note recorded with the answer.")
    delivered_at: datetime | None = strawberry.field(description="When the support arrived.")
    delivered_by: str | None = strawberry.field(description="Who recorded the delivery.")
    delivery_note: str | None = strawberry.field(description="Note recorded with the delivery.")
    closed_at: datetime | None = strawberry.field(description="When closed or cancelled.")
    closed_by: str | None = strawberry.field(description="Who closed or cancelled it.")
    close_note: str | None = strawberry.field(description="Closing note, or why cancelled.")
    row: strawberry.Private[SupportRequest]

    @classmethod
    def from_row(cls, row: SupportRequest) -> SupportRequestType:
        return from_row(
            cls,
            row,
            status_label=SUPPORT_REQUEST_STATUS_LABELS[row.status],
            answer_label=SUPPORT_ANSWER_LABELS[row.answer] if row.answer else None,
        )

    event = record_field(
        disasters.get_events,
        "row.event_id",
        DisasterEventType,
        "The disaster event (or exercise) the request was made under.",
    )
    agreement = record_field(
        agreements.get_many,
        "row.agreement_id",
        AgreementType,
        "The agreement the request was made under.",
    )
    partner = record_field(
        partners.get_many,
        "row.partner_id",
        PartnerType,
        "The party asked (a party of the agreement).",
    )


def _readable(context: Context, _row: object) -> bool:
    return context.principal.role in READ_DISASTER


register_node(
    "DisasterEvent",
    batch=disasters.get_events,
    convert=DisasterEventType.from_row,
    visible=_readable,
)
register_node(
    "SupportRequest",
    batch=disasters.get_requests,
    convert=SupportRequestType.from_row,
    visible=_readable,
)
