"""Mutations of the activation log (応援要請, rule 21): events and the requests under them.

Only the disaster office (and ADMIN) writes the log; every step records its time and who
recorded it. Global ids are decoded inside the work function, so a malformed id is a
payload error at its input path.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from kyodo.domain.disasters import commands, events
from kyodo.schema.disasters.types import DisasterEventType, SupportRequestType
from kyodo.schema.enums import DisasterKind, SupportAnswer, SupportCategory
from kyodo.schema.inputs import Ids, ToData, fields_of
from kyodo.schema.payloads import Argument, Payload, argument, payload, saved
from kyodo.schema.permissions import ADMIN, DISASTER_OFFICE, allow


@strawberry.input(name="DisasterEventInput", description="A disaster event or exercise to open.")
class DisasterEventInput(ToData, data=events.DisasterEventData):
    name: str = strawberry.field(description="Name of the event, e.g. 令和8年大雨訓練.")
    kind: DisasterKind = strawberry.field(description="What happened, or EXERCISE.")
    started_on: date = strawberry.field(description="Not in the future.")
    districts: list[str] = strawberry.field(
        default_factory=list, description="The districts (地区) affected."
    )
    note: str | None = strawberry.field(default=None, description="Free notes of the office.")
    external_id: str | None = strawberry.field(
        default=None, description="Id in another system (e.g. the prefecture's), unique."
    )


@strawberry.input(
    name="SupportRequestInput",
    description=(
        "A request under an agreement: the agreement must be in force on the request's day "
        "(Japan time), partnerId one of its active parties, category one of its support "
        "categories."
    ),
)
class SupportRequestInput:
    event_id: strawberry.ID = strawberry.field(description="Global id of the disaster event.")
    agreement_id: strawberry.ID = strawberry.field(
        description="Global id of the agreement asked under."
    )
    partner_id: strawberry.ID = strawberry.field(
        description="Global id of the party asked: an active party of the agreement."
    )
    category: SupportCategory = strawberry.field(
        description="The support asked for: one of the agreement's support categories."
    )
    what: str = strawberry.field(description="What is asked for, e.g. 飲料水（2リットル）.")
    quantity: int | None = strawberry.field(default=None, description="How much, in unit.")
    unit: str | None = strawberry.field(default=None, description="Unit, e.g. 本, 台, 人.")
    requested_by: str | None = strawberry.field(
        default=None, description="Who asked; defaults to the caller."
    )
    requested_at: datetime | None = strawberry.field(
        default=None, description="Defaults to now; not in the future."
    )
    external_id: str | None = strawberry.field(
        default=None, description="Id in another system, unique."
    )

    def to_data(self) -> commands.SupportRequestData:
        ids = Ids()
        decoded = {
            "event_id": ids.pk(self.event_id, "DisasterEvent", "event_id"),
            "agreement_id": ids.pk(self.agreement_id, "Agreement", "agreement_id"),
            "partner_id": ids.pk(self.partner_id, "Partner", "partner_id"),
        }
        ids.raise_if_any()
        return commands.SupportRequestData(**fields_of(self, **decoded))


@payload("DisasterEventPayload", "The outcome of a change to a disaster event.")
class DisasterEventPayload(Payload):
    event: DisasterEventType | None = saved("event")


@payload("SupportRequestPayload", "The outcome of a step of a support request.")
class SupportRequestPayload(Payload):
    request: SupportRequestType | None = saved("request")


def moment(when: str) -> Argument:
    """The optional time of a request's step: the caller's clock when left out, and
    never in the future (``domain.disasters.moments``)."""
    return argument(
        datetime | None, f"{when}; now when omitted, never in the future.", default=None
    )


@strawberry.type
class DisasterMutations:
    disaster_event_create = DisasterEventPayload.mutation(
        events.create_event,
        description="Open a disaster event or an exercise (started on a day not in the future).",
        extensions=allow(DISASTER_OFFICE, ADMIN),
        input=argument(DisasterEventInput, "The event.", to_data=True),
    )
    disaster_event_close = DisasterEventPayload.change_mutation(
        events.close_event,
        description="Close an event, once none of its requests is open.",
        extensions=allow(DISASTER_OFFICE, ADMIN),
        closed_on=argument(date, "Day it closed; not before it started."),
    )
    support_request_create = SupportRequestPayload.mutation(
        commands.create_request,
        description="応援要請: ask a party for support under an agreement (status REQUESTED).",
        extensions=allow(DISASTER_OFFICE, ADMIN),
        input=argument(SupportRequestInput, "The request.", to_data=True),
    )
    support_request_answer = SupportRequestPayload.change_mutation(
        commands.answer_request,
        description="Record the partner's answer: REQUESTED → ANSWERED (answeredAt defaults to now).",
        extensions=allow(DISASTER_OFFICE, ADMIN),
        answer=argument(SupportAnswer, "The partner's answer."),
        answered_at=moment("When it answered"),
        note=argument(str | None, "Note of the answer.", default=None),
    )
    support_request_deliver = SupportRequestPayload.change_mutation(
        commands.deliver_request,
        description="The support arrived: ANSWERED (ACCEPTED) → DELIVERED.",
        extensions=allow(DISASTER_OFFICE, ADMIN),
        delivered_at=moment("When it arrived"),
        note=argument(str | None, "Note of the delivery.", default=None),
    )
    support_request_close = SupportRequestPayload.change_mutation(
        commands.close_request,
        description=(
            "完了: DELIVERED → CLOSED, or ANSWERED → CLOSED when declined or unanswered. "
            "A closed request is read-only."
        ),
        extensions=allow(DISASTER_OFFICE, ADMIN),
        closed_at=moment("When closed"),
        note=argument(str | None, "Closing note.", default=None),
    )
    support_request_cancel = SupportRequestPayload.change_mutation(
        commands.cancel_request,
        description="取消し: REQUESTED or ANSWERED → CANCELLED; a reason is required.",
        extensions=allow(DISASTER_OFFICE, ADMIN),
        reason=argument(str, "Why it is cancelled (required)."),
        cancelled_at=moment("When cancelled"),
    )
