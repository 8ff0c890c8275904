"""Endorsement mutations (後援, 第3章(7)): apply, decide, withdraw.

Expected failures come back in ``errors``; nothing is written then.
"""

from __future__ import annotations

from datetime import date

import strawberry

from kyodo.domain.endorsements import commands
from kyodo.schema.descriptions import DEPARTMENT_CODE, DecidedOn, RefusalReason
from kyodo.schema.endorsements.types import EndorsementApplicationType
from kyodo.schema.enums import EndorsementDisqualifier
from kyodo.schema.node import pk_of
from kyodo.schema.payloads import Payload, argument, payload, saved
from kyodo.schema.permissions import ADMIN, STAFF, allow


@strawberry.input(
    name="EndorsementApplicationInput", description="An application for the city's endorsement."
)
class EndorsementApplicationInput:
    event_name: str = strawberry.field(description="行事名 (required).")
    organizer_id: strawberry.ID = strawberry.field(
        description="The partner organising it (global id)."
    )
    department_code: str = strawberry.field(
        description=DEPARTMENT_CODE + " A STAFF caller may only use their own."
    )
    event_starts_on: date = strawberry.field(description="First day of the event.")
    purpose: str = strawberry.field(description="What the event is for (required).")
    disqualifiers: list[EndorsementDisqualifier] = strawberry.field(
        description="Answers to the seven-item checklist: the grounds that apply."
    )
    event_ends_on: date | None = strawberry.field(
        default=None, description="Last day, not before the first; omit for one day."
    )
    venue: str | None = strawberry.field(default=None, description="会場.")
    expected_audience: str | None = strawberry.field(
        default=None, description="Who is expected to attend (対象者)."
    )
    requested_funding_yen: int | None = strawberry.field(
        default=None,
        description="Any money asked of the city; must be 0 or absent for an endorsement.",
    )

    def to_data(self) -> commands.EndorsementData:
        """Decodes the ids: call inside the mutation's work, so a bad id is a UserError."""
        return commands.EndorsementData(
            event_name=self.event_name,
            organizer_id=pk_of(self.organizer_id, "Partner", "organizer_id"),
            department_code=self.department_code,
            event_starts_on=self.event_starts_on,
            purpose=self.purpose,
            disqualifiers=list(self.disqualifiers),
            event_ends_on=self.event_ends_on,
            venue=self.venue,
            expected_audience=self.expected_audience,
            requested_funding_yen=self.requested_funding_yen,
        )


@payload("EndorsementApplicationPayload", "The outcome of a change to an endorsement application.")
class EndorsementApplicationPayload(Payload):
    application: EndorsementApplicationType | None = saved("application")


@strawberry.type
class EndorsementMutations:
    endorsement_application_submit = EndorsementApplicationPayload.mutation(
        commands.submit_application,
        description="Ask to lend the city's name to an event. No money flows "
        "(FINANCIAL_SUPPORT_NOT_ALLOWED when funding is requested).",
        extensions=allow(STAFF, ADMIN, own_department=True),
        input=argument(EndorsementApplicationInput, "The application.", to_data=True),
    )
    endorsement_application_decide = EndorsementApplicationPayload.change_mutation(
        commands.decide_application,
        description="Decide a SUBMITTED application. Approving needs no disqualifier and a "
        "positive policy judgement (ENDORSEMENT_DISQUALIFIED); refusing needs a reason "
        "(REASON_REQUIRED).",
        extensions=allow(STAFF, ADMIN, department_of="EndorsementApplication"),
        approve=argument(bool, "True approves (後援する), false refuses."),
        contributes_to_city_policy=argument(
            bool,
            "Staff judgement: the event advances the city's policies; required to approve.",
        ),
        reason=argument(RefusalReason, default=None),
        decided_on=argument(DecidedOn, default=None),
    )
    endorsement_application_withdraw = EndorsementApplicationPayload.change_mutation(
        commands.withdraw_application,
        description="The organiser withdraws: SUBMITTED or APPROVED → WITHDRAWN.",
        extensions=allow(STAFF, ADMIN, department_of="EndorsementApplication"),
    )
