"""Proposal mutations (提案, 第2章3): receive a proposal and answer it.

Expected failures come back in ``errors``; nothing is written then.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import strawberry

from kyodo.domain.enums import ProposalStatus as DomainStatus
from kyodo.domain.labels import LABELS
from kyodo.domain.proposals import commands
from kyodo.schema.enums import ProposalChannel, ProposalKind, describe_values
from kyodo.schema.inputs import kept, value_of
from kyodo.schema.node import optional_pk_of
from kyodo.schema.payloads import Payload, argument, payload, saved
from kyodo.schema.permissions import ADMIN, STAFF, allow
from kyodo.schema.proposals.types import ProposalType


@strawberry.enum(
    name="ProposalDecision", description="The city's answer: the ProposalStatus it leads to."
)
class ProposalDecision(StrEnum):
    UNDER_CONSIDERATION = "UNDER_CONSIDERATION"
    ADOPTED = "ADOPTED"
    NOT_ADOPTED = "NOT_ADOPTED"


# The same words as the statuses they lead to (domain.labels.LABELS).
describe_values(
    ProposalDecision,
    {d.name: LABELS[DomainStatus][DomainStatus(d.value)].description for d in ProposalDecision},
)


@strawberry.input(name="ProposalInput", description="A proposal as received.")
class ProposalInput:
    title: str = strawberry.field(description="件名 (required).")
    body: str = strawberry.field(description="The proposal, as received (required).")
    kind: ProposalKind = strawberry.field(description="What it offers.")
    channel: ProposalChannel = strawberry.field(description="How it reached the city.")
    department_code: str = strawberry.field(
        description="Code of the department that answers it. A STAFF caller may only use their own."
    )
    received_on: date | None = strawberry.field(
        default=None, description="The day it arrived; today when left out."
    )
    proposer_id: strawberry.ID | None = strawberry.field(
        default=None, description="The partner who proposed it; absent for anonymous proposals."
    )

    def to_data(self) -> commands.ProposalData:
        """Decodes the ids: call inside the mutation's work, so a bad id is a UserError."""
        return commands.ProposalData(
            title=self.title,
            body=self.body,
            kind=self.kind,
            channel=self.channel,
            department_code=self.department_code,
            received_on=self.received_on,
            proposer_id=optional_pk_of(self.proposer_id, "Partner", "proposer_id"),
        )


@strawberry.input(
    name="ProposalResponseInput",
    description="The city's answer. background, supportOptions and response keep their "
    "value when left out; identifiedNeeds are added to the stored ones, never removed.",
)
class ProposalResponseInput:
    decision: ProposalDecision = strawberry.field(description="The answer.")
    background: str | None = kept("Findings about the background of the proposal.")
    support_options: str | None = kept(
        "How it could be realised and what support the city could give."
    )
    response: str | None = kept(
        "The answer to the proposer; required (the reason, in plain words) when NOT_ADOPTED."
    )
    identified_needs: list[str] | None = strawberry.field(
        default=None, description="課題・ニーズ learned, added to those already recorded."
    )
    collaboration_id: strawberry.ID | None = strawberry.field(
        default=None, description="The collaboration it became; only when ADOPTED."
    )

    def to_data(self) -> commands.ResponseData:
        """Decodes the ids: call inside the mutation's work, so a bad id is a UserError."""
        return commands.ResponseData(
            decision=DomainStatus(self.decision.value),
            background=value_of(self.background),
            support_options=value_of(self.support_options),
            response=value_of(self.response),
            identified_needs=self.identified_needs,
            collaboration_id=optional_pk_of(
                self.collaboration_id, "Collaboration", "collaboration_id"
            ),
        )


@payload("ProposalPayload", "The outcome of a change to a proposal.")
class ProposalPayload(Payload):
    proposal: ProposalType | None = saved("proposal")


@strawberry.type
class ProposalMutations:
    proposal_submit = ProposalPayload.mutation(
        commands.submit_proposal,
        description="Receive a citizen's proposal from any channel (第2章3).",
        extensions=allow(STAFF, ADMIN, own_department=True),
        input=argument(ProposalInput, "The proposal.", to_data=True),
    )
    proposal_respond = ProposalPayload.change_mutation(
        commands.respond_to_proposal,
        description="Answer a proposal (respondedOn = today). NOT_ADOPTED needs a reason in "
        "response (REASON_REQUIRED); a final answer (ADOPTED, NOT_ADOPTED) stands.",
        extensions=allow(STAFF, ADMIN, department_of="Proposal"),
        input=argument(ProposalResponseInput, "The answer.", to_data=True),
    )
