"""Endorsement mutations (後援, 第3章(7)): apply, decide, withdraw.

Expected failures come back in ``errors``; nothing is written then.
"""

from __future__ import annotations

from datetime import date

import strawberry

from domain.endorsements import commands
from domain.endorsements.models import EndorsementApplication
from schema.context import Info
from schema.endorsements.types import EndorsementApplicationType
from schema.enums import EndorsementDisqualifier
from schema.errors import UserError
from schema.mutation import Outcome, run_mutation
from schema.node import pk_of
from schema.permissions import ADMIN, STAFF, allow


@strawberry.input(name="EndorsementApplicationInput")
class EndorsementApplicationInput:
    event_name: str
    organizer_id: strawberry.ID
    department_code: str
    event_starts_on: date
    purpose: str
    disqualifiers: list[EndorsementDisqualifier] = strawberry.field(
        description="Answers to the seven-item checklist: the grounds that apply."
    )
    event_ends_on: date | None = None
    venue: str | None = None
    expected_audience: str | None = None
    requested_funding_yen: int | None = strawberry.field(
        default=None,
        description="Any money asked of the city; must be 0 or absent for an endorsement.",
    )

    def to_data(self) -> commands.EndorsementData:
        """Decodes the ids: call inside the mutation's work, so a bad id is a UserError."""
        return commands.EndorsementData(
            event_name=self.event_name,
            organizer_id=pk_of(self.organizer_id, "Partner", ["input", "organizerId"]),
            department_code=self.department_code,
            event_starts_on=self.event_starts_on,
            purpose=self.purpose,
            disqualifiers=list(self.disqualifiers),
            event_ends_on=self.event_ends_on,
            venue=self.venue,
            expected_audience=self.expected_audience,
            requested_funding_yen=self.requested_funding_yen,
        )


@strawberry.type(name="EndorsementApplicationPayload")
class EndorsementApplicationPayload:
    application: EndorsementApplicationType | None
    errors: list[UserError]

    @classmethod
    def of(cls, outcome: Outcome[EndorsementApplication]) -> EndorsementApplicationPayload:
        value = outcome.value
        return cls(
            application=EndorsementApplicationType.from_row(value) if value is not None else None,
            errors=outcome.errors,
        )


def _application_pk(id: strawberry.ID) -> int:
    return pk_of(id, "EndorsementApplication")


@strawberry.type
class EndorsementMutations:
    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, own_department=True),
        description="Ask to lend the city's name to an event. No money flows "
        "(FINANCIAL_SUPPORT_NOT_ALLOWED when funding is requested).",
    )
    async def endorsement_application_submit(
        self, info: Info, input: EndorsementApplicationInput
    ) -> EndorsementApplicationPayload:
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: commands.submit_application(
                s, data=input.to_data(), today=context.today, actor=context.actor
            ),
        )
        return EndorsementApplicationPayload.of(outcome)

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="EndorsementApplication"),
        description="Decide a SUBMITTED application. Approving needs no disqualifier and a "
        "positive policy judgement (ENDORSEMENT_DISQUALIFIED); refusing needs a reason "
        "(REASON_REQUIRED).",
    )
    async def endorsement_application_decide(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        approve: bool,
        contributes_to_city_policy: bool,
        reason: str | None = None,
        decided_on: date | None = None,
    ) -> EndorsementApplicationPayload:
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: commands.decide_application(
                s,
                application_id=_application_pk(id),
                expected_version=expected_version,
                approve=approve,
                contributes_to_city_policy=contributes_to_city_policy,
                reason=reason,
                decided_on=decided_on,
                today=context.today,
                actor=context.actor,
            ),
        )
        return EndorsementApplicationPayload.of(outcome)

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="EndorsementApplication"),
        description="The organiser withdraws: SUBMITTED or APPROVED → WITHDRAWN.",
    )
    async def endorsement_application_withdraw(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> EndorsementApplicationPayload:
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: commands.withdraw_application(
                s,
                application_id=_application_pk(id),
                expected_version=expected_version,
                actor=context.actor,
            ),
        )
        return EndorsementApplicationPayload.of(outcome)
