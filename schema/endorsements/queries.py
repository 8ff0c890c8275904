"""Queries of endorsement applications (後援, 第3章(7))."""

from __future__ import annotations

import strawberry

from kyodo.domain.endorsements import service as endorsements
from kyodo.schema.context import Info
from kyodo.schema.descriptions import ApplicationStatuses
from kyodo.schema.endorsements.types import EndorsementApplicationType
from kyodo.schema.enums import EndorsementStatus
from kyodo.schema.pagination import (
    Connection,
    PageRequest,
    paged,
    read_page,
)
from kyodo.schema.permissions import CanReadInternal


@strawberry.type
class EndorsementQueries:
    @strawberry.field(
        description="Endorsement applications, latest event first.",
        permission_classes=[CanReadInternal],
    )
    @paged
    async def endorsement_applications(
        self,
        info: Info,
        page: PageRequest,
        statuses: ApplicationStatuses[EndorsementStatus] = None,
    ) -> Connection[EndorsementApplicationType]:
        return await read_page(
            info,
            EndorsementApplicationType.from_row,
            endorsements.list_applications,
            statuses=list(statuses or ()),
            page=page,
        )
