"""Queries of subsidy programs and applications (補助・助成, 第3章(6))."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kyodo.domain.subsidies import service as subsidies
from kyodo.schema.context import Info
from kyodo.schema.descriptions import ApplicationStatuses
from kyodo.schema.enums import SubsidyApplicationStatus
from kyodo.schema.node import decode_optional_id
from kyodo.schema.pagination import (
    Connection,
    PageRequest,
    paged,
    read_page,
)
from kyodo.schema.permissions import CanReadInternal
from kyodo.schema.rows import read_rows
from kyodo.schema.subsidies.types import SubsidyApplicationType, SubsidyProgramType


@strawberry.type
class SubsidyQueries:
    @strawberry.field(
        description="Subsidy programs and their conditions, newest fiscal year first; "
        "public (第2章2): anyone may read them, their applications only the city's staff."
    )
    async def subsidy_programs(
        self,
        info: Info,
        fiscal_year: Annotated[
            int | None, strawberry.argument(description="Only this fiscal year's programs.")
        ] = None,
    ) -> list[SubsidyProgramType]:
        return await read_rows(
            info, SubsidyProgramType.from_row, subsidies.list_programs, fiscal_year=fiscal_year
        )

    @strawberry.field(
        description="Subsidy applications, newest submission first.",
        permission_classes=[CanReadInternal],
    )
    @paged
    async def subsidy_applications(
        self,
        info: Info,
        page: PageRequest,
        program_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only applications to this program (global id)."),
        ] = None,
        statuses: ApplicationStatuses[SubsidyApplicationStatus] = None,
    ) -> Connection[SubsidyApplicationType]:
        return await read_page(
            info,
            SubsidyApplicationType.from_row,
            subsidies.list_applications,
            program_id=decode_optional_id(program_id, "SubsidyProgram"),
            statuses=list(statuses or ()),
            page=page,
        )
