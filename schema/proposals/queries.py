"""Queries of citizens' proposals (提案, 第2章3)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kyodo.domain.proposals import service as proposals
from kyodo.schema.context import Info
from kyodo.schema.descriptions import DepartmentCodes
from kyodo.schema.enums import ProposalStatus
from kyodo.schema.pagination import (
    Connection,
    PageRequest,
    paged,
    read_page,
)
from kyodo.schema.permissions import can_read_internal
from kyodo.schema.proposals.types import ProposalType


@strawberry.type
class ProposalQueries:
    @strawberry.field(
        description="Proposals, most recently received first. Outside the city's staff "
        "only answered ones (ADOPTED, NOT_ADOPTED: the answers are public, 第2章2), "
        "without the proposer."
    )
    @paged
    async def proposals(
        self,
        info: Info,
        page: PageRequest,
        statuses: Annotated[
            list[ProposalStatus] | None,
            strawberry.argument(description="Only proposals in these statuses."),
        ] = None,
        department_codes: DepartmentCodes = None,
    ) -> Connection[ProposalType]:
        return await read_page(
            info,
            ProposalType.from_row,
            proposals.list_proposals,
            statuses=list(statuses or ()),
            department_codes=department_codes,
            answered_only=not can_read_internal(info.context),
            page=page,
        )
