"""GraphQL types of citizens' proposals (提案)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from kyodo.domain.partners import service as partners
from kyodo.domain.proposals import service as proposals
from kyodo.domain.proposals.models import Proposal
from kyodo.schema.context import Info
from kyodo.schema.descriptions import VERSION
from kyodo.schema.enums import ProposalChannel, ProposalKind, ProposalStatus
from kyodo.schema.node import Node, register_node
from kyodo.schema.permissions import CanReadInternal, can_read_internal
from kyodo.schema.reference.types import department_field
from kyodo.schema.rows import from_row, load_optional

if TYPE_CHECKING:
    from kyodo.schema.collaborations.types import CollaborationType
    from kyodo.schema.partners.types import PartnerType


@strawberry.type(
    name="Proposal",
    description="A citizen's proposal to the city (市民提案, 第2章3) and the city's answer. "
    "STAFF and ADMIN read every proposal; everyone else the answered ones (ADOPTED, "
    "NOT_ADOPTED), without the proposer.",
)
class ProposalType(Node):
    title: str = strawberry.field(description="件名.")
    body: str = strawberry.field(description="The proposal, as received.")
    kind: ProposalKind = strawberry.field(description="What it offers.")
    channel: ProposalChannel = strawberry.field(description="How it reached the city.")
    received_on: date = strawberry.field(description="The day it arrived.")
    status: ProposalStatus = strawberry.field(description="Where it stands.")
    background: str | None = strawberry.field(
        description="Findings about the background of the proposal."
    )
    support_options: str | None = strawberry.field(
        description="How it could be realised and what support the city could give."
    )
    response: str | None = strawberry.field(
        description="The answer to the proposer; "
        "when NOT_ADOPTED it gives the reason in plain words."
    )
    responded_on: date | None = strawberry.field(description="The day of the latest answer.")
    identified_needs: list[str] = strawberry.field(
        description="課題・ニーズ learned from the exchange, kept even when not adopted."
    )
    version: int = strawberry.field(description=VERSION)
    pk: strawberry.Private[int]
    row: strawberry.Private[Proposal]

    @classmethod
    def from_row(cls, row: Proposal) -> ProposalType:
        return from_row(cls, row, identified_needs=list(row.identified_needs))

    @strawberry.field(
        description="Who proposed it; absent for anonymous proposals. Personal data of the "
        "proposer: STAFF and ADMIN only (FORBIDDEN, and null, for everyone else).",
        permission_classes=[CanReadInternal],
    )
    async def proposer(
        self, info: Info
    ) -> Annotated[PartnerType, strawberry.lazy("kyodo.schema.partners.types")] | None:
        from kyodo.schema.partners.types import PartnerType

        return await load_optional(
            info, partners.get_many, self.row.proposer_id, PartnerType.from_row
        )

    department = department_field("The department that answers it.")

    @strawberry.field(
        description="The collaboration it became, when adopted (null when not visible to "
        "the caller)."
    )
    async def collaboration(
        self, info: Info
    ) -> Annotated[CollaborationType, strawberry.lazy("kyodo.schema.collaborations.types")] | None:
        from kyodo.schema.collaborations.types import collaboration_of

        return await collaboration_of(info, self.row.collaboration_id)


register_node(
    "Proposal",
    batch=proposals.get_many,
    convert=ProposalType.from_row,
    visible=lambda context, row: can_read_internal(context) or proposals.is_answered(row),
)
